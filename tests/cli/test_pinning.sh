#!/usr/bin/env bash
# TLS to an agent without a PKI (no root): the agent makes its own key pair at the first
# start (--tls-auto DIR, files its owner's alone) and prints the fingerprint; an inventory
# that pins it gets the row over HTTPS; a restart keeps the key; an agent with another key at
# the same address makes the row unknown with "agent certificate changed"; a key file others
# can read, or a fingerprint of the wrong form, is refused. Usage: test_pinning.sh DMSCONN DATA
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/tally.sh"
dmsconn=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
agent=
cleanup() {
    [[ -n $agent ]] && kill "$agent" 2> /dev/null
    wait 2> /dev/null
    rm -rf "$work"
}
trap cleanup EXIT
base=$(python3 "$here/../lib/free_base.py" 4 127.0.2.41 127.0.2.42)
port=$((base + 1)) svc=$((base + 2))
umask 077
echo "pinning-test-token-0123456789" > "$work/token"
printf 'name: pinning-test\nbase: none\nchecks:\n  - {name: svc, probe: tcp, port: %s, from: [any], to: [any]}\n' \
    "$svc" > "$work/profile.yaml"
inventory() { # inventory FINGERPRINT
    cat > "$work/inventory.yaml" << YAML
cluster: pinning-test
nodes:
  - {name: n1, address: 127.0.2.41, roles: [dma], agent: none}
  - {name: n2, address: 127.0.2.42, roles: [dma], agent: {address: "127.0.2.42:$port", fingerprint: "$1"}}
YAML
}
start_agent() { # start_agent DIR LOG
    inventory "sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    "$dmsconn" agent --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
        --token-file "$work/token" --as n2 --listen "127.0.2.42:$port" --tls-auto "$1" 2> "$2" &
    agent=$!
    for _ in $(seq 100); do grep -q "fingerprint" "$2" 2> /dev/null && break; sleep 0.05; done
    python3 "$here/../lib/wait_up.py" "127.0.2.42:$port" || exit 1
}
stop_agent() { kill "$agent"; wait "$agent" 2> /dev/null; agent=; }
fingerprint() { grep -o 'fingerprint: "sha256:[^"]*"' "$1" | cut -d'"' -f2; }
coordinator() { # coordinator JSON
    timeout 30 "$dmsconn" check --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
        --token-file "$work/token" --as n1 --timeout 1 --json "$1" --quiet
}

start_agent "$work/tls" "$work/agent1.log"
fp=$(fingerprint "$work/agent1.log")
[[ $fp =~ ^sha256:[A-Za-z0-9+/]{43}=$ ]] && grep -q "a new key pair" "$work/agent1.log" && ok ||
    { ko "first start: a new key pair and its fingerprint"; cat "$work/agent1.log"; }
[[ $(stat -c %a "$work/tls") == 700 && $(stat -c %a "$work/tls/agent.key") == 600 &&
    $(stat -c %a "$work/tls/agent.crt") == 600 ]] && ok || ko "key files: owner only"
# the printed fingerprint is the SHA-256 of the certificate's public key, as openssl says
want=$(openssl x509 -in "$work/tls/agent.crt" -pubkey -noout | openssl pkey -pubin -outform der |
    openssl dgst -sha256 -binary | base64)
[[ $fp == "sha256:$want" ]] && ok || ko "fingerprint $fp, openssl says sha256:$want"
inventory "$fp"
coordinator "$work/pinned.json"
python3 -c '
import json, sys
r = {(x["from"], x["to"]): x for x in json.load(open(sys.argv[1]))["results"]}
assert r[("n2", "n1")]["state"] == "refused" and r[("n2", "n1")].get("measured", True), r
# the certificate it showed: its own (--tls-auto: ten years), pinned, so its dates unjudged
a = json.load(open(sys.argv[1]))["agents"]
assert len(a) == 1 and a[0]["node"] == "n2" and a[0]["pinned"] and a[0]["verdict"] == "pass", a
assert a[0]["tls"]["days_left"] > 3600 and a[0]["tls"]["names_ok"], a
' "$work/pinned.json" && ok || ko "pinned agent: its row measured over HTTPS, its certificate shown"
# a restart keeps the key pair, and so the fingerprint
stop_agent
start_agent "$work/tls" "$work/agent2.log"
[[ $(fingerprint "$work/agent2.log") == "$fp" ]] && grep -q "the key pair" "$work/agent2.log" &&
    ok || ko "restart: the same key"
stop_agent
# another key answers at the pinned address
start_agent "$work/other" "$work/agent3.log"
inventory "$fp"
coordinator "$work/changed.json"
rc=$?
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
row = [x for x in r["results"] if x["from"] == "n2"]
assert row and all(x["state"] == "unknown" and "agent certificate changed" in x["detail"] and
    "put the fingerprint it printed" in x["remedy"] for x in row), row
' "$work/changed.json" && [[ $rc -eq 2 ]] && ok || ko "another key: row unknown, exit $rc (2: n1 -> n2 fails)"
stop_agent
# a key file others can read is refused, as a secret file is
chmod 644 "$work/tls/agent.key"
inventory "$fp"
timeout 10 "$dmsconn" agent --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
    --token-file "$work/token" --as n2 --listen "127.0.2.42:$port" --tls-auto "$work/tls" \
    2> "$work/agent4.log"
rc=$?
[[ $rc -eq 3 ]] && grep -q "agent.key: expected a file only its owner can read" "$work/agent4.log" &&
    ok || { ko "world-readable key: exit $rc"; cat "$work/agent4.log"; }
# a fingerprint of the wrong form: the inventory's file and line
inventory "sha256:tooshort"
timeout 10 "$dmsconn" plan --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
    > /dev/null 2> "$work/plan.err"
rc=$?
[[ $rc -eq 3 ]] && grep -q "inventory.yaml:4: fingerprint 'sha256:tooshort': expected sha256:" \
    "$work/plan.err" && ok || { ko "bad fingerprint: exit $rc"; cat "$work/plan.err"; }
tally
