"""The ``rightsgraph`` command line.

Exit codes: 0 success, 1 a file could not be processed (the message names it), 2 bad
arguments.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__

FORMATS = ("ttl", "nt", "jsonld", "json", "csv", "trig", "nq")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rightsgraph", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"rightsgraph {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    extract = commands.add_parser(
        "extract", help="extract concluding observations into the model, links or RDF")
    extract.add_argument("files", nargs="+", metavar="FILE")
    extract.add_argument("--format", "-f", choices=FORMATS, default="ttl")
    extract.add_argument("-o", "--output", metavar="OUT", help="write here instead of stdout")
    extract.add_argument("--language", help="override language detection (en, zh, …)")
    extract.add_argument("--quiet", "-q", action="store_true", help="do not print warnings")
    build = commands.add_parser(
        "build", help="extract every file under PATH into one RDF dataset and summarise it")
    build.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (recursive)")
    build.add_argument("-o", "--output", default="out/graph.trig",
                       help="TriG file to write (default: %(default)s)")
    validate = commands.add_parser(
        "validate", help="validate RDF files against the SHACL shapes and the registries "
        "(exit 0 conforms, 1 does not, 2 could not run)")
    validate.add_argument("files", nargs="+", metavar="FILE",
                          help="RDF in any format rdflib reads (ttl, nt, nq, trig, jsonld, rdf)")
    validate.add_argument("--format", "-f", choices=("text", "json"), default="text",
                          help="report format (default: %(default)s)")
    registries = commands.add_parser(
        "registries", help="write the registries as SKOS concept schemes")
    registries.add_argument("--format", "-f", choices=("ttl", "nt", "jsonld"), default="ttl")
    registries.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    args = parser.parse_args(argv)
    if args.command == "registries":
        return _registries(args)
    if args.command == "extract":
        return _extract(args)
    if args.command == "build":
        return _build(args)
    if args.command == "validate":
        return _validate(args)
    return 2  # pragma: no cover - argparse enforces the subcommand


def _extract(args: argparse.Namespace) -> int:
    from .extract.output import to_csv, to_json
    from .extract.pipeline import ExtractionError, extract_file

    docs = []
    failed = False
    for name in args.files:
        try:
            doc = extract_file(name, language=args.language)
        except ExtractionError as err:
            print(f"rightsgraph: error: {err}", file=sys.stderr)
            failed = True
            continue
        if not args.quiet:
            for warning in doc.warnings:
                print(f"rightsgraph: warning: {warning}", file=sys.stderr)
        docs.append(doc)
    if failed and not docs:
        return 1
    if args.format == "json":
        text = to_json(docs)
    elif args.format == "csv":
        text = to_csv(docs)
    else:
        from .extract.rdf import serialize

        text = serialize(docs, args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 1 if failed else 0


def _registries(args: argparse.Namespace) -> int:
    from .extract.rdf import RDF_FORMATS
    from .graph.skos import registries_graph

    text = registries_graph().serialize(format=RDF_FORMATS[args.format])
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _build(args: argparse.Namespace) -> int:
    """Extract a corpus; the output file is replaced only when every file extracted."""
    import os
    import tempfile
    from collections import Counter

    from .extract.output import link_rows
    from .extract.pipeline import ExtractionError, extract_file
    from .extract.rdf import dataset
    from .extract.readers import SUFFIXES

    files = sorted({f for p in map(Path, args.paths)
                    for f in ([p] if p.is_file() else p.rglob("*"))
                    if f.is_file() and f.suffix.lower() in SUFFIXES})
    if not files:
        print(f"rightsgraph: error: no {'/'.join(SUFFIXES)} files under {' '.join(args.paths)}",
              file=sys.stderr)
        return 1
    docs, errors = [], 0
    for number, path in enumerate(files, 1):
        try:
            docs.append(extract_file(path))
        except ExtractionError as err:
            print(f"rightsgraph: error: {err}", file=sys.stderr)
            errors += 1
        if len(files) > 20 and number % 20 == 0:
            print(f"  {number}/{len(files)} files", file=sys.stderr)
    if errors:
        print(f"rightsgraph: {errors} of {len(files)} files failed; {args.output} left as it was",
              file=sys.stderr)
        return 1
    data = dataset(docs)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=out.parent, delete=False, suffix=".tmp",
                                     encoding="utf-8") as tmp:
        tmp.write(data.serialize(format="trig"))
    os.replace(tmp.name, out)
    links = Counter(row["relation"] for doc in docs for row in link_rows(doc))
    warnings = sum(len(doc.warnings) for doc in docs)
    print(f"{len(docs)} documents, {sum(len(d.paragraphs) for d in docs)} paragraphs, "
          f"{len(data)} triples -> {out}")
    print("links: " + ", ".join(f"{kind} {n}" for kind, n in sorted(links.items())))
    print(f"warnings: {warnings}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    """Each file is validated on its own; exit 1 if any does not conform."""
    import json
    import logging

    from .graph.rdfio import RdfReadError, read_rdf

    # rdflib logs every ill-typed literal it reads; the report names them instead
    logging.getLogger("rdflib.term").setLevel(logging.ERROR)
    from .graph.validate import validate

    reports = {}
    for name in args.files:
        try:
            data = read_rdf(name)
        except RdfReadError as err:
            print(f"rightsgraph: error: {err}", file=sys.stderr)
            return 2
        reports[name] = validate(data)
    if args.format == "json":
        out = {name: {"conforms": report.conforms,
                      "results": [vars(result) for result in report.results]}
               for name, report in reports.items()}
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for name, report in reports.items():
            verdict = "conforms" if report.conforms else "does not conform"
            print(f"{name}: {verdict} ({len(report.violations)} violations, "
                  f"{len(report.warnings)} warnings)")
            for result in report.results:
                print(f"  {result}")
    return 0 if all(report.conforms for report in reports.values()) else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
