"""Serving one store (issue 15): ``/sparql`` against ``oxigraph serve-read-only``, the
full-text search page and API, and every page and API route, with the CPU each costs.

    python -m benchmarks.bench_serving STORE [--rounds 3] [--seconds 5] [--sparql-only]
        [--serve-option=--no-snapshot] [--output DIR/serving]

``STORE`` is a store that ``rightsgraph build`` made (its full-text index beside it), e.g.
one of ``bench_scale``'s.  Both servers run on it at once (ours with the per-client limit
lifted: one load generator is not 16 clients).  The machine is shared, so the two are
measured in alternating rounds under the same conditions and each figure comes with the CPU
time it took (user + system of the server's process tree, query workers included, per
request), which varies much less with the machine's load than wall time does:

* ``/sparql`` one paragraph (the point query of ``queries.toml``): p50/p99 of sequential
  requests, then requests/s at 16 connections with ``wrk`` (Debian; a C load generator that
  is not itself the bottleneck) and CPU milliseconds per request, ours and Oxigraph's;
* full-text search: p50/p99 of ``/api/search`` and of the search page for one-, two- and
  three-word queries with facets (words of the corpus);
* p50/p99 of every route of ``bench_scale.ROUTES``.

``bench_scale`` measures the same at several corpus sizes; this one repeats the comparison
with Oxigraph in rounds on one store.

Results: ``benchmarks/results/serving.json`` and ``serving.md``.  Targets (issue 15):
``/sparql`` within 1.5x (or 2 ms) of Oxigraph's p50 and at least half its requests/s;
search p50 <= 20 ms and p99 <= 100 ms; every route p50 <= 100 ms.
"""
from __future__ import annotations

import argparse
import datetime
import statistics
import sys
from pathlib import Path
from urllib.parse import quote

import httpx

from benchmarks import engines, measure
from benchmarks.bench_scale import (
    CLIENTS,
    ROUTES,
    SEARCH_ROUTES,
    SEARCHES,
    distinct_searches,
    picks,
)
from benchmarks.bench_sparql import (
    JSON_RESULTS,
    RESULTS,
    instantiate,
    load_queries,
    machine,
    write_report,
)
from benchmarks.measure import load


def searches(base: str, pid: int) -> dict:
    """p50/p99 of /api/search and the search page over 30 queries of 1, 2 and 3 words
    (:func:`bench_scale.distinct_searches`, :data:`bench_scale.SEARCHES` first), each asked
    once (the server answers a search asked again from memory), CPU milliseconds per
    request, and the median number of paragraphs found."""
    out = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for kind, template in SEARCH_ROUTES.items():
            for n, words in enumerate(SEARCHES, 1):
                paths = [template.format(quote(text)) for text in distinct_searches(n, 31)]
                before = measure.cpu_seconds(pid)
                timed = measure.latencies(client, paths, 60, len(paths), each_once=True)
                cpu = measure.cpu_seconds(pid) - before
                found = [client.get(path).json()["total"] for path in paths
                         ] if kind == "/api/search" else []
                out[f"{kind}, {words}"] = {
                    **timed, "cpu_ms_per_request": 1000 * cpu / len(paths),
                    "median_found": statistics.median(found) if found else None}
    return out


