#!/usr/bin/env bash
# Agents and the coordinator end to end on loopback addresses (no root): three agents, each
# sending from its own address, the full matrix checked cell by cell; an agent killed ->
# its row unknown, the report still written; a wrong token -> nothing probed; tasks aimed
# outside the cluster or its profile -> refused and never sent on the wire; oversized and
# malformed requests -> 4xx, the agent still serving. Usage: test_agents.sh DMSCONN DATA
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/tally.sh"
dmsconn=$1
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
base=$(python3 "$(dirname "$0")/../lib/free_base.py" 110 127.0.1.11 127.0.1.12 127.0.1.13) # agents: base+1..4; services: base+101..
a=$((base + 101)) b=$((base + 102)) stray=$((base + 103)) c=$((base + 104)) shut=$((base + 105))

umask 077
echo "agent-test-token-0123456789" > "$work/token"
echo "a-different-token-9876543210" > "$work/wrong"
cat > "$work/inventory.yaml" <<YAML
cluster: agents-test
nodes:
  - {name: n1, address: 127.0.1.11, roles: [dma], agent: "127.0.1.11:$((base + 1))"}
  - {name: n2, address: 127.0.1.12, roles: [dma], agent: "127.0.1.12:$((base + 2))"}
  - {name: n3, address: 127.0.1.13, roles: [dma], agent: "127.0.1.13:$((base + 3))"}
YAML
cat > "$work/profile.yaml" <<YAML
name: agents-test
base: none
checks:
  - {name: svc-a, probe: tcp, port: $a, from: [any], to: [any]}
  - {name: svc-b, probe: tcp, port: $b, from: [any], to: [any]}
  - {name: svc-c, probe: tcp, port: $c, from: [any], to: [any]}
  - {name: shut, probe: tcp, port: $shut, from: [any], to: [any], expect: must_be_closed}
YAML

# Listeners that log every connection's peer address; they end by themselves after 120 s.
timeout 120 python3 - "$work/accepted.log" "127.0.1.11:$a" "127.0.1.12:$a" "127.0.1.12:$b" \
    "127.0.1.13:$a" "127.0.1.99:$a" "127.0.1.11:$stray" <<'PY' &
import selectors, socket, sys
log = open(sys.argv[1], "a", buffering=1)
sel = selectors.DefaultSelector()
for spec in sys.argv[2:]:
    host, port = spec.rsplit(":", 1)
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, int(port))); s.listen(128); sel.register(s, selectors.EVENT_READ, spec)
while True:
    for key, _ in sel.select():
        c, peer = key.fileobj.accept()
        log.write(f"{peer[0]} -> {key.data}\n"); c.close()
PY
pids+=($!)
for i in 1 2 3; do
    "$dmsconn" agent --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
        --token-file "$work/token" --listen "127.0.1.1$i:$((base + i))" --bind-source \
        2> "$work/agent$i.log" &
    pids+=($!)
    eval "agent$i=$!"
done
# bounded wait for the agents (5 s)
python3 "$(dirname "$0")/../lib/wait_up.py" "http://127.0.1.11:$((base + 1))/v1/health" \
    "http://127.0.1.12:$((base + 2))/v1/health" "http://127.0.1.13:$((base + 3))/v1/health" || exit 1

coordinator() { # coordinator TOKEN-FILE JSON
    timeout 30 "$dmsconn" check --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
        --token-file "$1" --as n1 --timeout 1 --json "$2" --no-color
}
# expected matrix, written by hand from the listeners above
cat > "$work/expected.py" <<'PY'
expected = {
    ("n1", "n2", "svc-a"): "ok", ("n1", "n2", "svc-b"): "ok",
    ("n1", "n3", "svc-a"): "ok", ("n1", "n3", "svc-b"): "refused",
    ("n2", "n1", "svc-a"): "ok", ("n2", "n1", "svc-b"): "refused",
    ("n2", "n3", "svc-a"): "ok", ("n2", "n3", "svc-b"): "refused",
    ("n3", "n1", "svc-a"): "ok", ("n3", "n1", "svc-b"): "refused",
    ("n3", "n2", "svc-a"): "ok", ("n3", "n2", "svc-b"): "ok",
}
for src in ("n1", "n2", "n3"):  # nothing listens on svc-c or shut anywhere
    for dst in ("n1", "n2", "n3"):
        if src != dst:
            expected[(src, dst, "svc-c")] = expected[(src, dst, "shut")] = "refused"
