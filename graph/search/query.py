"""The query language of full-text search, parsed into a small tree.

    migrant workers            both words (AND is implied)
    "national strategy"        a phrase
    migrants OR refugees       either; AND, OR, NOT in capitals; parentheses group
    detention -children        NOT children (also: NOT children)
    migra*                     a prefix (at least two letters; 64 expansions at most)
    committee:CMW article:ICRMW/76 year:2021 lang:fr kind:recommendation
                               field filters, one per facet in facets.toml, and
                               document:CMW/C/AZE/CO/3

A word is found in every language the index holds: it is analysed per language (stemmed,
folded) when the query runs.  :class:`QueryError` names what is wrong with a bad query.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rightsgraph.core.errors import UsageError

MAX_LENGTH = 500
MAX_CLAUSES = 24
MIN_PREFIX = 2


class QueryError(UsageError, ValueError):
    """A query that cannot run; the message says what is wrong and what to write instead."""


@dataclass(frozen=True)
class Words:
    """Words or a phrase: found where they stand in this order (one word: anywhere)."""

    text: str
    phrase: bool = False


@dataclass(frozen=True)
class Prefix:
    text: str


@dataclass(frozen=True)
class Filter:
    field: str
    value: str


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Words | Prefix | Filter | Not | And | Or

_LEXEME = re.compile(r"""
    \s*(?:
      (?P<open>\()|(?P<close>\))
    | (?P<minus>-)(?=[^\s)])
    | "(?P<phrase>[^"]*)"?
    | (?P<field>[a-z_]+):(?:"(?P<quoted>[^"]*)"?|(?P<value>[^\s()"]+))
    | (?P<empty>[a-z_]+):(?=[\s()]|$)
    | (?P<word>[^\s()"]+)
    )""", re.VERBOSE)


def _lex(text: str) -> list[tuple[str, str]]:
    out, at = [], 0
    text = text.strip()
    while at < len(text):
        match = _LEXEME.match(text, at)
        if not match or match.end() == at:  # pragma: no cover - the word rule takes anything
            raise QueryError(f"cannot read the query at {text[at:at + 20]!r}")
        at = match.end()
        kind = match.lastgroup or ""
        if kind in ("quoted", "value"):
            out.append(("field", f"{match['field']}:{match[kind]}"))
        elif kind == "phrase":
            if not match.group(0).rstrip().endswith('"') or match.group(0).count('"') < 2:
                raise QueryError('a phrase is not closed: add the second " (as in '
                                 '"national strategy")')
            out.append(("phrase", match["phrase"]))
        elif kind == "empty":  # `field:` and nothing after it
            out.append(("field", f"{match['empty']}:"))
        else:
            out.append((kind, match[kind] if kind == "word" else ""))
    return out


class _Parser:
    def __init__(self, lexemes: list[tuple[str, str]], fields: set[str]) -> None:
        self.lexemes = lexemes
        self.at = 0
        self.fields = fields
        self.clauses = 0

    def peek(self) -> tuple[str, str] | None:
        return self.lexemes[self.at] if self.at < len(self.lexemes) else None

    def take(self) -> tuple[str, str]:
        lexeme = self.lexemes[self.at]
        self.at += 1
        return lexeme

    def operator(self, name: str) -> bool:
        return self.peek() == ("word", name)

    def parse(self) -> Node:
        node = self.either()
        if self.peek() is not None:
            raise QueryError("a closing parenthesis has no opening one")
        return node

    def either(self) -> Node:
        children = [self.both()]
        while self.operator("OR"):
            self.take()
            children.append(self.both())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def both(self) -> Node:
        children = [self.unary()]
        while (lexeme := self.peek()) is not None and lexeme[0] != "close" \
                and not self.operator("OR"):
            if self.operator("AND"):
                self.take()
            children.append(self.unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Node:
        lexeme = self.peek()
        if lexeme is None:
            raise QueryError("the query ends where a word was expected (after AND, OR, NOT "
                             "or an opening parenthesis)")
        if lexeme[0] == "minus" or self.operator("NOT"):
            self.take()
            return Not(self.unary())
        return self.atom()

    def atom(self) -> Node:
        kind, text = self.take()
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise QueryError(f"the query has more than {MAX_CLAUSES} words, phrases and "
                             "filters; shorten it")
        if kind == "open":
            node = self.either()
            if self.peek() != ("close", ""):
                raise QueryError("an opening parenthesis is not closed")
            self.take()
            return node
        if kind == "close":
            raise QueryError("a closing parenthesis has no opening one")
        if kind in ("word",) and text in ("AND", "OR"):
            raise QueryError(f"{text} needs a word on each side")
        if kind == "phrase":
            if not text.strip():
                raise QueryError('an empty phrase ""; put words between the quotes')
            return Words(" ".join(text.split()), phrase=True)
        if kind == "field":
            name, _, value = text.partition(":")
            if name not in self.fields:
                raise QueryError(f"unknown field {name}: (the fields are "
                                 f"{', '.join(f + ':' for f in sorted(self.fields))})")
            if not value.strip():
                raise QueryError(f"{name}: needs a value, as in {name}:{_EXAMPLES.get(name, 'X')}")
            return Filter(name, value.strip())
        if text.endswith("*"):
            stem = text.rstrip("*")
            if len(stem) < MIN_PREFIX or "*" in stem:
                raise QueryError(f"{text!r}: a prefix needs at least {MIN_PREFIX} characters "
                                 "before a single final *")
            return Prefix(stem)
        return Words(text)


_EXAMPLES = {"committee": "CMW", "state": "AZE", "article": "ICRMW/76", "sdg": "10.7",
             "ilo": "C097", "gc": "CMW/GC/5", "kind": "recommendation", "lang": "fr",
             "year": "2021", "document": "CMW/C/AZE/CO/3"}


def parse(text: str, fields: set[str]) -> Node:
    """The tree of a query; ``fields`` are the field filters allowed (the facet names).
    Raises :class:`QueryError` for an empty, too long or malformed query."""
    if len(text) > MAX_LENGTH:
        raise QueryError(f"the query is {len(text)} characters long; at most {MAX_LENGTH}")
    if not text.strip():
        raise QueryError("the query is empty: give a word, a \"phrase\" or a filter such "
                         "as committee:CMW")
    node = _Parser(_lex(text), fields).parse()
    if not _positive(node):
        raise QueryError("the query only excludes (NOT or -): add a word or a filter to "
                         "search for, as in migrants -children")
    return node


def _positive(node: Node) -> bool:
    """Whether the query asks for something, not only for what to leave out."""
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_positive(child) for child in node.children)
    if isinstance(node, Or):
        return all(_positive(child) for child in node.children)
    return True


def words_of(node: Node) -> list[Words | Prefix]:
    """The words, phrases and prefixes a query looks for (not those it excludes): what a
    snippet highlights."""
    if isinstance(node, (Words, Prefix)):
        return [node]
    if isinstance(node, (And, Or)):
        return [w for child in node.children for w in words_of(child)]
    return []


def filters_of(node: Node) -> list[Filter]:
    """The field filters a query requires (top level AND)."""
    if isinstance(node, Filter):
        return [node]
    if isinstance(node, And):
        return [f for child in node.children if isinstance(child, Filter) for f in [child]]
    return []
