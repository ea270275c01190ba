"""The six official languages of the United Nations, as the graph tags them."""
from __future__ import annotations

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
