#!/usr/bin/env bash
# Real nats-server (Debian's): the client port with no authentication, with a user and
# password, with a token and with TLS required (the certificate read after the INFO, as a
# client's handshake would: its dates judged, its trust shown, not judged, with TLS 1.3 even
# where the server wants a client certificate; a greeting whose server then closes: the
# greeting's verdict stands); a route port with TLS, which says nothing before the
# handshake: made after a silence, its certificate read; clusters whose routes come from 127.0.0.1
# whatever address a server listens on (a loopback lab: what a multi-homed host or NAT does
# to the route table), one whole and one with a server left out of the routes.
# Usage: test_peers_nats.sh DMSCONN DATA
source "$(dirname "$0")/lib.sh"
need nats-server openssl
base=$(python3 "$lib_dir/free_base.py" 20 127.0.0.1 127.0.3.1 127.0.3.2 127.0.3.3 \
    127.0.4.1 127.0.4.2 127.0.4.3)
plain=$base userpw=$((base + 1)) token=$((base + 2)) tls=$((base + 3)) tls20=$((base + 4))
vclient=$((base + 5)) fake=$((base + 6)) troute=$((base + 7)) tclient=$((base + 8))
client=$((base + 10)) route=$((base + 11)) mon=$((base + 12))
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
    -days 365 -subj /CN=nats -addext "subjectAltName=IP:127.0.0.1" 2> /dev/null
printf 'port: %s\nauthorization { user: alice, password: "pw-peer-test" }\n' "$userpw" > "$work/userpw.conf"
printf 'port: %s\nauthorization { token: "tok-peer-test" }\n' "$token" > "$work/token.conf"
printf 'port: %s\ntls { cert_file: "%s", key_file: "%s" }\n' "$tls" "$work/cert.pem" \
    "$work/key.pem" > "$work/tls.conf"
start plain nats-server -a 127.0.0.1 -p "$plain"
start userpw nats-server -a 127.0.0.1 -c "$work/userpw.conf"
start token nats-server -a 127.0.0.1 -c "$work/token.conf"
start tls nats-server -a 127.0.0.1 -c "$work/tls.conf"
# a certificate 20 days from its end (SLDataGateway's notice: under 30), and a client port
# whose TLS verifies clients (verify: true)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/key20.pem" \
    -out "$work/cert20.pem" -days 20 -subj /CN=nats20 -addext "subjectAltName=IP:127.0.0.1" 2> /dev/null
printf 'port: %s\ntls { cert_file: "%s", key_file: "%s" }\n' "$tls20" "$work/cert20.pem" \
    "$work/key20.pem" > "$work/tls20.conf"
printf 'port: %s\ntls { cert_file: "%s", key_file: "%s", ca_file: "%s", verify: true }\n' \
    "$vclient" "$work/cert.pem" "$work/key.pem" "$work/cert.pem" > "$work/verify.conf"
start tls20 nats-server -a 127.0.0.1 -c "$work/tls20.conf"
start verify nats-server -a 127.0.0.1 -c "$work/verify.conf"
# a cluster port with TLS: nats-server makes the route's handshake before any INFO (and
# verifies the other side's certificate, as routes always do)
printf 'port: %s\ncluster { name: t, port: %s, tls { cert_file: "%s", key_file: "%s", ca_file: "%s" } }\n' \
    "$tclient" "$troute" "$work/cert.pem" "$work/key.pem" "$work/cert.pem" > "$work/troute.conf"
start troute nats-server -a 127.0.0.1 -c "$work/troute.conf"
# cluster 3: n1 routes to n2 and n3, which learn of each other by gossip; cluster 4: m1 and
# m2 route, m3 is on its own
start n1 nats-server -n n1 -a 127.0.3.1 -p "$client" -m "$mon" --cluster_name whole \
    --cluster "nats://127.0.3.1:$route" --routes "nats://127.0.3.2:$route,nats://127.0.3.3:$route"
for i in 2 3; do
    start "n$i" nats-server -n "n$i" -a "127.0.3.$i" -p "$client" -m "$mon" --cluster_name whole \
        --cluster "nats://127.0.3.$i:$route"
