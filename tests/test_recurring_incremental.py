"""A build gathers again only the recurring recommendations of the States whose inputs
changed (api/recurring_stored.py): each stored entry records what it was read from (the
load time of each language version of the State's documents and of the documents its links
reach, and of its similarity graph); the others are kept, and every State's stored entry
still equals what gathering from the store finds."""
from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, SEED, run_cli
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from rightsgraph.api import recurring, recurring_stored
from rightsgraph.api.precomputed import StoreReader
from rightsgraph.core.namespaces import HRO
from rightsgraph.graph.store import open_store

BASE = "https://rightsgraph.org/"
STATES = ("AZE", "ECU", "NPL", "URY")  # the seed and the three English fixtures
GATHER = recurring.gather
GATHER_ALL = recurring.gather_all


def stored_and_gathered(location: Path, code: str) -> tuple[dict | None, dict]:
    with open_store(location, read_only=True) as store:
        reader = StoreReader(store, None, BASE)
        return (asyncio.run(recurring_stored.read(reader, code)),
                asyncio.run(GATHER(reader, code)))  # type: ignore[arg-type]


def entries(location: Path) -> set[str]:
    """The States that have an entry in the recurring graph."""
    with open_store(location, read_only=True) as store:
        rows = store.query(f"SELECT ?e WHERE {{ GRAPH <{BASE}graph/recurring> {{ "
                           f"?e <{recurring_stored.RECURRING}> ?found }} }}").rows()
        return {str(row["e"]).rsplit("/", 1)[-1] for row in rows}


@pytest.fixture
def gathered(monkeypatch) -> list[str]:
    """The States the writer gathers from now on."""
    codes: list[str] = []

    async def counting(server, states):
        async for code, found in GATHER_ALL(server, states):
            codes.append(code)
            yield code, found

    monkeypatch.setattr(recurring, "gather_all", counting)
    return codes


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.txt")
    for name in ("cmw_fixture.txt", "cerd_fixture.txt", "crc_fixture.txt"):
        shutil.copy(FIXTURES / "en" / name, folder / name)
    return folder


def test_a_build_that_changes_one_document_gathers_only_its_state(
        corpus, tmp_path, capsys, gathered):
    store = tmp_path / "store"
    code, _, err = run_cli(capsys, "build", corpus, "--store", store, "-j", "1")
    assert code == 0 and "recurring recommendations of 4 States gathered, 0 kept" in err, err
    assert sorted(gathered) == list(STATES)
    gathered.clear()
    before = {code: stored_and_gathered(store, code)[0] for code in STATES}
    assert before["AZE"] and before["AZE"]["links"]  # the seed's reiterations

    ecuador = corpus / "cmw_fixture.txt"  # one paragraph of Ecuador's observations reworded
    text = ecuador.read_text(encoding="utf-8")
    assert "The Committee" in text
    ecuador.write_text(text.replace("The Committee", "The Committee itself", 1),
                       encoding="utf-8")
    code, _, err = run_cli(capsys, "build", corpus, "--store", store, "-j", "1")
    assert code == 0 and "unchanged: 3 files skipped" in _ + err
    assert "recurring recommendations of 1 States gathered, 3 kept" in err, err
    assert gathered == ["ECU"]  # the others not read again
    for state in STATES:  # touched or not, each stored entry is what gathering finds now
        stored, now = stored_and_gathered(store, state)
        assert stored == now, state
    assert stored_and_gathered(store, "AZE")[0] == before["AZE"]


def test_a_build_that_changes_nothing_gathers_nothing(corpus, tmp_path, capsys, gathered):
    store = tmp_path / "store"
    assert run_cli(capsys, "build", corpus, "--store", store, "-j", "1")[0] == 0
    gathered.clear()
    code, _, err = run_cli(capsys, "build", corpus, "--store", store, "-j", "1")
    assert code == 0 and "recurring recommendations of 0 States gathered, 4 kept" in err, err
    assert gathered == []
    for state in STATES:  # kept, and marked with the store's new state: served
        stored, now = stored_and_gathered(store, state)
        assert stored is not None and stored == now, state


def test_replace_that_drops_a_state_s_last_document_removes_its_entry(
        corpus, tmp_path, capsys, gathered):
    store = tmp_path / "store"
    assert run_cli(capsys, "build", corpus, "--store", store, "-j", "1")[0] == 0
    assert entries(store) == set(STATES)
    (corpus / "crc_fixture.txt").unlink()  # Nepal's only document
    gathered.clear()
    code, out, err = run_cli(capsys, "build", corpus, "--store", store, "--replace", "-j", "1")
    assert code == 0 and "CRC/C/NPL/CO/5-6" in out, out
    assert "recurring recommendations of 0 States gathered, 3 kept, 1 removed" in err, err
    assert gathered == []
    assert entries(store) == set(STATES) - {"NPL"}
    assert stored_and_gathered(store, "NPL") == ({"links": [], "members": {}},) * 2


