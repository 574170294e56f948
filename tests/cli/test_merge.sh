#!/usr/bin/env bash
# dmsconn merge end to end on loopback addresses (no root): three nodes each write the
# report of their own row (check --from-here --json), the merge gives the same matrix as the
# agents give, cell by cell; a missing, stale, foreign, duplicate or broken report each gets
# its message and exit code. Usage: test_merge.sh DMSCONN DATA
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/tally.sh"
dmsconn=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
    wait 2> /dev/null
    rm -rf "$work"
}
trap cleanup EXIT
base=$(python3 "$here/../lib/free_base.py" 20 127.0.2.21 127.0.2.22 127.0.2.23)
a=$((base + 11)) b=$((base + 12))
umask 077
echo "merge-test-token-0123456789" > "$work/token"
cat > "$work/inventory.yaml" << YAML
cluster: merge-test
nodes:
  - {name: n1, address: 127.0.2.21, roles: [dma], agent: "127.0.2.21:$((base + 1))"}
  - {name: n2, address: 127.0.2.22, roles: [dma], agent: "127.0.2.22:$((base + 2))"}
  - {name: n3, address: 127.0.2.23, roles: [dma], agent: "127.0.2.23:$((base + 3))"}
YAML
cat > "$work/profile.yaml" << YAML
name: merge-test
base: none
checks:
  - {name: svc-a, probe: tcp, port: $a, from: [any], to: [any]}
  - {name: svc-b, probe: tcp, port: $b, from: [any], to: [any]}
YAML
# svc-a on every node, svc-b on n2 only; listeners end by themselves after 120 s
timeout 120 python3 - "127.0.2.21:$a" "127.0.2.22:$a" "127.0.2.23:$a" "127.0.2.22:$b" << 'PY' &
import selectors, socket, sys
sel = selectors.DefaultSelector()
for spec in sys.argv[1:]:
    host, port = spec.rsplit(":", 1)
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, int(port))); s.listen(128); sel.register(s, selectors.EVENT_READ)
while True:
    for key, _ in sel.select():
        key.fileobj.accept()[0].close()
PY
pids+=($!)
for i in 1 2 3; do
    "$dmsconn" agent --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
        --token-file "$work/token" --listen "127.0.2.2$i:$((base + i))" --bind-source \
        2> "$work/agent$i.log" &
    pids+=($!)
done
python3 "$here/../lib/wait_up.py" "http://127.0.2.21:$((base + 1))/v1/health" \
    "http://127.0.2.22:$((base + 2))/v1/health" "http://127.0.2.23:$((base + 3))/v1/health" \
    127.0.2.22:$b || exit 1

nodes=(--inventory "$work/inventory.yaml" --profile "$work/profile.yaml")
merge() { timeout 30 "$dmsconn" merge "${nodes[@]}" --no-color "$@"; }

# the matrix through the agents, and each node's own row
timeout 30 "$dmsconn" check "${nodes[@]}" --token-file "$work/token" --as n1 --timeout 1 \
    --json "$work/agents.json" --quiet
for i in 1 2 3; do
    timeout 30 "$dmsconn" check "${nodes[@]}" --from-here --as "n$i" --timeout 1 \
        --json "$work/n$i.json" --quiet
done

merge "$work/n1.json" "$work/n2.json" "$work/n3.json" --json "$work/merged.json" \
    --html "$work/m.html" --csv "$work/m.csv" --junit "$work/m.xml" --prom "$work/m.prom" \
    > "$work/merged.txt"
rc=$?
[[ $rc -eq 2 ]] && ok || ko "merge of three reports: exit $rc, expected 2 (svc-b is closed on n1, n3)"
[[ -s $work/m.html && -s $work/m.csv && -s $work/m.xml && -s $work/m.prom ]] && ok ||
    ko "merge: every output written"
python3 - "$work/agents.json" "$work/merged.json" << 'PY' && ok || ko "merged matrix = the agents' matrix"
import json, sys
agents, merged = (json.load(open(f)) for f in sys.argv[1:])
key = lambda x: (x["from"], x["to"], x["check"], x["port"])
want = {key(x): x["state"] for x in agents["results"]}
got = {key(x): x["state"] for x in merged["results"]}
assert len(want) == 12 and want == got, (want, got)
assert want[("n1", "n2", "svc-b", want and next(k[3] for k in want if k[2] == "svc-b"))] == "ok"
rows = {r["from"]: r for r in merged["rows"]}
assert sorted(rows) == ["n1", "n2", "n3"] and all(r["report"].endswith(f"{n}.json") and
    r["started"] and not r["stale"] for n, r in rows.items()), merged["rows"]
assert merged["counts"]["unmeasured"] == 0, merged["counts"]
PY

# a row without a report: its cells unknown, said once (exit 2: the failures measured
# elsewhere outrank unknown, as in check)
merge "$work/n1.json" "$work/n2.json" --json "$work/missing.json" > "$work/missing.txt"
rc=$?
[[ $rc -eq 2 ]] && ok || ko "missing report: exit $rc, expected 2"
python3 - "$work/missing.json" << 'PY' && ok || ko "missing report: n3's cells"
import json, sys
r = json.load(open(sys.argv[1]))
n3 = [x for x in r["results"] if x["from"] == "n3"]
assert len(n3) == 4 and all(x["state"] == "unknown" and x["detail"] == "no report from n3" and
    "run 'dmsconn check --from-here --json FILE' on n3" in x["remedy"] for x in n3), n3
