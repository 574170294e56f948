#!/usr/bin/env bash
# Continuous mode's server (check --every --metrics ADDR:PORT), on loopback addresses of its
# own (no root):
#   - what is refused before any round: --metrics without --every, a name for an address, a
#     certificate file without its key or with another's, a password file others may read;
#   - a listener that stops and starts again while it runs: /metrics says it within two
#     rounds each way, dmsconn_check_changes_total counts both changes, the last change has
#     its time; the text passes `promtool check metrics`;
#   - the scrape configuration and alert rules of scripts/prometheus/ (promtool check config,
#     promtool test rules);
#   - only GET and HEAD on / and /metrics: 404 elsewhere, 405 for POST;
#   - the live page loaded in Chromium while rounds run (it reloads itself);
#   - HTTPS and basic authentication: 401 without or with a wrong password, 200 with the right
#     one; the password in no output; the port free again once it stops;
#   - the full matrix through an agent: its row on /metrics, its change counted;
#   - memory flat over hundreds of rounds while /metrics and / are fetched all along.
# Usage: test_watch_metrics.sh DMSCONN
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/tally.sh"
dmsconn=$(realpath "$1")
lib=$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done
    wait 2> /dev/null
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1
for tool in curl promtool openssl; do
    command -v "$tool" > /dev/null || { ko "$tool missing: run scripts/test-packages"; tally test_watch_metrics; }
done
base=$(python3 "$lib/free_base.py" 4 127.0.5.90 127.0.5.91)
svc=$base web=$((base + 1)) tls=$((base + 2))
cat > profile.yaml << YAML
name: metrics-test
base: none
checks:
  - {name: svc, probe: tcp, port: $svc, from: [any], to: [any]}
YAML
nodes=(--node me=127.0.5.90 --node t=127.0.5.91 --as me --profile profile.yaml --timeout 0.2)
url=http://127.0.5.90:$web

refused() { # refused WHAT EXPECTED-TEXT ARGS...: exit 3 and the message, before any round
    local what=$1 text=$2
    shift 2
    timeout 10 "$dmsconn" check --from-here "${nodes[@]}" "$@" > out 2> err
    [[ $? -eq 3 ]] && grep -qF -- "$text" err && ! grep -q "^round" out && ok ||
        { cat err; ko "refused: $what"; }
}
refused "--metrics without --every" "expected --every SECONDS with it" --metrics "127.0.5.90:$web"
refused "a name for an address" "expected ADDR:PORT with a numeric address" --every 1 \
    --metrics "localhost:$web"
refused "no port" "expected ADDR:PORT" --every 1 --metrics 127.0.5.90
refused "--metrics-tls alone" "--metrics-tls: expected --metrics ADDR:PORT" --every 1 \
    --metrics-tls x.pem
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=me \
    -addext subjectAltName=IP:127.0.5.90 -keyout key.pem -out cert.pem 2> /dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=other \
    -keyout other.pem -out other-cert.pem 2> /dev/null
cat cert.pem key.pem > bundle.pem
cat cert.pem other.pem > mismatch.pem
cp cert.pem nokey.pem
chmod 600 bundle.pem mismatch.pem nokey.pem
refused "a certificate without its key" "no private key in it" --every 1 \
    --metrics "127.0.5.90:$web" --metrics-tls nokey.pem
refused "another certificate's key" "the private key is not the first certificate's" \
    --every 1 --metrics "127.0.5.90:$web" --metrics-tls mismatch.pem
password=metrics-Secret-4f9c2a17
printf '%s\n' "$password" > pw
chmod 644 pw
refused "a password file others may read" "--metrics-password-file" --every 1 \
    --metrics "127.0.5.90:$web" --metrics-user prom --metrics-password-file pw
chmod 600 pw
refused "a user without a password file" "go together" --every 1 \
    --metrics "127.0.5.90:$web" --metrics-user prom

# a listener on t that the test stops and starts: `touch up` / `rm up`
python3 "$lib/toggle_listener.py" 127.0.5.91 "$svc" up 120 &
pids+=($!)
touch up
python3 "$lib/wait_up.py" "127.0.5.91:$svc" || exit 1

"$dmsconn" check --from-here "${nodes[@]}" --every 0.3 --metrics "127.0.5.90:$web" \
    > out.txt 2> err.txt &
