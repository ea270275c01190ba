"""Language detection and the per-language phrase data (``extract/phrases/<code>.toml``).

The phrase files hold every language-specific word and pattern; this module only loads
them, fills in the shared placeholders and compiles them once.  Placeholders:

``{N}``          a number as the language writes it (``[numbers] N``)
``{DATE}``       a date in the language (month names from CLDR, see :mod:`.numbers`)
``{COMMITTEE}``  any name of any treaty body in the language (from the registries)
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any

from rightsgraph.core import registries
from rightsgraph.core.errors import RightsgraphError
from rightsgraph.core.resources import package_path
from rightsgraph.extract.numbers import month_pattern, parse_ordinal

PHRASES = package_path("rightsgraph.extract", "phrases")
SCRIPTS = {"Han": "zh", "Arabic": "ar", "Cyrillic": "ru"}


class UnsupportedLanguageError(RightsgraphError):
    """The document's language has no phrase file yet."""


def supported() -> list[str]:
    return sorted(p.stem for p in PHRASES.glob("*.toml"))


@cache
def phrase_data(code: str) -> dict[str, Any]:
    """The raw phrase file of a language (empty for a language without one)."""
    path = PHRASES / f"{code}.toml"
    if not path.exists():
        return {}
    with open(path, "rb") as fh:
        return tomllib.load(fh)


@dataclass(frozen=True, eq=False)
class Phrases:
    """The phrase data of one language with its patterns compiled."""

    code: str
    data: dict[str, Any]
    committees: tuple[tuple[str, str], ...]  # (name, committee id), longest first

    def raw(self, section: str, key: str, default: Any = None) -> Any:
        return self.data.get(section, {}).get(key, default)

    def fill(self, pattern: str) -> str:
        """Replace the placeholders of a pattern by their regex fragments."""
        out = pattern.replace("{N}", self.raw("numbers", "N"))
        if "{COMMITTEE}" in out:
            out = out.replace("{COMMITTEE}", self.committee_alternation())
        return out.replace("{DATE}", self.date_fragment()) if "{DATE}" in out else out

    def regex(self, section: str, key: str) -> re.Pattern[str] | None:
        return _compile(self, section, key)

    def regexes(self, section: str, key: str) -> tuple[re.Pattern[str], ...]:
        return _compile_each(self, section, key)

    def any_of(self, section: str, key: str) -> re.Pattern[str] | None:
        """One regex matching any of a list of patterns (None for an empty list)."""
        return _compile_any(self, section, key)

    def committee_alternation(self) -> str:
        return _committee_alternation(self)

    def committee_named(self, text: str) -> str | None:
        norm = _squash(text)
        for name, cid in self.committees:
            if _squash(name) == norm:
                return cid
        text = text.strip()
        for name, cid in self.committees:
            if re.fullmatch(self.name_pattern(name), text, re.IGNORECASE):
                return cid
        return None

    def name_pattern(self, name: str) -> str:
        """A regex for a name (committee, treaty, State) as the language inflects it.

        ``[grammar] endings``: a word's case ending is replaced by any short ending
        ("Комитет по правам ребенка" also matches "Комитета по правам ребенка");
        ``[grammar] article``/``with_article``/``without_article``: the proclitics a first
        word takes ("البوسنة" -> "للبوسنة", "أذربيجان" -> "لأذربيجان").
        """
        return _name_pattern(self, name)

    def _name_pattern(self, name: str) -> str:
        grammar = self.data.get("grammar", {})
        endings = sorted(grammar.get("endings", []), key=len, reverse=True)
        min_stem = grammar.get("min_stem", 4)
        words = []
        for i, word in enumerate(name.split()):
            stem = next((word[:-len(e)] for e in endings
                         if word.lower().endswith(e) and len(word) - len(e) >= min_stem), None)
            if stem is None and endings and len(word) >= min_stem and word[-1].isalpha():
                stem = word  # an undeclined form still takes endings: "Узбекистана"
            piece = re.escape(stem) + r"\w{0,3}" if stem is not None else re.escape(word)
            article = grammar.get("article")
            if i == 0 and article and word.startswith(article):
                piece = grammar["with_article"] + re.escape(word[len(article):])
            elif i == 0 and grammar.get("without_article"):
                piece = grammar["without_article"] + piece
            words.append(piece)
        return r"\s+".join(words)

    def date_fragment(self) -> str:
        """``[numbers] date`` with ``{MONTH}`` filled in from CLDR, or the default forms."""
        written = self.raw("numbers", "date")
        if written:
            return written.replace("{MONTH}", month_pattern(self.code))
        if self.code == "zh":
            return r"(?P<date>\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)"
        return rf"(?P<date>\d{{1,2}}\s+{month_pattern(self.code)}\s+\d{{4}})"

    def ordinal(self, word: str) -> int | None:
        """An ordinal as written ("troisième", "tercer", "1 885e", "464ª") -> its value.

        ``[numbers] ordinal_rewrites`` maps forms num2words does not list (feminine,
        apocopated, suffixed digits) to forms it does, before the lookup.
        """
        word = re.sub(r"(?<=\d)[\s\u00a0\u202f](?=\d{3}(?!\d))", "", word.strip().lower())
        for pattern, replacement in self.raw("numbers", "ordinal_rewrites", []):
            word = re.sub(pattern, replacement, word)
        return parse_ordinal(word, self.code)