PY
compare() { # compare JSON UNKNOWN-ROW
    python3 - "$1" "$2" "$work/expected.py" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); dead = sys.argv[2]
exec(open(sys.argv[3]).read())
got = {(x["from"], x["to"], x["check"]): x for x in r["results"]}
bad = 0
for k, v in expected.items():
    want = "unknown" if k[0] == dead else v
    if got.get(k, {}).get("state") != want:
        bad += 1
        print("FAIL", k, "expected", want, "got", got.get(k, {}).get("state"), got.get(k, {}).get("detail"))
if len(got) != len(expected):
    bad += 1; print("FAIL: results", len(got), "expected", len(expected))
if dead != "-":
    d = got[(dead, "n1", "svc-a")]["detail"]
    assert "did not answer" in d, d
sys.exit(1 if bad else 0)
PY
}

coordinator "$work/token" "$work/full.json" > "$work/full.txt"; rc=$?
cat "$work/full.txt"
[[ $rc -eq 2 ]] && ok || ko "full matrix: exit $rc, expected 2"
compare "$work/full.json" - && ok || ko "full matrix cells"
# the agents' probes left from their own addresses
grep -q "^127.0.1.13 -> 127.0.1.12:$b" "$work/accepted.log" && ok || ko "n3's probe to n2 did not come from n3"

# a wrong token: every remote row unknown, and no agent probes anything
before=$(grep -vc "^127.0.0.1 " "$work/accepted.log")
coordinator "$work/wrong" "$work/wrong.json" > "$work/wrong.txt"; rc=$?
after=$(grep -vc "^127.0.0.1 " "$work/accepted.log")
[[ $rc -eq 2 && $before -eq $after ]] && ok || ko "wrong token: exit $rc, agent connections $before -> $after"
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
rows = [x for x in r["results"] if x["from"] != "n1"]
assert rows and all(x["state"] == "unknown" and "refused the request (HTTP 401): the signature does not match" in x["detail"] for x in rows), rows[0]
assert len(rows) == 16, len(rows)
assert r["counts"]["unmeasured"] == 16, r["counts"]
assert all("same token file (--token-file)" in x["remedy"] for x in rows), rows[0]["remedy"]
' "$work/wrong.json" && ok || ko "wrong token rows"
# said once per agent in the terminal, with the remedy for the cause, not once per task: in the
# diagnosis (a not_measured cause per row) and in the list of failures and warnings
cells=$(sed -n '/^Failures and warnings:/,$p' "$work/wrong.txt")
causes=$(sed -n '/^Diagnosis:/,/^Failures and warnings:/p' "$work/wrong.txt")
[[ $(grep -c "refused the request" <<<"$cells") -eq 2 &&
    $(grep -c "row: 8 checks not measured: agent at .* refused the request (HTTP 401): the signature does not match" <<<"$cells") -eq 2 &&
    $(grep -c "remedy: give n[23]'s agent and the coordinator the same token file" <<<"$cells") -eq 2 ]] &&
    grep -q "16 of the warnings not measured (agents)" "$work/wrong.txt" && ok ||
    { ko "wrong token: one line per agent"; cat "$work/wrong.txt"; }
[[ $(grep -c "^  [0-9]*\. not_measured: n[23]'s row: 8 checks not measured" <<<"$causes") -eq 2 &&
    $(grep -c "remedy: give n[23]'s agent and the coordinator the same token file" <<<"$causes") -eq 2 ]] &&
    ok || ko "wrong token: a not_measured cause per row in the diagnosis"

