#!/usr/bin/env bash
# The TCP probe against real firewall rules, in a network namespace this test creates and
# removes: a listener -> ok, nothing listening -> refused (RST), an nftables DROP rule ->
# filtered, a REJECT with ICMP host-unreachable -> unreachable, no route -> unreachable, a
# name the namespace's resolver cannot resolve -> dns; then a SIGINT mid-run still writes
# what was measured; then two lost SYNs the kernel gives up on are sent again by the engine.
# No packet leaves the namespace. Usage: test_engine_netns.sh DMSCONN DATA
set -u
dmsconn=$1
lib=$(cd "$(dirname "$0")/../lib" && pwd)
if [[ $(id -u) -ne 0 ]]; then
    echo "SKIPPED (loudly): network namespaces need root; run the tests as root"
    exit 77
fi
ns=dctest-$$
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
    rm -rf "/etc/netns/$ns" "$work"
}
trap cleanup EXIT
if ! ip netns add "$ns" 2>"$work/err"; then
    echo "SKIPPED (loudly): the kernel refuses network namespaces: $(cat "$work/err")"
    exit 77
fi
ip -n "$ns" link set lo up
# `ip netns exec` bind-mounts this over /etc/resolv.conf: lookups stay inside the namespace,
# where nothing answers on port 53, so they fail at once.
mkdir -p "/etc/netns/$ns"
echo "nameserver 127.0.0.1" > "/etc/netns/$ns/resolv.conf"
ip netns exec "$ns" nft -f - <<'NFT'
table ip dctest {
    chain input {
        type filter hook input priority 0; policy accept;
        tcp dport 18082 drop
        tcp dport 18083 reject with icmp type host-unreachable
    }
}
NFT
# A listener on 18080 that gives up by itself after 60 s, whatever happens to this script.
pids+=("$(ip netns exec "$ns" python3 "$lib/listen_and_close.py" 127.0.0.1 18080 60)")

cat > "$work/profile.yaml" <<'YAML'
name: netns-test
base: none
checks:
  - {name: open,     probe: tcp, port: 18080, from: [any], to: [any]}
  - {name: closed,   probe: tcp, port: 18081, from: [any], to: [any]}
  - {name: dropped,  probe: tcp, port: 18082, from: [any], to: [any]}
  - {name: rejected, probe: tcp, port: 18083, from: [any], to: [any]}
YAML
nodes=(--node local=127.0.0.1 --node noroute=192.0.2.1 --node ghost=ghost.dmsconn.test)

passed=0 failed=0
ip netns exec "$ns" timeout 30 "$dmsconn" check --from-here --all-targets --as tester \
    --profile "$work/profile.yaml" "${nodes[@]}" --timeout 1 --json "$work/run.json" \
    --no-color > "$work/run.txt"
rc=$?
cat "$work/run.txt"
if [[ $rc -eq 2 ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: exit $rc, expected 2"; fi
if python3 - "$work/run.json" <<'PY'; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
import json, sys
r = json.load(open(sys.argv[1]))
got = {(x["to"], x["check"]): x for x in r["results"]}
want = {
    ("local", "open"): "ok", ("local", "closed"): "refused",
    ("local", "dropped"): "filtered", ("local", "rejected"): "unreachable",
}
for c in ("open", "closed", "dropped", "rejected"):
    want[("noroute", c)] = "unreachable"
    want[("ghost", c)] = "dns"
bad = [(k, v, got.get(k, {}).get("state")) for k, v in want.items() if got.get(k, {}).get("state") != v]
for k, v, g in bad:
    print(f"FAIL: {k[0]} {k[1]}: expected {v}, measured {g}: {got.get(k, {}).get('detail')}")
assert len(got) == len(want), f"{len(got)} results, expected {len(want)}"
assert got[("local", "open")]["latency_ms"] is not None
assert "allow tcp/18082" in got[("local", "dropped")]["remedy"]
assert "ghost.dmsconn.test" in got[("ghost", "open")]["detail"]
sys.exit(1 if bad else 0)
PY

# SIGINT after 1 s of a run whose dropped probes would wait 20 s: it stops at once and the
# report still holds what was measured (the refused port makes it CRITICAL: exit 2).
ip netns exec "$ns" timeout 30 "$dmsconn" check --from-here --all-targets --as tester \
    --profile "$work/profile.yaml" --node local=127.0.0.1 --timeout 20 \
    --json "$work/int.json" --quiet &
pid=$!
pids+=($pid)
sleep 1
kill -INT "$pid"
start=$SECONDS
wait "$pid"
rc=$?
if [[ $rc -eq 2 && $((SECONDS - start)) -le 3 ]]; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); echo "FAIL: interrupted run: exit $rc after $((SECONDS - start)) s"
fi
if python3 - "$work/int.json" <<'PY'; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
import json, sys
r = json.load(open(sys.argv[1]))
got = {x["check"]: x for x in r["results"]}
assert r["interrupted"] is True and r["verdict"] == "critical", r["verdict"]
assert got["open"]["state"] == "ok" and got["closed"]["state"] == "refused", got
assert got["dropped"]["state"] == "unknown" and got["dropped"]["measured"] is False, got["dropped"]
PY
# A lost SYN the kernel gives up on before the probe's deadline is sent again by the engine
# on a new socket: what it does on Windows, where the OS layer turns the kernel's SYN
# retransmissions off so that a RST is not retried for 2 s. Here the namespace's kernel is
# made to give up early (SYNs at 0 and 1 s, then it gives up at 3 s: one retransmission,
# and no linear timeouts where the kernel has them) and a quota rule drops exactly the
# first two SYNs towards 18084 (60 bytes each): without the engine's own retry that port
# reads filtered; with it, ok from the third SYN.
ip netns exec "$ns" sysctl -q -w net.ipv4.tcp_syn_retries=1
[[ -e /proc/sys/net/ipv4/tcp_syn_linear_timeouts ]] &&
    ip netns exec "$ns" sysctl -q -w net.ipv4.tcp_syn_linear_timeouts=0
ip netns exec "$ns" nft add rule ip dctest input tcp dport 18084 'tcp flags & (syn | ack) == syn' \
    quota until 150 bytes drop
pids+=("$(ip netns exec "$ns" python3 "$lib/listen_and_close.py" 127.0.0.1 18084 30)")
cat > "$work/retry.yaml" <<'YAML'
name: netns-retry
base: none
checks:
  - {name: lost-syns, probe: tcp, port: 18084, from: [any], to: [any]}
YAML
ip netns exec "$ns" timeout 30 "$dmsconn" check --from-here --all-targets --as tester \
    --profile "$work/retry.yaml" --node local=127.0.0.1 --timeout 6 --json "$work/retry.json" \
    --quiet
if python3 - "$work/retry.json" <<'PY'; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
import json, sys
r = json.load(open(sys.argv[1]))["results"]
assert len(r) == 1 and r[0]["state"] == "ok", f"FAIL: the retried SYN: {r}"
PY
dropped=$(ip netns exec "$ns" nft list ruleset | grep -o 'quota 150 bytes used [0-9]* bytes')
if [[ $dropped == *"used 150 bytes" ]]; then # two dropped, then the third went past
    passed=$((passed + 1))
else
    failed=$((failed + 1)); echo "FAIL: the quota rule should have dropped two SYNs and let a third pass: $dropped"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
