#!/usr/bin/python3
"""A real gRPC server (Debian's python3-grpcio) with the health service generated from
health.proto by grpc_tools.protoc (the generated modules' folder is the first argument).
Modes: serving / not-serving (Check answers that status for the server as a whole, service
""), none (a gRPC server without the health service: grpcio answers UNIMPLEMENTED).
TLS when CERT and KEY are given. Bound to loopback; prints "ready" once it listens.
Usage: health_server.py GENERATED_DIR PORT MODE LIFETIME_S [CERT KEY]"""
import sys
import time
from concurrent import futures

sys.path.insert(0, sys.argv[1])
import grpc  # noqa: E402
import health_pb2  # noqa: E402
import health_pb2_grpc  # noqa: E402

port, mode, lifetime = int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
STATUS = {"serving": health_pb2.HealthCheckResponse.SERVING,
          "not-serving": health_pb2.HealthCheckResponse.NOT_SERVING}


class Health(health_pb2_grpc.HealthServicer):
    def Check(self, request, context):
        if request.service:
            context.abort(grpc.StatusCode.NOT_FOUND, "unknown service")
        return health_pb2.HealthCheckResponse(status=STATUS[mode])


server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
if mode != "none":
    health_pb2_grpc.add_HealthServicer_to_server(Health(), server)
address = f"127.0.0.1:{port}"
if len(sys.argv) > 6:
    with open(sys.argv[5], "rb") as c, open(sys.argv[6], "rb") as k:
        creds = grpc.ssl_server_credentials([(k.read(), c.read())])
    server.add_secure_port(address, creds)
else:
    server.add_insecure_port(address)
server.start()
print("ready", flush=True)
time.sleep(lifetime)
server.stop(0)
