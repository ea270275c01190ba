"""Stage 2b: document metadata from the header, the first paragraph and the closing ones.

Everything is read from the text; what the text does not say stays empty.  The only
derived value is a symbol that the header does not print, built from the committee, the
State and the report numbers as the UN builds it (CMW/C/AZE/CO/3), and flagged so.
"""
from __future__ import annotations

import re
from functools import cache

from rightsgraph.core import registries
from rightsgraph.core.identifiers import parse_symbol
from rightsgraph.extract.language import Phrases
from rightsgraph.extract.model import Document, Paragraph
from rightsgraph.extract.numbers import find_dates, language_names, month_pattern, parse_int
from rightsgraph.extract.references import find_symbol_mentions

# A stop before a digit ends an abbreviation ("para. 1", "par. 1"), not a sentence.
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[^\d\s])|(?<=[。！？])")
CLAUSE = re.compile(r"[,，،]")
PROTOCOL_SEGMENTS = {"OPAC": "OP-CRC-AC", "OPSC": "OP-CRC-SC"}
# A word in capitals run into the next, capitalised one: "ENFANTVingt".
RUN_TOGETHER_CAPITALS = re.compile(r"(?<=[A-ZÀ-ÝÇ]{3})(?=[A-ZÀ-Ý][a-zà-ÿ])")
# "CEDAW/C/BEL/Q/6", "CRC/C/OPAC/IRQ/Q/1/Add.1", "CMW/C/ECU/QPR/3": the cycle of a list of issues.
LIST_OF_ISSUES = re.compile(r"^(?P<prefix>[A-Z]+/C|E/C\.12)/(?:(?P<protocol>OP[A-Z]+)/)?"
                            r"(?P<state>[A-Z]{3})/(?:Q|QPR|LOI)/(?P<cycle>\d+(?:-\d+)?)(?:/|$)")


def read_metadata(doc: Document, phrases: Phrases) -> None:
    """Fill the metadata fields of ``doc`` (structure already built), in place."""
    reg = registries.load()
    doc.header = repair_header(doc.header, phrases.code)
    header = _header_text(doc, phrases)
    notes = " ".join(f.text for f in doc.footnotes.values() if f.paragraph is None)
    first = doc.paragraphs[0] if doc.paragraphs else None
    first_text = _with_footnotes(first, doc) if first else ""

    printed = [s.symbol for s in find_symbol_mentions(doc.header, phrases)
               if "/SR." not in s.symbol]
    doc.symbol = printed[0] if printed else None
    committee = reg.committee_by_prefix(doc.symbol) if doc.symbol else None
    if committee is None:
        committee = _committee_by_name(header, phrases) or _committee_by_name(first_text, phrases)
    if committee is None:
        records = [s.symbol for s in find_symbol_mentions(first_text, phrases)]
        committee = next((reg.committee_by_prefix(s) for s in records
                          if reg.committee_by_prefix(s)), None)
    doc.committee = committee.id if committee else None
    doc.treaty = committee.treaty if committee else None
    _check_treaty_named(doc, header, phrases)
    doc.treaty = _protocol_treaty(doc.symbol) or doc.treaty

    title = phrases.regex("metadata", "title")
    match = title.search(header) if title else None
    state_text = match.group("state") if match else header
    doc.state = _state(state_text, phrases) or _state(header, phrases) or \
        _state(first.text if first else "", phrases)
    if doc.state is None and doc.symbol:
        doc.state = parse_symbol(doc.symbol)["state"]
    if match:
        doc.report_numbers = report_numbers(match.group("report"), phrases)
    if not doc.report_numbers and first:
        doc.report_numbers = report_numbers(first.text, phrases)

    _session(doc, header + " " + notes, phrases)
    _original_and_distribution(doc, doc.header, phrases)
    if first:
        _first_paragraph(doc, first, first_text, phrases)
    _list_of_issues(doc, phrases)
    _document_type(doc, header, phrases)
    if doc.document_type != "concluding observations" and not match:
        doc.state = None  # a State named in a report or compilation is not its State party
    if doc.symbol is None and doc.document_type == "concluding observations":
        _derive_symbol(doc)
    _follow_up(doc, phrases)
    _next_report(doc, phrases)


