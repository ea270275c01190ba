#!/usr/bin/env python3
"""Precision and recall of the paragraph links, per link kind and language, on every gold the
project has: the seed's (../shared/gold, Chinese) and the fixtures written for the tests
(tests/fixtures/en with their gold; the same CMW fixture translated into French, Spanish,
Russian and Arabic, scored against the English gold since links do not depend on the
language; tests/fixtures/eras).  The files of one language are read together, as
``rightsgraph extract FILE...`` reads them (each knows whose observations the others are).

Usage: .venv/bin/python tools/score_table.py   (prints a Markdown table; README "Quality")
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from rightsgraph.core.known_symbols import KnownSymbols
from rightsgraph.extract.output import link_rows
from rightsgraph.extract.pipeline import extract_file, known_entry

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"
FIELDS = {"article": "articles", "ilo": "ilo", "sdg": "sdg", "prior": "prior_recommendations",
          "general_comment": "general_comments", "document": "documents"}
LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")


# The Russian and Arabic CMW fixtures translate paragraphs 1-14 (tests/fixtures/ru/README.md).
TRANSLATED = {"fr": None, "es": None, "ru": range(1, 15), "ar": range(1, 15)}


def golds() -> list[tuple[str, Path, Path, bool, range | None]]:
    """(language, source, gold, written for the tests, the gold's paragraphs it holds) of
    every gold available."""
    out: list[tuple[str, Path, Path, bool, range | None]] = []
    seed_gold = SHARED / "gold" / "CMW_C_AZE_CO_3.zh.json"
    if seed_gold.exists():
        out.append(("zh", ROOT / "seeds" / "000_1bae2115e5d01706.txt", seed_gold, False, None))
    for folder in ("en", "eras"):
        for gold in sorted((FIXTURES / folder).glob("*.gold.json")):
            out.append(("en", gold.with_name(gold.name.replace(".gold.json", ".txt")), gold,
                        True, None))
    for lang, held in TRANSLATED.items():
        out.append((lang, FIXTURES / lang / "cmw_fixture.txt",
                    FIXTURES / "en" / "cmw_fixture.gold.json", True, held))
    return out


def norm(target: str) -> str:
    return re.sub(r"\s+", "", target).upper()


def extracted(paths: list[Path]) -> list:
    """The files read together: those citing older observations that another file is are
    read again knowing whose they are."""
    docs = [extract_file(p) for p in paths]
    known = KnownSymbols().adding(e for d in docs if (e := known_entry(d)))
    return [extract_file(p, known=known) for p in paths]


def score() -> tuple[dict, dict]:
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    names: dict[str, list[str]] = defaultdict(list)
    cases = golds()
    for lang in LANGUAGES:
        mine = [c for c in cases if c[0] == lang]
        for (_, source, gold_path, written, held), doc in zip(
                mine, extracted([c[1] for c in mine]), strict=True):
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            want = {(p["n"], kind, norm(t)) for p in gold["paragraphs"]
                    if held is None or p["n"] in held
                    for kind, field in FIELDS.items() for t in p.get(field, [])}
            found = {(int(r["paragraph"]), r["relation"], norm(r["target"]))
                     for r in link_rows(doc) if r["paragraph"] and r["relation"] in FIELDS}
            for kind in FIELDS:
                f = {x for x in found if x[1] == kind}
                g = {x for x in want if x[1] == kind}
                counts[(lang, kind)].update(tp=len(f & g), fp=len(f - g), fn=len(g - f))
            name = source.relative_to(ROOT) if ROOT in source.parents else source.name
            names[lang].append(f"`{name}`" + (" (written for the tests)" if written else "")
                               + (f" paras. {held.start}-{held.stop - 1}" if held else ""))
    return counts, names


def table(counts: dict, names: dict) -> str:
    langs = [lang for lang in LANGUAGES if names.get(lang)]
    lines = ["| link kind | " + " | ".join(langs) + " |",
             "|---|" + "---|" * len(langs)]
    for kind in [*FIELDS, "all"]:
        cells = []
        for lang in langs:
            c = Counter()
            for k in (FIELDS if kind == "all" else [kind]):
                c.update(counts[(lang, k)])
            gold = c["tp"] + c["fn"]
            if not gold and not c["fp"]:
                cells.append("–")
                continue
            p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
            r = c["tp"] / gold if gold else 1.0
            cells.append(f"{p:.3f} / {r:.3f} ({gold})")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("P / R (links in the gold). Golds: " + "; ".join(
        f"{lang}: " + ", ".join(names[lang]) for lang in langs) + ".")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(table(*score()) + "\n")
