#!/usr/bin/env python3
"""Protocol-faithful responders for services Debian does not package, written from the
published specifications (each reply cites its section), plus hostile peers for negative
tests. Usage: responder.py [--lifetime S] [--cert PEM --key PEM] HOST:PORT=MODE ...

Modes:
  cql           Cassandra, protocol v4: OPTIONS -> SUPPORTED, STARTUP -> READY (the handshake a
                real driver makes; native_protocol_v4.spec 4.1.1, 4.1.3, 4.2.2, 4.2.4); another
                protocol version -> Protocol_error (section 9)
  cql-v3        a Cassandra that only speaks v3: ERROR 0x000A in a v3 frame (spec 2.1, 9)
  es-transport  OpenSearch transport: a ping ("ES" + length -1) is answered by a ping
  es-tls        a TLS-only transport: answers clear text with a TLS alert record
  remoting-http .NET Remoting HTTP channel: any request -> "Server: MS .NET Remoting ..."
  remoting-tcp  .NET Remoting TCP channel: replies with a ".NET" preamble (MS-NRTP 2.2.3.3)
  http-other    some other web server (nginx)
  jrmp          Java RMI: "JRMI" header -> ProtocolAck + EndpointIdentifier (RMI spec 10.2)
  telnet        a Telnet server: option negotiation first (RFC 854 IAC DO ...)
  os-green, os-yellow, os-red, os-401
                OpenSearch REST: GET / (cluster_name, version.distribution) and
                GET /_cluster/health with that colour, or 401 for everything
  http-401      a web server asking every request for basic auth (nginx), not OpenSearch
  nas           NATS Account Server: GET /jwt/v1/accounts/ -> 200
  apigateway    DataMiner APIGateway: GET /APIGateway/api/version -> 200 version JSON
  apigateway-404  IIS without APIGateway: 404
  iis           an Agent's IIS from 10.5 on: APIGateway's version, and BrokerGateway's API
                refusing a request without its BrokerGateway-Api-Key (401)
  trickle       hostile: one byte a second, forever (slowloris)
  flood         hostile: an endless stream of bytes
  cql-huge      hostile: a CQL header announcing a 1 GiB body, then a trickle
  rst           hostile: accepts, then resets the connection (SO_LINGER 0)
  tls-garbage   hostile: a TLS record header followed by garbage
  MODE+tls      any mode behind TLS (--cert/--key: PEM files), e.g. apigateway+tls
  silent        accepts and never says anything
  close         accepts and closes at once
  garbage       sends bytes of no protocol at once
"""
import socket
import struct
import sys
import threading
import time


def read_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def read_http_head(conn):
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def cql_string(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b


CQL_MAX_BODY = 1 << 20  # what the responder reads of one frame (spec 2.5 allows 256 MB)


def cql_frame(stream, opcode, body=b""):
    # a v4 response frame (spec 2.1: version 0x84)
    return struct.pack(">BBhBI", 0x84, 0, stream, opcode, len(body)) + body


def cql_error(stream, code, message):
    # ERROR (spec 4.2.1): [int] code, [string] message
    return cql_frame(stream, 0x00, struct.pack(">i", code) + cql_string(message))


def cql_string_map(body):
    # [string map] (spec 3): a [short] n, then n pairs of [string]
    n, = struct.unpack_from(">H", body)
    at, out = 2, {}
    for _ in range(n):
        k_len, = struct.unpack_from(">H", body, at)
        key = body[at + 2:at + 2 + k_len].decode()
        at += 2 + k_len
        v_len, = struct.unpack_from(">H", body, at)
        out[key] = body[at + 2:at + 2 + v_len].decode()
        at += 2 + v_len
    return out


def cql(conn, peer):
    """A v4 server (native_protocol_v4.spec) for the connection handshake a real driver makes:
    OPTIONS -> SUPPORTED (4.1.3, 4.2.4), STARTUP with CQL_VERSION -> READY (4.1.1, 4.2.2),
    REGISTER -> READY (4.1.8). A frame of another protocol version gets the Protocol_error
    (0x000A, section 9) a driver downgrades on; anything else an error saying what is not
    implemented here."""
    started = False
    while True:
        header = read_exact(conn, 9)
        if len(header) < 9:
            return
        version, flags, stream, opcode, length = struct.unpack(">BBhBI", header)
        if length > CQL_MAX_BODY:
            return
        body = read_exact(conn, length)
        if version != 0x04:
            conn.sendall(cql_error(stream, 0x000A, f"Invalid or unsupported protocol version "
                                                   f"({version & 0x7f}); supported versions are (4/v4)"))
            continue
        if opcode == 0x05:  # OPTIONS
            # [string multimap]: CQL_VERSION -> [3.4.5], COMPRESSION -> [snappy, lz4]
            out = struct.pack(">H", 2)
            out += cql_string("CQL_VERSION") + struct.pack(">H", 1) + cql_string("3.4.5")
            out += (cql_string("COMPRESSION") + struct.pack(">H", 2) + cql_string("snappy")
                    + cql_string("lz4"))
            conn.sendall(cql_frame(stream, 0x06, out))
        elif opcode == 0x01:  # STARTUP
            try:
                options = cql_string_map(body)
            except (struct.error, UnicodeDecodeError):
                options = {}
            if "CQL_VERSION" not in options or "COMPRESSION" in options:
                conn.sendall(cql_error(stream, 0x000A, "STARTUP without CQL_VERSION, or with a "
                                                       "compression this responder does not do"))
                continue
            started = True
            conn.sendall(cql_frame(stream, 0x02))
        elif opcode == 0x0B and started:  # REGISTER
            conn.sendall(cql_frame(stream, 0x02))
        elif not started:
            conn.sendall(cql_error(stream, 0x000A, "the first message must be STARTUP or OPTIONS"))
        else:
            conn.sendall(cql_error(stream, 0x0000, "this responder answers the connection "
                                                   "handshake only, not queries"))


def cql_v3(conn, peer):
    header = read_exact(conn, 9)
    if len(header) < 9:
        return
    msg = "Invalid or unsupported protocol version (4); the lowest supported version is 1 and the greatest is 3"
    body = struct.pack(">i", 0x000A) + cql_string(msg)
    conn.sendall(struct.pack(">BBhBI", 0x83, 0, 0, 0x00, len(body)) + body)


def es_transport(conn, peer):
    ping = b"ES\xff\xff\xff\xff"
    if read_exact(conn, 6) == ping:
        conn.sendall(ping)


def es_tls(conn, peer):
    conn.recv(64)
    conn.sendall(b"\x15\x03\x03\x00\x02\x02\x46")  # alert: fatal, protocol_version


def remoting_http(conn, peer):
    read_http_head(conn)
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n"
                 b"Server: MS .NET Remoting, MS .NET CLR 4.0.30319.42000\r\n"
                 b"Content-Length: 0\r\n\r\n")


