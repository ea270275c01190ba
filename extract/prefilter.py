"""Cheap checks before expensive regexes: what text a pattern cannot match without.

Most phrase patterns find nothing in most paragraphs, and Python's ``re`` tries them at every
position of the text (a pattern that starts with ``\\b`` or a letter under IGNORECASE has no
literal prefix to jump to).  As eyecite runs only the regexes whose literal strings occur in
the text, :func:`may_match` first asks whether the text holds what every match must hold:
the literal runs of the pattern (``"No."``, ``"第"``, ``"/"``) and its required digits, read
from the parsed pattern itself, so that the phrase files stay the only place patterns are
written.  The check is exact by construction: it is ``False`` only when the pattern cannot
match (``tests/test_prefilter.py`` checks every phrase pattern against the corpus texts).

Under IGNORECASE a literal is looked for in the lower-cased text, which is sound only for
characters whose lower case is the one ``re`` compares (``"İ"`` lowers to two characters,
``"ſ"`` matches ``"s"``): a text holding any other character is always tried.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache, lru_cache

try:  # the parser ``re`` compiles with; without it every pattern is always tried
    from re import _casefix, _parser  # type: ignore[attr-defined]
    from re import _compiler as _re_compiler  # type: ignore[attr-defined]
    from re import _constants as c  # type: ignore[attr-defined]

    _SRE = _re_compiler._sre
    _FOLDED = frozenset(_casefix._EXTRA_CASES) | frozenset(
        n for others in _casefix._EXTRA_CASES.values() for n in others)
except (ImportError, AttributeError):  # pragma: no cover - another Python's internals
    _parser = None

LIT, LOW, DIGIT = 0, 1, 2  # kinds of atom: exact substring, lower-cased substring, a digit
Atom = tuple[int, str]
Clause = tuple[Atom, ...]  # one of its atoms must be in the text
DIGIT_RE = re.compile(r"\d")
MAX_CLAUSES = 3
MAX_ATOMS = 16


def may_match(pattern: re.Pattern[str], text: str, pos: int = 0) -> bool:
    """``False`` only if ``pattern`` has no match in ``text`` from ``pos`` on."""
    lowered: str | None = ""
    for clause in _clauses(pattern):
        for kind, needle in clause:
            if kind == LIT:
                if text.find(needle, pos) >= 0:
                    break
            elif kind == LOW:
                if lowered == "":
                    lowered = _lowered(text)
                if lowered is None or lowered.find(needle, pos) >= 0:
                    break
            elif DIGIT_RE.search(text, pos):
                break
        else:
            return False
    return True


def finditer(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    return pattern.finditer(text) if may_match(pattern, text) else iter(())


def search(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    return pattern.search(text) if may_match(pattern, text) else None


@lru_cache(maxsize=8)
def _lowered(text: str) -> str | None:
    """The text lower-cased as ``re`` compares it under IGNORECASE, else ``None``."""
    if not text.isascii() and not all(map(_plain, set(text))):
        return None
    return text.lower()


@cache
def _plain(ch: str) -> bool:
    """Whether ``ch`` may stand in a needle or a lowered text: ASCII (``re`` folds an ASCII
    letter with a non-ASCII one, "i" with "ı", only when that one is in the text, which
    is then not plain), or its lower case is the one character ``re`` folds it to and no
    other character folds to it in ``re`` without lowering to it too."""
    if ch.isascii():
        return True
    low = ch.lower()
    return len(low) == 1 and ord(low) == _SRE.unicode_tolower(ord(ch)) and ord(low) not in _FOLDED


_MEMORY = 8192  # patterns whose clauses are remembered
_remembered: dict[int, tuple[re.Pattern[str], tuple[Clause, ...]]] = {}  # id -> both


def _clauses(pattern: re.Pattern[str]) -> tuple[Clause, ...]:
    """:func:`_read_clauses`, remembered by the pattern's identity: hashing a pattern
    hashes its compiled code (2-3 µs for a phrase pattern, as long as the check itself)."""
    found = _remembered.get(id(pattern))
    if found is None or found[0] is not pattern:
        if len(_remembered) >= _MEMORY:
            _remembered.clear()
        found = _remembered[id(pattern)] = (pattern, _read_clauses(pattern))
    return found[1]


def _read_clauses(pattern: re.Pattern[str]) -> tuple[Clause, ...]:
    """What every match of ``pattern`` holds: each clause is a choice of atoms, one of
    which is in it.  The strongest few (longest atoms) are kept: checking costs too."""
    if _parser is None:  # pragma: no cover
        return ()
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
    except re.error:  # pragma: no cover - it compiled once
        return ()
    ignorecase = bool(parsed.state.flags & re.IGNORECASE)
    clauses = [cl for cl in _sequence(parsed.data, ignorecase) if len(cl) <= MAX_ATOMS]
    clauses.sort(key=_strength, reverse=True)
    return tuple(clauses[:MAX_CLAUSES])


def _strength(clause: Clause) -> int:
    return min(len(needle) if kind != DIGIT else 1 for kind, needle in clause)


def _sequence(items: list, ignorecase: bool) -> list[Clause]:
    """The clauses of a sequence of parsed items: those of each item, all required."""
    clauses: list[Clause] = []
    runs = [""]  # the literal text read since the last other item, in each of its spellings

    def flush() -> None:
        nonlocal runs
        if all(runs):
            clauses.append(_clause(_literal(run, ignorecase) for run in runs))
        runs = [""]

    for op, av in items:
        if op is c.LITERAL:
            if ignorecase and _SRE.unicode_iscased(av) and not _plain(chr(av)):
                flush()  # a character re folds unlike str.lower: no needle through it
            else:
                runs = [run + chr(av) for run in runs]
            continue
        spelt = _spellings([(op, av)], ignorecase)
        if spelt is not None and len(runs) * len(spelt) <= MAX_ATOMS:
            runs = [run + more for run in runs for more in spelt]  # "art(?:icles?|s?\.)"
            continue
        flush()
        if op is c.SUBPATTERN:
            _, add, remove, sub = av
            clauses += _sequence(sub, bool((ignorecase or add & re.IGNORECASE)
                                           and not remove & re.IGNORECASE))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            low, _, sub = av
            if low >= 1:
                clauses += _sequence(sub, ignorecase)
        elif op is c.ATOMIC_GROUP:
            clauses += _sequence(av, ignorecase)
        elif op is c.BRANCH:
            alternatives = [_sequence(alt, ignorecase) for alt in av[1]]
            if all(alternatives):
                clauses.append(_clause(
                    atom for alt in alternatives for atom in max(alt, key=_strength)))
        elif op is c.IN and av == [(c.CATEGORY, c.CATEGORY_DIGIT)]:
            clauses.append(((DIGIT, ""),))
        elif op is c.IN and all(kind is c.LITERAL and not (
                ignorecase and _SRE.unicode_iscased(ch)) for kind, ch in av):
            clauses.append(tuple((LIT, chr(ch)) for _, ch in av))  # "[(（]"
        # anything else (classes, any character, anchors, lookarounds) requires nothing
    flush()
    return clauses


def _clause(atoms: Iterable[Atom]) -> Clause:
    """A choice of atoms without those that hold another ("recommends" holds "recommend")."""
    unique = list(dict.fromkeys(atoms))
    return tuple(a for a in unique if a[0] == DIGIT or not any(
        b != a and b[0] == a[0] and b[1] in a[1] for b in unique))


def _spellings(items: list, ignorecase: bool) -> list[str] | None:
    """Every text a sequence of literals, optional literals ("s?") and branches of them
    matches, or ``None`` if it holds anything else."""
    out = [""]
    for op, av in items:
        if op is c.LITERAL and not (ignorecase and _SRE.unicode_iscased(av)
                                    and not _plain(chr(av))):
            out = [text + chr(av) for text in out]
        elif op is c.MAX_REPEAT and av[:2] == (0, 1):
            more = _spellings(av[2], ignorecase)
            if more is None:
                return None
            out = [text + m for text in out for m in ["", *more]]
        elif op is c.BRANCH:
            alternatives = [_spellings(alt, ignorecase) for alt in av[1]]
            if any(alt is None for alt in alternatives):
                return None
            out = [text + m for text in out for alt in alternatives if alt for m in alt]
        else:
            return None
        if len(out) > MAX_ATOMS:
            return None
    return list(dict.fromkeys(out))


def _literal(run: str, ignorecase: bool) -> Atom:
    if not ignorecase or not any(_SRE.unicode_iscased(ord(ch)) for ch in run):
        return (LIT, run)
    return (LOW, run.lower())
