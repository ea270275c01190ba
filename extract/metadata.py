"""Stage 2b: document metadata from the header, the first paragraph and the closing ones.

Everything is read from the text; what the text does not say stays empty.  The only
derived value is a symbol that the header does not print, built from the committee, the
State and the report numbers as the UN builds it (CMW/C/AZE/CO/3), and flagged so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rightsgraph.core import registries
from rightsgraph.core.identifiers import parse_symbol
from rightsgraph.extract.language import Phrases
from rightsgraph.extract.model import Document, Metadata, Paragraph
from rightsgraph.extract.numbers import (
    DateRead,
    Duration,
    find_dates,
    find_due_dates,
    find_durations,
    language_names,
    month_pattern,
    parse_int,
)
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


@dataclass(frozen=True)
class _Sources:
    """The texts metadata is read from, prepared once."""

    header: str  # repaired, one line per source block
    joined: str  # the header as one string (see :func:`_header_text`)
    notes: str  # footnotes that belong to no paragraph (the header's)
    first: Paragraph | None
    first_text: str  # the first paragraph with its footnotes


def read_metadata(doc: Document, phrases: Phrases) -> Metadata:
    """The metadata of ``doc`` (structure already built), read from its header, first
    paragraph and closing paragraphs.  Reads ``doc``, never writes it."""
    src = _sources(doc, phrases)
    printed = _printed_symbol(src.header, phrases)
    committee = _committee(printed, src, phrases)
    warnings = _treaty_named_warnings(doc.source, committee, src.joined, phrases)
    title = phrases.regex("metadata", "title")
    match = title.search(src.joined) if title else None
    document_type, type_warnings = _document_type(doc.source, printed, src, phrases)
    state = _state_party(printed, match, src, phrases)
    if document_type != "concluding observations" and not match:
        state = None  # a State named in a report or compilation is not its State party
    numbers = _report_numbers_read(match, src.first, phrases)
    issues = _list_of_issues(doc, phrases)
    symbol = printed
    if symbol is None and document_type == "concluding observations":
        symbol = _derive_symbol(committee, state, issues, numbers)
    session, session_dates = _session(src.joined + " " + src.notes, phrases)
    considered, considered_on, adopted, adopted_on = _meetings(src.first, phrases)
    records, report = _cited_in_opening(src.first_text, phrases)
    records = _consideration_records(records, considered, adopted)
    follow_up, deadline, within = _follow_up(doc, phrases)
    next_numbers, next_due = _next_report(doc, phrases)
    dates_read = {name: {"text": read.text, "precision": read.precision}
                  for name, read in (("follow_up_deadline", deadline),
                                     ("next_report_due", next_due)) if read}
    if within:
        dates_read["follow_up_within"] = {"text": within.text}
    return Metadata(
        header=src.header, symbol=symbol, symbol_derived=symbol != printed,
        other_symbols=_other_symbols(src.header, printed, phrases),
        document_type=document_type, committee=committee.id if committee else None,
        treaty=_protocol_treaty(symbol) or (committee.treaty if committee else None),
        state=state, original_language=_original_language(src.header, phrases),
        report_numbers=tuple(numbers), session=session, session_dates=session_dates,
        distributed_on=_distributed_on(src.header, phrases),
        considered_at_meetings=considered, considered_on=considered_on,
        adopted_at_meeting=adopted, adopted_on=adopted_on, state_party_report=report,
        list_of_issues=issues, summary_records=records, follow_up_paragraphs=follow_up,
        follow_up_deadline=deadline.value if deadline else None,
        follow_up_within=within.value if within else None,
        follow_up_deadline_derived=within.after(adopted_on) if within and adopted_on else None,
        next_report_numbers=next_numbers, next_report_due=next_due.value if next_due else None,
        dates_read=dates_read, warnings=warnings + type_warnings)


def _sources(doc: Document, phrases: Phrases) -> _Sources:
    header = repair_header(doc.header, phrases.code)
    first = doc.paragraphs[0] if doc.paragraphs else None
    return _Sources(
        header=header, joined=_header_text(header, phrases),
        notes=" ".join(f.text for f in doc.footnotes.values() if f.paragraph is None),
        first=first, first_text=_with_footnotes(first, doc) if first else "")


def _printed_symbol(header: str, phrases: Phrases) -> str | None:
    """The document's own symbol, the first one the header prints (summary records aside)."""
    printed = [s.symbol for s in find_symbol_mentions(header, phrases) if "/SR." not in s.symbol]
    return printed[0] if printed else None


