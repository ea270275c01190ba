"""Real UN text for the evaluation of similar recommendations (``similar_eval --real``).

Reads ``/work/shared/corpus`` (``--corpus``), never the network:

* the **UPR Working Group reports on Slovenia**, four cycles (A/HRC/14/15, 28/15, 43/15,
  59/15): each numbered recommendation ("115.23 Ratify …"), its text with the recommending
  States' names in brackets removed (they say who asked, not what was asked; the names come
  from ``ontology/registries/states*.csv``), its cycle;
* the **explicit links** of OHCHR's compilations: a heading of A/HRC/WG.6/34/SVN/2 or
  48/SVN/2 whose endnote reads "For relevant recommendations, see A/HRC/28/15, paras.
  115.44–115.47 …" names the earlier recommendations on the topic of the paragraphs under it;
* the **hand-aligned English/Russian paragraph pairs** of A/HRC/WG.6/34/ITA/3
  (``derived/*.aligned.json``).

Vectors are cached by text (``--cache``, one ``.npz``; saved after every batch, so an
interrupted run keeps what it embedded).
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rightsgraph.core.resources import registries_root

UPR_REPORTS = {  # symbol -> (cycle, year of the review)
    "A/HRC/14/15": (1, 2010), "A/HRC/28/15": (2, 2014), "A/HRC/43/15": (3, 2019),
    "A/HRC/59/15": (4, 2025)}
COMPILATIONS = ("A/HRC/WG.6/34/SVN/2", "A/HRC/WG.6/48/SVN/2")
ALIGNED = "derived/A_HRC_WG.6_34_ITA_3.en-ru.aligned.json"


def file_of(corpus: Path, symbol: str, language: str = "en") -> Path:
    return corpus / "full" / f"{symbol.replace('/', '_')}.{language}.txt"


@dataclass(frozen=True)
class Recommendation:
    id: str  # "A/HRC/43/15 121.7"
    symbol: str
    cycle: int
    text: str  # as printed, whitespace joined
    ask: str  # without the recommending States


# --- the text as pdftotext printed it -------------------------------------------------------

_PAGE_FURNITURE = re.compile(r"^\s*(GE\.\d\d-\d+.*|A/HRC/[\w./]+|\d{1,3}|\f.*)\s*$")


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").replace("\f", "\n").splitlines()
            if not _PAGE_FURNITURE.match(line)]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- the recommending States ---------------------------------------------------------------


def _state_names() -> list[str]:
    names: set[str] = set()
    folder = registries_root()
    with open(folder / "states.csv", encoding="utf-8") as f:
        names.update(row["name_en"] for row in csv.DictReader(f))
    with open(folder / "states_aliases.csv", encoding="utf-8") as f:
        names.update(row["alias"] for row in csv.DictReader(f) if row["language"] == "en")
    # The UN's short forms printed in these reports that CLDR spells otherwise (UN Member
    # States names: https://www.un.org/en/about-us/member-states)
    names.update(("Bolivarian Republic of Venezuela", "Plurinational State of Bolivia",
                  "Democratic People’s Republic of Korea", "Lao People’s Democratic Republic",
                  "Republic of Korea", "Republic of Moldova", "Russian Federation", "Holy See",
                  "State of Palestine", "Palestine", "Iran (Islamic Republic of)", "Türkiye",
                  "Turkey", "United Republic of Tanzania", "Syrian Arab Republic", "Czechia",
                  "Czech Republic", "Côte d’Ivoire", "Viet Nam", "United Kingdom of Great "
                  "Britain and Northern Ireland", "United States of America", "Moldova",
                  "North Macedonia", "The former Yugoslav Republic of Macedonia", "Netherlands",
                  "Kingdom of the Netherlands", "Gambia", "Bahamas", "Philippines",
                  "Dominican Republic", "Republic of the Congo", "Congo", "Sudan",
                  "South Sudan", "Niger", "Maldives", "Venezuela", "Iran", "Bolivia",
                  "Micronesia"))
    return sorted(names, key=len, reverse=True)


def without_states(text: str, names: list[str]) -> str:
    """The text without the bracketed names of the States that made the recommendation:
    "(Algeria)", "(Spain, Tunisia, Portugal)", "(Venezuela (Bolivarian Republic of))"."""
    text = re.sub(r"\s*\((?:Bolivarian Republic of|Islamic Republic of|Plurinational State of|"
                  r"Federated States of)\)", "", text.replace("'", "’"))
    name = "|".join(re.escape(n) for n in names)
    bracket = re.compile(rf"\(\s*(?:{name})(?:\s*(?:,|and)\s*(?:{name}))*\s*\)", re.IGNORECASE)
    text = bracket.sub(" ", text)
    # a page's footnote printed inside the list ("** Conclusions and recommendations have not
    # been edited.", A/HRC/28/15)
    text = re.sub(r"\*+\s*Conclusions and recommendations have not been edited\.?", " ", text)
    # a page break inside an item ("… offence ; 14 GE.25-02819") and empty note brackets
    text = re.sub(r"\s*\d{1,3}\s+GE\.\d\d-\d+\S*", " ", text).replace("[]", " ")
    return _squash(re.sub(r"\s*/\s*(?=[a-z])", " / ", text)).rstrip(" ;.,/")


# --- the UPR reports -----------------------------------------------------------------------

_ITEM = re.compile(r"^\s*(?:(?P<outer>1\d\d)\.(?P<sub>\d{1,3})|(?P<plain>\d{1,3})\.)\s+(?=\S)")


def upr_recommendations(corpus: Path, symbol: str, names: list[str] | None = None
                        ) -> list[Recommendation]:
    """The numbered recommendations of one UPR Working Group report, in order."""
    names = names if names is not None else _state_names()
    lines = _lines(file_of(corpus, symbol))
    starts = [i for i, line in enumerate(lines)
              if re.match(r"^\s*II\.\s+Conclusions and/or recommendations", line)]
    body = lines[starts[-1] + 1:]  # the last: the first is the table of contents
    end = next(i for i, line in enumerate(body) if "All conclusions and/or recommendations"
               in line)
    cycle = UPR_REPORTS[symbol][0]
    items: list[tuple[str, list[str]]] = []
    outer = None
    for line in body[:end]:
        found = _ITEM.match(line)
        if found and found["outer"]:
            items.append((f"{found['outer']}.{found['sub']}", [line[found.end():]]))
        elif found and int(found["plain"]) >= 100:  # a paragraph that introduces a list
            outer = found["plain"]
            items.append(("", []))
        elif found and outer:  # cycle 1 numbers its items 1, 2, … under paragraph 111
            items.append((f"{outer}.{found['plain']}", [line[found.end():]]))
        elif items:
            items[-1][1].append(line)
    out = []
    for number, text in items:
        if number:
            printed = _squash(" ".join(text))
            out.append(Recommendation(f"{symbol} {number}", symbol, cycle, printed,
                                      without_states(printed, names)))
    return out


# --- the compilations' explicit links --------------------------------------------------------

_NOTE = re.compile(r"^\s*(?P<n>\d{1,3})\s+(?:For (?:the )?relevant (?:the )?recommendations?, "
                   r"see |See )?(?P<symbol>A/HRC/(?:28|43)/15), paras?\.\s*(?P<rest>.*)$")
_HEADING = re.compile(r"^\s*(?:[IVX]+|[A-Z]|\d{1,2})\.\s+(?=\D)")
_PARAGRAPH = re.compile(r"^\s*(?P<n>\d{1,3})\.\s+(?=\S)")
_NOTES = re.compile(r"(?<=\D)(?P<notes>\d{1,3}(?:\s*,\s*\d{1,3})*)\s*$")


@dataclass(frozen=True)
class ExplicitLink:
    """Paragraphs of a compilation under a heading whose endnote names earlier UPR
    recommendations on their topic."""

    compilation: str
    heading: str
    paragraphs: tuple[tuple[str, str], ...]  # (id, text)
    cited: str  # the UPR report
    recommendations: tuple[str, ...]  # ids of the recommendations the endnote names


def _expand(symbol: str, rest: str) -> list[str]:
    """"115.44–115.47, 115.49 and 115. 23" -> the recommendation ids."""
    rest = re.sub(r"(\d{3})\.\s+(\d)", r"\1.\2", rest)
    out: list[str] = []
    for first, last in re.findall(r"(\d{3}\.\d{1,3})(?:\s*[–-]\s*(\d{3}\.\d{1,3}))?", rest):
        outer, a = first.split(".")
        if last and last.split(".")[0] != outer:  # "151.119–115.127" (sic, 34/SVN/2 note 41)
            outer = last.split(".")[0]
        b = int(last.split(".")[1]) if last else int(a)
        out.extend(f"{symbol} {outer}.{n}" for n in range(int(a), b + 1))
    return out


def compilation_links(corpus: Path, symbol: str) -> list[ExplicitLink]:
    lines = _lines(file_of(corpus, symbol))
    # endnotes: "14 For relevant recommendations, see A/HRC/28/15, paras. 115.44–…" + next line
    notes: dict[int, tuple[str, list[str]]] = {}
    for i, line in enumerate(lines):
        found = _NOTE.match(line)
        if found:
            rest = found["rest"]
            following = lines[i + 1] if i + 1 < len(lines) else ""
            if rest.rstrip().endswith(("–", "-", ",", "and")) or re.match(r"^\s*\d{3}\.",
                                                                           following):
                rest += " " + following
            notes[int(found["n"])] = (found["symbol"], _expand(found["symbol"], rest))
    body_end = next(i for i, line in enumerate(lines) if _NOTE.match(line))
    # blocks: a heading (with its continuation lines) or a numbered paragraph; paragraphs are
    # numbered 1, 2, 3 … through the report, so a number out of that sequence is a heading
    blocks: list[tuple[str, str, list[str]]] = []  # (kind, number, lines)
    last = 0
    for line in lines[:body_end]:
        para = _PARAGRAPH.match(line)
        if para and int(para["n"]) == last + 1:
            last += 1
            blocks.append(("paragraph", para["n"], [line[para.end():]]))
        elif head := _HEADING.match(line):
            blocks.append(("heading", "", [line[head.end():]]))
        elif blocks and line.strip():
            blocks[-1][2].append(line)
    out = []
    for i, (kind, _, text) in enumerate(blocks):
        if kind != "heading":
            continue
        title = _squash(" ".join(text))
        found = _NOTES.search(title)
        cited = next((notes[int(n)] for n in re.split(r"\s*,\s*", found["notes"])
                      if int(n) in notes), None) if found else None
        if cited is None:
            continue
        under = []
        for kind_, number, body in blocks[i + 1:]:
            if kind_ == "heading":
                break
            under.append((f"{symbol} para. {number}", without_note_markers(" ".join(body))))
        if under and found:
            out.append(ExplicitLink(symbol, title[:found.start()].strip(), tuple(under),
                                    cited[0], tuple(cited[1])))
    return out


def without_note_markers(text: str) -> str:
    """A compilation paragraph without its endnote numbers ("… the Paris Principles).10 The")."""
    return _squash(re.sub(r"(?<=[.,;:)\w])\s?\d{1,3}(?=\s|$)(?![\s]*(?:per|years|%))", "",
                          text))


# --- the aligned English/Russian pairs -------------------------------------------------------


def aligned_pairs(corpus: Path) -> list[tuple[str, str]]:
    """(English, Russian) paragraph pairs, as aligned by hand (numbered paragraphs only: the
    header lines are not recommendations)."""
    data = json.loads((corpus / ALIGNED).read_text(encoding="utf-8"))
    return [(p["main_language"], p["other_language"]) for p in data["paragraphs"]
            if re.match(r"^\d{1,3}\.\s", p["main_language"])]


# --- vectors, cached by text ---------------------------------------------------------------


def embed_cached(texts: list[str], cache: Path, *, batch: int = 16, progress=None
                 ) -> np.ndarray:
    """The model's vectors of ``texts`` (float32), from ``cache`` where held."""
    from rightsgraph.graph import similar

    held: dict[str, np.ndarray] = {}
    if cache.exists():
        with np.load(cache) as data:
            held = {k: data[k] for k in data.files}
    keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in held}.items())
    for start in range(0, len(missing), batch):
        chunk = missing[start:start + batch]
        for (key, _), vector in zip(chunk, similar.embed([t for _, t in chunk]), strict=True):
            held[key] = vector.astype(np.float32)
        tmp = cache.with_suffix(".tmp.npz")
        np.savez(tmp, **held)  # type: ignore[arg-type]  # numpy's stub: **kwds as allow_pickle
        tmp.replace(cache)
        if progress:
            progress(start + len(chunk), len(missing))
    return np.stack([held[k] for k in keys]) if keys else np.zeros((0, similar.DIMENSIONS))


# --- the parallel test fixtures (hand-translated, not UN text) ----------------------------------


def parallel_fixtures(fixtures: Path) -> dict[str, dict[int, str]]:
    """language -> paragraph number -> text, of ``tests/fixtures/{lang}/cmw_fixture.txt``:
    one made-up English document and its hand translations (fr, es: all 34 paragraphs; ru,
    ar: paragraphs 1-14), read by the extractor."""
    from rightsgraph.extract import extract_file

    out = {}
    for path in sorted(fixtures.glob("*/cmw_fixture.txt")):
        document = extract_file(path)
        out[path.parent.name] = {p.number: p.text for p in document.paragraphs}
    return out
