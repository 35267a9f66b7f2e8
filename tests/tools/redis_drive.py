#!/usr/bin/env python3
"""A Redis client in a few lines of RESP, for the servers/ tests: 500 SETs, 500 GETs
checked, an INCRBY, DBSIZE, then SHUTDOWN NOSAVE. Prints "ok 500 gets; :501", and on
stderr how long the 1002 commands took once connected, with the p50 and p99 of one
command's round trip.

    redis_drive.py PORT [HOST]    (HOST 127.0.0.1 unless given: ::1 for IPv6)
"""
import socket, sys, time
port = int(sys.argv[1])
host = sys.argv[2] if len(sys.argv) > 2 else "127.0.0.1"
s = None
for i in range(600):
    try:
        s = socket.create_connection((host, port), timeout=60)
        break
    except OSError:
        time.sleep(0.1)
if s is None:
    sys.exit("nothing listens on port %d" % port)
f = s.makefile("rb")
lat = []
def cmd(*a):
    t0 = time.perf_counter()
    r = command(*a)
    lat.append(time.perf_counter() - t0)
    return r
def command(*a):
    s.sendall(("*%d\r\n" % len(a) + "".join("$%d\r\n%s\r\n" % (len(x), x) for x in a)).encode())
    line = f.readline()
    if line[:1] == b"$":
        n = int(line[1:])
        return None if n < 0 else f.read(n + 2)[:-2].decode()
    return line.strip().decode()
ok = 0
start = time.perf_counter()
for i in range(500):
    assert cmd("SET", "key%d" % i, "value-%d" % (i * i)) == "+OK"
for i in range(500):
    assert cmd("GET", "key%d" % i) == "value-%d" % (i * i); ok += 1
assert cmd("INCRBY", "counter", "42") == ":42"
print("ok", ok, "gets;", cmd("DBSIZE"))
took = time.perf_counter() - start
lat.sort()
print("1002 commands in %.0f ms: %.0f commands/s, p50 %.0f us, p99 %.0f us" %
      (took * 1e3, 1002 / took, lat[len(lat) // 2] * 1e6, lat[len(lat) * 99 // 100] * 1e6),
      file=sys.stderr)
cmd("SHUTDOWN", "NOSAVE")