def _other_symbols(header: str, symbol: str | None, phrases: Phrases) -> tuple[str, ...]:
    """Other symbols of the same document that the header prints beside its own: another
    symbol of concluding observations (a reissue, the form of another era), not a report."""
    if symbol is None or parse_symbol(symbol)["kind"] != "concluding observations":
        return ()
    own = parse_symbol(symbol)["base"]
    found = [s.symbol for s in find_symbol_mentions(header, phrases)]
    return tuple(dict.fromkeys(
        s for s in found if parse_symbol(s)["kind"] == "concluding observations"
        and parse_symbol(s)["base"] != own))


def _committee(symbol: str | None, src: _Sources,
               phrases: Phrases) -> registries.Committee | None:
    """The committee: by the symbol's prefix, else named in the header or first paragraph,
    else by the prefix of a document the first paragraph cites (its summary records)."""
    reg = registries.load()
    committee = reg.committee_by_prefix(symbol) if symbol else None
    if committee is None:
        committee = _committee_by_name(src.joined, phrases) or \
            _committee_by_name(src.first_text, phrases)
    if committee is None:
        records = [s.symbol for s in find_symbol_mentions(src.first_text, phrases)]
        committee = next((reg.committee_by_prefix(s) for s in records
                          if reg.committee_by_prefix(s)), None)
    return committee


def _state_party(symbol: str | None, title: re.Match[str] | None, src: _Sources,
                 phrases: Phrases) -> str | None:
    """The State named in the title (else anywhere in the header, else in the first
    paragraph), else the one the symbol names."""
    state_text = title.group("state") if title else src.joined
    state = _state(state_text, phrases) or _state(src.joined, phrases) or \
        _state(src.first.text if src.first else "", phrases)
    if state is None and symbol:
        state = parse_symbol(symbol)["state"]
    return state


def _report_numbers_read(title: re.Match[str] | None, first: Paragraph | None,
                         phrases: Phrases) -> list[int]:
    """The reports considered: as the title names them, else as the first paragraph does."""
    numbers = report_numbers(title.group("report"), phrases) if title else []
    if not numbers and first:
        numbers = report_numbers(first.text, phrases)
    return numbers


# --- header -----------------------------------------------------------------------------


def _header_text(text: str, phrases: Phrases) -> str:
    """The header as one string; Chinese lines broken inside a name are joined without space."""
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


def _treaty_named_warnings(source: str, committee: registries.Committee | None, header: str,
                           phrases: Phrases) -> tuple[str, ...]:
    """A warning when the header names a Convention that the committee does not monitor (a
    source error: the symbol and the committee are trusted)."""
    if committee is None or committee.treaty is None:
        return ()
    own = committee.treaty
    squashed = re.sub(r"\s+", "", header).lower()
    for treaty in registries.load().treaties.values():
        name = treaty.names.get(phrases.code)
        if not name or treaty.id == own or treaty.parent == own:
            continue
        if re.sub(r"\s+", "", name).lower() in squashed and not any(
                re.sub(r"\s+", "", other).lower() in squashed
                for t in registries.load().treaties.values()
                if t.id == own or t.parent == own
                for other in t.names.values()):
            return (f"{source}: the header names the {treaty.id} ('{name}') but the document "
                    f"is {committee.id}'s, which monitors {own}; the symbol and committee "
                    "are kept",)
    return ()


def state_named(text: str, phrases: Phrases) -> str | None:
    """The first State a text names (in its language, or in English), as ISO alpha-3."""
    return _state(text, phrases)


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


def _report_patterns(phrases: Phrases) -> tuple[re.Pattern[str], ...]:
    if isinstance(phrases.raw("metadata", "report_number"), list):
        return phrases.regexes("metadata", "report_number")
    pattern = phrases.regex("metadata", "report_number")
    return (pattern,) if pattern else ()


def _ordinal(words: str, phrases: Phrases) -> int | None:
    """An ordinal of one or more words; when the words are not one ordinal, the last word
    that is one ("воедино одиннадцатому" -> 11: a pattern may take a word beside it)."""
    value = phrases.ordinal(words)
    for word in reversed(words.split() if value is None else []):
        value = phrases.ordinal(word)
        if value is not None:
            break
    return value


