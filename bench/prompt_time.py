#!/usr/bin/env python3
"""Time from launch to the first prompt in a pseudo-terminal: median, min and max over N runs.

  prompt_time.py N PROMPT_SUFFIX COMMAND [ARGS...]

Prints "median min max" in milliseconds. The prompt counts as shown when the terminal has left
canonical mode (the line editor is waiting for keys) and PROMPT_SUFFIX was printed."""
import os, pty, select, statistics, sys, termios, time

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

n, suffix, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
once(argv, suffix)  # warm-up
times = [once(argv, suffix) for _ in range(n)]
print("%.1f %.1f %.1f" % (statistics.median(times), min(times), max(times)))
