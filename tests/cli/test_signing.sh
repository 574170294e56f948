#!/usr/bin/env bash
# The coordinator signs its requests; the token never crosses the network (no root). A
# relay between the coordinator and an agent records every byte both ways: the token is in
# none of them. Then straight to the agent: the captured request replayed, one signed for
# its body but sent with a byte of it changed, one dated 1,000 s ago, one signed with
# another key, the old bearer header, one signed as dmsconn-request-v1 (no node), and a run and
# a stop signed for another agent (n1) are each refused with 401 and their reason, and the
# agent probes nothing for them (a listener that must see no connection). An impostor at the
# agent's address replaying the agent's signed answer is refused too. Last, the agent is
# restarted and the captured request replayed within the window: refused as dated before the
# agent's start (its nonce cache is new).
# Usage: test_signing.sh DMSCONN DATA
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
base=$(python3 "$here/../lib/free_base.py" 10 127.0.2.31 127.0.2.32)
agent_port=$((base + 1)) relay=$((base + 2)) svc=$((base + 3))
umask 077
token="signing-test-token-$RANDOM$RANDOM-0123456789"
echo "$token" > "$work/token"
cat > "$work/inventory.yaml" << YAML
cluster: signing-test
nodes:
  - {name: n1, address: 127.0.2.31, roles: [dma], agent: none}
  - {name: n2, address: 127.0.2.32, roles: [dma], agent: "127.0.2.32:$relay"}
YAML
printf 'name: signing-test\nbase: none\nchecks:\n  - {name: svc, probe: tcp, port: %s, from: [any], to: [any]}\n' \
    "$svc" > "$work/profile.yaml"
# the service n2's agent probes on n1, logging every connection it gets (ends after 120 s)
timeout 120 python3 - "$work/accepted.log" "127.0.2.31:$svc" << 'PY' &
import socket, sys
log = open(sys.argv[1], "a", buffering=1)
host, port = sys.argv[2].rsplit(":", 1)
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((host, int(port))); s.listen(16)
while True:
    c, peer = s.accept(); log.write(f"{peer[0]}\n"); c.close()
PY
pids+=($!)
# the relay: every byte both ways into capture.bin, the client's first request apart
timeout 120 python3 - "$work" "127.0.2.32:$relay" "127.0.2.32:$agent_port" << 'PY' &
import socket, sys, threading
work, (lh, lp), (ah, ap) = sys.argv[1], sys.argv[2].rsplit(":", 1), sys.argv[3].rsplit(":", 1)
capture = open(f"{work}/capture.bin", "ab", buffering=0)
lock = threading.Lock()
def pump(src, dst, keep=None):
    while True:
        data = src.recv(65536)
        if not data:
            break
        with lock:
            capture.write(data)
        if keep is not None:
            keep.append(data)
        dst.sendall(data)
    try: dst.shutdown(socket.SHUT_WR)
    except OSError: pass
n = 0
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((lh, int(lp))); s.listen(16)
while True:
    c, _ = s.accept()
    a = socket.create_connection((ah, int(ap)))
    sent, answered = [], []
    t = threading.Thread(target=pump, args=(c, a, sent)); t.start()
    pump(a, c, answered); t.join()
    if sent:  # a bare connect (the test's wait for the relay) is no request
        n += 1
        open(f"{work}/request-{n}.bin", "wb").write(b"".join(sent))
        open(f"{work}/answer-{n}.bin", "wb").write(b"".join(answered))
PY
pids+=($!)
"$dmsconn" agent --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
    --token-file "$work/token" --as n2 --listen "127.0.2.32:$agent_port" --bind-source \
    2> "$work/agent.log" &
pids+=($!)
python3 "$here/../lib/wait_up.py" "http://127.0.2.32:$agent_port/v1/health" 127.0.2.32:$relay \
    127.0.2.31:$svc || exit 1

timeout 30 "$dmsconn" check --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
    --token-file "$work/token" --as n1 --timeout 1 --json "$work/r.json" --quiet
python3 -c '
import json, sys
r = {(x["from"], x["to"]): x for x in json.load(open(sys.argv[1]))["results"]}
assert r[("n2", "n1")]["state"] == "ok", r
' "$work/r.json" && ok || ko "the signed row through the relay"
[[ -s $work/request-1.bin ]] && ok || ko "the relay saw the request"
grep -qaF "$token" "$work/capture.bin" && ko "the token crossed the network" || ok
grep -qa "DMSCONN-HMAC-SHA256" "$work/request-1.bin" && ok || ko "the request is signed"
probes() { grep -c "^127.0.2.32$" "$work/accepted.log"; } # the agent's, from n2's address
[[ $(probes) -eq 1 ]] && ok || ko "one probe for the one signed request"

python3 - "$work" "127.0.2.32:$agent_port" "$token" "$here/../lib" << 'PY' && ok || ko "refusals"
import json, socket, sys, time
work, (host, port), token = sys.argv[1], sys.argv[2].rsplit(":", 1), sys.argv[3]
sys.path.insert(0, sys.argv[4])
from agent_client import signed_headers
def raw(data):
    s = socket.create_connection((host, int(port)), 5)
    s.sendall(data); s.shutdown(socket.SHUT_WR)
    out = b""
    while chunk := s.recv(65536):
        out += chunk
    head, _, body = out.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode(errors="replace")