assert r["counts"]["unmeasured"] == 4, r["counts"]
assert {x["from"]: x["report"] for x in r["rows"]}["n3"] is None, r["rows"]
PY
grep -q "no report from n3" "$work/missing.txt" && ok || { ko "missing report: said"; cat "$work/missing.txt"; }

# only n2's row against the profile without svc-b: nothing fails, the missing rows make the
# run unknown (exit 3), and svc-b's results are named as matching no cell
head -n 4 "$work/profile.yaml" > "$work/profile-a.yaml"
timeout 30 "$dmsconn" merge --inventory "$work/inventory.yaml" --profile "$work/profile-a.yaml" \
    "$work/n2.json" --json "$work/only.json" --quiet
rc=$?
[[ $rc -eq 3 ]] && ok || ko "rows missing, nothing failing: exit $rc, expected 3"
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert any("2 results match no cell of this plan" in n for n in r["notes"]), r["notes"]
assert r["verdict"] == "unknown" and r["counts"]["unmeasured"] == 4, r["counts"]
' "$work/only.json" && ok || ko "unmatched results noted"
# a stale report: older than --max-age (made two days ago), its cells unknown with what it said
python3 - "$work/n2.json" "$work/n2-old.json" << 'PY'
import json, sys, time
r = json.load(open(sys.argv[1]))
r["started"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 48 * 3600))
json.dump(r, open(sys.argv[2], "w"))
PY
merge "$work/n1.json" "$work/n2-old.json" "$work/n3.json" --json "$work/stale.json" > "$work/stale.txt"
rc=$?
[[ $rc -eq 2 ]] && ok || ko "stale report: exit $rc, expected 2"
python3 - "$work/stale.json" << 'PY' && ok || ko "stale report: n2's cells and note"
import json, sys
r = json.load(open(sys.argv[1]))
n2 = [x for x in r["results"] if x["from"] == "n2"]
assert len(n2) == 4 and all(x["state"] == "unknown" and x["detail"] == "the report of n2 is 48.0 h old"
    for x in n2), n2
said = sorted(x["evidence"].split(",")[0] for x in n2)
assert said == ["it said then: ok"] * 2 + ["it said then: refused"] * 2, said
assert any("is 48.0 h old" in n and "--max-age 26 h" in n for n in r["notes"]), r["notes"]
assert {x["from"]: x["stale"] for x in r["rows"]} == {"n1": False, "n2": True, "n3": False}
PY
merge "$work/n1.json" "$work/n2-old.json" "$work/n3.json" --max-age 72 --json "$work/fresh.json" \
    --quiet
rc=$?
[[ $rc -eq 2 ]] && ok || ko "--max-age 72: the same report counts, exit $rc"

# refused: another cluster, another profile, two reports of one row, no report at all
python3 - "$work/n1.json" "$work" << 'PY'
import json, sys
r = json.load(open(sys.argv[1]))
json.dump(dict(r, cluster="other-dms"), open(sys.argv[2] + "/foreign.json", "w"))
json.dump(dict(r, profile="other-profile"), open(sys.argv[2] + "/profile.json", "w"))
PY
echo '{"not": "a report"}' > "$work/garbage.json"
refused() { # refused MESSAGE FILE...
    local want=$1
    shift
    merge "$@" --json "$work/refused.json" > /dev/null 2> "$work/err.txt"
    local rc=$?
    [[ $rc -eq 3 ]] && grep -qF -- "$want" "$work/err.txt" && [[ ! -e $work/refused.json ]] && ok ||
        { ko "refused ($want): exit $rc"; cat "$work/err.txt"; }
}
refused "is a report of cluster 'other-dms'; these nodes are cluster 'merge-test'" \
    "$work/foreign.json" "$work/n2.json"
refused "was made with profile 'other-profile'; this merge uses profile 'merge-test'" \
    "$work/profile.json"
refused "both give the row of n1: give one report per node" "$work/n1.json" "$work/n2.json" \
    "$work/n1.json"
refused "not a dmsconn JSON report" "$work/garbage.json"
refused "expected the reports to merge" 
refused "no-such.json" "$work/no-such.json"
[[ -n ${SHOW:-} ]] && cat "$work/missing.txt" "$work/stale.txt"
# the README's way, from DataMiner's own folder: each DMA's --from-here run also checks its own
# HTTPS name (MaintenanceSettings.xml); the merge keeps that cell, and plans no cell of it for
# the other rows (only the owner's run checks it)
cp -r "$here/../data/dataminer/current-10.6" "$work/dm"
grep -rl "10\.40\." "$work/dm" | xargs sed -i 's/10\.40\./127.41./g'
for dma in 127.41.1.11 127.41.1.12; do
    timeout 30 "$dmsconn" check --from-here --dataminer-dir "$work/dm" --as "$dma" --timeout 0.3 \
        --json "$work/dm-$dma.json" --quiet
done
merge_dm() { timeout 30 "$dmsconn" merge --dataminer-dir "$work/dm" "$@"; }
merge_dm "$work"/dm-127.41.1.1*.json --json "$work/dm.json" --quiet
python3 - "$work/dm.json" << 'PY' && ok || ko "merge of DataMiner rows: the HTTPS-name cells"
import json, sys
r = json.load(open(sys.argv[1]))
https = [(x["from"], x["to"]) for x in r["results"] if x["to"].endswith("/https")]
assert sorted(https) == [("127.41.1.11", "127.41.1.11/https"), ("127.41.1.12", "127.41.1.12/https")], https
assert not any("match no cell" in n for n in r["notes"]), r["notes"]
PY
tally
