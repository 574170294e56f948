#!/usr/bin/env python3
"""Prints a port B such that B..B+N-1 are free for TCP and UDP on every given address
(default 127.0.0.1), so parallel or leftover test servers never collide.
Usage: free_base.py N [ADDRESS...]"""
import random
import socket
import sys

n = int(sys.argv[1])
addresses = sys.argv[2:] or ["127.0.0.1"]


def free(port):
    for addr in addresses:
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            s = socket.socket(socket.AF_INET, kind)
            try:
                s.bind((addr, port))
            except OSError:
                return False
            finally:
                s.close()
    return True


for _ in range(200):
    base = random.randrange(20000, 60000 - n)
    if all(free(p) for p in range(base, base + n)):
        print(base)
        sys.exit(0)
sys.exit("no free port range")
