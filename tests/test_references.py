"""Table tests per reference kind and language: (text, expected (kind, target) pairs)."""
from __future__ import annotations

import pytest

from rightsgraph.extract.language import phrases
from rightsgraph.extract.references import Context, find_references

CMW = ("CMW", "ICRMW")
CERD = ("CERD", "ICERD")
CRC = ("CRC", "CRC")

CASES = [
    # --- articles, zh
    ("zh", CMW, "《公约》第8条第1款所允许的限制", [("article", "ICRMW/8(1)")]),
    ("zh", CMW, "作出《公约》第76和第77条所规定的声明", [("article", "ICRMW/76"), ("article", "ICRMW/77")]),
    ("zh", CMW, "所有移民工人的人权(第8至第35条)", [("article", f"ICRMW/{n}") for n in range(8, 36)]),
    ("zh", CMW, "没有涵盖《公约》第1条第1款和第7条列举的理由", [("article", "ICRMW/1(1)"), ("article", "ICRMW/7")]),
    ("zh", CMW, "《公约》第二十九条第一款和第四款", [("article", "ICRMW/29(1)"), ("article", "ICRMW/29(4)")]),
    ("zh", CMW, "《移民法》第17条允许实施出境禁令", [("domestic_article", "17")]),
    ("zh", CMW, "须根据《劳动法》关于不履行工作义务的第70条承担责任", [("domestic_article", "70")]),
    ("zh", CMW, "《公约》第94条", []),  # ICRMW has 93 articles
    ("zh", CMW, "《儿童权利公约》第3条", [("article", "CRC/3")]),
    # --- articles, en
    ("en", CMW, "as required by article 1 (1) of the Convention", [("article", "ICRMW/1(1)")]),
    ("en", CMW, "(arts. 1, 2 and 4)", [("article", "ICRMW/1"), ("article", "ICRMW/2"), ("article", "ICRMW/4")]),
    ("en", CERD, "in line with article 4 (a) and (b)", [("article", "ICERD/4(a)"), ("article", "ICERD/4(b)")]),
    ("en", CERD, "under art. 5 (d) (v)", [("article", "ICERD/5(d)(v)")]),
    ("en", CMW, "(arts. 64–71)", [("article", f"ICRMW/{n}") for n in range(64, 72)]),
    ("en", CERD, "article 318 of the Criminal Code", [("domestic_article", "318")]),
    ("en", CERD, "article 2 of the aforementioned Act", [("domestic_article", "2")]),
    ("en", CRC, "article 12 of the Optional Protocol on the sale of children, child prostitution",
     [("article", "OP-CRC-SC/12")]),
    ("en", CMW, "article 14 of the International Covenant on Civil and Political Rights",
     [("article", "ICCPR/14")]),
    # --- ILO
    ("zh", CMW, "劳工组织2011年《家庭工人公约》(第189号)", [("ilo", "C189")]),
    ("zh", CMW, "第5号一般性意见(2021年)", [("general_comment", "CMW/GC/5")]),
    ("en", CMW, "the Domestic Workers Convention, 2011 (No. 189)", [("ilo", "C189")]),
    ("en", CMW, "the Protocol of 2014 to the Forced Labour Convention, 1930", [("ilo", "P029")]),
    ("en", CMW, "ILO Conventions Nos. 97 and 143", [("ilo", "C097"), ("ilo", "C143")]),
    ("en", CMW, "ratify the Maritime Labour Convention, 2006 (MLC, 2006)", [("ilo", "C186")]),
    ("en", CMW, "a list of issues (No. 189)", []),  # no ILO context
    # --- SDG
    ("zh", CMW, "根据“可持续发展目标”具体目标17.18", [("sdg", "17.18")]),
    ("en", CMW, "in line with targets 8.7 and 16.2 of the Goals", [("sdg", "8.7"), ("sdg", "16.2")]),
    ("en", CMW, "target 16.99", []),  # not a target
    ("en", CMW, "targets 3.d and 12.8 of the Goals", [("sdg", "3.d"), ("sdg", "12.8")]),  # letters up to d
    # --- general comments
    ("zh", CMW, "保护所有移民工人及其家庭成员权利委员会第3号和第4号(2017年)及儿童权利委员会第22号和第23号联合一般性意见",
     [("general_comment", "CMW/GC/3"), ("general_comment", "CMW/GC/4"),
      ("general_comment", "CRC/GC/22"), ("general_comment", "CRC/GC/23")]),
    ("en", CERD, "its general recommendation No. 32 (2009) on special measures",
     [("general_comment", "CERD/GC/32")]),
    ("en", CERD, "general recommendations No. 30 (2004) on non-citizens and No. 31 (2005)",
     [("general_comment", "CERD/GC/30"), ("general_comment", "CERD/GC/31")]),
    ("en", CMW, "joint general comments No. 3 and No. 4 (2017) of the Committee on the Protection of "
     "the Rights of All Migrant Workers and Members of Their Families and No. 22 and No. 23 (2017) "
     "of the Committee on the Rights of the Child",
     [("general_comment", "CMW/GC/3"), ("general_comment", "CMW/GC/4"),
      ("general_comment", "CRC/GC/22"), ("general_comment", "CRC/GC/23")]),
    ("en", CERD, "General recommendation XVIII", [("general_comment", "CERD/GC/18")]),
    # --- documents
    ("zh", CMW, "A/HRC/39/14, 第141.97段", [("document", "A/HRC/39/14#141.97")]),
    ("zh", CMW, "CMW/C/SR.464和465。", [("document", "CMW/C/SR.464"), ("document", "CMW/C/SR.465")]),
    ("zh", CMW, "大会2018年12月19日第73/195号决议", [("document", "A/RES/73/195")]),
    ("en", CERD, "(see CERD/C/SR.2494 and 2495)", [("document", "CERD/C/SR.2494"),
                                                 ("document", "CERD/C/SR.2495")]),
    ("en", CERD, "(CERD/C/URY/CO/16-20, paras. 12 and 14)",
     [("document", "CERD/C/URY/CO/16-20#12"), ("document", "CERD/C/URY/CO/16-20#14")]),
    ("en", CERD, "General Assembly resolution 68/268, para. 16", [("document", "A/RES/68/268#16")]),
    # "ISR" contains "SR": a State's report is not a summary record
    ("en", CERD, "(see CERD/C/ISR/14-16)", [("document", "CERD/C/ISR/14-16")]),
    ("en", CERD, "(CCPR/C/SR.2663-2665)", [("document", f"CCPR/C/SR.{n}") for n in (2663, 2664, 2665)]),
]


@pytest.mark.parametrize(("lang", "owner", "text", "expected"), CASES,
                         ids=[f"{c[0]}-{c[2][:40]}" for c in CASES])
def test_find_references(lang, owner, text, expected):
    ctx = Context(phrases(lang), *owner)
    found = find_references(text, ctx, container="paragraph")
    assert sorted((r.kind, r.target) for r in found if r.kind != "treaty") == sorted(expected)
    for ref in found:
        assert text[ref.start:ref.end] == ref.text
