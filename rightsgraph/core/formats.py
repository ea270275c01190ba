"""Every serialisation rightsgraph reads or writes, in one table: RDF formats and SPARQL
results formats, each with the one name used everywhere (``--format`` on the command line,
``?format=`` on the web), its media type, file suffixes, and the names rdflib and pyoxigraph
give it.

RDF/XML is ``rdf``: ``xml`` is an alias of it for RDF (``rightsgraph query --format xml`` on
a CONSTRUCT), while for SELECT and ASK results ``xml`` is the SPARQL results XML format.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    name: str  # the command-line and ?format= name
    label: str
    media_type: str
    suffixes: tuple[str, ...]  # the first is the one written
    kind: Literal["rdf", "results"]
    rdflib: str | None = None  # rdflib's parser/serializer name (RDF only)
    aliases: tuple[str, ...] = ()  # other names accepted for it

    @property
    def oxigraph(self) -> ox.RdfFormat | ox.QueryResultsFormat:
        """pyoxigraph's format object."""
        found: ox.RdfFormat | ox.QueryResultsFormat | None
        if self.kind == "rdf":
            found = ox.RdfFormat.from_media_type(self.media_type)
        else:
            found = ox.QueryResultsFormat.from_media_type(self.media_type)
        if found is None:  # pragma: no cover - the table is tested against pyoxigraph
            raise LookupError(f"pyoxigraph has no format for {self.media_type}")
        return found

    @property
    def rdf_format(self) -> ox.RdfFormat:
        """pyoxigraph's RDF format (``TypeError`` for a results format)."""
        found = self.oxigraph
        if not isinstance(found, ox.RdfFormat):
            raise TypeError(f"{self.name} is not an RDF format")
        return found

    @property
    def rdflib_name(self) -> str:
        """rdflib's parser/serializer name (``TypeError`` for a results format)."""
        if self.rdflib is None:
            raise TypeError(f"{self.name} is not an RDF format")
        return self.rdflib

    @property
    def datasets(self) -> bool:
        """Whether it holds named graphs (quads), not only triples."""
        return self.kind == "rdf" and self.rdf_format.supports_datasets


# In order of preference: the first RDF format answers */* for CONSTRUCT and DESCRIBE, the
# first results format for SELECT and ASK.
RDF: tuple[Format, ...] = (
    Format("ttl", "Turtle", "text/turtle", (".ttl", ".turtle"), "rdf", "turtle", ("turtle",)),
    Format("jsonld", "JSON-LD", "application/ld+json", (".jsonld", ".json"), "rdf", "json-ld"),
    Format("nt", "N-Triples", "application/n-triples", (".nt", ".ntriples"), "rdf", "nt"),
    Format("rdf", "RDF/XML", "application/rdf+xml", (".rdf", ".owl", ".xml"), "rdf", "xml",
           ("xml",)),
    Format("nq", "N-Quads", "application/n-quads", (".nq",), "rdf", "nquads"),
    Format("trig", "TriG", "application/trig", (".trig",), "rdf", "trig"),
)
RESULTS: tuple[Format, ...] = (
    Format("json", "SPARQL results JSON", "application/sparql-results+json", (".srj",),
           "results"),
    Format("xml", "SPARQL results XML", "application/sparql-results+xml", (".srx",),
           "results"),
    Format("csv", "SPARQL results CSV", "text/csv", (".csv",), "results"),
    Format("tsv", "SPARQL results TSV", "text/tab-separated-values", (".tsv",), "results"),
)
# Media types clients send for the ones above.
MEDIA_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
    "application/json+ld": "application/ld+json",
}
HTML = "text/html"

# Which formats each use offers, by name.
GRAPHS = ("ttl", "jsonld", "nt", "rdf")  # one graph: a resource's description, a CONSTRUCT
DUMPS = ("nq", "trig", "ttl", "nt", "jsonld")  # rightsgraph export, the store's dump()
EXTRACT = ("ttl", "nt", "jsonld", "trig", "nq")  # rightsgraph extract (also json and csv)
REGISTRIES = ("ttl", "nt", "jsonld")  # rightsgraph registries


def names(table: tuple[Format, ...], chosen: tuple[str, ...] | None = None) -> list[str]:
    """The names (and aliases) of the formats of ``table``, or of those ``chosen`` there:
    the choices of a ``--format`` option."""
    return [alias for f in table if chosen is None or f.name in chosen
            for alias in (f.name, *f.aliases)]


def rdf(name: str) -> Format:
    """The RDF format called ``name`` (or one of its aliases); ``KeyError`` otherwise."""
    return _lookup(RDF, name)


def results(name: str) -> Format:
    """The SPARQL results format called ``name``; ``KeyError`` otherwise."""
    return _lookup(RESULTS, name)


def _lookup(table: tuple[Format, ...], name: str) -> Format:
    for fmt in table:
        if name == fmt.name or name in fmt.aliases:
            return fmt
    raise KeyError(name)


def by_suffix(suffix: str) -> Format | None:
    """The RDF format a file suffix (``.ttl``) names, if any."""
    return next((f for f in RDF if suffix.lower() in f.suffixes), None)


def web_names() -> dict[str, str]:
    """``?format=`` names -> media types: every RDF and results format (``xml`` is SPARQL
    results XML there; RDF/XML is ``rdf``) and ``html``."""
    names = {alias: f.media_type for f in RDF for alias in (f.name, *f.aliases)}
    names |= {f.name: f.media_type for f in RESULTS}
    return names | {"html": HTML}
