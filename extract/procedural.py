"""Procedural paragraphs: the next report, dissemination, the follow-up procedure, the general
call to ratify the treaties not yet ratified, technical assistance for the observations.

Every concluding observation ends with them, so they recur from cycle to cycle and body to
body without being an ask on substance; the recurrence view shows them apart.  The words are
phrase data (``[procedural]`` in each language file: ``headings`` matched from a heading's
start, ``text`` anywhere in the paragraph; each key a kind).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from rightsgraph.extract.language import phrase_data

KINDS = ("reporting", "dissemination", "follow_up", "ratification", "assistance")


@cache
def _patterns(language: str, where: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    table = phrase_data(language).get("procedural", {}).get(where, {})
    anchor = "^" if where == "headings" else ""
    return tuple((kind, re.compile("|".join(f"{anchor}(?:{p})" for p in table[kind]),
                                   re.IGNORECASE))
                 for kind in KINDS if table.get(kind))


def procedural_kind(language: str, text: str, headings: Iterable[str] = ()) -> str | None:
    """The kind of procedural paragraph this is (a key of :data:`KINDS`), or ``None`` for a
    paragraph on substance.  ``headings``: the headings it sits under, innermost first, in
    ``language``; the innermost that names a kind decides, then the text."""
    for heading in headings:
        heading = re.sub(r"\s+", " ", heading).strip()
        for kind, pattern in _patterns(language, "headings"):
            if pattern.search(heading):
                return kind
    for kind, pattern in _patterns(language, "text"):
        if pattern.search(text):
            return kind
    return None
