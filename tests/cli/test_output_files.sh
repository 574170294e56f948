#!/usr/bin/env bash
# Where an output goes: a regular file is replaced atomically (a new file renamed over the
# old one), while a path that is not a regular file is written through: a FIFO a collector
# reads stays a FIFO and gets the report, a link to /proc/self/fd/1 (what /dev/stdout is)
# gives standard output, a link to a file stays a link and its file gets the report, and a
# character device (as root: a copy of /dev/null made here) stays a device. A rename there
# put a regular file in place of the link or the device: `--json /dev/stdout` as root
# replaced the machine's /dev/stdout.
# Usage: test_output_files.sh DMSCONN DATA
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/tally.sh"
dmsconn=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
# a quick run of one probe towards a loopback port nothing listens on (refused at once)
run() { timeout 20 "$dmsconn" check --from-here --node a=127.0.4.71 --node b=127.0.4.72 --as a \
    --check http --timeout 0.5 --quiet "$@"; }
is_report() {
    python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["results"]' "$1" 2> /dev/null
}

echo old > report.json
before=$(stat -c %i report.json)
run --json report.json
is_report report.json && [[ $(stat -c %i report.json) != "$before" ]] && ok ||
    ko "a regular file is not replaced by a new one"
ls report.json.tmp.* > /dev/null 2>&1 && ko "a temporary file was left" || ok

mkfifo pipe
timeout 20 cat pipe > from-pipe &
reader=$!
run --json pipe
wait "$reader"
[[ -p pipe ]] && is_report from-pipe && ok || ko "the FIFO: $(ls -l pipe) $(head -c 200 from-pipe)"

# /dev/stdout through a link of this test's own (a regression then replaces only that)
ln -s /proc/self/fd/1 stdout-link
run --json stdout-link > from-stdout
[[ -L stdout-link ]] && is_report from-stdout && ok ||
    ko "a link to standard output: $(ls -l stdout-link) $(head -c 200 from-stdout)"
echo old > real.json
ln -s real.json link.json
run --json link.json
[[ -L link.json ]] && is_report real.json && ok || ko "a link to a file: $(ls -l link.json)"

if [[ $(id -u) -eq 0 ]] && mknod -m 666 null c 1 3 2> /dev/null; then
    run --json null --prom null --csv null
    [[ -c null ]] && ok || ko "a character device was replaced: $(ls -l null)"
else
    echo "SKIPPED (loudly): the character-device case needs root (mknod)"
fi
tally
