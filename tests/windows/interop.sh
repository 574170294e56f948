#!/usr/bin/env bash
# A Windows agent under Wine serving a Linux coordinator (over HTTP, then over HTTPS with its
# key pinned), and a Windows coordinator under Wine using a Linux agent, on a mixed matrix
# (ok, refused, wrong service, a NATS greeting one way only): every cell must be what the
# all-Linux run says, and what the services make it; and w1's clock measured through its agent
# in every combination. Addresses 127.0.4.11 (w1, the agent's node) and .12 (l2, the
# coordinator's).
# Usage: tests/windows/interop.sh WINDOWS-EXE LINUX-DMSCONN  (Wine's environment set)
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/tally.sh"
exe=$(realpath "$1") linux=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2> /dev/null; wait 2> /dev/null; if [[ -n ${DC_KEEP:-} ]]; then echo "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
cd "$work" || exit 1

b=$(python3 "$here/../lib/free_base.py" 20 127.0.4.11 127.0.4.12)
agent_port=$((b + 1)) web=$((b + 10)) nats=$((b + 11)) closed=$((b + 12))
(umask 077 && head -c 32 /dev/urandom | base64 > token)
cat > inventory.yaml << EOF2
cluster: interop
nodes:
  - {name: w1, address: 127.0.4.11, roles: [dma], agent: "127.0.4.11:$agent_port"}
  - {name: l2, address: 127.0.4.12, roles: [dma], agent: "127.0.4.12:$agent_port"}
EOF2
cat > profile.yaml << EOF2
name: interop
base: none
checks:
  - {name: web, probe: http, port: $web, from: [dma], to: [dma]}
  - {name: nats, probe: nats, port: $nats, from: [dma], to: [dma]}
  - {name: closed, probe: tcp, port: $closed, from: [dma], to: [dma]}
  - {name: cql-on-web, probe: cql, port: $web, from: [dma], to: [dma]}
EOF2
# HTTP on both nodes, a NATS greeting on l2 only
python3 - "$web" "$nats" << 'PY' &
import socket, sys, threading, time
web, nats = int(sys.argv[1]), int(sys.argv[2])
def serve(addr, port, answer):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port)); s.listen(64)
    while True:
        c, _ = s.accept()
        def talk(c=c):
            try:
                c.settimeout(2)
                c.sendall(answer(c))
                c.recv(1024)
            except OSError:
                pass
            c.close()
        threading.Thread(target=talk, daemon=True).start()
def http(c):
    c.recv(4096)
    return b"HTTP/1.1 404 Not Found\r\nServer: interop\r\nContent-Length: 0\r\n\r\n"
info = lambda c: b'INFO {"server_id":"X","version":"2.9.10"}\r\n'
for addr in ("127.0.4.11", "127.0.4.12"):
    threading.Thread(target=serve, args=(addr, web, http), daemon=True).start()
threading.Thread(target=serve, args=("127.0.4.12", nats, info), daemon=True).start()
time.sleep(300)
PY
pids+=($!)
# the services answer before anything is asked of them (bounded: 5 s)
python3 "$here/../lib/wait_up.py" "127.0.4.11:$web" "127.0.4.12:$web" "127.0.4.12:$nats" ||
    ko "the test's services did not come up"

agent() { # agent LINUX|WINDOWS NODE [OPTIONS...]: one agent in the background
    local bin=$linux run=() node=$2
    [[ $1 == WINDOWS ]] && bin=$exe run=(wine)
    "${run[@]}" "$bin" agent --token-file token --inventory inventory.yaml --profile profile.yaml \
        --as "$node" --listen "127.0.4.${node: -1}1:$agent_port" "${@:3}" > "agent-$1-$node.log" 2>&1 &
    pids+=($!)
}
agent_for() { # NODE: the agent's address once it answers
    local addr=127.0.4.11
    [[ $1 == l2 ]] && addr=127.0.4.12
    python3 "$here/../lib/wait_up.py" "http://$addr:$agent_port/v1/health" > /dev/null
}
check() { # check LINUX|WINDOWS OUT.json [INVENTORY]: the full matrix from l2
    local bin=$linux run=()
    [[ $1 == WINDOWS ]] && bin=$exe run=(wine)
    timeout 120 "${run[@]}" "$bin" check --token-file token --inventory "${3:-inventory.yaml}" \
        --profile profile.yaml --as l2 --timeout 2 --slow-ms 1000 --json "$2" --quiet \
        > "$2.log" 2>&1
}
stop_agents() {
    kill "${pids[@]:1}" 2> /dev/null
    wait "${pids[@]:1}" 2> /dev/null
    pids=("${pids[0]}")
}