@cache
def _committee_alternation(phrases: Phrases) -> str:
    return "(?:" + "|".join(phrases.name_pattern(name) for name, _ in phrases.committees) + ")"


@cache
def _name_pattern(phrases: Phrases, name: str) -> str:
    return phrases._name_pattern(name)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


@cache
def _compile(phrases: Phrases, section: str, key: str) -> re.Pattern[str] | None:
    pattern = phrases.raw(section, key)
    if not pattern:
        return None
    return re.compile(phrases.fill(pattern), re.IGNORECASE)


@cache
def _compile_each(phrases: Phrases, section: str, key: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(phrases.fill(p), re.IGNORECASE)
                 for p in phrases.raw(section, key, []))


@cache
def _compile_any(phrases: Phrases, section: str, key: str) -> re.Pattern[str] | None:
    patterns = phrases.raw(section, key, [])
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{phrases.fill(p)})" for p in patterns), re.IGNORECASE)


@cache
def phrases(code: str) -> Phrases:
    """The phrase data of language ``code``; raises :class:`UnsupportedLanguageError`."""
    data = phrase_data(code)
    if not data:
        raise UnsupportedLanguageError(
            f"language '{code}' is not supported yet (supported: {', '.join(supported())})")
    reg = registries.load()
    names: list[tuple[str, str]] = []
    for committee in reg.committees.values():
        for lang in {code, "en"}:
            if committee.names.get(lang):
                names.append((committee.names[lang], committee.id))
            names.extend((alias, committee.id) for alias in committee.aliases.get(lang, ()))
    names.sort(key=lambda pair: len(pair[0]), reverse=True)
    return Phrases(code=code, data=data, committees=tuple(dict.fromkeys(names)))


@cache
def _script(ch: str) -> str | None:
    """The script a letter is written in (by its Unicode name), ``None`` for other
    characters and scripts."""
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    for prefix, script in (("CJK", "Han"), ("ARABIC", "Arabic"), ("CYRILLIC", "Cyrillic"),
                           ("LATIN", "Latin")):
        if name.startswith(prefix):
            return script
    return None


def detect(text: str) -> str | None:
    """The language of a text by its letters: script first, then stop words for Latin.

    Returns a UN language code, or ``None`` for text without letters.
    """
    script = _main_script(text)
    if script is None:
        return None
    if script in SCRIPTS:
        return SCRIPTS[script]
    words = _latin_words(text.lower())
    scores = {lang: sum(words[w.encode("latin-1")] for w in LATIN_STOPWORDS[lang])
              for lang in LATIN_STOPWORDS}
    return max(scores, key=lambda lang: scores[lang])


def _main_script(text: str) -> str | None:
    """The script most of the text's letters are written in; Chinese characters, a word
    each, count three times.  Counting is needed only when there are letters of several."""
    present = {script for ch in set(text) if (script := _script(ch))}
    if len(present) <= 1:
        return next(iter(present), None)
    scripts: Counter[str] = Counter()
    for ch, count in Counter(text).items():  # each distinct character once
        script = _script(ch)
        if script:
            scripts[script] += count
    scripts["Han"] *= 3
    return scripts.most_common(1)[0][0]


# Latin-1 bytes that are not letters a-z, à-ÿ (the words of :func:`_latin_words`) -> space.
_NOT_LATIN_WORD = bytes(b if 0x61 <= b <= 0x7A or b >= 0xE0 else 0x20 for b in range(256))


def _latin_words(lowered: str) -> Counter[bytes]:
    """Each run of the letters a-z, à-ÿ in a lower-cased text, counted, in Latin-1: a
    character beyond Latin-1 becomes "?", which is no such letter either."""
    return Counter(lowered.encode("latin-1", "replace").translate(_NOT_LATIN_WORD).split())


# Stop words of the three Latin-script UN languages: enough to tell them apart.
LATIN_STOPWORDS = {
    "en": ("the", "of", "and", "to", "that", "with", "its", "on", "for", "is"),
    "fr": ("le", "la", "les", "des", "et", "du", "que", "dans", "est", "aux"),
    "es": ("el", "los", "las", "del", "y", "que", "en", "por", "con", "sus"),
}
