#!/usr/bin/env bash
# The demo end to end: real listeners on 127.0.1.x, the real engine, the seeded faults found,
# and the JSON report parsed by Python against the contract. Usage: test_demo.sh DMSCONN DATA
set -u
dmsconn=$1
passed=0 failed=0
check() { # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $what"; fi
}

out=$(timeout 30 "$dmsconn" demo --no-color); rc=$?
echo "$out"
check "demo exits 0 when every result matches the seeded faults (got $rc)" test "$rc" -eq 0
check "demo reports the match" grep -q "results match the seeded faults" <<<"$out"
check "demo shows the matrix" grep -q "^from.to" <<<"$out"
check "Telnet left open is a failure" grep -q "FAIL dma1 -> dma2 telnet" <<<"$out"
check "the diagnosis comes first: five causes for the twelve failures" \
    grep -q "^Diagnosis: 5 causes explain 12 failed checks:" <<<"$out"
check "db1's dropped 9042 is one cause with one rule" grep -q \
    "remedy: in db1's inbound firewall, allow tcp/9042 from dma1 (127.0.1.1), dma2 (127.0.1.2) and" \
    <<<"$out"
check "the squatted 8004 in the BPA's words" grep -q \
    "dma1: Unable to communicate with legacy remoting connection ports on these Agents: dma3" <<<"$out"

json=$(mktemp)
timeout 30 "$dmsconn" demo --json "$json" --quiet >/dev/null
check "demo --json writes a report that matches the contract" python3 - "$json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["schema"] == "dmsconn.report/1", r["schema"]
assert r["cluster"] == "demo" and r["verdict"] == "critical"
assert isinstance(r["duration_ms"], (int, float)) and r["started"].endswith("Z")
assert [n["name"] for n in r["nodes"]] == ["dma1", "dma2", "dma3", "db1"]
keys = {"from", "to", "check", "port", "transport", "state", "expect", "verdict",
        "latency_ms", "detail", "remedy"}
states = {}
for x in r["results"]:
    assert keys <= x.keys(), x
    states[(x["from"], x["to"], x["check"])] = x["state"]
    assert (x["verdict"] == "pass") == (x["remedy"] is None), x
assert states[("dma1", "db1", "cql")] == "filtered"
assert states[("dma2", "dma3", "nats-account")] == "refused"
assert states[("dma3", "dma2", "slnet-grpc")] == "ok"
assert ("dma1", "dma2", "slnet-remoting") not in states   # dma2 is reached over gRPC
assert states[("dma1", "dma3", "slnet-remoting")] == "wrong_service"   # a web server squats 8004
assert states[("dma1", "dma2", "nats-client")] == "ok"
evidence = {(x["from"], x["to"], x["check"]): x.get("evidence", "") for x in r["results"]}
assert "MS .NET Remoting" in evidence[("dma2", "dma1", "slnet-remoting")]
assert "CQL_VERSION 3.4.5" not in evidence[("dma1", "db1", "cql")]     # dropped: no answer
assert states[("dma1", "dma2", "nats-account")] == "wrong_service"      # 9090 clash
assert states[("dma1", "db1", "opensearch-http")] == "ok"
# 42: the optional CloudGateway self-check of each DMA passes closed (3 of them)
# ICMP echo from each DMA to the 3 other nodes: 9 cells, answered on loopback (or, where this
# machine may not send echo, not measured: then they warn with the remedy, outside the verdict)
icmp = [x for x in r["results"] if x["check"] == "icmp"]
assert len(icmp) == 9 and all(x["port"] == 0 and x["transport"] == "icmp" for x in icmp), icmp
if all(x["state"] == "ok" for x in icmp):
    assert all(x["icmp"]["received"] == 3 for x in icmp), icmp
    assert r["counts"] == {"pass": 51, "warn": 0, "fail": 12, "unmeasured": 0}, r["counts"]
else:
    assert all(x["state"] == "unknown" and x["detail"].startswith("no ICMP socket") for x in icmp), icmp
    assert r["counts"]["pass"] == 42 and r["counts"]["fail"] == 12, r["counts"]
# the diagnosis: one cause per seeded fault that fails, each failed result in exactly one
found = [(f["kind"], f["to"], [p["port"] for p in f["ports"]]) for f in r["findings"]]
assert found == [("service_down", "dma3", [9090]), ("inbound_blocked", "db1", [9042]),
                 ("service_fault", "dma2", [9090]), ("service_fault", "dma3", [8004]),
                 ("port_open", "dma2", [23])], found
for x in r["results"]:
    if x["verdict"] == "pass":
        assert "finding" not in x, x
    else:
        f = r["findings"][x["finding"]]
        assert {"from": x["from"], "to": x["to"], "check": x["check"], "port": x["port"]} \
            in f["cells"], (x, f)
assert sum(len(f["cells"]) for f in r["findings"]) == r["counts"]["fail"]
PY
rm -f "$json"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
