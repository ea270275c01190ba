"""The scale benchmark (benchmarks/bench_scale.py) measures every route the server has and
marks the issue's targets met or not met from its figures; its request timing reports a
route that does not answer instead of timing the error.  No timing is asserted here: the
numbers are the benchmark's (benchmarks/README.md)."""
from __future__ import annotations

import re
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import httpx
import pytest

from benchmarks import bench_scale, measure
from rightsgraph.api import recurring, researcher, statistics, web

SUBJECTS = {"paragraph": "doc/CAT/C/AZE/CO/2/para/7", "document": "doc/CAT/C/AZE/CO/2",
            "paragraph_iri": "https%3A%2F%2Frightsgraph.org%2Fdoc%2FCAT%2FC%2FAZE%2FCO%2F2",
            "symbol": "CAT/C/AZE/CO/2", "article": "CAT/15", "state": "AZE", "sdg": "16.9",
            "ilo": "C097", "article_page": "treaty/CAT/article/15"}


def _pattern(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")


@pytest.mark.parametrize("router", [researcher.router, statistics.router, recurring.router,
                                    web.router], ids=["researcher", "statistics", "recurring",
                                                      "web"])
def test_every_route_of_the_api_and_every_page_is_benchmarked(router):
    measured = [urlsplit(t.format(**SUBJECTS)).path for t in bench_scale.ROUTES.values()]
    routes = [r.path for r in router.routes if "GET" in getattr(r, "methods", ())]
    assert routes
    missing = [path for path in routes
               if not any(_pattern(path).match(m) for m in measured)]
    assert not missing, f"not in bench_scale.ROUTES: {missing}"


def _size(size: int, route_ms: float, search_ms: float, ours_ms: float, rps: float,
          rss_mb: float) -> dict:
    timed = {"p50_ms": route_ms, "p99_ms": 2 * route_ms, "requests": 50}
    return {
        "size": size,
        "build": {"documents": size // 2000, "quads": 2 * size, "seconds": 100.0,
                  "documents_per_s": 4.4, "cpu_ms_per_document": 270.0,
                  "documents_per_s_on_cpu_time": 7.4, "peak_rss_mb": rss_mb,
                  "load_before": [1.0, 1.0, 1.0], "load_after": [2.0, 1.0, 1.0]},
        "store": {"quads": 2 * size, "bytes": 600 * size, "wal_bytes": 0,
                  "bytes_per_quad": 300.0, "bulk_bytes_per_quad": 172.0,
                  "ratio_to_bulk": 1.74, "index_bytes": 10**7},
        "search": {"paragraphs": 1000, "latency": {
            w: {"p50_ms": 1.0, "p99_ms": 5.0} for w in bench_scale.SEARCHES}},
        "serve": {
            "subjects": SUBJECTS, "load_before": [1.0, 1.0, 1.0], "load_after": [1.0, 1.0, 1.0],
            "routes": {name: dict(timed) for name in bench_scale.ROUTES},
            "searches": {f"{route}, {w}": {"p50_ms": search_ms, "p99_ms": 3 * search_ms}
                         for route in bench_scale.SEARCH_ROUTES for w in bench_scale.SEARCHES},
            "sparql": {"paragraph": {"rightsgraph": {"p50_ms": ours_ms, "p99_ms": ours_ms},
                                     "oxigraph": {"p50_ms": 1.0, "p99_ms": 1.0}}},
            "throughput": {"/sparql one paragraph, ours": {"rps": rps, "requests": 100},
                           "/sparql one paragraph, Oxigraph": {"rps": 1000.0,
                                                               "requests": 100}},
            "servers_rss_mb": {"rightsgraph": {"started": 200.0, "after": 300.0}},
        },
    }


def test_targets_are_marked_from_the_figures_at_the_largest_size():
    report = {"sizes": [_size(1_000_000, 8, 5, 1.5, 600, 1000),
                        _size(4_000_000, 9, 6, 2.5, 600, 1100)]}
    targets = {t["target"]: t for t in bench_scale.targets(report)}
    met = {name.split(" (")[0]: t["met"] for name, t in targets.items()}
    assert met["build ≥ 20 documents/s end to end"] is False  # 4.4 documents/s
    assert next(v for k, v in met.items() if k.startswith("store ≤")) is True
    assert next(v for k, v in met.items() if k.startswith("peak RSS")) is True  # 1.1x
    assert next(v for k, v in met.items() if k.startswith("search p50")) is True
    assert next(v for k, v in met.items() if k.startswith("every page")) is True
    # 2.5 ms against 1.0: 2.5x, but within 2 ms
    assert next(v for k, v in met.items() if k.startswith("/sparql p50")) is True
    assert next(v for k, v in met.items() if k.startswith("/sparql requests/s")) is True
    assert next(v for k, v in met.items() if k.startswith("search and lookups")) is True

    slow = _size(4_000_000, 150, 30, 9.0, 400, 1300)
    slow["serve"]["routes"]["paragraph page"]["p50_ms"] = 5.0
    report = {"sizes": [_size(1_000_000, 8, 5, 1.5, 600, 1000), slow]}
    targets = {t["target"]: t for t in bench_scale.targets(report)}
    missed = [name for name, t in targets.items() if t["met"] is False]
    assert any(name.startswith("search p50") for name in missed)  # 30 ms
    every = next(t for name, t in targets.items() if name.startswith("every page"))
    assert every["met"] is False
    assert "/api/summary" in every["measured"] and "paragraph page" not in every["measured"]
    assert any(name.startswith("/sparql p50") for name in missed)  # 9x, +8 ms
    assert any(name.startswith("/sparql requests/s") for name in missed)  # 0.4x
    assert any(name.startswith("peak RSS") for name in missed)  # 1.3x
    assert any(name.startswith("search and lookups") for name in missed)  # 6x, 19x

    text = bench_scale.markdown({"machine": {"cores": 2, "memory_gb": 23.5,
                                             "system": "Linux"}, "date": "2026-12-05T20:15",
                                 "commit": "abc1234", **report})
    assert "**not met**" in text and "**met**" in text
    assert "| `paragraph page` | 8.0 / 16.0 | 5.0 / 300.0 | 0.62x |" in text


class _Standin(BaseHTTPRequestHandler):
    asked: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.asked.append(self.path)
        status = 200 if self.path.startswith("/ok") else 404
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def standin():
    _Standin.asked = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Standin)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_latencies_time_every_path_and_report_a_route_that_does_not_answer(standin):
    with httpx.Client(base_url=standin) as client:
        timed = measure.latencies(client, ["/ok/1", "/ok/2", "/ok/3"], 10, 7)
        assert timed["requests"] == 7 and timed["non_200"] == 0
        assert 0 < timed["p50_ms"] <= timed["p99_ms"]
        # at least 5 requests, and every path once, whatever the budget
        assert measure.latencies(client, [f"/ok/{n}" for n in range(9)], 0, 1)["requests"] == 9
        assert measure.latencies(client, ["/ok", "/missing"], 10, 50) == {
            "status": 404, "path": "/missing"}


