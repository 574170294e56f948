#!/usr/bin/env bash
# An agent's long life: thousands of requests — most valid, some malformed, some with a
# wrong token, some oversized or aimed at no endpoint — then SIGTERM. The agent must answer
# every one, keep its memory flat, and exit cleanly; in the sanitizer build (scripts/test
# runs this label there too) LeakSanitizer checks that nothing leaked.
# Usage: test_agent_soak.sh DMSCONN DATA [REQUESTS]
set -u
dmsconn=$1
requests=${3:-3000}
work=$(mktemp -d)
trap 'kill "$agent" 2>/dev/null; rm -rf "$work"' EXIT
port=$(python3 "$(dirname "$0")/../lib/free_base.py" 1 127.0.1.41)
umask 077
echo "soak-token-0123456789abcdef" > "$work/token"
"$dmsconn" agent --token-file "$work/token" --node a1=127.0.1.41 --node a2=127.0.1.42 \
    --listen "127.0.1.41:$port" > "$work/agent.log" 2>&1 &
agent=$!
python3 - "$port" "$work/token" "$requests" "$agent" "$(dirname "$0")/../lib" <<'PY'
import http.client, json, os, random, sys, time
sys.path.insert(0, sys.argv[5])
from agent_client import signed_headers
port, token, n, pid = int(sys.argv[1]), open(sys.argv[2]).read().strip(), int(sys.argv[3]), sys.argv[4]
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
deadline = time.time() + 5
while True:
    try:
        http.client.HTTPConnection("127.0.1.41", port, timeout=1).request("GET", "/v1/health"); break
    except OSError:
        if time.time() > deadline: sys.exit("agent did not start")
        time.sleep(0.05)
valid = json.dumps({"schema": "dmsconn.tasks/1", "source": "a1", "timeout_s": 0.2,
                    "tasks": [{"to": "a2", "address": "127.0.1.42", "check": "nats-client", "port": 4222},
                              {"to": "nowhere", "address": "192.0.2.1", "check": "telnet", "port": 23}]})
kinds = {"valid": 0, "malformed": 0, "token": 0, "path": 0, "big": 0}
codes = {}
rng = random.Random(7)
baseline = None
for i in range(n):
    if i == 200:
        baseline = rss()
    r = rng.random()
    path, body, tok, kind = "/v1/run", valid, token, "valid"
    if r < 0.2: body, kind = valid[: rng.randrange(len(valid))] + "}{", "malformed"
    elif r < 0.3: tok, kind = "wrong-" + token, "token"
    elif r < 0.35: path, kind = "/v1/" + "x" * rng.randrange(1, 50), "path"
    elif r < 0.36: body, kind = "[" * 200000, "big"
    kinds[kind] += 1
    c = http.client.HTTPConnection("127.0.1.41", port, timeout=10)
    c.request("POST", path, body=body, headers=signed_headers(tok, "POST", path, body.encode(), node="a1"))
    resp = c.getresponse(); resp.read(); c.close()
    codes[resp.status] = codes.get(resp.status, 0) + 1
    want = {"valid": 200, "malformed": 400, "token": 401, "path": 404, "big": 400}[kind]
    if resp.status != want:
        sys.exit(f"request {i} ({kind}): HTTP {resp.status}, expected {want}")
grown = rss() - baseline
print(f"{n} requests {kinds}, answers {codes}, RSS grew {grown} KiB after warm-up")
# under AddressSanitizer freed memory waits in its quarantine: LeakSanitizer judges there
if grown > 8 * 1024 and "ASAN_OPTIONS" not in os.environ:
    sys.exit(f"the agent's memory grows: +{grown} KiB over {n - 200} requests")
PY
rc=$?
kill -TERM "$agent"
wait "$agent"
exit_code=$?
passed=0 failed=0
[[ $rc -eq 0 ]] && passed=$((passed + 1)) || failed=$((failed + 1))
if [[ $exit_code -eq 0 ]] && ! grep -qE "LeakSanitizer|AddressSanitizer|runtime error" "$work/agent.log"; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); echo "FAIL: the agent exited with $exit_code"; tail -20 "$work/agent.log"
fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