# direct requests: the agent refuses what is outside its cluster or profile, answers 4xx to
# garbage, and still serves afterwards
python3 - "$base" "$work/token" "$work/accepted.log" "$a" "$stray" "$(dirname "$0")/../lib" <<'PY' && ok || ko "direct requests"
import json, sys, time, urllib.parse, urllib.request, urllib.error
sys.path.insert(0, sys.argv[6])
from agent_client import signed_headers
base, token, log, a, stray = int(sys.argv[1]), open(sys.argv[2]).read().strip(), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
url = f"http://127.0.1.12:{base + 2}/v1/run"
def post(body, tok=token, path=url):
    headers = signed_headers(tok, "POST", urllib.parse.urlsplit(path).path, body, node="n2")
    headers["Content-Type"] = "application/json"
    req = urllib.request.Request(path, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")
def batch(tasks):
    return json.dumps({"schema": "dmsconn.tasks/1", "source": "n2", "timeout_s": 1, "tasks": tasks}).encode()
seen = open(log).read()
status, r = post(batch([
    {"to": "evil", "address": "127.0.1.99", "check": "svc-a", "port": a},
    {"to": "n1", "address": "127.0.1.11", "check": "svc-a", "port": stray},
    {"to": "n1", "address": "127.0.1.11", "check": "ssh", "port": 22},
    {"to": "n1", "address": "127.0.1.11", "check": "svc-a", "port": a},
]))
assert status == 200, (status, r)
res = r["results"]
assert all(x["state"] == "error" and "refused by the agent" in x["detail"] for x in res[:3]), res
assert res[3]["state"] == "ok", res[3]
time.sleep(0.2)
new = open(log).read()[len(seen):]
assert "127.0.1.99" not in new and f":{stray}" not in new, new
assert new.count(f"127.0.1.12 -> 127.0.1.11:{a}") == 1, new
assert post(batch([]))[0] == 400
assert post(b"{not json")[0] == 400
assert post(b'{"schema":"dmsconn.tasks/1","source":"n1","timeout_s":1,"tasks":[{"to":"n2","address":"","check":"svc-a","port":1}]}')[0] == 400
assert post(batch([{"to": "n1", "address": "", "check": "svc-a", "port": 70000}]))[0] == 400
assert post(batch([]), tok="nope")[0] == 401
# a body over 16 MiB: 413 from its Content-Length, before a byte of it is read
import socket
big = b"x" * (17 * 1024 * 1024)
s = socket.create_connection(("127.0.1.12", base + 2), 10)
head = ["POST /v1/run HTTP/1.1", "Host: x", f"Content-Length: {len(big)}",
        "Content-Type: application/json"]
head += [f"{k}: {v}" for k, v in signed_headers(token, "POST", "/v1/run", big, node="n2").items()]
s.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
assert s.recv(4096).startswith(b"HTTP/1.1 413"), "a 17 MiB body was not refused at once"
s.close()
# one JSON document, nothing after it; a stop with a body in chunks; a reason quoting the
# request is printable text (the source's invalid UTF-8 byte is not echoed)
status, answer = post(batch([]) + b" trailing")
assert status == 400 and "bytes follow it" in answer.get("error", ""), answer
status, answer = post(json.dumps({"schema": "dmsconn.tasks/1", "source": "n\udcff", "timeout_s": 1,
                                  "tasks": [{"to": "n1", "address": "", "check": "svc-a", "port": a}]},
                                 ensure_ascii=False).encode("utf-8", "surrogateescape"))
assert status == 400 and "n?" in answer.get("error", "") and all(ord(ch) < 0x80 for ch in answer["error"]), answer
s = socket.create_connection(("127.0.1.12", base + 2), 10)
head = ["POST /v1/stop HTTP/1.1", "Host: x", "Transfer-Encoding: chunked"]
head += [f"{k}: {v}" for k, v in signed_headers(token, "POST", "/v1/stop", b"", node="n2").items()]
s.sendall(("\r\n".join(head) + "\r\n\r\n" + "5\r\nhello\r\n0\r\n\r\n").encode())
reply = s.recv(4096)
assert reply.startswith(b"HTTP/1.1 400") and b"expected no body" in reply, reply[:200]
s.close()
# every number bounded: a budget of 1e300 s (an undefined conversion) or a negative timeout
for doc in ('{"schema":"dmsconn.tasks/1","source":"n2","timeout_s":1,"budget_s":1e300,"tasks":[]}',
            '{"schema":"dmsconn.tasks/1","source":"n2","timeout_s":-1,"tasks":[]}'):
    status, answer = post(doc.encode())
    assert status == 400 and "between 0 and 3600 seconds" in answer.get("error", ""), (doc, answer)
assert post(batch([]), path=f"http://127.0.1.12:{base + 2}/v1/nothing")[0] == 404
# the grouped form the coordinator sends (dmsconn.tasks/2): the same policy, results in the
# order of the targets' checks, and each malformed "check:port" a 400
def grouped(targets, **extra):
    doc = {"schema": "dmsconn.tasks/2", "source": "n2", "timeout_s": 1, "targets": targets}
    doc.update(extra)
    return json.dumps(doc).encode()
status, r = post(grouped([
    {"to": "evil", "address": "127.0.1.99", "checks": [f"svc-a:{a}"]},
    {"to": "n1", "address": "127.0.1.11", "checks": [f"svc-a:{stray}", "ssh:22", f"svc-a:{a}"]},
], budget_s=5))
assert status == 200, (status, r)
res = r["results"]
assert len(res) == 4 and all("refused by the agent" in x["detail"] for x in res[:3]), res
assert res[3]["state"] == "ok", res[3]
for bad in ["svc-a", f"svc-a:{a}x", "svc-a:70000", f":{a}", 7]:
    assert post(grouped([{"to": "n1", "address": "", "checks": [bad]}]))[0] == 400, bad
# "check:0" is a check without a port (ICMP): well formed, and refused for svc-a, which has one
status, r = post(grouped([{"to": "n1", "address": "", "checks": ["svc-a:0"]}]))
assert status == 200 and "refused by the agent" in r["results"][0]["detail"], (status, r)
assert post(grouped([{"to": "n1", "checks": f"svc-a:{a}"}]))[0] == 400
assert post(grouped([{"to": "n1", "checks": [f"svc-a:{a}"]}], budget_s="soon"))[0] == 400
assert post(grouped([]))[0] == 400
h = urllib.request.urlopen(f"http://127.0.1.12:{base + 2}/v1/health", timeout=2)
assert json.loads(h.read())["status"] == "ok"
status, r = post(batch([{"to": "n3", "address": "127.0.1.13", "check": "svc-a", "port": a}]))
assert status == 200 and r["results"][0]["state"] == "ok", r
PY

# HTTPS: an agent with a certificate; the coordinator verifies it against that certificate,
# and refuses it against the system's CAs; the certificate, 20 days from its end, warns (as
# SLDataGateway's notice, with the endpoints')
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
    -days 20 -subj /CN=n2 -addext "subjectAltName=IP:127.0.1.12" 2>/dev/null
sed "s/127.0.1.12:$((base + 2))/127.0.1.12:$((base + 4))/" "$work/inventory.yaml" > "$work/tls.yaml"
"$dmsconn" agent --inventory "$work/tls.yaml" --profile "$work/profile.yaml" \
    --token-file "$work/token" --listen "127.0.1.12:$((base + 4))" --bind-source \
    --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" 2> "$work/agent-tls.log" &
pids+=($!)
for _ in $(seq 50); do grep -q "on https://" "$work/agent-tls.log" && break; sleep 0.1; done
tls_check() { # tls_check JSON EXTRA-FLAGS...
    local out=$1; shift
    timeout 30 "$dmsconn" check --inventory "$work/tls.yaml" --profile "$work/profile.yaml" \
        --token-file "$work/token" --as n1 --from n2 --timeout 1 --json "$out" --quiet \
        --agent-tls "$@"
}
tls_check "$work/tls-ok.json" --agent-ca "$work/cert.pem"
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"]
got = {(x["to"], x["check"], x["state"]) for x in r}
assert len(r) == 8 and {("n1", "svc-a", "ok"), ("n1", "svc-b", "refused"), ("n3", "svc-a", "ok"),
                        ("n3", "svc-b", "refused"), ("n3", "svc-c", "refused")} <= got, r
a = json.load(open(sys.argv[1]))["agents"]
assert len(a) == 1 and a[0]["node"] == "n2" and not a[0]["pinned"] and a[0]["verdict"] == "warn", a
t = a[0]["tls"]
assert t["verified"] and t["subject"] == "CN=n2" and 19 < t["days_left"] <= 20, t
' "$work/tls-ok.json" && ok || ko "HTTPS agent with its certificate"
timeout 30 "$dmsconn" check --inventory "$work/tls.yaml" --profile "$work/profile.yaml" \
    --token-file "$work/token" --as n1 --from n2 --timeout 1 --agent-tls \
    --agent-ca "$work/cert.pem" --no-color > "$work/tls.txt"
grep -q "^  WARN n2 dmsconn agent (HTTPS): .* (20.0 days), TLSv1.3, CN=n2" "$work/tls.txt" &&
    grep -q "agents' certificates: 0 fail, 1 warn)" "$work/tls.txt" && ok ||
    { ko "the agent's certificate in the terminal's Certificates"; cat "$work/tls.txt"; }
tls_check "$work/tls-bad.json"
python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"]
assert all(x["state"] == "unknown" and "did not answer" in x["detail"] for x in r), r[0]
' "$work/tls-bad.json" && ok || ko "HTTPS agent with an unknown certificate must be refused"

# pre-flight: free required ports get a listener for the run, must-be-closed ones never; all
# listeners are gone afterwards
timeout 30 "$dmsconn" check --inventory "$work/inventory.yaml" --profile "$work/profile.yaml" \
    --token-file "$work/token" --as n1 --timeout 1 --json "$work/pre.json" --quiet --preflight
python3 - "$work/pre.json" "$c" <<'PY' && ok || ko "pre-flight run"
import json, socket, sys
r = json.load(open(sys.argv[1]))["results"]
for x in r:
    key = (x["from"], x["to"], x["check"])
    if x["check"] == "shut":
        assert x["state"] == "refused" and not x.get("preflight"), x
        continue
    assert x["state"] == "ok", x
    in_use = x["check"] == "svc-a" or (x["check"] == "svc-b" and x["to"] == "n2")
    assert bool(x.get("preflight")) == (not in_use), x
    if not in_use:
        assert "pre-flight" in x["detail"], x
for host in ("127.0.1.11", "127.0.1.12", "127.0.1.13"):
    try:
        socket.create_connection((host, int(sys.argv[2])), 1).close()
        sys.exit(f"pre-flight listener still open on {host}")
    except ConnectionRefusedError:
        pass
PY

# an agent killed: its row unknown with the reason, the rest of the report stands
kill "$agent3"; wait "$agent3" 2>/dev/null
coordinator "$work/token" "$work/dead.json" > /dev/null; rc=$?
[[ $rc -eq 2 ]] && ok || ko "dead agent: exit $rc"
compare "$work/dead.json" n3 && ok || ko "dead agent cells"
grep -q "stopping" "$work/agent3.log" && ok || ko "agent 3 did not stop cleanly on SIGTERM"

tally
