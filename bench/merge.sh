#!/usr/bin/env bash
# dmsconn merge on a large matrix: N nodes on loopback addresses (127.0.4.x), a profile of
# C TCP checks towards closed ports; each node's own row made with check --from-here (the
# reports a scheduled task would copy in), then one merge of all of them. Prints the cells,
# the report sizes, and the merge's wall time and peak RSS (GNU time). No root.
# Usage: bench/merge.sh [DMSCONN] [NODES] [CHECKS]
set -euo pipefail
dmsconn=${1:-build/dmsconn}
nodes=${2:-50}
checks=${3:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
    echo "cluster: merge-bench"
    echo "nodes:"
    for i in $(seq "$nodes"); do echo "  - {name: n$i, address: 127.0.4.$i, roles: [dma]}"; done
} > "$work/inventory.yaml"
{
    echo "name: merge-bench"
    echo "base: none"
    echo "checks:"
    for c in $(seq "$checks"); do
        echo "  - {name: c$c, probe: tcp, port: $((1900 + c)), from: [any], to: [any]}"
    done
} > "$work/profile.yaml"
nl=(--inventory "$work/inventory.yaml" --profile "$work/profile.yaml")
for i in $(seq "$nodes"); do
    "$dmsconn" check "${nl[@]}" --from-here --as "n$i" --timeout 1 --json "$work/n$i.json" \
        --quiet || true
done
size=$(du -ch "$work"/n*.json | tail -1 | cut -f1)
for round in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$work/time" "$dmsconn" merge "${nl[@]}" "$work"/n*.json \
        --json "$work/merged.json" --quiet || true
    read -r wall rss < <(tail -n 1 "$work/time")
    echo "round $round: $wall s, peak RSS $((rss / 1024)) MiB"
done
cells=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['results']))" "$work/merged.json")
echo "merge.sh: $nodes nodes x $checks checks: $cells cells from $nodes reports ($size)"
