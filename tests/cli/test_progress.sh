#!/usr/bin/env bash
# The progress line is drawn on a timer, not only when a result arrives: a run whose only
# check waits for its deadline (a listener that accepts and never speaks) shows "0/1 checks"
# while it waits. On a pseudo-terminal (script), as a person sees it; loopback only.
# Usage: test_progress.sh DMSCONN DATA
set -u
dmsconn=$1
work=$(mktemp -d)
trap 'kill $listener 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
port=$(python3 "$(dirname "$0")/../lib/free_base.py" 1 127.0.0.1)
timeout 20 python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
held = []
while True:
    c, _ = s.accept(); held.append(c)   # accepts, never speaks
' "$port" &
listener=$!
cat > "$work/profile.yaml" <<YAML
base: none
checks:
  - {name: quiet-nats, probe: nats, port: $port, from: [dma], to: [dma], pairs: all}
YAML
python3 "$(dirname "$0")/../lib/wait_up.py" "127.0.0.1:$port" || exit 1 # bounded wait for the listener
timeout 20 script -qec "'$dmsconn' check --from-here --node a=127.0.0.1 --profile '$work/profile.yaml' \
    --timeout 2.5 --no-color" "$work/typescript" > /dev/null 2>&1
if grep -aq "0/1 checks, 0 failing, [12] s" "$work/typescript"; then
    echo "1 passed, 0 failed"
else
    echo "FAIL: no progress line while the only check waited"; cat -v "$work/typescript"
    echo "0 passed, 1 failed"; exit 1
fi