def test_a_build_gathers_from_the_store_it_writes_without_opening_it_again(
        corpus, tmp_path, capsys, gathered, monkeypatch):
    """After a build whose documents went in one transaction each (an incremental build,
    or the build after a killed fresh one), the write-ahead log holds what the writer has
    not flushed: a second, read-only opening of the store would replay all of it.  The
    writer gathers every State itself, from the store it holds open, and the entries
    equal what gathering finds."""
    from rightsgraph.graph import local

    store = tmp_path / "store"
    assert run_cli(capsys, "build", SEED, "--store", store, "-j", "1")[0] == 0
    opened: list[Path] = []
    monkeypatch.setattr(local, "_open_read_only", lambda path: opened.append(path))
    monkeypatch.setattr(recurring, "ALL_EDGES_FROM", 1)  # every State's links at once
    gathered.clear()
    code, _, err = run_cli(capsys, "build", corpus, "--store", store, "-j", "1")
    assert code == 0 and "recurring recommendations of" in err, err
    assert set(gathered) >= set(STATES) - {"AZE"}  # the seed's is kept or gathered
    assert opened == []
    monkeypatch.undo()
    for state in STATES:
        stored, now = stored_and_gathered(store, state)
        assert stored == now, state


def _version(doc: str, state: str, paragraphs: dict[str, str], links=()) -> Graph:
    """A language version's graph, as the build writes one (the parts gather reads)."""
    graph = Graph()
    work, version, run = URIRef(doc), URIRef(f"{doc}/en"), URIRef(f"{doc}/en/run")
    graph.add((version, RDF.type, HRO.LanguageVersion))
    graph.add((version, HRO.realizes, work))
    graph.add((version, PROV.wasGeneratedBy, run))
    graph.add((run, PROV.startedAtTime, Literal(_now())))
    graph.add((work, HRO.stateParty, URIRef(f"{BASE}state/{state}")))
    graph.add((work, DCTERMS.identifier, Literal(doc.removeprefix(f"{BASE}doc/"))))
    graph.add((work, HRO.adoptedOn, Literal("2020-01-01", datatype=XSD.date)))
    for number, text in paragraphs.items():
        para = URIRef(f"{doc}/para/{number}")
        graph.add((work, HRO.hasParagraph, para))
        graph.add((para, DCTERMS.isPartOf, work))
        graph.add((para, HRO.number, Literal(int(number))))
        graph.add((para, HRO.text, Literal(text, lang="en")))
    for later, earlier in links:
        graph.add((URIRef(later), HRO.reiterates, URIRef(earlier)))
    return graph


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_a_link_across_states_makes_the_linking_state_gather_again(tmp_path):
    """A paragraph of Ghana's observations reiterating one of Ecuador's (links may cross
    States): rewording Ecuador's document changes Ghana's clusters, so Ghana is gathered
    again though none of its own documents changed."""
    ghana, ecuador = f"{BASE}doc/X/C/GHA/CO/1", f"{BASE}doc/X/C/ECU/CO/1"
    with open_store(tmp_path / "store") as store:
        store.replace_graphs({
            f"{BASE}graph/X/C/GHA/CO/1/en": _version(
                ghana, "GHA", {"1": "Ghana's"}, [(f"{ghana}/para/1", f"{ecuador}/para/2")]),
            f"{BASE}graph/X/C/ECU/CO/1/en": _version(ecuador, "ECU", {"2": "before"})})
        first = recurring_stored.store_recurring(store, BASE)
        assert first and (first.gathered, first.kept) == (2, 0)
        store.replace_graphs({f"{BASE}graph/X/C/ECU/CO/1/en": _version(
            ecuador, "ECU", {"2": "after"})})
        again = recurring_stored.store_recurring(store, BASE)
        assert again and (again.gathered, again.kept) == (2, 0)
        reader = StoreReader(store, None, BASE)
        stored = asyncio.run(recurring_stored.read(reader, "GHA"))
        assert stored == asyncio.run(GATHER(reader, "GHA"))  # type: ignore[arg-type]
        assert stored["members"][f"{ecuador}/para/2"]["texts"] == {"en": "after"}
        store.replace_graphs({f"{BASE}graph/X/C/GHA/CO/1/en": _version(
            ghana, "GHA", {"1": "Ghana's, again"}, [(f"{ghana}/para/1", f"{ecuador}/para/2")])})
        last = recurring_stored.store_recurring(store, BASE)
        assert last and (last.gathered, last.kept) == (1, 1)  # Ecuador's does not read Ghana's


def test_another_version_of_rightsgraph_gathers_every_state_again(tmp_path, capsys,
                                                                   monkeypatch):
    """What an entry holds is also the code's (the procedural kinds are read by phrase
    data): entries gathered by another version are gathered again."""
    store = tmp_path / "store"
    assert run_cli(capsys, "build", SEED, "--store", store, "-j", "1")[0] == 0
    with open_store(store) as opened:
        kept = recurring_stored.store_recurring(opened, BASE)
        assert kept and (kept.gathered, kept.kept) == (0, 1)
        monkeypatch.setattr(recurring_stored, "__version__", "0.0.0-other")
        again = recurring_stored.store_recurring(opened, BASE)
        assert again and (again.gathered, again.kept) == (1, 0)