# all Linux
agent LINUX w1
agent_for w1 || ko "the Linux agent did not come up"
check LINUX linux.json
stop_agents
# a Windows agent, a Linux coordinator
agent WINDOWS w1
agent_for w1 || { ko "the Windows agent did not come up"; cat agent-WINDOWS-w1.log; }
check LINUX windows-agent.json
stop_agents
# a Linux agent, a Windows coordinator
agent LINUX w1
agent_for w1 || ko "the Linux agent did not come up (2)"
check WINDOWS windows-coordinator.json
stop_agents

# a Windows agent serving HTTPS (--tls-auto: its own key pair, made under Wine), a Linux
# coordinator pinning the key it printed
agent WINDOWS w1 --tls-auto tls
for _ in $(seq 100); do # bounded: 10 s
    grep -q 'fingerprint: "sha256:' agent-WINDOWS-w1.log 2> /dev/null && break
    sleep 0.1
done
pin=$(grep -o 'sha256:[A-Za-z0-9+/=]*' agent-WINDOWS-w1.log | head -1)
sed "s|agent: \"127.0.4.11:$agent_port\"|agent: {address: \"127.0.4.11:$agent_port\", fingerprint: \"$pin\"}|" \
    inventory.yaml > inventory-tls.yaml
python3 "$here/../lib/wait_up.py" "127.0.4.11:$agent_port" ||
    { ko "the Windows HTTPS agent did not come up"; tr -d '\r' < agent-WINDOWS-w1.log | tail -5; }
check LINUX windows-https-agent.json inventory-tls.yaml
grep -q "on https://127.0.4.11:$agent_port" agent-WINDOWS-w1.log && grep -q fingerprint inventory-tls.yaml &&
    ok || ko "the Windows agent did not serve HTTPS: $(tr -d '\r' < agent-WINDOWS-w1.log | tail -3)"
stop_agents

python3 - linux.json windows-agent.json windows-coordinator.json windows-https-agent.json \
    << 'PY' && ok || ko "matrices"
import json, sys
want = {  # (from, to, check): state, as the services make them
    ("w1", "l2", "web"): "ok", ("l2", "w1", "web"): "ok",
    ("w1", "l2", "nats"): "ok", ("l2", "w1", "nats"): "refused",
    ("w1", "l2", "closed"): "refused", ("l2", "w1", "closed"): "refused",
    ("w1", "l2", "cql-on-web"): "wrong_service", ("l2", "w1", "cql-on-web"): "wrong_service",
}
for path in sys.argv[1:]:
    r = json.load(open(path))["results"]
    got = {(x["from"], x["to"], x["check"]): x["state"] for x in r}
    assert got == want, (path, {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v})
    assert all(x.get("measured", True) for x in r), path
    # the agent's clock, measured over the exchange (Windows agent or Windows coordinator):
    # one machine, so its offset is within its uncertainty (and the clocks' milliseconds)
    c = {x["node"]: x for x in json.load(open(path))["clocks"]}
    assert c["l2"]["source"] == "coordinator" and c["w1"]["source"] == "agent", (path, c)
    assert abs(c["w1"]["offset_ms"]) <= c["w1"]["uncertainty_ms"] + 20, (path, c["w1"])
    assert c["w1"]["verdict"] == "pass", (path, c["w1"])
PY
tally "interop"