pid=$!
pids+=($pid)
python3 "$lib/wait_up.py" "127.0.5.90:$web" || { cat err.txt; exit 1; }
# /metrics until EXPR holds for the path FROM -> TO (a Python expression over its gauge
# `passing` and its counter `changes`; dmsconn_check_fail must say the opposite of passing),
# at most 3 s; with ROUNDS, within that many rounds of the first fetch (by
# dmsconn_watch_rounds_total). The text that made it true is left in metrics.txt.
until_metrics() { # until_metrics FROM TO EXPR [ROUNDS]
    python3 - "$url/metrics" "$@" << 'PY'
import re, sys, time, urllib.request
url, src, dst, expr = sys.argv[1:5]
most = int(sys.argv[5]) if len(sys.argv) > 5 else None
deadline = time.time() + 3
first = None
def value(name, text):
    m = re.search(r'^%s\{from="%s",to="%s",check="svc",port="\d+"\} (\d+)$' % (name, src, dst),
                  text, re.M)
    return int(m.group(1)) if m else None
while True:
    try:
        text = urllib.request.urlopen(url, timeout=1).read().decode()
    except OSError:
        text = ""
    passing, failing = value("dmsconn_check_pass", text), value("dmsconn_check_fail", text)
    changes = value("dmsconn_check_changes_total", text)
    rounds = re.search(r"^dmsconn_watch_rounds_total (\d+)$", text, re.M)
    if None not in (passing, failing, changes) and rounds:
        assert failing == 1 - passing, text
        first = int(rounds.group(1)) if first is None else first
        if eval(expr, {"passing": passing, "changes": changes}):
            open("metrics.txt", "w").write(text)
            taken = int(rounds.group(1)) - first
            assert most is None or taken <= most, f"{taken} rounds, more than {most}"
            sys.exit(0)
    if time.time() > deadline:
        print(text[-800:], file=sys.stderr)
        sys.exit(1)
    time.sleep(0.05)
PY
}
until_metrics me t "passing == 1 and changes == 0" && ok || ko "/metrics: the path passes"
promtool check metrics < metrics.txt > promtool.txt 2>&1 && ok ||
    { cat promtool.txt; ko "promtool check metrics"; }
# the scrape configuration and the alert rules docs/scheduling.md gives: valid, and the alerts
# fire when they should (promtool's rule unit test)
promtool check config "$top/scripts/prometheus/prometheus.yml" > promtool.txt 2>&1 &&
    (cd "$here" && promtool test rules prometheus_rules_test.yml) >> promtool.txt 2>&1 && ok ||
    { cat promtool.txt; ko "the scrape configuration and the alert rules"; }
python3 - "$top" << 'PY' && ok || ko "docs/scheduling.md shows the files as they are"
import sys
doc = open(sys.argv[1] + "/docs/scheduling.md").read()
for name in ("prometheus.yml", "dmsconn-rules.yml"):
    assert "```yaml\n" + open(f"{sys.argv[1]}/scripts/prometheus/{name}").read() + "```" in doc, name
PY
rm up
# within two rounds of the change (three counted: the one under way when it came, then two)
until_metrics me t "passing == 0 and changes == 1" 3 && ok ||
    ko "/metrics: the break within two rounds, counted"
grep -qE '^dmsconn_check_last_change_timestamp_seconds\{from="me",to="t",check="svc",port="[0-9]+"\} [0-9]{10}$' metrics.txt &&
    ok || ko "/metrics: the last change's time"
touch up
until_metrics me t "passing == 1 and changes == 2" 3 && ok ||
    ko "/metrics: the heal within two rounds, counted"
python3 - metrics.txt << 'PY' && ok || ko "/metrics: the rounds counted, the run's metrics beside"
import re, sys
t = open(sys.argv[1]).read()
rounds = int(re.search(r"^dmsconn_watch_rounds_total (\d+)$", t, re.M).group(1))
assert rounds >= 3, rounds
assert "# TYPE dmsconn_watch_rounds_total counter" in t
assert re.search(r"^dmsconn_run_verdict 0$", t, re.M), t
PY

# only GET and HEAD on the two paths
[[ $(curl -s -o /dev/null -w '%{http_code}' "$url/metrics/x") == 404 ]] && ok || ko "404 elsewhere"
curl -s -D head.txt -o /dev/null -X POST --data x "$url/metrics"
grep -q "^HTTP/1.1 405" head.txt && grep -qi "^Allow: GET, HEAD" head.txt && ok || ko "405 for POST"
[[ $(curl -s -I -o /dev/null -w '%{http_code}' "$url/") == 200 ]] && ok || ko "HEAD /"
curl -s -D head.txt -o page.html "$url/"
grep -qi "^Content-Type: text/html; charset=utf-8" head.txt &&
    grep -qi "^Content-Security-Policy: default-src 'none'" head.txt &&
    grep -q '<meta http-equiv="refresh" content="2">' page.html && ok || ko "/ the live page, reloading"

# the page in Chromium while rounds run
browser=$(command -v chromium || true)
if [[ -z $browser ]]; then
    ko "chromium missing: run scripts/test-packages"
else
    timeout 60 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$work/chromium" --dump-dom "$url/" > dom.html 2> /dev/null
    python3 - dom.html << 'PY' && ok || ko "the live page rendered in Chromium"
import re, sys
d = open(sys.argv[1]).read()
assert re.search(r'id="verdict"[^>]*>ok<', d), d[:600]
assert "me" in d and 'id="counts"' in d, d[:600]
PY
fi
kill -TERM "$pid"
wait "$pid"
grep -q "serving http://127.0.5.90:$web/metrics" err.txt && ok || { cat err.txt; ko "the address said"; }
! curl -s -o /dev/null "$url/metrics" && ok || ko "the port closed once stopped"

