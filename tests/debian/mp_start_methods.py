# Python's multiprocessing with the start method given (fork, spawn or forkserver): a
# pool, a queue, a shared value under a lock (POSIX semaphores in /dev/shm), exit codes,
# terminate, and a subprocess. tests/lib/debian_cases.sh runs it in a VM and natively.
# (Not named multiprocessing.py: the script's own directory comes first on sys.path.)
import multiprocessing as mp
import os
import signal
import subprocess
import sys


def square(x):
    return x * x


def total(q, n):
    q.put(sum(range(n)))


def count(v, lock, n):
    for _ in range(n):
        with lock:
            v.value += 1


if __name__ == "__main__":
    ctx = mp.get_context(sys.argv[1])
    with ctx.Pool(3) as pool:
        print("pool map:", pool.map(square, range(10)))
    q = ctx.Queue()
    ps = [ctx.Process(target=total, args=(q, n)) for n in (10, 100, 1000)]
    for p in ps:
        p.start()
    got = sorted(q.get() for _ in ps)
    for p in ps:
        p.join()
    print("queue:", got, "exit codes:", [p.exitcode for p in ps])
    v, lock = ctx.Value("i", 0), ctx.Lock()
    ps = [ctx.Process(target=count, args=(v, lock, 200)) for _ in range(3)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    print("shared counter:", v.value)
    p = ctx.Process(target=sys.exit, args=(3,))
    p.start()
    p.join()
    print("child's exit code:", p.exitcode)
    p = ctx.Process(target=signal.pause)
    p.start()
    p.terminate()
    p.join()
    print("terminated child:", p.exitcode)
    r = subprocess.run([sys.executable, "-S", "-c", "print('a child python')"],
                       capture_output=True, text=True)
    print("subprocess:", r.returncode, r.stdout.strip())