# --- header -----------------------------------------------------------------------------


def _header_text(doc: Document, phrases: Phrases) -> str:
    """The header as one string; Chinese lines broken inside a name are joined without space."""
    text = doc.header
    joiner = "" if phrases.code == "zh" else " "
    return joiner.join(line.strip() for line in text.split("\n"))


def repair_header(text: str, lang: str) -> str:
    """Put back the line breaks that HTML conversion lost between header fields:
    "CRC/C/15/Add.18313 juin 2002" -> "CRC/C/15/Add.183\n13 juin 2002" (the day is the
    longest valid day that leaves a symbol), "FRANÇAISOriginal" -> "FRANÇAIS\nOriginal",
    "L'ENFANTVingt-cinquième session" -> "L'ENFANT\nVingt-cinquième session".
    """
    text = RUN_TOGETHER_CAPITALS.sub("\n", text)
    months = "|".join(dict.fromkeys([month_pattern(lang), month_pattern("en")]))
    run_together = re.compile(
        rf"(?P<symbol>\b[A-Z]+/\S*?\d)(?P<day>[12]\d|3[01]|0?[1-9])(?=\s+(?:{months})\s+\d{{4}})",
        re.IGNORECASE)
    return run_together.sub(lambda m: f"{m['symbol']}\n{m['day']}", text)


def _with_footnotes(paragraph: Paragraph, doc: Document) -> str:
    return " ".join([paragraph.text] + [doc.footnotes[f].text for f in paragraph.footnotes])


def _committee_by_name(text: str, phrases: Phrases) -> registries.Committee | None:
    """The committee named in a text; spaces are ignored, as UN copies put stray ones
    inside words ("ال ل جن ة المعنية ب حقوق الإنسان")."""
    squashed = re.sub(r"\s+", "", text).lower()
    for name, cid in phrases.committees:
        if re.sub(r"\s+", "", name).lower() in squashed:
            return registries.load().committees[cid]
    return None


def _check_treaty_named(doc: Document, header: str, phrases: Phrases) -> None:
    """Warn when the header names a Convention that the committee does not monitor (a
    source error: the symbol and the committee are trusted)."""
    if doc.treaty is None:
        return
    squashed = re.sub(r"\s+", "", header).lower()
    for treaty in registries.load().treaties.values():
        name = treaty.names.get(phrases.code)
        if not name or treaty.id == doc.treaty or treaty.parent == doc.treaty:
            continue
        if re.sub(r"\s+", "", name).lower() in squashed and not any(
                re.sub(r"\s+", "", other).lower() in squashed
                for t in registries.load().treaties.values()
                if t.id == doc.treaty or t.parent == doc.treaty
                for other in t.names.values()):
            doc.warnings.append(
                f"{doc.source}: the header names the {treaty.id} ('{name}') but the document "
                f"is {doc.committee}'s, which monitors {doc.treaty}; the symbol and committee "
                "are kept")
            return


def _state(text: str, phrases: Phrases) -> str | None:
    if not text:
        return None
    langs = [phrases.code] + (["en"] if phrases.code != "en" else [])
    for lang in langs:
        if phrases.code == "zh" or lang == "zh":
            for name, alpha3 in registries.load().state_names(lang):
                if len(name) >= 2 and name in text:
                    return alpha3
            continue
        for pattern, alpha3 in _state_patterns(phrases, lang):
            if pattern.search(text):
                return alpha3
    return None


