"""Earlier observations cited under a symbol of an older series (no State in it), in each
of the six languages: a recommendation of the same State when the text calls them the
committee's own earlier observations ("its previous recommendation", ``[prior] previous``)
or when the documents known say they are that State's (``KnownSymbols``), with the relation
the paragraph states; a plain document otherwise.  The documents known come from a build:
a later document is linked to the older one whatever order they are built in."""
from __future__ import annotations

import pytest
from conftest import FIXTURES, run_cli

from rightsgraph.core.known_symbols import Known, KnownSymbols
from rightsgraph.extract.pipeline import extract_file, known_entry, unresolved_citations
from rightsgraph.graph.build import build, known_symbols
from rightsgraph.graph.local import LocalStore

OLD = "CRC/C/15/Add.77"
# The citing paragraph in each language: reiterates, recalls, notes non-implementation (each
# calling the old observations the committee's own), and a plain citation that does not.
PARAGRAPHS = {
    "en": ["The Committee reiterates its previous recommendation (CRC/C/15/Add.77, para. 6) "
           "that the State party adopt a law.",
           "Recalling its previous concluding observations (CRC/C/15/Add.77, para. 7), the "
           "Committee recommends that the State party adopt a law.",
           "The Committee regrets that its earlier recommendations (CRC/C/15/Add.77, para. 5) "
           "have not been implemented.",
           "The Committee notes the work of the commission (see CRC/C/15/Add.77, para. 3)."],
    "fr": ["Le Comité réitère sa recommandation précédente (CRC/C/15/Add.77, par. 6) tendant "
           "à ce que l’État partie adopte une loi.",
           "Le Comité rappelle ses précédentes observations finales (CRC/C/15/Add.77, par. 7) "
           "et recommande à l’État partie d’adopter une loi.",
           "Le Comité note avec regret que ses recommandations antérieures (CRC/C/15/Add.77, "
           "par. 5) n’ont pas été mises en œuvre.",
           "Le Comité prend note des travaux de la commission (voir CRC/C/15/Add.77, par. 3)."],
    "es": ["El Comité reitera su recomendación anterior (CRC/C/15/Add.77, párr. 6) de que el "
           "Estado parte apruebe una ley.",
           "El Comité recuerda sus anteriores observaciones finales (CRC/C/15/Add.77, párr. 7) "
           "y recomienda al Estado parte que apruebe una ley.",
           "El Comité lamenta que sus recomendaciones anteriores (CRC/C/15/Add.77, párr. 5) no "
           "se hayan aplicado.",
           "El Comité toma nota de la labor de la comisión (véase CRC/C/15/Add.77, párr. 3)."],
    "ru": ["Комитет вновь рекомендует, как и в своих предыдущих заключительных замечаниях "
           "(CRC/C/15/Add.77, пункт 6), государству-участнику принять закон.",
           "Комитет напоминает о своей прежней рекомендации (CRC/C/15/Add.77, пункт 7) и "
           "рекомендует государству-участнику принять закон.",
           "Комитет с сожалением отмечает, что его предыдущие рекомендации (CRC/C/15/Add.77, "
           "пункт 5) не были выполнены.",
           "Комитет принимает к сведению деятельность комиссии (см. CRC/C/15/Add.77, пункт 3)."],
    "ar": ["تكرر اللجنة توصيتها السابقة (CRC/C/15/Add.77، الفقرة 6) بأن تعتمد الدولة الطرف "
           "قانوناً.",
           "تذكّر اللجنة بملاحظاتها الختامية السابقة (CRC/C/15/Add.77، الفقرة 7) وتوصي الدولة "
           "الطرف باعتماد قانون.",
           "تأسف اللجنة لعدم تنفيذ توصياتها السابقة (CRC/C/15/Add.77، الفقرة 5).",
           "تحيط اللجنة علماً بعمل اللجنة الوطنية (انظر CRC/C/15/Add.77، الفقرة 3)."],
    "zh": ["委员会重申其先前的建议(CRC/C/15/Add.77，第6段)，即缔约国应通过一项法律。",
           "委员会回顾其先前的结论性意见(CRC/C/15/Add.77，第7段)，建议缔约国通过一项法律。",
           "委员会遗憾地注意到，其先前的建议(CRC/C/15/Add.77，第5段)尚未得到落实。",
           "委员会注意到该委员会的工作(见CRC/C/15/Add.77，第3段)。"],
}
EXPECTED = [("prior", f"{OLD}#6", "reiterates"), ("prior", f"{OLD}#7", "recalls"),
            ("prior", f"{OLD}#5", "notes_non_implementation"), ("document", f"{OLD}#3", None)]
HEADERS = {path.name.split(".")[1]: path.read_text(encoding="utf-8")
           for path in sorted((FIXTURES / "eras").glob("old_header.*.txt"))}
NAMES = {"en": "COMMITTEE ON THE RIGHTS OF THE CHILD", "fr": "COMITÉ DES DROITS DE L’ENFANT",
         "es": "COMITÉ DE LOS DERECHOS DEL NIÑO", "ru": "КОМИТЕТ ПО ПРАВАМ РЕБЕНКА",
         "ar": "لجنة حقوق الطفل", "zh": "儿童权利委员会"}


