"""The URI scheme of rightsgraph: every IRI the graph mints is built here.

Documents are named by their UN symbol, its segments kept as path segments (ELI-like):
``{base}doc/CMW/C/AZE/CO/3`` is the work, ``{base}doc/CMW/C/AZE/CO/3/zh`` its Chinese
language version.  What every language version shares (paragraphs, sub-items, sections)
hangs off the work, so that versions merge; what differs (footnotes, mentions) hangs off
the language version.  Registry items (treaties, committees, States, ILO instruments,
general comments) have URIs of their own; SDG targets use the UN's URIs.
"""
from __future__ import annotations

import functools
import os
import re
import tomllib
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from rdflib import URIRef

from rightsgraph.core import registries
from rightsgraph.core.namespaces import HRO  # noqa: F401 - re-exported for the URI scheme's users
from rightsgraph.core.resources import symbols_file

DEFAULT_BASE = "https://rightsgraph.org/"

# "ICERD/5(d)(v)": treaty, article, then one group per bracketed provision level.
PROVISION = re.compile(r"^(?P<treaty>[^/]+)/(?P<article>[^/()]+)(?P<levels>(?:\([^()]+\))*)$")
GENERAL_COMMENT = re.compile(r"^(?P<committee>[^/]+)/GC/(?P<number>[^/]+)$")


@functools.cache
def symbol_data() -> dict[str, Any]:
    """How UN document symbols are written (``rightsgraph/core/symbols.toml``): prefixes,
    segments, the kinds of treaty-body document and the older series."""
    with open(symbols_file(), "rb") as fh:
        return tomllib.load(fh)["symbols"]


def base() -> str:
    """The base of minted URIs: ``$RIGHTSGRAPH_BASE`` or ``https://rightsgraph.org/``."""
    return _root(os.environ.get("RIGHTSGRAPH_BASE") or DEFAULT_BASE)


def _root(given: str | None) -> str:
    if given is None:
        return base()
    return given if given.endswith("/") else given + "/"


@functools.lru_cache(maxsize=65_536)  # a document names the same items again and again
def _enc(path: str) -> str:
    """Percent-encode what is not safe in an IRI path; "/" separates segments."""
    return quote(path, safe="/()")


def _mint(path: str, given_base: str | None) -> URIRef:
    return URIRef(_root(given_base) + _enc(path))


# --- documents and their parts ----------------------------------------------------------


def document_uri(symbol: str, *, base: str | None = None) -> URIRef:
    """The work: ``{base}doc/CMW/C/AZE/CO/3``."""
    return _mint(f"doc/{symbol}", base)


def expression_uri(symbol: str, language: str, *, base: str | None = None) -> URIRef:
    """One language version of a document: ``{doc}/zh``."""
    return URIRef(f"{document_uri(symbol, base=base)}/{_enc(language)}")


def graph_uri(symbol: str, language: str, *, base: str | None = None) -> URIRef:
    """The named graph holding one language version: ``{base}graph/CMW/C/AZE/CO/3/zh``."""
    return _mint(f"graph/{symbol}/{language}", base)


def activity_uri(symbol: str, language: str, *, base: str | None = None) -> URIRef:
    """The extraction run that generated one language version: ``{doc}/zh/extraction``."""
    return URIRef(f"{expression_uri(symbol, language, base=base)}/extraction")


def agent_uri(version: str, *, base: str | None = None) -> URIRef:
    """The extractor as a software agent: ``{base}software/rightsgraph/0.1.0``."""
    return _mint(f"software/rightsgraph/{version}", base)


def paragraph_uri(symbol: str, number: int | str, *, base: str | None = None) -> URIRef:
    """A numbered paragraph (or pinpoint such as ``141.97``): ``{doc}/para/13``."""
    return URIRef(f"{document_uri(symbol, base=base)}/para/{_enc(str(number))}")


