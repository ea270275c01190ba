"""French table tests per reference kind: (owner, text, expected (kind, target) pairs).

Sentences marked "opening N" are quoted from ../shared/corpus/openings/N.fr.txt; the others
follow the UN's French editorial style for the same references."""
from __future__ import annotations

import pytest

from rightsgraph.extract.language import phrases
from rightsgraph.extract.references import Context, find_references, find_symbol_mentions, is_ibid
from rightsgraph.extract.resolve import prior_relation

CMW = ("CMW", "ICRMW")
CRC = ("CRC", "CRC")
OPAC = ("CRC", "OP-CRC-AC")
CED = ("CED", "ICPPED")
CERD = ("CERD", "ICERD")

CASES = [
    # --- articles: lists, ranges, pinpoints, other treaties, domestic law
    (CMW, "(arts. 1 et 2)", [("article", "ICRMW/1"), ("article", "ICRMW/2")]),
    (CMW, "articles 1er à 3", [("article", "ICRMW/1"), ("article", "ICRMW/2"), ("article", "ICRMW/3")]),
    (CMW, "les déclarations prévues aux articles 76 et 77 de la Convention", [("article", "ICRMW/76"), ("article", "ICRMW/77")]),
    (CMW, "(art. 8 à 35)", [("article", f"ICRMW/{n}") for n in range(8, 36)]),
    (CMW, "énumérés au paragraphe 1 de l’article 1 et à l’article 7 de la Convention", [("article", "ICRMW/1(1)"), ("article", "ICRMW/7")]),
    (CERD, "conformément à l’article 4 a) et b)", [("article", "ICERD/4(a)"), ("article", "ICERD/4(b)")]),
    (CERD, "au titre de l’alinéa d) v) de l’article 5 de la Convention", [("article", "ICERD/5(d)(v)")]),
    # opening 36
    (CED, "en application du paragraphe 1 de l’article 29 de la Convention (CED/C/BOL/1)", [("article", "ICPPED/29(1)"), ("document", "CED/C/BOL/1")]),
    # opening 37
    (CED, "en application de l’article 29 (par. 1) de la Convention", [("article", "ICPPED/29(1)")]),
    # opening 38
    (CED, "en application du paragraphe 4 de l’article 29 de la Convention", [("article", "ICPPED/29(4)")]),
    # opening 4 (capitals as printed)
    (CRC, "EN APPLICATION DE L’ARTICLE 44 DE LA CONVENTION", [("article", "CRC/44")]),
    # opening 3: the protocol's article in a protocol's document
    (OPAC, "en application du paragraphe 1 de l’article 8 du Protocole facultatif à la Convention relative aux droits de l’enfant, concernant l’implication d’enfants dans les conflits armés", [("article", "OP-CRC-AC/8(1)")]),
    (CMW, "l’article 14 du Pacte international relatif aux droits civils et politiques", [("article", "ICCPR/14")]),
    (CMW, "l’article 17 du Code des migrations autorise les interdictions de sortie", [("domestic_article", "17")]),
    (CMW, "l’article 94 de la Convention", []),  # ICRMW has 93 articles
    # --- ILO
    # opening 5
    (CRC, "notamment la Convention 182 de l'OIT concernant l'interdiction des pires formes de travail des enfants", [("ilo", "C182")]),
    (CMW, "la Convention de 2011 sur les travailleuses et travailleurs domestiques (no 189) de l’Organisation internationale du Travail", [("ilo", "C189")]),
    (CMW, "les conventions de l’OIT nos 97 et 143", [("ilo", "C097"), ("ilo", "C143")]),
    (CMW, "le Protocole de 2014 relatif à la convention sur le travail forcé, 1930", [("ilo", "P029")]),
    (CMW, "la loi no 11 de 1997 sur l’éducation", []),  # opening 6: a law, not an ILO convention
    # --- SDG targets
    (CMW, "conformément à la cible 10.7 des objectifs de développement durable", [("sdg", "10.7")]),
    (CMW, "compte tenu des cibles 8.7 et 16.2 des objectifs de développement durable", [("sdg", "8.7"), ("sdg", "16.2")]),
    (CMW, "la cible 16.99", []),
    # --- general comments and recommendations
    (CMW, "à la lumière de son observation générale no 5 (2021) sur les droits des migrants à la liberté", [("general_comment", "CMW/GC/5")]),
    (CERD, "sa recommandation générale no 32 (2009) sur la signification et la portée des mesures spéciales", [("general_comment", "CERD/GC/32")]),
    (CERD, "la recommandation générale XVIII", [("general_comment", "CERD/GC/18")]),
    (CMW, "les observations générales conjointes no 3 et no 4 (2017) du Comité pour la protection des droits de tous les travailleurs migrants et des membres de leur famille et no 22 et no 23 (2017) du Comité des droits de l’enfant",
     [("general_comment", "CMW/GC/3"), ("general_comment", "CMW/GC/4"), ("general_comment", "CRC/GC/22"), ("general_comment", "CRC/GC/23")]),
    # --- UN symbols, pinpoints, summary records, resolutions
    # opening 3
    (OPAC, "à ses 1 885e et 1 886e séances (voir CRC/C/SR.1885 et 1886)", [("document", "CRC/C/SR.1885"), ("document", "CRC/C/SR.1886")]),
    # opening 7 (non-breaking hyphen)
    (CRC, "(voir CRC/C/SR.665‑666)", [("document", "CRC/C/SR.665"), ("document", "CRC/C/SR.666")]),
    # opening 9
    (CRC, "(CRC/C/SR.493 à 495)", [("document", f"CRC/C/SR.{n}") for n in (493, 494, 495)]),
    # opening 8
    (OPAC, "(CRC/C/IRQ/CO/2-4)", [("document", "CRC/C/IRQ/CO/2-4")]),
    (CMW, "A/HRC/39/14, par. 141.97", [("document", "A/HRC/39/14#141.97")]),
    (CMW, "CMW/C/ECU/CO/2, par. 11 et 17", [("document", "CMW/C/ECU/CO/2#11"), ("document", "CMW/C/ECU/CO/2#17")]),
    (CMW, "approuvé par l’Assemblée générale dans sa résolution 73/195", [("document", "A/RES/73/195")]),
    (CERD, "la résolution 68/268 de l’Assemblée générale, par. 16", [("document", "A/RES/68/268#16")]),
]


