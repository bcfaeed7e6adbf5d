"""Shared by scripts/ab-speed and scripts/tui-throughput: two training processes alive at once, only
one let run at a time (SIGSTOP/SIGCONT), each timed in short windows, so that both see the same swings
of a shared machine's speed."""

import json
import os
import signal
import sys
import time


def last_step(path):
    """The step of the last JSON line of a growing log (None before the first)."""
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        f.seek(max(0, f.tell() - 4096))
        lines = [l for l in f.read().decode(errors="replace").splitlines() if l.startswith("{")]
    for line in reversed(lines):
        try:
            return json.loads(line)["step"]
        except (ValueError, KeyError):
            continue
    return None


def is_stopped(pid):
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0] == "T"


def stop(pid, who="interleave"):
    """SIGSTOP, and wait until the kernel has really stopped it."""
    os.kill(pid, signal.SIGSTOP)
    deadline = time.monotonic() + 2
    while not is_stopped(pid):
        if time.monotonic() > deadline:
            sys.exit(f"{who}: process {pid} did not stop")
        time.sleep(0.005)


def window(pid, read_step, seconds, settle, others=()):
    """Lets `pid` run for `settle` + `seconds` (the others must be stopped) and returns its steps/s
    over the timed part; stops it again."""
    if not all(is_stopped(other) for other in others):
        sys.exit("interleave: the other process did not stay stopped")
    os.kill(pid, signal.SIGCONT)
    time.sleep(settle)
    s0, t0 = read_step(), time.monotonic()
    time.sleep(seconds)
    s1, t1 = read_step(), time.monotonic()
    stop(pid)
    return (s1 - s0) / (t1 - t0)


def resume_all(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
