#!/usr/bin/env bash
# Slow clients cannot lock the coordinator out of an agent (docs/security.md). Sixteen
# connections from two loopback addresses outside the node list, each sending
# "POST /v1/run HTTP/1.1" and then one header line every 2 s, for the whole test: the agent
# admits at most 8 such connections at once (the other slots are the nodes') and ends each
# one that has not sent a whole request within 10 s, while the coordinator (node n1 on
# 127.0.0.1) asks for n2's row again and again: every one of its runs gets the row. Then a
# single slow client is ended about 10 s after it connected, never later. Last, the agent is
# down when the coordinator starts and up half a second later: the refused connection is
# tried again, and the row is measured.
# Prints the coordinator's success rate and the connections the agent ended.
# Usage: test_slow_clients.sh DMSCONN DATA
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/tally.sh"
dmsconn=$(realpath "$1")
lib=$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2> /dev/null; wait 2> /dev/null; rm -rf "$work"' EXIT
base=$(python3 "$lib/free_base.py" 10 127.0.1.62 127.0.0.1)
agent_port=$((base + 1)) svc=$((base + 2))
umask 077
echo "slow-clients-token-$RANDOM$RANDOM-0123456789" > "$work/token"
cat > "$work/inventory.yaml" << YAML
cluster: slow
nodes:
  - {name: n1, address: 127.0.0.1, roles: [dma], agent: none}
  - {name: n2, address: 127.0.1.62, roles: [dma], agent: "127.0.1.62:$agent_port"}
YAML
printf 'base: none\nchecks:\n  - {name: svc, probe: tcp, port: %s, from: [any], to: [any]}\n' \
    "$svc" > "$work/profile.yaml"
pids+=("$(python3 "$lib/listen_and_close.py" 127.0.0.1 "$svc" 120)")
"$dmsconn" agent --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
    --token-file "$work/token" --as n2 --listen "127.0.1.62:$agent_port" 2> "$work/agent.log" &
pids+=($!)
python3 "$lib/wait_up.py" "http://127.0.1.62:$agent_port/v1/health" || exit 1

# the attackers: 8 connections from each of two addresses, each kept alive with a header line
# every 2 s and opened again when the agent ends it; they log when each connection ended
timeout 60 python3 - "127.0.1.62:$agent_port" "$work/attack.log" << 'PY' &
import select, socket, sys, threading, time
host, port = sys.argv[1].rsplit(":", 1)
log = open(sys.argv[2], "a", buffering=1)
stop = time.monotonic() + 45
def slow(source):
    while time.monotonic() < stop:
        try:
            s = socket.socket(); s.bind((source, 0)); s.settimeout(3)
            s.connect((host, int(port)))
            opened = time.monotonic()
            s.sendall(b"POST /v1/run HTTP/1.1\r\nHost: x\r\n")
            n = 0
            while time.monotonic() < stop:
                # the agent's end shows at once as a readable socket with nothing to read
                if select.select([s], [], [], 2)[0] and not s.recv(4096):
                    break
                s.sendall(f"X-Slow-{n}: {n}\r\n".encode()); n += 1
        except OSError:
            pass
        finally:
            try:
                log.write(f"{source} {time.monotonic() - opened:.1f}\n")
            except NameError:
                pass
            s.close()
        time.sleep(0.2)
threads = [threading.Thread(target=slow, args=(src,), daemon=True)
           for src in ("127.0.3.61", "127.0.3.62") for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
PY
pids+=($!)
sleep 3 # every attacking connection open (or refused)
ok_runs=0 runs=0
end=$((SECONDS + 30))
while ((SECONDS < end)); do
    runs=$((runs + 1))
    timeout 30 "$dmsconn" check --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
        --token-file "$work/token" --as n1 --timeout 1 --json "$work/r.json" --quiet 2> /dev/null
    python3 -c '
import json, sys
r = {(x["from"], x["to"]): x for x in json.load(open(sys.argv[1]))["results"]}
sys.exit(0 if r[("n2", "n1")]["state"] == "ok" else 1)
' "$work/r.json" && ok_runs=$((ok_runs + 1))
    sleep 1
done
echo "slow clients: the coordinator got n2's row in $ok_runs of $runs runs under attack"
[[ $runs -ge 5 && $ok_runs -eq $runs ]] && ok || ko "the coordinator was locked out: $ok_runs of $runs runs"
# what the agent did to the attackers: each connection it admitted ended within 11 s (the
# deadline and the watchdog's quarter of a second), those it refused at once
python3 - "$work/attack.log" << 'PY' && ok || ko "a slow client held its connection past the deadline"
import sys
ended = [float(line.split()[1]) for line in open(sys.argv[1]) if line.strip()]
print(f"slow clients: {len(ended)} attacking connections ended, the longest after {max(ended):.1f} s")
assert ended and max(ended) < 11.0, ended
print(f"slow clients: {sum(e < 1 for e in ended)} refused at once, "
      f"{sum(e >= 9.5 for e in ended)} ended at the deadline")
PY

# a refused connection is tried again within the row's time
kill "${pids[1]}" 2> /dev/null
wait "${pids[1]}" 2> /dev/null
timeout 30 "$dmsconn" check --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
    --token-file "$work/token" --as n1 --timeout 1 --json "$work/late.json" --quiet 2> /dev/null &
coordinator=$!
sleep 0.4
"$dmsconn" agent --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
    --token-file "$work/token" --as n2 --listen "127.0.1.62:$agent_port" 2>> "$work/agent.log" &
pids+=($!)
wait "$coordinator"
python3 -c '
import json, sys
r = {(x["from"], x["to"]): x for x in json.load(open(sys.argv[1]))["results"]}
assert r[("n2", "n1")]["state"] == "ok", r[("n2", "n1")]
' "$work/late.json" && ok || ko "a refused connection to an agent starting up was not tried again"
tally
