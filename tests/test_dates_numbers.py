"""Dates and numbers as documents of every era print them, in each of the six languages:
partial dates (a month, a year) at the precision printed, periods instead of dates
("within one year"), dates run together by PDF text layers, Arabic-Indic digits, report
numbers written as a range of ordinal words, meeting numbers with a conjunction attached."""
from __future__ import annotations

import pytest
from conftest import FIXTURES
from rdflib.namespace import XSD

from rightsgraph.core.namespaces import HRO
from rightsgraph.extract.language import phrases
from rightsgraph.extract.metadata import _number_list, report_numbers
from rightsgraph.extract.numbers import Duration, find_dates, find_due_dates, find_durations
from rightsgraph.extract.pipeline import extract_file
from rightsgraph.extract.triples import to_graph
from rightsgraph.graph.validate import validate

DUE = [
    ("en", "to submit its next periodic report by 1 November 2026.", "2026-11-01", "day"),
    ("en", "to submit its fifth report by June 2027.", "2027-06", "month"),
    ("en", "in its next periodic report, due in 2026.", "2026", "year"),
    ("en", "to submit its next report by 2026.", "2026", "year"),
    ("fr", "de soumettre son prochain rapport d’ici à 2026.", "2026", "year"),
    ("fr", "de soumettre son rapport d’ici juin 2027.", "2027-06", "month"),
    ("fr", "de soumettre son rapport le 1er novembre 2026.", "2026-11-01", "day"),
    ("es", "que presente su próximo informe a más tardar en 2026.", "2026", "year"),
    ("es", "que presente su informe antes de junio de 2027.", "2027-06", "month"),
    ("ru", "представить свой следующий доклад к 2026 году.", "2026", "year"),
    ("ru", "представить доклад к 1 ноября 2026 года.", "2026-11-01", "day"),
    ("ru", "представить доклад к июню 2027 года.", "2027-06", "month"),  # the dative
    ("ar", "أن تقدم تقريرها المقبل بحلول عام 2026.", "2026", "year"),
    ("ar", "أن تقدم تقريرها بحلول حزيران/يونيه 2027.", "2027-06", "month"),
    ("ar", "أن تقدم تقريرها بحلول ١ تشرين الثاني/نوفمبر ٢٠٢٦.", "2026-11-01", "day"),
    ("zh", "在2026年前提交下一次定期报告。", "2026", "year"),
    ("zh", "在2027年6月提交报告。", "2027-06", "month"),
    ("zh", "于2026年11月1日前提交报告。", "2026-11-01", "day"),
]


@pytest.mark.parametrize(("lang", "text", "value", "precision"), DUE,
                         ids=[f"{d[0]}-{d[2]}" for d in DUE])
def test_a_due_date_at_the_precision_printed(lang, text, value, precision):
    found = find_due_dates(text, lang)
    assert [(d.value, d.precision) for d in found] == [(value, precision)]
    assert found[0].text in text  # the words read are kept


def test_a_year_in_a_span_is_no_deadline():
    assert find_due_dates("between 2019 and 2021, the State party", "en") == []


WITHIN = [
    ("en", "within one year", "P1Y"), ("en", "within 18 months", "P18M"),
    ("en", "within two years", "P2Y"), ("fr", "dans un délai d’un an", "P1Y"),
    ("fr", "dans un délai de deux ans", "P2Y"), ("es", "en el plazo de un año", "P1Y"),
    ("es", "dentro de 18 meses", "P18M"), ("ru", "в течение одного года", "P1Y"),
    ("ru", "в течение 12 месяцев", "P12M"), ("ar", "في غضون سنة واحدة", "P1Y"),
    ("ar", "في غضون 18 شهراً", "P18M"), ("zh", "一年内", "P1Y"), ("zh", "24个月内", "P24M"),
]


@pytest.mark.parametrize(("lang", "text", "value"), WITHIN, ids=[w[1] for w in WITHIN])
def test_a_period_instead_of_a_date(lang, text, value):
    assert [d.value for d in find_durations(f"… {text} …", lang)] == [value]


def test_the_deadline_a_period_gives_from_the_adoption():
    assert Duration("P1Y", "within one year", 0, 15).after("2021-10-08") == "2022-10-08"
    assert Duration("P18M", "", 0, 0).after("2021-10-08") == "2023-04-08"
    assert Duration("P1Y", "", 0, 0).after("2020-02-29") == "2021-02-28"