def test_each_query_is_timed_once_never_asked_before(standin):
    """A server that remembers answers (the search page's RECENT) is timed searching."""
    paths = [f"/ok/{n}" for n in range(12)]
    with httpx.Client(base_url=standin) as client:
        timed = measure.latencies(client, paths, 0, 50, each_once=True)
    assert timed["requests"] == 11
    assert _Standin.asked == paths  # the first once, untimed; every other once, timed


@pytest.mark.skipif(not shutil.which(measure.WRK), reason="wrk is not installed")
def test_wrk_takes_the_paths_in_turn(standin):
    paths = [f"/ok/{n}" for n in range(40)]
    rate = measure.wrk(standin, 1, "application/json", 4, paths=paths)
    assert rate["distinct"] == 40 and rate["rps"] > 0
    asked = _Standin.asked
    assert len(asked) >= 2 * len(paths)  # hundreds in a second, on this stand-in
    assert set(asked) == set(paths)  # each thread takes every other path, all of them taken


@pytest.mark.parametrize("words", [1, 2, 3])
def test_searches_are_different_queries_of_the_number_of_words(words):
    queries = bench_scale.distinct_searches(words, 200)
    assert len(queries) == len(set(queries)) > 20
    assert all(len(q.split()) >= words for q in queries)
    listed = next(v for k, v in bench_scale.SEARCHES.items() if k.startswith(str(words)))
    assert queries[:len(listed)] == listed


def test_percentile_is_the_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert measure.percentile(values, 0.5) == 50
    assert measure.percentile(values, 0.99) == 99
    assert measure.percentile([3.0], 0.99) == 3


def test_the_sizes_the_memory_target_compares_are_built_several_times(monkeypatch, tmp_path):
    assert bench_scale.rss_sizes([1_000_000, 4_000_000, 10_000_000]) == {1_000_000, 4_000_000}
    assert bench_scale.rss_sizes([8_000_000, 1_000_000]) == {1_000_000, 8_000_000}
    assert bench_scale.rss_sizes([1_000_000, 2_000_000]) == {1_000_000}
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n in range(4):
        (corpus / f"{n}.txt").write_text("x")
    peaks = iter([700.0, 900.0, 650.0])
    made = []

    def run(command, cores):
        store = tmp_path / "store"
        assert not store.exists()  # each build into a new store
        store.mkdir()
        made.append(command)
        return measure.Run(command, 0, "store now holds 4 documents, 120 quads", "", 2.0,
                           3.0, next(peaks), [1.0, 1.0, 1.0], [2.0, 2.0, 2.0])

    monkeypatch.setattr(measure, "run", run)
    monkeypatch.setattr(shutil, "rmtree", lambda path, ignore_errors=False: (
        path.rmdir() if path.exists() else None))
    built = bench_scale.build(corpus, tmp_path / "store", 2, builds=3)
    assert len(made) == 3 and built["builds"] == 3
    assert built["peak_rss_mb"] == 700.0  # the median, not the last build's 650
    assert [r["peak_rss_mb"] for r in built["runs"]] == [700.0, 900.0, 650.0]
    assert built["quads"] == 120 and built["documents_per_s"] == 2.0
    assert bench_scale.peak_range(built) == "650-900 MB, median of 3 builds"
