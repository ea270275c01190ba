"""The whole corpus on one machine (issue 15): build, store and every page at several sizes.

    python -m benchmarks.bench_scale [--sizes 1000000 4000000 12000000] [--work out/bench/scale]

For each size (quads, about): a synthetic corpus (``benchmarks.synthetic``, checked once),
then

* **build**: ``rightsgraph build CORPUS --store DIR -j 2`` into a new store, pinned to two
  CPUs: seconds, documents/s, CPU seconds per document, peak resident memory of its process
  tree (:mod:`benchmarks.measure`), quads;
* **store**: bytes on disk (and what of it is write-ahead log) against the same N-Quads
  bulk-loaded into a new Oxigraph store;
* **latency**: p50/p99 of sequential requests to every researcher-API route, the search
  page, a paragraph page and a document page of ``rightsgraph serve``, and of the five
  queries of ``queries.toml`` on our ``/sparql`` and on ``oxigraph serve-read-only`` over
  the same store;
* **throughput**: answered requests/s at 16 connections (``wrk``, a C load generator:
  ``apt-get install wrk``; without it an asyncio client, which may itself be the
  bottleneck) on ``/sparql`` (ours, with the per-client limit lifted, and Oxigraph's), a
  paragraph page and the search page.

The machine's load average is recorded before and after each phase: on a shared machine
the absolute numbers are only as good as it was quiet.  ``benchmarks/bench_search.py``
times the full-text index ``build`` made beside each store.  Results go to
``benchmarks/results/scale.json`` and ``scale.md``.
"""
from __future__ import annotations

import argparse
import datetime
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox

from benchmarks import measure
from benchmarks.bench_sparql import (
    BIN,
    JSON_RESULTS,
    RESULTS,
    Server,
    _free_port,
    concurrent,
    instantiate,
    load_queries,
    machine,
    percentile,
    write_report,
)
from benchmarks.measure import checked, load

HERE = Path(__file__).resolve().parent
CLIENTS = 16
ROUTES = {  # name -> path on our server, {placeholders} picked from the data
    "api documents?state": "/api/documents?state={state}",
    "api paragraphs?article": "/api/paragraphs?article={article}",
    "api recommendations?article": "/api/recommendations?article={article}",
    "api recommendations?state": "/api/recommendations?state={state}",
    "api paragraphs?document": "/api/paragraphs?document={symbol}",
    "api articles/…": "/api/articles/{article}",
    "api sdg/…": "/api/sdg/{sdg}",
    "api chain": "/api/chain?uri={paragraph_iri}",
    "api links?document": "/api/links?document={symbol}",
    "api search?q": "/api/search?q=birth+registration",
    "api paragraphs?q": "/api/paragraphs?q=birth+registration",
    "api summary": "/api/summary",  # aggregates over the corpus
    "api articles": "/api/articles",
    "api sdg": "/api/sdg",
    "api states": "/api/states",
    "search page": "/?q=birth+registration",
    "paragraph page": "/{paragraph}",
    "document page": "/{document}",
}
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
PICK_SDG = """PREFIX hro: <https://rightsgraph.org/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?sdg WHERE { ?p hro:refersToSdgTarget ?t . ?t skos:notation ?sdg }
ORDER BY ?sdg LIMIT 1"""


def corpus_for(size: int, work: Path) -> Path:
    folder = work / f"corpus-{size}"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "benchmarks.synthetic", str(folder),
                        "--triples", str(size), "--seed", "1", "--check"], check=True)
        (folder / ".complete").touch()
    return folder


