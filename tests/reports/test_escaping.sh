#!/usr/bin/env bash
# Every output format with hostile text in it, read back by a real parser and compared with
# the JSON report field by field. The text comes from where a real run gets it: a node name
# from the inventory ("quotes", commas, <markup>, &, ]]>, a backslash, {label="syntax"}, 'q',
# non-ASCII) and a peer's reply quoted in a wrong-service detail (a </script> and quotes).
# For check, for merge of that row, and for plan --format csv/json:
#   CSV (RFC 4180) with Python's csv module, JUnit with xml.etree, Prometheus with promtool and
#   an exposition-format label parser (label values escape \, " and line feed), the HTML page
#   with html.parser (no element, comment or script of the text's own) and rendered in
#   headless Chromium (the names are text, the page's two scripts are the only ones).
# A name with a control character is refused at input, naming the file and line.
# Usage: test_escaping.sh DMSCONN DATA
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/tally.sh"
dmsconn=$(realpath "$1")
lib=$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)
work=$(mktemp -d)
listener=
trap '[[ -n $listener ]] && kill "$listener" 2> /dev/null; rm -rf "$work"' EXIT
cd "$work" || exit 1

export HOSTILE='dma "two", <b id="x">bold</b> & ]]> <!-- \ {le="1"} '"'q'"' é'
cat > inv.yaml << 'EOF'
cluster: 'lab "x", <i>y</i>'
nodes:
  - name: here
    address: 127.0.0.1
    roles: [dma]
  - name: "dma \"two\", <b id=\"x\">bold</b> & ]]> <!-- \\ {le=\"1\"} 'q' é"
    address: 127.0.0.2
    roles: [dma]
EOF
# a peer on the hostile node's NATS port answering with markup, quotes and a backslash
listener=$(python3 "$lib/listen_and_close.py" 127.0.0.2 4222 60 \
    '</script><script>alert(\"x\")</script>, \"quoted\" \\\\ ]]>\r\nsecond line')
timeout 30 "$dmsconn" check --from-here --as here --inventory inv.yaml \
    --check nats-client,telnet --timeout 0.5 --quiet \
    --json c.json --csv c.csv --junit c.xml --prom c.prom --html c.html
rc=$?
[[ $rc -eq 2 || $rc -eq 1 ]] && ok || ko "check with hostile text: exit $rc"
timeout 30 "$dmsconn" merge --inventory inv.yaml --quiet c.json \
    --json m.json --csv m.csv --junit m.xml --prom m.prom --html m.html
rc=$?
[[ $rc -le 2 ]] && ok || ko "merge of the hostile row: exit $rc"
timeout 30 "$dmsconn" plan --inventory inv.yaml --check nats-client,telnet --format csv > p.csv &&
    timeout 30 "$dmsconn" plan --inventory inv.yaml --check nats-client,telnet --format json \
        > p.json && ok || ko "plan with a hostile name"

# the JSON report is the reference: the hostile name and the peer's quotes as they were
python3 - << 'PY' && ok || ko "JSON keeps the hostile text"
import json, os
r = json.load(open("c.json"))
nats = [x for x in r["results"] if x["check"] == "nats-client"]
assert [x["to"] for x in nats] == [os.environ["HOSTILE"]], nats
assert nats[0]["state"] == "wrong_service" and '</script><script>alert("x")' in nats[0]["detail"], nats
PY

for run in c m; do
    python3 - "$run" << 'PY' && ok || ko "$run.csv: RFC 4180"
import csv, json, os, sys
run = sys.argv[1]
doc = json.load(open(f"{run}.json"))
r, findings = doc["results"], doc["findings"]
rows = list(csv.reader(open(f"{run}.csv", newline="")))
assert all(len(row) == 16 for row in rows), [len(row) for row in rows]
head, body = rows[0], [dict(zip(rows[0], row)) for row in rows[1:]]
assert len(body) == len(r), (len(body), len(r))
for row, x in zip(body, r):
    for k in ("from", "to", "check", "state", "verdict", "detail", "address"):
        assert row[k] == str(x[k]), (k, row[k], x[k])
    assert row["remedy"] == (x.get("remedy") or "")
    # each failed or warned row names its finding, as the JSON does; a pass names none
    if "finding" in x:
        assert row["finding_index"] == str(x["finding"]), (row, x)
        assert row["finding"] == findings[x["finding"]]["kind"], (row, x)
    else:
        assert x["verdict"] == "pass" and row["finding"] == row["finding_index"] == "", (row, x)
assert any(row["finding"] for row in body)
assert any(row["to"] == os.environ["HOSTILE"] for row in body)
assert any('</script><script>alert("x")' in row["detail"] for row in body)
PY
    python3 - "$run" << 'PY' && ok || ko "$run.xml: JUnit"
import json, os, sys, xml.etree.ElementTree as ET
run = sys.argv[1]
r = json.load(open(f"{run}.json"))["results"]
cases = ET.parse(f"{run}.xml").getroot().findall("./testsuite/testcase")
assert len(cases) == len(r)
by_name = {(c.get("classname"), c.get("name")): c for c in cases}
for x in r:
    c = by_name[(x["from"], f'{x["to"]}:{x["check"]}:{x["port"]}')]
    f = c.find("failure")
    assert (f is not None) == (x["verdict"] == "fail"), x
    if f is not None:
        assert f.text == x["remedy"] and f.get("type") == x["state"], (f.text, x)
    props = {p.get("name"): p.get("value") for p in c.findall("./properties/property")}
    assert props.get("finding_index") == (str(x["finding"]) if "finding" in x else None), (props, x)