def document(tmp_path, lang: str, paragraphs: list[str], known: KnownSymbols | None = None):
    """A later CRC document on Azerbaijan (CRC/C/AZE/CO/3-4, an old-style header) whose
    paragraphs 3, 4, … are ``paragraphs``."""
    number = "{}- " if lang == "ar" else "{}. "
    text = HEADERS[lang].format(symbol="CRC/C/AZE/CO/3-4", committee=NAMES[lang]) + "".join(
        f"\n{number.format(n)}{p}\n" for n, p in enumerate(paragraphs, start=3))
    path = tmp_path / f"later.{lang}.txt"
    path.write_text(text, encoding="utf-8")
    return extract_file(path, known=known)


def links(doc) -> list[tuple[str, str, str | None]]:
    return [(r.kind, r.target, r.relation) for p in doc.paragraphs[2:] for r in p.references]


@pytest.mark.parametrize("lang", sorted(PARAGRAPHS))
def test_the_text_calls_them_its_own_earlier_observations(tmp_path, lang):
    doc = document(tmp_path, lang, PARAGRAPHS[lang][:3])
    assert (doc.symbol, doc.state) == ("CRC/C/AZE/CO/3-4", "AZE")
    assert links(doc) == EXPECTED[:3]
    assert doc.previous_observations == [OLD]


@pytest.mark.parametrize("lang", sorted(PARAGRAPHS))
def test_a_plain_citation_says_nothing_of_whose_they_are(tmp_path, lang):
    doc = document(tmp_path, lang, PARAGRAPHS[lang][3:])
    assert links(doc) == [EXPECTED[3]]
    assert doc.previous_observations == []
    assert unresolved_citations(doc) == (OLD,)  # until the documents known say


@pytest.mark.parametrize("lang", sorted(PARAGRAPHS))
def test_the_document_itself_says_whose_they_are(tmp_path, lang):
    """Once a paragraph calls CRC/C/15/Add.77 the committee's previous observations, a plain
    citation of it elsewhere in the document is an earlier recommendation too."""
    doc = document(tmp_path, lang, PARAGRAPHS[lang])
    assert links(doc) == EXPECTED[:3] + [("prior", f"{OLD}#3", "cites")]
    assert unresolved_citations(doc) == ()


@pytest.mark.parametrize("lang", sorted(PARAGRAPHS))
def test_the_documents_known_say_they_are_this_states(tmp_path, lang):
    known = KnownSymbols().adding([(OLD, Known("CRC", "AZE", (1,)))])
    doc = document(tmp_path, lang, PARAGRAPHS[lang][3:], known)
    assert links(doc) == [("prior", f"{OLD}#3", "cites")]
    assert doc.previous_observations == [OLD]
    assert unresolved_citations(doc) == ()


def test_the_documents_known_outweigh_the_words(tmp_path):
    """Known to be observations on another State: not this State's earlier recommendation,
    whatever the paragraph calls them."""
    known = KnownSymbols().adding([(OLD, Known("CRC", "ARM", (1,)))])
    doc = document(tmp_path, "en", PARAGRAPHS["en"][:1], known)
    assert links(doc) == [("document", f"{OLD}#6", None)]
    assert doc.previous_observations == []


def test_another_committees_old_observations_are_a_document(tmp_path):
    doc = document(tmp_path, "en", [
        "The Committee recalls the previous concluding observations of the Human Rights "
        "Committee (CCPR/C/79/Add.38, para. 9)."])
    assert links(doc) == [("document", "CCPR/C/79/Add.38#9", None)]


def test_a_footnote_citing_the_previous_recommendation(tmp_path):
    """The marker sits in a sentence that says "previous"; the symbol is in the footnote."""
    path = tmp_path / "later.en.txt"
    text = HEADERS["en"].format(symbol="CRC/C/AZE/CO/3-4", committee=NAMES["en"])
    path.write_text(text + "\n3.\tThe Committee reiterates its previous recommendation that "
                    "the State party adopt a law.[footnoteRef:1] [1: \t\tCRC/C/15/Add.77, "
                    "para. 6.] \n", encoding="utf-8")
    doc = extract_file(path)
    assert links(doc) == [] and doc.footnotes["1"].references[0].kind == "prior"
    assert doc.footnotes["1"].references[0].relation == "reiterates"


# --- the registry of symbols ------------------------------------------------------------


def test_known_symbols_lookup():
    known = KnownSymbols().adding([
        ("CCPR/C/79/Add.38", Known("CCPR", "AZE", (1,), ("CCPR/C/79/Add.38/Rev.1",)))])
    assert known.lookup("CCPR/C/79/ADD. 38").state == "AZE"  # as a PDF prints it
    assert known.lookup("CCPR/C/79/Add.38/Rev.1").same_as == ("CCPR/C/79/Add.38",)
    assert known.lookup("CCPR/C/79/Add.38/Corr.1").state == "AZE"  # a corrigendum of it
    assert known.lookup("CCPR/C/79/Add.39") is None
    assert known.lookup("CCPR/C/AZE/CO/3") == Known("CCPR", "AZE", (3,))  # the symbol says
    assert known.lookup("CCPR/CO/73/AZE").state == "AZE"
    assert KnownSymbols().lookup("CCPR/C/79/Add.38") is None  # adding made a new value