captured = open(f"{work}/request-1.bin", "rb").read()
head, _, body = captured.partition(b"\r\n\r\n")
cases = {"replayed": (captured, "seen before (a replay)")}
def request(headers, body=body, path="/v1/run"):
    lines = [f"POST {path} HTTP/1.1".encode(), f"Host: {host}:{port}".encode(),
             b"Content-Type: application/json", f"Content-Length: {len(body)}".encode(),
             b"Connection: close"]
    lines += [f"{k}: {v}".encode() for k, v in headers.items()]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body
# signed for the captured body, then one byte of it changed on the way
changed = body.replace(b'"n1"', b'"n9"', 1)
assert changed != body
cases["changed body"] = (request(signed_headers(token, "POST", "/v1/run", body, node="n2"),
                                 body=changed),
                         "not the one that was signed")
cases["dated 1,000 s ago"] = (request(signed_headers(token, "POST", "/v1/run", body,
                                                     date=int(time.time()) - 1000, node="n2")),
                              "the clocks differ")
cases["another key"] = (request(signed_headers("not-" + token, "POST", "/v1/run", body, node="n2")),
                        "the signature does not match")
cases["bearer token"] = (request({"Authorization": f"Bearer {token}"}), "signed requests only")
cases["version 1"] = (request(signed_headers(token, "POST", "/v1/run", body)),
                      "dmsconn-request-v1 (an older dmsconn): update the coordinator")
cases["a run for another agent"] = (
    request(signed_headers(token, "POST", "/v1/run", body, node="n1")),
    "the request is for node 'n1', and this agent is node 'n2'")
cases["a stop for another agent"] = (
    request(signed_headers(token, "POST", "/v1/stop", b"", node="n1"), body=b"", path="/v1/stop"),
    "the request is for node 'n1', and this agent is node 'n2'")
bad = 0
for name, (data, why) in cases.items():
    status, answer = raw(data)
    error = json.loads(answer).get("error", "") if answer.startswith("{") else answer
    if status != 401 or why not in error:
        bad += 1
        print(f"FAIL {name}: HTTP {status}: {error}")
    elif name == "dated 1,000 s ago" and not ("1000 s apart" in error or "1001 s apart" in error):
        bad += 1
        print(f"FAIL {name}: the skew not said: {error}")
# a request signed right still runs (the agent is not left refusing everything)
status, answer = raw(request(signed_headers(token, "POST", "/v1/run", body, node="n2")))
if status != 200:
    bad += 1
    print(f"FAIL a fresh signed request: HTTP {status}: {answer}")
sys.exit(1 if bad else 0)
PY
# an impostor at the agent's address replays the agent's signed answer to the first run:
# signed for another request's nonce, it is refused and the row is unknown
impostor=$((base + 4))
timeout 60 python3 - "$work/answer-1.bin" "127.0.2.32:$impostor" << 'PY' &
import socket, sys
answer = open(sys.argv[1], "rb").read()
host, port = sys.argv[2].rsplit(":", 1)
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((host, int(port))); s.listen(8)
while True:
    c, _ = s.accept()
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = c.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        body += c.recv(65536)
    c.sendall(answer); c.close()
PY
pids+=($!)
sed "s/127.0.2.32:$relay/127.0.2.32:$impostor/" "$work/inventory.yaml" > "$work/impostor.yaml"
python3 "$here/../lib/wait_up.py" 127.0.2.32:$impostor || exit 1
grep -qa "X-Dmsconn-Signature" "$work/answer-1.bin" && ok || ko "the agent signs its answer"
timeout 30 "$dmsconn" check --inventory "$work/impostor.yaml" --profile "$work/profile.yaml" \
    --token-file "$work/token" --as n1 --timeout 1 --json "$work/impostor.json" --quiet
python3 -c '
import json, sys
r = {(x["from"], x["to"]): x for x in json.load(open(sys.argv[1]))["results"]}
x = r[("n2", "n1")]
assert x["state"] == "unknown" and "is not signed with this token for this request" in x["detail"], x
' "$work/impostor.json" && ok || ko "an impostor's replayed answer is refused"
# eight refusals probed nothing: the one fresh request made the second probe
[[ $(probes) -eq 2 ]] && ok || ko "a refused request probed something"
grep -qF "$token" "$work/agent.log" && ko "the token is in the agent's log" || ok

# a restart empties the nonce cache: the captured request, replayed within the window, is
# refused all the same (dated before the agent's start) and probes nothing
sleep 1.1 # the captured request's date and the new start are not the same second
kill "${pids[2]}" 2> /dev/null
wait "${pids[2]}" 2> /dev/null
"$dmsconn" agent --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
    --token-file "$work/token" --as n2 --listen "127.0.2.32:$agent_port" --bind-source \
    2>> "$work/agent.log" &
pids+=($!)
python3 "$here/../lib/wait_up.py" "http://127.0.2.32:$agent_port/v1/health" || exit 1
python3 - "$work/request-1.bin" "127.0.2.32:$agent_port" << 'PY' && ok || ko "a replay after the agent's restart"
import json, socket, sys
data = open(sys.argv[1], "rb").read()
host, port = sys.argv[2].rsplit(":", 1)
s = socket.create_connection((host, int(port)), 5)
s.sendall(data); s.shutdown(socket.SHUT_WR)
out = b""
while chunk := s.recv(65536):
    out += chunk
head, _, body = out.partition(b"\r\n\r\n")
error = json.loads(body).get("error", "")
assert int(head.split()[1]) == 401 and "before this agent started" in error, (head[:40], error)
PY
[[ $(probes) -eq 2 ]] && ok || ko "the replay after the restart probed something"
tally
