"""Spanish table tests per reference kind: (owner, text, expected (kind, target) pairs).

Sentences marked "opening N" are quoted from ../shared/corpus/openings/N.es.txt; the others
follow the UN's Spanish editorial style for the same references."""
from __future__ import annotations

import pytest

from rightsgraph.extract.language import phrases
from rightsgraph.extract.references import Context, find_references, find_symbol_mentions, is_ibid
from rightsgraph.extract.resolve import prior_relation

CMW = ("CMW", "ICRMW")
CRC = ("CRC", "CRC")
OPSC = ("CRC", "OP-CRC-SC")
CED = ("CED", "ICPPED")
CERD = ("CERD", "ICERD")
CRPD = ("CRPD", "CRPD")
CEDAW = ("CEDAW", "CEDAW")

CASES = [
    # --- articles: lists, ranges, pinpoints, other treaties, domestic law
    (CMW, "(arts. 7 y 8)", [("article", "ICRMW/7"), ("article", "ICRMW/8")]),
    (CMW, "las declaraciones previstas en los artículos 76 y 77 de la Convención", [("article", "ICRMW/76"), ("article", "ICRMW/77")]),
    (CMW, "(arts. 8 a 35)", [("article", f"ICRMW/{n}") for n in range(8, 36)]),
    (CMW, "los motivos enumerados en el artículo 1, párrafo 1, y el artículo 7 de la Convención", [("article", "ICRMW/1(1)"), ("article", "ICRMW/7")]),
    (CMW, "las restricciones permitidas en virtud del párrafo 1 del artículo 8 de la Convención", [("article", "ICRMW/8(1)")]),
    (CERD, "de conformidad con el artículo 4 a) y b)", [("article", "ICERD/4(a)"), ("article", "ICERD/4(b)")]),
    (CERD, "en virtud del art. 5 d) v)", [("article", "ICERD/5(d)(v)")]),
    # opening 39
    (CED, "en virtud del artículo 29, párrafo 1, de la Convención", [("article", "ICPPED/29(1)")]),
    # opening 20 (heading)
    (CRPD, "Principios y obligaciones generales (arts. 1 a 4)", [("article", f"CRPD/{n}") for n in range(1, 5)]),
    # opening 17 (capitals as printed)
    (CRC, "EN VIRTUD DEL ARTÍCULO 44 DE LA CONVENCIÓN", [("article", "CRC/44")]),
    (OPSC, "el artículo 12 del Protocolo Facultativo de la Convención sobre los Derechos del Niño relativo a la venta de niños", [("article", "OP-CRC-SC/12")]),
    (CMW, "el artículo 14 del Pacto Internacional de Derechos Civiles y Políticos", [("article", "ICCPR/14")]),
    (CMW, "el artículo 17 del Código de Migración permite imponer prohibiciones de salida", [("domestic_article", "17")]),
    (CMW, "el artículo 94 de la Convención", []),  # ICRMW has 93 articles
    # --- ILO
    (CMW, "el Convenio sobre las Trabajadoras y los Trabajadores Domésticos, 2011 (núm. 189) de la OIT", [("ilo", "C189")]),
    (CMW, "los Convenios de la OIT núms. 97 y 143", [("ilo", "C097"), ("ilo", "C143")]),
    (CMW, "el Protocolo de 2014 relativo al Convenio sobre el Trabajo Forzoso, 1930", [("ilo", "P029")]),
    # opening 20: laws and decrees numbered "núm." are not ILO conventions
    (CRPD, "La Ordenanza núm. 18/PR/2010 de 25 de febrero de 2010", []),
    # --- SDG targets
    (CMW, "en consonancia con la meta 10.7 de los Objetivos de Desarrollo Sostenible", [("sdg", "10.7")]),
    (CMW, "teniendo en cuenta las metas 8.7 y 16.2 de los Objetivos de Desarrollo Sostenible", [("sdg", "8.7"), ("sdg", "16.2")]),
    (CMW, "la meta 16.99", []),
    # --- general comments and recommendations
    (CMW, "a la luz de su observación general núm. 5 (2021), relativa a los derechos de los migrantes a la libertad", [("general_comment", "CMW/GC/5")]),
    (CERD, "su recomendación general núm. 32 (2009), relativa al significado y alcance de las medidas especiales", [("general_comment", "CERD/GC/32")]),
    (CERD, "las recomendaciones generales núms. 30 y 31", [("general_comment", "CERD/GC/30"), ("general_comment", "CERD/GC/31")]),
    (CMW, "las observaciones generales conjuntas núm. 3 y núm. 4 (2017) del Comité de Protección de los Derechos de Todos los Trabajadores Migratorios y de Sus Familiares y núm. 22 y núm. 23 (2017) del Comité de los Derechos del Niño",
     [("general_comment", "CMW/GC/3"), ("general_comment", "CMW/GC/4"), ("general_comment", "CRC/GC/22"), ("general_comment", "CRC/GC/23")]),
    # --- UN symbols, pinpoints, summary records, resolutions
    # opening 17
    (CRC, "(véanse los documentos CRC/C/SR.595 y 596)", [("document", "CRC/C/SR.595"), ("document", "CRC/C/SR.596")]),
    # opening 30
    (CEDAW, "(véanse CEDAW/SR.751 y 752)", [("document", "CEDAW/SR.751"), ("document", "CEDAW/SR.752")]),
    # opening 19
    (CRPD, "las respuestas escritas (CRPD/C/TKM/Q/1/Add.1 y Corr.1)", [("document", "CRPD/C/TKM/Q/1/Add.1")]),
    # opening 18: a placeholder is not a symbol
    (CRPD, "en sus sesiones 56ª y 57ª (véanse CRPD/C/SR.XX-XX)", []),
    (CMW, "A/HRC/39/14, párr. 141.97", [("document", "A/HRC/39/14#141.97")]),
    (CERD, "(CERD/C/URY/CO/16-20, párrs. 12 y 14)", [("document", "CERD/C/URY/CO/16-20#12"), ("document", "CERD/C/URY/CO/16-20#14")]),
    (CMW, "que la Asamblea General hizo suyo en su resolución 73/195", [("document", "A/RES/73/195")]),
    (CERD, "la resolución 68/268 de la Asamblea General, párr. 16", [("document", "A/RES/68/268#16")]),
]


