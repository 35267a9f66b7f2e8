#!/usr/bin/env python3
"""HTTP load for the servers/ tests, every answer checked.

    http_drive.py go PORT         the Go server (tests/go/httpserver.go): 10 clients at
                                  once, 20 greetings and a /sum each, then /quit
    http_drive.py static PORT DIR a static file server serving DIR: 8 clients at once,
                                  10 times big.txt and index.html each, and a 404
    http_drive.py bench PORT DIR CONNS REQS PATH...
                                  for bench/: CONNS keep-alive connections at once,
                                  each GETting the PATHs in turn REQS times, every body
                                  checked against DIR; prints "ok N requests", and on
                                  stderr requests/s, p50 and p99
"""
import http.client
import sys
import threading
import time
import urllib.error
import urllib.request

kind, port = sys.argv[1], int(sys.argv[2])
base = "http://127.0.0.1:%d" % port
errors = []


def get(path, data=None):
    return urllib.request.urlopen(urllib.request.Request(base + path, data=data),
                                  timeout=120).read()


def first(path):
    for _ in range(600):
        try:
            return get(path)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    sys.exit("nothing answers on port %d" % port)


def go_client(k):
    for _ in range(20):
        r = get("/hello/w%d" % k).decode()
        if not r.startswith("hello w%d (" % k):
            raise RuntimeError("greeting: " + r)
    nums = range(k * 100, k * 100 + 100)
    r = get("/sum", " ".join(map(str, nums)).encode()).decode()
    if int(r) != sum(nums):
        raise RuntimeError("sum: " + r)


def static_client(k, big):
    for _ in range(10):
        if get("/big.txt") != big:
            raise RuntimeError("big.txt differs")
        if b"hello" not in get("/index.html"):
            raise RuntimeError("index.html differs")


def run(target, n, *args):
    def wrap(k):
        try:
            target(k, *args)
        except Exception as e:  # every failure is reported
            errors.append(repr(e))
    ts = [threading.Thread(target=wrap, args=(k,)) for k in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def bench_client(k, reqs, bodies, lat):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for i in range(reqs):
        path = list(bodies)[i % len(bodies)]
        t0 = time.perf_counter()
        c.request("GET", path)
        r = c.getresponse()
        body = r.read()
        lat.append(time.perf_counter() - t0)
        if r.status != 200 or body != bodies[path]:
            raise RuntimeError("%s: status %d, %d bytes" % (path, r.status, len(body)))
    c.close()


def bench():
    conns, reqs = int(sys.argv[4]), int(sys.argv[5])
    bodies = {p: open(sys.argv[3] + p, "rb").read() for p in sys.argv[6:]}
    first(sys.argv[6])
    lat = []
    start = time.perf_counter()
    run(bench_client, conns, reqs, bodies, lat)
    took = time.perf_counter() - start
    lat.sort()
    if lat:
        print("%d requests in %.0f ms: %.0f requests/s, p50 %.1f ms, p99 %.1f ms" %
              (len(lat), took * 1e3, len(lat) / took, lat[len(lat) // 2] * 1e3,
               lat[len(lat) * 99 // 100] * 1e3), file=sys.stderr)
    return conns * reqs


if kind == "bench":
    requests = bench()
elif kind == "go":
    first("/hello/probe")
    run(go_client, 10)
    requests = 211
else:
    big = open(sys.argv[3] + "/big.txt", "rb").read()
    if b"hello" not in first("/"):
        errors.append("/ is not index.html")
    run(static_client, 8, big)
    try:
        get("/nothere")
        errors.append("no 404 for a missing file")
    except urllib.error.HTTPError as e:
        if e.code != 404:
            errors.append("status %d for a missing file" % e.code)
    requests = 162
if errors:
    print("errors: %d, first: %s" % (len(errors), errors[0]))
    sys.exit(1)
print("ok %d requests" % requests)
if kind == "go":
    print(get("/quit").decode().strip())