# HTTPS and basic authentication
"$dmsconn" check --from-here "${nodes[@]}" --every 0.3 --metrics "127.0.5.90:$tls" \
    --metrics-tls bundle.pem --metrics-user prom --metrics-password-file pw \
    --json tls.json > tls-out.txt 2> tls-err.txt &
pid=$!
pids+=($pid)
python3 "$lib/wait_up.py" "127.0.5.90:$tls" || { cat tls-err.txt; exit 1; }
sleep 0.5
turl=https://127.0.5.90:$tls
curl -s --cacert cert.pem -D head.txt -o /dev/null "$turl/metrics"
grep -q "^HTTP/1.1 401" head.txt && grep -qi '^WWW-Authenticate: Basic realm="dmsconn metrics"' head.txt &&
    ok || ko "401 without a password"
[[ $(curl -s --cacert cert.pem -u prom:wrong-password-here -o /dev/null -w '%{http_code}' "$turl/metrics") == 401 ]] &&
    ok || ko "401 with a wrong password"
[[ $(curl -s --cacert cert.pem -u other:"$password" -o /dev/null -w '%{http_code}' "$turl/metrics") == 401 ]] &&
    ok || ko "401 for another user"
curl -s --cacert cert.pem -u prom:"$password" -o tls-metrics.txt -w '%{http_code}' "$turl/metrics" > code.txt
[[ $(cat code.txt) == 200 ]] && grep -q "^dmsconn_watch_rounds_total" tls-metrics.txt && ok ||
    ko "200 over HTTPS with the password"
! curl -s -o /dev/null "http://127.0.5.90:$tls/metrics" 2> /dev/null ||
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.5.90:$tls/metrics") != 200 ]] &&
    ok || ko "no plain HTTP on the HTTPS port"
kill -INT "$pid"
wait "$pid"
! grep -rqF -- "$password" tls-out.txt tls-err.txt tls.json && ok || ko "the password in an output"

# the full matrix through an agent: t's row comes from its agent every round, and its change
# is counted as the local row's is
agent_port=$((base + 3))
umask 077
echo "watch-metrics-test-token-0123456789" > token
umask 022
cat > inventory.yaml << YAML
cluster: watch-agents
nodes:
  - {name: me, address: 127.0.5.90, roles: [dma]}
  - {name: t, address: 127.0.5.91, roles: [dma], agent: "127.0.5.91:$agent_port"}
YAML
python3 "$lib/toggle_listener.py" 127.0.5.90 "$svc" up2 60 &
pids+=($!)
touch up up2
"$dmsconn" agent --inventory inventory.yaml --profile profile.yaml --token-file token \
    --listen "127.0.5.91:$agent_port" 2> agent.log &
pids+=($!)
python3 "$lib/wait_up.py" "http://127.0.5.91:$agent_port/v1/health" "127.0.5.90:$svc" || exit 1
"$dmsconn" check --inventory inventory.yaml --profile profile.yaml --token-file token --as me \
    --timeout 0.5 --every 0.3 --metrics "127.0.5.90:$web" > agents-out.txt 2> agents-err.txt &
pid=$!
pids+=($pid)
python3 "$lib/wait_up.py" "127.0.5.90:$web" || { cat agents-err.txt; exit 1; }
until_metrics t me "passing == 1 and changes == 0" &&
    grep -qE '^dmsconn_check_pass\{from="me",to="t",check="svc",port="[0-9]+"\} 1$' metrics.txt &&
    ok || ko "through the agent: its row on /metrics, beside this machine's"
rm up2
until_metrics t me "passing == 0 and changes == 1" && ok ||
    ko "through the agent: its row's break, counted"
kill -TERM "$pid"
wait "$pid"
grep -q "stopped by signal 15" agents-err.txt && ok || { cat agents-err.txt; ko "the rounds through agents stop"; }

# memory over hundreds of rounds, scraped all along
"$dmsconn" check --from-here "${nodes[@]}" --every 0.05 --metrics "127.0.5.90:$web" \
    --json loop.json --quiet &
pid=$!
pids+=($pid)
python3 "$lib/wait_up.py" "127.0.5.90:$web" || exit 1
timeout 30 bash -c "while :; do curl -s -o /dev/null '$url/metrics'; curl -s -o /dev/null '$url/'; sleep 0.05; done" &
pids+=($!)
scraper=$!
rss() { awk '/VmRSS/{print $2}' "/proc/$pid/status"; }
sleep 3
early=$(rss)
sleep 15
late=$(rss)
kill "$scraper"
kill -INT "$pid"
wait "$pid"
echo "RSS with /metrics and / fetched: after about 50 rounds $early KiB, after about 300: $late KiB"
if [[ -n ${ASAN_OPTIONS:-} ]]; then
    ok # the quarantine keeps freed memory: LeakSanitizer checks the leaks at the exit
else
    ((late - early < 512)) && ok || ko "memory grew from $early to $late KiB over 250 rounds"
fi
tally test_watch_metrics
