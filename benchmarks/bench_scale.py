"""The whole corpus on one machine (issue 15): build, store and every page at several sizes.

    python -m benchmarks.bench_scale [--sizes 1000000 4000000 8000000] [--work out/bench]

A size is the synthetic corpus's ``--triples`` (``benchmarks.synthetic``: triples as
extracted); the store holds about 1.6 times as many quads with the registries, the ontology
and the inferences: 1M, 4M and 8M are 444, 1,775 and 3,549 documents, 1.6M, 6.4M and 12.8M
quads.  Each corpus is made once into ``WORK/corpus-SIZE`` (checked against the extractor)
and reused.  For each size:

* **build**: ``rightsgraph build CORPUS --store DIR -j 2`` into a new store, pinned to two
  CPUs: seconds, documents/s, CPU milliseconds per document, peak resident memory of its
  process tree (:mod:`benchmarks.measure`), quads.  The two sizes the memory target
  compares (the smallest and the first at least 4x it) are built ``--rss-builds`` times
  (3), each into a new store: one build's peak swings by a tenth with whether a bulk
  load's peak meets the workers', so each figure is the median of the builds (their
  range beside it) and the last build's store is the one served;
* **store**: bytes on disk (and what of it is write-ahead log) against the same quads
  bulk-loaded into a new Oxigraph store, and the full-text index's bytes;
* **latency**: p50/p99 of sequential requests to every researcher-API route (with the
  filters a researcher uses), every page (search, paragraph, document, SDG target, a
  State's recurring recommendations), the search page and ``/api/search`` with 1-, 2- and
  3-word queries (facet counts included; each query asked once, since the server answers
  a search asked again from memory), and the five queries of ``queries.toml`` on our
  ``/sparql`` and on ``oxigraph serve-read-only`` over the same store;
* **throughput**: answered requests/s at 16 connections with ``wrk`` (a C load generator
  that is not the bottleneck: ``apt-get install wrk``) on ``/sparql`` (ours, the per-client
  limit lifted, and Oxigraph's), a paragraph page, the search page and ``/api/search``
  (wrk takes 3,000 different 2- and 3-word queries in turn), with the server's CPU
  milliseconds per request (its process and its workers' or threads') and wrk's own; the
  two ``/sparql`` are run in turn three times, each keeping its median run.  Both servers
  share the machine's two cores, asked the same query by the same wrk; Oxigraph answers
  each connection in a thread of its own, ours with its default public workers (as many
  as cores, each sent up to two queries at once, at ``nice 10``);
* **the index alone**: ``SearchIndex.search`` (20 hits with snippets and every facet) on the
  same words, without HTTP.

The report (``benchmarks/results/scale.json`` and ``scale.md``, written after each size)
shows each figure's growth from the smallest size to the largest and marks the issue's
targets met or not met.  The machine's load average is recorded before and after each phase:
on a shared machine the absolute numbers are only as good as it was quiet.
"""
from __future__ import annotations

import argparse
import datetime
import itertools
import json
import math
import random
import re
import shutil
import statistics
import subprocess
import sys
import tomllib
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pyoxigraph as ox

from benchmarks import engines, measure
from benchmarks.bench_sparql import (
    JSON_RESULTS,
    RESULTS,
    instantiate,
    load_queries,
    machine,
    write_report,
)
from benchmarks.engines import BIN
from benchmarks.measure import checked, load

CLIENTS = 16
# Every researcher-API route (api/researcher.py, api/statistics.py, api/recurring.py) with
# the filters a researcher uses, and every page; {placeholders} are picked from the data.
ROUTES = {
    "/api/documents": "/api/documents",
    "/api/documents?state=": "/api/documents?state={state}",
    "/api/search?q= (2 words, asked again)": "/api/search?q=birth+registration",
    "/api/paragraphs?document=": "/api/paragraphs?document={symbol}",
    "/api/paragraphs?article=": "/api/paragraphs?article={article}",
    "/api/paragraphs?state=": "/api/paragraphs?state={state}",
    "/api/paragraphs?sdg=": "/api/paragraphs?sdg={sdg}",
    "/api/paragraphs?ilo=": "/api/paragraphs?ilo={ilo}",
    "/api/paragraphs?q=": "/api/paragraphs?q=birth+registration",
    "/api/recommendations?article=": "/api/recommendations?article={article}",
    "/api/recommendations?state=": "/api/recommendations?state={state}",
    "/api/articles/{treaty}/{article}": "/api/articles/{article}",
    "/api/sdg/{target}": "/api/sdg/{sdg}",
    "/api/chain?uri=": "/api/chain?uri={paragraph_iri}",
    "/api/links?document=": "/api/links?document={symbol}",
    "/api/states/{alpha3}/recurring": "/api/states/{state}/recurring",
    "/api/summary": "/api/summary",
    "/api/articles": "/api/articles",
    "/api/sdg": "/api/sdg",
    "/api/states": "/api/states",
    "home page": "/",
    "search page (2 words, asked again)": "/?q=birth+registration",
    "paragraph page": "/{paragraph}",
    "document page": "/{document}",
    "SDG target page": "/sdg/{sdg}",
    "article page": "/{article_page}",
    "a State's recurring recommendations page": "/state/{state}/recurring",
    "/void": "/void",
}
# Routes whose answer does not grow with the corpus: their time should not either.
LOOKUPS = ("/api/paragraphs?document=", "/api/chain?uri=", "/api/links?document=",
           "paragraph page", "document page")
