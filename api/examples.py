"""The example SPARQL queries (``api/queries/*.rq``) that the editor opens as tabs and the
README lists.  Each file starts with a comment header: a title line, then a description."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rightsgraph.core.resources import package_path

QUERIES = package_path("rightsgraph.api", "queries")


@dataclass(frozen=True)
class ExampleQuery:
    name: str  # the file's stem
    title: str
    description: str
    text: str


def parse_example(path: Path) -> ExampleQuery:
    text = path.read_text(encoding="utf-8")
    header = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#"):
            break
        header.append((number, line[1:].strip()))
    if not header or not header[0][1]:
        raise ValueError(f"{path}:1: an example query starts with a '# title' line")
    description = " ".join(line for _, line in header[1:] if line)
    return ExampleQuery(path.stem, header[0][1], description, text)


def example_queries(folder: Path = QUERIES) -> list[ExampleQuery]:
    """The example queries, in file-name order (the files are numbered)."""
    return [parse_example(path) for path in sorted(folder.glob("*.rq"))]
