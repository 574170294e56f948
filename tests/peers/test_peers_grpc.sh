#!/usr/bin/env bash
# A real gRPC server (Debian's python3-grpcio) with the health service generated from the
# published health.proto (grpc/health.proto, compiled here by grpc_tools.protoc): SERVING,
# NOT_SERVING, no health service at all (grpcio then answers a trailers-only UNIMPLEMENTED
# and resets the stream with NO_ERROR before it has read the request: RFC 9113 section 8.1),
# and SERVING behind TLS (HTTP/2 by ALPN). The trailers-only answer is probed ten times: a
# client that loses it in some runs (libcurl 7.88 did, about one run in two) fails here.
# Usage: test_peers_grpc.sh DMSCONN DATA
source "$(dirname "$0")/lib.sh"
need openssl
/usr/bin/python3 -c "import grpc, grpc_tools" 2> /dev/null ||
    { echo "FAIL: python3-grpcio or python3-grpc-tools missing: run scripts/test-packages"; exit 1; }
mkdir -p "$work/gen"
/usr/bin/python3 -m grpc_tools.protoc -I"$peers_dir/grpc" --python_out="$work/gen" \
    --grpc_python_out="$work/gen" "$peers_dir/grpc/health.proto" ||
    { echo "FAIL: health.proto does not compile"; exit 1; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
    -days 365 -subj /CN=grpc -addext "subjectAltName=IP:127.0.0.1" 2> /dev/null
base=$(python3 "$lib_dir/free_base.py" 4)
serving=$base not_serving=$((base + 1)) none=$((base + 2)) tls=$((base + 3))
server="$peers_dir/grpc/health_server.py"
start serving /usr/bin/python3 "$server" "$work/gen" "$serving" serving 90
start not-serving /usr/bin/python3 "$server" "$work/gen" "$not_serving" not-serving 90
start none /usr/bin/python3 "$server" "$work/gen" "$none" none 90
start tls /usr/bin/python3 "$server" "$work/gen" "$tls" serving 90 "$work/cert.pem" "$work/key.pem"
up 127.0.0.1:$serving 127.0.0.1:$not_serving 127.0.0.1:$none 127.0.0.1:$tls
check serving grpc-health "$serving"
check not-serving grpc-health "$not_serving"
check none grpc-health "$none"
check tls grpc-health-tls "$tls"
check clear-on-tls grpc-health "$tls"
check tls-on-clear grpc-health-tls "$serving"
run "$work/r.json" --ca "$work/cert.pem"
expect "$work/r.json" << 'CASES' || exit 1
serving | ok | gRPC health: SERVING | Check answers HealthCheckResponse{status: SERVING} (health-checking.md)
not-serving | degraded | NOT_SERVING | status NOT_SERVING: the server runs, its service does not
none | ok | no health service | grpc-status 12 UNIMPLEMENTED in a trailers-only answer: a gRPC server without the health service
tls | ok | gRPC health: SERVING | the same over TLS, h2 chosen by ALPN (RFC 7301), certificate verified with --ca
clear-on-tls | wrong_service | | a TLS server gets the HTTP/2 preface in clear: no SETTINGS frame comes back (RFC 9113 3.4)
tls-on-clear | tls | | an h2c server gets a ClientHello: no TLS handshake
CASES
for i in $(seq 10); do
    run "$work/none-$i.json" --check none
    expect "$work/none-$i.json" <<< "none | ok | no health service | run $i of 10: the trailers-only answer before the request was read" > /dev/null ||
        { expect "$work/none-$i.json" <<< "none | ok | no health service | run $i"; exit 1; }
done
echo "ok   none: the same answer in 10 runs of 10"
