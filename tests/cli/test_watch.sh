#!/usr/bin/env bash
# Continuous mode (check --every), on loopback addresses of its own (no root):
#   - a listener that stops and starts again: its cell breaks and heals within two rounds
#     each way, both changes counted, and --history keeps the first round and those two only;
#   - the profile edited to garbage mid-run: the last good one stays and the note says so
#     (terminal and JSON), then mended: the new one is used;
#   - SIGTERM and Ctrl-C (SIGINT) in the middle of a round whose probe waits for its timeout:
#     the run stops at once, the JSON holds that round's results (interrupted);
#   - hundreds of rounds at --every 0.05: the memory stays flat (RSS sampled);
#   - on a terminal (a pseudo-terminal from script(1)) the view is redrawn in place.
# Usage: test_watch.sh DMSCONN
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/tally.sh"
dmsconn=$(realpath "$1")
lib=$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
    wait 2> /dev/null
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1
base=$(python3 "$lib/free_base.py" 4 127.0.5.71 127.0.5.72)
svc=$base silent=$((base + 1))
cat > profile.yaml << YAML
name: watch-test
base: none
checks:
  - {name: svc, probe: tcp, port: $svc, from: [any], to: [any]}
YAML
nodes=(--node me=127.0.5.70 --node t=127.0.5.71 --as me)

# a listener on t that the test stops and starts: `touch up` / `rm up`
python3 "$lib/toggle_listener.py" 127.0.5.71 "$svc" up 120 &
pids+=($!)
touch up
python3 "$lib/wait_up.py" "127.0.5.71:$svc" || exit 1

"$dmsconn" check --from-here "${nodes[@]}" --profile profile.yaml --every 0 > /dev/null 2> err
[[ $? -eq 3 ]] && grep -q "expected seconds, 0.05 or more" err && ok || ko "--every 0 refused"

# rounds of 0.3 s; the listener goes at 1 s and comes back at 2.2 s; the profile is garbage
# from 3.2 s to 4.4 s; SIGTERM at 5 s
"$dmsconn" check --from-here "${nodes[@]}" --profile profile.yaml --timeout 0.2 --every 0.3 \
    --json run.json --history hist > out.txt 2> err.txt &
pid=$!
pids+=($pid)
sleep 1
rm up
sleep 1.2
touch up
sleep 1
cp profile.yaml good.yaml
printf 'name: broken\nchecks: [this is not a check\n' > profile.yaml
sleep 0.8
python3 - run.json << 'PY' && ok || ko "a profile edited to garbage: the last good one kept, said"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["profile"] == "watch-test", r["profile"]
assert any("profile.yaml" in n and "are kept until it is mended" in n for n in r["notes"]), r["notes"]
PY
sed 's/name: watch-test/name: watch-test-2/' good.yaml > profile.yaml
sleep 0.8
kill -TERM "$pid"
started=$SECONDS
wait "$pid"
rc=$?
cat out.txt
[[ $rc -eq 0 ]] && ok || ko "the last round passed: exit $rc"
python3 - run.json out.txt err.txt hist << 'PY' && ok || ko "a listener that stops and starts: two changes, each in a round"
import json, os, re, sys
r = json.load(open(sys.argv[1]))
out, err = open(sys.argv[2]).read(), open(sys.argv[3]).read()
assert r["profile"] == "watch-test-2", r["profile"]  # mended: read again
assert not any("are kept" in n for n in r["notes"]), r["notes"]
assert "broke   me -> t svc/" in out and "healed  me -> t svc/" in out, out
rounds = re.findall(r"^round (\d+) at [0-9:]+ UTC: (\w+)", out, re.M)
states = [v for _, v in rounds]
# the break and the heal each within two rounds (0.3 s apart) of the listener's change
first_bad = states.index("critical")
assert 0 < first_bad and "ok" in states[first_bad:], states
assert "note: " in out and "are kept until it is mended" in out, out
assert re.search(r"stopped by signal 15", err), err
hist = sorted(os.listdir(sys.argv[4]))
assert len(hist) == 3, hist  # the first round, the break, the heal
PY

# SIGTERM and SIGINT in the middle of a round: a web server that accepts and never answers
timeout 60 python3 - "$silent" << 'PY' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.5.72", int(sys.argv[1]))); s.listen(64)
held = []
while True:
    held.append(s.accept()[0])
PY
pids+=($!)
python3 "$lib/wait_up.py" "127.0.5.72:$silent" || exit 1
cat > silent.yaml << YAML
name: silent
base: none
checks:
  - {name: web, probe: http, port: $silent, from: [any], to: [any]}
YAML
for sig in TERM INT; do
    rm -f mid.json
    "$dmsconn" check --from-here --node me=127.0.5.70 --node s=127.0.5.72 --as me \
        --profile silent.yaml --timeout 5 --every 10 --json mid.json --quiet 2> /dev/null &
    pid=$!
    sleep 1
    t0=$(date +%s%N)
    kill -"$sig" "$pid"
    wait "$pid"
    took=$((($(date +%s%N) - t0) / 1000000))
    python3 - mid.json "$took" << 'PY' && ok || ko "SIG$sig mid-round: stops at once, the round written"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["interrupted"] is True, r["interrupted"]
x = r["results"][0]
assert x["state"] == "unknown" and "interrupted" in x["detail"], x
assert int(sys.argv[2]) < 1500, f"took {sys.argv[2]} ms"
PY
done

# memory over hundreds of rounds: flat
touch up
"$dmsconn" check --from-here "${nodes[@]}" --node u=127.0.5.73 --profile good.yaml \
    --timeout 0.2 --every 0.05 --json loop.json --prom loop.prom --html loop.html --quiet &
pid=$!
pids+=($pid)
rss() { awk '/VmRSS/{print $2}' "/proc/$pid/status"; }
sleep 3
early=$(rss)
sleep 15
late=$(rss)
kill -INT "$pid"
wait "$pid"
echo "RSS after about 50 rounds: $early KiB, after about 300: $late KiB"
# under AddressSanitizer its quarantine keeps freed memory: there it checks the leaks (at the
# exit, LeakSanitizer) and the rounds' memory errors, the plain build the figure
if [[ -n ${ASAN_OPTIONS:-} ]]; then
    ok
else
    ((late - early < 512)) && ok || ko "memory grew from $early to $late KiB over 250 rounds"
fi

# a terminal: the view redrawn in place (cursor home, screen cleared) with its round
if command -v script > /dev/null; then
    timeout 20 script -qfec "timeout -s INT 1.5 '$dmsconn' check --from-here ${nodes[*]} --profile good.yaml --timeout 0.2 --every 0.3 --no-color" tty.txt > /dev/null 2>&1
    python3 - tty.txt << 'PY' && ok || ko "the view in place on a terminal"
import sys
t = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
assert t.count("\x1b[H\x1b[2J") >= 3, t[:400]
assert "round 3 at" in t and "every 0.3 s; last change: none yet" in t, t[:400]
PY
else
    ko "script(1) missing (bsdutils)"
fi
tally test_watch
