#!/usr/bin/env bash
# scripts/setup installs only what building and running dmsconn needs: no package of its list
# ships a service (a server that would start at install on a systemd host); the servers the
# tests use come from scripts/test-packages. Without root and without sudo, the installer
# names what is missing and how to install it, and fails. Usage: test_setup.sh DMSCONN DATA
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/tally.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)

mapfile -t setup < <("$root/scripts/setup" --print-packages)
mapfile -t tests < <("$root/scripts/test-packages" --print-packages)
[[ ${#setup[@]} -gt 5 ]] && ok || ko "scripts/setup lists no packages"
# known servers: none in setup's list, all of those the tests need in test-packages'
for server in nats-server snmpd prometheus nginx nginx-light apache2 redis-server \
    openssh-server chromium nmap; do
    if printf '%s\n' "${setup[@]}" | grep -qx "$server"; then ko "scripts/setup installs $server"; else ok; fi
done
for needed in nats-server snmpd libcmocka-dev; do
    printf '%s\n' "${tests[@]}" | grep -qx "$needed" && ok || ko "scripts/test-packages lacks $needed"
done
# none of setup's packages, as installed here, ships a systemd unit
for p in "${setup[@]}"; do
    units=$(dpkg -L "$p" 2> /dev/null | grep -E '^/lib/systemd/system/[^/]+\.(service|socket)$')
    [[ -z $units ]] && ok || ko "$p ships $units"
done
# without root or sudo: what is missing and the command, exit 1, nothing installed
if [[ $(id -u) -eq 0 ]] && command -v setpriv > /dev/null; then
    out=$(cd /tmp && timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups \
        env PATH=/usr/sbin:/usr/bin:/sbin:/bin bash "$root/scripts/install-packages" \
        dmsconn-no-such-package 2>&1)
    rc=$?
    [[ $rc -eq 1 && $out == *"missing Debian packages: dmsconn-no-such-package"* &&
        $out == *"apt-get install --no-install-recommends dmsconn-no-such-package"* ]] && ok ||
        ko "install-packages without root: exit $rc: $out"
else
    echo "skipped (loudly): the no-root case needs root to become another user"
fi
tally
