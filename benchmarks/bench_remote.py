"""The remote store at scale (issue 15): the same build and the same requests on the
embedded store, the Oxigraph server and Virtuoso Open Source, side by side.

    python -m benchmarks.bench_remote [--size 1000000] [--engines embedded,oxigraph,virtuoso]
                                      [--work out/bench/remote]

One synthetic corpus (``benchmarks.synthetic``, ~``--size`` quads, checked), then for each
engine (the servers started here by :mod:`benchmarks.engines`, in folders of their own; an
engine whose binary is missing is skipped with how to install it):

* **build**: ``rightsgraph build CORPUS --store S -j 2 --index DIR`` (Virtuoso through its
  Graph Store Protocol URL, Oxigraph through SPARQL Update): seconds, documents/s, peak
  resident memory of the build's process tree and of the engine's, quads, bytes on disk;
* **latency**: p50/p99 of sequential requests to ``rightsgraph serve`` over that store:
  every researcher-API route, the search, paragraph and document pages of
  ``bench_scale.ROUTES``, and the five queries of ``queries.toml`` on our ``/sparql``
  and on the engine's own endpoint (remote engines only).

Results go to ``benchmarks/results/remote.json`` and ``remote.md``; the machine's load
average is recorded beside each phase.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx

from benchmarks import engines, measure
from benchmarks.bench_scale import ROUTES, corpus_for, picks
from benchmarks.bench_sparql import (
    JSON_RESULTS,
    RESULTS,
    instantiate,
    load_queries,
    machine,
    write_report,
)
from benchmarks.engines import BIN
from benchmarks.measure import load

ENGINES = ("embedded", "oxigraph", "virtuoso")
NAMES = {"embedded": "embedded (pyoxigraph)", "oxigraph": "Oxigraph server",
         "virtuoso": "Virtuoso 7.2"}


@contextlib.contextmanager
def engine(name: str, folder: Path) -> Iterator[engines.Engine]:
    """The store of engine ``name`` in ``folder`` (a server started for the block)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if name == "embedded":
        yield engines.Engine(NAMES[name], str(folder / "store"), folder=folder / "store")
    elif name == "oxigraph":
        with engines.oxigraph(folder) as running:
            yield running
    else:
        with engines.virtuoso(folder, buffers=340_000) as running:
            yield running


def build(corpus: Path, store: engines.Engine, index: Path, cores: int) -> dict:
    command = [str(BIN / "rightsgraph"), "build", str(corpus), "--store", store.store,
               *store.build_options, "--index", str(index), "-j", str(cores),
               "--store-timeout", "1200"]
    measured = measure.checked(measure.run(
        command, watch=store.process.pid if store.process else None))
    out = measured.stdout
    documents = sum(1 for _ in corpus.rglob("*.txt"))
    quads = re.search(r"(\d+) quads", out)
    return {"command": " ".join(command), "documents": documents,
            "quads": int(quads.group(1)) if quads else None, "seconds": measured.seconds,
            "documents_per_s": documents / measured.seconds,
            "build_peak_rss_mb": measured.peak_rss_mb,
            "engine_peak_rss_mb": measured.watched_peak_rss_mb,
            "disk_bytes": store.size_bytes(), "index_bytes": engines.Engine(
                "", "", folder=index).size_bytes(),
            "load_before": measured.load_before, "load_after": measured.load_after,
            "summary": out.strip().splitlines()}


def serve_and_measure(store: engines.Engine, index: Path, work: Path, budget_s: float,
                      runs: int) -> dict:
    ours = engines.ours(store.store, "--index", str(index))
    result: dict = {"load_before": load()}
    with engines.serving(work, ours, timeout=600):
        subjects = picks(ours.url)
        result["subjects"] = subjects
        base = f"http://127.0.0.1:{ours.port}"
        routes = {}
        with httpx.Client(base_url=base, timeout=600, headers={"Accept": "text/html"}) as c:
            for name, template in ROUTES.items():
                routes[name] = measure.latencies(c, template.format(**subjects),
                                                 budget_s, runs)
                print(f"  {name}: {routes[name]}", file=sys.stderr)
        result["routes"] = routes
        prefixes, spec = load_queries()
        queries = instantiate(ours.url, prefixes, spec)
        endpoints = {"ours": ours.url}
        if store.process is not None:  # the engine's own endpoint, beside ours
            endpoints["engine"] = store.store if "/sparql" in store.store else (
                f"{store.store}/query")
        sparql: dict = {}
        for name, query in queries.items():
            sparql[name] = {}
            for label, url in endpoints.items():
                with httpx.Client(timeout=600, headers={"Accept": JSON_RESULTS}) as c:
                    # the engine gets the union of all graphs as our /sparql gives it
                    extra = "&union-default-graph" if label == "engine" and (
                        "/query" in url) else ""
                    sparql[name][label] = measure.latencies(
                        c, f"{url}?query={quote(query)}{extra}", budget_s, runs)
            print(f"  sparql {name}: {sparql[name]}", file=sys.stderr)
        result["sparql"] = sparql
        result["serve_rss_mb"] = ours.rss_mb
    result["load_after"] = load()
    return result


