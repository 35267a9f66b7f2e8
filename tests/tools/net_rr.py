#!/usr/bin/env python3
"""Request/response load on a TCP echo server: CONNS connections at once, each sending
REQS requests of 1..MAX bytes (a fixed pseudo-random sequence) and checking that every
byte comes back before the next. Prints "ok N requests" (or what went wrong) on stdout,
latencies on stderr: p50 and p99 in microseconds, and requests per second.

    net_rr.py PORT CONNS REQS [MAX]
"""
import random
import socket
import sys
import threading
import time

port, conns, reqs = map(int, sys.argv[1:4])
most = int(sys.argv[4]) if len(sys.argv) > 4 else 512
errors, lat = [], []
lock = threading.Lock()


def connect():
    for _ in range(600):
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=60)
        except ConnectionRefusedError:
            time.sleep(0.1)
    raise RuntimeError("nothing listens on port %d" % port)


def one(k):
    rnd = random.Random(k)
    mine = []
    try:
        c = connect()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(reqs):
            data = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, most)))
            t0 = time.perf_counter()
            c.sendall(data)
            got = b""
            while len(got) < len(data):
                b = c.recv(len(data) - len(got))
                if not b:
                    raise RuntimeError("connection %d closed early" % k)
                got += b
            mine.append(time.perf_counter() - t0)
            if got != data:
                raise RuntimeError("connection %d: echo differs" % k)
        c.close()
    except Exception as e:  # every failure is reported, none hides another
        with lock:
            errors.append(str(e))
    with lock:
        lat.extend(mine)


start = time.perf_counter()
threads = [threading.Thread(target=one, args=(k,)) for k in range(conns)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.perf_counter() - start
if errors:
    print("errors: %d, first: %s" % (len(errors), errors[0]))
    sys.exit(1)
lat.sort()
print("ok %d requests" % len(lat))
print("p50 %.0f us, p99 %.0f us, %.0f requests/s" % (lat[len(lat) // 2] * 1e6,
      lat[int(len(lat) * 0.99)] * 1e6, len(lat) / elapsed), file=sys.stderr)
