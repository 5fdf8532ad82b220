"""``python -m workers.pool [-n N] [--burst]``: N worker processes on this machine (default:
``WORKER_PROCESSES``, else the CPU count), the first with RQ's scheduler and the daily
bookings, the rest without, so the scheduler runs in exactly one process per machine.
(RQ also holds a Redis lock per queue while scheduling, so across machines one scheduler
acts at a time; see docs/operations.md.)

Each process is a plain ``python -m workers``; SIGTERM/SIGINT are passed on to every one
(RQ finishes the job in hand, then stops) and the pool exits when all have stopped. A
process that dies is started again unless the pool is stopping or in ``--burst`` mode.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import subprocess
import sys
import time


def commands(count: int, burst: bool) -> list[list[str]]:
    """The command line of each process: only the first runs the scheduler."""
    base = [sys.executable, "-m", "workers"] + (["--burst"] if burst else [])
    return [base if i == 0 else [*base, "--no-scheduler"] for i in range(count)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers.pool")
    default = int(os.environ.get("WORKER_PROCESSES") or multiprocessing.cpu_count())
    parser.add_argument("-n", "--processes", type=int, default=default)
    parser.add_argument("--burst", action="store_true")
    args = parser.parse_args(argv)
    lines = commands(max(1, args.processes), args.burst)
    children = [subprocess.Popen(line) for line in lines]
    stopping = False

    def stop(signum, _frame):
        nonlocal stopping
        stopping = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        running = False
        for i, child in enumerate(children):
            if child.poll() is None:
                running = True
            elif not stopping and not args.burst:
                time.sleep(1)  # do not spin when a process cannot start at all
                children[i] = subprocess.Popen(lines[i])
                running = True
        if not running:
            return max((child.returncode or 0) for child in children)
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())