def item_uri(symbol: str, number: int, label: str, *, base: str | None = None) -> URIRef:
    """A sub-item of a paragraph: ``{doc}/para/36/c.i``."""
    return URIRef(f"{paragraph_uri(symbol, number, base=base)}/{_enc(label)}")


def section_uri(
    symbol: str, section: str, subheading: int | None = None, *, base: str | None = None
) -> URIRef:
    """A section ``{doc}/section/C.1``; its n-th thematic subheading ``{doc}/section/C.1/n``
    (``{doc}/section/n`` for one before the first lettered section)."""
    path = "/".join(str(part) for part in (section, subheading) if part)
    return URIRef(f"{document_uri(symbol, base=base)}/section/{_enc(path)}")


def footnote_uri(symbol: str, language: str, footnote: str, *, base: str | None = None) -> URIRef:
    """A footnote, numbered per language version: ``{doc}/zh/fn/6``."""
    return URIRef(f"{expression_uri(symbol, language, base=base)}/fn/{_enc(footnote)}")


def mention_uri(symbol: str, language: str, n: int, *, base: str | None = None) -> URIRef:
    """The n-th explicit reference of a language version: ``{doc}/zh/mention/3``."""
    return URIRef(f"{expression_uri(symbol, language, base=base)}/mention/{n}")


def split_pinpoint(notation: str) -> tuple[str, str | None]:
    """``"A/HRC/39/14#141.97"`` -> ``("A/HRC/39/14", "141.97")``; no pinpoint -> ``None``."""
    symbol, _, pinpoint = notation.partition("#")
    return symbol, pinpoint or None


def pinpoint_uri(notation: str, *, base: str | None = None) -> URIRef:
    """A cited document or one of its paragraphs: ``SYMBOL`` or ``SYMBOL#pinpoint``."""
    symbol, pinpoint = split_pinpoint(notation)
    if pinpoint is None:
        return document_uri(symbol, base=base)
    return paragraph_uri(symbol, pinpoint, base=base)


# --- registry items ---------------------------------------------------------------------


def treaty_uri(treaty: str, *, base: str | None = None) -> URIRef:
    """``{base}treaty/ICRMW``."""
    return _mint(f"treaty/{treaty}", base)


def provision_uri(notation: str, *, base: str | None = None) -> URIRef:
    """An article or provision: ``ICRMW/8`` -> ``…/article/8``, ``ICERD/5(d)(v)`` -> ``…/5/d/v``."""
    match = PROVISION.match(notation)
    if not match:
        raise ValueError(f"not an article notation: {notation!r}")
    levels = re.findall(r"\(([^()]+)\)", match["levels"])
    path = "/".join([match["article"], *levels])
    return URIRef(f"{treaty_uri(match['treaty'], base=base)}/article/{_enc(path)}")


def provision_notation(uri: str) -> str | None:
    """The notation of an article or provision URI, the inverse of :func:`provision_uri`
    (``…/treaty/ICERD/article/5/d/v`` -> ``ICERD/5(d)(v)``); ``None`` for another URI."""
    _, treaty_part, rest = str(uri).partition("/treaty/")
    treaty, article_part, path = rest.partition("/article/")
    if not treaty_part or not article_part or not path or "/" in treaty:
        return None
    article, *levels = unquote(path).split("/")
    return f"{treaty}/{article}" + "".join(f"({level})" for level in levels)


def committee_uri(committee: str, *, base: str | None = None) -> URIRef:
    """``{base}committee/CMW``."""
    return _mint(f"committee/{committee}", base)


def state_uri(alpha3: str, *, base: str | None = None) -> URIRef:
    """``{base}state/AZE`` (ISO 3166-1 alpha-3)."""
    return _mint(f"state/{alpha3}", base)


def general_comment_uri(notation: str, *, base: str | None = None) -> URIRef:
    """``CMW/GC/5`` -> ``{base}gc/CMW/5``."""
    match = GENERAL_COMMENT.match(notation)
    if not match:
        raise ValueError(f"not a general comment notation: {notation!r}")
    return _mint(f"gc/{match['committee']}/{match['number']}", base)