def build(corpus: Path, store: Path, cores: int) -> dict:
    shutil.rmtree(store, ignore_errors=True)
    shutil.rmtree(store.with_name(store.name + ".search"), ignore_errors=True)
    command = [str(BIN / "rightsgraph"), "build", str(corpus), "--store", str(store),
               "-j", str(cores)]
    measured = checked(measure.run(command, cores))
    documents = sum(1 for _ in corpus.rglob("*.txt"))
    quads = int(re.search(r"(\d+) quads", measured.stdout).group(1))
    return {"command": " ".join(command), "documents": documents, "quads": quads,
            "seconds": measured.seconds, "documents_per_s": documents / measured.seconds,
            "cpu_seconds": measured.cpu_seconds,
            "cpu_ms_per_document": measured.cpu_seconds * 1000 / documents,
            "peak_rss_mb": measured.peak_rss_mb, "load_before": measured.load_before,
            "load_after": measured.load_after,
            "summary": measured.stdout.strip().splitlines()}


def folder_bytes(folder: Path, suffix: str | None = None) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*")
               if f.is_file() and (suffix is None or f.name.endswith(suffix)))


def store_size(store: Path, work: Path) -> dict:
    """Our store against the same N-Quads bulk-loaded into a new Oxigraph store."""
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
    return {"quads": quads, "bytes": ours, "wal_bytes": folder_bytes(store, ".log"),
            "bytes_per_quad": ours / quads, "bulk_bytes_per_quad": reference / quads,
            "ratio_to_bulk": ours / reference}


def picks(url: str) -> dict:
    def first(query: str) -> dict:
        answer = httpx.get(url, params={"query": query}, headers={"Accept": JSON_RESULTS},
                           timeout=600)
        answer.raise_for_status()
        return {k: v["value"] for k, v in answer.json()["results"]["bindings"][0].items()}

    row, sdg = first(PICK), first(PICK_SDG)
    base = "https://rightsgraph.org/"
    return {"paragraph": row["para"].removeprefix(base), "paragraph_iri": quote(row["para"]),
            "document": row["doc"].removeprefix(base), "symbol": row["symbol"],
            "article": row["article"], "state": row["state"], "sdg": sdg["sdg"]}


def latencies(client: httpx.Client, path: str, budget_s: float, runs: int) -> dict:
    first = client.get(path)
    if first.status_code != 200:
        return {"status": first.status_code}
    times = []
    started = time.perf_counter()
    while len(times) < runs and (len(times) < 5 or time.perf_counter() - started < budget_s):
        t0 = time.perf_counter()
        client.get(path).raise_for_status()
        times.append((time.perf_counter() - t0) * 1000)
    return {"p50_ms": percentile(times, 0.5), "p99_ms": percentile(times, 0.99),
            "requests": len(times)}


def requests_per_s(url: str, seconds: float, accept: str) -> dict:
    """Requests/s at ``CLIENTS`` connections: wrk if installed, else asyncio httpx."""
    wrk = shutil.which("wrk")
    if wrk:
        out = subprocess.run([wrk, "-t", "2", "-c", str(CLIENTS), "-d", f"{seconds:.0f}s",
                              "--timeout", "30s", "-H", f"Accept: {accept}", url],
                             capture_output=True, text=True, check=True).stdout
        done = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        failed = int(errors.group(1)) if errors else 0
        elapsed = float(done.group(2)) / (1000 if done.group(3) == "ms" else 1)
        return {"rps": (int(done.group(1)) - failed) / elapsed, "client": "wrk",
                "non_2xx": failed, "requests": int(done.group(1))}
    query = httpx.URL(url).params.get("query")
    return {"rps": concurrent(url.split("?")[0], query, CLIENTS, seconds),
            "client": "httpx (asyncio)"}


