"""Running a command and measuring it, for the benchmarks that time a whole command
(``bench_build``, ``bench_scale``): wall time, CPU seconds of its process tree, peak resident
memory of the tree, and the machine's load average before and after.

The peak is the sum of the resident memory of the command and its descendants (``build -j``
workers), sampled every 50 ms with psutil.  CPU seconds are user + system time of the command
and every descendant it waited for (``getrusage(RUSAGE_CHILDREN)`` around the run): on a
machine shared with other jobs they vary much less than wall time.  Output goes to temporary
files, not pipes, so a long run cannot block on a full pipe while it is being sampled.
"""
from __future__ import annotations

import os
import resource
import tempfile
import time
from dataclasses import dataclass

import psutil

SAMPLE_SECONDS = 0.05


@dataclass
class Run:
    command: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    cpu_seconds: float  # user + system, the command and its waited-for descendants
    peak_rss_mb: float  # the command and its descendants, summed, at the highest sample
    load_before: list[float]
    load_after: list[float]


def load() -> list[float]:
    """The load average over 1, 5 and 15 minutes."""
    return [round(x, 2) for x in os.getloadavg()]


def run(command: list[str], cores: int | None = None) -> Run:
    """Run ``command`` to its end (pinned to the first ``cores`` CPUs available, when given)
    and measure it."""
    before = load()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = psutil.Popen(command, stdout=out, stderr=err, text=True)
        if cores:
            process.cpu_affinity(sorted(os.sched_getaffinity(0))[:cores])
        peak = 0
        while process.poll() is None:
            try:
                tree = [process, *process.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree))
            except psutil.NoSuchProcess:
                pass  # a worker ended between listing and reading: the next sample counts
            time.sleep(SAMPLE_SECONDS)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    return Run(command, process.returncode, stdout, stderr, seconds, cpu, peak / 2**20,
               before, load())


def checked(result: Run) -> Run:
    """``result``, or exit naming the command and the end of its error output."""
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(result.command)} failed ({result.returncode}):\n"
                         f"{result.stderr[-2000:]}")
    return result

