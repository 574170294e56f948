#!/usr/bin/env bash
# TLS certificates, judged through both drivers that speak TLS: the dialogue driver's own
# OpenSSL handshake (probe tls) and curl's (probe https), against real servers (openssl
# s_server, nginx) holding certificates this test makes with openssl: a CA, leaves valid 365,
# 20 and 3 days, one expired (made 60 days ago under libfaketime), one whose names lack the
# address it is reached by, one self-signed, and a server that speaks only TLS 1.1.
#   365 days     ok, pass, verified
#   20 days      ok, warn (SLDataGateway: a notice within 30 days)
#   3 days       ok, fail (an error within 7)
#   names        tls, fail: "not valid for 127.0.0.1", the remedy names what is missing
#   expired      tls, fail
#   self-signed  tls, fail: not trusted
#   TLS 1.1      tls, fail: older than 1.2 (DataMiner 10.5.12)
# Then the thresholds moved (--cert-warn-days, --cert-fail-days), --tls-insecure (any
# certificate accepted, its expiry still judged), the terminal's and the page's
# "Certificates", Prometheus's expiry metric (promtool), the findings, a row measured by a
# real agent (the certificate through the wire) and the merge of that report.
# Usage: test_peers_certs.sh DMSCONN
source "$(dirname "$0")/lib.sh"
source "$lib_dir/tally.sh"
need openssl nginx faketime promtool
dmsconn=$(realpath "$dmsconn")
base=$(python3 "$lib_dir/free_base.py" 12 127.0.5.31 127.0.5.32)

# the certificates
cd "$work" || exit 1
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 \
    -subj "/CN=dmsconn test CA" 2> /dev/null
leaf() { # NAME DAYS SAN [FAKETIME]
    openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$1" 2> /dev/null
    printf 'subjectAltName=%s\n' "$3" > "$1.ext"
    ${4:+faketime -f "$4"} openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key \
        -CAcreateserial -days "$2" -extfile "$1.ext" -out "$1.pem" 2> /dev/null
}
leaf d365 365 "IP:127.0.0.1,DNS:localhost"
leaf d20 20 "IP:127.0.0.1"
leaf d3 3 "IP:127.0.0.1"
leaf names 365 "DNS:elsewhere.lab,IP:127.0.0.9"
leaf expired 30 "IP:127.0.0.1" "-60d"
openssl req -x509 -newkey rsa:2048 -nodes -keyout self.key -out self.pem -days 365 \
    -subj "/CN=self" -addext "subjectAltName=IP:127.0.0.1" 2> /dev/null
for c in d365 d20 d3 names expired self; do
    [[ -s $c.pem ]] || { echo "FAIL: openssl made no $c certificate"; exit 1; }
done

# the servers: s_server answers HTTP (-www) after its handshake, so both probes meet it
declare -A port
i=0
for c in d365 d20 d3 names expired self; do
    port[$c]=$((base + i))
    start "s_server-$c" openssl s_server -quiet -accept "127.0.0.1:${port[$c]}" -cert "$c.pem" \
        -key "$c.key" -www
    i=$((i + 1))
done
# TLS 1.1 only (OpenSSL 3 needs security level 0 for it)
port[old]=$((base + 6))
start s_server-old openssl s_server -quiet -accept "127.0.0.1:${port[old]}" -cert d365.pem \
    -key d365.key -www -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'
port[nginx]=$((base + 7))
mkdir -p "$work/nginx"
cat > "$work/nginx.conf" << CONF
pid $work/nginx.pid;
error_log $work/nginx-error.log;
worker_processes 1;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
    uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
    server { listen 127.0.0.1:${port[nginx]} ssl; ssl_certificate $work/d20.pem;
             ssl_certificate_key $work/d20.key; location / { return 200; } }
}
CONF
start nginx nginx -c "$work/nginx.conf" -g 'daemon off;'
targets=()
for c in "${!port[@]}"; do targets+=("127.0.0.1:${port[$c]}"); done
up "${targets[@]}"

{
    echo "name: certs-test"
    echo "base: none"
    echo "checks:"
    for c in d365 d20 d3 names expired self old; do
        echo "  - {name: tls-$c, probe: tls, port: ${port[$c]}, from: [dma], to: [cassandra]}"
        echo "  - {name: https-$c, probe: https, port: ${port[$c]}, from: [dma], to: [cassandra]}"
    done
    echo "  - {name: https-nginx, probe: https, port: ${port[nginx]}, from: [dma], to: [cassandra]}"
} > profile.yaml
echo "cert-test-token-0123456789" > token
chmod 600 token
cat > inventory.yaml << YAML
cluster: certs-test
nodes:
  - {name: dma1, address: 127.0.5.31, roles: [dma], agent: "127.0.5.31:$((base + 11))"}
  - {name: dma2, address: 127.0.5.32, roles: [dma], agent: "127.0.5.32:$((base + 10))"}
  - {name: db1, address: 127.0.0.1, roles: [cassandra], agent: none}