SEARCHES = {  # words of the synthetic corpus (benchmarks/synthetic_en.toml's topics)
    "1 word": ["registration", "justice", "education", "housing", "training", "victims",
               "employment", "water"],
    "2 words": ["birth registration", "legal aid", "social protection", "mental health",
                "police conduct", "rural development"],
    "3 words": ["primary health care", "access to justice", "family support services",
                "juvenile justice system", "civil registration data"],
}
# Over HTTP every query is asked once (the server answers a search asked again from memory,
# api/search.py's RECENT): SEARCHES first, then others drawn from the same topic words.
SPARQL_ROUNDS = 3  # wrk runs on each /sparql, ours and Oxigraph's taken in turn
DISTINCT = 3000  # queries in the pool wrk draws from (more than it sends in a run)


def distinct_searches(words: int, count: int) -> list[str]:
    """``count`` different queries of ``words`` words (fewer if there are not as many),
    SEARCHES's first, then combinations of the synthetic corpus's topic words in a fixed
    pseudo-random order."""
    wording = tomllib.loads((Path(__file__).with_name("synthetic_en.toml")).read_text("utf-8"))
    vocabulary = sorted({word for topic in wording["paragraphs"]["topics"]
                         for word in re.findall(r"[a-z]+", topic.lower()) if len(word) > 3})
    listed = SEARCHES[f"{words} word" + ("s" if words > 1 else "")]
    combos = [" ".join(c) for c in itertools.combinations(vocabulary, words)]
    random.Random(words).shuffle(combos)
    return list(dict.fromkeys([*listed, *combos]))[:count]


SEARCH_ROUTES = {"search page": "/?q={}", "/api/search": "/api/search?q={}"}
PICK = """PREFIX hro: <https://rightsgraph.org/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?para ?doc ?symbol ?article ?state WHERE {
  ?para hro:reiterates ?earlier ; hro:concernsArticle ?a ; dcterms:isPartOf ?doc .
  ?doc dcterms:identifier ?symbol ; hro:stateParty ?s .
  ?a skos:notation ?article . ?s skos:notation ?state .
  FILTER (DATATYPE(?article) = xsd:string && DATATYPE(?state) = xsd:string
          && STRLEN(?state) = 3)
} ORDER BY ?para LIMIT 1"""
PICK_NOTATION = """PREFIX hro: <https://rightsgraph.org/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?notation WHERE {{ ?p hro:{property} ?t . ?t skos:notation ?notation }}
ORDER BY ?notation LIMIT 1"""

# The targets, at the largest size unless said otherwise.
DOCS_PER_S = 20
BULK_RATIO = 2.0
RSS_GROWTH = 1.2  # peak RSS of the build at 4x the corpus, against 1x
RSS_BUILDS = 3  # builds of the two sizes RSS_GROWTH compares: medians, not one build's swing
SEARCH_P50_MS, SEARCH_P99_MS = 20, 100
ROUTE_P50_MS = 100
SPARQL_RATIO, SPARQL_SLACK_MS = 1.5, 2
RPS_SHARE = 0.5
FLAT = 2.0  # our reading of "flat": p50 at most 2x from the smallest size to the largest


def corpus_for(size: int, work: Path) -> Path:
    """``work/corpus-SIZE``, the synthetic corpus of about ``size`` extracted triples (seed
    1, checked against the extractor), made unless it is already complete."""
    folder = work / f"corpus-{size}"
    if not (folder / ".complete").exists():
        work.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "benchmarks.synthetic", str(folder),
                        "--triples", str(size), "--seed", "1", "--check"], check=True)
        (folder / ".complete").touch()
    return folder


def build(corpus: Path, store: Path, cores: int, builds: int = 1) -> dict:
    """``builds`` builds of ``corpus``, each into a new ``store`` (the last one kept): the
    median of their seconds, CPU seconds and peak RSS (each build's in ``runs``), the
    load average before the first and after the last."""
    command = [str(BIN / "rightsgraph"), "build", str(corpus), "--store", str(store),
               "-j", str(cores)]
    runs = []
    for _ in range(builds):
        shutil.rmtree(store, ignore_errors=True)
        shutil.rmtree(store.with_name(store.name + ".search"), ignore_errors=True)
        runs.append(checked(measure.run(command, cores)))
    measured = runs[-1]
    seconds = statistics.median(run.seconds for run in runs)
    cpu = statistics.median(run.cpu_seconds for run in runs)
    documents = sum(1 for _ in corpus.rglob("*.txt"))
    quads = re.search(r"(\d+) quads", measured.stdout)
    return {"command": " ".join(command), "documents": documents,
            "quads": int(quads.group(1)) if quads else None, "builds": builds,
            "seconds": seconds, "documents_per_s": documents / seconds,
            "cpu_seconds": cpu, "cpu_ms_per_document": cpu * 1000 / documents,
            "documents_per_s_on_cpu_time": documents * cores / cpu,
            "peak_rss_mb": statistics.median(run.peak_rss_mb for run in runs),
            "runs": [{"seconds": run.seconds, "cpu_seconds": run.cpu_seconds,
                      "peak_rss_mb": run.peak_rss_mb, "load_before": run.load_before,
                      "load_after": run.load_after} for run in runs],
            "load_before": runs[0].load_before, "load_after": measured.load_after,
            "summary": measured.stdout.strip().splitlines()}