def _session(text: str, phrases: Phrases) -> tuple[int | None, tuple[str, ...]]:
    """The session's number and its dates (first and last day)."""
    pattern = phrases.regex("metadata", "session")
    match = pattern.search(text) if pattern else None
    if not match:
        return None, ()
    dates = [d for d, start, _ in find_dates(text, phrases.code) if start >= match.end() - 5]
    return _ordinal(match.group("n"), phrases), tuple(dates[0]) if dates else ()


def _original_language(header: str, phrases: Phrases) -> str | None:
    original = phrases.regex("metadata", "original")
    match = original.search(header) if original else None
    return language_names().get(match.group("lang").strip().lower()) if match else None


def _distributed_on(header: str, phrases: Phrases) -> str | None:
    """The date printed under "Distr.", before the "Original:" line when there is one."""
    distributed = phrases.regex("metadata", "distributed")
    match = distributed.search(header) if distributed else None
    if match is None:
        return None
    original = phrases.regex("metadata", "original")
    end = original.search(header, match.end()) if original else None
    after = header[match.end():end.start() if end else None]
    for symbol in find_symbol_mentions(after, phrases):  # "E/C.12/BIH/CO/124 January 2006"
        after = after[:symbol.start] + " " * (symbol.end - symbol.start) + after[symbol.end:]
    found = [(at, dates[0]) for lang in dict.fromkeys([phrases.code, "en"])
             for dates, at, _ in find_dates(after, lang)[:1] if dates]
    # the first date after "Distr.", in the document's language or English
    return min(found)[1] if found else None


# --- first paragraph --------------------------------------------------------------------------


Meetings = tuple[tuple[int, ...], tuple[str, ...], int | None, str | None]


def _meetings(first: Paragraph | None, phrases: Phrases) -> Meetings:
    """From the first paragraph: the meetings at which the report was considered and their
    dates, the meeting at which the observations were adopted and its date."""
    if first is None:
        return (), (), None, None
    considered, adopted = _considered_and_adopted(first.text, phrases)
    meetings = phrases.regex("metadata", "meetings")
    found = []
    for part in (considered, adopted):
        numbers: list[int] = []
        for m in meetings.finditer(part) if meetings else ():
            numbers.extend(_number_list(m.group("list"), phrases))
        found.append((numbers, [d for dates, _, _ in find_dates(part, phrases.code)
                                for d in dates]))
    (considered_at, considered_on), (adopted_at, adopted_on) = found
    return (tuple(considered_at), tuple(considered_on), adopted_at[0] if adopted_at else None,
            adopted_on[0] if adopted_on else None)


def _considered_and_adopted(text: str, phrases: Phrases) -> tuple[str, str]:
    """The first paragraph's words on considering the report, and those on adopting the
    observations."""
    considered_re = phrases.regex("metadata", "considered")
    adopted_re = phrases.regex("metadata", "adopted")
    meetings = phrases.regex("metadata", "meetings")
    considered, adopted = "", ""
    for sentence in _sentences(text, phrases):
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
    return considered, adopted


def _cited_in_opening(text: str, phrases: Phrases) -> tuple[tuple[str, ...], str | None]:
    """The summary records the first paragraph (with its footnotes) cites, and the State
    party's report: the first other document it cites that is neither concluding
    observations nor a list of issues."""
    symbols = [s.symbol for s in find_symbol_mentions(text, phrases)]
    records = tuple(dict.fromkeys(s for s in symbols if "/SR." in s))
    report = next((s for s in symbols if "/SR." not in s and not parse_symbol(s)["state"]
                   and not _is_list_of_issues(s)), None)
    return records, report


def _consideration_records(records: tuple[str, ...], considered: tuple[int, ...],
                           adopted: int | None) -> tuple[str, ...]:
    """The summary records of the meetings at which the report was considered: not the record
    of the meeting that adopted the observations ("… adopted at its 2146th meeting
    (CCPR/C/SR.2146)"), a different fact (``adopted_at_meeting``)."""
    def number(symbol: str) -> int | None:
        match = re.search(r"SR\.(\d+)$", symbol)
        return int(match[1]) if match else None

    return tuple(s for s in records
                 if not (considered and adopted is not None and number(s) == adopted
                         and adopted not in considered))


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


def _list_of_issues(doc: Document, phrases: Phrases) -> str | None:
    """The list of issues the first paragraphs (or their footnotes) cite."""
    for paragraph in doc.paragraphs[:4]:
        for symbol in find_symbol_mentions(_with_footnotes(paragraph, doc), phrases):
            if _is_list_of_issues(symbol.symbol):
                return symbol.symbol
    return None


