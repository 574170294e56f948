#!/usr/bin/env bash
# Ctrl-C in coordinator mode keeps what the agents measured: the coordinator asks each agent
# still working to stop (POST /v1/stop) and answer with its results; a check that was still
# waiting says it was interrupted, the ones already done keep their states; the whole run
# ends within a bounded time. Two agents on loopback (no root).
# Usage: test_interrupt.sh DMSCONN DATA
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
base=$(python3 "$(dirname "$0")/../lib/free_base.py" 12 127.0.1.51 127.0.1.52)
umask 077
echo "interrupt-test-token-0123456789" > "$work/token"
cat > "$work/inventory.yaml" <<YAML
cluster: interrupt-test
nodes:
  - {name: i1, address: 127.0.1.51, roles: [dma], agent: "127.0.1.51:$((base + 1))"}
  - {name: i2, address: 127.0.1.52, roles: [dma], agent: "127.0.1.52:$((base + 2))"}
YAML
# "closed" is refused at once; "quiet" accepts and never speaks, so its NATS probe waits
# for its whole (long) timeout
cat > "$work/profile.yaml" <<YAML
base: none
checks:
  - {name: closed, probe: tcp, port: $((base + 10)), from: [dma], to: [dma]}
  - {name: quiet, probe: nats, port: $((base + 11)), from: [dma], to: [dma]}
YAML
timeout 60 python3 -c '
import socket, sys
socks = []
for host in ("127.0.1.51", "127.0.1.52"):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, int(sys.argv[1]))); s.listen(16); socks.append(s)
import selectors
sel = selectors.DefaultSelector()
for s in socks: sel.register(s, selectors.EVENT_READ)
held = []
while True:
    for key, _ in sel.select():
        c, _ = key.fileobj.accept(); held.append(c)
' $((base + 11)) &
pids+=($!)
for i in 1 2; do
    "$dmsconn" agent --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
        --token-file "$work/token" --listen "127.0.1.5$i:$((base + i))" --bind-source \
        2> "$work/agent$i.log" &
    pids+=($!)
done
python3 "$(dirname "$0")/../lib/wait_up.py" "http://127.0.1.51:$((base + 1))/v1/health" \
    "http://127.0.1.52:$((base + 2))/v1/health" \
    "127.0.1.51:$((base + 11))" "127.0.1.52:$((base + 11))" || exit 1
start=$(date +%s.%N)
timeout 30 "$dmsconn" check --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
    --token-file "$work/token" --as i1 --timeout 20 --json "$work/r.json" --quiet \
    > "$work/stdout.txt" &
coordinator=$!
sleep 1.5
kill -INT "$coordinator"
wait "$coordinator"
rc=$?
took=$(python3 -c "import sys, time; print(round(time.time() - float(sys.argv[1]), 1))" "$start")
passed=0 failed=0
python3 - "$work/r.json" "$rc" "$took" <<'PY' && passed=$((passed + 1)) || failed=$((failed + 1))
import json, sys
r = json.load(open(sys.argv[1]))
rc, took = int(sys.argv[2]), float(sys.argv[3])
assert r["interrupted"], r["interrupted"]
assert took < 10, f"the interrupted run took {took} s"
cells = {(x["from"], x["to"], x["check"]): x for x in r["results"]}
# what the agent of i2 had measured before Ctrl-C came back: its closed port, refused
assert cells[("i2", "i1", "closed")]["state"] == "refused", cells[("i2", "i1", "closed")]
assert cells[("i1", "i2", "closed")]["state"] == "refused", cells[("i1", "i2", "closed")]
# the check still waiting was cut: not measured, and it says so
for key in (("i2", "i1", "quiet"), ("i1", "i2", "quiet")):
    x = cells[key]
    assert x["state"] == "unknown" and "interrupted" in x["detail"], x
assert "before the agent" not in cells[("i2", "i1", "quiet")]["detail"], cells[("i2", "i1", "quiet")]
print(f"interrupted run: {took} s, exit {rc}")
PY
[[ ! -s $work/stdout.txt ]] && passed=$((passed + 1)) ||
    { failed=$((failed + 1)); echo "FAIL: --quiet printed: $(cat "$work/stdout.txt")"; }
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
