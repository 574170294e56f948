#!/usr/bin/env bash
# Every dialogue probe against a live peer on loopback: the responders of
# tests/responders/responder.py (written from the specifications; Debian packages no
# Cassandra, OpenSearch or .NET Remoting), a real nats-server, and hostile peers (silent,
# closing at once, garbage, TLS spoken to in clear). Each state a probe can produce is
# checked. Usage: test_probes_live.sh DMSCONN DATA
set -u
dmsconn=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
base=$((30000 + $$ % 20000))
declare -A port
i=0
for name in cql cql-v3 es-transport es-tls remoting-http remoting-tcp http-other jrmp telnet \
    silent close garbage; do
    i=$((i + 1))
    port[$name]=$((base + i))
done
args=()
for name in "${!port[@]}"; do args+=("127.0.0.1:${port[$name]}=$name"); done
python3 "$here/../responders/responder.py" --lifetime 60 "${args[@]}" > "$work/ready" &
pids+=($!)
nats=$((base + 50))
if command -v nats-server >/dev/null; then
    nats-server -a 127.0.0.1 -p "$nats" -n probe-test > "$work/nats.log" 2>&1 &
    pids+=($!)
else
    echo "nats-server missing: run scripts/setup"; exit 1
fi
for _ in $(seq 50); do # bounded: 5 s
    [[ -s $work/ready ]] && python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $nats), 0.2)" 2>/dev/null && break
    sleep 0.1
done

# one check per (probe, peer): name = what is expected
{
    echo "name: live-probes"; echo "base: none"; echo "checks:"
    add() { echo "  - {name: $1, probe: $2, port: $3, from: [any], to: [any], expect: optional}"; }
    add cql-ok cql "${port[cql]}"
    add cql-v3-ok cql "${port[cql-v3]}"
    add cql-tls cql "${port[es-tls]}"
    add cql-wrong cql "${port[http-other]}"
    add cql-silent cql "${port[silent]}"
    add cql-closed cql "${port[close]}"
    add transport-ok opensearch-transport "${port[es-transport]}"
    add transport-tls-ok opensearch-transport "${port[es-tls]}"
    add transport-wrong opensearch-transport "${port[garbage]}"
    add remoting-http-ok remoting "${port[remoting-http]}"
    add remoting-tcp-ok remoting "${port[remoting-tcp]}"
    add remoting-wrong remoting "${port[http-other]}"
    add remoting-silent remoting "${port[silent]}"
    add jmx-ok jmx "${port[jrmp]}"
    add jmx-wrong jmx "${port[garbage]}"
    add telnet-ok telnet "${port[telnet]}"
    add nats-ok nats "$nats"
    add nats-wrong nats "${port[http-other]}"
    add nats-garbage nats "${port[garbage]}"
    add nats-refused nats $((base + 99))
} > "$work/profile.yaml"

timeout 30 "$dmsconn" check --from-here --all-targets --as tester --node local=127.0.0.1 \
    --profile "$work/profile.yaml" --timeout 1 --json "$work/r.json" --quiet
python3 - "$work/r.json" <<'PY'
import json, sys
want = {
    "cql-ok": ("ok", "CQL_VERSION 3.4.5"), "cql-v3-ok": ("ok", "protocol v3"),
    "cql-tls": ("tls", ""), "cql-wrong": ("wrong_service", ""),
    "cql-silent": ("wrong_service", ""), "cql-closed": ("wrong_service", ""),
    "transport-ok": ("ok", ""), "transport-tls-ok": ("ok", ""),
    "transport-wrong": ("wrong_service", ""),
    "remoting-http-ok": ("ok", "MS .NET Remoting"), "remoting-tcp-ok": ("ok", ""),
    "remoting-wrong": ("wrong_service", ""), "remoting-silent": ("wrong_service", ""),
    "jmx-ok": ("ok", "127.0.0.1:"), "jmx-wrong": ("wrong_service", ""),
    "telnet-ok": ("ok", ""), "nats-ok": ("ok", "name probe-test"),
    "nats-wrong": ("wrong_service", ""), "nats-garbage": ("wrong_service", ""),
    "nats-refused": ("refused", ""),
}
got = {x["check"]: x for x in json.load(open(sys.argv[1]))["results"]}
bad = 0
for check, (state, evidence) in want.items():
    x = got.get(check, {})
    if x.get("state") != state or evidence not in x.get("evidence", "") + x.get("detail", ""):
        bad += 1
        print(f"FAIL {check}: expected {state} with '{evidence}', got {x.get('state')}: "
              f"{x.get('detail')} / {x.get('evidence')}")
print(f"{len(want) - bad} passed, {bad} failed")
sys.exit(1 if bad else 0)
PY