def ilo_uri(code: str, *, base: str | None = None) -> URIRef:
    """``C097`` -> ``{base}ilo/C097``."""
    return _mint(f"ilo/{code}", base)


def scheme_uri(registry: str, *, base: str | None = None) -> URIRef:
    """The SKOS concept scheme of one registry: ``{base}scheme/treaties``."""
    return _mint(f"scheme/{registry}", base)


def notation_type_uri(kind: str, *, base: str | None = None) -> URIRef:
    """The datatype of a typed ``skos:notation``: ``{base}notation/m49``."""
    return _mint(f"notation/{kind}", base)


def sdg_uri(target: str, *, base: str | None = None) -> URIRef:
    """The UN's own URI of an SDG target or goal, ``http://metadata.un.org/sdg/16.9``
    (``…/sdg/16``); ``base`` unused."""
    return URIRef(registries.SDG_URI.format(_enc(target)))


# --- outside the graph ------------------------------------------------------------------


def undocs_url(symbol: str, language: str = "en") -> str:
    """The document on the UN's official document system."""
    return f"https://undocs.org/{language}/{quote(symbol, safe='/')}"


def normlex_url(code: str) -> str:
    """The ILO instrument on NORMLEX."""
    return registries.NORMLEX_URI.format(quote(code, safe=""))


# --- document symbols -------------------------------------------------------------------

# "CMW/C/AZE/CO/2", "E/C.12/DEU/CO/6", "CRC/C/OPAC/IND/CO/1", "CERD/C/URY/CO/16-20".
# Kinds of concluding observations (CO, COAR, OAI) come from symbols.toml; so do the older
# series that name no State or put the session first ("CRC/C/15/Add.183", "CCPR/CO/79/RUS",
# "A/59/38": its [[series]]).
_CO_KINDS = "|".join(symbol_data()["concluding_observations"])
CO_SYMBOL = re.compile(
    rf"^(?P<prefix>.+?)/(?:(?P<protocol>OP[A-Z]+)/)?(?P<state>[A-Z]{{3}})/(?:{_CO_KINDS})/"
    r"(?P<first>\d+)(?:-(?P<last>\d+))?$"
)
# What the UN appends to a symbol: a revision or a corrigendum ("/Rev.1", "/Corr.2") replaces
# or corrects the document; an addendum to concluding observations ("CCPR/C/RUS/CO/6/Add.1")
# is the State's follow-up reply.  Printed in any case ("REV.1"), written in the UN's.
SUFFIX = re.compile(r"/(?P<word>Add|Rev|Corr)\.(?P<n>\d+)$", re.IGNORECASE)
SUFFIX_WORDS = {"add": "Add", "rev": "Rev", "corr": "Corr"}
SYMBOL_FIELDS = ("prefix", "committee", "protocol", "state", "report_numbers", "kind",
                 "series", "session", "number", "revision", "base")


@dataclass(frozen=True)
class Series:
    """One older series of treaty-body symbols (``[[symbols.series]]`` in symbols.toml)."""

    committee: str
    kind: str  # "concluding observations" or "annual report"
    pattern: re.Pattern[str]
    years: str
    example: str
    source: str

    @property
    def name(self) -> str:
        """The series with its varying parts named: ``CRC/C/15/Add.N``, ``CCPR/CO/N/STATE``."""
        named = re.sub(r"\(\?P<(\w+)>[^()]*\)",
                       lambda m: "STATE" if m[1] == "state" else "N", self.pattern.pattern)
        return named.replace("\\", "")

    @property
    def prefix(self) -> str:
        """What every symbol of the series starts with: ``CRC/C/15/Add``, ``A``."""
        return self.pattern.pattern.partition("(")[0].replace("\\", "").rstrip("./")


@functools.cache
def symbol_series() -> tuple[Series, ...]:
    """The older series of concluding observations and annual reports, from symbols.toml."""
    return tuple(Series(s["committee"], s["kind"], re.compile(s["pattern"]), s["years"],
                        s["example"], s["source"]) for s in symbol_data()["series"])


