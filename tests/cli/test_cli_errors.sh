#!/usr/bin/env bash
# The program on bad input: one clear message naming file, line and what was expected,
# exit 3, never a crash. And --help for every subcommand. Usage: test_cli_errors.sh DMSCONN DATA
set -u
dmsconn=$1 data=$2
passed=0 failed=0

# expect CODE NEEDLE -- ARGS...: the exit code and a piece of stderr+stdout.
expect() {
    local want=$1 needle=$2; shift 3
    local out rc
    out=$(timeout 20 "$dmsconn" "$@" 2>&1); rc=$?
    if [[ $rc -eq $want && $out == *"$needle"* ]]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        printf 'FAIL: dmsconn %s\n  expected exit %s and "%s"\n  got exit %s: %s\n' \
            "$*" "$want" "$needle" "$rc" "$out"
    fi
}

expect 3 "dms-malformed.xml:5" -- check --from-here --dms "$data/dms-malformed.xml"
expect 3 "dms-empty.xml: the file is empty" -- check --from-here --dms "$data/dms-empty.xml"
expect 3 "external entity" -- check --from-here --dms "$data/dms-xxe.xml"
expect 3 "nope.xml: cannot open" -- check --from-here --dms "$data/nope.xml"
expect 3 "expected a regular file" -- check --from-here --dms "$data"
expect 3 "expected DMS.xml" -- check --from-here --db "$data/db-localhost-only.xml"
expect 3 "inventory-bad-role.yaml:5: unknown role 'mongodb'" -- \
    check --from-here --inventory "$data/inventory-bad-role.yaml"
expect 3 "inventory-dup.yaml:5" -- check --from-here --inventory "$data/inventory-dup.yaml"
expect 3 "expected a port number 1-65535" -- \
    check --from-here --inventory "$data/inventory-bad-port.yaml"
expect 3 "profile-bad-probe.yaml:2: unknown probe 'cassandra'" -- \
    check --from-here --node a=127.0.0.1 --profile "$data/profile-bad-probe.yaml"
# the list of probes is whole, the last of the registry included (a fixed buffer cut it)
expect 3 "opensearch-https, https-name" -- \
    check --from-here --node a=127.0.0.1 --profile "$data/profile-bad-probe.yaml"
expect 3 "no probe takes a secret named so; expected one of opensearch (USER:PASSWORD), snmp (the v2c community), nats (" -- \
    check --from-here --node a=127.0.0.1 --secret nope=/dev/null
expect 3 "unknown role 'oracle'" -- check --from-here --node a=127.0.0.1:oracle
expect 3 "no nodes" -- check --from-here
expect 3 "--timeout 'x'" -- check --from-here --node a=127.0.0.1 --timeout x
expect 3 "--timeout '0'" -- check --from-here --node a=127.0.0.1 --timeout 0
expect 3 "--concurrency '0'" -- check --from-here --node a=127.0.0.1 --concurrency 0
expect 3 "no check named 'cqll'" -- check --from-here --node a=127.0.0.1 --check cqll
expect 3 "no node named 'zz'" -- check --from-here --node a=127.0.0.1 --to zz
expect 3 "--as nobody" -- check --from-here --node a=192.0.2.1 --as nobody
expect 3 "expected --token-file" -- check --node a=192.0.2.1 --node b=192.0.2.2
expect 3 "unknown command 'chek'" -- chek
expect 3 "expected 'show'" -- profile
expect 3 "nothing to check" -- check --from-here --as 10.20.2.21 --dms "$data/dms-sample.xml" \
    --db "$data/db-sample.xml" --check slnet-remoting
# a message about a Redirect quotes the element, but never its password
expect 3 "dms-bad-via.xml:5" -- check --from-here --dms "$data/dms-bad-via.xml"
out=$("$dmsconn" check --from-here --dms "$data/dms-bad-via.xml" 2>&1)
if [[ $out == *"secret-in-bad-via"* ]]; then
    failed=$((failed + 1)); echo "FAIL: the Redirect's pwd was printed: $out"
else
    passed=$((passed + 1))
fi

for cmd in check agent plan merge diff demo profile; do
    expect 0 "usage: dmsconn $cmd" -- "$cmd" --help
done
# each command takes only the options it uses (one table, src/cli/cli_option_table.c)
expect 3 "--timeout is an option of 'dmsconn check', not of 'dmsconn merge'" -- \
    merge --node a=127.0.0.1 --timeout 1 r.json
expect 3 "--json is an option of 'dmsconn check', not of 'dmsconn plan'" -- \
    plan --node a=127.0.0.1 --json -
