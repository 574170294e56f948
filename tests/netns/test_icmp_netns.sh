#!/usr/bin/env bash
# ICMP echo in a network namespace this test makes (root): 127.0.9.1 answers; .2 drops the
# echo requests (nftables: filtered, a warning, no reply received); .3 rejects them with an
# ICMP host-unreachable (unreachable); .4's replies are held 60 ms by the project's NFQUEUE
# delayer (bench/delay_queue.c: over the 50 ms of DataMiner's BPA, a warning) — each with
# the JSON's icmp block, the BPA's two sentences and Prometheus' loss; merged; through an agent;
# then without raw sockets (nobody): a ping socket where net.ipv4.ping_group_range allows it,
# and where it does not, unknown with the remedy naming both ways. Usage: test_icmp_netns.sh
# DMSCONN DATA
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/tally.sh"
dmsconn=$(realpath "$1")
lib=$(cd "$(dirname "$0")/../lib" && pwd)
if [[ $(id -u) -ne 0 ]]; then
    echo "SKIPPED (loudly): network namespaces need root; run the tests as root"
    exit 77
fi
ns=dcicmp-$$
work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
    wait 2> /dev/null
    ip netns del "$ns" 2> /dev/null
    rm -rf "$work"
}
trap cleanup EXIT
if ! ip netns add "$ns" 2> "$work/err"; then
    echo "SKIPPED (loudly): the kernel refuses network namespaces: $(cat "$work/err")"
    exit 77
fi
ip -n "$ns" link set lo up
ip netns exec "$ns" nft -f - << 'NFT'
table ip dctest {
    chain input {
        type filter hook input priority 0; policy accept;
        ip daddr 127.0.9.2 icmp type echo-request drop
        ip daddr 127.0.9.3 icmp type echo-request reject with icmp type host-unreachable
    }
}
NFT
delayer=$(dirname "$dmsconn")/delay_queue
delayed=no
if [[ -x $delayer ]] && ip netns exec "$ns" iptables -t mangle -A OUTPUT -p icmp \
    --icmp-type echo-reply -s 127.0.9.4 -j NFQUEUE --queue-num 9 2> /dev/null; then
    ip netns exec "$ns" "$delayer" 9 60 > "$work/delay.ready" &
    pids+=($!)
    for _ in $(seq 50); do # bounded: 5 s
        [[ -s $work/delay.ready ]] && break
        sleep 0.1
    done
    [[ -s $work/delay.ready ]] && delayed=yes
fi
cat > "$work/profile.yaml" << 'YAML'
name: icmp-test
base: none
checks:
  - {probe: icmp, from: [any], to: [any], expect: advisory}
YAML
chmod 644 "$work/profile.yaml"
nodes=(--node here=127.0.9.9 --node up=127.0.9.1 --node dropped=127.0.9.2
    --node rejected=127.0.9.3 --node slow=127.0.9.4)

ip netns exec "$ns" timeout 30 "$dmsconn" check --from-here --as here "${nodes[@]}" \
    --profile "$work/profile.yaml" --timeout 2 --json "$work/run.json" --prom "$work/run.prom" \
    --no-color > "$work/run.txt"
rc=$?
cat "$work/run.txt"
[[ $rc -eq 1 ]] && ok || ko "ICMP failures warn, never fail: exit 1, got $rc"
python3 - "$work/run.json" "$delayed" << 'PY' && ok || ko "the ICMP results"
import json, sys
r = json.load(open(sys.argv[1]))
got = {x["to"]: x for x in r["results"]}
up, dropped, rejected = got["up"], got["dropped"], got["rejected"]
assert up["state"] == "ok" and up["verdict"] == "pass" and up["probe"] == "icmp", up
assert up["icmp"]["sent"] == 3 and up["icmp"]["received"] == 3 and up["icmp"]["loss_pct"] == 0
assert up["latency_ms"] == up["icmp"]["rtt_avg_ms"] and up["icmp"]["rtt_min_ms"] > 0, up
assert dropped["state"] == "filtered" and dropped["verdict"] == "warn", dropped
assert dropped["icmp"] == {"sent": 3, "received": 0, "loss_pct": 100, "rtt_min_ms": None,
                           "rtt_avg_ms": None, "rtt_max_ms": None}, dropped["icmp"]
assert "ICMP ping to these Agents failed" in dropped["remedy"], dropped["remedy"]
assert rejected["state"] == "unreachable" and rejected["verdict"] == "warn", rejected
assert "type 3 code 1" in rejected["detail"], rejected["detail"]
if sys.argv[2] == "yes":
    slow = got["slow"]
    assert slow["state"] == "ok" and slow["verdict"] == "warn", slow
    assert slow["icmp"]["rtt_min_ms"] >= 60, slow["icmp"]
    assert "bigger than 50 ms" in slow["remedy"], slow["remedy"]
assert r["verdict"] == "warning", r["verdict"]
PY
grep -q "^  here: ICMP ping to these Agents failed: dropped, rejected$" "$work/run.txt" && ok ||
    ko "the BPA's sentence for the pings that failed"