@cache
def _state_patterns(phrases: Phrases, lang: str) -> list[tuple[re.Pattern[str], str]]:
    """State names of ``lang``, longest first, as the document's language inflects them
    ("Словакия" -> "Словакии", "البوسنة والهرسك" -> "للبوسنة والهرسك")."""
    out = []
    for name, alpha3 in registries.load().state_names(lang):
        if len(name) < 2:
            continue
        body = phrases.name_pattern(name) if lang == phrases.code else re.escape(name)
        out.append((re.compile(rf"(?<!\w){body}(?!\w)"), alpha3))
    return out


def report_numbers(text: str, phrases: Phrases) -> list[int]:
    """"third periodic report" -> [3]; "combined twenty-first to twenty-third" -> [21, 22, 23];
    "informes periódicos inicial, segundo y tercero" -> [1, 2, 3].

    ``[metadata] report_number`` is one pattern or a list of them (languages that write the
    ordinals before or after the word for report); each has groups ``a`` and ``b``.
    """
    initial = phrases.raw("metadata", "initial")
    for pattern in _report_patterns(phrases):
        for match in pattern.finditer(text):
            a = _ordinal(match.group("a"), phrases)
            if a is None and initial and re.search(initial, match.group("a"), re.I):
                a = 1
            if a is None:
                continue
            b_text = match.groupdict().get("b")
            b = _ordinal(b_text, phrases) if b_text else None
            if b is None or b <= a:
                return [a]
            between = text[match.end("a"):match.start("b")]
            if re.search(phrases.raw("metadata", "combined_range"), between, re.I):
                return list(range(a, b + 1))
            listed = [n for w in re.split(r"[\s,]+", between)
                      if w and (n := phrases.ordinal(w)) is not None and a < n < b]
            return [a, *listed, b]
    if initial and re.search(initial, text, re.I):
        return [1]
    return []


def _report_patterns(phrases: Phrases) -> list[re.Pattern[str]]:
    if isinstance(phrases.raw("metadata", "report_number"), list):
        return phrases.regexes("metadata", "report_number")
    pattern = phrases.regex("metadata", "report_number")
    return [pattern] if pattern else []


def _ordinal(words: str, phrases: Phrases) -> int | None:
    """An ordinal of one or more words; when the words are not one ordinal, the last word
    that is one ("воедино одиннадцатому" -> 11: a pattern may take a word beside it)."""
    value = phrases.ordinal(words)
    for word in reversed(words.split() if value is None else []):
        value = phrases.ordinal(word)
        if value is not None:
            break
    return value


def _session(doc: Document, text: str, phrases: Phrases) -> None:
    pattern = phrases.regex("metadata", "session")
    match = pattern.search(text) if pattern else None
    if not match:
        return
    doc.session = _ordinal(match.group("n"), phrases)
    dates = [d for d, start, _ in find_dates(text, phrases.code) if start >= match.end() - 5]
    if dates:
        doc.session_dates = dates[0]


def _original_and_distribution(doc: Document, header: str, phrases: Phrases) -> None:
    original = phrases.regex("metadata", "original")
    match = original.search(header) if original else None
    if match:
        doc.original_language = language_names().get(match.group("lang").strip().lower())
    distributed = phrases.regex("metadata", "distributed")
    if distributed and distributed.search(header):
        # The date printed under "Distr." comes before the "Original:" line, when there is one.
        begin = distributed.search(header).end()
        end = original.search(header, begin) if original else None
        after = header[begin:end.start() if end else None]
        for symbol in find_symbol_mentions(after, phrases):  # "E/C.12/BIH/CO/124 January 2006"
            after = after[:symbol.start] + " " * (symbol.end - symbol.start) + after[symbol.end:]
        found = [(at, dates[0]) for lang in dict.fromkeys([phrases.code, "en"])
                 for dates, at, _ in find_dates(after, lang)[:1] if dates]
        if found:  # the first date after "Distr.", in the document's language or English
            doc.distributed_on = min(found)[1]


# --- first paragraph --------------------------------------------------------------------------


