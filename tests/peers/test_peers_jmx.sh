#!/usr/bin/env bash
# OpenJDK's JMX agent (Debian's openjdk-17): its RMI registry on the JMX port answers the
# JRMP handshake (Java RMI specification 10.2: "JRMI", version 2, StreamProtocol, answered
# with ProtocolAck 0x4E and the endpoint the server sees); with the registry behind TLS the
# same probe meets a TLS server.
# Usage: test_peers_jmx.sh DMSCONN DATA
source "$(dirname "$0")/lib.sh"
need java keytool
base=$(python3 "$lib_dir/free_base.py" 2)
plain=$base tls=$((base + 1))
jmx() { # jmx PORT [OPTION...]
    local port=$1
    shift
    java -Dcom.sun.management.jmxremote.port="$port" -Dcom.sun.management.jmxremote.rmi.port="$port" \
        -Dcom.sun.management.jmxremote.host=127.0.0.1 -Djava.rmi.server.hostname=127.0.0.1 \
        -Dcom.sun.management.jmxremote.authenticate=false "$@" "$peers_dir/jmx/JmxPeer.java" 90
}
keytool -genkeypair -alias jmx -keyalg RSA -keysize 2048 -dname CN=jmx -validity 1 \
    -keystore "$work/jmx.p12" -storetype PKCS12 -storepass peers-test > /dev/null 2>&1
start plain jmx "$plain" -Dcom.sun.management.jmxremote.ssl=false
start tls jmx "$tls" -Dcom.sun.management.jmxremote.ssl=true \
    -Dcom.sun.management.jmxremote.registry.ssl=true -Djavax.net.ssl.keyStore="$work/jmx.p12" \
    -Djavax.net.ssl.keyStorePassword=peers-test -Djavax.net.ssl.keyStoreType=PKCS12
up 127.0.0.1:$plain 127.0.0.1:$tls
check jmx-plain jmx "$plain"
check jmx-tls jmx "$tls"
run "$work/r.json"
expect "$work/r.json" << 'CASES'
jmx-plain | ok | 127.0.0.1 | RMI 10.2: ProtocolAck 0x4E and the client's endpoint as the server sees it
jmx-tls | tls | | the registry speaks TLS first (registry.ssl): a clear JRMI header gets a TLS alert or nothing
CASES
