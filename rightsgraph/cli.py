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
    args = parser.parse_args(argv)
    if args.command == "extract":
        return _extract(args)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