def peak_range(build: dict) -> str:
    """The builds' peaks, lowest-highest in MB, when there were several."""
    peaks = [run["peak_rss_mb"] for run in build.get("runs", [])]
    return (f"{min(peaks):,.0f}-{max(peaks):,.0f} MB, median of {len(peaks)} builds"
            if len(peaks) > 1 else "one build")


def folder_bytes(folder: Path, suffix: str | None = None) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*")
               if f.is_file() and (suffix is None or f.name.endswith(suffix)))


def store_size(store: Path, work: Path) -> dict:
    """Our store against the same quads bulk-loaded into a new Oxigraph store, and the
    full-text index beside it."""
    from rightsgraph.graph.search import default_path

    bulk = work / "bulk"
    shutil.rmtree(bulk, ignore_errors=True)
    source = ox.Store.read_only(str(store))
    quads = len(source)
    target = ox.Store(str(bulk))
    target.bulk_extend(source.quads_for_pattern(None, None, None, None))
    target.flush()
    del source, target
    ours, reference = folder_bytes(store), folder_bytes(bulk)
    shutil.rmtree(bulk, ignore_errors=True)
    index = default_path(store)
    return {"quads": quads, "bytes": ours, "wal_bytes": folder_bytes(store, ".log"),
            "bytes_per_quad": ours / quads, "bulk_bytes_per_quad": reference / quads,
            "ratio_to_bulk": ours / reference,
            "index_bytes": folder_bytes(index) if index.exists() else None}


def picks(url: str) -> dict:
    """The subjects of :data:`ROUTES`: a paragraph that reiterates an earlier one and cites
    an article, its document, State and article, an SDG target and an ILO instrument."""
    def rows(query: str) -> list[dict]:
        answer = httpx.get(url, params={"query": query}, headers={"Accept": JSON_RESULTS},
                           timeout=600)
        answer.raise_for_status()
        return [{k: v["value"] for k, v in row.items()}
                for row in answer.json()["results"]["bindings"]]

    row = rows(PICK)[0]
    base = "https://rightsgraph.org/"
    subjects = {"paragraph": row["para"].removeprefix(base),
                "paragraph_iri": quote(row["para"], safe=""),
                "document": row["doc"].removeprefix(base), "symbol": quote(row["symbol"]),
                "article": row["article"], "state": row["state"],
                "article_page": "treaty/" + row["article"].replace("/", "/article/", 1)}
    for name, prop in (("sdg", "refersToSdgTarget"), ("ilo", "citesIloInstrument")):
        found = rows(PICK_NOTATION.format(property=prop))
        subjects[name] = found[0]["notation"] if found else "none"
    return subjects


