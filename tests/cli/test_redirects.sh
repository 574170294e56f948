#!/usr/bin/env bash
# A cluster upgraded from 10.4 (tests/data/dataminer/upgraded-10.6): .NET Remoting off in
# MaintenanceSettings.xml, and DMS.xml's Redirects of each form still there. Each Redirect
# decides its own pair, the others get gRPC over HTTPS 443 with Remoting's port expected
# closed; through `plan` and through `check --from-here` on loopback addresses:
#   https://HOST:4443/APIGateway  -> slnet-grpc on 4443
#   http://HOST/APIGateway        -> slnet-grpc-http on 80 (and a note on plain-HTTP pairs)
#   http://HOST:8004/SLNetService -> slnet-remoting on 8004, required
#   no Redirect                   -> slnet-grpc on 443, slnet-remoting-off on 8004: closed
#                                    passes, a listener there is a warning, never a failure
# The two Redirects not of the form https://*/APIGateway are what DataMiner's upgrade
# prerequisite VerifyGRPCConnection refuses: "upgrade" in both JSON documents, a note each.
# Usage: test_redirects.sh DMSCONN DATA
set -u
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/tally.sh"
dmsconn=$(realpath "$1")
data=$(realpath "$2")
lib=$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)
work=$(mktemp -d)
listener=
trap '[[ -n $listener ]] && kill "$listener" 2> /dev/null; rm -rf "$work"' EXIT
cp -r "$data/dataminer/upgraded-10.6" "$work/dm"
grep -rl '10\.45\.' "$work/dm" | xargs sed -i 's/10\.45\./127.45./g'

# what each DMA is reached with, from the plan's JSON and from the check's
expect() { # FILE KEY: every DMA link check towards .12-.15 as "to check/port" lines
    python3 - "$1" "$2" << 'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
links = {"slnet-grpc", "slnet-grpc-http", "slnet-remoting", "slnet-remoting-off"}
got = sorted({(x["to"], x["check"], x["port"]) for x in doc[sys.argv[2]]
              if x["check"] in links and x["from"] == "127.45.1.11"})
want = [("127.45.1.12", "slnet-grpc", 4443),
        ("127.45.1.13", "slnet-grpc-http", 80),
        ("127.45.1.14", "slnet-remoting", 8004),
        ("127.45.1.15", "slnet-grpc", 443), ("127.45.1.15", "slnet-remoting-off", 8004)]
assert got == want, got
assert any("Redirects make some pairs plain HTTP" in n for n in doc["notes"]), doc["notes"]
PY
}
timeout 30 "$dmsconn" plan --dataminer-dir "$work/dm" --format json > "$work/plan.json" &&
    expect "$work/plan.json" tasks && ok || ko "plan of a 10.6 cluster with Redirects"

# a leftover Remoting listener on .15 (no Redirect: 8004 should be closed)
listener=$(python3 "$lib/listen_and_close.py" 127.45.1.15 8004 30)
timeout 30 "$dmsconn" check --from-here --dataminer-dir "$work/dm" --as 127.45.1.11 \
    --timeout 0.3 --json "$work/run.json" --quiet
rc=$?
[[ $rc -eq 2 ]] && ok || ko "check: exit $rc (nothing listens on the required ports: 2)"
expect "$work/run.json" results && ok || ko "check --from-here of a 10.6 cluster with Redirects"
python3 - "$work/run.json" << 'PY' && ok || ko "Remoting's port where Remoting is off"
import json, sys
r = json.load(open(sys.argv[1]))["results"]
off = {x["to"]: x for x in r if x["check"] == "slnet-remoting-off" and x["from"] == "127.45.1.11"}
assert off["127.45.1.15"]["verdict"] == "warn", off["127.45.1.15"]      # still answering
# the Redirect's own Remoting pair is required: nothing there is a failure
rem = [x for x in r if x["check"] == "slnet-remoting" and x["from"] == "127.45.1.11"]
assert [x["verdict"] for x in rem] == ["fail"], rem
PY
python3 - "$work/plan.json" "$work/run.json" << 'PY' && ok || ko "VerifyGRPCConnection's findings"
import json, sys
for f in sys.argv[1:]:
    doc = json.load(open(f))
    got = [(u["file"].rsplit("/", 1)[-1], u["line"], u["finding"]) for u in doc["upgrade"]]
    assert got == [("DMS.xml", 11, "http://127.45.1.13/APIGateway is not of format "
                                   "'https://*/APIGateway'"),
                   ("DMS.xml", 12, "http://127.45.1.14:8004/SLNetService is not of format "
                                   "'https://*/APIGateway'")], (f, got)
    assert sum("VerifyGRPCConnection" in n for n in doc["notes"]) == 2, doc["notes"]
PY
# the default: nothing refused, an empty list and a note that says so; no folder: null
cp -r "$data/dataminer/current-10.6" "$work/current"
timeout 30 "$dmsconn" plan --dataminer-dir "$work/current" --format json > "$work/cur.json" &&
    python3 - "$work/cur.json" << 'PY' && ok || ko "a default 10.6 folder: upgrade []"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["upgrade"] == [], doc["upgrade"]
assert any("finds no setting to refuse" in n for n in doc["notes"]), doc["notes"]
PY
timeout 30 "$dmsconn" plan --node a=127.45.1.11 --node b=127.45.1.12 --format json \
    > "$work/nodes.json" && python3 - "$work/nodes.json" << 'PY' && ok || ko "no folder: null"
import json, sys
assert json.load(open(sys.argv[1]))["upgrade"] is None
PY
tally
