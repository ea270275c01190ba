"""The search's analysis rules (languages.toml), facet table (facets.toml) and query
language, on their own."""
from __future__ import annotations

import pytest

from rightsgraph.graph.search import analysis, facets
from rightsgraph.graph.search.query import (
    MAX_CLAUSES,
    MAX_LENGTH,
    And,
    Filter,
    Not,
    Or,
    Prefix,
    QueryError,
    Words,
    parse,
)

FIELDS = {facet.name for facet in facets.facets()} | {"document"}


def terms(text: str, lang: str) -> list[str]:
    return [t.text for t in analysis.terms(text, lang)]


# Forms a reader types -> forms a text holds: each pair must give the same terms.
SAME_TERMS = [
    ("en", "migrants", "migrant"),
    ("en", "national strategies", "National Strategy"),
    ("en", "State parties", "state party"),
    ("fr", "stratégies nationales", "strategie nationale"),
    ("fr", "travailleurs migrants", "travailleur migrant"),
    ("es", "trabajadores migratorios", "trabajador migratorio"),
    ("es", "políticas", "politica"),
    ("ru", "мигрантов", "мигранты"),
    ("ru", "стратегии", "стратегия"),
    ("ru", "ёлка", "елка"),
    ("ar", "المهاجرين", "مهاجر"),
    ("ar", "الاستراتيجية", "إستراتيجية"),  # alef with hamza below
    ("ar", "الوطنيّة", "الوطنية"),  # shadda
    ("ar", "الهجـرة", "الهجرة"),  # tatweel
    ("ar", "الخطه الوطنيه", "الخطة الوطنية"),  # taa marbuta typed as haa
    ("fr", "mobilite humaine", "mobilité humaine"),
    ("es", "migracion", "migración"),
    ("zh", "移民战略", "移民战略"),
]


@pytest.mark.parametrize(("lang", "typed", "held"), SAME_TERMS)
def test_inflected_and_unaccented_forms_give_the_same_terms(lang, typed, held):
    assert terms(typed, lang) == terms(held, lang) != []


def test_chinese_is_cut_into_character_pairs_with_their_spans():
    found = analysis.terms("通过国家移民战略，", "zh")
    assert [t.text for t in found] == ["通过", "过国", "国家", "家移", "移民", "民战", "战略"]
    assert (found[4].start, found[4].end) == (4, 6)


def test_a_word_inside_a_longer_chinese_run_is_a_sub_sequence_of_its_pairs():
    text = terms("委员会建议缔约国立即通过国家移民战略", "zh")
    for word in ("移民战略", "国家移民战略"):
        query = terms(word, "zh")
        assert any(text[i:i + len(query)] == query for i in range(len(text)))


def test_spans_point_at_the_words_in_the_original_text():
    text = "Les travailleurs migrants équatoriens"
    assert [text[t.start:t.end] for t in analysis.terms(text, "fr")] == [
        "Les", "travailleurs", "migrants", "équatoriens"]


def test_the_simpler_patterns_cut_texts_as_the_token_pattern_does():
    """A text without Han characters or combining marks is cut by a simpler pattern
    (``term_spans``): the same terms and spans as ``TOKEN`` on 20,000 generated texts."""
    import random

    pick = random.Random(15)
    letters = "abcé ñ_-'’.,ß ИЖйё ع ٍ 国家 \u0301\u064b1٢ ǅ\u2000\t"
    texts = ["Hello wörld, naïve café 12 años", "Права ребёнка", "حقوق الطفل",
             "国家移民战略 and migration", "l'adoption d'enfants — été", "a_b c__d e1_2"]
    texts += ["".join(pick.choice(letters) for _ in range(pick.randint(0, 40)))
              for _ in range(20_000)]
    for text in texts:
        for code in ("en", "fr", "ru", "ar", "zh", "und"):
            for stem in (True, False):
                assert analysis.terms(text, code, stem=stem) == \
                    analysis._terms(text, code, stem), (text, code, stem)


def test_every_language_rule_names_a_stemmer_that_exists():
    rules = analysis.languages()
    assert set(rules) == {"en", "fr", "es", "ru", "ar", "zh"}
    assert all(rule.stemmer or rule.suffixes for code, rule in rules.items() if code != "zh")


@pytest.mark.parametrize(("text", "message"), [
    ('[xx]\nstemmer = "klingon"\n', "no Snowball stemmer 'klingon'"),
    ('[xx]\ntokenizer = "words"\n', "unknown keys ['tokenizer']"),
])
def test_bad_language_rules_are_refused_naming_the_language(text, message):
    with pytest.raises(ValueError, match=r"\[xx\]") as caught:
        analysis.load(text)
    assert message in str(caught.value)