@pytest.mark.parametrize(("owner", "text", "expected"), CASES, ids=[c[1][:40] for c in CASES])
def test_find_references_es(owner, text, expected):
    ctx = Context(phrases("es"), *owner)
    found = find_references(text, ctx, container="paragraph")
    assert sorted((r.kind, r.target) for r in found if r.kind != "treaty") == sorted(expected)
    for ref in found:
        assert text[ref.start:ref.end] == ref.text


@pytest.mark.parametrize("note", ["Ibid., párrs. 25 y 43.", "Ibíd., párrs. 25 y 43."])
def test_ibid_takes_its_pinpoints(note):
    es = phrases("es")
    match = is_ibid(note, es)
    assert match is not None
    probe = "CMW/C/ECU/CO/2" + note[match.end():]
    assert find_symbol_mentions(probe, es)[0].pinpoints == ["25", "43"]


@pytest.mark.parametrize(("text", "relation"), [
    ("El Comité reitera su recomendación anterior y recomienda al Estado parte que:", "reiterates"),
    ("El Comité recuerda su recomendación anterior y recomienda al Estado parte que refuerce", "recalls"),
    ("El Comité observa con preocupación que sus recomendaciones anteriores no se han aplicado.", "notes_non_implementation"),
    ("Véanse las observaciones finales anteriores.", "cites"),
])
def test_prior_relation_es(text, relation):
    assert prior_relation(text, None, phrases("es")) == relation
