#!/usr/bin/env python3
"""A Redis client in a few lines of RESP, for the servers/ tests: 500 SETs, 500 GETs
checked, an INCRBY, DBSIZE, then SHUTDOWN NOSAVE. Prints "ok 500 gets; :501", and on
stderr how long the 1002 commands took once connected.

    redis_drive.py PORT
"""
import socket, sys, time
port = int(sys.argv[1])
s = None
for i in range(600):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=60)
        break
    except OSError:
        time.sleep(0.1)
if s is None:
    sys.exit("nothing listens on port %d" % port)
f = s.makefile("rb")
def cmd(*a):
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
print("1002 commands in %.0f ms: %.0f commands/s" % (took * 1e3, 1002 / took), file=sys.stderr)
cmd("SHUTDOWN", "NOSAVE")