@pytest.mark.parametrize(("owner", "text", "expected"), CASES, ids=[c[1][:40] for c in CASES])
def test_find_references_fr(owner, text, expected):
    ctx = Context(phrases("fr"), *owner)
    found = find_references(text, ctx, container="paragraph")
    assert sorted((r.kind, r.target) for r in found if r.kind != "treaty") == sorted(expected)
    for ref in found:
        assert text[ref.start:ref.end] == ref.text


def test_ibid_takes_its_pinpoints():
    fr = phrases("fr")
    note = "Ibid., par. 25 et 43."
    match = is_ibid(note, fr)
    assert match is not None
    probe = "CMW/C/ECU/CO/2" + note[match.end():]
    assert find_symbol_mentions(probe, fr)[0].pinpoints == ["25", "43"]
    assert is_ibid("Voir CMW/C/ECU/CO/2.", fr) is None


@pytest.mark.parametrize(("text", "relation"), [
    ("Le Comité réitère sa recommandation précédente et recommande à l’État partie :", "reiterates"),
    ("Le Comité rappelle sa recommandation précédente et recommande à l’État partie de renforcer", "recalls"),
    ("Le Comité note avec préoccupation que ses recommandations précédentes n’ont pas été mises en œuvre.", "notes_non_implementation"),
    ("Voir les observations finales précédentes.", "cites"),
])
def test_prior_relation_fr(text, relation):
    assert prior_relation(text, None, phrases("fr")) == relation