def remoting_tcp(conn, peer):
    conn.recv(4096)
    # preamble ".NET", major 1, minor 0, operation 2 (reply), content distribution 0 (not
    # chunked), length 0, end of headers
    conn.sendall(b".NET\x01\x00\x02\x00\x00\x00\x00\x00\x00\x00")


def http_other(conn, peer):
    read_http_head(conn)
    conn.sendall(b"HTTP/1.1 404 Not Found\r\nServer: nginx/1.22.1\r\nContent-Length: 0\r\n\r\n")


def jrmp(conn, peer):
    header = read_exact(conn, 7)
    if header[:4] != b"JRMI":
        return
    host = peer[0].encode()
    conn.sendall(b"\x4e" + struct.pack(">H", len(host)) + host + struct.pack(">i", peer[1]))
    conn.recv(4096)


def telnet(conn, peer):
    conn.sendall(b"\xff\xfd\x18\xff\xfd\x20\xff\xfb\x01")  # DO TTYPE, DO TSPEED, WILL ECHO
    conn.recv(4096)


def http_answer(conn, status, body, server="dmsconn-responder", extra="",
                ctype="application/json"):
    reason = {200: "OK", 401: "Unauthorized", 404: "Not Found"}.get(status, "Status")
    data = body.encode()
    server_line = f"Server: {server}\r\n" if server else ""
    conn.sendall(f"HTTP/1.1 {status} {reason}\r\n{server_line}{extra}"
                 f"Content-Type: {ctype}\r\nContent-Length: {len(data)}\r\n"
                 f"Connection: close\r\n\r\n".encode() + data)


def request_path(conn):
    head = read_http_head(conn).decode("latin-1")
    parts = head.split(" ", 2)
    return parts[1] if len(parts) > 1 else ""


def opensearch(colour):
    def handle(conn, peer):
        head = read_http_head(conn).decode("latin-1")
        parts = head.split(" ", 2)
        path = parts[1] if len(parts) > 1 else ""
        # os-401 lets through only admin:s3cret-test (Basic YWRtaW46czNjcmV0LXRlc3Q=)
        shade = colour
        if shade == "401" and "authorization: basic ywrtaw46cznjcmv0lxrlc3q=" in head.lower():
            shade = "green"
        if shade == "401":
            # the security plugin's challenge (HTTPBasicAuthenticator.reRequestAuthentication)
            http_answer(conn, 401, "Unauthorized", server="opensearch",
                        extra='WWW-Authenticate: Basic realm="OpenSearch Security"\r\n',
                        ctype="text/plain; charset=UTF-8")
        elif path == "/":
            http_answer(conn, 200, '{"name":"os1","cluster_name":"dms-search",'
                                   '"version":{"distribution":"opensearch","number":"2.11.1"}}')
        elif path == "/_cluster/health":
            http_answer(conn, 200, '{"cluster_name":"dms-search","status":"%s"}' % shade)
        else:
            http_answer(conn, 404, "{}")
    return handle