if [[ $delayed == yes ]]; then
    grep -q "^  here: ICMP ping round-trip time was bigger than 50 ms: slow$" "$work/run.txt" &&
        ok || ko "the BPA's sentence for the slow ping"
else
    echo "SKIPPED (loudly): no NFQUEUE delayer (build delay_queue: scripts/test-packages)"
fi
promtool check metrics < "$work/run.prom" > /dev/null 2>&1 &&
    grep -q '^dmsconn_icmp_loss_ratio{from="here",to="dropped",check="icmp",port="0"} 1.000$' \
        "$work/run.prom" && ok || ko "Prometheus: the loss of each pair"

# merged (the nightly way without agents): the ICMP cells (port 0) are found again, none lost
"$dmsconn" merge "${nodes[@]}" --profile "$work/profile.yaml" --max-age 1 "$work/run.json" \
    --json "$work/merged.json" --quiet
python3 - "$work/run.json" "$work/merged.json" << 'PY' && ok || ko "ICMP results through merge"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
key = lambda x: (x["from"], x["to"], x["check"], x["port"])
sa, sb = ({key(x): x["state"] for x in d["results"] if x["from"] == "here"} for d in (a, b))
assert sa == sb, (sa, sb, b["notes"])
assert not any("match no cell" in n for n in b["notes"]), b["notes"]
PY

# through an agent: node a1's row, pinging from its own address
echo "icmp-agent-test-token-0123456789" > "$work/token"
chmod 600 "$work/token"
ip netns exec "$ns" "$dmsconn" agent --token-file "$work/token" --as a1 --node a1=127.0.9.5 \
    "${nodes[@]}" --profile "$work/profile.yaml" --listen 127.0.9.5:7490 --bind-source \
    2> "$work/agent.log" &
pids+=($!)
ip netns exec "$ns" python3 "$lib/wait_up.py" "http://127.0.9.5:7490/v1/health" || ko "agent up"
ip netns exec "$ns" timeout 30 "$dmsconn" check --as here --node a1=127.0.9.5 "${nodes[@]}" \
    --token-file "$work/token" --agent-port 7490 --from a1 --to up,dropped \
    --profile "$work/profile.yaml" --timeout 2 --json "$work/agent.json" --quiet
python3 - "$work/agent.json" << 'PY' && ok || ko "ICMP through an agent"
import json, sys
got = {x["to"]: x for x in json.load(open(sys.argv[1]))["results"] if x["from"] == "a1"}
assert got["up"]["state"] == "ok" and got["up"]["icmp"]["received"] == 3, got["up"]
assert got["dropped"]["state"] == "filtered", got["dropped"]
PY

# without raw sockets: nobody, first with ping sockets allowed in this namespace, then not
ip netns exec "$ns" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
ip netns exec "$ns" runuser -u nobody -- timeout 30 "$dmsconn" check --from-here --as here \
    --node here=127.0.9.9 --node up=127.0.9.1 --node dropped=127.0.9.2 \
    --profile "$work/profile.yaml" --timeout 2 --format json --quiet > "$work/ping.json"
python3 - "$work/ping.json" << 'PY' && ok || ko "a ping socket, no raw one"
import json, sys
got = {x["to"]: x for x in json.load(open(sys.argv[1]))["results"]}
assert got["up"]["state"] == "ok" and got["up"]["icmp"]["received"] == 3, got["up"]
assert got["dropped"]["state"] == "filtered", got["dropped"]
PY
ip netns exec "$ns" sysctl -qw net.ipv4.ping_group_range="1 0"
ip netns exec "$ns" runuser -u nobody -- timeout 30 "$dmsconn" check --from-here --as here \
    --node here=127.0.9.9 --node up=127.0.9.1 --profile "$work/profile.yaml" --timeout 2 \
    --format json --quiet > "$work/none.json"
rc=$?
python3 - "$work/none.json" "$rc" << 'PY' && ok || ko "no ICMP socket at all"
import json, sys
r = json.load(open(sys.argv[1]))
x = r["results"][0]
assert x["state"] == "unknown" and x["verdict"] == "warn", x
assert "ping_group_range" in x["remedy"] and "cap_net_raw" in x["remedy"], x["remedy"]
# an advisory check that cannot run here warns in its cell, with the remedy, but the run's
# verdict is what was measured: a healthy cluster checked from such a host is no warning
assert r["verdict"] == "ok" and sys.argv[2] == "0", (r["verdict"], sys.argv[2])
PY
ip netns exec "$ns" runuser -u nobody -- timeout 30 "$dmsconn" check --from-here --as here \
    --node here=127.0.9.9 --node up=127.0.9.1 --profile "$work/profile.yaml" --timeout 2 \
    --no-color > "$work/none.txt"
grep -q "^verdict: ok (0 pass, 1 warn, 0 fail; 1 advisory check (ICMP echo) not measured, not in the verdict)" \
    "$work/none.txt" && ok || { cat "$work/none.txt"; ko "no ICMP socket: the terminal says why the run is ok"; }
tally