def normalise_symbol(symbol: str) -> str:
    """A symbol as the UN writes it: no spaces or line breaks, Latin letters for Cyrillic
    look-alikes, "Add.", "Rev." and "Corr." in the UN's case ("CCPR/C/79/ADD.38/REV.1" ->
    "CCPR/C/79/Add.38/Rev.1")."""
    symbol = registries.latin_symbol(symbol)
    return re.sub(r"(?<=/)(add|rev|corr)\.(?=\d)",
                  lambda m: SUFFIX_WORDS[m[1].lower()] + ".", symbol, flags=re.IGNORECASE)


def parse_symbol(symbol: str) -> dict:
    """What a treaty-body document symbol says, in the form of any era.

    Keys: ``prefix``; ``committee``; ``protocol`` (``OPAC``); ``state`` (alpha-3);
    ``report_numbers`` (``16-20`` is 16 to 20); ``kind`` ("concluding observations",
    "annual report", "follow-up" for the State's reply filed as an addendum, "corrigendum");
    ``series`` (an older series by name, ``CRC/C/15/Add.N``); ``session`` (the committee's
    in "CCPR/CO/79/RUS" and "CAT/C/CR/33/3", the General Assembly's in "A/59/38");
    ``number`` (the addendum or document number in its series); ``revision`` ("Rev.1",
    "Corr.1"); ``base`` (the symbol without revision, corrigendum or follow-up addendum).

    Spaces, line breaks, Cyrillic look-alike letters and the case of "ADD."/"REV." are
    ignored.  Every field is ``None`` for a symbol that is neither concluding observations
    nor an annual report holding them.  Observations of a series that names no State
    ("CRC/C/15/Add.183", "E/C.12/1/Add.94", "CAT/C/CR/33/3") give no State: it is printed
    in their title, or known from the documents a build holds (:mod:`.known_symbols`).
    """
    symbol = normalise_symbol(symbol)
    parts: dict = dict.fromkeys(SYMBOL_FIELDS)
    base, revision = symbol, None
    suffix = SUFFIX.search(base)
    if suffix and suffix["word"].lower() in ("rev", "corr"):
        base = base[:suffix.start()]
        revision = f"{SUFFIX_WORDS[suffix['word'].lower()]}.{suffix['n']}"
    found = _parse_base(base)
    if found is None:
        suffix = SUFFIX.search(base)
        if suffix is None:
            return parts
        replied = _parse_base(base[:suffix.start()])
        if replied is None or replied["kind"] != "concluding observations" or revision:
            return parts
        parts.update(replied, kind="follow-up", state=None, report_numbers=None,
                     base=base[:suffix.start()])  # the State's reply, not the observations
        return parts
    parts.update(found, revision=revision, base=base)
    if revision and revision.startswith("Corr"):
        parts.update(kind="corrigendum", state=None, report_numbers=None)
    return parts


def _parse_base(symbol: str) -> dict | None:
    """The fields of a symbol without suffix, or ``None`` if it is of no known form."""
    match = CO_SYMBOL.match(symbol)
    if match:
        first = int(match["first"])
        last = int(match["last"] or first)
        committee = registries.load().committee_by_prefix(match["prefix"])
        return {"prefix": match["prefix"], "committee": committee.id if committee else None,
                "protocol": match["protocol"], "state": match["state"],
                "report_numbers": list(range(first, max(first, last) + 1)),
                "kind": "concluding observations"}
    for series in symbol_series():
        match = series.pattern.fullmatch(symbol)
        if match:
            groups = match.groupdict()
            return {"prefix": series.prefix, "committee": series.committee,
                    "state": groups.get("state"), "kind": series.kind, "series": series.name,
                    "session": int(groups["session"]) if groups.get("session") else None,
                    "number": int(groups["number"]) if groups.get("number") else None}
    return None
