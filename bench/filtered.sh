#!/usr/bin/env bash
# Prints figures (never pass/fail): N probes towards ports an nftables rule drops, with a
# 1 s timeout, in a network namespace of its own. All probes share one loop, so the wall
# time should be about one timeout, not N of them. Needs root.
# Usage: bench/filtered.sh [DMSCONN] [NODES] [PORTS] [ROUNDS]
set -euo pipefail
dmsconn=${1:-build/dmsconn}
nodes=${2:-50} ports=${3:-20} rounds=${4:-5}
dmsconn=$(realpath "$dmsconn")
ns=dcbench-$$
work=$(mktemp -d)
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$work"' EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
last=$((20000 + ports - 1))
ip netns exec "$ns" nft -f - <<NFT
table ip bench {
    chain input {
        type filter hook input priority 0;
        tcp dport 20000-$last drop
    }
}
NFT

{
    echo "cluster: bench"; echo "nodes:"
    for i in $(seq "$nodes"); do
        echo "  - {name: n$i, address: 127.0.10.$i, roles: [dma]}"
    done
} > "$work/inventory.yaml"
{
    echo "base: none"; echo "checks:"
    for p in $(seq 20000 "$last"); do
        echo "  - {probe: tcp, port: $p, from: [any], to: [any]}"
    done
} > "$work/profile.yaml"

echo "filtered: $((nodes * ports)) probes ($nodes nodes x $ports dropped ports), timeout 1 s," \
     "$rounds rounds, $(nproc) cores, $(uname -r)"
ip netns exec "$ns" python3 - "$dmsconn" "$work" "$rounds" "${DMSCONN_ARGS:-}" <<'PY'
# Peak RSS comes from GNU time (%M): a child's ru_maxrss seen from Python would include the
# Python image the child was forked from.
import json, statistics, subprocess, sys
dmsconn, work, rounds, extra = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split()
walls, peaks = [], []
for _ in range(rounds):
    p = subprocess.run(["/usr/bin/time", "-f", "%e %M", dmsconn, "check", "--from-here",
                        "--all-targets", "--as", "bench", "--inventory", f"{work}/inventory.yaml",
                        "--profile", f"{work}/profile.yaml", "--timeout", "1", "--json",
                        f"{work}/r.json", "--quiet", *extra], stderr=subprocess.PIPE, text=True)
    wall, peak = p.stderr.strip().splitlines()[-1].split()
    walls.append(float(wall))
    peaks.append(int(peak))
    r = json.load(open(f"{work}/r.json"))
    states = {x["state"] for x in r["results"]}
    assert p.returncode == 2 and states == {"filtered"}, (p.returncode, states)
print(f"  results: {len(r['results'])}, all filtered; extra flags: {' '.join(extra) or 'none'}")
print(f"  wall time (whole process): median {statistics.median(walls):.2f} s, "
      f"min {min(walls):.2f} s, max {max(walls):.2f} s")
print(f"  peak RSS: {max(peaks) / 1024:.1f} MiB")
PY
