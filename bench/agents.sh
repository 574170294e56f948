#!/usr/bin/env bash
# Prints figures (never pass/fail): the full matrix of a simulated cluster of N DMAs on
# loopback addresses, one real agent per node, with the built-in dataminer profile, inside a
# network namespace of its own where an nftables rule drops NATS Account Server traffic
# (9090), so every run must wait for one probe timeout. Reports the coordinator's wall time
# against that timeout, its peak RSS and one agent's, and the CPU time of the coordinator and
# of all agents together; then one agent given 10,000 tasks. The built-in profile's ICMP echo
# goes through ping sockets (net.ipv4.ping_group_range opened to every group, as systemd's
# default sysctl does where a distribution ships it); DC_BENCH_ICMP=raw leaves the kernel's
# default, Debian 12's (no ping sockets: raw ones, each handed every ICMP message of the
# namespace, where the N agents all live, unlike a real cluster). Needs root.
# Usage: [DC_BENCH_TIMEOUT=S] [DC_BENCH_ICMP=raw] bench/agents.sh [DMSCONN] [SIZES...]
#        (default sizes: 10 50)
set -euo pipefail
dmsconn=$(realpath "${1:-build/dmsconn}")
shift || true
sizes=("${@:-10}")
[[ $# -gt 0 ]] || sizes=(10 50)
ns=dcagents-$$
work=$(mktemp -d)
cleanup() {
    ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
    sleep 0.2
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
[[ ${DC_BENCH_ICMP:-ping} == raw ]] ||
    ip netns exec "$ns" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
ip netns exec "$ns" nft -f - <<'NFT'
table ip bench {
    chain input {
        type filter hook input priority 0;
        tcp dport 9090 drop
    }
}
NFT
umask 077
head -c 24 /dev/urandom | base64 > "$work/token"
timeout_s=${DC_BENCH_TIMEOUT:-2} # probe timeout; 200 simulated agents on 2 cores need more
echo "agents: full matrix, dataminer profile, timeout ${timeout_s} s, 9090 dropped;" \
     "$(nproc) cores, $(uname -r)"
printf '  %5s %7s %10s %12s %14s %14s %12s %12s\n' nodes tasks "wall (s)" "wall/timeout" \
    "coord RSS MiB" "agent RSS MiB" "coord CPU s" "agents CPU s"
for n in "${sizes[@]}"; do
    {
        echo "cluster: bench-$n"; echo "nodes:"
        for i in $(seq "$n"); do
            echo "  - {name: dma$i, address: 127.0.3.$i, roles: [dma], agent: \"127.0.3.$i:7488\"}"
        done
    } > "$work/inv.yaml"
    pids=()
    for i in $(seq 2 "$n"); do
        ip netns exec "$ns" "$dmsconn" agent --inventory "$work/inv.yaml" --token-file "$work/token" \
            --listen "127.0.3.$i:7488" --bind-source 2>/dev/null &
        pids+=($!)
    done
    for _ in $(seq 100); do # bounded: 10 s for every agent to listen
        up=$(ip netns exec "$ns" ss -Hltn 'sport = :7488' | wc -l)
        [[ $up -ge $((n - 1)) ]] && break
        sleep 0.1
    done
    out=$(ip netns exec "$ns" /usr/bin/time -f "%e %M %U %S" "$dmsconn" check --inventory "$work/inv.yaml" \
        --token-file "$work/token" --as dma1 --timeout "$timeout_s" --json "$work/r.json" \
        --quiet 2>&1 >/dev/null | tail -1 || true)
    read -r wall rss cuser csys <<<"$out"
    agent_rss=$(awk '/VmHWM/ {print $2}' "/proc/${pids[0]}/status")
    # every agent's CPU time (user + system, clock ticks) for the run: what the machine had to do
    agent_cpu=$(for p in "${pids[@]}"; do awk '{print $14 + $15}' "/proc/$p/stat"; done |
        awk -v hz="$(getconf CLK_TCK)" '{s += $1} END {printf "%.2f", s / hz}')
    tasks=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(len(r["results"]))' "$work/r.json")
    unknown=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(x["state"]=="unknown" for x in r["results"]))' "$work/r.json")
    why=$(python3 -c 'import json,sys,collections; r=json.load(open(sys.argv[1])); print(collections.Counter(x["detail"][:70] for x in r["results"] if x["state"]=="unknown").most_common(2))' "$work/r.json")
    printf '  %5d %7d %10.2f %12.2f %14.1f %14.1f %12.2f %12.2f%s\n' "$n" "$tasks" "$wall" \
        "$(echo "$wall / $timeout_s" | bc -l)" "$(echo "$rss / 1024" | bc -l)" \
        "$(echo "$agent_rss / 1024" | bc -l)" "$(echo "$cuser + $csys" | bc -l)" "$agent_cpu" "$([[ $unknown -gt 0 ]] && echo "  ($unknown unknown: $why)")"
    kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null || true
done

# One agent, 10,000 tasks: its row towards 1,250 nodes (127.0.4.1 onwards; nothing listens
# there, 9090 is dropped), asked by a coordinator that runs nothing itself (--from).
{
    echo "cluster: bench-one-agent"; echo "nodes:"
    echo "  - {name: dma1, address: 127.0.3.1, roles: [dma], agent: \"127.0.3.1:7488\"}"
    echo "  - {name: dma2, address: 127.0.3.2, roles: [dma], agent: \"127.0.3.2:7488\"}"
    for i in $(seq 0 1249); do
        echo "  - {name: t$i, address: 127.0.$((4 + i / 250)).$((1 + i % 250)), roles: [dma]}"
    done
} > "$work/one.yaml"
ip netns exec "$ns" "$dmsconn" agent --inventory "$work/one.yaml" --token-file "$work/token" \
    --listen 127.0.3.2:7488 --bind-source 2>/dev/null &
agent=$!
for _ in $(seq 100); do
    ip netns exec "$ns" ss -Hltn 'sport = :7488' | grep -q . && break
    sleep 0.1
done
out=$(ip netns exec "$ns" /usr/bin/time -f "%e %M" "$dmsconn" check --inventory "$work/one.yaml" \
    --token-file "$work/token" --as dma1 --from dma2 --timeout "$timeout_s" \
    --json "$work/r.json" --quiet 2>&1 >/dev/null | tail -1 || true)
read -r wall rss <<<"$out"
agent_rss=$(awk '/VmHWM/ {print $2}' "/proc/$agent/status")
tasks=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(len(r["results"]))' "$work/r.json")
printf '  one agent: %d tasks in %.2f s; agent peak RSS %.1f MiB, coordinator %.1f MiB\n' \
    "$tasks" "$wall" "$(echo "$agent_rss / 1024" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
kill "$agent" 2>/dev/null; wait "$agent" 2>/dev/null || true
