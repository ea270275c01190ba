"""Values put into SPARQL query texts: IRIs checked, literals escaped, in one place.

Every IRI or string that the code writes into a query passes through :func:`iri` or
:func:`literal`, which return a :data:`Term` (the value in SPARQL syntax).  :func:`bind`
then substitutes terms for variables of a query written as plain SPARQL, as rdflib's
``initBindings`` or pyoxigraph's ``substitutions`` do, but as text, so that the query can go
to any store (the worker pool, a remote endpoint)::

    >>> bind("SELECT ?label WHERE { ?this skos:prefLabel ?label }",
    ...      this=iri("https://rightsgraph.org/treaty/ICRMW"))
    'SELECT ?label WHERE { <https://rightsgraph.org/treaty/ICRMW> skos:prefLabel ?label }'
    >>> literal('say "no"')
    '"say \\\\"no\\\\""'
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NewType

from rightsgraph.core.errors import RightsgraphError

Term = NewType("Term", str)
"""An IRI, literal or number in SPARQL syntax, made by :func:`iri`, :func:`literal` or
:func:`integer`: safe to put anywhere a term may stand in a query."""

# The characters IRIREF excludes (SPARQL 1.1 grammar, rule 139): controls, space, <>"{}|^`\
_NOT_IN_IRIREF = re.compile(r'[\x00-\x20<>"{}|^`\\]')
# Strings, IRIs and comments, whose text is not variables; then a variable (?name, $name).
_OPAQUE_OR_VARIABLE = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r"|<[^<>\s]*>|#[^\n]*|[?$](?P<name>\w+)"
)
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]+(?:-[A-Za-z0-9]+)*$")


class UnsafeIriError(RightsgraphError, ValueError):
    """A text that cannot stand between ``<`` and ``>`` in SPARQL."""

    def __init__(self, value: str) -> None:
        super().__init__(f"not an IRI: {value!r}")
        self.value = value


def safe_iri(text: str) -> bool:
    """Whether ``text`` can stand between ``<`` and ``>`` in SPARQL."""
    return bool(text) and not _NOT_IN_IRIREF.search(text)


def iri(value: str) -> Term:
    """``<value>``; raises :class:`UnsafeIriError` if ``value`` is empty or holds a
    character IRIs exclude (so no value can end the IRI and add to the query)."""
    text = str(value)
    if not safe_iri(text):
        raise UnsafeIriError(text)
    return Term(f"<{text}>")


def literal(value: str, language: str | None = None) -> Term:
    """A string literal (``"…"``, with ``@language`` if given), escaped."""
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r"))
    if language is None:
        return Term(f'"{escaped}"')
    if not _LANGUAGE_TAG.match(language):
        raise ValueError(f"not a language tag: {language!r}")
    return Term(f'"{escaped}"@{language}')


def integer(value: int) -> Term:
    """An integer literal (``bool`` and other types are refused)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"not an integer: {value!r}")
    return Term(str(value))


def values(variable: str, iris: Iterable[str]) -> Term:
    """``VALUES ?variable { <a> <b> … }`` for IRIs (each checked)."""
    if not re.fullmatch(r"\w+", variable):
        raise ValueError(f"not a variable name: {variable!r}")
    return Term(f"VALUES ?{variable} {{ {' '.join(iri(i) for i in iris)} }}")


def bind(query: str, **bindings: Term) -> str:
    """``query`` with each variable named in ``bindings`` (``?name`` or ``$name``) replaced
    by its term.  Strings, IRIs and comments of the query are left alone.  Raises
    ``ValueError`` when a binding names a variable the query does not use."""
    unused = set(bindings)

    def substitute(match: re.Match[str]) -> str:
        name = match.group("name")
        if name is None or name not in bindings:
            return match.group(0)
        unused.discard(name)
        return bindings[name]

    text = _OPAQUE_OR_VARIABLE.sub(substitute, query)
    if unused:
        raise ValueError(f"the query has no variable {', '.join(sorted(unused))}")
    return text
