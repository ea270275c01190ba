"""Reading RDF files in any of the usual formats, with errors that name the file."""
from __future__ import annotations

from pathlib import Path

from rdflib import Dataset

SUFFIXES = {
    ".ttl": "turtle", ".turtle": "turtle", ".nt": "nt", ".ntriples": "nt", ".nq": "nquads",
    ".trig": "trig", ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".owl": "xml",
    ".xml": "xml", ".n3": "n3",
}


class RdfReadError(Exception):
    """An RDF file could not be read."""


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
                data.parse(fh, format=fmt, publicID=path.resolve().as_uri())
        else:
            data.parse(path, format=fmt)
    except Exception as err:  # noqa: BLE001 - rdflib's parsers raise many kinds
        raise RdfReadError(f"{path}: not valid {fmt}: {err}") from None
    return data
