"""Reference table tests for Russian, one block per reference kind, modelled on
tests/test_references.py: (text, expected (kind, target) pairs).  Sentences marked "real"
are from UN documents in ../shared/corpus (openings, the Russian A/HRC/WG.6/34/ITA/3); the
others follow the UN's Russian wording for the same constructions."""
from __future__ import annotations

import pytest

from rightsgraph.extract.language import phrases
from rightsgraph.extract.references import Context, find_references
from rightsgraph.extract.resolve import prior_relation

CMW = ("CMW", "ICRMW")
CERD = ("CERD", "ICERD")
CCPR = ("CCPR", "ICCPR")
CRC = ("CRC", "CRC")
CRPD = ("CRPD", "CRPD")

CASES = [
    # --- articles of the document's own treaty: forms, lists, ranges, pinpoints
    (CMW, "ограничения, допускаемые пунктом 1 статьи 8 Конвенции", [("article", "ICRMW/8(1)")]),
    (CMW, "заявления, предусмотренные статьями 76 и 77 Конвенции",
     [("article", "ICRMW/76"), ("article", "ICRMW/77")]),
    (CMW, "(статьи 1, 2 и 4)", [("article", "ICRMW/1"), ("article", "ICRMW/2"), ("article", "ICRMW/4")]),
    (CMW, "(статьи 8–35)", [("article", f"ICRMW/{n}") for n in range(8, 36)]),
    (CMW, "статьями 7–9", [("article", f"ICRMW/{n}") for n in (7, 8, 9)]),
    (CMW, "статья 8 гарантирует", [("article", "ICRMW/8")]),
    (CMW, "пунктов 1 и 4 статьи 29 Конвенции", [("article", "ICRMW/29(1)"), ("article", "ICRMW/29(4)")]),
    (CERD, "статьи 4 a) и b) Конвенции", [("article", "ICERD/4(a)"), ("article", "ICERD/4(b)")]),
    (CERD, "статьи 5 d) v)", [("article", "ICERD/5(d)(v)")]),
    (CCPR, "в соответствии со статьей 40 Пакта", [("article", "ICCPR/40")]),  # real, 15.ru
    (CMW, "статья 94 Конвенции", []),  # the ICRMW has 93 articles
    # --- other treaties, by their names in the genitive
    (CMW, "статьи 14 Международного пакта о гражданских и политических правах", [("article", "ICCPR/14")]),
    (CMW, "статьи 3 Конвенции о правах ребенка", [("article", "CRC/3")]),
    # --- domestic law is not the Convention
    (CMW, "статья 17 Миграционного кодекса допускает запрет на выезд", [("domestic_article", "17")]),
    (CERD, "статьи 318 Уголовного кодекса", [("domestic_article", "318")]),
    # --- ILO instruments
    (CMW, "Конвенции 2011 года о достойном труде домашних работников (№ 189)", [("ilo", "C189")]),
    (CMW, "конвенций МОТ № 97 и 143", [("ilo", "C097"), ("ilo", "C143")]),
    (CMW, "Протокол 2014 года к Конвенции 1930 года о принудительном труде", [("ilo", "P029")]),
    (CMW, "принятые Законом № 132/2018", []),  # real, A/HRC/WG.6/34/ITA/3: a law, not the ILO
    (CMW, "перечень вопросов (№ 189)", []),  # no ILO context
    # --- SDG targets
    (CMW, "в соответствии с задачей 10.7 Целей в области устойчивого развития", [("sdg", "10.7")]),
    (CMW, "с учетом задач 8.7 и 16.2 Целей", [("sdg", "8.7"), ("sdg", "16.2")]),
    (CMW, "задача 16.99", []),
    # --- general comments and recommendations
    (CMW, "в свете своего замечания общего порядка № 5 (2021)", [("general_comment", "CMW/GC/5")]),
    (CERD, "своей общей рекомендации № 32 (2009) о специальных мерах", [("general_comment", "CERD/GC/32")]),
    (CERD, "общие рекомендации № 30 (2004) о дискриминации неграждан и № 31 (2005)",
     [("general_comment", "CERD/GC/30"), ("general_comment", "CERD/GC/31")]),
    (CMW, "совместных замечаний общего порядка № 3 и № 4 (2017) Комитета по защите прав всех "
     "трудящихся-мигрантов и членов их семей и № 22 и № 23 (2017) Комитета по правам ребенка",
     [("general_comment", "CMW/GC/3"), ("general_comment", "CMW/GC/4"),
      ("general_comment", "CRC/GC/22"), ("general_comment", "CRC/GC/23")]),
    (CERD, "общая рекомендация XVIII", [("general_comment", "CERD/GC/18")]),
    # --- UN documents, with paragraph pinpoints
    (CERD, "(см. CERD/C/SR.2598 и 2599)", [("document", "CERD/C/SR.2598"), ("document", "CERD/C/SR.2599")]),  # real, 10.ru
    (CCPR, "(CCRP/C/SR.2692, 2693 и 2694)", [("document", f"CCPR/C/SR.{n}") for n in (2692, 2693, 2694)]),  # real, 15.ru
    (CCPR, "(CCPR/C O /83/UZB)", [("document", "CCPR/CO/83/UZB")]),  # real, 15.ru
    (CRPD, "(C RPD/C/HRV/1)", [("document", "CRPD/C/HRV/1")]),  # the 50.ru header artefact
    (CERD, "(CERD/C/URY/CO/16-20, пункты 12 и 14)",
     [("document", "CERD/C/URY/CO/16-20#12"), ("document", "CERD/C/URY/CO/16-20#14")]),
    (CMW, "A/HRC/39/14, пункт 141.97", [("document", "A/HRC/39/14#141.97")]),
    (CMW, "резолюция 73/195 Генеральной Ассамблеи", [("document", "A/RES/73/195")]),
    (CERD, "резолюция Генеральной Ассамблеи 68/268, пункт 16", [("document", "A/RES/68/268#16")]),
]


@pytest.mark.parametrize(("owner", "text", "expected"), CASES, ids=[c[1][:40] for c in CASES])
def test_find_references_ru(owner, text, expected):
    ctx = Context(phrases("ru"), *owner)
    found = find_references(text, ctx, container="paragraph")
    assert sorted((r.kind, r.target) for r in found if r.kind != "treaty") == sorted(expected)
    for ref in found:
        assert text[ref.start:ref.end] == ref.text


PRIOR = [
    ("Комитет вновь повторяет свою предыдущую рекомендацию и рекомендует государству-участнику",
     "reiterates"),
    ("Комитет напоминает о своей предыдущей рекомендации и рекомендует", "recalls"),
    ("Комитет с обеспокоенностью отмечает, что его предыдущие рекомендации не были выполнены",
     "notes_non_implementation"),
    ("Комитет принимает к сведению меры", "cites"),
]


@pytest.mark.parametrize(("text", "relation"), PRIOR, ids=[p[1] for p in PRIOR])
def test_prior_relation_ru(text, relation):
    assert prior_relation(text, None, phrases("ru")) == relation


def test_ibid_ru():
    from rightsgraph.extract.references import is_ibid

    assert is_ibid("Там же, пункт 41.", phrases("ru"))
    assert not is_ibid("См. там же", phrases("ru"))
