#!/usr/bin/env bash
# An agent run with --bind-source sends its SNMP probes from its node's own address, as its
# TCP probes (net-snmp's session takes that address as its local one): a UDP listener on the
# destination sees the datagram come from the agent's node, not from 127.0.0.1.
# Usage: test_snmp_source.sh DMSCONN DATA
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/tally.sh"
dmsconn=$(realpath "$1")
lib=$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2> /dev/null; wait 2> /dev/null; rm -rf "$work"' EXIT
base=$(python3 "$lib/free_base.py" 10 127.0.1.83 127.0.0.1)
agent_port=$((base + 1)) snmp=$((base + 2))
umask 077
echo "snmp-source-token-$RANDOM$RANDOM-0123456789" > "$work/token"
cat > "$work/inventory.yaml" << YAML
nodes:
  - {name: n1, address: 127.0.0.1, roles: [dma], agent: none}
  - {name: n2, address: 127.0.1.83, roles: [dma], agent: "127.0.1.83:$agent_port"}
YAML
printf 'base: none\nchecks:\n  - {name: snmp, probe: snmp, port: %s, transport: udp, from: [any], to: [any]}\n' \
    "$snmp" > "$work/profile.yaml"
timeout 30 python3 - "$snmp" "$work/from.txt" << 'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
out = open(sys.argv[2], "a", buffering=1)
while True:
    data, peer = s.recvfrom(65536)
    out.write(peer[0] + "\n")
PY
pids+=($!)
"$dmsconn" agent --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
    --token-file "$work/token" --as n2 --listen "127.0.1.83:$agent_port" --bind-source \
    2> "$work/agent.log" &
pids+=($!)
python3 "$lib/wait_up.py" "http://127.0.1.83:$agent_port/v1/health" || exit 1
timeout 30 "$dmsconn" check --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
    --token-file "$work/token" --as n1 --timeout 1 --quiet > /dev/null 2>&1
sleep 0.3
sources=$(sort -u "$work/from.txt" 2> /dev/null | tr '\n' ' ')
[[ $sources == "127.0.1.83 " ]] && ok || ko "the agent's SNMP probes came from: ${sources:-nowhere}"
tally
