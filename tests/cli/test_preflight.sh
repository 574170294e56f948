#!/usr/bin/env bash
# Pre-flight with protocol probes: before any service is installed, every required path is
# proven by dmsconn's own listeners, and each such cell reads "ok [pre-flight]" whatever the
# check's probe (.NET Remoting, NATS, the Account Server, CQL, OpenSearch): no protocol is
# judged on a listener that speaks none. Must-be-closed ports get no listener. Two agents on
# loopback (no root). Usage: test_preflight.sh DMSCONN DATA
set -u
dmsconn=$1
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
base=$(python3 "$(dirname "$0")/../lib/free_base.py" 20 127.0.1.41 127.0.1.42 127.0.1.43)
umask 077
echo "preflight-test-token-0123456789" > "$work/token"
cat > "$work/inventory.yaml" <<YAML
cluster: preflight-test
nodes:
  - {name: p1, address: 127.0.1.41, roles: [dma], agent: "127.0.1.41:$((base + 1))"}
  - {name: p2, address: 127.0.1.42, roles: [dma], agent: "127.0.1.42:$((base + 2))"}
  - {name: p3, address: 127.0.1.43, roles: [dma], agent: none}
YAML
cat > "$work/profile.yaml" <<YAML
name: preflight-test
base: none
checks:
  - {name: remoting, probe: remoting, port: $((base + 10)), from: [dma], to: [dma]}
  - {name: nats, probe: nats, port: $((base + 11)), from: [dma], to: [dma]}
  - {name: nas, probe: nats-account, port: $((base + 12)), from: [dma], to: [dma]}
  - {name: cql, probe: cql, port: $((base + 13)), from: [dma], to: [dma]}
  - {name: search, probe: opensearch-http, port: $((base + 14)), from: [dma], to: [dma]}
  - {name: monitor, probe: nats-monitor, port: $((base + 15)), from: [dma], to: [dma], expect: optional}
  - {name: telnet, probe: telnet, port: $((base + 16)), from: [dma], to: [dma], expect: must_be_closed}
YAML
for i in 1 2; do
    "$dmsconn" agent --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
        --token-file "$work/token" --listen "127.0.1.4$i:$((base + i))" --bind-source \
        2> "$work/agent$i.log" &
    pids+=($!)
done
python3 "$(dirname "$0")/../lib/wait_up.py" "http://127.0.1.41:$((base + 1))/v1/health" \
    "http://127.0.1.42:$((base + 2))/v1/health" ||
    exit 1
passed=0 failed=0
timeout 30 "$dmsconn" check --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
    --token-file "$work/token" --as p1 --to p1,p2 --timeout 1 --json "$work/pre.json" --preflight \
    --no-color --all > "$work/out.txt" 2>&1
rc=$?
python3 - "$work/pre.json" "$rc" <<'PY' && passed=$((passed + 1)) || { failed=$((failed + 1)); cat "$work/out.txt"; }
import json, sys
r = json.load(open(sys.argv[1]))
assert int(sys.argv[2]) == 0 and r["verdict"] == "ok", (sys.argv[2], r["verdict"])
cells = {(x["from"], x["to"], x["check"]): x for x in r["results"]}
assert len(cells) == 14, len(cells)  # p1 and p2 both ways, 7 checks
for (f, t, check), x in cells.items():
    if check == "telnet":
        assert x["state"] == "refused" and not x.get("preflight"), x
        continue
    # both directions: p1's row ran here, p2's on its agent
    assert x["state"] == "ok" and x.get("preflight") and "pre-flight" in x["detail"], x
PY
grep -q "ok \[pre-flight\]\|\[pre-flight\]" "$work/out.txt" && passed=$((passed + 1)) ||
    { failed=$((failed + 1)); echo "FAIL: the terminal report does not say [pre-flight]"; }
# a node without an agent by design (agent: none): its row is not measured and says so; the
# paths towards it are; the run is not UNKNOWN for it (here CRITICAL: nothing listens)
timeout 30 "$dmsconn" check --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
    --token-file "$work/token" --as p1 --timeout 0.5 --json "$work/none.json" --no-color \
    > "$work/none.txt" 2>&1
rc=$?
python3 - "$work/none.json" "$rc" <<'PY' && passed=$((passed + 1)) || { failed=$((failed + 1)); cat "$work/none.txt"; }
import json, sys
r = json.load(open(sys.argv[1]))
assert int(sys.argv[2]) == 2 and r["verdict"] == "critical", (sys.argv[2], r["verdict"])
assert not [x for x in r["results"] if x["from"] == "p3"]
assert len([x for x in r["results"] if x["to"] == "p3"]) == 14
assert not [x for x in r["results"] if x["state"] == "unknown"]
assert any("p3 has no agent (agent: none): its row is not measured" in n for n in r["notes"]), r["notes"]
PY
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