YAML
here() { # JSON [ARGS...]: dma1's row, from here
    local json=$1
    shift
    timeout 30 "$dmsconn" check --from-here --inventory inventory.yaml --profile profile.yaml \
        --as dma1 --timeout 2 --no-color --json "$json" "$@"
}

here run.json --ca ca.pem --prom run.prom --html run.html > run.txt
[[ $? -eq 2 ]] && ok || ko "failing certificates: exit 2 (critical)"
python3 - run.json << 'PY' && ok || ko "each certificate's state, verdict and tls block"
import json, sys
r = json.load(open(sys.argv[1]))
res = {x["check"]: x for x in r["results"]}
want = {  # case: (state, verdict, finding kind or None)
    "d365": ("ok", "pass", None), "d20": ("ok", "warn", "certificate"),
    "d3": ("ok", "fail", "certificate"), "names": ("tls", "fail", "certificate"),
    "expired": ("tls", "fail", "certificate"), "self": ("tls", "fail", "certificate"),
    "old": ("tls", "fail", "service_fault")}
kinds = [f["kind"] for f in r["findings"]]
for case, (state, verdict, kind) in want.items():
    for probe in ("tls", "https"):
        x = res[f"{probe}-{case}"]
        assert (x["state"], x["verdict"]) == (state, verdict), x
        assert (kinds[x["finding"]] if "finding" in x else None) == kind, (x, kind)
        if case == "old":
            assert "older than 1.2" in x["detail"] and "tls" not in x, x
            assert "enable TLS 1.2" in x["remedy"], x
            continue
        t = x["tls"]
        assert t["version"] in ("TLSv1.3", "TLSv1.2") and t["checked_name"] == "127.0.0.1", t
        assert t["subject"] == f"CN={case}", t
        assert t["issuer"] == ("CN=self" if case == "self" else "CN=dmsconn test CA"), t
        days = {"d365": 365, "d20": 20, "d3": 3, "names": 365, "expired": -30, "self": 365}[case]
        assert abs(t["days_left"] - days) <= 1, t
        assert t["verified"] == (case not in ("names", "self")), t
        assert t["trusted"] == (case != "self") and t["names_ok"] == (case != "names"), t
    assert x["tls"]["san"] if case != "old" else True
n = res["https-names"]
assert "not valid for 127.0.0.1" in n["detail"] and "DNS:elsewhere.lab, IP:127.0.0.9" in n["detail"]
assert "reissue it with 127.0.0.1" in n["remedy"], n
assert res["tls-names"]["tls"]["san"] == ["DNS:elsewhere.lab", "IP:127.0.0.9"]
assert "expired on" in res["tls-expired"]["detail"] and "renew" in res["https-expired"]["remedy"]
assert "self-signed" in res["tls-self"]["detail"] and "--ca" in res["tls-self"]["remedy"]
assert "expires on" in res["https-d3"]["remedy"] and "within 7 days" in res["https-d3"]["remedy"]
x = res["https-nginx"]  # nginx's certificate is d20's
assert x["state"] == "ok" and x["verdict"] == "warn" and x["tls"]["subject"] == "CN=d20", x
# one finding per endpoint: the tls and https checks of a port share it
cert = [f for f in r["findings"] if f["kind"] == "certificate"]
assert len(cert) == 6, [f["summary"] for f in cert]
assert sorted(len(f["cells"]) for f in cert) == [1, 2, 2, 2, 2, 2], cert  # nginx: https alone
PY
# the terminal: a Certificates section, soonest expiry first
python3 - run.txt << 'PY' && ok || ko "the terminal's Certificates, by expiry"
import re, sys
text = open(sys.argv[1]).read()
section = text.split("Certificates, soonest expiry first (warn within 30 days, fail within 7):")[1]
lines = [l for l in section.splitlines()[1:] if re.match(r"  (ok |WARN|FAIL)", l)]
order = [re.search(r"TLSv1\.\d, CN=(\w+)", l).group(1) for l in lines]
assert order[:4] == ["expired", "d3", "d20", "d20"], order
assert "does not name 127.0.0.1" in section and "not trusted: self-signed certificate" in section
assert "Diagnosis:" in text and "certificate: the certificate of tls-d3 on db1" in text, text
PY
grep -q 'id="certificates"' run.html && grep -q "CN=expired" run.html && ok ||
    ko "the page's Certificates"
