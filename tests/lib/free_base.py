#!/usr/bin/env python3
"""Prints a port B such that B..B+N-1 are free for TCP and UDP on every given address
(default 127.0.0.1), so parallel or leftover test servers never collide; all of them below
the kernel's ephemeral port range.
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


# Below the kernel's ephemeral range: a port inside it can be taken at any moment by an
# outgoing connection, and a probe to a closed port there can connect to itself (TCP
# simultaneous open when the source port the kernel picks equals the port probed), which
# made a "refused" check see a silent peer about once in a few thousand runs.
low = 32768
try:
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except (OSError, ValueError, IndexError):
    pass
top = min(low, 65536) - n
bottom = 10000 if top > 10000 + 10 * n else 1024
for _ in range(200):
    base = random.randrange(bottom, top)
    if all(free(p) for p in range(base, base + n)):
        print(base)
        sys.exit(0)
sys.exit("no free port range")
