"""Neighbours of a paragraph at corpus scale: how long a paragraph page waits for them.

    python -m benchmarks.bench_similar [--documents 20000] [--states 197] [--work DIR]

Writes vectors for ``--documents`` concluding observations spread over ``--states`` States
(60 paragraphs each, in 1 to 6 languages as the real corpus has them, ~5 on average), in the
layout ``rightsgraph build --similar`` writes, then times :func:`similar.neighbours` for
paragraphs of random documents: **cold** (the process has not read the State yet and its
files are dropped from the operating system's page cache with ``posix_fadvise``, so they
come from disk) and **warm** (the State read before).  The vectors are random unit vectors:
the cost does not depend on what they say.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from rightsgraph.graph import similar

LANGUAGES = ("en", "fr", "es", "ru", "zh", "ar")


def state_code(n: int) -> str:
    return "".join(chr(65 + (n // 26 ** i) % 26) for i in (2, 1, 0))


def write_corpus(folder: Path, documents: int, states: int, seed: int = 1) -> list[tuple]:
    """Write the vectors State by State (a State's file holds all its documents)."""
    rng = random.Random(seed)
    gen = np.random.default_rng(seed)
    written = []
    for s in range(states):
        state = state_code(s)
        held = []
        for n in range(s, documents, states):
            symbol = f"CRC/C/{state}/CO/{n}"
            for lang in LANGUAGES[:rng.choice((1, 3, 5, 6, 6, 6))]:
                vectors = gen.standard_normal((60, 384)).astype(np.float32)
                vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
                held.append(similar.Version(
                    symbol=symbol, language=lang, state=state, committee="CRC",
                    date=f"{2000 + n % 25}-01-01", sha256=None, numbers=list(range(1, 61)),
                    recommendations=list(range(1, 61)), vectors=vectors))
            written.append((state, symbol))
        similar.write_state(folder, state, held)
    return written


def evict(folder: Path, state: str) -> None:
    """Drop the State's files from the page cache (clean pages: no privilege needed)."""
    for path in folder.glob(f"{state}.*"):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--states", type=int, default=197)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--work", type=Path)
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-similar-"))
    folder = work / "vectors"
    started = time.monotonic()
    if folder.is_dir() and similar.states(folder):  # --work of an earlier run: its vectors
        written = [(state, v.symbol) for state in similar.states(folder)
                   for v in similar.versions(folder, state) if v.language == "en"]
        similar._load_state.cache_clear()
    else:
        written = write_corpus(folder, args.documents, args.states)
    size = sum(p.stat().st_size for p in folder.iterdir())
    versions = sum(len(similar.versions(folder, s)) for s in similar.states(folder))
    print(f"{len(written)} documents, {versions} language versions, "
          f"{size / 1e6:.0f} MB of vectors, ready in {time.monotonic() - started:.0f} s; "
          f"load average {os.getloadavg()[0]:.1f}")
    rng = random.Random(2)
    for label in ("cold", "warm"):
        times, cpu = [], []
        for state, symbol in rng.sample(written, args.samples):
            if label == "cold":
                similar._load_state.cache_clear()
                evict(folder, state)
            else:
                similar.neighbours(folder, state, symbol, 1)
            t, c = time.perf_counter(), time.process_time()
            similar.neighbours(folder, state, symbol, rng.randrange(1, 61))
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        times.sort()
        print(f"neighbours, {label}: p50 {statistics.median(times):.1f} ms, "
              f"p99 {times[int(len(times) * 0.99) - 1]:.1f} ms "
              f"(CPU time p50 {statistics.median(cpu):.1f} ms); "
              f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
