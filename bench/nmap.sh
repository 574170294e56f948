#!/usr/bin/env bash
# Prints figures (never pass/fail): dmsconn's TCP probe against nmap's connect scan
# (nmap -sT -Pn -n) on the same targets, alternating, several rounds; medians, the ratio,
# and whether both gave every port the same state. The whole dmsconn process is timed (start-up,
# reading the inventory, planning, probing, writing the JSON).
#  set 1: 250 loopback addresses (127.0.2.1-250) x 20 ports, 5 of them open;
#  set 2: the same in a network namespace with 5 ms of delay each way and 3 ports dropped by
#         nftables, where waiting, not syscalls, dominates (root). The delay is netem's where
#         the kernel has sch_netem, else bench/delay_queue.c holding every packet 5 ms in an
#         NFQUEUE (libnetfilter-queue-dev).
# Usage: bench/nmap.sh [DMSCONN] [ROUNDS]
set -euo pipefail
dmsconn=$(realpath "${1:-build/dmsconn}")
rounds=${2:-5}
command -v nmap > /dev/null || { echo "bench/nmap.sh: needs nmap (apt-get install nmap)"; exit 1; }
work=$(mktemp -d)
ns=dcnmap-$$
trap 'ip netns del "$ns" 2>/dev/null; kill $(cat "$work"/pids 2>/dev/null) 2>/dev/null; rm -rf "$work"' EXIT
ports=$(seq 21001 21020 | paste -sd,)
open_ports="21001 21005 21009 21013 21017"
dropped_ports="21003 21007 21011"
{
    echo "cluster: nmap-bench"; echo "nodes:"
    for i in $(seq 250); do echo "  - {name: h$i, address: 127.0.2.$i, roles: [dma]}"; done
} > "$work/inventory.yaml"
{
    echo "base: none"; echo "checks:"
    for p in $(seq 21001 21020); do echo "  - {probe: tcp, port: $p, from: [any], to: [any]}"; done
} > "$work/profile.yaml"
cat > "$work/listen.py" <<'PY'
import socket, sys, threading, time
def serve(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(65535)
    while True:
        c, _ = s.accept(); c.close()
for p in sys.argv[1:]:
    threading.Thread(target=serve, args=(int(p),), daemon=True).start()
print("ready", flush=True)
time.sleep(3600)
PY
run_set() { # run_set LABEL PREFIX...   (PREFIX: the command prefix, e.g. ip netns exec NS)
    local label=$1; shift
    "$@" python3 "$work/listen.py" $open_ports > "$work/ready.$label" &
    echo $! >> "$work/pids"
    for _ in $(seq 50); do [[ -s $work/ready.$label ]] && break; sleep 0.1; done
    "$@" python3 - "$dmsconn" "$work" "$ports" "$rounds" "$label" <<'PY'
import json, statistics, subprocess, sys, time, xml.etree.ElementTree as ET
dmsconn, work, ports, rounds, label = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
def run_dmsconn():
    t = time.monotonic()
    subprocess.run([dmsconn, "check", "--from-here", "--all-targets", "--as", "bench",
                    "--inventory", f"{work}/inventory.yaml", "--profile", f"{work}/profile.yaml",
                    "--timeout", "1", "--concurrency", "5000", "--json", f"{work}/d.json", "--quiet"])
    wall = time.monotonic() - t
    r = json.load(open(f"{work}/d.json"))["results"]
    names = {"ok": "open", "refused": "closed", "filtered": "filtered"}
    return wall, {(x["address"], x["port"]): names.get(x["state"], x["state"]) for x in r}, len(r)
def run_nmap():
    t = time.monotonic()
    subprocess.run(["nmap", "-sT", "-Pn", "-n", "-p", ports, "127.0.2.1-250", "-oX",
                    f"{work}/n.xml"], stdout=subprocess.DEVNULL)
    wall = time.monotonic() - t
    states = {}
    for host in ET.parse(f"{work}/n.xml").getroot().iter("host"):
        addr = host.find("address").get("addr")
        for p in host.iter("port"):
            states[(addr, int(p.get("portid")))] = p.find("state").get("state")
    return wall, states
d_walls, n_walls, same = [], [], True
for _ in range(rounds):
    w, d_states, n = run_dmsconn(); d_walls.append(w)
    w, n_states = run_nmap(); n_walls.append(w)
    same = same and d_states == n_states
dm, nm = statistics.median(d_walls), statistics.median(n_walls)
count = {s: sum(v == s for v in d_states.values()) for s in ("open", "closed", "filtered")}
print(f"  {label}: {n} probes ({count['open']} open, {count['closed']} closed, "
      f"{count['filtered']} filtered); dmsconn median {dm:.3f} s, nmap -sT median {nm:.3f} s, "
      f"dmsconn/nmap {dm / nm:.2f}; same state for every port: {'yes' if same else 'NO'}")
PY
}
echo "nmap.sh: $rounds rounds each, $(nproc) cores, $(uname -r), $(nmap --version | head -1)"
run_set loopback env
if [[ $(id -u) -eq 0 ]]; then
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # 1,000 SYNs at once towards each open port: with a delay they queue, and the default
    # SYN backlog would drop some (then both tools see "filtered" where a port is open)
    ip netns exec "$ns" sysctl -qw net.ipv4.tcp_max_syn_backlog=65536 net.core.somaxconn=65535
    delay="5 ms netem"
    if ! ip netns exec "$ns" tc qdisc add dev lo root netem delay 5ms 2>/dev/null; then
        # no sch_netem in this kernel: the same delay from user space, through NFQUEUE. Not
        # for RSTs: the kernel sends those from no socket of its own, and this kernel's
        # NFQUEUE drops them instead of queueing (IpOutDiscards), so a closed port would look
        # filtered; they pass at once (a closed port answers after 5 ms, not 10).
        delay="no"
        # built beside dmsconn when libnetfilter-queue-dev is installed (scripts/test-packages)
        delayer=$(dirname "$dmsconn")/delay_queue
        if [[ -x $delayer ]] && ip netns exec "$ns" iptables -t mangle -A OUTPUT -p tcp \
            ! --tcp-flags RST RST -j NFQUEUE --queue-num 7 2>/dev/null; then
            ip netns exec "$ns" "$delayer" 7 5 > "$work/delay.ready" &
            echo $! >> "$work/pids"
            for _ in $(seq 50); do [[ -s $work/delay.ready ]] && break; sleep 0.1; done
            [[ -s $work/delay.ready ]] && delay="5 ms NFQUEUE"
        fi
    fi
    rule=$(echo "$dropped_ports" | tr ' ' ',')
    ip netns exec "$ns" nft add table ip bench
    ip netns exec "$ns" nft "add chain ip bench input { type filter hook input priority 0; }"
    ip netns exec "$ns" nft add rule ip bench input tcp dport "{ $rule }" drop
    run_set "netns, $delay delay, 3 ports dropped" ip netns exec "$ns"
fi