expect 3 "--node is an option of 'dmsconn check', not of 'dmsconn demo'" -- demo --node a=127.0.0.1
expect 3 "--secret is an option of 'dmsconn check', not of 'dmsconn diff'" -- diff --secret a=b x y
expect 3 "--no-agent is an option of 'dmsconn check', not of 'dmsconn agent'" -- \
    agent --token-file x --no-agent a --node a=127.0.0.1
expect 3 "a Windows service exists only on Windows: here, install the systemd unit" -- \
    agent --install-service --token-file x --node a=127.0.0.1
expect 0 "  --max-age HOURS" -- merge --help
expect 0 "  --tls-auto DIR" -- agent --help
expect 0 "commands:" -- --help
expect 0 "cql-tls" -- profile show
expect 0 "name: cql" -- profile show --yaml
expect 0 "tcp-8443" -- profile show --profile "$data/profile-override.yaml"

# the DataMiner folder and the plan
dm=$data/dataminer
expect 3 "no such directory" -- plan --dataminer-dir "$data/nope"
expect 3 "neither Configurations/ClusterEndpoints.json nor DMS.xml" -- plan --dataminer-dir "$data"
expect 3 "not with --dms or --db" -- plan --dataminer-dir "$dm/staas" --dms "$data/dms-sample.xml"
expect 3 "--dms given twice" -- plan --dms "$data/dms-sample.xml" --dms "$data/dms-sample.xml"
expect 3 "--format 'xml': expected text, json or csv" -- plan --dataminer-dir "$dm/staas" --format xml
expect 3 "--to: no node named 'db9'" -- plan --dataminer-dir "$dm/staas" --to db9
expect 3 "--staas-endpoint 'x:0'" -- plan --dataminer-dir "$dm/staas" --staas-endpoint x:0
expect 0 "from,from_address,to,to_address,port,transport,service,expect" -- \
    plan --dataminer-dir "$dm/legacy-10.3" --format csv
expect 0 '"schema":"dmsconn.plan/1"' -- plan --dataminer-dir "$dm/current-10.6" --format json
expect 0 "-> 10.40.1.100 10.40.1.100       443/tcp  slnet-grpc" -- plan --dataminer-dir "$dm/current-10.6" --from 10.40.1.11
expect 0 "staas                    https" -- profile show --dataminer-dir "$dm/staas" \
    --staas-endpoint staas.example:8443
# behind DB.xml's proxy the endpoint is a node, but only the proxy is probed
out=$("$dmsconn" plan --dataminer-dir "$dm/staas" --staas-endpoint "[2001:db8::5]:8443" --format json 2>&1)
[[ $out == *'{"name":"2001:db8::5","addresses":["2001:db8::5"],"roles":["staas"]}'* &&
    $out != *'"to":"2001:db8::5"'* && $out == *'"check":"staas-proxy","port":3128'* ]] &&
    passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: --staas-endpoint [v6]:port: $out"; }
# the JSON plan parses and lists the tasks the text plan counts
"$dmsconn" plan --dataminer-dir "$dm/current-10.6" --format json | python3 -c '
import json, sys
p = json.load(sys.stdin)
assert p["schema"] == "dmsconn.plan/1" and p["cluster"] == "lyra", p["cluster"]
g = p["generation"]
assert g["dma_link"] == "grpc" and g["nats"] == "broker-gateway" and g["cassandra_tls"], g
assert len(p["tasks"]) == 188, len(p["tasks"])  # 156 + ICMP echo: 4 DMAs to 8 nodes each
assert not [t for t in p["tasks"] if t["port"] in (9090, 9142, 7000)]
assert {t["address"] for t in p["tasks"] if t["to"] == "10.40.1.100"} == {"10.40.1.100"}
' && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: the JSON plan"; }

# the YAML that 'profile show --yaml' prints is itself a valid profile
tmp=$(mktemp)
"$dmsconn" profile show --yaml > "$tmp"
expect 0 "profile dataminer: 27 checks" -- profile show --profile "$tmp"
# ... and so is one with a check without a port (ICMP), which may not be given one
printf 'checks:\n  - {probe: icmp, from: [dma], to: [dma], expect: advisory}\n' > "$tmp"
"$dmsconn" profile show --profile "$tmp" --yaml > "$tmp.2"
expect 0 "-/icmp" -- profile show --profile "$tmp.2"
printf 'checks:\n  - {probe: icmp, port: 7, from: [dma], to: [dma]}\n' > "$tmp"
expect 3 "probe 'icmp' has no port (ICMP); expected no 'port'" -- profile show --profile "$tmp"
rm -f "$tmp" "$tmp.2"