def http_401(conn, peer):
    """A web server protecting everything with basic auth (nginx auth_basic), not OpenSearch."""
    request_path(conn)
    http_answer(conn, 401, "<html><body>401 Authorization Required</body></html>",
                server="nginx/1.22.1", extra='WWW-Authenticate: Basic realm="Restricted"\r\n',
                ctype="text/html")


def nas(conn, peer):
    path = request_path(conn)
    # Go's net/http, as the Account Server runs: no Server header, an empty 200 for the test
    # point (nats-account-server: GET /jwt/v1/accounts/, "Server test point")
    http_answer(conn, 200 if path == "/jwt/v1/accounts/" else 404, "", server=None)


def apigateway(conn, peer):
    path = request_path(conn)
    if path == "/APIGateway/api/version":
        http_answer(conn, 200, '{"Version":"10.4.2.0-14237"}', server="Microsoft-IIS/10.0")
    else:
        http_answer(conn, 404, "{}", server="Microsoft-IIS/10.0")


def iis(conn, peer):
    path = request_path(conn)
    if path == "/APIGateway/api/version":
        http_answer(conn, 200, '{"Version":"10.6.1.0-15912"}', server="Microsoft-IIS/10.0")
    elif path.lower().startswith("/brokergateway/api/"):
        http_answer(conn, 401, '{"error":"missing BrokerGateway-Api-Key"}', server="Microsoft-IIS/10.0")
    else:
        http_answer(conn, 404, "{}", server="Microsoft-IIS/10.0")


def apigateway_404(conn, peer):
    request_path(conn)
    http_answer(conn, 404, "", server="Microsoft-IIS/10.0")


TLS = {}


def behind_tls(handler):
    def handle(conn, peer):
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(TLS["cert"], TLS["key"])
        try:
            tls = ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            return
        handler(tls, peer)
        tls.close()
    return handle


def trickle(conn, peer):
    for i in range(30):
        conn.sendall(b"INFO {"[i % 6:i % 6 + 1] or b".")
        time.sleep(1)


def flood(conn, peer):
    chunk = b"\x5a" * 65536
    for _ in range(100000):  # ~6 GiB at most; the client hangs up long before
        conn.sendall(chunk)


def cql_huge(conn, peer):
    conn.sendall(struct.pack(">BBhBI", 0x84, 0, 0, 0x06, 1 << 30))
    trickle(conn, peer)


def rst(conn, peer):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def tls_garbage(conn, peer):
    conn.sendall(b"\x16\x03\x03\x40\x00" + bytes(range(256)) * 8)
    time.sleep(2)


def silent(conn, peer):
    conn.recv(4096)
    time.sleep(30)


def close(conn, peer):
    pass


def garbage(conn, peer):
    conn.sendall(b"\x00\x13\x37garbage of no protocol\x01\x02")


MODES = {"cql": cql, "cql-v3": cql_v3, "es-transport": es_transport, "es-tls": es_tls,
         "remoting-http": remoting_http, "remoting-tcp": remoting_tcp,
         "http-other": http_other, "jrmp": jrmp, "telnet": telnet, "silent": silent,
         "close": close, "garbage": garbage, "os-green": opensearch("green"),
         "os-yellow": opensearch("yellow"), "os-red": opensearch("red"),
         "os-401": opensearch("401"), "nas": nas, "apigateway": apigateway,
         "apigateway-404": apigateway_404, "iis": iis, "http-401": http_401, "trickle": trickle, "flood": flood,
         "cql-huge": cql_huge, "rst": rst, "tls-garbage": tls_garbage}


def serve(sock, handler):
    while True:
        conn, peer = sock.accept()

        def run(conn=conn, peer=peer):
            try:
                conn.settimeout(10)
                handler(conn, peer)
            except OSError:
                pass
            finally:
                conn.close()
        threading.Thread(target=run, daemon=True).start()


def main(argv):
    lifetime = 120.0
    while argv and argv[0].startswith("--"):
        if argv[0] == "--lifetime":
            lifetime = float(argv[1])
        else:
            TLS[argv[0][2:]] = argv[1]
        argv = argv[2:]
    for spec in argv:
        where, mode = spec.split("=")
        host, port = where.rsplit(":", 1)
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), int(port)))
        sock.listen(64)
        handler = behind_tls(MODES[mode[:-4]]) if mode.endswith("+tls") else MODES[mode]
        threading.Thread(target=serve, args=(sock, handler), daemon=True).start()
    print("ready", flush=True)
    time.sleep(lifetime)  # ends by itself, whatever happens to the test


if __name__ == "__main__":
    main(sys.argv[1:])
