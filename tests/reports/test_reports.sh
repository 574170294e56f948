#!/usr/bin/env bash
# Every output format of one run, read back with a real parser: CSV with Python's csv,
# JUnit with xml.etree, Prometheus text with promtool (and a strict line parser), the HTML
# page rendered in headless Chromium and checked on its DOM (cells, a failing cell's class
# and text, the detail panel a #pair= link opens). Then diff, --baseline and --history.
# Usage: test_reports.sh DMSCONN DATA
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/tally.sh"
dmsconn=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

timeout 30 "$dmsconn" demo --json r.json --csv r.csv --junit r.xml --prom r.prom --html r.html \
    --quiet > /dev/null || ko "demo with every output"

python3 - <<'PY' && ok || ko "CSV"
import csv, json
r = json.load(open("r.json"))["results"]
rows = list(csv.DictReader(open("r.csv", newline="")))
assert len(rows) == len(r) == 63, (len(rows), len(r))  # 54 + ICMP echo, 3 per DMA
for row, x in zip(rows, r):
    for k in ("from", "to", "check", "state", "verdict", "detail"):
        assert row[k] == str(x[k]), (k, row[k], x[k])
    assert row["port"] == str(x["port"]) and row["remedy"] == (x["remedy"] or "")
PY

python3 - <<'PY' && ok || ko "JUnit"
import json, xml.etree.ElementTree as ET
r = json.load(open("r.json"))
root = ET.parse("r.xml").getroot()
assert root.tag == "testsuites" and root.get("tests") == "63" and root.get("failures") == "12"
cases = root.findall("./testsuite/testcase")
assert len(cases) == 63
by_name = {(c.get("classname"), c.get("name")): c for c in cases}
for x in r["results"]:
    c = by_name[(x["from"], f'{x["to"]}:{x["check"]}:{x["port"]}')]
    f = c.find("failure")
    assert (f is not None) == (x["verdict"] == "fail"), x
    if f is not None:
        assert f.text == x["remedy"] and f.get("type") == x["state"]
PY

if command -v promtool > /dev/null; then
    promtool check metrics < r.prom && ok || ko "promtool check metrics"
else
    ko "promtool missing: run scripts/test-packages"
fi
python3 - <<'PY' && ok || ko "Prometheus text, strictly"
import re
line_re = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*",?)*\})? -?[0-9.e+-]+$')
samples = {}
for line in open("r.prom"):
    line = line.rstrip("\n")
    if line.startswith("# HELP ") or line.startswith("# TYPE "):
        continue
    assert line_re.match(line), line
    name = line.split("{")[0].split(" ")[0]
    samples[name] = samples.get(name, 0) + 1
assert samples["dmsconn_check_pass"] == 63 and samples["dmsconn_check_state"] == 63
assert samples["dmsconn_check_fail"] == 63 and samples["dmsconn_icmp_loss_ratio"] == 9
assert samples["dmsconn_run_verdict"] == 1
assert 'dmsconn_check_state{from="dma1",to="db1",check="cql",port="9042",state="filtered"} 1' in open("r.prom").read()
PY

browser=$(command -v chromium || true)
if [[ -z $browser ]]; then
    ko "chromium missing: run scripts/test-packages"
else
    flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
        --disable-background-networking --disable-component-update --disable-sync
        --user-data-dir="$work/chromium")
    timeout 60 "$browser" "${flags[@]}" --dump-dom "file://$work/r.html#pair=dma1,db1" \
        > dom.html 2> /dev/null
    python3 - <<'PY' && ok || ko "HTML rendered in Chromium"
