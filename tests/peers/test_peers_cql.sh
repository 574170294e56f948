#!/usr/bin/env bash
# Debian packages no Cassandra: the project's responder (tests/responders/responder.py,
# written from native_protocol_v4.spec) stands in for it. Here a real client, the DataStax
# Python driver, checks that it is a faithful stand-in; then dmsconn's cql probe meets it.
# Usage: test_peers_cql.sh DMSCONN DATA
source "$(dirname "$0")/lib.sh"
/usr/bin/python3 -c "import cassandra" 2> /dev/null ||
    { echo "FAIL: python3-cassandra missing: run scripts/test-packages"; exit 1; }
base=$(python3 "$lib_dir/free_base.py" 2)
start responder python3 "$peers_dir/../responders/responder.py" --lifetime 60 "127.0.0.1:$base=cql"
up 127.0.0.1:$base
timeout 30 /usr/bin/python3 "$peers_dir/cql_driver.py" "$base" || exit 1
check cql cql "$base"
run "$work/r.json"
expect "$work/r.json" << 'CASES'
cql | ok | CQL_VERSION 3.4.5 | OPTIONS answered by SUPPORTED (4.1.3, 4.2.4) from the responder a real driver accepts
CASES