done
start m1 nats-server -n m1 -a 127.0.4.1 -p "$client" -m "$mon" --cluster_name cut \
    --cluster "nats://127.0.4.1:$route" --routes "nats://127.0.4.2:$route"
start m2 nats-server -n m2 -a 127.0.4.2 -p "$client" -m "$mon" --cluster_name cut \
    --cluster "nats://127.0.4.2:$route" --routes "nats://127.0.4.1:$route"
start m3 nats-server -n m3 -a 127.0.4.3 -p "$client" -m "$mon" --cluster_name cut \
    --cluster "nats://127.0.4.3:$route"
up 127.0.0.1:$plain 127.0.0.1:$userpw 127.0.0.1:$token 127.0.0.1:$tls 127.0.0.1:$tls20 \
    127.0.0.1:$vclient 127.0.0.1:$troute \
    http://127.0.3.1:$mon/varz http://127.0.3.2:$mon/varz http://127.0.3.3:$mon/varz \
    http://127.0.4.1:$mon/varz http://127.0.4.3:$mon/varz
# every route up (num_routes 2 in the whole cluster, 1 for m1 and m2), bounded; n2 lists
# its route to n1 under 127.0.0.1 (what the case is about)
python3 - "$mon" << 'PY' || { echo "FAIL: the NATS routes never came up as expected"; exit 1; }
import json, sys, time, urllib.request
want = {"127.0.3.1": 2, "127.0.3.2": 2, "127.0.3.3": 2, "127.0.4.1": 1, "127.0.4.2": 1}
def routez(host):
    return json.load(urllib.request.urlopen(f"http://{host}:{sys.argv[1]}/routez", timeout=1))
deadline = time.time() + 10
while want and time.time() < deadline:
    for host, n in list(want.items()):
        if routez(host)["num_routes"] >= n:
            del want[host]
    time.sleep(0.1)
ips = [r["ip"] for r in routez("127.0.3.2")["routes"]]
sys.exit(1 if want or "127.0.0.1" not in ips else 0)
PY
umask 077
echo "alice:pw-peer-test" > "$work/userpw.secret"
echo "alice:not-the-password" > "$work/wrong.secret"
echo "tok-peer-test" > "$work/token.secret"

check info-plain nats "$plain"
check info-tls nats "$tls"
check msg-plain nats-messaging "$plain"
check msg-userpw nats-messaging "$userpw"
check msg-token nats-messaging "$token"
check msg-tls nats-messaging "$tls"
run "$work/none.json" --check info-plain,info-tls,msg-plain,msg-userpw,msg-token,msg-tls
expect "$work/none.json" << 'CASES' || exit 1
info-plain | ok | name | NATS protocol: the server speaks first with INFO {json}
info-tls | ok | TLS required | INFO is sent in clear before the TLS upgrade, tls_required true
msg-plain | ok | reached local | no authorization block: any client may publish and subscribe
msg-userpw | auth | it wants credentials: give --nats-creds | authorization user/password: a client without them gets -ERR 'Authorization Violation'
msg-token | auth | it wants credentials | authorization token: the same -ERR without the token
msg-tls | tls | self-signed certificate | tls block: the server requires TLS and its certificate chains to no CA given
CASES
# TLS required: the certificate read after the INFO, whoever signed it (BrokerGateway's NATS
# trusts its own CA), its dates judged as every TLS endpoint's
check info-tls20 nats "$tls20"
check client-verify nats "$vclient"
check fake-tls nats "$fake"
check route-tls nats "$troute"
pids+=("$(python3 "$lib_dir/listen_and_close.py" 127.0.0.1 "$fake" 60 \
    'INFO {\"server_id\":\"FAKE\",\"version\":\"2.9.10\",\"tls_required\":true}\r\n')")
