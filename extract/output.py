"""Outputs of ``rightsgraph extract``: the JSON model and the CSV links table."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict

from rightsgraph.core import links
from rightsgraph.extract.model import Document

LINK_COLUMNS = ("document", "section", "paragraph", "item", "relation", "target")


def model_dict(doc: Document) -> dict:
    """The structured model as JSON-ready data (the keys the CLI contract names)."""
    data = asdict(doc)
    data["paragraphs"] = [
        {
            "number": p.number,
            "section": p.section,
            "heading": p.heading,
            "recommendation": p.recommendation,
            "concern": p.concern,
            "positive": p.positive,
            "items": [item.label for item in p.items],
            "text": p.text,
            "line": p.line,
            "footnotes": p.footnotes,
            "references": [asdict(r) for r in p.references],
        }
        for p in doc.paragraphs
    ]
    data["footnotes"] = [asdict(f) for f in doc.footnotes.values()]
    data["paragraph_count"] = len(doc.paragraphs)
    data["footnote_count"] = len(doc.footnotes)
    return data


def to_json(docs: list[Document]) -> str:
    data = [model_dict(d) for d in docs]
    return json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2) + "\n"


def link_rows(doc: Document) -> list[dict[str, str]]:
    """One row per explicit mention: paragraph text and footnotes, and headings."""
    rows = []
    seen = set()
    for paragraph, heading, ref in doc.references():
        if ref.kind not in links.SCORED:
            continue
        owner = paragraph or heading
        row = {
            "document": doc.symbol or doc.source,
            "section": (owner.section if owner else None) or "",
            "paragraph": str(paragraph.number) if paragraph else "",
            "item": ref.item or "",
            "relation": ref.kind,
            "target": ref.target,
        }
        key = tuple(row.values()) + (ref.container, ref.footnote, ref.start)
        if key not in seen:
            seen.add(key)
            rows.append(row)
    return rows




def to_csv(docs: list[Document]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=LINK_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for doc in docs:
        writer.writerows(link_rows(doc))
    return out.getvalue()