def run(store: Path, work: Path, rounds: int, seconds: float, sparql_only: bool = False,
        options: tuple[str, ...] = ()) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    ours, oxigraph = engines.ours(str(store), *options), engines.oxigraph_read_only(store)
    report: dict = {"date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                    "machine": machine(), "store": str(store), "load_before": load()}
    with engines.serving(work, ours, oxigraph):
        prefixes, spec = load_queries()
        point = quote(instantiate(oxigraph.url, prefixes, spec)["paragraph"])
        report["sparql"] = {"rightsgraph": [], "oxigraph": []}
        for _ in range(rounds):  # alternating, so that both see the same machine
            for server in (ours, oxigraph):
                url = f"{server.url}?query={point}"
                with httpx.Client(timeout=60, headers={"Accept": JSON_RESULTS}) as client:
                    latency = measure.latencies(client, url, 60, 300)
                loaded = measure.wrk(url, seconds, JSON_RESULTS, CLIENTS, server.pid)
                report["sparql"][server.name].append({"sequential": latency, "wrk": loaded})
                print(f"  {server.name}: {latency} {loaded}", file=sys.stderr)
        if sparql_only:
            report["load_after"] = load()
            return report
        base = ours.base
        report["search"] = searches(base, ours.pid)
        subjects = picks(ours.url)
        routes = {}
        with httpx.Client(base_url=base, timeout=600, headers={"Accept": "text/html"}) as c:
            for name, template in ROUTES.items():
                routes[name] = measure.latencies(c, template.format(**subjects), 10, 50)
        report["routes"] = routes
    report["load_after"] = load()
    return report


def _median(rows: list[dict], *keys: str) -> float:
    values = []
    for row in rows:
        value = row
        for key in keys:
            value = value[key]
        values.append(float(value))  # type: ignore[arg-type]
    return statistics.median(values)


def markdown(report: dict) -> str:
    ours, oxi = report["sparql"]["rightsgraph"], report["sparql"]["oxigraph"]
    lines = [f"# Serving `{Path(report['store']).name}`", "",
             f"Machine: {report['machine']['cores']} cores, shared (load average "
             f"{report['load_before'][0]} before, {report['load_after'][0]} after). "
             f"`python -m benchmarks.bench_serving` on {report['date']}; medians of "
             f"{len(ours)} alternating rounds.", "",
             "| `/sparql`, one paragraph | ours | `oxigraph serve-read-only` | ratio |",
             "|---|---|---|---|"]
    for label, keys, fmt in (
            ("p50 sequential, ms", ("sequential", "p50_ms"), "{:.2f}"),
            ("p99 sequential, ms", ("sequential", "p99_ms"), "{:.2f}"),
            (f"requests/s, {CLIENTS} connections (wrk)", ("wrk", "rps"), "{:,.0f}"),
            ("p50 at 16 connections, ms", ("wrk", "p50_ms"), "{:.2f}"),
            ("CPU ms per request (server and its workers)", ("wrk", "cpu_ms_per_request"),
             "{:.2f}")):
        a, b = _median(ours, *keys), _median(oxi, *keys)
        lines.append(f"| {label} | {fmt.format(a)} | {fmt.format(b)} | {a / b:.2f} |")
    if "search" not in report:  # --sparql-only
        return "\n".join(lines) + "\n"
    lines += ["", "| full-text search | p50 ms | p99 ms | CPU ms per request | "
              "median paragraphs found |", "|---|---|---|---|---|"]
    for name, row in report["search"].items():
        lines.append(f"| {name} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | "
                     f"{row['cpu_ms_per_request']:.1f} | {row['median_found'] or ''} |")
    lines += ["", "| route | p50 ms | p99 ms |", "|---|---|---|"]
    for name, row in report["routes"].items():
        cell = (f"{row['p50_ms']:.1f} | {row['p99_ms']:.1f}" if "p50_ms" in row
                else f"HTTP {row.get('status')} |")
        lines.append(f"| {name} | {cell} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--work", type=Path, default=Path("out/bench/serving"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5, help="seconds per wrk run")
    parser.add_argument("--output", type=Path, default=RESULTS / "serving")
    parser.add_argument("--sparql-only", action="store_true",
                        help="only /sparql against Oxigraph (about a minute)")
    parser.add_argument("--serve-option", action="append", default=[], metavar="OPTION",
                        help="an option of `rightsgraph serve` (e.g. --serve-option=--no-snapshot)")
    args = parser.parse_args(argv)
    report = run(args.store, args.work, args.rounds, args.seconds, args.sparql_only,
                 tuple(args.serve_option))
    write_report(args.output, report, markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
