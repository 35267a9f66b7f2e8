#!/usr/bin/env python3
"""Drives nginx in its multi-process mode for the servers/ tests, every answer checked.

    nginx_drive.py PORT DIR WORKERS

The site (DIR, served as /) and its configuration are tests/lib/servers_cases.sh's:
/pid answers the pid of the worker that served it ($pid), /master-pid the master's pid
file. In order: every file under DIR fetched, its SHA-256 compared with the file's;
rounds of 200 requests at once (one connection each: every file and /pid in turn)
until /pid has named WORKERS distinct pids or 20 rounds have gone; a 404. Passes when
the pids seen are exactly WORKERS, none the master's (no worker died and was replaced,
the workers are not the master), and stub_status (/status), which any one worker
answers from counters in memory all of them share, has counted at least every request
made. Prints "ok N files, 200 requests at once, W workers, counters shared".
"""
import concurrent.futures
import hashlib
import os
import sys
import time
import urllib.error
import urllib.request

port, root, workers = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
base = "http://127.0.0.1:%d" % port


def get(path):
    with urllib.request.urlopen(base + path, timeout=120) as r:
        return r.read()


def first(path):
    for _ in range(600):
        try:
            return get(path)
        except urllib.error.HTTPError:
            raise
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    sys.exit("nothing answers on port %d" % port)


files = {}
for d, _, names in os.walk(root):
    for n in names:
        p = os.path.join(d, n)
        files["/" + os.path.relpath(p, root)] = hashlib.sha256(open(p, "rb").read()).hexdigest()

first("/index.html")
master = int(get("/master-pid"))
for path, want in sorted(files.items()):
    got = hashlib.sha256(get(path)).hexdigest()
    if got != want:
        sys.exit("%s: sha256 %s, the file's %s" % (path, got, want))

paths = sorted(files) + ["/pid"]


def one(k):
    path = paths[k % len(paths)]
    body = get(path)
    if path == "/pid":
        return int(body)
    if hashlib.sha256(body).hexdigest() != files[path]:
        raise RuntimeError("%s differs under load" % path)
    return None


pids = set()
made = 2 + len(files)
with concurrent.futures.ThreadPoolExecutor(max_workers=200) as pool:
    for _ in range(20):
        pids |= {p for p in pool.map(one, range(200)) if p is not None}
        made += 200
        if len(pids) >= workers:
            break

try:
    get("/nothere")
    sys.exit("no 404 for a missing file")
except urllib.error.HTTPError as e:
    if e.code != 404:
        sys.exit("status %d for a missing file" % e.code)

if master in pids or len(pids) != workers:
    sys.exit("worker pids %s, master %d: want %d workers, none the master" %
             (sorted(pids), master, workers))
# "Active connections: 1\nserver accepts handled requests\n A H R\n..."
counted = int(get("/status").decode().split("\n")[2].split()[2])
if counted < made:
    sys.exit("stub_status counted %d requests of the %d made" % (counted, made))
print("ok %d files, 200 requests at once, %d workers, counters shared" % (len(files), len(pids)))