def serve_and_measure(store: Path, work: Path, budget_s: float, runs: int,
                      seconds: float) -> dict:
    ours = engines.ours(str(store))
    oxigraph = engines.oxigraph_read_only(store)
    result: dict = {"load_before": load()}
    with engines.serving(work, ours, oxigraph):
        subjects = picks(ours.url)
        result["subjects"] = subjects
        result["startup_s"] = {s.name: s.startup_s for s in (ours, oxigraph)}
        routes = {}
        with httpx.Client(base_url=ours.base, timeout=600,
                          headers={"Accept": "text/html"}) as client:
            for name, template in ROUTES.items():
                routes[name] = measure.latencies(client, template.format(**subjects),
                                                 budget_s, runs)
                print(f"  {name}: {_cell(routes[name])}", file=sys.stderr)
            searches = {}
            for route, template in SEARCH_ROUTES.items():
                for n, words in enumerate(SEARCHES, 1):
                    paths = [template.format(quote(text))
                             for text in distinct_searches(n, max(runs, 5))]
                    searches[f"{route}, {words}"] = measure.latencies(
                        client, paths, budget_s, runs, each_once=True)
                    print(f"  {route}, {words}: {_cell(searches[f'{route}, {words}'])}",
                          file=sys.stderr)
        result["routes"], result["searches"] = routes, searches
        prefixes, spec = load_queries()
        queries = instantiate(oxigraph.url, prefixes, spec)
        sparql: dict[str, dict] = {}
        with httpx.Client(timeout=600, headers={"Accept": JSON_RESULTS}) as client:
            for name, query in queries.items():
                sparql[name] = {server.name: measure.latencies(
                    client, f"{server.url}?query={quote(query)}", budget_s, runs)
                    for server in (ours, oxigraph)}
                print(f"  sparql {name}: " + " / ".join(
                    _cell(r) for r in sparql[name].values()), file=sys.stderr)
        result["sparql"] = sparql
        point = quote(queries["paragraph"])
        pool = [quote(text) for n in (2, 3) for text in distinct_searches(n, DISTINCT // 2)]
        loads: dict[str, tuple[engines.Server, str, str, list[str]]] = {
            "/sparql one paragraph, ours": (ours, f"{ours.url}?query={point}", JSON_RESULTS,
                                            []),
            "/sparql one paragraph, Oxigraph": (oxigraph, f"{oxigraph.url}?query={point}",
                                                JSON_RESULTS, []),
            "paragraph page": (ours, f"{ours.base}/{subjects['paragraph']}", "text/html", []),
            "search page (2-3 words, each query once)": (
                ours, ours.base, "text/html", [f"/?q={q}" for q in pool]),
            "/api/search (2-3 words, each query once)": (
                ours, ours.base, "application/json", [f"/api/search?q={q}" for q in pool]),
        }
        result["throughput"] = {}
        # ours and Oxigraph's /sparql in turn, several times: the load of a shared machine
        # changes from one run to the next; each keeps its median run (as bench_serving;
        # all runs are recorded)
        pair = [name for name in loads if name.startswith("/sparql")]
        rounds: dict[str, list[dict]] = {name: [] for name in pair}
        for _ in range(SPARQL_ROUNDS):
            for name in pair:
                server, url, accept, paths = loads[name]
                rounds[name].append(measure.wrk(url, seconds, accept, CLIENTS, server.pid,
                                              paths=paths))
        for name, done in rounds.items():
            median = sorted(done, key=lambda run: run["rps"])[len(done) // 2]
            result["throughput"][name] = {**median, "runs": done}
            print(f"  {name}: {_rate(median)} req/s (median of {len(done)})", file=sys.stderr)
        for name, (server, url, accept, paths) in loads.items():
            if name in pair:
                continue
            result["throughput"][name] = measure.wrk(url, seconds, accept, CLIENTS,
                                                     server.pid, paths=paths)
            print(f"  {name}: {_rate(result['throughput'][name])} req/s", file=sys.stderr)
        result["servers_rss_mb"] = {s.name: {"started": s.rss_mb,
                                             "after": measure.tree_rss(s.pid) / 2**20}
                                    for s in (ours, oxigraph)}
    result["load_after"] = load()
    return result


def search_index(store: Path) -> dict:
    """The index ``rightsgraph build`` made beside the store, without HTTP: paragraph
    versions held, and the latency of :data:`SEARCHES` (20 hits with snippets and every
    facet's counts, ``bench_search.latency``)."""
    from benchmarks.bench_search import latency
    from rightsgraph.graph.search import SearchIndex, default_path

    with SearchIndex(default_path(store), writable=False) as index:
        return {"paragraphs": len(index),
                "latency": {words: latency(index, texts * 5, warmup=len(texts))
                            for words, texts in SEARCHES.items()}}


# --- the report ------------------------------------------------------------------------


def _p50(result: dict | None) -> float | None:
    return result.get("p50_ms") if result else None


def _growth(first: float | None, last: float | None) -> str:
    return f"{last / first:.2f}x" if first and last else "–"


def targets(report: dict) -> list[dict]:
    """Each target of the issue: what it asks, the figure measured, and whether it is met
    (``None``: not measured)."""
    sizes = report["sizes"]
    if not sizes:
        return []
    first, last = sizes[0], sizes[-1]
    out = []

    def target(what: str, value: str, met: bool | None) -> None:
        out.append({"target": what, "measured": value, "met": met})

    build = first["build"]
    target(f"build ≥ {DOCS_PER_S} documents/s end to end (`-j 2`, the "
           f"{first['size']:,}-triple corpus)",
           f"{build['documents_per_s']:.1f} documents/s wall (load average "
           f"{build['load_before'][0]} → {build['load_after'][0]}); "
           f"{build['cpu_ms_per_document']:.0f} ms CPU per document, i.e. "
           f"{build['documents_per_s_on_cpu_time']:.1f} documents/s on 2 idle cores",
           build["documents_per_s"] >= DOCS_PER_S)
    worst = max(sizes, key=lambda s: s["store"]["ratio_to_bulk"])
    target(f"store ≤ {BULK_RATIO:g}x the bytes per quad of a bulk-loaded Oxigraph store",
           ", ".join(f"{s['store']['ratio_to_bulk']:.2f}x" for s in sizes),
           worst["store"]["ratio_to_bulk"] <= BULK_RATIO)
    four = next((s for s in sizes if s["size"] >= 4 * first["size"]), None)
    if four:  # 4x the smallest corpus, or the next size above
        ratio = four["build"]["peak_rss_mb"] / first["build"]["peak_rss_mb"]
        times = four["build"]["documents"] / first["build"]["documents"]
        target(f"peak RSS of the build at 4x the corpus ≤ {RSS_GROWTH:g}x that at 1x "
               "(medians)",
               f"{ratio:.2f}x at {times:.1f}x the documents "
               f"({four['build']['peak_rss_mb']:,.0f} MB ({peak_range(four['build'])}) / "
               f"{first['build']['peak_rss_mb']:,.0f} MB ({peak_range(first['build'])}))",
               ratio <= RSS_GROWTH)
    served = [s for s in sizes if "serve" in s]
    if not served:
        return out
    last = served[-1]  # the largest size served
    serve = last["serve"]
    at = f"at {last['build']['quads'] or last['size']:,} quads"
    searched = serve["searches"]
    p50s = [r.get("p50_ms", math.inf) for r in searched.values()]
    p99s = [r.get("p99_ms", math.inf) for r in searched.values()]
    target(f"search p50 ≤ {SEARCH_P50_MS} ms and p99 ≤ {SEARCH_P99_MS} ms, 1-3 words with "
           f"facets ({at})",
           "; ".join(f"{name} {_cell(r)}" for name, r in searched.items()),
           max(p50s) <= SEARCH_P50_MS and max(p99s) <= SEARCH_P99_MS)
    slow = {name: r for name, r in serve["routes"].items()
            if r.get("p50_ms", math.inf) > ROUTE_P50_MS}
    target(f"every page and API route p50 ≤ {ROUTE_P50_MS} ms ({at})",
           f"{len(serve['routes']) - len(slow)} of {len(serve['routes'])}; over: "
           + (", ".join(f"{name} {_cell(r, p99=False)}" for name, r in slow.items())
              or "none"), not slow)
    ratios = []
    within = True
    for name, pair in serve["sparql"].items():
        mine, theirs = _p50(pair.get("rightsgraph")), _p50(pair.get("oxigraph"))
        if mine is None or theirs is None:
            within = False
            continue
        ok = mine <= SPARQL_RATIO * theirs or mine - theirs <= SPARQL_SLACK_MS
        within = within and ok
        ratios.append(f"{name} {mine / theirs:.2f}x ({mine - theirs:+.1f} ms)"
                      + ("" if ok else " ✗"))
    target(f"/sparql p50 within {SPARQL_RATIO:g}x (or {SPARQL_SLACK_MS} ms) of `oxigraph "
           f"serve-read-only` on each of the five queries ({at})", "; ".join(ratios), within)
    rates = serve["throughput"]
    share = (rates["/sparql one paragraph, ours"]["rps"]
             / rates["/sparql one paragraph, Oxigraph"]["rps"])
    target(f"/sparql requests/s at {CLIENTS} connections (wrk) ≥ {RPS_SHARE:g}x Oxigraph's "
           f"({at})", f"{rates['/sparql one paragraph, ours']['rps']:,.0f} / "
           f"{rates['/sparql one paragraph, Oxigraph']['rps']:,.0f} = {share:.2f}x",
           share >= RPS_SHARE)
    if len(served) > 1:
        first = served[0]
        grown = {}
        for name in LOOKUPS:
            grown[name] = (_p50(first["serve"]["routes"].get(name)),
                           _p50(serve["routes"].get(name)))
        for name in searched:
            grown[name] = _p50(first["serve"]["searches"].get(name)), _p50(searched[name])
        growth = {n: b / a for n, (a, b) in grown.items() if a and b}
        target(f"search and lookups flat from {first['build']['quads']:,} to "
               f"{last['build']['quads']:,} quads (read here as p50 growing ≤ {FLAT:g}x)",
               "largest growth " + (", ".join(f"{n} {g:.2f}x" for n, g in sorted(
                   growth.items(), key=lambda kv: -kv[1])[:3]) if growth else "–"),
               bool(growth) and max(growth.values()) <= FLAT)
    return out


def _rate(result: dict | None) -> str:
    """Answered requests/s (2xx), and how many were refused (503 when the queue is full)."""
    if not result:
        return "–"
    refused = result.get("non_2xx", 0)
    return f"{result['rps']:,.0f}" + (f" ({refused} of {result['requests']} refused)"
                                      if refused else "")


def _cell(result: dict | None, p99: bool = True) -> str:
    if not result:
        return "–"
    if "p50_ms" not in result:
        return f"HTTP {result.get('status', '?')}"
    cell = f"{result['p50_ms']:.1f}" + (f" / {result['p99_ms']:.1f}" if p99 else "")
    return cell + (f" ({result['non_200']} not 200)" if result.get("non_200") else "")


def _get(s: dict, *keys: str) -> Any:
    node: Any = s
    for key in keys:
        node = (node or {}).get(key)
    return node


def summary(report: dict) -> str:
    """The issue's table: the figures it names, one column per size and their growth."""
    sizes = report["sizes"]
    if not sizes:
        return ""
    grows = len(sizes) > 1
    lines = ["| | " + " | ".join(f"{(s['build']['quads'] or 0) / 1e6:.1f}M quads "
                                 f"({s['build']['documents']:,} docs)" for s in sizes)
             + (" | growth |" if grows else " |"),
             "|---|" + "---|" * (len(sizes) + grows)]

    def p50(s: dict, *keys: str) -> str:
        timed = _get(s, "serve", *keys)
        if not timed:
            return "–"
        return f"{timed['p50_ms']:.1f}" if "p50_ms" in timed else f"HTTP {timed.get('status')}"

    def row(label: str, cell: Callable[[dict], str], *growth: tuple[str, ...]) -> None:
        cells = [cell(s) for s in sizes]
        if grows:
            ratios = []
            for keys in growth:
                a, b = _p50(_get(sizes[0], "serve", *keys)), _p50(_get(sizes[-1], "serve",
                                                                        *keys))
                ratios.append(_growth(a, b))
            cells.append(" · ".join(ratios))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    first_rss = sizes[0]["build"]["peak_rss_mb"]
    row("build: documents/s (load average) · CPU ms per document", lambda s: (
        f"{s['build']['documents_per_s']:.1f} ({s['build']['load_before'][0]:.0f}-"
        f"{s['build']['load_after'][0]:.0f}) · {s['build']['cpu_ms_per_document']:.0f}"))
    row("build: peak RSS, GB (÷ smallest corpus)", lambda s: (
        f"{s['build']['peak_rss_mb'] / 1024:.2f} ({s['build']['peak_rss_mb'] / first_rss:.2f})"))
    row("store: GB on disk · bytes per quad (bulk-loaded Oxigraph) · index MB", lambda s: (
        f"{s['store']['bytes'] / 1e9:.2f} · {s['store']['bytes_per_quad']:.0f} "
        f"({s['store']['bulk_bytes_per_quad']:.0f}) · "
        f"{(s['store'].get('index_bytes') or 0) / 1e6:,.0f}"))
    def timed_row(label: str, names: list[str], *keys: str) -> None:
        """p50 / p99 of several timings under ``keys`` (p50 only for routes)."""
        if keys == ("searches",):
            row(label, lambda s: " · ".join(_cell(_get(s, "serve", *keys, n)) for n in names),
                *[(*keys, n) for n in names])
        else:
            row(label, lambda s: " · ".join(p50(s, *keys, n) for n in names),
                *[(*keys, n) for n in names])

    def versus_row(label: str, names: list[str]) -> None:
        row(label, lambda s: " · ".join(
            " / ".join(p50(s, "sparql", n, k) for k in ("rightsgraph", "oxigraph"))
            for n in names), *[("sparql", n, "rightsgraph") for n in names])

    for route in SEARCH_ROUTES:
        timed_row(f"{route}, 1 · 2 · 3 words with facets, p50 / p99 ms",
                  [f"{route}, {w}" for w in SEARCHES], "searches")
    groups: list[tuple[str, list[str]]] = [
        ("paragraph page · document page", ["paragraph page", "document page"]),
        ("`/api/links?document=` · `/api/chain` · `/api/paragraphs?document=`",
         ["/api/links?document=", "/api/chain?uri=", "/api/paragraphs?document="]),
        ("`/api/recommendations?article=` · `/api/articles/…` · `/api/paragraphs?article=`",
         ["/api/recommendations?article=", "/api/articles/{treaty}/{article}",
          "/api/paragraphs?article="]),
        ("`/api/recommendations?state=` · `/api/documents?state=` · `/api/sdg/…` · "
         "`/api/states/…/recurring`", ["/api/recommendations?state=", "/api/documents?state=",
                                      "/api/sdg/{target}", "/api/states/{alpha3}/recurring"]),
        ("`/api/sdg` · `/api/states` · `/api/articles` · `/api/summary` · `/api/documents`",
         ["/api/sdg", "/api/states", "/api/articles", "/api/summary", "/api/documents"]),
        ("home page · SDG target page · recurring page · `/void`",
         ["home page", "SDG target page", "a State's recurring recommendations page",
          "/void"]),
    ]
    for label, names in groups:
        timed_row(f"{label}, p50 ms", names, "routes")

    def slowest(s: dict) -> str:
        routes = _get(s, "serve", "routes") or {}
        if not routes:
            return "–"
        name, timed = max(routes.items(), key=lambda kv: kv[1].get("p50_ms", math.inf))
        return f"`{name}` {_cell(timed, p99=False)}"

    row("slowest page or API route, p50 ms", slowest)
    versus_row("`/sparql` p50 ours / Oxigraph, ms: paragraph · State+article · chain",
               ["paragraph", "state_article", "reiteration_chain"])
    versus_row("`/sparql` p50 ours / Oxigraph, ms: SDG counts · text filter",
               ["sdg_counts", "text_filter"])
    row(f"req/s at {CLIENTS} connections (wrk): `/sparql` ours / Oxigraph · paragraph page · "
        "search page · `/api/search`", lambda s: " · ".join([
            " / ".join(_rate(_get(s, "serve", "throughput", f"/sparql one paragraph, {k}"))
                       for k in ("ours", "Oxigraph")),
            *(_rate(_get(s, "serve", "throughput", n)) for n in (
                "paragraph page", "search page (2-3 words, each query once)",
                "/api/search (2-3 words, each query once)"))]))
    row("load average while serving", lambda s: (
        f"{s['serve']['load_before'][0]:.0f} → {s['serve']['load_after'][0]:.0f}"
        if s.get("serve") else "–"))
    return "\n".join(lines) + "\n"


def markdown(report: dict) -> str:
    sizes = report["sizes"]
    grows = len(sizes) > 1
    head = ("| | " + " | ".join(
        f"{s['build']['quads'] or s['size']:,} quads ({s['build']['documents']:,} docs)"
        for s in sizes) + (" | growth, largest ÷ smallest |" if grows else " |"))
    lines = [f"# Scale: {len(sizes)} corpus sizes", "",
             f"Machine: {report['machine']['cores']} cores, {report['machine']['memory_gb']} GB,"
             f" {report['machine']['system']}. `python -m benchmarks.bench_scale --sizes "
             f"{' '.join(str(s['size']) for s in sizes)}` from {report['date']}"
             + (f" on {report['commit']}" if report.get("commit") else "")
             + ". The load average (1 min) before → after each phase is given: the machine "
             "was shared. Latency: p50 / p99 ms of sequential requests; requests/s: answered "
             f"requests at {CLIENTS} connections (wrk).", ""]
    marks = {True: "**met**", False: "**not met**", None: "not measured"}
    lines += ["## Targets (issue 15)", "", "| target | measured | |", "|---|---|---|"]
    lines += [f"| {t['target']} | {t['measured']} | {marks[t['met']]} |"
              for t in targets(report)]
    lines += [f"\n*{s['size']:,}: serving not measured: {s['error']}*" for s in sizes
              if s.get("error")]
    lines += ["", "## Summary", "", summary(report).rstrip("\n")]
    lines += ["", "## Every figure", "", head, "|---|" + "---|" * (len(sizes) + grows)]

    def row(label: str, cell: Callable[[dict], str],
            value: Callable[[dict], float | None] | None = None) -> None:
        cells = [cell(s) for s in sizes]
        if grows:
            cells.append(_growth(value(sizes[0]), value(sizes[-1])) if value else "")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    def serve(s: dict, *keys: str) -> Any:
        node = s.get("serve")
        for key in keys:
            node = (node or {}).get(key)
        return node

    row("build: seconds (documents/s)", lambda s: f"{s['build']['seconds']:.0f} "
        f"({s['build']['documents_per_s']:.1f})")
    row("build: CPU ms per document (every process)",
        lambda s: f"{s['build']['cpu_ms_per_document']:.0f}",
        lambda s: s["build"]["cpu_ms_per_document"])
    row("build: load average before → after", lambda s: f"{s['build']['load_before'][0]} → "
        f"{s['build']['load_after'][0]}")
    row("build: peak RSS, MB (the builds' range)", lambda s: (
        f"{s['build']['peak_rss_mb']:,.0f}"
        + (f" ({peak_range(s['build'])})" if len(s["build"].get("runs", [])) > 1 else "")),
        lambda s: s["build"]["peak_rss_mb"])
    row("store: bytes per quad (bulk-loaded Oxigraph) · write-ahead log",
        lambda s: f"{s['store']['bytes_per_quad']:.0f} ({s['store']['bulk_bytes_per_quad']:.0f})"
        f" · {s['store']['wal_bytes'] / 1e6:,.0f} MB")
    row("store: GB on disk", lambda s: f"{s['store']['bytes'] / 1e9:.2f}",
        lambda s: s["store"]["bytes"])
    row("full-text index: MB (paragraph versions)", lambda s: (
        f"{(s['store'].get('index_bytes') or 0) / 1e6:,.0f} "
        f"({s.get('search', {}).get('paragraphs', 0):,})"),
        lambda s: s["store"].get("index_bytes"))
    def timed(label: str, *keys: str) -> None:
        row(label, lambda s: _cell(serve(s, *keys)), lambda s: _p50(serve(s, *keys)))

    def index_alone(label: str, words: str) -> None:
        def cell(s: dict) -> str:
            timed = s["search"]["latency"][words] if s.get("search") else None
            return f"{timed['p50_ms']:.1f} / {timed['p99_ms']:.1f}" if timed else "–"
        row(label, cell, lambda s: s["search"]["latency"][words]["p50_ms"]
            if s.get("search") else None)

    def versus(label: str, query: str) -> None:
        row(label, lambda s: " / ".join(_cell(serve(s, "sparql", query, k), p99=False)
                                        for k in ("rightsgraph", "oxigraph")),
            lambda s: _p50(serve(s, "sparql", query, "rightsgraph")))

    def rate(label: str, name: str) -> None:
        def cell(s: dict) -> str:
            result = serve(s, "throughput", name) or {}
            cpu = result.get("cpu_ms_per_request")
            if not cpu:
                return _rate(result)
            client = result.get("client_cpu_ms_per_request")
            return _rate(result) + (f" ({cpu:.2f}; wrk {client:.2f})" if cpu < 1 and client
                                    else f" ({cpu:.1f})")
        row(label, cell, lambda s: (serve(s, "throughput", name) or {}).get("rps"))

    for name in ROUTES:
        timed(f"`{name}`", "routes", name)
    for name in sizes[0].get("serve", {}).get("searches", {}):
        timed(f"{name}, with facets", "searches", name)
    for words in SEARCHES:
        index_alone(f"index alone (no HTTP), {words}", words)
    for name in sizes[0].get("serve", {}).get("sparql", {}):
        versus(f"/sparql {name}: ours / Oxigraph p50 ms", name)
    for name in sizes[0].get("serve", {}).get("throughput", {}):
        rate(f"req/s at {CLIENTS} connections: {name} (CPU ms per request)", name)
    row("RSS of `rightsgraph serve` and its workers after the requests, MB",
        lambda s: f"{serve(s, 'servers_rss_mb', 'rightsgraph', 'after') or 0:,.0f}",
        lambda s: serve(s, "servers_rss_mb", "rightsgraph", "after"))
    row("serving: load average before → after", lambda s: (
        f"{s['serve']['load_before'][0]} → {s['serve']['load_after'][0]}"
        if s.get("serve") else "–"))
    if sizes and sizes[0].get("serve"):
        lines += ["", "Subjects of the routes (picked from the data): " + ", ".join(
            f"{k} `{v}`" for k, v in sizes[0]["serve"]["subjects"].items()
            if k != "paragraph_iri")]
    return "\n".join(lines) + "\n"


def rss_sizes(sizes: list[int]) -> set[int]:
    """The sizes the peak RSS target compares: the smallest and the first at least 4x it
    (as :func:`targets` picks them once the report is in order of size)."""
    if not sizes:
        return set()
    ordered = sorted(sizes)
    return {ordered[0], *[size for size in ordered if size >= 4 * ordered[0]][:1]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+",
                        default=[1_000_000, 4_000_000, 8_000_000],
                        help="synthetic corpora, in triples as extracted (default: 1.6M, "
                             "6.4M and 12.8M quads once built), measured in this order")
    parser.add_argument("--work", type=Path, default=Path("out/bench"),
                        help="corpora (kept), stores and server logs")
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--rss-builds", type=int, default=RSS_BUILDS,
                        help="builds of the smallest size and of the first at least 4x it "
                             "(the peak RSS target's): medians of their figures")
    parser.add_argument("--budget", type=float, default=10, help="seconds per route")
    parser.add_argument("--runs", type=int, default=50, help="requests per route at most")
    parser.add_argument("--seconds", type=float, default=5, help="seconds per wrk run")
    parser.add_argument("--output", type=Path, default=RESULTS / "scale")
    parser.add_argument("--render", action="store_true",
                        help="only write the .md again from the .json of --output")
    parser.add_argument("--corpora", action="store_true",
                        help="only make the corpora of --sizes (kept in --work)")
    args = parser.parse_args(argv)
    if args.corpora:
        for size in args.sizes:
            print(corpus_for(size, args.work))
        return 0
    if args.render:
        report = json.loads(args.output.with_suffix(".json").read_text())
        write_report(args.output, report, markdown(report))
        return 0
    if shutil.which(measure.WRK) is None:
        parser.error("wrk is missing (requests/s at 16 connections): apt-get install wrk")
    args.work.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    report = {"date": datetime.datetime.now(datetime.UTC).isoformat(timespec="minutes"),
              "commit": commit, "machine": machine(), "sizes": []}
    compared = rss_sizes(args.sizes)
    for size in args.sizes:  # in the order given: the report is in order of size
        print(f"== {size:,} triples", file=sys.stderr)
        corpus = corpus_for(size, args.work)
        store = args.work / f"store-{size}"
        builds = max(1, args.rss_builds) if size in compared else 1
        entry: dict = {"size": size, "build": build(corpus, store, args.cores, builds)}
        print(f"  build: {entry['build']['seconds']:.0f} s, "
              f"{entry['build']['documents_per_s']:.1f} documents/s", file=sys.stderr)
        report["sizes"] = sorted([*report["sizes"], entry], key=lambda e: e["size"])
        entry["store"] = store_size(store, args.work)
        try:  # a size whose serving fails is reported as such; the next sizes still run
            entry["search"] = search_index(store)
            entry["serve"] = serve_and_measure(store, args.work / f"serve-{size}",
                                               args.budget, args.runs, args.seconds)
        except (Exception, SystemExit) as err:  # written into the report
            traceback.print_exc()
            entry["error"] = f"{type(err).__name__}: {err}"[:2000]
        report["targets"] = targets(report)
        write_report(args.output, report, markdown(report))  # after each size
    return 0


if __name__ == "__main__":
    sys.exit(main())
