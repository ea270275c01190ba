"""Tests of the registry data itself (ontology/registries) and of its loader."""

import csv

import pytest

from rightsgraph.core.languages import LANGUAGES
from rightsgraph.core.registries import load, registries_dir

REG = load()


def rows(name: str) -> list[dict[str, str]]:
    with (registries_dir() / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize(
    ("file", "key", "loaded"),
    [
        ("treaties/treaties.csv", lambda r: r["id"], REG.treaties),
        ("treaties/committees.csv", lambda r: r["id"], REG.committees),
        (
            "treaties/general_comments.csv",
            lambda r: f"{r['committee']}/GC/{r['number']}",
            REG.general_comments,
        ),
        ("ilo/instruments.csv", lambda r: r["code"], REG.ilo),
        ("states.csv", lambda r: r["alpha3"], REG.states),
        ("states.csv", lambda r: r["alpha2"], REG.states),
        ("states.csv", lambda r: r["m49"], REG.states),
    ],
)
def test_identifiers_are_unique(file, key, loaded):
    keys = [key(r) for r in rows(file)]
    assert len(keys) == len(set(keys)) == len(loaded)


@pytest.mark.parametrize(
    ("treaty", "articles"),
    [
        ("ICERD", 25),
        ("ICCPR", 53),
        ("ICESCR", 31),
        ("CEDAW", 30),
        ("CAT", 33),
        ("CRC", 54),
        ("ICRMW", 93),
        ("CRPD", 50),
        ("ICPPED", 45),
        ("ICCPR-OP1", 14),
        ("ICCPR-OP2", 11),
        ("OP-ICESCR", 22),
        ("OP-CEDAW", 21),
        ("OP-CAT", 37),
        ("OP-CRC-AC", 13),
        ("OP-CRC-SC", 17),
        ("OP-CRC-IC", 24),
        ("OP-CRPD", 18),
    ],
)
def test_article_counts(treaty, articles):
    assert REG.treaties[treaty].articles == articles


@pytest.mark.parametrize(("n", "expected"), [(0, False), (1, True), (93, True), (94, False)])
def test_has_article(n, expected):
    assert REG.treaties["ICRMW"].has_article(n) is expected


@pytest.mark.parametrize(
    ("treaty", "parent"),
    [
        ("ICCPR", None),
        ("ICCPR-OP1", "ICCPR"),
        ("ICCPR-OP2", "ICCPR"),
        ("OP-ICESCR", "ICESCR"),
        ("OP-CAT", "CAT"),
        ("OP-CRC-AC", "CRC"),
        ("OP-CRPD", "CRPD"),
    ],
)
def test_protocol_parent(treaty, parent):
    assert REG.treaties[treaty].parent == parent


def test_every_treaty_has_an_english_name_and_a_known_committee():
    for treaty in REG.treaties.values():
        assert treaty.names["en"]
        assert treaty.committee in REG.committees
        assert set(treaty.names) <= set(LANGUAGES)


@pytest.mark.parametrize(
    ("committee", "treaty"), [("CMW", "ICRMW"), ("CESCR", "ICESCR"), ("SPT", "OP-CAT")]
)
def test_committee_treaty(committee, treaty):
    assert REG.committees[committee].treaty == treaty


def test_every_committee_has_a_treaty_and_an_english_name():
    for committee in REG.committees.values():
        assert committee.treaty in REG.treaties
        assert REG.treaties[committee.treaty].committee == committee.id
        assert committee.names["en"]


def test_aliases_point_at_known_entries():
    known = {"treaty": REG.treaties, "committee": REG.committees}
    for row in rows("treaties/aliases.csv"):
        assert row["id"] in known[row["kind"]], row
        assert row["language"] in LANGUAGES, row
        assert row["alias"] and row["source"], row
        assert row["alias"] != known[row["kind"]][row["id"]].names.get(row["language"]), row


def test_seed_committee_alias():
    assert "保护所有移民工人及其家庭成员权利委员会" in REG.committees["CMW"].aliases["zh"]


def test_general_comments_belong_to_known_committees():
    for gc in REG.general_comments.values():
        assert gc.committee in REG.committees
        assert gc.notation == f"{gc.committee}/GC/{gc.number}"


def test_joint_general_comments_exist_and_are_symmetric():
    joint = [gc for gc in REG.general_comments.values() if gc.joint_with]
    assert joint
    for gc in joint:
        for other in gc.joint_with:
            assert gc.notation in REG.general_comments[other].joint_with


@pytest.mark.parametrize(
    ("a", "b"), [("CMW/GC/3", "CRC/GC/22"), ("CMW/GC/4", "CRC/GC/23"), ("CEDAW/GC/31", "CRC/GC/18")]
)
def test_known_joint_pairs(a, b):
    assert REG.general_comments[a].joint_with == (b,)
    assert REG.general_comments[b].joint_with == (a,)


def test_sdg_counts_and_links():
    assert len(REG.sdg_goals) == 17
    assert len(REG.sdg_targets) == 169
    for target in REG.sdg_targets.values():
        assert target.goal in REG.sdg_goals
        assert target.labels["en"]
        assert target.uri == f"http://metadata.un.org/sdg/{target.notation}"
    for goal in REG.sdg_goals.values():
        assert goal.labels["en"] and goal.short_labels["en"]


@pytest.mark.parametrize("notation", ["4.1", "4.a", "8.7", "10.7", "17.19"])
def test_sdg_targets_present(notation):
    assert set(REG.sdg_targets[notation].labels) <= set(LANGUAGES)


def test_ilo_codes_match_kind_and_number():
    assert len(REG.ilo) == 198
    for code, instrument in REG.ilo.items():
        prefix = {"convention": "C", "protocol": "P"}[instrument.kind]
        assert code == f"{prefix}{instrument.number:03d}"
        assert instrument.titles["en"]
        assert instrument.normlex.endswith(f"P12100_ILO_CODE:{code}")


@pytest.mark.parametrize("code", ["C097", "C143", "C189", "P029"])
def test_ilo_instruments_present(code):
    assert code in REG.ilo


def test_ilo_convention_helper():
    assert REG.ilo_convention(97).code == "C097"
    assert REG.ilo_convention(999) is None


@pytest.mark.parametrize(
    ("alpha3", "en", "zh"),
    [
        ("AZE", "Azerbaijan", "阿塞拜疆"),
        ("GBR", "United Kingdom", "英国"),
        ("URY", "Uruguay", "乌拉圭"),
        ("CHN", "China", "中国"),
    ],
)
def test_state_names(alpha3, en, zh):
    state = REG.states[alpha3]
    assert (state.names["en"], state.names["zh"]) == (en, zh)
    assert set(state.names) == set(LANGUAGES)


def test_state_aliases_point_at_known_states_and_have_sources():
    for row in rows("states_aliases.csv"):
        assert row["alpha3"] in REG.states, row
        assert row["language"] in LANGUAGES, row
        assert row["alias"] and row["source"], row


@pytest.mark.parametrize(
    ("lang", "name", "alpha3"),
    [
        ("en", "United Kingdom of Great Britain and Northern Ireland", "GBR"),
        ("en", "Russian Federation", "RUS"),
        ("zh", "俄罗斯联邦", "RUS"),
        ("zh", "阿塞拜疆", "AZE"),
        ("fr", "État plurinational de Bolivie", "BOL"),
    ],
)
def test_state_names_for_matching(lang, name, alpha3):
    names = REG.state_names(lang)
    assert (name, alpha3) in names
    lengths = [len(n) for n, _ in names]
    assert lengths == sorted(lengths, reverse=True)


@pytest.mark.parametrize(
    ("symbol", "committee"),
    [
        ("CMW/C/AZE/CO/3", "CMW"),
        ("E/C.12/BIH/CO/1", "CESCR"),
        ("CRC/C/OPAC/IND/CO/1", "CRC"),
        ("CRC/C/15/Add.183", "CRC"),
        ("CAT/OP/BEN/1/Add.1", "SPT"),
        ("CAT/C/GAB/CO/1", "CAT"),
        ("CED/C/MNG/CO/1", "CED"),
        ("CEDAW/C/BLR/CO/7", "CEDAW"),
        ("CERD/C/AZE/CO/6", "CERD"),
        ("CCPR/CO/79/RUS", "CCPR"),
        ("C RPD/C/HRV/CO/1", "CRPD"),
        ("\u0421AT/C/UZB/CO/3", "CAT"),  # Cyrillic С, as printed in O11
        ("A/HRC/14/15", None),
        ("E/2018/22", None),
    ],
)
def test_committee_by_prefix(symbol, committee):
    found = REG.committee_by_prefix(symbol)
    assert (found.id if found else None) == committee