def serve_and_measure(store: Path, work: Path, budget_s: float, runs: int,
                      seconds: float) -> dict:
    # wrk's 16 connections come from one address: the per-client limit of the public
    # /sparql (2 at once, then 429) is lifted, as for 16 clients
    ours = Server("rightsgraph", [str(BIN / "rightsgraph"), "serve", "--store", str(store),
                                  "--port", "{port}", "--per-client", "0"], "/sparql",
                  port=_free_port())
    oxigraph = Server("oxigraph", [str(BIN / "oxigraph"), "serve-read-only", "--location",
                                   str(store), "--bind", "127.0.0.1:{port}",
                                   "--union-default-graph"], "/query", port=_free_port())
    result: dict = {"load_before": load()}
    try:
        for server in (ours, oxigraph):
            server.start(work, 300)
            if server.error:
                raise SystemExit(f"{server.name}: {server.error}")
        subjects = picks(ours.url)
        result["subjects"] = subjects
        base = f"http://127.0.0.1:{ours.port}"
        routes = {}
        with httpx.Client(base_url=base, timeout=600, headers={"Accept": "text/html"}) as c:
            for name, template in ROUTES.items():
                routes[name] = latencies(c, template.format(**subjects), budget_s, runs)
                print(f"  {name}: {routes[name]}", file=sys.stderr)
        result["routes"] = routes
        prefixes, spec = load_queries()
        queries = instantiate(oxigraph.url, prefixes, spec)
        sparql = {}
        for name, query in queries.items():
            sparql[name] = {}
            for server in (ours, oxigraph):
                with httpx.Client(timeout=600, headers={"Accept": JSON_RESULTS}) as c:
                    path = f"{server.url}?query={quote(query)}"
                    sparql[name][server.name] = latencies(c, path, budget_s, runs)
            print(f"  sparql {name}: {sparql[name]}", file=sys.stderr)
        result["sparql"] = sparql
        point = quote(queries["paragraph"])
        result["throughput"] = {
            "/sparql (ours), one paragraph": requests_per_s(
                f"{ours.url}?query={point}", seconds, JSON_RESULTS),
            "oxigraph serve-read-only, one paragraph": requests_per_s(
                f"{oxigraph.url}?query={point}", seconds, JSON_RESULTS),
            "paragraph page": requests_per_s(f"{base}/{subjects['paragraph']}", seconds,
                                             "text/html"),
            "search page": requests_per_s(f"{base}/?q=birth+registration", seconds,
                                          "text/html"),
        }
        result["servers_rss_mb"] = {s.name: s.rss_mb for s in (ours, oxigraph)}
    finally:
        for server in (ours, oxigraph):
            server.stop()
    result["load_after"] = load()
    return result


def search_benchmark(store: Path) -> dict:
    """The index ``rightsgraph build`` made beside the store: its size, and the latency of
    1-, 2- and 3-word queries with every facet's counts (``bench_search.latency``)."""
    from benchmarks.bench_search import latency, queries, size_on_disk
    from rightsgraph.graph.search import SearchIndex, default_path

    path = default_path(store)
    with SearchIndex(path, writable=False) as index:
        return {"paragraphs": len(index), "index_mb": round(size_on_disk(path) / 1e6, 1),
                "latency": {f"{k} word{'s' if k > 1 else ''}": latency(index, texts)
                            for k, texts in queries().items()}}


