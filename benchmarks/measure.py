"""Measuring, for every benchmark: a whole command (:func:`run`: ``bench_build``,
``bench_scale``), the latency of sequential requests (:func:`latencies`) and requests/s under
load (:func:`wrk`), the CPU and memory of a process tree, and the machine's load average.

:func:`run` gives wall time, CPU seconds of the command's process tree, peak resident memory
of the tree, and the machine's load average before and after.

The peak is the sum of the resident memory of the command and its descendants (``build -j``
workers), sampled every 50 ms with psutil.  CPU seconds are user + system time of the command
and every descendant it waited for (``getrusage(RUSAGE_CHILDREN)`` around the run): on a
machine shared with other jobs they vary much less than wall time.  Output goes to temporary
files, not pipes, so a long run cannot block on a full pipe while it is being sampled.
"""
from __future__ import annotations

import contextlib
import math
import os
import re
import resource
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
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
    watched_peak_rss_mb: float = 0.0  # the process ``watch`` of :func:`run`, if given


def load() -> list[float]:
    """The load average over 1, 5 and 15 minutes."""
    return [round(x, 2) for x in os.getloadavg()]


def run(command: list[str], cores: int | None = None, watch: int | None = None) -> Run:
    """Run ``command`` to its end (pinned to the first ``cores`` CPUs available, when given)
    and measure it; with ``watch``, the peak resident memory of that process's tree too (a
    store server the command writes to)."""
    before = load()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = psutil.Popen(command, stdout=out, stderr=err, text=True)
        if cores:
            process.cpu_affinity(sorted(os.sched_getaffinity(0))[:cores])
        peak = watched = 0
        while process.poll() is None:
            peak = max(peak, tree_rss(process.pid))
            if watch:
                watched = max(watched, tree_rss(watch))
            time.sleep(SAMPLE_SECONDS)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    return Run(command, process.returncode, stdout, stderr, seconds, cpu, peak / 2**20,
               before, load(), watched / 2**20)


def checked(result: Run) -> Run:
    """``result``, or exit naming the command and the end of its error output."""
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(result.command)} failed ({result.returncode}):\n"
                         f"{result.stderr[-2000:]}")
    return result



# --- a process tree ----------------------------------------------------------------------


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and its descendants (0 once it has ended)."""
    try:
        process = psutil.Process(pid)
        tree = [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in tree:
        with contextlib.suppress(psutil.NoSuchProcess):  # a worker that ended meanwhile
            total += p.memory_info().rss
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its descendants (a server's workers)."""
    total = 0.0
    process = psutil.Process(pid)
    for p in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = p.cpu_times()
            total += times.user + times.system
    return total


# --- requests ------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q`` quantile (0.5: the median, 0.99: p99)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def latencies(client: httpx.Client, paths: str | Sequence[str], budget_s: float,
              runs: int, each_once: bool = False) -> dict:
    """p50/p99 in ms of sequential requests to ``paths`` (one, or several taken in turn):
    each requested once first, not counted (and the first one's time kept apart as
    ``first_ms``); then up to ``runs`` requests, stopping after ``budget_s`` seconds once
    at least 5 and every path were timed.  With ``each_once``, only the first path is
    requested beforehand and every other is timed once, never asked before: what a server
    remembers of an answer (a search asked again) is not what is timed.  A first answer
    that is not 200 is reported as ``{"status": code}`` and nothing is timed; later ones
    are timed and counted (``non_200``: a server that refuses under load is not faster)."""
    paths = [paths] if isinstance(paths, str) else list(paths)
    first_ms = None
    for path in paths[:1] if each_once else paths:
        t0 = time.perf_counter()
        answer = client.get(path)
        if first_ms is None:
            first_ms = (time.perf_counter() - t0) * 1000
        if answer.status_code != 200:
            return {"status": answer.status_code, "path": path}
    times: list[float] = []
    failed = 0
    started = time.perf_counter()
    least = max(5, len(paths))
    if each_once:
        paths, runs, budget_s = paths[1:], min(runs, len(paths) - 1), math.inf
        least = runs
    while len(times) < max(runs, least) and (
            len(times) < least or time.perf_counter() - started < budget_s):
        path = paths[len(times) % len(paths)]
        t0 = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        failed += answer.status_code != 200
    return {"p50_ms": percentile(times, 0.5), "p99_ms": percentile(times, 0.99),
            "requests": len(times), "non_200": failed, "first_ms": first_ms}


WRK = "wrk"


# wrk's threads take the paths in turn, each thread every THREADS-th path from its own
# offset: evenly paced threads ask no path twice before all were asked once.
ROTATE = """
local paths = {%s}
local threads = 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end
local n = 0
function request()
  local path = paths[((offset + n * %d) %% #paths) + 1]
  n = n + 1
  return wrk.format(nil, path)
end
"""
THREADS = 2


def wrk(url: str, seconds: float, accept: str, connections: int = 16,
        pid: int | None = None, paths: Sequence[str] = ()) -> dict:
    """Answered (2xx) requests/s at ``connections`` connections for ``seconds`` with wrk (a C
    load generator, not itself the bottleneck: ``apt-get install wrk``), its p50 under
    that load, and, given the server's ``pid``, the CPU milliseconds per request of its
    process tree.  Given ``paths``, the requests go to them in turn on ``url``'s server
    (``distinct``: how many; more requests than that repeat some)."""
    binary = shutil.which(WRK)
    if binary is None:
        raise SystemExit("wrk is missing (requests/s at 16 connections): apt-get install wrk")
    before = cpu_seconds(pid) if pid else 0.0
    client = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk's, once it has ended
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(ROTATE % (", ".join(f'"{p}"' for p in paths), THREADS))
        script.flush()
        out = subprocess.run([binary, "-t", str(THREADS), "-c", str(connections),
                              "-d", f"{seconds:.0f}s", "--latency", "--timeout", "30s",
                              "-H", f"Accept: {accept}",
                              *(["-s", script.name] if paths else []), url],
                             capture_output=True, text=True, check=True).stdout
    done = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
    if done is None:
        raise SystemExit(f"wrk gave no count of requests for {url}:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    median = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    requests = int(done.group(1))
    failed = int(errors.group(1)) if errors else 0
    elapsed = float(done.group(2)) / (1000 if done.group(3) == "ms" else 1)
    scale = {"us": 0.001, "ms": 1, "s": 1000}
    result = {"rps": (requests - failed) / elapsed, "requests": requests, "non_2xx": failed,
              "p50_ms": float(median.group(1)) * scale[median.group(2)] if median else None,
              "connections": connections, "client": "wrk", "load": load()[0]}
    if paths:
        result["distinct"] = len(paths)
    if pid:
        result["cpu_ms_per_request"] = 1000 * (cpu_seconds(pid) - before) / max(1, requests)
    spent = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["client_cpu_ms_per_request"] = 1000 * (
        spent.ru_utime + spent.ru_stime - client.ru_utime - client.ru_stime) / max(1, requests)
    return result
