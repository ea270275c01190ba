"""Measure the link mix of real concluding observations, for the synthetic generator.

    python -m benchmarks.link_mix seeds/*.txt tests/fixtures/en/*.txt -o benchmarks/link_mix.json

Every number in the output is counted by the real extractor on the files named in its
``sources``; ``benchmarks/synthetic.py`` draws from these histograms.  Paragraph 1 (State
report, meetings, summary records) and the last one (next report) are written by the
generator from the document's own metadata, so they are left out of the histograms.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from rightsgraph.core import registries
from rightsgraph.core.links import SCORED
from rightsgraph.extract import extract_file


def measure(paths: list[Path]) -> dict:
    sources = []
    per_kind: dict[str, Counter[int]] = {kind: Counter() for kind in SCORED}
    in_footnote: Counter[str] = Counter()
    total: Counter[str] = Counter()
    relations: Counter[str] = Counter()
    heading_articles: Counter[int] = Counter()
    items: Counter[int] = Counter()
    nested: Counter[str] = Counter()
    footnotes: Counter[int] = Counter()
    flags: Counter[str] = Counter()
    states = set(registries.load().states)
    paragraphs = 0
    documents: set[str] = set()
    chars: list[int] = []
    for path in paths:
        doc = extract_file(path)
        sources.append({"file": path.as_posix(), "sha256": doc.sha256, "symbol": doc.symbol,
                        "paragraphs": len(doc.paragraphs)})
        for heading in doc.headings:
            if heading.level == 2:  # numbered clusters "1. General measures (arts. 2 and 4)"
                heading_articles[sum(r.kind == "article" for r in heading.references)] += 1
        own = {doc.state_party_report, doc.list_of_issues, *doc.summary_records}
        documents.update(r.target for _, _, r in doc.references()
                         if r.kind == "document" and "#" not in r.target and r.target not in own
                         and not states.intersection(r.target.split("/")))
        for paragraph in doc.paragraphs[1:-1]:
            paragraphs += 1
            if doc.language == "en":
                chars.append(len(paragraph.text))
            refs = list(paragraph.references)
            for fid in paragraph.footnotes:
                refs.extend(doc.footnotes[fid].references)
            counts = Counter(r.kind for r in refs if r.kind in SCORED)
            for kind in SCORED:
                per_kind[kind][counts[kind]] += 1
            for ref in refs:
                if ref.kind in SCORED:
                    total[ref.kind] += 1
                    in_footnote[ref.kind] += ref.container == "footnote"
                if ref.kind == "prior":
                    relations[ref.relation or "cites"] += 1
            items[sum("." not in i.label for i in paragraph.items)] += 1
            nested["with_nested"] += any("." in i.label for i in paragraph.items)
            footnotes[len(paragraph.footnotes)] += 1
            for flag in ("recommendation", "concern", "positive"):
                flags[flag] += getattr(paragraph, flag)
    return {
        "note": "Counted by benchmarks/link_mix.py with the real extractor; regenerate, "
                "do not edit.",
        "sources": sources,
        "paragraphs": paragraphs,
        "links_per_paragraph": {k: _hist(c) for k, c in per_kind.items()},
        "footnote_share": {k: round(in_footnote[k] / total[k], 3) for k in total},
        "prior_relations": dict(sorted(relations.items())),
        "cluster_heading_articles": _hist(heading_articles),
        "items_per_paragraph": _hist(items),
        "nested_items_share": round(nested["with_nested"] / paragraphs, 3),
        "footnotes_per_paragraph": _hist(footnotes),
        "flag_share": {k: round(v / paragraphs, 3) for k, v in flags.items()},
        "mean_paragraph_chars_en": round(sum(chars) / len(chars)),
        # Documents cited without a pinpoint, other than the document's own State report,
        # list of issues and summary records, and naming no State: what synthetic
        # paragraphs of any State may cite.
        "document_targets": sorted(documents),
    }


def _hist(counter: Counter[int]) -> dict[str, int]:
    return {str(k): counter[k] for k in sorted(counter)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args(argv)
    text = json.dumps(measure(args.files), indent=1, ensure_ascii=False) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
