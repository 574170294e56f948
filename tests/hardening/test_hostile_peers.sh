#!/usr/bin/env bash
# Hostile peers: a byte a second (slowloris), an endless stream, a 1 GiB length field, an
# immediate reset, TLS garbage, and one that accepts and never speaks — every probe meets
# every one of them. Each must end by its deadline with a state that is not "ok" (Telnet
# aside: any open port is Telnet's finding), the whole run within one timeout plus a margin,
# and memory bounded. Usage: test_hostile_peers.sh DMSCONN DATA
set -u
dmsconn=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"' EXIT
base=$(python3 "$here/../lib/free_base.py" 8)
peers=(trickle flood cql-huge rst tls-garbage silent)
args=()
for i in "${!peers[@]}"; do args+=("127.0.0.1:$((base + i))=${peers[$i]}"); done
python3 "$here/../responders/responder.py" --lifetime 60 "${args[@]}" > "$work/ready" &
pids+=($!)
for _ in $(seq 50); do [[ -s $work/ready ]] && break; sleep 0.1; done
probes=(tcp remoting nats cql cql-tls jmx opensearch-transport telnet tls http https apigateway
    nats-monitor nats-account opensearch-http grpc-health nats-messaging)
{
    echo "name: hostile"; echo "base: none"; echo "checks:"
    for p in "${probes[@]}"; do
        for i in "${!peers[@]}"; do
            echo "  - {name: $p-${peers[$i]}, probe: $p, port: $((base + i)), from: [any], to: [any], expect: optional}"
        done
    done
} > "$work/profile.yaml"
/usr/bin/time -f "%e %M" -o "$work/time" timeout 30 "$dmsconn" check --from-here --all-targets \
    --as tester --node local=127.0.0.1 --profile "$work/profile.yaml" --timeout 1 \
    --json "$work/r.json" --quiet --tls-insecure
read -r wall rss < <(tail -1 "$work/time")
python3 - "$work/r.json" "$wall" "$rss" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
wall, rss_kb = float(sys.argv[2]), int(sys.argv[3])
bad = []
for x in r:
    if not x.get("measured", True):
        bad.append(f"{x['check']}: not measured")
    elif x["state"] == "ok" and x["probe"] not in ("telnet", "tcp"):
        bad.append(f"{x['check']}: ok from a hostile peer: {x['detail']}")
    elif x["state"] not in ("ok", "wrong_service", "tls", "degraded", "refused"):
        bad.append(f"{x['check']}: state {x['state']}: {x['detail']}")
print(f"{len(r)} probes against hostile peers in {wall:.2f} s, peak RSS {rss_kb / 1024:.1f} MiB")
if len(r) != 17 * 6:
    bad.append(f"{len(r)} results, expected {17 * 6}")
if wall > 3.5:
    bad.append(f"the run took {wall} s: a probe outlived its deadline")
if rss_kb > 128 * 1024:
    bad.append(f"peak RSS {rss_kb} KiB: a flood was buffered")
for b in bad:
    print("FAIL", b)
print(f"{0 if bad else 1} passed, {1 if bad else 0} failed")
sys.exit(1 if bad else 0)
PY