def _first_paragraph(doc: Document, first: Paragraph, text: str, phrases: Phrases) -> None:
    considered_re = phrases.regex("metadata", "considered")
    adopted_re = phrases.regex("metadata", "adopted")
    meetings = phrases.regex("metadata", "meetings")
    considered, adopted = "", ""
    for sentence in _sentences(first.text, phrases):
        c = considered_re.search(sentence) if considered_re else None
        a = adopted_re.search(sentence) if adopted_re else None
        if c and a and a.start() > c.end():
            clauses = list(CLAUSE.finditer(sentence, c.end(), a.start()))
            cut = clauses[-1].start() if clauses else a.start()
            held = list(meetings.finditer(sentence, c.end(), a.start())) if meetings else []
            if len(held) > 1:  # "… at its 178th and 179th meetings, …, and at its 193rd
                # meeting, held on …, adopted": the adoption starts with the last meetings
                before = [m for m in clauses if m.start() < held[-1].start()]
                cut = before[-1].start() if before else cut
            considered += sentence[:cut]
            adopted += sentence[cut:]
        elif c:
            considered += sentence
        elif a:
            adopted += sentence
    for part, target in ((considered, "considered"), (adopted, "adopted")):
        numbers: list[int] = []
        for m in meetings.finditer(part) if meetings else ():
            numbers.extend(_number_list(m.group("list"), phrases))
        dates = [d for found, _, _ in find_dates(part, phrases.code) for d in found]
        if target == "considered":
            doc.considered_at_meetings, doc.considered_on = numbers, dates
        else:
            doc.adopted_at_meeting = numbers[0] if numbers else None
            doc.adopted_on = dates[0] if dates else None
    symbols = [s.symbol for s in find_symbol_mentions(text, phrases)]
    doc.summary_records = list(dict.fromkeys(s for s in symbols if "/SR." in s))
    for symbol in symbols:
        if "/SR." in symbol or parse_symbol(symbol)["state"] or _is_list_of_issues(symbol):
            continue
        doc.state_party_report = symbol
        break


def _sentences(text: str, phrases: Phrases) -> list[str]:
    """Sentences of a text; a stop after an abbreviation of the language ("см.") does not
    end one."""
    abbreviations = phrases.raw("metadata", "abbreviations", [])
    ends = re.compile(rf"(?:{'|'.join(abbreviations)})$", re.I) if abbreviations else None
    out: list[str] = []
    for piece in SENTENCE.split(text):
        if out and ends and ends.search(out[-1]):
            out[-1] += " " + piece
        else:
            out.append(piece)
    return out


def _number_list(text: str, phrases: Phrases) -> list[int]:
    """"464th and 465th" -> [464, 465]; "493ème à 495ème" -> [493, 494, 495];
    "1 885e et 1 886e" -> [1885, 1886] (digits grouped by spaces).  A range word or dash
    counts only before a number ("2598-м" is an ordinal ending)."""
    text = re.sub(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?!\d))", "", text)
    ranges = "|".join(filter(None, ["至", phrases.raw("metadata", "combined_range"),
                                    phrases.raw("articles", "range")]))
    numbers: list[int] = []
    parts = re.findall(rf"\d+|(?:{ranges})(?=\s*\d)", text, re.IGNORECASE)
    for i, part in enumerate(parts):
        value = parse_int(part)
        if value is not None:
            if i >= 1 and parse_int(parts[i - 1]) is None and numbers:
                numbers.extend(range(numbers[-1] + 1, value))
            numbers.append(value)
    return list(dict.fromkeys(numbers))


def _is_list_of_issues(symbol: str) -> bool:
    return bool(re.search(r"/(?:Q|QPR|LOI)/", symbol))


def _list_of_issues(doc: Document, phrases: Phrases) -> None:
    for paragraph in doc.paragraphs[:4]:
        for symbol in find_symbol_mentions(_with_footnotes(paragraph, doc), phrases):
            if _is_list_of_issues(symbol.symbol):
                doc.list_of_issues = symbol.symbol
                return


