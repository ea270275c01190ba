"""Reading RDF files in any of the usual formats, with errors that name the file."""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import IO, cast

from rdflib import Dataset, Graph

from rightsgraph.core import formats
from rightsgraph.core.errors import EXIT_USAGE, RightsgraphError
from rightsgraph.core.resources import ontology_file

# File suffix -> rdflib parser: the formats of the table, and N3 (read, never written).
SUFFIXES = {suffix: f.rdflib for f in formats.RDF for suffix in f.suffixes if f.rdflib} | {
    ".n3": "n3"}


@cache
def ontology() -> Graph:
    """The rightsgraph ontology (``ontology/rightsgraph.ttl``), read once."""
    return Graph().parse(ontology_file(), format="turtle")


class RdfReadError(RightsgraphError):
    """An RDF file could not be read."""

    exit_code = EXIT_USAGE


def rdf_format(path: Path) -> str:
    """The rdflib parser for a file name (a ``.gz`` suffix is looked through)."""
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    try:
        return SUFFIXES[suffixes[-1]]
    except (IndexError, KeyError):
        known = ", ".join(sorted(SUFFIXES))
        raise RdfReadError(f"{path}: unknown RDF format (file name ending one of {known})") \
            from None


def read_rdf(name: str | Path) -> Dataset:
    """A file as a Dataset whose default graph is the union of its graphs."""
    path = Path(name)
    fmt = rdf_format(path)
    if not path.is_file():
        raise RdfReadError(f"{path}: no such file")
    data = Dataset(default_union=True)
    try:
        if path.suffix.lower() == ".gz":
            import gzip

            with gzip.open(path, "rb") as fh:
                # a binary stream, which rdflib's annotation spells IO[bytes]
                data.parse(cast("IO[bytes]", fh), format=fmt, publicID=path.resolve().as_uri())
        else:
            data.parse(path, format=fmt)
    except Exception as err:  # noqa: BLE001 - rdflib's parsers raise many kinds
        raise RdfReadError(f"{path}: not valid {fmt}: {err}") from None
    return data


def union(data: Graph) -> Graph:
    """The triples of every graph of a Dataset as one Graph; any other graph as it is."""
    if not isinstance(data, Dataset):
        return data
    merged = Graph(namespace_manager=data.namespace_manager)
    for graph in data.graphs():
        for triple in graph:
            merged.add(triple)
    return merged
