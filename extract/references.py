"""Stage 3: find the explicit references in a text, each with its matched text and span.

One finder per kind of link; each reads its patterns from the language's phrase file and
resolves what it matched against the registries (an article that the treaty does not
have, an SDG target or ILO number that does not exist, is not a link).  UN document
symbols are found here too, with their paragraph pinpoints; telling earlier
recommendations from other documents and resolving "Ibid." is :mod:`.resolve`'s job.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from rightsgraph.core import links, registries
from rightsgraph.core.identifiers import normalise_symbol, symbol_data
from rightsgraph.core.known_symbols import KnownSymbols
from rightsgraph.core.links import Kind
from rightsgraph.extract import prefilter
from rightsgraph.extract.language import Phrases
from rightsgraph.extract.model import Reference
from rightsgraph.extract.numbers import month_pattern, parse_int, parse_roman

# Named groups of ``[articles] provision``: "(1)" / "(a)", "paragraph 1", "a)" (no bracket).
PROVISION_GROUPS = ("p", "q", "r")


@dataclass(frozen=True)
class Context:
    """What a finder needs to know about the document being read, and whether the text is
    a section heading; ``known`` says whose observations the older symbols it may cite are
    (:mod:`rightsgraph.core.known_symbols`)."""

    phrases: Phrases
    committee: str | None
    treaty: str | None
    heading: bool = False
    known: KnownSymbols = KnownSymbols()


def find_references(text: str, ctx: Context, *, container: str, heading: bool = False,
                    footnote: str | None = None) -> list[Reference]:
    """Every reference in ``text``, in order of position: what the finder of each link kind
    (:data:`rightsgraph.core.links.KINDS`) finds."""
    if ctx.heading != heading:
        ctx = replace(ctx, heading=heading)
    placed = [Reference(ref.kind, ref.target, ref.text, ref.start, ref.end, container, footnote,
                        ref.item, ref.relation)
              for find in links.finders() for ref in find(text, ctx)]
    return sorted(placed, key=lambda r: (r.start, r.end, r.kind, r.target))


def _ref(kind: Kind, target: str, text: str, start: int, end: int) -> Reference:
    return Reference(kind=kind, target=target, text=text[start:end], start=start, end=end,
                     container="")


# --- articles ---------------------------------------------------------------------------


def find_articles(text: str, ctx: Context) -> list[Reference]:
    """Convention articles; articles of other treaties as theirs, domestic ones apart."""
    phr = ctx.phrases
    mention = phr.regex("articles", "mention")
    if mention is None:
        return []
    out = []
    for match in prefilter.finditer(mention, text):
        treaty = _article_owner(text, match, ctx)
        for notation in _article_notations(match.group(0), phr):
            number = int(notation.partition("(")[0])  # "5(d)(v)" -> 5
            if treaty is None:
                out.append(_ref(Kind.DOMESTIC_ARTICLE, notation, text, match.start(), match.end()))
                continue
            known = registries.load().treaties.get(treaty)
            if known is not None and not known.has_article(number):
                continue  # not an article of that treaty: a misreading, not a link
            out.append(_ref(Kind.ARTICLE, f"{treaty}/{notation}", text, match.start(),
                            match.end()))
    return out


def _article_owner(text: str, match: re.Match[str], ctx: Context) -> str | None:
    """The treaty an article mention belongs to, or ``None`` for domestic law."""
    phr = ctx.phrases
    own = [w.lower() for w in phr.raw("articles", "own_treaty", [])]
    after = phr.regex("articles", "after")
    if after is not None:
        m = after.match(text, match.end())
        if m:
            return _instrument(m.group("title"), own, ctx)
    title = phr.regex("articles", "title")
    if title is not None and not ctx.heading:
        window = text[max(0, match.start() - 60):match.start()]
        clause = re.split(phr.raw("articles", "clause_break"), window)[-1]
        titles = list(title.finditer(clause))
        if titles:
            return _instrument(titles[-1].group("title"), own, ctx)
        for word in phr.raw("articles", "domestic_before", []):
            if clause.rstrip().endswith(word) or (word in clause and not titles):
                return None
    return ctx.treaty


def _instrument(title: str, own: list[str], ctx: Context) -> str | None:
    """Which treaty an instrument title names: the document's, another one, or none.

    A registry name written out in full wins; then a short form such as "Optional
    Protocol on the sale of children" is matched word by word against the names; then
    "the Convention" / 《公约》 is the document's own treaty; anything else is domestic.
    """
    squashed = _squash(title)
    if any(squashed == _squash(w) for w in own):
        return ctx.treaty
    treaties = registries.load().treaties.values()
    for treaty in treaties:
        if any(squashed.startswith(_squash(n)) for n in _names(treaty) if n):
            return treaty.id
    for treaty in treaties:
        if any(_name_regex(ctx.phrases, n).match(title) for n in _names(treaty) if n):
            return treaty.id
    words = re.findall(r"\w+", title.lower())
    best: list[str] = []
    score = 0
    for treaty in treaties:
        vocabulary = {w for n in _names(treaty) for w in re.findall(r"\w+", n.lower())}
        leading = next((i for i, w in enumerate(words) if w not in vocabulary), len(words))
        if leading > score:
            best, score = [treaty.id], leading
        elif leading == score:
            best.append(treaty.id)
    if best and score >= 5:
        # A title cut short ("Protocole facultatif à la Convention relative aux droits de
        # l’enfant") fits several instruments: the document's own one, if it is among them.
        return ctx.treaty if ctx.treaty in best else best[0]
    if any(squashed.startswith(_squash(w)) for w in own):
        return ctx.treaty  # "Convention, which …", "Covenant as a whole"
    return None


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


@cache
def _name_regex(phr: Phrases, name: str) -> re.Pattern[str]:
    return re.compile(phr.name_pattern(name), re.IGNORECASE)


def _names(treaty: registries.Treaty) -> list[str]:
    return list(treaty.names.values()) + [a for v in treaty.aliases.values() for a in v]


@cache
def _article_tokens(phr: Phrases) -> re.Pattern[str]:
    parts = []
    if phr.raw("articles", "provision_before"):
        parts.append(f"(?P<pre>{phr.fill(phr.raw('articles', 'provision_before'))})")
    parts += [f"(?P<prov>{phr.fill(phr.raw('articles', 'provision'))})",
             f"(?P<num>{phr.fill(phr.raw('articles', 'number'))})",
             f"(?P<range>{phr.raw('articles', 'range')})"]
    if phr.raw("articles", "unit"):
        parts.append(f"(?P<unit>{phr.raw('articles', 'unit')})")
    conjunctions = phr.raw("articles", "conjunction")
    parts.append(r"(?P<conj>,|;|、|和|及|或|\band\b|\bor\b"
                 + (f"|{conjunctions}" if conjunctions else "") + ")")
    return re.compile("|".join(parts), re.IGNORECASE)


def _article_notations(mention: str, phr: Phrases) -> list[str]:
    """"arts. 1, 2 and 4" -> 1, 2, 4; "article 5 (d) (v)" -> 5(d)(v); "第8至第35条" -> 8…35."""
    items: list[tuple[int, list[list[str]]]] = []
    pending_range = False
    # Pinpoints written before their article (``[articles] provision_before``): the
    # paragraphs of "пункт 1 статьи 5", "paragraphes 1 et 4 de l’article 29" (one chain
    # each), the levels of "alinéa d) v) de l’article 5" (one chain).
    before: list[list[str]] = []
    last = None
    letters = dict(zip(phr.raw("articles", "provision_letters", ""), "abcdefghijklmnopqrstuvwxyz",
                       strict=False))
    for tok in _article_tokens(phr).finditer(mention):
        kind = tok.lastgroup if tok.lastgroup in ("prov", "num", "range", "unit", "conj") else None
        if tok.groupdict().get("pre") is not None:
            before = _provisions_before(tok, letters)
            continue
        if tok.group("prov") is not None:
            value = next(v for k, v in tok.groupdict().items() if k in PROVISION_GROUPS and v)
            value = letters.get(value) or str(parse_int(value) or value)
            if not items:
                continue
            chains = items[-1][1]
            if last == "prov" and chains:
                chains[-1].append(value)
            elif last == "conj" and chains:
                chains.append(chains[-1][:-1] + [value])
            else:
                chains.append([value])
            last = "prov"
            continue
        if tok.group("num") is not None:
            value = parse_int(tok.group("n"))
            if value is None:
                continue
            if pending_range and items:
                start = items[-1][0]
                items.extend((n, []) for n in range(start + 1, value + 1))
                pending_range = False
            else:
                items.append((value, before))
                before = []
            last = "num"
            continue
        if kind == "range" or tok.group("range") is not None:
            pending_range = True
        last = "conj" if tok.group("conj") is not None else last if kind == "unit" else kind
    notations: list[str] = []
    for number, chains in items:
        if chains:
            notations.extend(f"{number}" + "".join(f"({p})" for p in chain) for chain in chains)
        else:
            notations.append(str(number))
    return list(dict.fromkeys(notations))


def _provisions_before(tok: re.Match[str], letters: dict[str, str]) -> list[list[str]]:
    """The chains of a ``provision_before`` token: group ``list`` holds paragraph numbers,
    group ``letters`` the levels of one sub-paragraph ("d) v)")."""
    if tok.groupdict().get("list"):
        return [[str(parse_int(n))] for n in re.findall(r"\d+", tok.group("list"))]
    levels = re.findall(r"(\w+)\)", tok.groupdict().get("letters") or "")
    return [[letters.get(level, level) for level in levels]] if levels else []


# --- ILO instruments ----------------------------------------------------------------------


def find_ilo(text: str, ctx: Context) -> list[Reference]:
    """ILO instruments, by every strategy of :data:`ILO_STRATEGIES`."""
    return [_ref(Kind.ILO, code, text, start, end)
            for strategy in ILO_STRATEGIES for code, start, end in strategy(text, ctx.phrases)]


# A strategy finds ILO instruments in a text one way: (NORMLEX code, start, end) each.
IloFound = Iterator[tuple[str, int, int]]


def _ilo_by_number(text: str, phr: Phrases) -> IloFound:
    """Conventions by number, in one pass of ``[ilo] mention``: a number in brackets ("(No.
    189)", "(第97号)", group ``n``) when an ILO word comes before it ("a list of issues (No.
    189)" is not one), or listed after "ILO Conventions Nos." ("Nos. 97 and 143", group
    ``list``)."""
    mention, context = phr.regex("ilo", "mention"), phr.regex("ilo", "context")
    reg = registries.load()
    for match in prefilter.finditer(mention, text) if mention else ():
        if not match.groupdict().get("n"):
            for number in re.findall(r"\d+", match.group("list") or ""):
                instrument = reg.ilo_convention(int(number))
                if instrument:
                    yield instrument.code, match.start(), match.end()
            continue
        if context and not context.search(text[max(0, match.start() - 120):match.start()]):
            continue
        instrument = reg.ilo_convention(int(match.group("n")))
        if instrument:
            yield instrument.code, match.start(), match.end()


def _ilo_protocol_by_years(text: str, phr: Phrases) -> IloFound:
    """A protocol by its year and its Convention's ("Protocol of 2014 to the Forced Labour
    Convention, 1930"), when exactly one in the registry fits."""
    years = phr.regex("ilo", "protocol_years")
    for match in prefilter.finditer(years, text) if years else ():
        code = _protocol_by_years(int(match.group("year")), int(match.group("parent_year")))
        if code:
            yield code, match.start(), match.end()


