"""The site under load, with and without slow public SPARQL queries (issue #10, item 3).

    python -m benchmarks.load_site [SOURCES...] [--store DIR] [--clients 32] [--seconds 15]
                                   [--slow 3]

Starts ``rightsgraph serve`` (default limits but ``--timeout 10``, and
``--forwarded-allow-ips 127.0.0.1`` so that each slow query comes from its own client) on a
store built from SOURCES (default: the seed and the test fixtures in five languages) or
given with ``--store``, then runs two scenarios of ``--seconds`` each:

1. ``--clients`` clients, each sending cheap site requests one after another: the search
   page, a document page, a paragraph page, its Turtle, the researcher API;
2. the same while ``--slow`` clients keep slow public SPARQL queries running (a three-way
   cross join that runs into the time limit).

Reports per scenario the requests, errors and p50/p99 latency of the site's requests, and
what the slow queries got (200, 503 at the time limit, 503 queue full, 429); written to
``benchmarks/results/load_site.json`` and ``.md``.  Before the lanes (issue #10), with three
slow queries running, the same 32 clients had a p99 of 30.6 s against 84 ms without them.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from benchmarks import engines
from benchmarks.bench_sparql import RESULTS, machine, write_report
from benchmarks.engines import BIN
from benchmarks.measure import percentile

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
# The test server's documents: the seed, the English fixtures, the CMW fixture in four more
# languages.
SOURCES = [ROOT / "seeds", *sorted((FIXTURES / "en").glob("*.txt")),
           *(FIXTURES / lang / "cmw_fixture.txt" for lang in ("fr", "es", "ru", "ar"))]
SITE_REQUESTS = [
    "/?q=migration",
    "/doc/CMW/C/AZE/CO/3",
    "/doc/CMW/C/AZE/CO/3/para/16",
    "/doc/CMW/C/AZE/CO/3/para/16?format=ttl",
    "/api/paragraphs?state=AZE&article=ICRMW/76",
]
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
        "FILTER (STR(?c) = STR(?f) && STR(?f) = STR(?i)) }")


async def _site_client(client: httpx.AsyncClient, until: float, offset: int,
                       latencies: list[float], errors: Counter) -> None:
    n = offset
    while time.monotonic() < until:
        path = SITE_REQUESTS[n % len(SITE_REQUESTS)]
        n += 1
        started = time.monotonic()
        try:
            response = await client.get(path)
            if response.status_code != 200:
                errors[str(response.status_code)] += 1
        except httpx.HTTPError as err:
            errors[type(err).__name__] += 1
        latencies.append(time.monotonic() - started)


async def _slow_client(client: httpx.AsyncClient, until: float, name: str,
                       outcomes: Counter) -> None:
    while time.monotonic() < until:
        try:
            response = await client.get("/sparql", params={"query": SLOW},
                                        headers={"X-Forwarded-For": name})
            kind = str(response.status_code)
            if response.status_code == 503:
                kind += " time limit" if "time limit" in response.text else " busy"
            outcomes[kind] += 1
            if response.status_code in (429, 503) and "Retry-After" in response.headers:
                await asyncio.sleep(0.5)
        except httpx.HTTPError as err:
            outcomes[type(err).__name__] += 1


async def scenario(url: str, clients: int, seconds: float, slow: int) -> dict:
    latencies: list[float] = []
    errors: Counter = Counter()
    outcomes: Counter = Counter()
    limits = httpx.Limits(max_connections=clients + slow + 4)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        until = time.monotonic() + seconds
        slow_tasks = [asyncio.create_task(_slow_client(client, until, f"10.9.0.{n}", outcomes))
                      for n in range(slow)]
        if slow:
            await asyncio.sleep(1.0)  # the slow queries are running before the site's start
        await asyncio.gather(*(_site_client(client, until, n, latencies, errors)
                               for n in range(clients)))
        for task in slow_tasks:
            task.cancel()
        await asyncio.gather(*slow_tasks, return_exceptions=True)
    return {
        "slow_queries": slow, "clients": clients, "seconds": seconds,
        "requests": len(latencies), "errors": dict(errors),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1),
        "slow_outcomes": dict(outcomes),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="*", type=Path, default=SOURCES)
    parser.add_argument("--store", type=Path, help="serve this store instead of building one")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--slow", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="the server's query time limit (slow queries run into it)")
    parser.add_argument("--output", type=Path, default=RESULTS / "load_site")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="rightsgraph-load-"))
    rightsgraph = [str(BIN / "python"), "-m", "rightsgraph.cli"]
    store = args.store
    if store is None:
        store = work / "store"
        subprocess.run([*rightsgraph, "build", *map(str, args.sources), "--store", str(store),
                        "-j", "1"], check=True, stdout=subprocess.DEVNULL)
    port = engines.free_port()
    url = f"http://127.0.0.1:{port}"
    command = [*rightsgraph, "serve", "--store", str(store), "--port", str(port),
               "--forwarded-allow-ips", "127.0.0.1", "--timeout", str(args.timeout)]
    with engines.running(command, f"{url}/sparql?query=ASK%20%7B%7D", work / "serve.log",
                         timeout=120):
        results = [asyncio.run(scenario(url, args.clients, args.seconds, slow))
                   for slow in (0, args.slow)]
        settings = (work / "serve.log").read_text().strip().splitlines()
    report = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": machine(),
              "store": str(store), "server": settings, "requests": SITE_REQUESTS,
              "slow_query": SLOW, "scenarios": results}
    write_report(args.output, report, markdown(report))
    return 0


def markdown(report: dict) -> str:
    lines = [f"# The site under load ({report['date']})", "",
             f"Machine: {report['machine']}", "",
             "| slow SPARQL queries | site clients | requests | errors | p50 ms | p99 ms | "
             "max ms | slow queries got |", "|---|---|---|---|---|---|---|---|"]
    for s in report["scenarios"]:
        outcomes = ", ".join(f"{k}: {v}" for k, v in sorted(s["slow_outcomes"].items())) or "-"
        errors = ", ".join(f"{k}: {v}" for k, v in sorted(s["errors"].items())) or "0"
        lines.append(f"| {s['slow_queries']} | {s['clients']} | {s['requests']} | {errors} | "
                     f"{s['p50_ms']} | {s['p99_ms']} | {s['max_ms']} | {outcomes} |")
    lines += ["", "Site requests, in turn: " + ", ".join(f"`{r}`" for r in report["requests"]),
              "", "Server: " + " / ".join(report["server"]), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