def markdown(report: dict) -> str:
    sizes = report["sizes"]
    head = "| | " + " | ".join(f"{s['build']['quads']:,} quads ({s['build']['documents']} "
                                 "docs)" for s in sizes) + " |"
    lines = [f"# Scale: {len(sizes)} corpus sizes", "",
             f"Machine: {report['machine']['cores']} cores, {report['machine']['memory_gb']} GB,"
             f" {report['machine']['system']}. `python -m benchmarks.bench_scale` on "
             f"{report['date']}. Load average (1, 5, 15 min) before/after each phase is "
             "given: the machine was shared.", "", head,
             "|---|" + "---|" * len(sizes)]

    def row(label: str, cell) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(s) for s in sizes) + " |")

    row("build s (documents/s)", lambda s: f"{s['build']['seconds']:.0f} "
        f"({s['build']['documents_per_s']:.1f})")
    row("build CPU ms per document (user + system)",
        lambda s: f"{s['build'].get('cpu_ms_per_document', 0):.0f}")
    row("build load average", lambda s: f"{s['build']['load_before'][0]} → "
        f"{s['build']['load_after'][0]}")
    row("peak RSS of the build, MB", lambda s: f"{s['build']['peak_rss_mb']:.0f}")
    smallest = sizes[0]["build"]["peak_rss_mb"]
    row("peak RSS ÷ that of the smallest corpus",
        lambda s: f"{s['build']['peak_rss_mb'] / smallest:.2f}")
    row("store, bytes/quad (bulk-loaded)", lambda s: f"{s['store']['bytes_per_quad']:.0f} "
        f"({s['store']['bulk_bytes_per_quad']:.0f}), WAL {s['store']['wal_bytes']:,} B")
    for name in ROUTES:
        row(name + " p50 / p99 ms", lambda s, n=name: _cell(s["serve"]["routes"].get(n, {})))
    for name in sizes[0]["serve"].get("sparql", {}):
        row(f"/sparql {name}: ours / oxigraph p50 ms", lambda s, n=name: " / ".join(
            _cell(s["serve"]["sparql"][n][k], p99=False) for k in ("rightsgraph", "oxigraph")))
    for name in sizes[0]["serve"].get("throughput", {}):
        row(f"req/s, {CLIENTS} connections: {name}", lambda s, n=name: _rate(
            s["serve"]["throughput"][n]))
    row("search index, MB (paragraphs)", lambda s: f"{s['search']['index_mb']} "
        f"({s['search']['paragraphs']:,})" if s.get("search") else "–")
    for words in ("1 word", "2 words", "3 words"):
        row(f"index search, {words} with facets, p50 / p99 ms", lambda s, w=words: (
            f"{s['search']['latency'][w]['p50_ms']} / {s['search']['latency'][w]['p99_ms']}"
            if s.get("search") else "–"))
    row("serving load average", lambda s: f"{s['serve']['load_before'][0]} → "
        f"{s['serve']['load_after'][0]}")
    return "\n".join(lines) + "\n"


def _rate(result: dict) -> str:
    """Answered requests/s (2xx), and how many were refused (503 when the queue is full)."""
    refused = result.get("non_2xx", 0)
    return f"{result['rps']:.0f}" + (f" ({refused} of {result['requests']} refused)"
                                     if refused else "")


def _cell(result: dict, p99: bool = True) -> str:
    if "p50_ms" not in result:
        return f"HTTP {result.get('status', '?')}"
    return f"{result['p50_ms']:.1f}" + (f" / {result['p99_ms']:.1f}" if p99 else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 4_000_000])
    parser.add_argument("--work", type=Path, default=Path("out/bench/scale"))
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--budget", type=float, default=10, help="seconds per route")
    parser.add_argument("--runs", type=int, default=50, help="requests per route at most")
    parser.add_argument("--seconds", type=float, default=5, help="seconds per wrk run")
    parser.add_argument("--output", type=Path, default=RESULTS / "scale")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    report = {"date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
              "machine": machine(), "sizes": []}
    for size in args.sizes:
        print(f"== {size:,} quads", file=sys.stderr)
        corpus = corpus_for(size, args.work)
        store = args.work / f"store-{size}"
        entry = {"size": size, "build": build(corpus, store, args.cores)}
        print(f"  build: {entry['build']['seconds']:.0f} s", file=sys.stderr)
        entry["store"] = store_size(store, args.work)
        entry["serve"] = serve_and_measure(store, args.work, args.budget, args.runs,
                                           args.seconds)
        entry["search"] = search_benchmark(store)
        report["sizes"].append(entry)
        write_report(args.output, report, markdown(report))  # after each size
    if len(report["sizes"]) > 1:
        first, last = report["sizes"][0]["build"], report["sizes"][-1]["build"]
        report["memory_growth"] = last["peak_rss_mb"] / first["peak_rss_mb"]
    write_report(args.output, report, markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
