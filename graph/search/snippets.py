"""Snippets: the stretch of a paragraph's text where the query's words are densest, with
the spans of the words to highlight (found by the same analysis as the index, so
``migrants`` highlights ``migrant``, ``Migration`` and, in Chinese, each character pair)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from rightsgraph.graph.search import analysis
from rightsgraph.graph.search.query import Prefix, Words

WIDTH = 240


def snippet(text: str, lang: str, wanted: Sequence[Words | Prefix], width: int = WIDTH,
            ) -> tuple[str, list[tuple[int, int]]]:
    """About ``width`` characters of ``text`` (whitespace collapsed) around the most
    matches of ``wanted``, and the ``[start, end)`` spans of those matches in it."""
    text = " ".join(text.split())
    words, starts, ends = analysis.term_spans(text, lang)
    spans = []
    for want in wanted:
        if isinstance(want, Prefix):
            prefix = analysis.normalise(want.text, lang, stem=False)
            spans += [(starts[i], ends[i]) for i, word in enumerate(words)
                      if prefix and word.startswith(prefix)]
            continue
        sequence = query_terms(want.text, lang)
        n = len(sequence)
        spans += [(starts[i], ends[i + n - 1]) for i in _starts(words, sequence)
                  if _same(words[i:i + n], sequence)]
    spans = _merged(spans)
    if analysis.han_share(text) > 0.5:
        width //= 2  # Han characters are twice as wide as Latin ones
    if len(text) <= width:
        return text, spans
    start = _best_window(spans, width, len(text))
    start = _word_start(text, start)
    end = min(len(text), start + width)
    while end < len(text) and not text[end].isspace() and end - start < width + 20:
        end += 1
    lead = "…" if start else ""
    shown = lead + text[start:end].strip() + ("…" if end < len(text) else "")
    shift = len(lead) - start
    inside = [(a + shift, b + shift) for a, b in spans if a >= start and b <= end]
    return shown, inside


@lru_cache(maxsize=1024)
def query_terms(words: str, lang: str) -> tuple[str, ...]:
    """The terms of a query's words in one language (the same for every paragraph)."""
    return tuple(t.text for t in analysis.terms(words, lang))


def _starts(words: list[str], sequence: tuple[str, ...]) -> Iterable[int]:
    """Where in ``words`` a match of ``sequence`` may start: where its first term stands
    (everywhere it fits when that term is a lone Han character, which may end a pair)."""
    n = len(sequence)
    if not n:
        return ()
    last = len(words) - n
    if len(sequence[0]) == 1 and analysis.is_han(sequence[0]):
        return range(last + 1)
    first = sequence[0]
    return (i for i, word in enumerate(words) if word == first and i <= last)


def _same(terms: list[str], sequence: tuple[str, ...]) -> bool:
    """Whether ``terms`` of a text are the query's ``sequence``, a lone Han character at
    either end of it standing for a pair that starts or ends with it."""
    last = len(sequence) - 1
    for k, (term, want) in enumerate(zip(terms, sequence, strict=True)):
        if term == want:
            continue
        lone = len(want) == 1 and analysis.is_han(want)
        if (lone and k == 0 and term.endswith(want)) or (lone and k == last
                                                         and term.startswith(want)):
            continue
        return False
    return True


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _best_window(spans: list[tuple[int, int]], width: int, length: int) -> int:
    if not spans:
        return 0
    best, best_count, j = spans[0][0], 0, 0
    for i, (a, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] <= a + width:
            j += 1
        if j - i > best_count:
            best, best_count = a, j - i
    return max(0, min(best - width // 4, length - width))


def _word_start(text: str, at: int) -> int:
    while 0 < at < len(text) and not text[at - 1].isspace() and at > 0 \
            and not analysis.is_han(text[at]):
        at -= 1
    return at