def _document_type(source: str, symbol: str | None, src: _Sources,
                   phrases: Phrases) -> tuple[str | None, tuple[str, ...]]:
    """"concluding observations", "other" or unknown (``None``), with a warning unless the
    former."""
    text = src.joined + " " + src.header
    not_co = phrases.any_of("document", "not_concluding_observations")
    co = phrases.any_of("document", "concluding_observations")
    other = not_co.search(text) if not_co else None
    if symbol and parse_symbol(symbol)["state"] or co and co.search(text) and not other:
        return "concluding observations", ()
    if other:
        return "other", (f"{source}: not concluding observations ('{other.group(0)}' in the "
                         "header)",)
    return None, (f"{source}: no concluding-observations title found in the header",)


def _derive_symbol(committee: registries.Committee | None, state: str | None,
                   list_of_issues: str | None, numbers: list[int]) -> str | None:
    """The symbol the header does not print, as the UN builds it: from the list of issues
    of the same cycle (CEDAW/C/BEL/Q/6 -> CEDAW/C/BEL/CO/6, CRC/C/OPAC/IRQ/Q/1 ->
    CRC/C/OPAC/IRQ/CO/1), else from the committee, the State and the report numbers."""
    if committee is None or not state:
        return None
    prefix = committee.symbol_prefix
    issues = LIST_OF_ISSUES.match(list_of_issues or "")
    if issues and issues["prefix"] == prefix and issues["state"] == state:
        protocol = f"{issues['protocol']}/" if issues["protocol"] else ""
        return f"{prefix}/{protocol}{state}/CO/{issues['cycle']}"
    if numbers:
        cycle = str(numbers[0]) if len(numbers) == 1 else f"{numbers[0]}-{numbers[-1]}"
        return f"{prefix}/{state}/CO/{cycle}"
    return None


def _protocol_treaty(symbol: str | None) -> str | None:
    """The optional protocol a symbol belongs to (CRC/C/OPAC/… -> OP-CRC-AC), if any."""
    for segment, treaty in PROTOCOL_SEGMENTS.items():
        if symbol and f"/{segment}/" in symbol:
            return treaty
    return None


# --- closing paragraphs -----------------------------------------------------------------------


def _follow_up(doc: Document, phrases: Phrases
               ) -> tuple[tuple[int, ...], DateRead | None, Duration | None]:
    """The paragraphs the closing paragraphs single out for follow-up, and when: a date at the
    precision printed, or a period ("within one year") counted from the adoption."""
    trigger = phrases.regex("metadata", "follow_up")
    scope_re = phrases.regex("metadata", "follow_up_scope")
    number_re = phrases.regex("metadata", "follow_up_paragraph")
    if not (trigger and scope_re and number_re):
        return (), None, None
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
        # the deadline of the sentence that asks for follow-up (a later sentence of the same
        # paragraph may give the next report's date)
        sentence = next((s for s in _sentences(paragraph.text, phrases) if trigger.search(s)),
                        paragraph.text)
        deadline = phrases.regex("metadata", "deadline")
        found = deadline.search(sentence) if deadline else None
        dates = find_due_dates(found.group(0), phrases.code) if found else []
        durations = find_durations(sentence, phrases.code)
        return (tuple(dict.fromkeys(numbers)), dates[0] if dates else None,
                durations[0] if durations and not dates else None)
    return (), None, None


def _next_report(doc: Document, phrases: Phrases) -> tuple[tuple[int, ...], DateRead | None]:
    """The next report's numbers and when it is due (at the precision printed: "by 2026",
    "by June 2027"), from the last paragraph asking for it."""
    for paragraph in reversed(doc.paragraphs):
        for pattern in _next_report_patterns(phrases):
            match = pattern.search(paragraph.text)
            if not match:
                continue
            dates = find_due_dates(paragraph.text[match.start():], phrases.code) or \
                find_due_dates(paragraph.text, phrases.code)
            return (tuple(report_numbers(match.group("report"), phrases)),
                    dates[0] if dates else None)
    return (), None


def _next_report_patterns(phrases: Phrases) -> tuple[re.Pattern[str], ...]:
    """``[metadata] next_report``: one pattern or a list of them, each with group ``report``."""
    if isinstance(phrases.raw("metadata", "next_report"), list):
        return phrases.regexes("metadata", "next_report")
    pattern = phrases.regex("metadata", "next_report")
    return (pattern,) if pattern else ()
