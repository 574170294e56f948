#!/usr/bin/env bash
# Prints the instruction count of a fixed 1,000-probe run (50 loopback addresses x 20 closed
# ports, each answered by a RST), counted by valgrind's callgrind: the same binary, inputs and
# environment give the same count whatever else the machine does, so a CPU regression shows
# without timing noise. Also the top functions by instructions.
# Usage: bench/callgrind.sh [DMSCONN]
set -euo pipefail
dmsconn=$(realpath "${1:-build/dmsconn}")
command -v valgrind > /dev/null || { echo "bench/callgrind.sh: needs valgrind"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
    echo "cluster: callgrind"; echo "nodes:"
    for i in $(seq 50); do echo "  - {name: h$i, address: 127.0.3.$i, roles: [dma]}"; done
} > "$work/inventory.yaml"
{
    echo "base: none"; echo "checks:"
    for p in $(seq 22001 22020); do echo "  - {probe: tcp, port: $p, from: [any], to: [any]}"; done
} > "$work/profile.yaml"
valgrind --tool=callgrind --callgrind-out-file="$work/out" "$dmsconn" check --from-here \
    --all-targets --as bench --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
    --timeout 2 --json "$work/r.json" --quiet > /dev/null 2> "$work/log" || true
total=$(grep -m1 "^summary:" "$work/out" | awk '{print $2}')
probes=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' "$work/r.json")
echo "callgrind: $probes probes, $total instructions in all, $((total / probes)) per probe"
callgrind_annotate "$work/out" 2>/dev/null | grep -E "^ *[0-9,]+ .*[a-z_]+" | head -${DC_CALLGRIND_TOP:-8}
