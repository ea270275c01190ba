"""Source adapters: where a document in a language is asked for.

The URL templates are data (``sources.toml``, each one cited); this module fills them in and,
for a landing page, picks the link of the wanted language.  A user's own template
(``--source 'https://mirror.example/{language}/{symbol}'``) is a source of kind ``file``.
"""
from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

from rightsgraph.core.errors import RightsgraphError
from rightsgraph.core.resources import package_path

PLACEHOLDERS = {"symbol", "symbol_encoded", "language", "un_language"}


class SourceError(RightsgraphError, ValueError):
    """A source or template is not usable; the message says why."""


@dataclass(frozen=True)
class Source:
    name: str
    kind: str  # "file" or "landing"
    template: str
    description: str = ""
    link_host: str | None = None
    link_title: str | None = None
    formats: tuple[str, ...] = ()

    @property
    def host(self) -> str:
        return urlsplit(self.template.split("{", 1)[0] + "x").netloc or "?"

    def url(self, symbol: str, language: str) -> str:
        values = {
            "symbol": symbol,
            "symbol_encoded": quote(symbol, safe=""),
            "language": language,
            "un_language": config()["un_languages"][language],
        }
        return self.template.format(**values)

    def links(self, page: str, base_url: str, language: str) -> list[str]:
        """The links of a landing page to the document in ``language``, best format first."""
        if self.link_title is None:
            raise SourceError(f"source {self.name}: a landing page source needs link_title")
        name = config()["language_names"][language]
        anchors = _anchors(page)
        found: list[str] = []
        for fmt in self.formats:
            title = re.compile(
                self.link_title.format(language_name=re.escape(name), format=re.escape(fmt))
                + r"\b", re.IGNORECASE)
            for title_text, href in anchors:
                url = urljoin(base_url, href)
                if (urlsplit(url).hostname == self.link_host and title.search(title_text)
                        and url not in found):
                    found.append(url)
        return found


@cache
def config() -> dict[str, Any]:
    with open(package_path("rightsgraph.fetch", "sources.toml"), "rb") as fh:
        return tomllib.load(fh)


def builtin_sources() -> dict[str, Source]:
    out = {}
    for name, data in config()["sources"].items():
        out[name] = Source(name=name, kind=data["kind"], template=data["template"],
                           description=data.get("description", ""),
                           link_host=data.get("link_host"), link_title=data.get("link_title"),
                           formats=tuple(data.get("formats", ())))
    return out


def user_source(template: str, n: int = 1) -> Source:
    """A source from a user's template; :class:`SourceError` if it cannot name a document."""
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as err:
        raise SourceError(f"--source {template!r}: {err}") from err
    unknown = fields - PLACEHOLDERS
    if unknown:
        raise SourceError(f"--source {template!r}: unknown placeholder "
                          f"{', '.join('{' + f + '}' for f in sorted(unknown))}; use "
                          f"{', '.join('{' + f + '}' for f in sorted(PLACEHOLDERS))}")
    if not fields & {"symbol", "symbol_encoded"}:
        raise SourceError(f"--source {template!r}: needs {{symbol}} or {{symbol_encoded}}")
    if urlsplit(template).scheme not in ("http", "https"):
        raise SourceError(f"--source {template!r}: not an http(s) URL")
    return Source(name=f"user-{n}", kind="file", template=template,
                  description="template given with --source")


def ordered_sources(names: list[str] | None, templates: list[str]) -> list[Source]:
    """The user's templates first, then the built-in sources in ``names`` order (default: the
    data file's ``order``; ``names=[]`` with templates means the templates only)."""
    builtin = builtin_sources()
    chosen = config()["order"] if names is None else names
    unknown = [name for name in chosen if name not in builtin]
    if unknown:
        raise SourceError(f"unknown source {', '.join(unknown)}; known: {', '.join(builtin)}")
    users = [user_source(t, i) for i, t in enumerate(templates, 1)]
    if templates and names is None:
        return users
    if not users and not chosen:
        raise SourceError("no source to ask: give --sources NAME,… or --source TEMPLATE")
    return [*users, *(builtin[name] for name in chosen)]


def check_symbol(symbol: str) -> str:
    """Refuse what cannot be a UN symbol before it goes into a URL."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9./()\-]*[A-Za-z0-9)]", symbol) or ".." in symbol:
        raise SourceError(f"{symbol!r} is not a UN document symbol (like CMW/C/AZE/CO/3)")
    return symbol


class _AnchorParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[tuple[str, str]] = []
        self._open: tuple[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            values = dict(attrs)
            if values.get("href"):
                self._open = (values.get("title") or "", values["href"] or "")
                self._text = []

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            title, href = self._open
            self.anchors.append((" ".join([title, *self._text]).strip(), href))
            self._open = None


def _anchors(page: str) -> list[tuple[str, str]]:
    parser = _AnchorParser()
    parser.feed(page)
    parser.close()
    return parser.anchors
