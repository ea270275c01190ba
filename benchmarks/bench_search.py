"""Full-text search: index build rate, size on disk and query latency with facet counts.

    python -m benchmarks.bench_search [--paragraphs 200000] [--work /tmp/rightsgraph-bench]

Builds a search index (``rightsgraph.graph.search``) in ``--work`` from synthetic paragraph
versions in six languages: sentences of the test fixtures (``tests/fixtures/{en,fr,es,ru,ar}``)
and the seed (Chinese) drawn at random, 1-3 language versions per paragraph, 60 paragraphs a
document, given to the index one language version at a time as ``rightsgraph build`` does
(it commits every 5,000 paragraph versions or 5 seconds), with facet values
drawn for every facet of ``facets.toml``.  Then times 1-, 2- and 3-word queries (words of the
same sentences, every language) with their facet counts, as the search page runs them.

:func:`latency` takes any open index and queries, so the scale benchmark can time the index
that ``rightsgraph build`` made for its corpora.  Results: ``benchmarks/results/search.json``
and ``search.md``.  Target of issue 15: p50 <= 20 ms and p99 <= 100 ms.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

from benchmarks.bench_sparql import RESULTS, machine, write_report
from rightsgraph.graph.search import GraphRows, SearchIndex, default_path
from rightsgraph.graph.search.analysis import TOKEN, tokens
from rightsgraph.graph.search.rows import Version

ROOT = Path(__file__).resolve().parent.parent
SOURCES = {
    "en": ["tests/fixtures/en/cmw_fixture.txt", "tests/fixtures/en/cerd_fixture.txt",
           "tests/fixtures/en/crc_fixture.txt"],
    "fr": ["tests/fixtures/fr/cmw_fixture.txt"], "es": ["tests/fixtures/es/cmw_fixture.txt"],
    "ru": ["tests/fixtures/ru/cmw_fixture.txt"], "ar": ["tests/fixtures/ar/cmw_fixture.txt"],
    "zh": ["seeds/000_1bae2115e5d01706.txt"],
}
SHARE = {"en": 0.4, "fr": 0.15, "es": 0.15, "ru": 0.1, "ar": 0.1, "zh": 0.1}
PER_DOCUMENT = 60
TARGET_P50_MS, TARGET_P99_MS = 20, 100


def sentences(lang: str) -> list[str]:
    out = []
    for name in SOURCES[lang]:
        text = (ROOT / name).read_text("utf-8")
        text = re.sub(r"\[footnoteRef:\d+\]|\[\d+:[^\]]*\]", "", text)
        for line in text.splitlines():
            out += [s.strip() for s in re.split(r"(?<=[.;:。；])\s*", line)
                    if len(s.strip()) > 20]
    return out


def documents(paragraphs: int, seed: int = 1) -> Iterator[list[GraphRows]]:
    """Synthetic documents, each a list of its language versions' rows."""
    rng = random.Random(seed)
    pools = {lang: sentences(lang) for lang in SOURCES}
    langs, weights = zip(*SHARE.items(), strict=True)
    committees = ["CMW", "CERD", "CRC", "CAT", "CEDAW", "CESCR", "CCPR", "CRPD", "CED", "SPT"]
    made, number = 0, 0
    while made < paragraphs:
        number += 1
        symbol = f"{rng.choice(committees)}/C/S{rng.randrange(200):03d}/CO/{number}"
        held = sorted({rng.choices(langs, weights)[0] for _ in range(rng.choice((1, 1, 2, 3)))})
        common = {"committee": [symbol.split("/")[0]], "state": [symbol.split("/")[2]],
                  "year": [str(rng.randrange(2000, 2026))]}
        paras = []
        for n in range(1, PER_DOCUMENT + 1):
            facets = dict(common, kind=[rng.choice(("recommendation", "concern", "positive"))])
            for name, make, most in (
                    ("article", lambda: f"T{rng.randrange(9)}/{rng.randrange(1, 40)}", 3),
                    ("sdg", lambda: f"{rng.randrange(1, 18)}.{rng.randrange(1, 10)}", 2),
                    ("ilo", lambda: f"C{rng.randrange(1, 190):03d}", 1),
                    ("gc", lambda: f"CMW/GC/{rng.randrange(1, 6)}", 1)):
                values = sorted({make() for _ in range(rng.randrange(most + 1))})
                if values:
                    facets[name] = values
            paras.append((n, facets))
        rows = []
        for lang in held:
            versions = []
            for n, facets in paras:
                text = " ".join(rng.sample(pools[lang], rng.randrange(2, 5)))
                versions.append(Version(f"https://rightsgraph.org/doc/{symbol}/para/{n}", lang,
                                        text, tokens(text, lang), n, symbol,
                                        dict(facets, lang=[lang])))
            rows.append(GraphRows(f"https://rightsgraph.org/graph/{symbol}/{lang}",
                                  f"synthetic {number}", versions))
        made += len(paras) * len(held)
        yield rows


