#!/usr/bin/env python3
"""Runs two commands in turn, ROUNDS times each (after PREPARE before every run), and prints
"median min max" in milliseconds for each, on one line. Taking turns, rather than running all of
one command and then all of the other as hyperfine does, keeps a machine whose speed drifts from
favouring either.

  interleave.py ROUNDS PREPARE COMMAND1 COMMAND2

PREPARE is a shell command line; the commands are words (run without a shell, whose own start
would blur a start-up's time), their output thrown away."""
import shlex, statistics, subprocess, sys, time

rounds, prepare, commands = int(sys.argv[1]), sys.argv[2], [shlex.split(c) for c in sys.argv[3:5]]
times = [[], []]
for r in range(rounds + 1):
    for k in (0, 1) if r % 2 == 0 else (1, 0):
        subprocess.run(prepare, shell=True, check=True, stdout=subprocess.DEVNULL)
        start = time.monotonic()
        subprocess.run(commands[k], check=True, stdout=subprocess.DEVNULL)
        if r > 0:  # the first round warms the caches
            times[k].append((time.monotonic() - start) * 1000)
print(" ".join("%.1f %.1f %.1f" % (statistics.median(t), min(t), max(t)) for t in times))
