#!/usr/bin/env bash
# Every dialogue probe against a live peer on loopback: the responders of
# tests/responders/responder.py (written from the specifications; Debian packages no
# Cassandra, OpenSearch or .NET Remoting), a real nats-server, and hostile peers (silent,
# closing at once, garbage, TLS spoken to in clear). Each state a probe can produce is
# checked. Usage: test_probes_live.sh DMSCONN DATA
set -u
dmsconn=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
base=$(python3 "$here/../lib/free_base.py" 110)
declare -A port
i=0
for name in cql cql-v3 es-transport es-tls remoting-http remoting-tcp http-other jrmp telnet \
    silent close garbage os-green os-yellow os-red os-401 http-401 nas apigateway apigateway+tls \
    apigateway-404+tls cql+tls silent+tls; do
    i=$((i + 1))
    port[$name]=$((base + i))
done
args=()
for name in "${!port[@]}"; do args+=("127.0.0.1:${port[$name]}=$name"); done
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
    -days 365 -subj /CN=dma -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
python3 "$here/../responders/responder.py" --lifetime 60 --cert "$work/cert.pem" \
    --key "$work/key.pem" "${args[@]}" > "$work/ready" &
pids+=($!)
# two real nats-servers, clustered: the client port, the route port and monitoring
nats=$((base + 50)) route=$((base + 51)) mon=$((base + 52))
if ! command -v nats-server >/dev/null; then
    echo "nats-server missing: run scripts/test-packages"; exit 1
fi
nats-server -a 127.0.0.1 -p "$nats" -m "$mon" -n probe-test --cluster_name dms \
    --cluster "nats://127.0.0.1:$route" --routes "nats://127.0.0.1:$((base + 61))" \
    > "$work/nats.log" 2>&1 &
pids+=($!)
nats-server -a 127.0.0.1 -p $((base + 60)) -n probe-peer --cluster_name dms \
    --cluster "nats://127.0.0.1:$((base + 61))" --routes "nats://127.0.0.1:$route" \
    > "$work/nats2.log" 2>&1 &
pids+=($!)
# a real snmpd on its own port, with its own config and state directory (docs/libraries.md)
snmp=$((base + 70))
mkdir -p "$work/snmp"
printf 'rocommunity dmsconn-test default\n' > "$work/snmpd.conf"
env SNMP_PERSISTENT_DIR="$work/snmp" snmpd -f -Lo -C -c "$work/snmpd.conf" -m '' \
    -p "$work/snmpd.pid" "udp:127.0.0.1:$snmp" > "$work/snmpd.log" 2>&1 &
