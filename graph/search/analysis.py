"""Language-aware analysis: a text in one language -> the terms the index holds, with the
character span each comes from (for highlighting).

The rules are data (``languages.toml``): per language a Snowball stemmer (PyStemmer),
characters replaced before and after stemming (Arabic diacritics, tatweel, alef and hamza
forms, taa marbuta; Russian ё) and accent folding of Latin letters (before stemming: a
word typed without its accents gives the same term).  Text is cut into runs
of letters and digits, except runs of Han characters, which become overlapping character
pairs (bigrams) in any language: a Chinese word of any length matches as the phrase of its
pairs (``移民战略`` = 移民 民战 战略, found inside 国家移民战略) without a dictionary.
"""
from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

import Stemmer

from rightsgraph.core.resources import package_path

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Combining marks (Python's \w leaves them out): Latin, Cyrillic and Arabic.
_MARKS = "\u0300-\u036f\u0483-\u0489\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
TOKEN = re.compile(rf"[{_HAN}]+|[^\W_{_HAN}](?:[^\W_{_HAN}]|[{_MARKS}])*")
_IS_HAN = re.compile(rf"[{_HAN}]")
# A text with no Han character and no combining mark is cut by TOKEN into its runs of word
# characters but "_": the same tokens, found three times faster (an ASCII text: [A-Za-z0-9]).
_HAN_OR_MARK = re.compile(rf"[{_HAN}{_MARKS}]")
_WORD = re.compile(r"[^\W_]+")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]+")


class Term(NamedTuple):
    """A term of the index and the span ``[start, end)`` of the text it comes from (a
    tuple: a snippet makes one per word of each paragraph shown)."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Language:
    code: str
    stemmer: str | None = None
    fold_latin: bool = True
    before: tuple[tuple[str, str], ...] = ()
    after: tuple[tuple[str, str], ...] = ()
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()


def _rules_text() -> str:
    return package_path("rightsgraph.graph.search", "languages.toml").read_text("utf-8")


def load(text: str) -> dict[str, Language]:
    """The languages of a ``languages.toml`` text, checked (a stemmer PyStemmer lacks or an
    unknown key is an error naming the language)."""
    out = {}
    for code, rule in tomllib.loads(text).items():
        unknown = set(rule) - {"stemmer", "fold_latin", "before", "after", "prefixes",
                               "suffixes"}
        if unknown:
            raise ValueError(f"languages.toml [{code}]: unknown keys {sorted(unknown)}")
        if rule.get("stemmer") and rule["stemmer"] not in Stemmer.algorithms():
            raise ValueError(f"languages.toml [{code}]: no Snowball stemmer {rule['stemmer']!r}")
        out[code] = Language(code, rule.get("stemmer"), rule.get("fold_latin", True),
                             tuple(rule.get("before", {}).items()),
                             tuple(rule.get("after", {}).items()),
                             tuple(rule.get("prefixes", ())), tuple(rule.get("suffixes", ())))
    return out


@cache
def languages() -> dict[str, Language]:
    """The languages rightsgraph analyses (``languages.toml``); any other is cut into words
    without stemming."""
    return load(_rules_text())


def fingerprint() -> str:
    """Changes whenever the analysis would give other terms: the index is rebuilt then."""
    return hashlib.sha256((_rules_text() + str(Stemmer.version())).encode()).hexdigest()[:16]


@cache
def _language(code: str) -> tuple[Language, Stemmer.Stemmer | None, dict[int, str], dict[int, str]]:
    lang = languages().get(code) or Language(code)
    stemmer = Stemmer.Stemmer(lang.stemmer) if lang.stemmer else None
    return lang, stemmer, str.maketrans(dict(lang.before)), str.maketrans(dict(lang.after))


def fold(word: str) -> str:
    """Drop the accents of Latin letters (``é`` -> ``e``), keep the marks that make other
    letters (Cyrillic ``й``)."""
    if word.isascii():
        return word
    out: list[str] = []
    for char in unicodedata.normalize("NFD", word):
        if unicodedata.combining(char) and out and out[-1] < "\u0250":
            continue
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


def normalise(word: str, code: str, *, stem: bool = True) -> str:
    """One word (no spaces) as the index holds it in language ``code``."""
    return _normalise(word, code, stem)


@lru_cache(maxsize=100_000)  # words repeat: most of a text's words were seen before
def _normalise(word: str, code: str, stem: bool) -> str:
    lang, stemmer, before, after = _language(code)
    word = word.lower().translate(before)
    if lang.fold_latin:
        word = fold(word)
    if word and stem and stemmer is not None:
        word = stemmer.stemWord(word)
    elif word and stem and (lang.prefixes or lang.suffixes):
        word = light_stem(word, lang.prefixes, lang.suffixes)
    return word.translate(after)


def light_stem(word: str, prefixes: tuple[str, ...], suffixes: tuple[str, ...]) -> str:
    """Strip the first of ``prefixes`` the word starts with, then each of ``suffixes`` it
    ends with, in turn, as long as two letters remain."""
    for prefix in prefixes:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix):]
            break
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[:-len(suffix)]
    return word


def terms(text: str, code: str, *, stem: bool = True) -> list[Term]:
    """The terms of ``text`` read as language ``code``, in order."""
    words, starts, ends = term_spans(text, code, stem=stem)
    return list(map(Term, words, starts, ends))


def term_spans(text: str, code: str, *, stem: bool = True,
               ) -> tuple[list[str], list[int], list[int]]:
    """:func:`terms` as three lists: the terms, where each starts and where it ends (a
    snippet reads the spans of the few terms that match its query).  A text without Han
    characters or combining marks is cut by a simpler pattern (:func:`_plain_words`):
    :data:`TOKEN`'s classes cost two thirds of a snippet."""
    pattern = _plain_words(text)
    if pattern is None:
        found = _terms(text, code, stem)
        return [t.text for t in found], [t.start for t in found], [t.end for t in found]
    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    stemmed = _stemmed(code)
    for match in pattern.finditer(text):
        token = match.group()
        if stem:
            held = stemmed.get(token)  # "" for a word without a term: remembered too
            word = held if held is not None else _remember(token, code, stemmed)
        else:
            word = _normalise(token, code, False)
        if word:
            words.append(word)
            starts.append(match.start())
            ends.append(match.end())
    return words, starts, ends