def _document_type(doc: Document, header: str, phrases: Phrases) -> None:
    text = header + " " + (doc.header)
    not_co = phrases.any_of("document", "not_concluding_observations")
    co = phrases.any_of("document", "concluding_observations")
    if doc.symbol and parse_symbol(doc.symbol)["state"] or co and co.search(text) and not (
            not_co and not_co.search(text)):
        doc.document_type = "concluding observations"
    elif not_co and not_co.search(text):
        doc.document_type = "other"
        doc.warnings.append(f"{doc.source}: not concluding observations "
                            f"('{not_co.search(text).group(0)}' in the header)")
    else:
        doc.warnings.append(f"{doc.source}: no concluding-observations title found in the header")


def _derive_symbol(doc: Document) -> None:
    """The symbol the header does not print, as the UN builds it: from the list of issues
    of the same cycle (CEDAW/C/BEL/Q/6 -> CEDAW/C/BEL/CO/6, CRC/C/OPAC/IRQ/Q/1 ->
    CRC/C/OPAC/IRQ/CO/1), else from the committee, the State and the report numbers."""
    committee = registries.load().committees.get(doc.committee or "")
    if committee is None or not doc.state:
        return
    issues = LIST_OF_ISSUES.match(doc.list_of_issues or "")
    if issues and issues["prefix"] == committee.symbol_prefix and issues["state"] == doc.state:
        protocol = f"{issues['protocol']}/" if issues["protocol"] else ""
        doc.symbol = f"{committee.symbol_prefix}/{protocol}{doc.state}/CO/{issues['cycle']}"
    elif doc.report_numbers:
        numbers = doc.report_numbers
        cycle = str(numbers[0]) if len(numbers) == 1 else f"{numbers[0]}-{numbers[-1]}"
        doc.symbol = f"{committee.symbol_prefix}/{doc.state}/CO/{cycle}"
    else:
        return
    doc.symbol_derived = True
    doc.treaty = _protocol_treaty(doc.symbol) or doc.treaty


def _protocol_treaty(symbol: str | None) -> str | None:
    """The optional protocol a symbol belongs to (CRC/C/OPAC/… -> OP-CRC-AC), if any."""
    for segment, treaty in PROTOCOL_SEGMENTS.items():
        if symbol and f"/{segment}/" in symbol:
            return treaty
    return None


# --- closing paragraphs -----------------------------------------------------------------------


def _follow_up(doc: Document, phrases: Phrases) -> None:
    trigger = phrases.regex("metadata", "follow_up")
    scope_re = phrases.regex("metadata", "follow_up_scope")
    number_re = phrases.regex("metadata", "follow_up_paragraph")
    if not (trigger and scope_re and number_re):
        return
    for paragraph in reversed(doc.paragraphs):
        match = trigger.search(paragraph.text)
        if not match:
            continue
        scope = scope_re.search(paragraph.text, match.start())
        if not scope:
            continue
        listed = re.sub(r"[(（][^()（）]{3,}[)）]", " ", scope.group("scope"))
        numbers = [int(m.group("n")) for m in number_re.finditer(listed)]
        numbers = [n for n in numbers if doc.paragraph(n) is not None and n != paragraph.number]
        if not numbers:
            continue
        doc.follow_up_paragraphs = list(dict.fromkeys(numbers))
        deadline = phrases.regex("metadata", "deadline")
        found = deadline.search(paragraph.text) if deadline else None
        if found:
            dates = find_dates(found.group(0), phrases.code)
            doc.follow_up_deadline = dates[0][0][0] if dates and dates[0][0] else None
        return


def _next_report(doc: Document, phrases: Phrases) -> None:
    pattern = phrases.regex("metadata", "next_report")
    if pattern is None:
        return
    for paragraph in reversed(doc.paragraphs):
        match = pattern.search(paragraph.text)
        if not match:
            continue
        doc.next_report_numbers = report_numbers(match.group("report"), phrases)
        dates = find_dates(paragraph.text, phrases.code)
        if dates and dates[0][0]:
            doc.next_report_due = dates[0][0][0]
        return