def test_a_document_adds_what_it_is_to_the_known_symbols(tmp_path):
    path = tmp_path / "old.en.txt"
    path.write_text(HEADERS["en"].format(symbol=OLD, committee=NAMES["en"]), encoding="utf-8")
    assert known_entry(extract_file(path)) == (OLD, Known("CRC", "AZE", (1,), ()))


@pytest.mark.parametrize("order", ["later first", "older first"])
def test_build_links_a_later_document_to_older_observations_it_holds(tmp_path, order):
    """Built together, in either order, or the older one first in another build: the plain
    citation of CRC/C/15/Add.77 becomes a recommendation of Azerbaijan's."""
    older = tmp_path / ("b" if order == "later first" else "a") / "old.en.txt"
    later = tmp_path / ("a" if order == "later first" else "b") / "later.en.txt"
    for path in (older, later):
        path.parent.mkdir()
    older.write_text(HEADERS["en"].format(symbol=OLD, committee=NAMES["en"]), encoding="utf-8")
    later.write_text(HEADERS["en"].format(symbol="CRC/C/AZE/CO/3-4", committee=NAMES["en"])
                     + "\n3. " + PARAGRAPHS["en"][3] + "\n", encoding="utf-8")
    store = LocalStore(tmp_path / "store")
    report = build([tmp_path / "a", tmp_path / "b"], store)
    assert report.ok and report.documents == 2, report.failures
    assert known_symbols(store).lookup(OLD) == Known("CRC", "AZE", (1,), ())
    rows = store.query("""SELECT ?p WHERE { ?p <https://rightsgraph.org/ontology#citesRecommendation>
        <https://rightsgraph.org/doc/CRC/C/15/Add.77/para/3> }""").rows()
    assert [r["p"] for r in rows] == ["https://rightsgraph.org/doc/CRC/C/AZE/CO/3-4/para/3"]
    assert report.links["prior"] == 1 and report.links["document"] >= 0
    # extracted again alone (unchanged files are skipped unless forced), the later document
    # finds the older one in the store
    again = build([later], store, force=True)
    assert again.ok and again.links["prior"] == 1
    assert not any("extracted again" in note for note in again.notes)


def test_the_states_follow_up_reply_is_no_recommendation(tmp_path):
    """An addendum to observations is the State's reply: a document, whatever the words."""
    doc = document(tmp_path, "en", [
        "The Committee recalls its previous recommendations and the information provided by "
        "the State party (CRC/C/AZE/CO/2/Add.1, para. 5)."])
    assert links(doc) == [("document", "CRC/C/AZE/CO/2/Add.1#5", None)]


def test_extract_reads_the_files_given_together(tmp_path, capsys):
    older, later = tmp_path / "old.en.txt", tmp_path / "later.en.txt"
    older.write_text(HEADERS["en"].format(symbol=OLD, committee=NAMES["en"]), encoding="utf-8")
    later.write_text(HEADERS["en"].format(symbol="CRC/C/AZE/CO/3-4", committee=NAMES["en"])
                     + "\n3. " + PARAGRAPHS["en"][3] + "\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "extract", str(later), str(older), "--format", "csv", "-q")
    assert code == 0
    assert "CRC/C/AZE/CO/3-4,,3,,prior,CRC/C/15/Add.77#3" in out.splitlines()


def test_build_reads_whose_older_observations_they_are_from_the_cache_list(tmp_path):
    """The store does not hold CRC/C/15/Add.77, but the cache folder lists it (``fetch
    --uhri`` writes ``known-symbols.tsv`` from the UHRI export): its plain citation is an
    earlier recommendation of Azerbaijan's."""
    from rightsgraph.core.known_symbols import TABLE, write_table

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "later.en.txt").write_text(
        HEADERS["en"].format(symbol="CRC/C/AZE/CO/3-4", committee=NAMES["en"])
        + "\n3. " + PARAGRAPHS["en"][3] + "\n", encoding="utf-8")
    store = LocalStore(tmp_path / "store")
    without = build([folder], store)
    assert without.ok and without.links["prior"] == 0
    write_table(folder, [(OLD, Known("CRC", "AZE"), "2002-06-11")], "UHRI export test.json")
    report = build([folder], store, force=True)
    assert report.ok, report.failures
    assert report.links["prior"] == 1
    assert f"1 concluding observations known from {folder / TABLE}" in report.notes[0]
    (folder / TABLE).write_text("symbol\tcommittee\tstate\tpublished\tsource\n"
                                "CRC/C/15/Add.77\tCRC\tAzerbaijan\t\tx\n", encoding="utf-8")
    broken = build([folder], store, force=True)
    assert [f for f in broken.failures if TABLE in f] == [
        f"{folder / TABLE}, line 2: expected a symbol, a committee, an ISO alpha-3 State, a "
        "date and a source: 'CRC/C/15/Add.77\\tCRC\\tAzerbaijan\\t\\tx\\n'"]
