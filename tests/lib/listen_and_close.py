#!/usr/bin/env python3
"""Listens on ADDR:PORT, then goes to the background: once the port listens it prints the
serving process's pid and returns, so the caller needs no wait of its own (and no connect,
which a firewall rule under test might count); the server accepts and closes every
connection (after sending REPLY, a Python string literal's text with its escapes, when
given) and ends by itself after SECONDS.
Usage: listen_and_close.py ADDR PORT SECONDS [REPLY]"""
import ast
import os
import socket
import sys
import time

addr, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
reply = ast.literal_eval('"' + sys.argv[4] + '"').encode() if len(sys.argv) > 4 else b""
s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((addr, port))
s.listen(128)
pid = os.fork()
if pid:
    print(pid, flush=True)
    os._exit(0)
os.setsid()  # out of the caller's job: its shell's wait for $(...) ends now
for fd in (0, 1, 2):
    os.dup2(os.open(os.devnull, os.O_RDWR), fd)
deadline = time.monotonic() + seconds
while (left := deadline - time.monotonic()) > 0:
    s.settimeout(left)
    try:
        c = s.accept()[0]
        if reply:
            c.sendall(reply)
        c.close()
    except socket.timeout:
        break
    except OSError:
        time.sleep(0.01)