GLUED = [
    ("en", "held on 18July2012 and", ["2012-07-18"]),
    ("en", "on 4October 2021", ["2021-10-04"]),
    ("en", "by 1 November2026", ["2026-11-01"]),
    ("fr", "le 3 mars2020", ["2020-03-03"]),
    ("es", "el 27 de mayo de2003", ["2003-05-27"]),
    ("ar", "المعقودتين في ٢٥ آذار/مارس ٢٠٠٩", ["2009-03-25"]),  # Arabic-Indic digits
    ("ar", "في 11 و١٢ آب/أغسطس 2009", ["2009-08-11", "2009-08-12"]),
]


@pytest.mark.parametrize(("lang", "text", "dates"), GLUED, ids=[g[1] for g in GLUED])
def test_dates_as_text_layers_print_them(lang, text, dates):
    assert [d for found, _, _ in find_dates(text, lang) for d in found] == dates


def test_a_day_and_a_year_with_nothing_between_are_no_date():
    assert find_dates("paragraph 12 2021", "en") == []


RANGES = [
    ("en", "combined twenty-first to twenty-third periodic reports", [21, 22, 23]),
    ("fr", "valant vingt et unième à vingt-troisième rapports périodiques", [21, 22, 23]),
    ("fr", "deuxième et troisième rapports périodiques", [2, 3]),
    ("es", "informes periódicos vigésimo primero a vigésimo tercero", [21, 22, 23]),
    ("ru", "объединенных двадцать первого–двадцать третьего периодических докладов",
     [21, 22, 23]),
    ("ar", "التقارير الدورية من الحادي والعشرين إلى الثالث والعشرين", [21, 22, 23]),
    ("ar", "التقريرين الدوريين الثاني والثالث", [2, 3]),
    ("zh", "第二十一至二十三次合并定期报告", [21, 22, 23]),
]


@pytest.mark.parametrize(("lang", "text", "numbers"), RANGES, ids=[r[1] for r in RANGES])
def test_report_numbers_as_a_range_of_ordinal_words(lang, text, numbers):
    assert report_numbers(text, phrases(lang)) == numbers


@pytest.mark.parametrize("text", ["2612 و2613", "٢٦١٢ و٢٦١٣", "2612 و 2613"])
def test_arabic_and_attached_to_a_meeting_number(text):
    assert _number_list(text, phrases("ar")) == [2612, 2613]


# --- end to end: the closing paragraph of a document in each language ---------------------

CLOSING = {
    "en": ("The Committee requests the State party to submit its second periodic report by 2026.",
           "2026", "year"),
    "fr": ("Le Comité invite l’État partie à soumettre son deuxième rapport périodique d’ici "
           "juin 2027.", "2027-06", "month"),
    "es": ("El Comité solicita al Estado parte que presente su segundo informe periódico a más "
           "tardar en 2026.", "2026", "year"),
    "ru": ("Комитет просит государство-участник представить свой второй периодический доклад "
           "к 2026 году.", "2026", "year"),
    "ar": ("تطلب اللجنة إلى الدولة الطرف أن تقدم تقريرها الدوري الثاني بحلول عام 2026.",
           "2026", "year"),
    "zh": ("委员会请缔约国在2027年6月提交第二次定期报告。", "2027-06", "month"),
}


@pytest.mark.parametrize("lang", sorted(CLOSING))
def test_a_partial_due_date_in_the_model_and_the_graph(tmp_path, lang):
    """The JSON keeps the value at its precision and the words read; the graph types it
    (xsd:gYear, xsd:gYearMonth) and conforms to the shapes."""
    text, value, precision = CLOSING[lang]
    header = (FIXTURES / "eras" / f"old_header.{lang}.txt").read_text(encoding="utf-8")
    number = "3- " if lang == "ar" else "3. "
    path = tmp_path / f"due.{lang}.txt"
    path.write_text(header.format(symbol="CRC/C/15/Add.77", committee="")
                    + f"\n{number}{text}\n", encoding="utf-8")
    doc = extract_file(path)
    assert (doc.next_report_numbers, doc.next_report_due) == ([2], value)
    assert doc.dates_read["next_report_due"]["precision"] == precision
    assert doc.dates_read["next_report_due"]["text"] in text
    dataset = to_graph(doc)
    literal = next(dataset.objects(None, HRO.nextReportDue))
    assert literal.datatype == (XSD.gYear if precision == "year" else XSD.gYearMonth)
    assert validate(dataset).conforms
