"""Per paragraph, three independent flags: recommendation, concern, positive aspect.

The verbs are phrase data (``[flags]`` in each language file); titles and quotations are
stripped first so that a document called "Recommended Principles…" is not a
recommendation of the Committee.
"""
from __future__ import annotations

import re
from functools import cache

from rightsgraph.extract import prefilter
from rightsgraph.extract.language import Phrases
from rightsgraph.extract.model import Paragraph

FLAGS = ("recommendation", "concern", "positive")


def set_flags(paragraph: Paragraph, phrases: Phrases) -> None:
    text = paragraph.text
    for strip in _strip(phrases):
        text = strip.sub(" ", text)
    for flag in FLAGS:
        pattern = phrases.any_of("flags", flag)
        setattr(paragraph, flag, bool(pattern and prefilter.search(pattern, text)))


@cache
def _strip(phrases: Phrases) -> tuple[re.Pattern[str], ...]:
    """``[flags] strip``, compiled once per language."""
    return tuple(re.compile(p) for p in phrases.raw("flags", "strip", []))
