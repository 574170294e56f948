#!/usr/bin/python3
"""A gRPC health-checking responder over HTTP/2 cleartext (prior knowledge), on Debian's
python3-h2, written from the specifications: gRPC over HTTP/2 (grpc/grpc
doc/PROTOCOL-HTTP2.md: response HEADERS with content-type application/grpc, DATA holding a
length-prefixed message — 1 byte compressed flag, 4 bytes big-endian length — then trailers
with grpc-status) and the health-checking protocol (doc/health-checking.md:
grpc.health.v1.Health/Check answers HealthCheckResponse{status = 1}: field 1, varint;
1 SERVING, 2 NOT_SERVING). Any other method answers grpc-status 12 (UNIMPLEMENTED).
Usage: grpc_health.py HOST:PORT STATUS [LIFETIME]   STATUS: serving | not-serving | none"""
import socket
import struct
import sys
import threading
import time

import h2.config
import h2.connection
import h2.events

where, mode = sys.argv[1], sys.argv[2]
lifetime = float(sys.argv[3]) if len(sys.argv) > 3 else 60
STATUS = {"serving": 1, "not-serving": 2}.get(mode)


def answer(conn, stream_id, path):
    conn.send_headers(stream_id, [(":status", "200"), ("content-type", "application/grpc")])
    if path == "/grpc.health.v1.Health/Check" and STATUS is not None:
        message = bytes([0x08, STATUS])  # HealthCheckResponse: field 1 (varint) = status
        conn.send_data(stream_id, struct.pack(">BI", 0, len(message)) + message)
        conn.send_headers(stream_id, [("grpc-status", "0")], end_stream=True)
    else:
        conn.send_headers(stream_id, [("grpc-status", "12"), ("grpc-message", "unimplemented")],
                          end_stream=True)


def serve(sock):
    sock.settimeout(10)
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=False))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    paths = {}
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.RequestReceived):
                    paths[event.stream_id] = dict(event.headers).get(b":path", b"").decode()
                elif isinstance(event, h2.events.DataReceived):
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    answer(conn, event.stream_id, paths.pop(event.stream_id, ""))
            sock.sendall(conn.data_to_send())
    except (OSError, h2.exceptions.ProtocolError):
        pass
    finally:
        sock.close()


host, port = where.rsplit(":", 1)
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind((host, int(port)))
listener.listen(64)
print("ready", flush=True)


def accept_loop():
    while True:
        s, _ = listener.accept()
        threading.Thread(target=serve, args=(s,), daemon=True).start()


threading.Thread(target=accept_loop, daemon=True).start()
time.sleep(lifetime)  # ends by itself, whatever happens to the test
