#!/usr/bin/env bash
# The manual page and the bash completion that the build writes from the option table
# (dmsconn-docgen): groff reads the page without a warning and man renders it; it names every
# command, every option the program's own --help lists, the exit codes and the files; bash
# loads the completion, which completes commands, a command's options (and not another
# command's) and file names after an option that takes a FILE.
# Usage: test_docs.sh DMSCONN DATA
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/tally.sh"
dmsconn=$(realpath "$1")
build=$(dirname "$dmsconn")
page=$build/dmsconn.1
completion=$build/dmsconn.bash-completion
[[ -s $page && -s $completion ]] && ok || ko "the build wrote no $page or $completion"

warnings=$(groff -man -ww -z -Tutf8 "$page" 2>&1)
[[ -z $warnings ]] && ok || ko "groff warns: $warnings"
text=$(MANWIDTH=100 man -l "$page" 2> /dev/null | col -b)
[[ $text == *"dmsconn check"* ]] && ok || ko "man does not render the page"
checked=0
for cmd in check agent plan merge diff demo profile; do
    [[ $text == *"dmsconn $cmd"* ]] || ko "the page lacks the command $cmd"
    # every option the command's --help lists, as a term of its own on the page
    for opt in $("$dmsconn" "$cmd" --help | grep -oE '^  --[a-z0-9-]+' | tr -d ' ' | sort -u); do
        checked=$((checked + 1))
        grep -qE -- "^ +$opt( |\$)" <<< "$text" || ko "the page lacks $cmd's $opt"
    done
done
# the options were read at all (a --help that lists none would pass the loop above)
((checked > 60)) && ok || ko "only $checked options read from the commands' --help"
for needed in "EXIT STATUS" "CRITICAL" "/etc/dmsconn/agent.token" "dmsconn-agent.service" \
    "dmsconn-check.timer" "dmsconn-watch.service" "inventory.example.yaml" "systemctl enable --now dmsconn-agent"; do
    [[ $text == *"$needed"* ]] && ok || ko "the page lacks '$needed'"
done

# completion: COMP_WORDS as bash would set them, the answer in COMPREPLY
complete_words() { # WORD... (the last is the one being completed)
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _dmsconn
        printf "%s\n" "${COMPREPLY[@]}"' bash "$completion" "$@"
}
[[ $(complete_words dmsconn me) == merge ]] && ok || ko "command completion: $(complete_words dmsconn me)"
got=$(complete_words dmsconn check --time)
[[ $got == --timeout ]] && ok || ko "check --time completes to: $got"
got=$(complete_words dmsconn merge --list)
[[ -z $got ]] && ok || ko "merge offers the agent's --listen: $got"
mkdir -p "$build/docs-test" && : > "$build/docs-test/inv.yaml"
got=$(cd "$build" && complete_words dmsconn plan --inventory docs-test/in)
[[ $got == docs-test/inv.yaml ]] && ok || ko "--inventory completes file names: $got"
rm -rf "$build/docs-test"
tally