from html.parser import HTMLParser
class Dom(HTMLParser):
    def __init__(self):
        super().__init__(); self.stack = []; self.cells = []; self.table = None
        self.detail_rows = 0; self.detail_text = ""; self.in_detail = False; self.aside_hidden = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and "data-group" in a: self.table = a["data-group"]
        if tag == "aside": self.aside_hidden = "hidden" in a
        if tag == "tbody" and a.get("id") == "detail-body": self.in_detail = True
        if tag == "tr" and self.in_detail: self.detail_rows += 1
        if tag == "td" and "cell" in a.get("class", "").split():
            self.cells.append([self.table, a["class"], a["data-from"], a["data-to"], ""])
        self.stack.append(tag)
    def handle_endtag(self, tag):
        if tag == "tbody": self.in_detail = False
        if self.stack: self.stack.pop()
    def handle_data(self, data):
        if self.cells and self.stack and self.stack[-1] == "td" and self.cells[-1][4] == "":
            self.cells[-1][4] = data
        if self.in_detail: self.detail_text += data
d = Dom(); d.feed(open("dom.html").read())
combined = [c for c in d.cells if c[0] == "all"]
assert len(combined) == 15, len(combined)   # 4 sources x 3 other nodes, and each DMA its own CloudGateway
cell = [c for c in combined if c[2] == "0" and c[3] == "3"][0]   # dma1 -> db1
assert "fail" in cell[1].split() and cell[4] == "FAIL 1/3", cell   # cql, telnet, ICMP echo
assert d.aside_hidden is False and d.detail_rows == 3, (d.aside_hidden, d.detail_rows)
assert "allow tcp/9042 from dma1" in d.detail_text, d.detail_text[:200]
PY
    timeout 60 "$browser" "${flags[@]}" --window-size=1100,900 --screenshot="$work/r.png" \
        "file://$work/r.html" > /dev/null 2>&1
    [[ -s r.png ]] && ok || ko "screenshot"
    [[ -n ${DC_SCREENSHOT:-} ]] && cp r.png "$DC_SCREENSHOT"
fi

# diff: a run against itself changes nothing; against a doctored baseline it names what
# broke and what healed, and exits 2 only when something broke
python3 - <<'PY'
import json
r = json.load(open("r.json"))
for x in r["results"]:
    if (x["from"], x["to"], x["check"]) == ("dma1", "dma2", "nats-client"):
        x["state"], x["verdict"] = "refused", "fail"      # it failed last time
    if (x["from"], x["to"], x["check"]) == ("dma1", "db1", "cql"):
        x["state"], x["verdict"] = "ok", "pass"           # it worked last time
json.dump(r, open("old.json", "w"))
PY
"$dmsconn" diff --no-color r.json r.json > same.txt; rc=$?
[[ $rc -eq 0 ]] && grep -q "0 broke, 0 healed, 0 changed" same.txt && ok || ko "diff of a run with itself: exit $rc"
"$dmsconn" diff --no-color old.json r.json > d.txt; rc=$?
[[ $rc -eq 2 ]] && grep -q "^  broke   dma1 -> db1 cql/9042: ok -> filtered" d.txt \
    && grep -q "^  healed  dma1 -> dma2 nats-client/4222: refused -> ok" d.txt \
    && ok || { ko "diff: exit $rc"; cat d.txt; }
# a report larger than the 16 MiB that inputs people write may be (60,000 results): read as
# a report, without its whole cJSON tree
python3 - <<'PY'
import json
r = json.load(open("r.json"))
one = r["results"][0]
r["results"] = [dict(one, to=f"n{i // 100}", port=1 + i % 100) for i in range(60000)]
json.dump(r, open("big.json", "w"))
r["results"][7]["verdict"] = "fail"
json.dump(r, open("big2.json", "w"))
PY
big_size=$(stat -c %s big.json)
"$dmsconn" diff --no-color big.json big2.json > big.txt; rc=$?
[[ $big_size -gt 16777216 && $rc -eq 2 ]] && grep -q "1 broke, 0 healed" big.txt \
    && ok || { ko "diff of two reports of $big_size bytes: exit $rc"; tail -3 big.txt; }
"$dmsconn" diff r.json /nonexistent.json > /dev/null 2>&1; rc=$?
[[ $rc -eq 3 ]] && ok || ko "diff of a missing file: exit $rc"
timeout 30 "$dmsconn" demo --baseline old.json --json b.json --quiet > /dev/null
python3 -c '
import json
d = json.load(open("b.json"))["diff"]
assert d["baseline"] == "old.json" and d["counts"]["broke"] == 1 and d["counts"]["healed"] == 1, d["counts"]
' && ok || ko "--baseline in the JSON report"

