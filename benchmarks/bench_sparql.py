"""Our ``/sparql`` side by side with rdflib-endpoint and the raw Oxigraph server.

    python -m benchmarks.bench_sparql CORPUS_DIR [--work /tmp/rightsgraph-bench] [--clients 8]

One run, same data for all three servers:

1. our store: ``rightsgraph build CORPUS --store WORK/store`` and, when the command line
   has it, ``rightsgraph export --store WORK/store --format nq``, which becomes the data of
   the other two; otherwise (no store yet) ``rightsgraph extract --format nq``;
2. servers on loopback: ``rightsgraph serve --store``, ``rdflib-endpoint serve data.nq``
   (an rdflib Dataset with the union default graph) and ``oxigraph serve-read-only
   --union-default-graph`` on a store filled by ``oxigraph load``;
3. the five queries of ``benchmarks/queries.toml``, their parameters picked from the data;
   each must give the same number of answers on every server before it is timed;
4. per server and query: latency of sequential requests (p50, p99) and requests per second
   with ``--clients`` concurrent clients (httpx, asyncio);
5. ratios (ours against rdflib-endpoint: geometric mean of the p50 speed-ups, target >= 10;
   ours against Oxigraph: each p50 within 1.5x or 2 ms), written to
   ``benchmarks/results/sparql.json`` and ``sparql.md``.

A server that cannot start (ours before ``rightsgraph serve`` exists) is reported as such
and left out of the ratios.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from urllib.parse import quote

import httpx
import psutil

from benchmarks import measure
from benchmarks.engines import BIN, Server

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "queries.toml"
RESULTS = HERE / "results"
JSON_RESULTS = "application/sparql-results+json"


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    shown = command if len(command) < 12 else [*command[:4], f"… ({len(command)} arguments)"]
    print("$ " + " ".join(map(str, shown)), file=sys.stderr)
    return subprocess.run(command, check=True, **kwargs)


def _has_command(*args: str) -> bool:
    """True if ``rightsgraph ARGS --help`` succeeds (a subcommand or option exists)."""
    probe = subprocess.run([str(BIN / "rightsgraph"), *args, "--help"], capture_output=True,
                           text=True)
    return probe.returncode == 0


def prepare(corpus: Path, work: Path) -> tuple[Path, Path | None]:
    """The N-Quads every server loads, and our store (``None`` if we have no store yet)."""
    files = sorted(str(p) for p in corpus.rglob("*.txt"))
    data = work / "data.nq"
    store = None
    build = [str(BIN / "rightsgraph"), "build", str(corpus)]
    if "--store" in subprocess.run(build[:2] + ["--help"], capture_output=True,
                                   text=True).stdout:
        store = work / "store"
        shutil.rmtree(store, ignore_errors=True)
        _run([*build, "--store", str(store)])
        if _has_command("export"):
            _run([str(BIN / "rightsgraph"), "export", "--store", str(store), "--format", "nq",
                  "-o", str(data)])
            return data, store
    _run([str(BIN / "rightsgraph"), "extract", *files, "--format", "nq", "--quiet",
          "-o", str(data)])
    return data, store


def servers(work: Path, data: Path, store: Path | None) -> list[Server]:
    oxigraph_dir = work / "oxigraph"
    shutil.rmtree(oxigraph_dir, ignore_errors=True)
    _run([str(BIN / "oxigraph"), "load", "--location", str(oxigraph_dir), "--file", str(data)])
    ours = ([str(BIN / "rightsgraph"), "serve", "--store", str(store), "--host", "127.0.0.1",
             "--port", "{port}"] if store else
            [str(BIN / "rightsgraph"), "serve", "--store", "(no store: rightsgraph build has "
             "no --store yet)"])
    return [
        Server("rightsgraph", ours, "/sparql"),
        Server("rdflib-endpoint", [str(BIN / "rdflib-endpoint"), "serve", str(data), "--host",
                                   "127.0.0.1", "--port", "{port}"], "/"),
        Server("oxigraph", [str(BIN / "oxigraph"), "serve-read-only", "--location",
                            str(oxigraph_dir), "--bind", "127.0.0.1:{port}",
                            "--union-default-graph"], "/query"),
    ]


# --- queries ---------------------------------------------------------------------------------


def load_queries(path: Path = QUERIES) -> tuple[str, dict[str, dict]]:
    spec = tomllib.loads(path.read_text(encoding="utf-8"))
    prefixes = spec.pop("prefixes")
    return prefixes, spec


def select(url: str, query: str, timeout_s: float) -> list[dict]:
    answer = httpx.get(url, params={"query": query}, headers={"Accept": JSON_RESULTS},
                       timeout=timeout_s)
    answer.raise_for_status()
    return answer.json()["results"]["bindings"]


def instantiate(url: str, prefixes: str, spec: dict[str, dict]) -> dict[str, str]:
    """Each query with its parameters filled from the data (picked on ``url``)."""
    queries = {}
    for name, entry in spec.items():
        values = {k: v for k, v in entry.items() if k not in ("title", "pick", "query")}
        if "pick" in entry:
            rows = select(url, prefixes + entry["pick"], 600)
            if not rows:
                raise SystemExit(f"queries.toml [{name}]: the pick query found nothing")
            values.update({k: v["value"] for k, v in rows[0].items()})
        query = entry["query"]
        for key, value in values.items():
            query = query.replace("{" + key + "}", value)
        queries[name] = prefixes + query
    return queries


# --- timing ------------------------------------------------------------------------------


async def _concurrent(url: str, query: str, clients: int, duration_s: float) -> tuple[int, float]:
    done = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(headers={"Accept": JSON_RESULTS}, timeout=900,
                                 limits=limits) as client:
        started = time.perf_counter()

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() - started < duration_s:
                answer = await client.get(url, params={"query": query})
                answer.raise_for_status()
                done += 1

        await asyncio.gather(*(worker() for _ in range(clients)))
        return done, time.perf_counter() - started


def concurrent(url: str, query: str, clients: int, duration_s: float) -> float:
    """Requests per second with ``clients`` clients sending ``query`` for ``duration_s``
    (requests still running then are waited for and counted)."""
    done, elapsed = asyncio.run(_concurrent(url, query, clients, duration_s))
    return done / elapsed


# --- report --------------------------------------------------------------------------------


def ratios(by_server: dict[str, Server], names: list[str]) -> dict:
    ours = by_server.get("rightsgraph")
    out: dict = {}
    if ours is None or ours.error:
        return out
    for other in ("rdflib-endpoint", "oxigraph"):
        server = by_server[other]
        if server.error:
            continue
        rows = {}
        for name in names:
            mine, theirs = ours.results.get(name), server.results.get(name)
            if not mine or not theirs or "p50_ms" not in mine or "p50_ms" not in theirs:
                continue
            rows[name] = {
                "p50_speedup": theirs["p50_ms"] / mine["p50_ms"],
                "p50_difference_ms": mine["p50_ms"] - theirs["p50_ms"],
                "rps_ratio": mine["rps"] / theirs["rps"],
            }
        out[other] = rows
    if against_rdflib := out.get("rdflib-endpoint"):
        speedups = [r["p50_speedup"] for r in against_rdflib.values()]
        out["rdflib_geometric_mean_speedup"] = math.exp(
            statistics.fmean(math.log(s) for s in speedups))
    if against_oxigraph := out.get("oxigraph"):
        out["oxigraph_within_target"] = {
            n: r["p50_speedup"] >= 1 / 1.5 or r["p50_difference_ms"] <= 2
            for n, r in against_oxigraph.items()}
    return out


def machine() -> dict:
    return {
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def markdown(report: dict) -> str:
    lines = [
        f"# SPARQL servers on {report['data']['triples']:,} quads "
        f"({report['data']['documents']} synthetic documents)",
        "",
        f"Machine: {report['machine']['cores']} cores, {report['machine']['memory_gb']} GB, "
        f"{report['machine']['system']}; {report['clients']} concurrent clients for "
        f"requests/s. Generated by `benchmarks/bench_sparql.py` on {report['date']}.",
        "",
        "| server | startup s | RSS MB | " + " | ".join(
            f"{n} p50 / p99 ms, req/s" for n in report["queries"]) + " |",
        "|---|---|---|" + "---|" * len(report["queries"]),
    ]
    for name, server in report["servers"].items():
        if server.get("error"):
            error = " ".join(server["error"].split())[:160].replace("|", "/")
            lines.append(f"| {name} | not run: {error} |")
            continue
        cells = []
        for query in report["queries"]:
            r = server["results"].get(query, {})
            cells.append(f"{r['p50_ms']:.1f} / {r['p99_ms']:.1f}, {r['rps']:.1f}"
                         if "p50_ms" in r else r.get("error", "-"))
        lines.append(f"| {name} | {server['startup_s']:.1f} | {server['rss_mb']:.0f} | "
                     + " | ".join(cells) + " |")
    lines += ["", "Answers per query (the same on every server that ran): " + ", ".join(
        f"{n} {c}" for n, c in report["answers"].items()), ""]
    baseline = report["servers"].get("rdflib-endpoint", {}).get("results", {})
    fastest = report["servers"].get("oxigraph", {}).get("results", {})
    speedups = {n: baseline[n]["p50_ms"] / fastest[n]["p50_ms"] for n in report["queries"]
                if "p50_ms" in baseline.get(n, {}) and "p50_ms" in fastest.get(n, {})}
    if speedups:
        mean = math.exp(statistics.fmean(math.log(v) for v in speedups.values()))
        lines += ["Raw Oxigraph against rdflib-endpoint (the ceiling for a server built on "
                  "Oxigraph), p50 speed-up: " + ", ".join(
                      f"{n} {v:.1f}x" for n, v in speedups.items())
                  + f"; geometric mean {mean:.1f}x.", ""]
    ratio = report["ratios"]
    if ratio.get("rdflib-endpoint"):
        lines.append("Ours against rdflib-endpoint, p50 speed-up: " + ", ".join(
            f"{n} {r['p50_speedup']:.1f}x" for n, r in ratio["rdflib-endpoint"].items())
            + f"; geometric mean **{ratio['rdflib_geometric_mean_speedup']:.1f}x** "
            "(target >= 10x).")
    if ratio.get("oxigraph"):
        lines.append("Ours against raw Oxigraph, p50 ratio (ours/theirs, difference): "
                     + ", ".join(f"{n} {1 / r['p50_speedup']:.2f}x "
                                 f"({r['p50_difference_ms']:+.1f} ms)"
                                 for n, r in ratio["oxigraph"].items())
                     + " (target: each within 1.5x or 2 ms).")
    if not ratio:
        lines.append("No ratios: our server did not run.")
    lines += ["", "Queries:", ""]
    for name, query in report["query_text"].items():
        lines += [f"* `{name}`:", "", "```sparql", query.strip(), "```", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="folder of .txt files (benchmarks.synthetic)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/rightsgraph-bench"))
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--runs", type=int, default=200, help="most sequential runs per query")
    parser.add_argument("--budget", type=float, default=20.0,
                        help="seconds of sequential runs per server and query (min. 5 runs)")
    parser.add_argument("--duration", type=float, default=10.0,
                        help="seconds of concurrent requests per server and query")
    parser.add_argument("--startup-timeout", type=float, default=900.0)
    parser.add_argument("--output", type=Path, default=RESULTS / "sparql")
    parser.add_argument("--data", type=Path,
                        help="N-Quads made earlier from CORPUS (skips preparing; no store)")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.data:
        data, store = args.data, None
    else:
        data, store = prepare(args.corpus, args.work)
    triples = sum(1 for _ in data.open("rb"))
    documents = sum(1 for _ in args.corpus.rglob("*.txt"))
    prefixes, spec = load_queries()
    all_servers = servers(args.work, data, store)
    by_server = {s.name: s for s in all_servers}
    try:
        for server in all_servers:
            print(f"starting {server.name}", file=sys.stderr)
            server.start(args.work, args.startup_timeout)
            print(f"  {server.error or f'ready in {server.startup_s:.1f} s'}", file=sys.stderr)
        oxigraph = by_server["oxigraph"]
        if oxigraph.error:
            raise SystemExit(f"the Oxigraph server did not start: {oxigraph.error}")
        queries = instantiate(oxigraph.url, prefixes, spec)
        answers = {}
        running = [s for s in all_servers if not s.error]
        for name, query in queries.items():
            counts = {s.name: len(select(s.url, query, 900)) for s in running}
            answers[name] = counts["oxigraph"]
            for server in running:
                if counts[server.name] != answers[name]:
                    server.results[name] = {"error": f"{counts[server.name]} answers, "
                                                     f"Oxigraph {answers[name]}"}
            print(f"{name}: answers {counts}", file=sys.stderr)
        for server in running:
            for name, query in queries.items():
                if "error" in server.results.get(name, {}):
                    continue
                with httpx.Client(headers={"Accept": JSON_RESULTS}, timeout=900) as client:
                    timed = measure.latencies(client, f"{server.url}?query={quote(query)}",
                                              args.budget, args.runs)
                if "p50_ms" not in timed:
                    server.results[name] = {"error": f"HTTP {timed['status']}"}
                    continue
                rps = concurrent(server.url, query, args.clients, args.duration)
                server.results[name] = {
                    "runs": timed["requests"], "p50_ms": timed["p50_ms"],
                    "p99_ms": timed["p99_ms"], "rps": rps}
                print(f"{server.name} {name}: {server.results[name]}", file=sys.stderr)
    finally:
        for server in all_servers:
            server.stop()
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": machine(),
        "data": {"documents": documents, "triples": triples, "nquads": str(data)},
        "clients": args.clients,
        "queries": list(queries),
        "query_text": queries,
        "answers": answers,
        "servers": {s.name: {"command": s.command, "error": s.error, "startup_s": s.startup_s,
                             "rss_mb": s.rss_mb, "results": s.results} for s in all_servers},
        "ratios": ratios(by_server, list(queries)),
    }
    write_report(args.output, report, markdown(report))
    return 0


def write_report(output: Path, report: dict, text: str) -> None:
    """``output``.json (the numbers) and ``output``.md (``text``, also printed)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.with_suffix(".json").write_text(json.dumps(report, indent=1) + "\n")
    output.with_suffix(".md").write_text(text)
    print(text)


if __name__ == "__main__":
    sys.exit(main())
