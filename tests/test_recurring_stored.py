"""A State's recurring recommendations are gathered by the writer (``build``, ``labels
uhri``) and stored in ``{base}graph/recurring`` with the store's state token
(api/recurring_stored.py): the server reads them with one lookup and answers exactly what
gathering from the store on request answers (api/recurring.gather, the reference); a
write after them makes the server gather again, so they are never stale.  On the
hand-written corpus of tests/fixtures/recurring (explicit reiterations and inferred
similarity links on one State) and the seed."""
from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from conftest import FIXTURES, SEED, run_cli
from rdflib import Graph

from rightsgraph.api import recurring, recurring_stored
from rightsgraph.api.precomputed import StoreReader
from rightsgraph.graph.store import open_store

BASE = "https://rightsgraph.org/"
CORPUS = FIXTURES / "recurring"
LANGS = ["en", "fr", "es", "ru", "zh", "ar"]


def read_and_gathered(location, code: str) -> tuple[dict | None, dict]:
    """What the store holds for State ``code`` (or ``None``) and what gathering finds."""
    with open_store(location, read_only=True) as store:
        reader = StoreReader(store, None, BASE)
        return (asyncio.run(recurring_stored.read(reader, code)),
                asyncio.run(recurring.gather(reader, code)))


def answers(location, code: str) -> dict[str, object]:
    """What a server of ``location`` answers about State ``code``'s recurring
    recommendations: JSON in every language, with and without the inferred links, CSV and
    the page."""
    from fastapi.testclient import TestClient

    from rightsgraph.api.app import Settings, create_app

    found: dict[str, object] = {}
    settings = Settings(store=str(location), workers=1, site_workers=1)
    with TestClient(create_app(settings)) as client:
        for lang in LANGS:
            for inferred in ("true", "false"):
                answer = client.get(f"/api/states/{code}/recurring",
                                    params={"lang": lang, "inferred": inferred})
                assert answer.status_code == 200, answer.text
                found[f"{lang} {inferred}"] = answer.json()
        answer = client.get(f"/api/states/{code}/recurring", params={"format": "csv"})
        found["csv"] = answer.text
        page = client.get(f"/state/{code}/recurring", headers={"Accept": "text/html"})
        assert page.status_code == 200
        found["page"] = page.text
    return found


def assert_same_as_gathered(location, code: str, tmp_path: Path) -> dict[str, object]:
    """The answers of a server reading what was stored equal those of a server gathering
    from the store on request (the same store, its token replaced: nothing stored used)."""
    stored, gathered = read_and_gathered(location, code)
    assert stored == gathered  # the reference computation, exactly
    read = answers(location, code)
    gathering = tmp_path / f"gathering-{code}"
    shutil.copytree(location, gathering)
    with open_store(gathering) as store:
        store.mark_changed()
    assert read_and_gathered(gathering, code)[0] is None
    assert read == answers(gathering, code)
    return read


def test_the_build_stores_each_state_s_clusters_as_gathering_finds_them(recurring_store, tmp_path):
    read = assert_same_as_gathered(recurring_store, "GHA", tmp_path)
    clusters = read["en true"]["clusters"]  # type: ignore[index]
    kinds = {link["kind"] for c in clusters for link in c["links"]}
    assert kinds == {"explicit", "inferred"}  # both kinds of link went through the store
    assert len(read["en false"]["clusters"]) < len(clusters)  # type: ignore[index]


def test_gathering_every_state_at_once_finds_what_gathering_each_finds(
        recurring_store, monkeypatch):
    """The build reads every State's links with one query (``recurring.gather_all``, from
    ``ALL_EDGES_FROM`` States on): each State's answer equals gathering it alone, as the
    server does."""
    monkeypatch.setattr(recurring, "ALL_EDGES_FROM", 1)
    with open_store(recurring_store, read_only=True) as store:
        reader = StoreReader(store, None, BASE)

        async def both() -> list[tuple[str, dict, dict]]:
            return [(code, found, await recurring.gather(reader, code))  # type: ignore[arg-type]
                    async for code, found in recurring.gather_all(  # type: ignore[arg-type]
                        reader, ["FRA", "GHA"])]

        answers = asyncio.run(both())
    assert [code for code, _, _ in answers] == ["FRA", "GHA"]
    for code, together, alone in answers:
        assert together == alone, code
    assert {link["kind"] for link in answers[1][1]["links"]} == {"explicit", "inferred"}


def test_a_state_without_documents_has_no_clusters_either_way(recurring_store, tmp_path):
    stored, gathered = read_and_gathered(recurring_store, "FRA")
    assert stored == gathered == {"links": [], "members": {}}
    assert assert_same_as_gathered(recurring_store, "FRA", tmp_path)["en true"]["clusters"] == []  # type: ignore[index]


def test_the_seed_s_explicit_links_are_stored(tmp_path, capsys):
    store = tmp_path / "store"
    code, _, err = run_cli(capsys, "build", SEED, "--store", store, "-j", "1")
    assert code == 0 and "recurring recommendations of 1 States gathered, 0 kept" in err, err
    stored, _ = read_and_gathered(store, "AZE")
    assert stored and stored["links"] and stored["members"]
    assert_same_as_gathered(store, "AZE", tmp_path)


def test_any_write_after_them_makes_the_server_gather(tmp_path, capsys, monkeypatch):
    from rightsgraph.graph.build import build

    store = tmp_path / "store"
    assert run_cli(capsys, "build", SEED, "--store", store, "-j", "1")[0] == 0
    assert read_and_gathered(store, "AZE")[0] is not None
    with open_store(store) as opened:  # a build that does not store them (the API)
        build([FIXTURES / "en" / "cmw_fixture.txt"], opened, workers=1)
    assert read_and_gathered(store, "AZE")[0] is None
    monkeypatch.setattr(recurring_stored, "UPDATE_CHARS", 1)  # one update per State
    with open_store(store) as opened:
        done = recurring_stored.store_recurring(opened)
    assert done and (done.gathered, done.kept) == (1, 1)  # the fixture's; AZE's as it was
    for code in ("AZE", "ECU"):
        stored, gathered = read_and_gathered(store, code)
        assert stored == gathered and stored["members"]  # type: ignore[index]
    with open_store(store) as opened:
        opened.replace_graphs({f"{BASE}graph/extra": Graph()})  # any write
    assert read_and_gathered(store, "AZE")[0] is None
