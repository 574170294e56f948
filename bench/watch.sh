#!/usr/bin/env bash
# Continuous mode's cost (check --every): the row of one DMA of a 50-node cluster (40 DMAs,
# 10 Cassandra nodes on 127.0.6.x, the built-in profile; nothing listens, so every probe is
# answered at once and a round is all dmsconn's own work), with --metrics served and scraped
# every second. Prints the CPU time a round takes (user + system, from /proc), the CPU used
# between rounds, and the RSS after the first rounds and at the end. No root.
# Usage: bench/watch.sh [DMSCONN] [ROUNDS]
set -eu
dmsconn=$(realpath "${1:-build/dmsconn}")
rounds=${2:-200}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2> /dev/null; wait 2> /dev/null; rm -rf "$work"' EXIT
nodes=()
for i in $(seq 1 40); do nodes+=(--node "dma$i=127.0.6.$i:dma"); done
for i in $(seq 1 10); do nodes+=(--node "db$i=127.0.6.$((100 + i)):cassandra"); done
port=$(python3 "$(dirname "$0")/../tests/lib/free_base.py" 1 127.0.6.1)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; } # clock ticks, user + system
hz=$(getconf CLK_TCK)
tasks=$("$dmsconn" plan "${nodes[@]}" --from dma1 --format csv | tail -n +2 | wc -l)

# 1. rounds back to back (--every 0.05): CPU per round
"$dmsconn" check --from-here --as dma1 "${nodes[@]}" --timeout 1 --every 0.05 \
    --metrics "127.0.6.1:$port" --json "$work/r.json" --quiet &
pid=$!
(while sleep 1; do curl -s -o /dev/null "http://127.0.6.1:$port/metrics"; done) &
sleep 2
c0=$(cpu "$pid") t0=$(date +%s.%N) r0=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
n0=$(curl -s "http://127.0.6.1:$port/metrics" | awk '/^dmsconn_watch_rounds_total/{print $2}')
while :; do
    n=$(curl -s "http://127.0.6.1:$port/metrics" | awk '/^dmsconn_watch_rounds_total/{print $2}')
    ((n - n0 >= rounds)) && break
    sleep 0.5
done
c1=$(cpu "$pid") t1=$(date +%s.%N) r1=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
kill -INT "$pid"
wait "$pid" || true
python3 - "$c0" "$c1" "$t0" "$t1" "$n0" "$n" "$hz" "$r0" "$r1" "$tasks" << 'PY'
import sys
c0, c1, t0, t1, n0, n, hz, r0, r1, tasks = map(float, sys.argv[1:])
k = n - n0
print(f"a row of {tasks:.0f} checks (40 DMAs + 10 Cassandra, built-in profile), {k:.0f} rounds "
      f"back to back in {t1 - t0:.1f} s, /metrics scraped every second:")
print(f"  CPU {(c1 - c0) / hz * 1000 / k:.1f} ms a round (user + system); "
      f"RSS {r0:.0f} KiB after {n0:.0f} rounds, {r1:.0f} KiB after {n:.0f}")
PY

# 2. one round every 5 s: the CPU between rounds (the wait, the server idle but scraped)
"$dmsconn" check --from-here --as dma1 "${nodes[@]}" --timeout 1 --every 5 \
    --metrics "127.0.6.1:$port" --quiet &
pid=$!
sleep 1.5 # the first round is over
c0=$(cpu "$pid")
sleep 3 # no round in this window
c1=$(cpu "$pid")
kill -INT "$pid"
wait "$pid" || true
echo "  between rounds: $(((c1 - c0) * 1000 / hz)) ms of CPU in 3 s (scraped every second)"