def _ilo_named_without_number(text: str, phr: Phrases) -> IloFound:
    """A convention the ILO names without a number, by its title ("Maritime Labour
    Convention, 2006")."""
    for code, title in _titles_named_without_number(phr.code):
        for match in prefilter.finditer(title, text):
            yield code, match.start(), match.end()


def _ilo_protocol_by_title(text: str, phr: Phrases) -> IloFound:
    """A protocol by the title of its Convention, the start or end of the registry's title
    ("Protocol of 2014 to the Forced Labour Convention, 1930" -> P029)."""
    protocol = phr.regex("ilo", "protocol")
    for match in prefilter.finditer(protocol, text) if protocol else ():
        title = _squash_spaces(match.group("title"))
        for code, known in _protocol_titles(phr.code):
            if known.startswith(title) or known.endswith(title):
                yield code, match.start(), match.end()


ILO_STRATEGIES: tuple[Callable[[str, Phrases], IloFound], ...] = (
    _ilo_by_number, _ilo_protocol_by_years, _ilo_named_without_number,
    _ilo_protocol_by_title)


@cache
def _titles_named_without_number(lang: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Conventions the ILO itself names without "(No. N)", so that a document cites them by
    title alone: "Maritime Labour Convention, 2006" (C186); each code with its title in
    ``lang`` as a regex."""
    return tuple((i.code, re.compile(re.escape(title), re.IGNORECASE))
                 for i in registries.load().ilo.values()
                 if i.kind == "convention" and "(No." not in i.titles.get("en", "(No.")
                 and (title := _ilo_title(i, lang)))


@cache
def _protocol_titles(lang: str) -> tuple[tuple[str, str], ...]:
    """Each protocol of the registry with the title in ``lang`` of its Convention, in the
    registry's order of the Conventions."""
    reg = registries.load()
    return tuple((code, known) for instrument in reg.ilo.values()
                 if instrument.kind == "convention"
                 and (known := _ilo_title(instrument, lang))
                 and (code := f"P{instrument.number:03d}") in reg.ilo)


def _protocol_by_years(year: int, parent_year: int) -> str | None:
    """The ILO protocol adopted in ``year`` to the Convention of ``parent_year``, if exactly
    one in the registry fits ("Protocol of 2014 to the … Convention, 1930" -> P029)."""
    reg = registries.load()
    found = [p.code for p in reg.ilo.values() if p.kind == "protocol" and p.year == year
             and (parent := reg.ilo_convention(p.number)) and parent.year == parent_year]
    return found[0] if len(found) == 1 else None


def _ilo_title(instrument: registries.IloInstrument, lang: str) -> str:
    """The registry title in the language (else English) without its number in brackets:
    "Convention (n° 29) sur le travail forcé, 1930" -> "convention sur le travail forcé, 1930"."""
    title = instrument.titles.get(lang) or instrument.titles.get("en", "")
    return _squash_spaces(re.sub(r"\s*\([^()]*\d[^()]*\)", "", title))


def _squash_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


# --- SDG targets ----------------------------------------------------------------------------


def find_sdg(text: str, ctx: Context) -> list[Reference]:
    mention = ctx.phrases.regex("sdg", "mention")
    targets = registries.load().sdg_targets
    out = []
    for match in prefilter.finditer(mention, text) if mention else ():
        for notation in re.findall(r"\d{1,2}\.[0-9a-z]{1,2}", match.group("list")):
            if notation in targets:
                out.append(_ref(Kind.SDG, notation, text, match.start(), match.end()))
    return out


# --- general comments -------------------------------------------------------------------------


def find_general_comments(text: str, ctx: Context) -> list[Reference]:
    """General comments and recommendations, joint ones included, as ``COMMITTEE/GC/N``."""
    phr = ctx.phrases
    if phr.raw("general_comments", "committee_position") == "before":
        pairs = _gc_committee_before(text, ctx)
    else:
        pairs = _gc_committee_after(text, ctx)
    known = registries.load().general_comments
    out = []
    for committee, number, start, end in pairs:
        notation = f"{committee}/GC/{number}"
        if notation in known:
            out.append(_ref(Kind.GENERAL_COMMENT, notation, text, start, end))
    return out


def _gc_committee_before(text: str, ctx: Context) -> list[tuple[str, int, int, int]]:
    """Chinese order: 儿童权利委员会第22号和第23号联合一般性意见."""
    phr = ctx.phrases
    mention = phr.regex("general_comments", "mention")
    names = re.compile(phr.committee_alternation())
    number = phr.regex("general_comments", "number")
    if mention is None or number is None:
        return []
    out = []
    for match in prefilter.finditer(mention, text):
        chain = match.group("chain")
        committee = ctx.committee
        tokens = sorted([(m.start(), "c", m.group(0)) for m in names.finditer(chain)]
                        + [(m.start(), "n", m.group("n")) for m in number.finditer(chain)])
        for _, kind, value in tokens:
            if kind == "c":
                committee = phr.committee_named(value) or committee
            elif committee:
                out.append((committee, int(value), match.start(), match.end()))
    return out


def _gc_committee_after(text: str, ctx: Context) -> list[tuple[str, int, int, int]]:
    """English order: general comments No. 3 and No. 4 (2017) of the Committee on …"""
    phr = ctx.phrases
    head = phr.regex("general_comments", "head")
    steps = {key: phr.regex("general_comments", key)
             for key in ("number", "roman", "year", "committee", "title")}
    if head is None:
        return []
    out: list[tuple[str, int, int, int]] = []
    for match in prefilter.finditer(head, text):
        pending: list[int] = []
        pos, first = match.end(), True
        while True:
            for key in ("number", "roman", "year", "committee", "title"):
                step = steps[key]
                m = step.match(text, pos) if step else None
                if m is None or (key == "roman" and not first):
                    continue
                if key == "number":
                    pending.append(int(m.group("n")))
                elif key == "roman":
                    value = parse_roman(m.group("r"))
                    if value:
                        pending.append(value)
                elif key == "committee":
                    owner = phr.committee_named(m.group("c"))
                    out.extend((owner, n, match.start(), m.end()) for n in pending if owner)
                    pending = []
                pos, first = m.end(), False
                break
            else:
                break
        out.extend((ctx.committee, n, match.start(), pos) for n in pending if ctx.committee)
    return out


# --- UN document symbols ----------------------------------------------------------------------


@dataclass(frozen=True)
class Symbol:
    """A UN document symbol found in a text, with the paragraphs it pinpoints."""

    symbol: str
    start: int
    end: int
    pinpoints: list[str]


# Unedited versions leave numbers to be filled in: "CRPD/C/SR.XX-XX".
PLACEHOLDER = re.compile(r"\bX{2,}(?:-X{2,})?$")


@cache
def _symbol_regex() -> re.Pattern[str]:
    """UN symbols as printed, artefacts included: a stray space or line break inside the prefix,
    beside a slash or after "Add."/"Rev."/"Corr." ("C RPD/C/HRV/CO/1", "CCPR/C O /83/UZB",
    "Q /3/ Add .1", "CRC/C/15/Add. 240"), Cyrillic look-alike letters, and the misspelt
    prefixes listed in ``rightsgraph/core/symbols.toml`` (``typos``)."""
    data = symbol_data()
    prefixes = sorted([*data["prefixes"], *data.get("typos", {})], key=len, reverse=True)
    alternation = "|".join(r"\s?".join(_letter(ch) for ch in p) for p in prefixes)
    seg = data["segment"]
    numbered = r"(?:(?<=(?i:add|rev)\.)|(?<=(?i:corr)\.))\s\d+"  # "Add. 240", "Add.\n240"
    spaced = rf"(?:[A-Z]\s[A-Z](?=\s?/)|{seg}(?:\s\.\d+|{numbered})?)"
    return re.compile(rf"(?<![A-Za-z0-9/])(?:{alternation})(?:\s?/\s?{spaced})+")


def _letter(ch: str) -> str:
    """A symbol letter and its Cyrillic look-alike, if it has one."""
    lookalike = registries.CYRILLIC_LOOKALIKES.get(ch)
    return f"[{ch}{lookalike}]" if lookalike else re.escape(ch)


def clean_symbol(printed: str) -> str:
    """A symbol as the UN writes it: no spaces, Latin letters, "Add."/"Rev."/"Corr." in the
    UN's case, known misspellings fixed."""
    symbol = normalise_symbol(printed)
    head, _, rest = symbol.partition("/")
    head = symbol_data().get("typos", {}).get(head, head)
    return f"{head}/{rest}" if rest else head


def find_symbol_mentions(text: str, phrases: Phrases) -> tuple[Symbol, ...]:
    """UN symbols with their pinpoints; summary-record lists and ranges expanded."""
    if "/" not in text:  # every symbol has one (:func:`_symbol_regex`)
        return ()
    return _symbol_mentions(text, phrases)


@lru_cache(maxsize=256)
def _symbol_mentions(text: str, phrases: Phrases) -> tuple[Symbol, ...]:
    """:func:`find_symbol_mentions`, remembered: a document's paragraphs and footnotes are
    read for symbols by metadata, by its earlier observations and by the finders."""
    out: list[Symbol] = []
    pinpoint = phrases.regex("documents", "pinpoint")
    more = phrases.regex("documents", "more_numbers")
    sr = _summary_record_regex()
    for match in _symbol_regex().finditer(text):
        printed = match.group(0).rstrip(".-\u2011 ")
        end = _before_run_together_date(text, match.start(), match.start() + len(printed),
                                        phrases)
        symbol = clean_symbol(text[match.start():end].replace("\u2011", "-"))  # a hyphen
        if "/" not in symbol or PLACEHOLDER.search(symbol):
            continue
        record = sr.search(symbol)
        if record:
            base = symbol[:record.start()]
            first = int(record.group(1))
            last = int(record.group(2)) if record.group(2) else first
            numbers = list(range(first, last + 1)) if last - first < 50 else [first, last]
            ranges = phrases.raw("articles", "range") or "-|–"
            while more and (m := more.match(text, end)):
                number, separator = int(m.group("n")), text[end:m.start("n")].strip()
                if re.fullmatch(ranges, separator, re.IGNORECASE) and 0 < number - numbers[-1] < 50:
                    numbers.extend(range(numbers[-1] + 1, number))  # "SR.493 à 495"
                numbers.append(number)
                end = m.end()
            out.extend(Symbol(f"{base}SR.{n}", match.start(), end, []) for n in numbers)
            continue
        pins: list[str] = []
        m = pinpoint.match(text, end) if pinpoint else None
        if m:
            pins = _pinpoint_list(m.group("list"), phrases)
            end = m.end()
        out.append(Symbol(symbol, match.start(), end, pins))
    return tuple(out)


@cache
def _summary_record_regex() -> re.Pattern[str]:
    return re.compile(symbol_data()["summary_record"] + r"(?:[-–](\d+))?$")


def _before_run_together_date(text: str, start: int, end: int, phrases: Phrases) -> int:
    """Where a symbol really ends when the date after it was run into it by a conversion:
    "E/C.12/BIH/CO/124 January 2006" is E/C.12/BIH/CO/1 of 24 January 2006."""
    for length in (2, 1):
        cut = end - length
        if cut - 1 <= start or not text[cut - 1].isdigit() or not text[cut:end].isdigit():
            continue
        for lang in dict.fromkeys([phrases.code, "en"]):
            if re.match(rf"\d{{{length}}}\s+{month_pattern(lang)}\s+\d{{4}}", text[cut:],
                        re.IGNORECASE):
                return cut
    return end


def _pinpoint_list(text: str, phrases: Phrases) -> list[str]:
    """"25和第43" -> 25, 43; "12 and 14" -> 12, 14; "141.97" stays; "19-21" -> 19, 20, 21;
    "19 à 21" -> 19, 20, 21 (range words from ``[articles] range``)."""
    ranges = phrases.raw("articles", "range") or "-|–"
    parts = re.findall(rf"\d+(?:\.\d+)*|{ranges}|[-–]", text, re.IGNORECASE)
    out: list[str] = []
    for i, part in enumerate(parts):
        if not part[0].isdigit() and out and i + 1 < len(parts) \
                and out[-1].isdigit() and parts[i + 1].isdigit():
            out.extend(str(n) for n in range(int(out[-1]) + 1, int(parts[i + 1])))
        elif part[0].isdigit():
            out.append(part)
    return list(dict.fromkeys(out))


def find_symbols(text: str, ctx: Context) -> list[Reference]:
    """Document mentions, one reference per symbol or pinpoint (kind ``document``)."""
    out: list[Reference] = []
    for sym in find_symbol_mentions(text, ctx.phrases):
        targets = [f"{sym.symbol}#{p}" for p in sym.pinpoints] or [sym.symbol]
        out.extend(_ref(Kind.DOCUMENT, t, text, sym.start, sym.end) for t in targets)
    pinpoint = ctx.phrases.regex("documents", "pinpoint")
    for pattern, spec in _resolutions(ctx.phrases):
        for match in prefilter.finditer(pattern, text):
            end = match.end()
            pin = pinpoint.match(text, end) if pinpoint else None
            pins = _pinpoint_list(pin.group("list"), ctx.phrases) if pin else []
            end = pin.end() if pin else end
            for number in re.findall(r"\d+/\d+", match.group("list")):
                symbol = spec["symbol"].format(n=number)
                for target in [f"{symbol}#{p}" for p in pins] or [symbol]:
                    out.append(_ref(Kind.DOCUMENT, target, text, match.start(), end))
    return out


@cache
def _resolutions(phrases: Phrases) -> tuple[tuple[re.Pattern[str], dict], ...]:
    """``[documents] resolutions``, each pattern compiled once."""
    return tuple((re.compile(spec["pattern"]), spec)
                 for spec in phrases.raw("documents", "resolutions", []))


def is_ibid(text: str, phrases: Phrases) -> re.Match[str] | None:
    ibid = phrases.regex("documents", "ibid")
    return ibid.match(text) if ibid else None
