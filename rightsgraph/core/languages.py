"""The six official languages of the United Nations, as the graph tags them."""
from __future__ import annotations

import unicodedata
from typing import Literal, get_args

Language = Literal["en", "fr", "es", "ru", "zh", "ar"]
"""A UN language, as a type (FastAPI validates query parameters against it)."""
LANGUAGES: tuple[str, ...] = get_args(Language)
"""In the UN's order of display: English, French, Spanish, Russian, Chinese, Arabic."""
NAMES: dict[str, str] = {"en": "English", "fr": "French", "es": "Spanish", "ru": "Russian",
                         "zh": "Chinese", "ar": "Arabic"}
"""Each language's English name (ISO 639-1), for pages that say which versions are held."""
RTL = frozenset({"ar"})
"""Languages written right to left."""

SCRIPTS: dict[str, tuple[str, ...]] = {
    "LATIN": ("en", "fr", "es"), "CYRILLIC": ("ru",), "CJK": ("zh",), "ARABIC": ("ar",)}
"""The UN languages written in each script, by the first word of a letter's Unicode name."""


def written_in(text: str) -> set[str]:
    """The UN languages whose script ``text``'s letters are written in (``migration`` → en, fr,
    es; ``移民`` → zh); empty when it has no letter of those scripts."""
    found: set[str] = set()
    for char in text:
        if char.isalpha():
            found.update(SCRIPTS.get(unicodedata.name(char, "").split(" ", 1)[0], ()))
    return found