def _plain_words(text: str) -> re.Pattern[str] | None:
    """A simpler pattern than :data:`TOKEN` that cuts ``text`` into the same words, when
    ``text`` holds no Han character or combining mark (else ``None``)."""
    if text.isascii():
        return _ASCII_WORD
    if _HAN_OR_MARK.search(text) is None:
        return _WORD
    return None


def _terms(text: str, code: str, stem: bool) -> list[Term]:
    out: list[Term] = []
    for match in TOKEN.finditer(text):
        token = match.group()
        if token[0] >= "\u3400" and _IS_HAN.match(token):
            out.extend(_bigrams(token, match.start()))
            continue
        word = _normalise(token, code, stem)
        if word:
            out.append(Term(word, match.start(), match.end()))
    return out


def _bigrams(run: str, start: int) -> list[Term]:
    if len(run) == 1:
        return [Term(run, start, start + 1)]
    return [Term(run[i:i + 2], start + i, start + i + 2) for i in range(len(run) - 1)]


def is_han(text: str) -> bool:
    """Whether ``text`` starts with a Han character."""
    return bool(_IS_HAN.match(text))


def han_share(text: str) -> float:
    """The share of Han characters in ``text``."""
    return len(_IS_HAN.findall(text)) / len(text) if text else 0.0


def tokens(text: str, code: str) -> str:
    """The terms of ``text`` joined by spaces, as they are indexed (:func:`terms` without
    their spans: the build makes one per paragraph version)."""
    found = (_plain_words(text) or TOKEN).findall(text)
    stemmed = _stemmed(code)
    out: list[str] = []
    for token in found:
        word = stemmed.get(token)
        if word is None:
            if token[0] >= "\u3400" and _IS_HAN.match(token):
                out.extend([token] if len(token) == 1
                           else [token[i:i + 2] for i in range(len(token) - 1)])
                continue
            word = _remember(token, code, stemmed)
        if word:
            out.append(word)
    return " ".join(out)


def _remember(token: str, code: str, stemmed: dict[str, str]) -> str:
    """The term of ``token`` in language ``code``, remembered in ``stemmed``
    (:func:`_stemmed`: at most :data:`_STEMMED` words, forgotten all at once)."""
    if len(stemmed) >= _STEMMED:
        stemmed.clear()
    word = stemmed[token] = _normalise(token, code, True)
    return word


_STEMMED = 100_000  # words whose term each language remembers (:func:`_remember`)


@cache
def _stemmed(code: str) -> dict[str, str]:
    """Word -> its term in language ``code``, as :func:`tokens` found them (a dict read
    once per word of every paragraph: cheaper than :func:`_normalise`'s own memory)."""
    return {}
