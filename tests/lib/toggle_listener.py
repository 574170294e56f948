#!/usr/bin/env python3
"""A TCP listener the test turns on and off with a file: it listens on ADDR:PORT while the
file FLAG (relative to the current folder) exists, and not while it does not, accepting and
closing every connection; ends by itself after SECONDS.
Usage: toggle_listener.py ADDR PORT FLAG SECONDS"""
import os
import socket
import sys
import time

addr, port, flag, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
end = time.time() + seconds
s = None
while time.time() < end:
    want = os.path.exists(flag)
    if want and s is None:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.listen(64)
        s.setblocking(False)
    elif not want and s is not None:
        s.close()
        s = None
    try:
        if s:
            s.accept()[0].close()
    except BlockingIOError:
        pass
    time.sleep(0.01)