# first use: what an admin meets in the first hour, each refused before anything runs
w=$(mktemp -d)
one=(--from-here --node a=127.0.0.1 --timeout 0.2)
expect 3 "--baseline $w/typo.json: No such file or directory" -- check "${one[@]}" --baseline "$w/typo.json"
expect 3 "--json /nonexistent/r.json: no directory /nonexistent" -- check "${one[@]}" --json /nonexistent/r.json
expect 3 "--html $w: a directory" -- check "${one[@]}" --html "$w"
touch "$w/file"
expect 3 "--history $w/file: not a directory" -- check "${one[@]}" --history "$w/file"
mkfifo "$w/fifo"
expect 3 "$w/fifo: expected a regular file" -- check --from-here --dms "$w/fifo"
expect 3 "b=0.0.0.0" -- check --from-here --node b=0.0.0.0
expect 3 "0.0.0.0 is the unspecified address" -- check --from-here --node b=0.0.0.0
expect 3 "255.255.255.255 is the broadcast address" -- check --from-here --node b=255.255.255.255
expect 3 "224.0.0.251 is a multicast address" -- check --from-here --node b=224.0.0.251
expect 3 "ff02::1 is a multicast address" -- check --from-here --node "b=[ff02::1]:dma"
expect 3 "--html is an option of 'dmsconn check'" -- agent --token-file x --html x --node a=127.0.0.1
expect 3 "--snmp-community-file $w/nope: cannot read it" -- check "${one[@]}" --snmp-community-file "$w/nope"
# --secret NAME=FILE: one mechanism for every probe's secret, each checked before the run
(umask 077; echo "public-x" > "$w/community"; echo "no-colon" > "$w/userpw"; echo "u:p" > "$w/up")
expect 3 "--secret redis=...: no probe takes a secret named so; expected one of" -- \
    check "${one[@]}" --secret "redis=$w/community"
expect 3 "nats (a NATS .creds file, USER:PASSWORD or a token)" -- \
    check "${one[@]}" --secret "redis=$w/community"
expect 3 "--secret $w/userpw: expected USER:PASSWORD on one line" -- \
    check "${one[@]}" --secret "opensearch=$w/userpw"
expect 3 "--opensearch-credentials $w/userpw: expected USER:PASSWORD on one line" -- \
    check "${one[@]}" --opensearch-credentials "$w/userpw"
expect 3 "the snmp secret is given twice" -- \
    check "${one[@]}" --secret "snmp=$w/community" --snmp-community-file "$w/community"
expect 3 "--secret 'snmp': expected NAME=FILE" -- check "${one[@]}" --secret snmp
chmod 644 "$w/up"
expect 3 "--secret $w/up: the file is open to others (mode 0644); expected 0600" -- \
    check "${one[@]}" --secret "opensearch=$w/up"
# a 0600 file of another user (a secret planted for us, or someone else's): refused by owner;
# a --tls-auto folder others may enter: refused before a key in it is used
if [[ $(id -u) -eq 0 ]]; then
    chmod 600 "$w/up" && chown 65534 "$w/up"
    expect 3 "--secret $w/up: the file belongs to user 65534; expected root or this user" -- \
        check "${one[@]}" --secret "opensearch=$w/up"
    mkdir -p "$w/tlsdir" && chmod 777 "$w/tlsdir"
    (umask 077 && echo "a-token-of-enough-characters" > "$w/tok")
    expect 3 "--tls-auto: the folder $w/tlsdir: the folder is open to others (mode 0777); expected 0700" -- \
        agent --node a=127.0.0.1 --token-file "$w/tok" --tls-auto "$w/tlsdir" --listen 127.0.0.1:1
else
    echo "skipped (loudly): the owner checks need root to give a file away"
fi
# an unknown option: one line, ours
out=$(timeout 5 "$dmsconn" check --bogus 2>&1)
[[ $(wc -l <<<"$out") -eq 1 && $out == *"unknown option, or one missing its value: '--bogus'"* ]] &&
    passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: --bogus: $out"; }
# a UTF-16 inventory from a Windows editor: read with its BOM, a clear word without one
printf 'nodes:\n  - {name: u1, address: 127.0.0.1, roles: [dma]}\n' > "$w/inv8.yaml"
{ printf '\xff\xfe'; iconv -f UTF-8 -t UTF-16LE "$w/inv8.yaml"; } > "$w/inv16.yaml"
iconv -f UTF-8 -t UTF-16LE "$w/inv8.yaml" > "$w/inv16-nobom.yaml"
expect 0 "-> u1" -- plan --inventory "$w/inv16.yaml" --node u2=127.0.0.2
expect 3 "inv16-nobom.yaml:1: UTF-16 without a byte order mark: save it as UTF-8" -- \
    plan --inventory "$w/inv16-nobom.yaml"
rm -rf "$w"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