promtool check metrics < run.prom > promtool.txt 2>&1
[[ $? -eq 0 ]] && ok || { cat promtool.txt; ko "promtool check metrics"; }
python3 - run.prom d20.pem << 'PY' && ok || ko "dmsconn_cert_expiry_timestamp_seconds"
import subprocess, sys, datetime
lines = [l for l in open(sys.argv[1]) if l.startswith("dmsconn_cert_expiry_timestamp_seconds{")]
assert len(lines) == 7, lines  # each endpoint with a certificate once: six s_servers, nginx
end = subprocess.run(["openssl", "x509", "-in", sys.argv[2], "-noout", "-enddate"],
                     capture_output=True, text=True).stdout.strip().split("=", 1)[1]
t = datetime.datetime.strptime(end, "%b %d %H:%M:%S %Y %Z").replace(tzinfo=datetime.timezone.utc)
d20 = [l for l in lines if 'subject="CN=d20"' in l]
assert d20 and all(int(float(l.split()[-1])) == int(t.timestamp()) for l in d20), (d20, t)
PY

# the thresholds moved: 20 days passes, 3 warns
here moved.json --ca ca.pem --cert-warn-days 10 --cert-fail-days 2 > /dev/null
python3 - moved.json << 'PY' && ok || ko "--cert-warn-days 10 --cert-fail-days 2"
import json, sys
res = {x["check"]: x for x in json.load(open(sys.argv[1]))["results"]}
assert res["tls-d20"]["verdict"] == "pass" and res["https-d3"]["verdict"] == "warn", res
PY
"$dmsconn" check --cert-warn-days 5 --cert-fail-days 6 --node a=127.0.0.1 > /dev/null 2> err
[[ $? -eq 3 ]] && grep -q "cert-fail-days 6 is above --cert-warn-days 5" err && ok ||
    ko "fail above warn refused"

# --tls-insecure: any certificate accepted, what it is still said, its expiry still judged
here insecure.json --tls-insecure > /dev/null
python3 - insecure.json << 'PY' && ok || ko "--tls-insecure"
import json, sys
res = {x["check"]: x for x in json.load(open(sys.argv[1]))["results"]}
for c in ("self", "names", "d365"):
    x = res[f"https-{c}"]
    assert x["state"] == "ok" and x["verdict"] == "pass" and not x["tls"]["verified"], x
x = res["tls-expired"]
assert x["state"] == "ok" and x["verdict"] == "fail" and "expired on" in x["remedy"], x
PY

# through a real agent: dma2's row measured there, its certificates in its signed answer
"$dmsconn" agent --inventory inventory.yaml --profile profile.yaml --token-file token \
    --listen "127.0.5.32:$((base + 10))" --bind-source --ca ca.pem 2> agent.log &
pids+=($!)
up "http://127.0.5.32:$((base + 10))/v1/health"
timeout 30 "$dmsconn" check --inventory inventory.yaml --profile profile.yaml --token-file token \
    --as dma1 --ca ca.pem --timeout 2 --no-color --json agents.json > agents.txt
python3 - agents.json << 'PY' && ok || { cat agents.txt; ko "certificates through an agent"; }
import json, sys
r = json.load(open(sys.argv[1]))
rows = {}
for x in r["results"]:
    rows.setdefault(x["check"], {})[x["from"]] = x
for check, by in rows.items():
    a, b = by["dma1"], by["dma2"]
    assert (a["state"], a["verdict"]) == (b["state"], b["verdict"]), (a, b)
    assert a.get("tls") == b.get("tls"), (a.get("tls"), b.get("tls"))
assert rows["tls-d20"]["dma2"]["tls"]["days_left"] > 19
PY
# the merge of the rows' own reports keeps every certificate
timeout 30 "$dmsconn" check --from-here --inventory inventory.yaml --profile profile.yaml \
    --as dma2 --ca ca.pem --timeout 2 --json dma2.json > /dev/null
timeout 30 "$dmsconn" merge --inventory inventory.yaml --profile profile.yaml run.json dma2.json \
    --json merged.json > merge.txt 2>&1
python3 - run.json dma2.json merged.json << 'PY' && ok || ko "the merge keeps the certificates"
import json, sys
a, b, m = (json.load(open(p)) for p in sys.argv[1:])
def tls(doc, src):  # days_left is as of each document's making
    return {x["check"]: {k: v for k, v in x["tls"].items() if k != "days_left"}
            if "tls" in x else None for x in doc["results"] if x["from"] == src}
assert tls(m, "dma1") == tls(a, "dma1"), (tls(m, "dma1"), tls(a, "dma1"))
assert tls(m, "dma2") == tls(b, "dma2")
assert sum(1 for t in tls(m, "dma2").values() if t) == 13
PY
[[ $failed -eq 0 ]] || cat merge.txt
tally test_peers_certs
