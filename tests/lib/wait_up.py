#!/usr/bin/env python3
"""Waits, bounded, until every target is up: an http:// URL answers, a HOST:PORT accepts a
TCP connection. Exits 1 naming the first that is not up by the deadline.
Usage: wait_up.py [--seconds S] TARGET..."""
import socket
import sys
import time
import urllib.request

args = sys.argv[1:]
seconds = 5.0
if args[:1] == ["--seconds"]:
    seconds, args = float(args[1]), args[2:]
deadline = time.time() + seconds
for target in args:
    while True:
        try:
            if target.startswith("http://"):
                urllib.request.urlopen(target, timeout=0.5).read()
            else:
                host, port = target.rsplit(":", 1)
                socket.create_connection((host, int(port)), 0.5).close()
            break
        except OSError:
            if time.time() > deadline:
                sys.exit(f"not up within {seconds} s: {target}")
            time.sleep(0.05)