# history: each run compared with the previous, only the last --keep kept
for _ in 1 2 3; do timeout 30 "$dmsconn" demo --history hist --keep 2 --quiet > /dev/null; done
n=$(ls hist | wc -l)
last=$(ls hist | tail -1)
[[ $n -eq 2 ]] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["diff"]
assert d["baseline"].startswith("hist/dmsconn-") and d["counts"]["broke"] == 0, d
' "hist/$last" && ok || ko "--history kept $n reports"

# one counting rule for a cell, the terminal's and the page's: the worst rank and how many
# checks have it; the page's tooltip gives each check's verdict (a passing one says pass)
timeout 30 "$dmsconn" demo --no-color --html same.html > same.txt
python3 - same.txt same.html <<'PY' && ok || ko "terminal and HTML count a cell alike"
import re, sys
text = open(sys.argv[1]).read()
row = next(l for l in text.splitlines() if l.startswith("dma1 "))
terminal = re.findall(r"(ok \d+|warn \d+/\d+|\? \d+/\d+|FAIL \d+/\d+|\.(?= |$))", row[5:])
page = open(sys.argv[2]).read()
table = page.split('data-group="all"', 1)[1].split("</table>", 1)[0]
first_row = table.split("<tr><th scope=\"row\">dma1</th>", 1)[1].split("</tr>", 1)[0]
def title_of(attrs):
    m = re.search(r'title="([^"]*)"', attrs)
    return m.group(1) if m else ""
cells = [(title_of(attrs), label.replace("&middot;", "."))
         for attrs, label in re.findall(r'<td ([^>]*)>([^<]*)</td>', first_row)]
labels = [label for _, label in cells]
assert labels == terminal, (labels, terminal)
title = next(t for t, l in cells if l.startswith("FAIL"))
assert ", fail" in title and ", pass" in title, title
PY
# a terminal too narrow for the matrix: names that fit stay names, the columns fold into
# blocks; remedies wrap at word boundaries within the width
COLUMNS=40 timeout 30 "$dmsconn" demo --no-color > narrow.txt
! grep -q "^key:" narrow.txt && [[ $(grep -c '^from.to' narrow.txt) -eq 2 ]] \
    && ! awk 'length > 40 && /^(from|dma|db)/' narrow.txt | grep -q . && ok || ko "folded matrix"
COLUMNS=80 timeout 30 "$dmsconn" demo --no-color > eighty.txt
python3 - eighty.txt <<'PY' && ok || ko "remedies wrapped at word boundaries in 80 columns"
import sys
lines = open(sys.argv[1]).read().splitlines()
remedy = [l for l in lines if l.startswith("       remedy: ") or l.startswith(" " * 15) and l[15] != " "]
assert any(l.startswith(" " * 15) for l in remedy), "no remedy was long enough to wrap"
for l in remedy:
    assert len(l) <= 80 or " " not in l.strip(), l   # only an unbreakable word may overflow
PY
# names that share a long prefix stay told apart (head~tail), no keys needed
COLUMNS=100 timeout 30 "$dmsconn" check --from-here --as orion-dataminer-agent-01 --no-color \
    --node orion-dataminer-agent-01=127.0.0.1 --node orion-dataminer-agent-02=127.0.0.2 \
    --node orion-dataminer-agent-03=127.0.0.3 --check telnet --timeout 0.2 > prefix.txt
head -2 prefix.txt | grep -q "orion-da~agent-02 orion-da~agent-03" && ! grep -q "^key:" prefix.txt \
    && ok || { ko "long names with one prefix"; cat prefix.txt; }
COLUMNS=200 timeout 30 "$dmsconn" demo --no-color > wide.txt
! grep -q "^key:" wide.txt && [[ $(grep -c '^from.to' wide.txt) -eq 1 ]] && ok || ko "unfolded matrix"

tally
