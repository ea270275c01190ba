"""Worker processes that die with their parent and stay inside a memory limit.

``build -j`` and ``serve`` start worker processes (multiprocessing, ``spawn``).  If the parent
is killed (SIGKILL, the OOM killer) nothing tells them to stop: ``build``'s workers and
multiprocessing's resource tracker stayed alive for good, holding the build's output pipes,
and a ``serve`` worker ran its query on at full CPU (issue #10).  A worker calls
:func:`die_with_parent` first thing: on Linux the kernel then sends it SIGKILL when the
thread that started it exits (``prctl(PR_SET_PDEATHSIG)``; so start workers from a thread
that lives as long as the pool, such as the main thread); elsewhere a watcher thread exits
the process once its parent is gone.

:func:`limit_memory` caps the worker's address space (``RLIMIT_AS``): an allocation past it
fails, which stops a Rust engine (pyoxigraph aborts the process) or raises ``MemoryError``
in Python, instead of exhausting the host's memory.

:func:`settle_garbage_collector` sets the cyclic garbage collector for a long-lived process
that makes and frees many objects per unit of work (a build's worker, a server).
"""
from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import resource
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1
_M_ARENA_MAX = -8


def die_with_parent(parent: int) -> None:
    """Make this process end when ``parent`` (its parent's pid) ends."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # the parent died before the request took effect
                os._exit(1)
            return
    threading.Thread(target=_watch, args=(parent,), daemon=True,
                     name="rightsgraph-parent-watch").start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space at ``megabytes`` MiB (where the platform allows).

    glibc reserves 64 MiB of address space per thread arena; the arenas are limited to two
    so that the cap measures what the process uses rather than what it reserved."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).mallopt(_M_ARENA_MAX, 2)
    limit = megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def peak_memory_mb() -> float:
    """The largest resident size this process has had, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def settle_garbage_collector() -> None:
    """Leave what this process holds now (modules, registries, rules, the app) out of the
    cyclic garbage collector, and run its young-object passes less often: what a document
    or a request makes is freed by reference counting, yet a pass ran every 700 net
    allocations and full passes went over the ~70,000-100,000 objects held from the start
    (~4 ms of CPU per document in a build's worker; 14.5 % of a server's samples under a
    stream of searches)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


GC_THRESHOLD = 10_000  # net allocations between young-object collections (Python's: 700)
