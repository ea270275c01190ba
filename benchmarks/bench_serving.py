"""Serving one store (issue 15): ``/sparql`` against ``oxigraph serve-read-only``, the
full-text search page and API, and every page and API route, with the CPU each costs.

    python -m benchmarks.bench_serving STORE [--rounds 3] [--seconds 5]

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

Results: ``benchmarks/results/serving.json`` and ``serving.md``.  Targets (issue 15):
``/sparql`` within 1.5x (or 2 ms) of Oxigraph's p50 and at least half its requests/s;
search p50 <= 20 ms and p99 <= 100 ms; every route p50 <= 100 ms.
"""
from __future__ import annotations

import argparse
import datetime
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import psutil

from benchmarks.bench_scale import CLIENTS, ROUTES, latencies, load, picks
from benchmarks.bench_sparql import (
    BIN,
    JSON_RESULTS,
    RESULTS,
    Server,
    _free_port,
    instantiate,
    load_queries,
    machine,
    percentile,
    write_report,
)

SEARCHES = {  # words of the synthetic corpus (benchmarks/synthetic_en.toml's topics)
    "1 word": ["registration", "justice", "education", "housing", "training", "victims",
               "employment", "water"],
    "2 words": ["birth registration", "legal aid", "social protection", "mental health",
                "police conduct", "rural development"],
    "3 words": ["primary health care", "access to justice", "family support services",
                "juvenile justice system", "civil registration data"],
}


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (the query workers)."""
    total = 0.0
    process = psutil.Process(pid)
    for p in [process, *process.children(recursive=True)]:
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def wrk(url: str, seconds: float, accept: str, pid: int) -> dict:
    """Requests/s at ``CLIENTS`` connections and the server's CPU milliseconds per request."""
    before = cpu_seconds(pid)
    out = subprocess.run([shutil.which("wrk") or "wrk", "-t", "2", "-c", str(CLIENTS),
                          "-d", f"{seconds:.0f}s", "--latency", "--timeout", "30s",
                          "-H", f"Accept: {accept}", url],
                         capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(pid) - before
    done = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    median = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    requests = int(done.group(1))
    failed = int(errors.group(1)) if errors else 0
    elapsed = float(done.group(2)) / (1000 if done.group(3) == "ms" else 1)
    scale = {"us": 0.001, "ms": 1, "s": 1000}
    return {"rps": (requests - failed) / elapsed, "requests": requests, "non_2xx": failed,
            "p50_ms": float(median.group(1)) * scale[median.group(2)] if median else None,
            "cpu_ms_per_request": 1000 * cpu / max(1, requests), "load": load()[0]}


def sequential(client: httpx.Client, url: str, runs: int) -> dict:
    for _ in range(20):
        client.get(url).raise_for_status()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": percentile(times, 0.5), "p99_ms": percentile(times, 0.99)}


def searches(base: str, pid: int) -> dict:
    """p50/p99 of /api/search and the search page over :data:`SEARCHES`, each query 5 times,
    and CPU milliseconds per request."""
    out = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for kind, path in (("/api/search", "/api/search?q={}"), ("search page", "/?q={}")):
            for words, texts in SEARCHES.items():
                times, found = [], []
                before = cpu_seconds(pid)
                for text in texts:
                    url = path.format(quote(text))
                    client.get(url).raise_for_status()  # the first of each: warm up
                    for _ in range(5):
                        started = time.perf_counter()
                        answer = client.get(url)
                        times.append((time.perf_counter() - started) * 1000)
                        answer.raise_for_status()
                    if kind == "/api/search":
                        found.append(answer.json()["total"])
                cpu = cpu_seconds(pid) - before
                out[f"{kind}, {words}"] = {
                    "p50_ms": percentile(times, 0.5), "p99_ms": percentile(times, 0.99),
                    "cpu_ms_per_request": 1000 * cpu / (6 * len(texts)),
                    "median_found": statistics.median(found) if found else None}
    return out


def run(store: Path, work: Path, rounds: int, seconds: float) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    ours = Server("rightsgraph", [str(BIN / "rightsgraph"), "serve", "--store", str(store),
                                  "--port", "{port}", "--per-client", "0"], "/sparql",
                  port=_free_port())
    oxigraph = Server("oxigraph", [str(BIN / "oxigraph"), "serve-read-only", "--location",
                                   str(store), "--bind", "127.0.0.1:{port}",
                                   "--union-default-graph"], "/query", port=_free_port())
    report: dict = {"date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                    "machine": machine(), "store": str(store), "load_before": load()}
    try:
        for server in (ours, oxigraph):
            server.start(work, 300)
            if server.error:
                raise SystemExit(f"{server.name}: {server.error}")
        prefixes, spec = load_queries()
        point = quote(instantiate(oxigraph.url, prefixes, spec)["paragraph"])
        report["sparql"] = {"rightsgraph": [], "oxigraph": []}
        for _ in range(rounds):  # alternating, so that both see the same machine
            for server in (ours, oxigraph):
                url = f"{server.url}?query={point}"
                with httpx.Client(timeout=60, headers={"Accept": JSON_RESULTS}) as client:
                    latency = sequential(client, url, 300)
                loaded = wrk(url, seconds, JSON_RESULTS, server.process.pid)
                report["sparql"][server.name].append({"sequential": latency, "wrk": loaded})
                print(f"  {server.name}: {latency} {loaded}", file=sys.stderr)
        base = f"http://127.0.0.1:{ours.port}"
        report["search"] = searches(base, ours.process.pid)
        subjects = picks(ours.url)
        routes = {}
        with httpx.Client(base_url=base, timeout=600, headers={"Accept": "text/html"}) as c:
            for name, template in ROUTES.items():
                routes[name] = latencies(c, template.format(**subjects), 10, 50)
        report["routes"] = routes
    finally:
        for server in (ours, oxigraph):
            server.stop()
    report["load_after"] = load()
    return report


def _median(rows: list[dict], *keys: str) -> float:
    values = []
    for row in rows:
        for key in keys:
            row = row[key]
        values.append(row)
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
    args = parser.parse_args(argv)
    report = run(args.store, args.work, args.rounds, args.seconds)
    write_report(args.output, report, markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
