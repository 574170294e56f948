#!/usr/bin/python3
"""The DataStax Python driver (Debian's python3-cassandra) against the project's CQL
responder: the connection handshake a real client makes (OPTIONS, then STARTUP, waiting for
READY: native_protocol_v4.spec 4.1.1, 4.2.2) completes in protocol v4, and a version the
responder does not speak is refused with the Protocol_error (section 9) the driver reads as
"unsupported protocol version" (it then downgrades). Usage: cql_driver.py PORT"""
import sys
import warnings

warnings.simplefilter("ignore", DeprecationWarning)  # asyncore, the driver's pure-Python reactor
from cassandra.connection import DefaultEndPoint, ProtocolVersionUnsupported  # noqa: E402
from cassandra.io.asyncorereactor import AsyncoreConnection  # noqa: E402

port = int(sys.argv[1])
AsyncoreConnection.initialize_reactor()
endpoint = DefaultEndPoint("127.0.0.1", port)
conn = AsyncoreConnection.factory(endpoint, 5, protocol_version=4)
assert conn.connected_event.is_set() and not conn.is_defunct, "v4 handshake did not complete"
print(f"ok   driver v4: READY after STARTUP (protocol version {conn.protocol_version})")
conn.close()
for version in (5, 0x42):  # v5, and DSE v2 (0x42), which the driver tries first
    try:
        AsyncoreConnection.factory(endpoint, 5, protocol_version=version)
    except ProtocolVersionUnsupported as e:
        print(f"ok   driver v{version:#x}: refused as unsupported ({e})")
        continue
    sys.exit(f"FAIL driver v{version:#x}: accepted a protocol version the responder does not speak")
