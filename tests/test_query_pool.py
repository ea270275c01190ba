"""The query pool (one lane of workers): each worker is sent the next query while it runs
one, and a query is failed only for its own sake: the ones behind a query that is stopped
(time limit, cancelled) go to another worker."""
from __future__ import annotations

import asyncio
import json
import os

import pyoxigraph as ox
import pytest

from rightsgraph.api import pool as pool_module
from rightsgraph.api.pool import PIPELINE, QueryError, QueryPool

JSON = ["application/sparql-results+json"]
EX = "http://example.org/"
CHEAP = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# cubic in the triples: far longer than the time limits below
SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
        "FILTER (STRLEN(CONCAT(STR(?c), STR(?f), STR(?i))) > 0) }")  # over a minute
TRIPLES = 400


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("pool") / "store"
    writer = ox.Store(str(path))
    writer.extend(ox.Quad(ox.NamedNode(f"{EX}s{n}"), ox.NamedNode(f"{EX}p"), ox.Literal(str(n)),
                          ox.NamedNode(f"{EX}g")) for n in range(TRIPLES))
    writer.flush()
    del writer
    return str(path)


def count(answer) -> int:
    return int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture
def patient(monkeypatch):
    """A query counts as young for longer: on a loaded machine the process may sleep more
    than PIPELINE_WITHIN between two steps of the event loop."""
    monkeypatch.setattr(pool_module, "PIPELINE_WITHIN", 10.0)


def run(store: str, scenario, **limits):
    async def main():
        pool = QueryPool(store, **{"workers": 1, "timeout": 30.0, **limits})
        await pool.start()
        try:
            return await scenario(pool)
        finally:
            pool.close()

    return asyncio.run(main())


def test_a_worker_is_sent_the_next_query_while_it_runs_one(store, patient):
    async def scenario(pool):
        worker = pool._workers[0]
        queries = [asyncio.ensure_future(pool.query(CHEAP, JSON)) for _ in range(PIPELINE + 1)]
        await asyncio.sleep(0)  # each has taken a worker or started waiting for one
        in_pipe, waiting = worker.load, pool._waiting
        answers = await asyncio.gather(*queries)
        return in_pipe, waiting, [count(a) for a in answers], worker.load

    in_pipe, waiting, counts, after = run(store, scenario)
    assert (in_pipe, waiting) == (PIPELINE, 1)
    assert counts == [TRIPLES] * (PIPELINE + 1) and after == 0


def test_a_query_behind_one_stopped_at_the_time_limit_is_answered_by_another_worker(store, patient):
    async def scenario(pool):
        first = pool.pids
        slow = asyncio.ensure_future(pool.query(SLOW, JSON))
        cheap = asyncio.ensure_future(pool.query(CHEAP, JSON))  # sent behind the slow one
        await asyncio.sleep(0)
        assert pool._workers[0].load == 2
        outcome = await asyncio.gather(slow, cheap, return_exceptions=True)
        return outcome, first, pool.pids

    (slow, cheap), first, after = run(store, scenario, timeout=1.0)
    assert isinstance(slow, QueryError) and slow.status == 503
    assert "time limit of 1 s" in slow.message
    assert count(cheap) == TRIPLES  # never failed for the slow one's sake
    assert len(after) == 1 and after != first  # the worker was replaced


def test_a_query_waits_rather_than_go_behind_one_that_has_run_long(store):
    async def scenario(pool):
        slow = asyncio.ensure_future(pool.query(SLOW, JSON))
        await asyncio.sleep(0.3)  # the slow one has run for a while: likely a long one
        cheap = asyncio.ensure_future(pool.query(CHEAP, JSON))
        await asyncio.sleep(0.1)
        state = pool._workers[0].load, pool._waiting
        outcome = await asyncio.gather(slow, cheap, return_exceptions=True)
        return state, outcome

    (load, waiting), (slow, cheap) = run(store, scenario, timeout=1.5)
    assert (load, waiting) == (1, 1)
    assert isinstance(slow, QueryError) and count(cheap) == TRIPLES


def test_a_cancelled_query_stops_its_worker_and_the_one_behind_is_answered(store, patient):
    async def scenario(pool):
        first = pool.pids
        slow = asyncio.ensure_future(pool.query(SLOW, JSON))
        cheap = asyncio.ensure_future(pool.query(CHEAP, JSON))
        await asyncio.sleep(0.1)
        slow.cancel()  # its client went away: the worker would run it for nobody
        answer = await cheap
        return first, pool.pids, answer

    first, after, answer = run(store, scenario, timeout=20.0)
    assert count(answer) == TRIPLES and after != first and len(after) == 1


def test_a_full_queue_is_refused_at_once(store):
    async def scenario(pool):
        slow = [asyncio.ensure_future(pool.query(SLOW, JSON))]
        await asyncio.sleep(0.3)
        slow.append(asyncio.ensure_future(pool.query(SLOW, JSON)))  # not behind it: waits
        await asyncio.sleep(0.1)
        with pytest.raises(QueryError) as refused:
            await pool.query(CHEAP, JSON)
        await asyncio.gather(*slow, return_exceptions=True)
        return refused.value

    refused = run(store, scenario, timeout=1.0, queue=1)
    assert refused.status == 503 and "busy" in refused.message
    assert "Retry-After" in refused.headers


# -- the pipe between the server and a worker --------------------------------------------------

