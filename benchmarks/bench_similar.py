"""Neighbours of a paragraph at corpus scale: how long a paragraph page waits for them.

    python -m benchmarks.bench_similar [--documents 20000] [--states 197] [--work DIR]

Writes vectors for ``--documents`` concluding observations spread over ``--states`` States
(60 paragraphs each, in 1 to 6 languages as the real corpus has them, ~5 on average), in the
layout ``rightsgraph build --similar`` writes, then times :func:`similar.neighbours` for
paragraphs of random documents: cold (the State's vectors read from disk) and warm (read
before).  The vectors are random unit vectors: the cost does not depend on what they say.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from rightsgraph.graph import similar

LANGUAGES = ("en", "fr", "es", "ru", "zh", "ar")


def write_corpus(folder: Path, documents: int, states: int, seed: int = 1) -> list[tuple]:
    rng = random.Random(seed)
    gen = np.random.default_rng(seed)
    written = []
    for n in range(documents):
        state = f"S{n % states:02d}"[:3].ljust(3, "X")
        symbol = f"CRC/C/{state}/CO/{n}"
        for lang in LANGUAGES[:rng.choice((1, 3, 5, 6, 6, 6))]:
            vectors = gen.standard_normal((60, 384)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            similar.write_version(folder, similar.Version(
                symbol=symbol, language=lang, state=state, committee="CRC",
                date=f"{2000 + n % 25}-01-01", sha256=None, numbers=list(range(1, 61)),
                recommendations=list(range(1, 61)), vectors=vectors))
        written.append((state, symbol))
    return written


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
    written = write_corpus(folder, args.documents, args.states)
    size = sum(p.stat().st_size for p in folder.rglob("*.npz"))
    print(f"{args.documents} documents, {len(list(folder.rglob('*.npz')))} language versions, "
          f"{size / 1e6:.0f} MB of vectors, written in {time.monotonic() - started:.0f} s")
    rng = random.Random(2)
    for label in ("cold", "warm"):
        times = []
        for state, symbol in rng.sample(written, args.samples):
            if label == "cold":
                similar._load_state.cache_clear()
            else:
                similar.neighbours(folder, state, symbol, 1)
            t = time.perf_counter()
            similar.neighbours(folder, state, symbol, rng.randrange(1, 61))
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        print(f"neighbours, {label}: p50 {statistics.median(times):.1f} ms, "
              f"p99 {times[int(len(times) * 0.99) - 1]:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
