"""Reference table tests for Arabic, one block per reference kind, modelled on
tests/test_references.py: (text, expected (kind, target) pairs).  Sentences marked "real" are
from the UN's Arabic concluding observations in ../shared/corpus/openings; the others follow
the UN's Arabic wording for the same constructions (proclitics "و", "ب", "ل" included)."""
from __future__ import annotations

import pytest

from rightsgraph.extract.language import phrases
from rightsgraph.extract.references import Context, find_references, is_ibid
from rightsgraph.extract.resolve import prior_relation

CMW = ("CMW", "ICRMW")
CERD = ("CERD", "ICERD")
CCPR = ("CCPR", "ICCPR")
CRC_SC = ("CRC", "OP-CRC-SC")

CASES = [
    # --- articles of the document's own treaty: forms, lists, ranges, pinpoints
    (CERD, "بموجب المادة 9 من الاتفاقية", [("article", "ICERD/9")]),  # real, 2.ar
    (CCPR, "بموجب المادة 40 من العهد", [("article", "ICCPR/40")]),  # real, 22.ar
    (CMW, "الإعلانين المنصوص عليهما في المادتين 76 و77 من الاتفاقية",
     [("article", "ICRMW/76"), ("article", "ICRMW/77")]),
    (CMW, "(المواد 1 و2 و4)", [("article", "ICRMW/1"), ("article", "ICRMW/2"), ("article", "ICRMW/4")]),
    (CMW, "(المواد 8-35)", [("article", f"ICRMW/{n}") for n in range(8, 36)]),
    (CMW, "المواد من 64 إلى 71", [("article", f"ICRMW/{n}") for n in range(64, 72)]),
    (CMW, "القيود التي تسمح بها الفقرة 1 من المادة 8 من الاتفاقية", [("article", "ICRMW/8(1)")]),
    (CMW, "الفقرتين 1 و4 من المادة 29", [("article", "ICRMW/29(1)"), ("article", "ICRMW/29(4)")]),
    (CERD, "المادة 4(أ) و(ب)", [("article", "ICERD/4(a)"), ("article", "ICERD/4(b)")]),
    (CMW, "وفقاً للمادة 7 من الاتفاقية", [("article", "ICRMW/7")]),
    (CMW, "المادة ٦٧ من الاتفاقية", [("article", "ICRMW/67")]),  # Arabic-Indic digits
    (CMW, "المادة 94 من الاتفاقية", []),  # the ICRMW has 93 articles
    # --- other treaties, and articles of optional protocols (real, 28.ar)
    (CRC_SC, "بموجب الفقرة 1 من المادة 12 من البروتوكول الاختياري الملحق باتفاقية حقوق الطفل بشأن "
     "بيع الأطفال واستغلال الأطفال في البغاء وفي المواد الإباحية", [("article", "OP-CRC-SC/12(1)")]),
    (CMW, "المادة 14 من العهد الدولي الخاص بالحقوق المدنية والسياسية", [("article", "ICCPR/14")]),
    # --- domestic law is not the Convention
    (CMW, "المادة 17 من قانون الهجرة تسمح بفرض حظر السفر", [("domestic_article", "17")]),
    (CERD, "المادة 318 من القانون الجنائي", [("domestic_article", "318")]),
    # --- ILO instruments
    (CMW, "اتفاقية العمال المنزليين، 2011 (رقم 189) لمنظمة العمل الدولية", [("ilo", "C189")]),
    (CMW, "اتفاقيتي منظمة العمل الدولية رقم 97 و143", [("ilo", "C097"), ("ilo", "C143")]),
    (CMW, "بروتوكول عام 2014 الملحق باتفاقية العمل الجبري لعام 1930", [("ilo", "P029")]),
    (CMW, "قائمة المسائل (رقم 189)", []),  # no ILO context
    # --- SDG targets
    (CMW, "تماشياً مع الغاية 10.7 من أهداف التنمية المستدامة", [("sdg", "10.7")]),
    (CMW, "الغايتين 8.7 و16.2", [("sdg", "8.7"), ("sdg", "16.2")]),
    (CMW, "الغاية 16.99", []),
    # --- general comments and recommendations
    (CMW, "في ضوء تعليقها العام رقم 5 (2021)", [("general_comment", "CMW/GC/5")]),
    (CERD, "توصيتها العامة رقم 32 (2009) بشأن التدابير الخاصة", [("general_comment", "CERD/GC/32")]),
    (CMW, "التعليقين العامين المشتركين رقم 3 ورقم 4 (2017) للجنة المعنية بحماية حقوق جميع العمال "
     "المهاجرين وأفراد أسرهم ورقم 22 ورقم 23 (2017) للجنة حقوق الطفل",
     [("general_comment", "CMW/GC/3"), ("general_comment", "CMW/GC/4"),
      ("general_comment", "CRC/GC/22"), ("general_comment", "CRC/GC/23")]),
    # --- UN documents, with paragraph pinpoints
    (CCPR, "(انظر CCPR/C/SR.3351 و3352)", [("document", "CCPR/C/SR.3351"), ("document", "CCPR/C/SR.3352")]),  # real, 23.ar
    (CERD, "(CERD/C/SR/1968)", [("document", "CERD/C/SR.1968")]),  # real, 2.ar
    (CCPR, "(E/C.12/2005/SR.41-43)", [("document", f"E/C.12/2005/SR.{n}") for n in (41, 42, 43)]),  # real, 24.ar
    (CERD, "(CERD/C/URY/CO/16-20، الفقرتان 12 و14)",
     [("document", "CERD/C/URY/CO/16-20#12"), ("document", "CERD/C/URY/CO/16-20#14")]),
    (CMW, "A/HRC/39/14، الفقرة 141.97", [("document", "A/HRC/39/14#141.97")]),
    (CMW, "قرار الجمعية العامة 73/195", [("document", "A/RES/73/195")]),
]


@pytest.mark.parametrize(("owner", "text", "expected"), CASES, ids=[c[1][:40] for c in CASES])
def test_find_references_ar(owner, text, expected):
    ctx = Context(phrases("ar"), *owner)
    found = find_references(text, ctx, container="paragraph")
    assert sorted((r.kind, r.target) for r in found if r.kind != "treaty") == sorted(expected)
    for ref in found:
        assert text[ref.start:ref.end] == ref.text


PRIOR = [
    ("تكرر اللجنة توصيتها السابقة وتوصي الدولة الطرف", "reiterates"),
    ("وتذكّر اللجنة بتوصيتها السابقة", "recalls"),
    ("تلاحظ اللجنة بقلق أن توصياتها السابقة لم تنفذ", "notes_non_implementation"),
    ("تحيط اللجنة علماً بالتدابير", "cites"),
]


@pytest.mark.parametrize(("text", "relation"), PRIOR, ids=[p[1] for p in PRIOR])
def test_prior_relation_ar(text, relation):
    assert prior_relation(text, None, phrases("ar")) == relation


def test_ibid_ar():
    assert is_ibid("المرجع نفسه، الفقرة 41.", phrases("ar"))
    assert not is_ibid("انظر المرجع نفسه", phrases("ar"))
