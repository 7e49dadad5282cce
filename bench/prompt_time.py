#!/usr/bin/env python3
"""Time from launch to the first prompt in a pseudo-terminal, for two commands in turn: median,
min and max over N runs each.

  prompt_time.py N PROMPT_SUFFIX1 COMMAND1 PROMPT_SUFFIX2 COMMAND2   (commands as shell words)

Prints "median min max" in milliseconds for each, on one line. The prompt counts as shown when
PROMPT_SUFFIX was printed and the terminal has left canonical mode (the line editor is waiting
for keys). The commands take turns (this machine's speed drifts over a minute)."""
import os, pty, select, shlex, statistics, sys, termios, time

def once(argv, suffix):
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.environ["NO_COLOR"] = "1"
        os.execvp(argv[0], argv)
    seen = b""
    try:
        while True:
            r, _, _ = select.select([fd], [], [], 5)
            if not r:
                raise SystemExit("no prompt within 5 s: %r" % seen[-200:])
            seen += os.read(fd, 4096)
            if seen.rstrip().endswith(suffix.encode().rstrip()):
                # The editor prints the prompt, then leaves canonical mode to read keys.
                deadline = time.monotonic() + 2
                while termios.tcgetattr(fd)[3] & termios.ICANON and time.monotonic() < deadline:
                    time.sleep(0.0002)
                return (time.monotonic() - start) * 1000
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)

n = int(sys.argv[1])
cases = [(sys.argv[2], shlex.split(sys.argv[3])), (sys.argv[4], shlex.split(sys.argv[5]))]
times = [[], []]
for r in range(n + 1):
    for k in (0, 1) if r % 2 == 0 else (1, 0):
        t = once(cases[k][1], cases[k][0])
        if r > 0:  # the first round warms the caches
            times[k].append(t)
print(" ".join("%.1f %.1f %.1f" % (statistics.median(t), min(t), max(t)) for t in times))
