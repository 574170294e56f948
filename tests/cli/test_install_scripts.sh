#!/usr/bin/env bash
# The install scripts on a machine as a new user has it, with apt-get, dpkg-query and the MinGW
# compiler replaced by stand-ins on PATH (nothing is installed), in a mount namespace of the
# test's own where /usr/sbin is an empty tmpfs, so a policy-rc.d can be present or absent
# without touching the machine's:
# - scripts/install-packages succeeds whether or not a policy-rc.d is already there (a Debian
#   container image ships one), keeps an admin's own one, and places and removes its own
#   otherwise; during the install a start request is refused (101) in both cases;
# - scripts/build-windows on a machine without MinGW installs the toolchain before it runs
#   the compiler (it computed its cache key with the compiler first, and stopped with
#   "command not found").
# Needs root (unshare --mount); skips loudly without it.
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/tally.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
if [[ $(id -u) -ne 0 ]] || ! command -v unshare > /dev/null; then
    echo "skipped (loudly): needs root for a mount namespace"
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stubs=$work/bin
mkdir -p "$stubs"
# every package reads as missing; apt-get records what it was asked and what a service
# start would have got from policy-rc.d at that moment
cat > "$stubs/dpkg-query" << 'EOF'
#!/bin/sh
exit 1
EOF
cat > "$stubs/apt-get" << 'EOF'
#!/bin/sh
if [ -x /usr/sbin/policy-rc.d ]; then
    /usr/sbin/policy-rc.d nats-server start; echo "policy $?" >> "$DC_STUB_LOG"
else
    echo "policy none" >> "$DC_STUB_LOG"
fi
echo "apt-get $*" >> "$DC_STUB_LOG"
case " $* " in *" install "*) exit "${DC_STUB_APT_RC:-0}" ;; esac
EOF
printf '#!/bin/sh\necho "$0: command not found" >&2\nexit 127\n' > "$stubs/x86_64-w64-mingw32-gcc-posix"
chmod 755 "$stubs"/*

# in_namespace [--with-policy] COMMAND...: runs COMMAND with /usr/sbin an empty tmpfs (with an
# admin's policy-rc.d in it when asked); prints COMMAND's output, then "rc N" and whether a
# policy-rc.d is left, and what it says
in_namespace() {
    local with=false
    [[ $1 == --with-policy ]] && with=true && shift
    : > "$work/log"
    DC_STUB_LOG=$work/log PATH=$stubs:$PATH timeout 60 unshare --mount --propagation private \
        bash -c '
        mount -t tmpfs tmpfs /usr/sbin || exit 99
        if '"$with"'; then printf "#!/bin/sh\n# the admin'"'"'s own\nexit 101\n" > /usr/sbin/policy-rc.d
            chmod 755 /usr/sbin/policy-rc.d; fi
        "$@"; echo "rc $?"
        if [ -e /usr/sbin/policy-rc.d ]; then echo "left: $(grep -c "the admin" /usr/sbin/policy-rc.d) admin line"
        else echo "left: none"; fi' bash "$@" 2>&1
}

# install-packages with a policy-rc.d already there: success, the admin's file kept
out=$(in_namespace --with-policy "$root/scripts/install-packages" dmsconn-stub-a)
[[ $out == *"rc 0"* ]] && ok || ko "install-packages with a policy-rc.d present: $out"
[[ $out == *"left: 1 admin line"* ]] && ok || ko "the admin's policy-rc.d was not kept: $out"
grep -qx "policy 101" "$work/log" && ok || ko "a start was not refused during the install: $(cat "$work/log")"
grep -q "apt-get install .*dmsconn-stub-a" "$work/log" && ok || ko "apt-get not asked: $(cat "$work/log")"
# without one: success, one placed for the install (start refused), removed afterwards
out=$(in_namespace "$root/scripts/install-packages" dmsconn-stub-b)
[[ $out == *"rc 0"* ]] && ok || ko "install-packages without a policy-rc.d: $out"
[[ $out == *"left: none"* ]] && ok || ko "its own policy-rc.d was left behind: $out"
grep -qx "policy 101" "$work/log" && ok || ko "a start was not refused during the install: $(cat "$work/log")"
# a failed install is a failure, and still removes its policy-rc.d
out=$(DC_STUB_APT_RC=100 in_namespace "$root/scripts/install-packages" dmsconn-stub-c)
[[ $out == *"rc 100"* && $out == *"left: none"* ]] && ok || ko "a failed install: $out"

# build-windows without MinGW: the toolchain is asked for before the compiler is run
out=$(DC_WINDOWS_CACHE=$work/cache DC_STUB_APT_RC=100 in_namespace "$root/scripts/build-windows" --deps-only)
grep -q "apt-get install .*gcc-mingw-w64-x86-64" "$work/log" && ok ||
    ko "build-windows did not install its toolchain first: $out"
[[ $out != *"command not found"* ]] && ok || ko "build-windows ran the compiler before installing it: $out"
tally