run "$work/certs.json" --check info-tls,info-tls20,client-verify,fake-tls,route-tls,info-plain
python3 - "$work/certs.json" << 'PY' || { echo "FAIL: NATS certificates"; exit 1; }
import json, sys
r = {x["check"]: x for x in json.load(open(sys.argv[1]))["results"]}
a, b, v = r["info-tls"], r["info-tls20"], r["client-verify"]
assert a["state"] == "ok" and a["verdict"] == "pass", a
assert a["tls"]["subject"] == "CN=nats" and a["tls"]["days_left"] > 360, a["tls"]
assert a["tls"]["verified"] is False and "TLSv1.3" in a["evidence"], a
assert "server_id" in a["evidence"], a["evidence"]  # the INFO's, kept
assert b["state"] == "ok" and b["verdict"] == "warn" and 19 < b["tls"]["days_left"] <= 20, b
assert "renew the certificate" in b["remedy"] and "CN=nats20" in b["remedy"], b["remedy"]
# TLS 1.3: the server's certificate comes before it asks for the client's
assert v["state"] == "ok" and v["tls"]["subject"] == "CN=nats", v
f = r["fake-tls"]  # INFO with tls_required, then the connection closed: no handshake
assert f["state"] == "ok" and f["verdict"] == "pass" and not f.get("tls"), f
assert "its TLS handshake failed, no certificate read" in f["evidence"], f["evidence"]
# TLS before any INFO (a route with TLS): the handshake made after a silence, the certificate
# read, the server's wish for a client certificate said, no false wrong_service
t = r["route-tls"]
assert t["state"] == "ok" and t["tls"]["subject"] == "CN=nats", t
assert "speaks only after the handshake" in t["detail"], t["detail"]
# a server that greets at once is never sent a handshake
p = r["info-plain"]
assert p["state"] == "ok" and not p.get("tls") and "TLS" not in p["evidence"], p
PY
run "$work/userpw.json" --check msg-userpw --nats-creds "$work/userpw.secret"
run "$work/wrong.json" --check msg-userpw --nats-creds "$work/wrong.secret"
run "$work/token.json" --check msg-token --nats-creds "$work/token.secret"
run "$work/ca.json" --check msg-tls --ca "$work/cert.pem"
python3 - "$work"/{userpw,wrong,token,ca}.json > "$work/merged.json" << 'PY'
import json, sys
print(json.dumps({"results": [dict(json.load(open(f))["results"][0], check=f.split("/")[-1][:-5])
                              for f in sys.argv[1:]]}))
PY
expect "$work/merged.json" << 'CASES' || exit 1
userpw | ok | reached local | CONNECT with user and pass (--nats-creds USER:PASSWORD)
wrong | auth | check the --nats-creds file | a wrong password: -ERR 'Authorization Violation'
token | ok | reached local | CONNECT with auth_token (--nats-creds holding a token)
ca | ok | reached local | TLS verified against --ca
CASES
if grep -rq "pw-peer-test\|tok-peer-test" "$work"/*.json; then
    echo "FAIL: a NATS secret appears in a report"; exit 1
fi

check monitor nats-monitor "$mon"
nodes=(--node n1=127.0.3.1:nats --node n2=127.0.3.2:nats --node n3=127.0.3.3:nats)
run "$work/whole.json" --check monitor
expect "$work/whole.json" << 'CASES' || exit 1
monitor@n1 | ok | routes to 2 peers | n1 solicited both routes: /routez lists them under n2's and n3's addresses
monitor@n2 | ok | routes matched by server id | n2 accepted n1's route: listed under 127.0.0.1, its remote_id is n1's /varz server_id
monitor@n3 | ok | routes matched by server id | the same for n3 (and the gossiped route n2-n3 from one of them)
CASES
nodes=(--node m1=127.0.4.1:nats --node m2=127.0.4.2:nats --node m3=127.0.4.3:nats)
run "$work/cut.json" --check monitor
expect "$work/cut.json" << 'CASES' || exit 1
monitor@m1 | degraded | no route to m3 (of | m1 routes to m2 only: no remote_id is m3's server_id
monitor@m2 | degraded | no route to m3 (of | m2 routes to m1 only
monitor@m3 | degraded | no route to m1, m2 | m3 has no route at all (num_routes 0)
CASES
