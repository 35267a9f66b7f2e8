# An event loop in Python (tests/lib/debian_cases.sh): selectors' default selector
# (epoll) over stdin, a pipe from the host, and a pipe the script writes to itself;
# then a select that times out.
import os, selectors, sys
sel = selectors.DefaultSelector()
print(type(sel).__name__)
r, w = os.pipe()
sel.register(0, selectors.EVENT_READ, "stdin")
sel.register(r, selectors.EVENT_READ, "pipe")
os.write(w, b"x")
total, pipe_seen, done = 0, 0, False
while not done:
    for key, ev in sel.select(5):
        if key.data == "pipe":
            os.read(r, 1)
            pipe_seen += 1
        else:
            d = os.read(0, 4096)
            total += len(d)
            if not d:
                sel.unregister(0)
                done = True
print("stdin bytes", total, "pipe", pipe_seen)
print("timeout", sel.select(0.05))