pids+=($!)
umask 077
echo dmsconn-test > "$work/community"
echo not-this-one > "$work/wrong-community"
# gRPC health responders (python3-h2, from the spec): serving, not serving, no health service
for mode in serving not-serving none; do
    port[grpc-$mode]=$((base + 80 + ${#mode}))
    /usr/bin/python3 "$here/../responders/grpc_health.py" "127.0.0.1:${port[grpc-$mode]}" "$mode" 60 \
        > "$work/grpc-$mode.log" 2>&1 &
    pids+=($!)
done
for _ in $(seq 50); do # bounded: 5 s
    [[ -s $work/ready && -s $work/grpc-serving.log && -s $work/grpc-none.log ]] && python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $nats), 0.2)" 2>/dev/null && break
    sleep 0.1
done

# one check per (probe, peer): name = what is expected
{
    echo "name: live-probes"; echo "base: none"; echo "checks:"
    add() { echo "  - {name: $1, probe: $2, port: $3, from: [any], to: [any], expect: ${4:-optional}}"; }
    add cql-ok cql "${port[cql]}"
    add cql-v3-ok cql "${port[cql-v3]}"
    add cql-tls cql "${port[es-tls]}"
    add cql-wrong cql "${port[http-other]}"
    add cql-silent cql "${port[silent]}"
    add cql-closed cql "${port[close]}"
    add transport-ok opensearch-transport "${port[es-transport]}"
    add transport-tls-ok opensearch-transport "${port[es-tls]}"
    add transport-wrong opensearch-transport "${port[garbage]}"
    add remoting-http-ok remoting "${port[remoting-http]}"
    add remoting-tcp-ok remoting "${port[remoting-tcp]}"
    add remoting-wrong remoting "${port[http-other]}"
    add remoting-silent remoting "${port[silent]}"
    add jmx-ok jmx "${port[jrmp]}"
    add jmx-wrong jmx "${port[garbage]}"
    add telnet-ok telnet "${port[telnet]}"
    add nats-ok nats "$nats"
    add nats-wrong nats "${port[http-other]}"
    add nats-garbage nats "${port[garbage]}"
    add nats-refused nats $((base + 99))
    add nats-route-ok nats "$route"
    add monitor-ok nats-monitor "$mon"
    add monitor-wrong nats-monitor "${port[apigateway]}"
    add os-green opensearch-http "${port[os-green]}"
    add os-yellow opensearch-http "${port[os-yellow]}"
    add os-red opensearch-http "${port[os-red]}" required
    add os-auth opensearch-http "${port[os-401]}"
    add os-wrong opensearch-http "${port[nas]}"
    add os-web-401 opensearch-http "${port[http-401]}"
    add nas-ok nats-account "${port[nas]}"
    add nas-clash nats-account "${port[apigateway]}"
    add nas-refused nats-account $((base + 99))
    add nas-silent nats-account "${port[silent]}"
    add nas-garbage nats-account "${port[garbage]}"
    add web-ok http "${port[nas]}"
    add https-ok https "${port[apigateway+tls]}"
    add https-clear https "${port[garbage]}"
    add cloudgateway-ok cloudgateway "${port[nas]}"
    add cloudgateway-refused cloudgateway $((base + 99))
    add grpc-ok-insecure apigateway "${port[apigateway+tls]}"
    add grpc-clear apigateway "${port[garbage]}"
    add grpc-silent apigateway "${port[apigateway]}"
    add grpc-404 apigateway "${port[apigateway-404+tls]}"
    add cql-tls-ok cql-tls "${port[cql+tls]}"
    add cql-tls-clear cql-tls "${port[cql]}"
    add cql-tls-silent cql-tls "${port[silent]}"
    add tls-ok tls "${port[silent+tls]}"
    add health-serving grpc-health "${port[grpc-serving]}"
    add health-not-serving grpc-health "${port[grpc-not-serving]}"
    add health-none grpc-health "${port[grpc-none]}"
    add health-not-grpc grpc-health "${port[nas]}"
    add tls-closed tls "${port[close]}"
    echo "  - {name: snmp-ok, probe: snmp, port: $snmp, transport: udp, from: [any], to: [any], expect: optional}"
    echo "  - {name: snmp-refused, probe: snmp, port: $((base + 98)), transport: udp, from: [any], to: [any], expect: optional}"
} > "$work/profile.yaml"
# routes come up within half a second (docs/libraries.md); wait for the route, bounded
for _ in $(seq 30); do
    python3 -c "import json,sys,urllib.request; sys.exit(0 if json.load(urllib.request.urlopen('http://127.0.0.1:$mon/routez', timeout=1))['num_routes'] else 1)" 2>/dev/null && break
    sleep 0.1
done

timeout 30 "$dmsconn" check --from-here --all-targets --as tester --node local=127.0.0.1 \
    --profile "$work/profile.yaml" --timeout 1 --json "$work/r.json" --quiet --tls-insecure \
    --snmp-community-file "$work/community"
# the same agent with a community it does not know (through --secret, the one mechanism the
# older --snmp-community-file is a name of): auth, told by the v3 discovery
timeout 30 "$dmsconn" check --from-here --all-targets --as tester --node local=127.0.0.1 \
    --profile "$work/profile.yaml" --check snmp-ok --timeout 1 --json "$work/snmp.json" --quiet \
    --secret "snmp=$work/wrong-community"
python3 -c '
import json, sys
x = json.load(open(sys.argv[1]))["results"][0]
assert x["state"] == "auth" and "not to this v2c community" in x["detail"], x
assert "not-this-one" not in open(sys.argv[1]).read()
' "$work/snmp.json" || { echo "FAIL: a refused SNMP community not reported as auth"; exit 1; }
# the same TLS endpoint with verification against the system's CAs: a tls state
timeout 30 "$dmsconn" check --from-here --all-targets --as tester --node local=127.0.0.1 \
    --profile "$work/profile.yaml" --check grpc-ok-insecure,cql-tls-ok --timeout 1 \
    --json "$work/tls.json" --quiet
python3 -c '
import json, sys
r = {x["check"]: x for x in json.load(open(sys.argv[1]))["results"]}
x = r["grpc-ok-insecure"]
assert x["state"] == "tls" and "tls-insecure" in x["detail"], x
x = r["cql-tls-ok"]
assert x["state"] == "tls" and "self-signed" in x["detail"], x
' "$work/tls.json" || { echo "FAIL: self-signed certificate not reported as tls"; exit 1; }
# trusting that certificate as the CA: verified, ok
timeout 30 "$dmsconn" check --from-here --all-targets --as tester --node local=127.0.0.1 \
    --profile "$work/profile.yaml" --check cql-tls-ok --timeout 1 --ca "$work/cert.pem" \
    --json "$work/ca.json" --quiet
python3 -c '
import json, sys
x = json.load(open(sys.argv[1]))["results"][0]
assert x["state"] == "ok", x
' "$work/ca.json" || { echo "FAIL: cql-tls with --ca"; exit 1; }
# OpenSearch with credentials from a file: accepted, and the password printed nowhere
echo "admin:s3cret-test" > "$work/os-creds"
timeout 30 "$dmsconn" check --from-here --all-targets --as tester --node local=127.0.0.1 \
    --profile "$work/profile.yaml" --check os-auth --timeout 1 --opensearch-credentials \
    "$work/os-creds" --json "$work/os.json" --csv "$work/os.csv" --all > "$work/os.txt" 2>&1
python3 -c '
import json, sys
x = json.load(open(sys.argv[1]))["results"][0]
assert x["state"] == "ok" and "green" in x["detail"], x
' "$work/os.json" || { echo "FAIL: OpenSearch credentials"; exit 1; }
if grep -rq "s3cret-test" "$work/os.json" "$work/os.csv" "$work/os.txt"; then
    echo "FAIL: the OpenSearch password was printed"; exit 1
fi
python3 - "$work/r.json" <<'PY'
import json, sys
want = {
    "cql-ok": ("ok", "CQL_VERSION 3.4.5"), "cql-v3-ok": ("ok", "protocol v3"),
    "cql-tls": ("tls", ""), "cql-wrong": ("wrong_service", ""),
    "cql-silent": ("wrong_service", ""), "cql-closed": ("wrong_service", ""),
    "transport-ok": ("ok", ""), "transport-tls-ok": ("ok", ""),
    "transport-wrong": ("wrong_service", ""),
    "remoting-http-ok": ("ok", "MS .NET Remoting"), "remoting-tcp-ok": ("ok", ""),
    "remoting-wrong": ("wrong_service", ""), "remoting-silent": ("wrong_service", ""),
    "jmx-ok": ("ok", "127.0.0.1:"), "jmx-wrong": ("wrong_service", ""),
    "telnet-ok": ("ok", ""), "nats-ok": ("ok", "name probe-test"),
    "nats-wrong": ("wrong_service", ""), "nats-garbage": ("wrong_service", ""),
    "nats-refused": ("refused", ""), "nats-route-ok": ("ok", "cluster dms"),
    "monitor-ok": ("ok", "routes to 1 peer"), "monitor-wrong": ("wrong_service", ""),
    "os-green": ("ok", "OpenSearch 2.11.1, cluster dms-search"),
    "os-yellow": ("degraded", "yellow"), "os-red": ("degraded", "red"),
    "os-auth": ("auth", "401"), "os-wrong": ("wrong_service", ""),
    "os-web-401": ("wrong_service", "not OpenSearch/Elasticsearch: Server nginx"),
    "nas-ok": ("ok", "NATS Account Server"), "nas-clash": ("wrong_service", "known clash"),
    "nas-refused": ("refused", ""), "nas-silent": ("wrong_service", "no HTTP answer"),
    "nas-garbage": ("wrong_service", ""), "web-ok": ("ok", "HTTP 404"),
    "grpc-ok-insecure": ("ok", "10.4.2.0-14237"), "grpc-clear": ("tls", ""),
    "grpc-404": ("degraded", "APIGateway not running"),
    "grpc-silent": ("tls", "no TLS handshake"),
    "cql-tls-ok": ("ok", "CQL_VERSION 3.4.5"), "cql-tls-clear": ("tls", ""),
    "cql-tls-silent": ("tls", "no TLS handshake"), "tls-ok": ("ok", "CN=dma"),
    "tls-closed": ("tls", "closed during the TLS handshake"),
    "https-ok": ("ok", "HTTP 404"), "https-clear": ("tls", ""),
    "cloudgateway-ok": ("ok", "HTTP 404"), "cloudgateway-refused": ("refused", ""),
    "health-serving": ("ok", "SERVING"), "health-not-serving": ("degraded", "NOT_SERVING"),
    "health-none": ("ok", "no health service"), "health-not-grpc": ("wrong_service", "HTTP/1.1 404"),
    "snmp-ok": ("ok", "sysDescr: Linux"), "snmp-refused": ("refused", "port unreachable"),
}
got = {x["check"]: x for x in json.load(open(sys.argv[1]))["results"]}
bad = 0
for check, (state, evidence) in want.items():
    x = got.get(check, {})
    if x.get("state") != state or evidence not in x.get("evidence", "") + x.get("detail", ""):
        bad += 1
        print(f"FAIL {check}: expected {state} with '{evidence}', got {x.get('state')}: "
              f"{x.get('detail')} / {x.get('evidence')}")
assert got["os-red"].get("severe") is True and got["os-red"]["verdict"] == "fail", got["os-red"]
assert got["os-yellow"]["verdict"] == "warn", got["os-yellow"]
print(f"{len(want) - bad} passed, {bad} failed")
sys.exit(1 if bad else 0)
PY
