#!/usr/bin/env bash
# A signed request cannot make an agent's memory grow without bound (docs/security.md): a
# 16 MiB body of "[0,0,0,...]" (8 million JSON values) is refused before a tree of them is
# built; eight of them at once share a pool of four bodies (the others are told busy); a
# Content-Length of 1 GiB is refused before a byte of the body is read; and the memory goes
# back once they are done. The agent's peak (VmHWM) and resident size (VmRSS) are read from
# /proc and printed (and bounded, but under AddressSanitizer, whose quarantine keeps freed
# memory). Usage: test_agent_memory.sh DMSCONN DATA
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/tally.sh"
dmsconn=$(realpath "$1")
lib=$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)
work=$(mktemp -d)
agent=
trap '[[ -n $agent ]] && kill "$agent" 2> /dev/null; wait 2> /dev/null; rm -rf "$work"' EXIT
base=$(python3 "$lib/free_base.py" 10 127.0.1.71)
port=$((base + 1))
umask 077
echo "memory-test-token-$RANDOM$RANDOM-0123456789" > "$work/token"
"$dmsconn" agent --token-file "$work/token" --node m1=127.0.1.71 --node m2=127.0.1.72 \
    --listen "127.0.1.71:$port" 2> "$work/agent.log" &
agent=$!
python3 "$lib/wait_up.py" "http://127.0.1.71:$port/v1/health" || exit 1
python3 - "127.0.1.71:$port" "$work/token" "$agent" "$lib" << 'PY' && ok || ko "memory bounds"
import http.client, socket, sys, threading, time
sys.path.insert(0, sys.argv[4])
from agent_client import signed_headers
host, port = sys.argv[1].rsplit(":", 1)
token, pid = open(sys.argv[2]).read().strip(), sys.argv[3]
def status_kb(field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
body = b'{"schema":"dmsconn.tasks/2","source":"m1","timeout_s":1,"targets":['
body += b"0," * ((16 * 1024 * 1024 - len(body) - 8) // 2) + b"0]}"
assert len(body) <= 16 * 1024 * 1024
def post(results, k):
    c = http.client.HTTPConnection(host, int(port), timeout=60)
    headers = signed_headers(token, "POST", "/v1/run", body, node="m1")
    headers["Content-Type"] = "application/json"
    try:
        c.request("POST", "/v1/run", body=body, headers=headers)
        r = c.getresponse()
        results[k] = (r.status, r.read().decode(errors="replace"))
    except OSError:  # answered busy (503) and closed while the body was still going out
        results[k] = (503, "closed before the body")
start_rss = status_kb("VmRSS")
one = {}
t0 = time.monotonic(); post(one, 0); took = time.monotonic() - t0
assert one[0][0] == 400 and "JSON values" in one[0][1], one
peak_one = status_kb("VmHWM")
eight = {}
threads = [threading.Thread(target=post, args=(eight, k)) for k in range(8)]
for t in threads: t.start()
for t in threads: t.join()
codes = sorted(s for s, _ in eight.values())
assert set(codes) <= {400, 503} and codes.count(400) >= 1, eight
peak_eight = status_kb("VmHWM")
# 1 GiB announced: 413 before the body
s = socket.create_connection((host, int(port)), 5)
headers = signed_headers(token, "POST", "/v1/run", b"x", node="m1")
head = ["POST /v1/run HTTP/1.1", f"Host: {host}", "Content-Length: 1073741824",
        "Content-Type: application/json"] + [f"{k}: {v}" for k, v in headers.items()]
s.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
t0 = time.monotonic()
answer = s.recv(4096).decode(errors="replace")
assert answer.startswith("HTTP/1.1 413"), answer[:80]
assert time.monotonic() - t0 < 2
s.close()
time.sleep(0.5)
end_rss = status_kb("VmRSS")
print(f"agent memory: {start_rss // 1024} MiB at rest; one 16 MiB body refused in {took:.2f} s, "
      f"peak {peak_one // 1024} MiB; eight at once ({codes.count(400)} refused as too many values, "
      f"{codes.count(503)} busy), peak {peak_eight // 1024} MiB; afterwards {end_rss // 1024} MiB")
# under AddressSanitizer (its quarantine keeps freed memory, its shadow doubles it) only the
# refusals above are the agent's to keep; the figures are the plain build's
import os
if "ASAN_OPTIONS" not in os.environ:
    assert peak_eight < 160 * 1024, peak_eight
    assert end_rss < start_rss + 24 * 1024, (start_rss, end_rss)
PY
tally