def queries(n: int = 300, seed: int = 2) -> dict[int, list[str]]:
    """``n`` queries of 1, 2 and 3 words each, words of the fixtures in every language."""
    rng = random.Random(seed)
    pools = {lang: sentences(lang) for lang in SOURCES}
    out: dict[int, list[str]] = {1: [], 2: [], 3: []}
    while sum(map(len, out.values())) < 3 * n:
        lang = rng.choice(list(SOURCES))
        words = [w for w in TOKEN.findall(rng.choice(pools[lang])) if len(w) > 3]
        size = rng.choice([k for k in out if len(out[k]) < n] or [1])
        if lang == "zh":
            words = [w[:4] for w in words]
        if len(words) >= size:
            start = rng.randrange(len(words) - size + 1)
            out[size].append(" ".join(words[start:start + size]))
    return out


def latency(index: SearchIndex, texts: Sequence[str], warmup: int = 20) -> dict:
    """p50, p99 and the largest time of ``index.search`` (20 results with their snippets
    and every facet's counts) over ``texts``, in milliseconds, the CPU milliseconds per
    query and the median number of paragraphs found."""
    def search(text: str) -> int:
        results = index.search(text)
        for hit in results.items:
            _ = hit.snippet  # made when read
        return results.total

    for text in texts[:warmup]:
        search(text)
    times, totals = [], []
    cpu = time.process_time()
    for text in texts:
        started = time.perf_counter()
        totals.append(search(text))
        times.append((time.perf_counter() - started) * 1000)
    cpu = time.process_time() - cpu
    times.sort()
    return {"queries": len(texts), "p50_ms": round(statistics.median(times), 2),
            "p99_ms": round(times[min(len(times) - 1, int(0.99 * len(times)))], 2),
            "max_ms": round(times[-1], 2), "cpu_ms": round(1000 * cpu / len(texts), 2),
            "median_found": statistics.median(totals)}


def size_on_disk(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def run(paragraphs: int, work: Path) -> dict:
    target = work / "search-index"
    shutil.rmtree(target, ignore_errors=True)
    versions = commits = 0
    started = time.perf_counter()
    with SearchIndex(target) as index:
        for rows in documents(paragraphs):
            for version in rows:  # one language version at a time, as a build does
                index.replace([version], commit=False)
                commits += 1
                versions += len(version.versions)
        index.commit()
        built = time.perf_counter() - started
        paras = len(index)
        measured = {f"{k} word{'s' if k > 1 else ''}": latency(index, texts)
                    for k, texts in queries().items()}
    return {"date": date.today().isoformat(), "machine": machine(),
            "load_average": os.getloadavg()[0], "paragraph_versions": versions,
            "paragraphs": paras, "language_versions": commits,
            "build_seconds": round(built, 1),
            "versions_per_second": round(versions / built),
            "index_mb": round(size_on_disk(target) / 1e6, 1), "latency": measured}


TABLE_HEAD = ["| query | queries | p50 ms | p99 ms | max ms | CPU ms | median paragraphs found |",
              "|---|---|---|---|---|---|---|"]


def _row(name: str, row: dict) -> str:
    return (f"| {name} | {row['queries']} | {row['p50_ms']} | {row['p99_ms']} | "
            f"{row['max_ms']} | {row.get('cpu_ms', '')} | {row['median_found']} |")


def markdown(report: dict) -> str:
    lines = [f"# Full-text search on {report['paragraphs']:,} paragraphs "
             f"({report['paragraph_versions']:,} language versions)", "",
             f"Machine: {report['machine']['cores']} cores, load average "
             f"{report['load_average']:.1f} at the end. Generated by "
             f"`benchmarks/bench_search.py` on {report['date']}.", "",
             f"Index: built in {report['build_seconds']} s "
             f"({report['versions_per_second']:,} paragraph versions/s, "
             f"{report['language_versions']:,} language versions given one at a time), "
             f"{report['index_mb']} MB on disk.", "",
             *TABLE_HEAD]
    for name, row in report["latency"].items():
        lines.append(_row(name, row))
    lines += ["", f"Target: p50 <= {TARGET_P50_MS} ms, p99 <= {TARGET_P99_MS} ms, each query "
              "with 20 ranked results, snippets and the counts of every facet."]
    return "\n".join(lines) + "\n"


def latency_table(path: Path) -> str:
    """The latency table of an existing index (``--index``, or the one beside a store that
    ``rightsgraph build`` made: ``--store``; ``bench_scale`` runs this on each of its
    stores), for the same queries."""
    index = SearchIndex(path, writable=False)
    lines = [f"Full-text index {path} ({len(index):,} paragraphs), load average "
             f"{os.getloadavg()[0]:.1f}, {date.today().isoformat()}:", "",
             *TABLE_HEAD]
    for k, texts in queries().items():
        lines.append(_row(f"{k} word{'s' if k > 1 else ''}", latency(index, texts)))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=200_000,
                        help="paragraph versions to index (default: %(default)s)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/rightsgraph-bench"))
    parser.add_argument("--output", type=Path, default=RESULTS / "search")
    parser.add_argument("--store", type=Path, help="only time the index beside this store "
                        "(printed, nothing written)")
    parser.add_argument("--index", type=Path, help="only time this index, e.g. WORK/"
                        "search-index of an earlier run (printed, nothing written)")
    args = parser.parse_args(argv)
    if args.store or args.index:
        print(latency_table(args.index or default_path(args.store)), end="")
        return 0
    report = run(args.paragraphs, args.work)
    write_report(args.output, report, markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