def test_frames_split_anywhere_across_reads_come_out_whole_and_in_order():
    payloads = [b"", b"a", bytes(range(256)) * 40, b"last"]
    stream = b"".join(b"".join(pool_module._frame(p)) for p in payloads)
    for cut in range(len(stream) + 1):  # every place a read may end
        buffer, frames = bytearray(), []
        for piece in (stream[:cut], stream[cut:]):
            buffer += piece
            frames += pool_module._split_frames(buffer)
        assert frames == payloads and not buffer, cut


def test_a_frame_past_2_gib_is_announced_with_an_8_byte_length():
    assert pool_module._frame(b"x") == [b"\0\0\0\1", b"x"]
    buffer = bytearray(b"\xff\xff\xff\xff" + (5).to_bytes(8, "big") + b"hello" + b"\0\0\0\1x")
    assert pool_module._split_frames(buffer) == [b"hello", b"x"] and not buffer
    partial = bytearray(b"\xff\xff\xff\xff" + (5).to_bytes(8, "big") + b"hel")
    assert pool_module._split_frames(partial) == [] and len(partial) == 15


def test_answers_larger_than_one_read_arrive_whole(store):
    """A large answer is written as its header and its body and read in many pieces; the
    queries behind it are answered after it, each with its own answer."""
    values = " ".join(map(str, range(20)))
    big = (f"SELECT ?s ?o ?k WHERE {{ ?s ?p ?o VALUES ?k {{ {values} }} }} ORDER BY ?s ?k", JSON)

    async def scenario(pool):
        return await asyncio.gather(pool.query(*big), pool.query(CHEAP, JSON),
                                    pool.query(*big))

    first, cheap, again = run(store, scenario)
    rows = json.loads(first.body)["results"]["bindings"]
    assert len(first.body) > pool_module.INLINE_BYTES and len(rows) == 20 * TRIPLES
    assert first.body == again.body and count(cheap) == TRIPLES


def test_a_worker_killed_while_it_answers_gives_503_and_is_replaced(store):
    async def scenario(pool):
        first = pool.pids
        slow = asyncio.ensure_future(pool.query(SLOW, JSON))
        await asyncio.sleep(0.5)  # it runs
        pool._workers[0].process.kill()  # as the kernel does past the memory limit
        with pytest.raises(QueryError) as failed:
            await slow
        for _ in range(200):  # the replacement starts in the background
            if pool._workers:
                break
            await asyncio.sleep(0.05)
        return failed.value, first, pool.pids, await pool.query(CHEAP, JSON)

    failed, first, after, answer = run(store, scenario)
    assert failed.status == 503 and "memory" in failed.message
    assert len(after) == 1 and after != first and count(answer) == TRIPLES


CPUS = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []


@pytest.mark.skipif(len(CPUS) < 2, reason="needs two cores the tests may use")
def test_spread_workers_run_each_on_a_core_of_its_own_and_a_replacement_takes_its_core(store):
    async def scenario(pool):
        first = {worker.slot: worker.process.pid for worker in pool._workers}
        cores = {slot: os.sched_getaffinity(pid) for slot, pid in first.items()}
        with pytest.raises(QueryError):
            await pool.query(SLOW, JSON)  # stopped at the time limit: its worker replaced
        for _ in range(200):  # the replacement starts in the background
            if len(pool._workers) == len(CPUS):
                break
            await asyncio.sleep(0.05)
        now = {worker.slot: worker.process.pid for worker in pool._workers}
        return cores, first, now, {slot: os.sched_getaffinity(pid) for slot, pid in now.items()}

    cores, first, now, after = run(store, scenario, workers=len(CPUS), spread=True, timeout=1.0)
    assert cores == after == {n: {cpu} for n, cpu in enumerate(CPUS)}
    assert len([slot for slot in now if now[slot] != first[slot]]) == 1  # one replaced


@pytest.mark.skipif(len(CPUS) < 2, reason="needs two cores the tests may use")
def test_fewer_workers_than_cores_or_a_lane_that_does_not_spread_are_left_to_the_scheduler(store):
    async def scenario(pool):
        return [os.sched_getaffinity(pid) for pid in pool.pids]

    assert run(store, scenario, workers=len(CPUS) - 1 or 1, spread=True) == \
        [set(CPUS)] * (len(CPUS) - 1 or 1)
    assert run(store, scenario, workers=len(CPUS)) == [set(CPUS)] * len(CPUS)


def test_each_kind_of_answer_comes_with_its_media_type_and_refusals_with_their_status(store):
    construct = f"CONSTRUCT {{ ?s <{EX}q> ?o }} WHERE {{ ?s ?p ?o }}"

    async def scenario(pool):
        answers = await asyncio.gather(
            pool.query(f"ASK {{ <{EX}s1> ?p ?o }}", ["text/csv"]),
            pool.query(construct, ["application/n-triples"]),
            pool.query(CHEAP, ["application/sparql-results+xml"]))
        with pytest.raises(QueryError) as refused:
            await pool.query(construct, ["text/csv"])
        with pytest.raises(QueryError) as malformed:
            await pool.query("SELECT WHERE {", JSON)
        return answers, refused.value, malformed.value

    (ask, graph, select), refused, malformed = run(store, scenario)
    assert (ask.kind, ask.media_type, ask.body.strip()) == ("ask", "text/csv", b"true")
    assert (graph.kind, graph.media_type) == ("graph", "application/n-triples")
    assert graph.body.count(b"\n") == TRIPLES and f"<{EX}q>".encode() in graph.body
    assert (select.kind, select.media_type) == ("select", "application/sparql-results+xml")
    assert select.body.startswith(b"<?xml") and str(TRIPLES).encode() in select.body
    assert refused.status == 406 and "text/turtle" in refused.message
    assert malformed.status == 400 and "syntax" in malformed.message
