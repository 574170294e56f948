#!/usr/bin/env bash
# .NET Remoting as Mono implements it (Debian's mono-mcs and System.Runtime.Remoting): the
# HTTP channel SLNet uses and the binary TCP channel, each serving an object at SLNetService
# (remoting/RemotingPeer.cs, compiled here with mcs). Microsoft's channels cannot run on
# Linux; tests/unit/test_probe_judges.c holds their answers byte by byte.
# Usage: test_peers_remoting.sh DMSCONN DATA
source "$(dirname "$0")/lib.sh"
need mcs mono
mcs -nologo -out:"$work/RemotingPeer.exe" -r:System.Runtime.Remoting.dll \
    "$peers_dir/remoting/RemotingPeer.cs" || { echo "FAIL: RemotingPeer.cs does not compile"; exit 1; }
base=$(python3 "$lib_dir/free_base.py" 4)
http=$base tcp=$((base + 1))
start http mono "$work/RemotingPeer.exe" http "$http" 90
start tcp mono "$work/RemotingPeer.exe" tcp "$tcp" 90
up 127.0.0.1:$http 127.0.0.1:$tcp
check http-channel remoting "$http"
check tcp-channel remoting-tcp "$tcp"
check http-probe-on-tcp remoting "$tcp"
check tcp-probe-on-http remoting-tcp "$http"
run "$work/r.json"
expect "$work/r.json" << 'CASES'
http-channel | ok | an MS-NRBF answer | MS-NRBF 2.6.1: Mono's answer to GET /SLNetService is a serialized SerializationException (Server: Mono-HTTPAPI/1.0)
tcp-channel | ok | a reply frame | MS-NRTP 2.2.3.3.1: a request frame with ContentLength 0 gets a reply frame (OperationType 2)
http-probe-on-tcp | wrong_service | probe remoting-tcp | Mono's TcpChannel closes without a word on bytes that are no message frame (MS-NRTP 2.2.3.3): the detail names the probe that speaks it
tcp-probe-on-http | wrong_service | probe remoting | Mono's HttpChannel closes on a message frame (no HTTP request line): the detail names the HTTP channel's probe
CASES