def markdown(report: dict) -> str:
    names = [n for n in report["engines"] if "build" in report["engines"][n]]
    head = "| | " + " | ".join(NAMES[n] for n in names) + " |"
    rule = "|---" * (len(names) + 1) + "|"
    when = report["date"]
    built = next((e["build"] for e in report["engines"].values() if "build" in e), None)
    corpus = (f"{built['documents']:,} documents, {built['quads']:,} quads with inferences"
              if built else "")
    lines = [f"# Remote store: the synthetic corpus of {report['size']:,} triples "
             f"({corpus}), one build per engine", "",
             f"`python -m benchmarks.bench_remote --size {report['size']}` on {when}, "
             f"{report['machine']['cores']} cores shared with other jobs (the load average "
             "is beside each phase).  Build: `rightsgraph build -j 2` with its full-text "
             "index, Oxigraph through SPARQL Update, Virtuoso through the Graph Store "
             "Protocol.  Latency: p50 / p99 ms of sequential requests to `rightsgraph serve` "
             "over each store, and of the same SPARQL on the engine's own endpoint.", ""]
    lines += [f"*{note}*" for note in report.get("notes", [])]
    skipped = {n: e["skipped"] for n, e in report["engines"].items() if "skipped" in e}
    for name, why in skipped.items():
        lines.append(f"*{NAMES[name]}: skipped — {why}*")
    lines += ["", head, rule]

    def row(label: str, cell) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(report["engines"][n]) for n in names)
                     + " |")

    row("build, documents/s", lambda e: f"{e['build']['documents_per_s']:.2f}")
    row("build, seconds", lambda e: f"{e['build']['seconds']:.0f}")
    row("quads (as the store counts them)", lambda e: f"{e['build']['quads']:,}")
    row("store on disk, MB", lambda e: f"{e['build']['disk_bytes'] / 1e6:,.0f}")
    row("peak RSS: build · engine, MB", lambda e: f"{e['build']['build_peak_rss_mb']:,.0f} · "
        f"{e['build']['engine_peak_rss_mb']:,.0f}")
    row("load average before → after build", lambda e: f"{e['build']['load_before'][0]} → "
        f"{e['build']['load_after'][0]}")
    for route in ROUTES:
        row(route, lambda e, r=route: _cell(e.get("serve", {}).get("routes", {}).get(r)))
    for query in next((e["serve"]["sparql"] for e in report["engines"].values()
                       if "serve" in e), {}):
        row(f"/sparql {query} (ours)",
            lambda e, q=query: _cell(e.get("serve", {}).get("sparql", {}).get(q, {})
                                     .get("ours")))
        row(f"{query}, the engine's own endpoint",
            lambda e, q=query: _cell(e.get("serve", {}).get("sparql", {}).get(q, {})
                                     .get("engine")))
    row("load average during the requests", lambda e: f"{e['serve']['load_before'][0]} → "
        f"{e['serve']['load_after'][0]}" if "serve" in e else "—")
    return "\n".join(lines) + "\n"


def _cell(result: dict | None) -> str:
    if not result:
        return "—"
    if "p50_ms" not in result:
        return f"HTTP {result.get('status')}"
    return f"{result['p50_ms']:.1f} / {result['p99_ms']:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--render", action="store_true",
                        help="only write the .md again from the .json of --output")
    parser.add_argument("--size", type=int, default=1_000_000, help="quads, about")
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help=f"comma-separated, of {', '.join(ENGINES)}")
    parser.add_argument("--work", type=Path, default=Path("out/bench/remote"))
    parser.add_argument("--corpora", type=Path, default=Path("out/bench"),
                        help="where the synthetic corpora are made and kept (as bench_scale)")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--budget", type=float, default=20.0,
                        help="seconds of requests per route, at most")
    parser.add_argument("--runs", type=int, default=50, help="requests per route, at most")
    parser.add_argument("--output", type=Path, default=RESULTS / "remote")
    args = parser.parse_args(argv)
    report: dict
    if args.render:
        report = json.loads(args.output.with_suffix(".json").read_text())
        write_report(args.output, report, markdown(report))
        return 0
    chosen = [name.strip() for name in args.engines.split(",") if name.strip()]
    unknown = set(chosen) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engines: {', '.join(sorted(unknown))}")
    args.work.mkdir(parents=True, exist_ok=True)
    corpus = corpus_for(args.size, args.corpora)
    report = {"size": args.size, "machine": machine(),
                    "date": datetime.date.today().isoformat(), "engines": {}}
    for name in chosen:
        folder = args.work / name
        print(f"{NAMES[name]}:", file=sys.stderr)
        try:
            with engine(name, folder) as store:
                index = folder / "search"
                entry: dict = {"store": store.store,
                               "build": build(corpus, store, index, args.cores)}
                print(f"  build: {entry['build']['documents_per_s']:.2f} documents/s, "
                      f"{entry['build']['seconds']:.0f} s", file=sys.stderr)
                entry["serve"] = serve_and_measure(store, index, folder, args.budget, args.runs)
        except engines.EngineMissingError as err:
            print(f"  skipped: {err}", file=sys.stderr)
            entry = {"skipped": str(err)}
        report["engines"][name] = entry
        write_report(args.output, report, markdown(report))  # after each engine
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