assert any(os.environ["HOSTILE"] in c.get("name") for c in cases)
PY
    if command -v promtool > /dev/null; then
        promtool check metrics < "$run.prom" > /dev/null 2>&1 && ok || ko "$run.prom: promtool"
    else
        ko "promtool missing: run scripts/test-packages"
    fi
    python3 - "$run" << 'PY' && ok || ko "$run.prom: label values"
# The exposition format: a label value is "..." in which \\, \" and \n are the only escapes
# (prometheus.io/docs/instrumenting/exposition_formats, "Text format details").
import json, os, re, sys
run = sys.argv[1]
r = json.load(open(f"{run}.json"))["results"]
label = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')
def unescape(v):
    return re.sub(r'\\([\\"n])', lambda m: {"\\": "\\", '"': '"', "n": "\n"}[m.group(1)], v)
cells = set()
for line in open(f"{run}.prom", encoding="utf-8"):
    line = line.rstrip("\n")
    if not line.startswith("dmsconn_check_state{"):
        continue
    body = line[len("dmsconn_check_state{"):line.rindex("} ")]
    pos, labels = 0, {}
    while pos < len(body):
        m = label.match(body, pos)
        assert m, (line, pos)
        labels[m.group(1)] = unescape(m.group(2))
        pos = m.end()
    assert line.endswith("} 1"), line
    cells.add((labels["from"], labels["to"], labels["check"], labels["state"]))
want = {(x["from"], x["to"], x["check"], x["state"]) for x in r}
assert cells == want, (cells, want)
PY
    python3 - "$run" << 'PY' && ok || ko "$run.html: markup"
# The page's own markup only: the hostile text is character data (never an element, an
# attribute of its own, a comment or a script), and the data block is JSON with the detail
# as it was.
import json, os, sys
from html.parser import HTMLParser
run = sys.argv[1]
r = json.load(open(f"{run}.json"))["results"]
hostile = os.environ["HOSTILE"]
class Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.comments, self.scripts, self.data = [], [], [], []
        self.in_script = None
    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self.in_script = dict(attrs); self.scripts.append([dict(attrs), ""])
    def handle_endtag(self, tag):
        if tag == "script": self.in_script = None
    def handle_comment(self, data): self.comments.append(data)
    def handle_data(self, data):
        if self.in_script is not None: self.scripts[-1][1] += data
        else: self.data.append(data)
p = Page(); p.feed(open(f"{run}.html", encoding="utf-8").read()); p.close()
assert not any(t == "b" or a.get("id") == "x" for t, a in p.tags), "an element of the name's"
assert not p.comments, p.comments
assert len(p.scripts) == 2, [a for a, _ in p.scripts]
assert any(hostile in d for d in p.data), "the name is not in the page's text"
data = json.loads(next(s for a, s in p.scripts if a.get("id") == "data"))
assert hostile in data["nodes"], data["nodes"]
assert sorted(x["detail"] for x in data["results"]) == sorted(x["detail"] for x in r)
PY
done
python3 - << 'PY' && ok || ko "plan CSV and JSON"
import csv, json, os
rows = list(csv.DictReader(open("p.csv", newline="")))
assert all(None not in row for row in rows), rows          # no row split into more columns
assert sorted({row["to"] for row in rows}) == sorted({"here", os.environ["HOSTILE"]}), rows
def strings(v):
    if isinstance(v, dict): v = list(v.values())
    if isinstance(v, list): return [s for x in v for s in strings(x)]
    return [v] if isinstance(v, str) else []
assert os.environ["HOSTILE"] in strings(json.load(open("p.json")))
PY

browser=$(command -v chromium || true)
if [[ -z $browser ]]; then
    ko "chromium missing: run scripts/test-packages"
else
    timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$work/chromium" --dump-dom "file://$work/c.html" > dom.html 2> /dev/null
    python3 - << 'PY' && ok || ko "HTML rendered in Chromium"
import os
from html.parser import HTMLParser
class Dom(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts = 0; self.bad = []; self.text = ""; self.stack = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.scripts += tag == "script"
        if tag == "b" or a.get("id") == "x": self.bad.append((tag, a))
        self.stack.append(tag)
    def handle_endtag(self, tag):
        if self.stack: self.stack.pop()
    def handle_data(self, data):
        if not self.stack or self.stack[-1] != "script": self.text += data
d = Dom(); d.feed(open("dom.html", encoding="utf-8").read())
assert d.scripts == 2 and not d.bad, (d.scripts, d.bad)
assert os.environ["HOSTILE"] in d.text
PY
fi

# a control character in a node name: refused with the file and line
printf 'nodes:\n  - name: "a\\x1b[31mred"\n    address: 127.0.0.1\n' > ctl.yaml
out=$("$dmsconn" plan --inventory ctl.yaml 2>&1)
rc=$?
[[ $rc -eq 3 && $out == *"ctl.yaml:2: a node name holds a control character (byte 0x1b"* ]] &&
    ok || ko "a control character in a name: exit $rc: $out"
tally
