#!/usr/bin/env bash
# Real snmpd (Debian's net-snmp): an agent answering SNMPv2c with a community, and an agent
# that speaks SNMPv3 only (a USM user, no community). The snmp probe sends a v2c GET with
# the community and an SNMPv3 engine-ID discovery without credentials, which any v3 agent
# answers with a Report (RFC 3414 section 4, usmStatsUnknownEngineIDs): so a refused
# community (net-snmp drops a v2c request it has no access rule for, without an answer)
# reads auth, not filtered, and a closed port reads refused (ICMP port unreachable).
# Usage: test_peers_snmp.sh DMSCONN DATA
source "$(dirname "$0")/lib.sh"
need snmpd
base=$(python3 "$lib_dir/free_base.py" 4)
v2c=$base v3=$((base + 1)) closed=$((base + 2))
mkdir -p "$work/v2c" "$work/v3"
printf 'rocommunity peers-test default\n' > "$work/v2c.conf"
# v3 only: a USM user with SHA/AES, read-only; no community at all
printf 'createUser peersuser SHA "peers-auth-pass" AES "peers-priv-pass"\nrouser peersuser priv\n' > "$work/v3.conf"
start v2c env SNMP_PERSISTENT_DIR="$work/v2c" snmpd -f -Lo -C -c "$work/v2c.conf" -m '' \
    -p "$work/v2c.pid" "udp:127.0.0.1:$v2c"
start v3 env SNMP_PERSISTENT_DIR="$work/v3" snmpd -f -Lo -C -c "$work/v3.conf" -m '' \
    -p "$work/v3.pid" "udp:127.0.0.1:$v3"
# UDP: wait until each agent has written its pid file (it then listens), bounded
for _ in $(seq 100); do [[ -s $work/v2c.pid && -s $work/v3.pid ]] && break; sleep 0.05; done
[[ -s $work/v2c.pid && -s $work/v3.pid ]] || { tail "$work"/*.log; echo "FAIL: snmpd did not start"; exit 1; }
umask 077
echo peers-test > "$work/community"
echo not-this-one > "$work/wrong"
check v2c snmp "$v2c" udp
check v3-only snmp "$v3" udp
check closed snmp "$closed" udp
run "$work/right.json" --snmp-community-file "$work/community"
expect "$work/right.json" << 'CASES' || exit 1
v2c | ok | sysDescr: Linux | the community is the agent's: GetResponse with sysDescr.0 (RFC 3416)
v3-only | auth | | no v2c access (net-snmp drops the request); the engine-ID discovery is answered with a Report (RFC 3414 4): an agent that refuses this community
closed | refused | port unreachable | nothing on the port: ICMP port unreachable (RFC 1122 4.1.3.1)
CASES
run "$work/wrong.json" --check v2c --snmp-community-file "$work/wrong"
expect "$work/wrong.json" << 'CASES' || exit 1
v2c | auth | not to this v2c community | a community the agent does not know: no GetResponse, but a Report to the discovery
CASES
if grep -q "peers-test\|not-this-one" "$work"/*.json; then
    echo "FAIL: an SNMP community appears in a report"; exit 1
fi