def test_the_facet_table_has_the_facets_the_search_counts():
    assert [f.name for f in facets.facets()] == [
        "committee", "state", "year", "article", "sdg", "ilo", "gc", "kind", "lang", "theme",
        "affected"]
    article = facets.by_name()["article"]
    assert article.path_text == ("hro:concernsArticle", "hro:withinSection/hro:concernsArticle")
    # OHCHR's labels, looked up in their own graphs and marked as UHRI's
    theme = facets.by_name()["theme"]
    assert (theme.store, theme.source, article.source) == (True, "UHRI", None)
    concept = "https://rightsgraph.org/uhri/themes/legal-institutional-reform"
    assert facets.notation(concept) == "legal-institutional-reform"
    assert facets.iri_of("theme", "legal-institutional-reform") == concept
    assert theme.filter_value("Legal & institutional reform") == "legal-institutional-reform"
    assert facets.iri_of("affected", "children") == (
        "https://rightsgraph.org/uhri/affected-persons/children")


@pytest.mark.parametrize(("row", "message"), [
    ('name = "theme"\nlabel = "Theme"\npaths = ["uhri:theme"]\nvalue = "notation"',
     "'uhri:theme': not a prefixed name with a known prefix"),
    ('name = "theme"\nlabel = "Theme"\npaths = ["hro:theme"]\nvalue = "colour"',
     "value must be one of"),
    ('name = "Theme"\nlabel = "Theme"\npaths = ["hro:theme"]\nvalue = "notation"',
     "name must be a new lower-case word"),
    ('name = "theme"\nlabel = "Theme"\npaths = ["hro:theme"]\nvalue = "notation"\nsize = 3',
     "unknown keys"),
    ('name = "theme"\nlabel = "Theme"\npaths = ["hro:theme"]\nvalue = "notation"\nsource = ""',
     "source must be a name"),
])
def test_bad_facet_rows_are_refused_naming_the_row(row, message):
    with pytest.raises(facets.FacetTableError, match="facet 1 \\(.*\\)") as caught:
        facets.load("[[facet]]\n" + row)
    assert message in str(caught.value)


def test_a_new_facet_is_one_row():
    row = ('[[facet]]\nname = "theme"\nlabel = "UHRI theme"\npaths = ["hro:theme"]\n'
           'value = "notation"\nstore = true\n')
    (theme,) = facets.load(row)
    assert (theme.name, theme.store, str(theme.paths[0][0].predicate)) == (
        "theme", True, "https://rightsgraph.org/ontology#theme")


@pytest.mark.parametrize(("iri", "notation"), [
    ("https://rightsgraph.org/committee/CMW", "CMW"),
    ("https://rightsgraph.org/state/AZE", "AZE"),
    ("https://rightsgraph.org/treaty/ICRMW/article/76", "ICRMW/76"),
    ("https://rightsgraph.org/treaty/ICERD/article/5/d/v", "ICERD/5(d)(v)"),
    ("https://rightsgraph.org/gc/CMW/5", "CMW/GC/5"),
    ("https://rightsgraph.org/ilo/C097", "C097"),
    ("http://metadata.un.org/sdg/10.7", "10.7"),
    ("https://example.org/other", None),
])
def test_notations_are_read_back_from_the_iris_they_mint(iri, notation):
    assert facets.notation(iri) == notation
    if notation and not iri.endswith("ICERD/article/5/d/v"):
        kind = iri.split("/")[3] if "metadata.un.org" not in iri else "sdg"
        name = {"treaty": "article"}.get(kind, kind)
        assert facets.iri_of(name, notation) == iri


@pytest.mark.parametrize(("query", "tree"), [
    ("migrant workers", And((Words("migrant"), Words("workers")))),
    ('"national strategy"', Words("national strategy", phrase=True)),
    ("detention -children", And((Words("detention"), Not(Words("children"))))),
    ("detention NOT children", And((Words("detention"), Not(Words("children"))))),
    ("migrants OR refugees", Or((Words("migrants"), Words("refugees")))),
    ("(a OR b) c", And((Or((Words("a"), Words("b"))), Words("c")))),
    ("migra*", Prefix("migra")),
    ("committee:CMW article:ICRMW/76", And((Filter("committee", "CMW"),
                                           Filter("article", "ICRMW/76")))),
    ('document:"CMW/C/AZE/CO/3"', Filter("document", "CMW/C/AZE/CO/3")),
    ("移民战略 lang:zh", And((Words("移民战略"), Filter("lang", "zh")))),
])
def test_queries_parse(query, tree):
    assert parse(query, FIELDS) == tree


@pytest.mark.parametrize(("query", "message"), [
    ("", "the query is empty"),
    ('"national strategy', "a phrase is not closed"),
    ('""', "an empty phrase"),
    ("-children", "the query only excludes"),
    ("migrants AND", "the query ends where a word was expected"),
    ("(migrants", "an opening parenthesis is not closed"),
    ("migrants)", "a closing parenthesis has no opening one"),
    ("m*", "a prefix needs at least 2 characters"),
    ("colour:red", "unknown field colour: (the fields are affected:, article:, committee:"),
    ("committee:", "committee: needs a value, as in committee:CMW"),
    ("x" * (MAX_LENGTH + 1), f"at most {MAX_LENGTH}"),
    (" ".join(["word"] * (MAX_CLAUSES + 1)), f"more than {MAX_CLAUSES} words"),
])
def test_bad_queries_say_what_is_wrong(query, message):
    with pytest.raises(QueryError) as caught:
        parse(query, FIELDS)
    assert message in str(caught.value)
