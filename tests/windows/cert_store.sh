#!/usr/bin/env bash
# One certificate judged the same way by the Linux build and the Windows build under Wine,
# for a TLS dialogue (probe tls: OpenSSL fed by the OS layer) and for HTTPS (probe https:
# curl): a server certificate for 127.0.4.61 signed by a CA made here. With --ca CA both
# builds accept it; without --ca both refuse it while Windows' ROOT store lacks the CA (as
# Linux's /etc/ssl does); once the CA is in the ROOT store (root_store.exe, as an admin
# would with certmgr.msc) the Windows build accepts it without --ca, and not after it is
# taken out again; the certificate each build read (the JSON's "tls") is the same. The
# server is OpenSSL's s_server on loopback.
# Usage: cert_store.sh WINDOWS-EXE LINUX-DMSCONN ROOT-STORE-EXE (Wine's variables set)
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/tally.sh"
exe=$(realpath "$1") linux=$(realpath "$2") store=$(realpath "$3")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
    (cd "$work" && timeout 60 wine "$store" remove ca.pem > /dev/null 2>&1)
    for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1

addr=127.0.4.61
port=$(python3 "$here/../lib/free_base.py" 1 "$addr")
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
openssl req -x509 "${ec[@]}" -days 365 -subj "/CN=dmsconn test CA $$" -keyout ca.key \
    -out ca.pem 2> /dev/null
openssl req "${ec[@]}" -subj "/CN=$addr" -keyout srv.key -out srv.csr 2> /dev/null
printf 'subjectAltName=IP:%s\nextendedKeyUsage=serverAuth\n' "$addr" > srv.ext
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 365 \
    -extfile srv.ext -out srv.pem 2> /dev/null
timeout 300 openssl s_server -quiet -accept "$addr:$port" -cert srv.pem -key srv.key -www \
    > /dev/null 2>&1 &
pids+=($!)
python3 "$here/../lib/wait_up.py" "$addr:$port" || { echo "FAIL: s_server did not start"; exit 1; }
cat > p.yaml << YAML
name: cert-store
base: none
checks:
  - {name: handshake, probe: tls, port: $port, from: [any], to: [any]}
  - {name: web, probe: https, port: $port, from: [any], to: [any]}
YAML
args=(check --from-here --all-targets --as t --profile p.yaml --node "web=$addr" --format csv)
# "CHECK STATE certificate-failure|-" per check: the certificate's part of each verdict
judged() {
    python3 -c '
import csv, sys
rows = list(csv.DictReader(sys.stdin))
for r in sorted(rows, key=lambda r: r["check"]):
    cert = "certificate-failure" if "certificate" in r["detail"].lower() else "-"
    print(r["check"], r["state"], cert)
if len(rows) != 2:
    print("rows:", len(rows))'
}
linux_run() { timeout 60 "$linux" "${args[@]}" "$@" 2> /dev/null | judged; }
windows_run() { timeout 120 wine "$exe" "${args[@]}" "$@" 2> /dev/null | tr -d '\r' | judged; }

with_ca=$(linux_run --ca ca.pem)
without=$(linux_run)
[[ $with_ca != *certificate-failure* && $with_ca != *rows* ]] && ok ||
    ko "Linux with --ca: $with_ca"
[[ $(grep -c certificate-failure <<< "$without") == 2 ]] && ok || ko "Linux without --ca: $without"

got=$(windows_run --ca ca.pem)
[[ $got == "$with_ca" ]] && ok || ko "Windows with --ca: '$got', Linux: '$with_ca'"
# the certificate each build read, in the JSON's "tls": the same, field for field
timeout 60 "$linux" "${args[@]}" --ca ca.pem --json linux.json > /dev/null 2>&1
timeout 120 wine "$exe" "${args[@]}" --ca ca.pem --json windows.json > /dev/null 2>&1
python3 - linux.json windows.json "$addr" << 'PY' && ok || ko "the certificate read alike"
import json, sys
def tls(path):  # days_left is as of each run
    return {x["check"]: {k: v for k, v in x["tls"].items() if k != "days_left"}
            for x in json.load(open(path))["results"]}
lin, win = tls(sys.argv[1]), tls(sys.argv[2])
assert lin == win, (lin, win)
for t in lin.values():
    assert t["verified"] and t["san"] == [f"IP:{sys.argv[3]}"] and t["checked_name"] == sys.argv[3], t
PY
got=$(windows_run)
[[ $got == "$without" ]] && ok || ko "Windows, the CA not in the ROOT store: '$got', Linux: '$without'"
if timeout 60 wine "$store" add ca.pem > store.out 2>&1; then
    got=$(windows_run)
    [[ $got == "$with_ca" ]] && ok ||
        ko "Windows, the CA in the ROOT store: '$got', Linux with --ca: '$with_ca'"
    timeout 60 wine "$store" remove ca.pem > store.out 2>&1 || ko "root_store remove: $(cat store.out)"
    got=$(windows_run)
    [[ $got == "$without" ]] && ok || ko "Windows, the CA taken out again: '$got'"
else
    ko "root_store add: $(tr -d '\r' < store.out)"
fi
tally "cert store"
