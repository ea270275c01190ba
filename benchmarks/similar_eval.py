"""How well text similarity finds the recommendations a paragraph repeats.

    python -m benchmarks.similar_eval STORE [--vectors DIR] [--truth FILE.toml]

* **hit@1 / hit@5** on the explicit links: for every paragraph that the text says
  reiterates, recalls or notes the non-implementation of an earlier paragraph held in the
  store, is that earlier paragraph the most similar (hit@1) or among the five most similar
  (hit@5) paragraphs of the earlier document?  Per language and committee.
* **threshold** (with ``--truth``, a file listing which paragraphs are the same ask, read by
  a person): precision and recall of the inferred links at each threshold.

The store must have been built with ``rightsgraph build … --similar``.
"""
from __future__ import annotations

import argparse
import itertools
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

import numpy as np

from rightsgraph.graph import similar
from rightsgraph.graph.store import open_store

EXPLICIT = """
SELECT DISTINCT ?later_symbol ?later_number ?earlier_symbol ?earlier_number ?committee ?state
WHERE {
  ?later ?relation ?earlier .
  FILTER (?relation IN (hro:reiterates, hro:recalls, hro:notesNonImplementationOf))
  ?later hro:number ?later_number ; dcterms:isPartOf ?doc .
  ?doc dcterms:identifier ?later_symbol ; hro:committee ?c ; hro:stateParty ?s .
  ?earlier hro:number ?earlier_number ; dcterms:isPartOf ?edoc .
  ?edoc dcterms:identifier ?earlier_symbol ; hro:languageVersion ?v .
  BIND(STRAFTER(STR(?c), "/committee/") AS ?committee)
  BIND(STRAFTER(STR(?s), "/state/") AS ?state)
}"""


def hits(store, folder: Path) -> dict[tuple[str, str], list[int]]:
    """(language, committee) -> the rank (1 = best) of each explicit earlier paragraph."""
    ranks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row in store.query(EXPLICIT).rows():
        held = similar.versions(folder, row["state"])
        later = {v.language: v for v in held if v.symbol == row["later_symbol"]}
        for earlier in (v for v in held if v.symbol == row["earlier_symbol"]):
            mine = later.get(earlier.language)
            query = mine.vector(int(row["later_number"])) if mine else None
            if query is None or int(row["earlier_number"]) not in earlier.numbers:
                continue
            scores = earlier.matrix() @ query
            order = [earlier.numbers[i] for i in np.argsort(-scores)]
            rank = order.index(int(row["earlier_number"])) + 1
            ranks[(earlier.language, row["committee"])].append(rank)
    return ranks


def threshold_table(folder: Path, truth_file: Path) -> list[tuple[float, float, float, int]]:
    """(threshold, precision, recall, links) over every pair of recommendations of different
    documents on the State of ``truth_file`` (``[[same]]`` groups of "SYMBOL#N")."""
    truth = tomllib.loads(truth_file.read_text(encoding="utf-8"))
    state = truth["state"]
    group_of = {member: n for n, group in enumerate(truth["same"]) for member in group["ask"]}
    held = similar.versions(folder, state)
    paragraphs = sorted({(v.symbol, n) for v in held for n in v.recommendations})
    pairs = [(a, b) for a, b in itertools.combinations(paragraphs, 2) if a[0] != b[0]]
    scores = similar.scores_for([(a[0], a[1], b[0], b[1]) for a, b in pairs], folder, state)
    labelled = []
    for (a, b), score in zip(pairs, scores, strict=True):
        ga, gb = group_of.get(f"{a[0]}#{a[1]}"), group_of.get(f"{b[0]}#{b[1]}")
        if score is not None:
            labelled.append((score, ga is not None and ga == gb))
    positives = sum(1 for _, same in labelled if same)
    table = []
    for threshold in np.arange(0.88, 0.99, 0.01):
        found = [same for score, same in labelled if score >= threshold]
        right = sum(found)
        table.append((round(float(threshold), 2), right / len(found) if found else 1.0,
                      right / positives if positives else 0.0, len(found)))
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--vectors", help="default: STORE.vectors")
    parser.add_argument("--truth", type=Path, help="which recommendations are the same ask")
    args = parser.parse_args(argv)
    folder = Path(args.vectors) if args.vectors else similar.vectors_folder(args.store)
    with open_store(args.store, read_only=True) as store:
        ranks = hits(store, folder)
    print("| language | committee | explicit links | hit@1 | hit@5 |\n|---|---|---|---|---|")
    for (lang, committee), found in sorted(ranks.items()):
        print(f"| {lang} | {committee} | {len(found)} | "
              f"{sum(r == 1 for r in found) / len(found):.2f} | "
              f"{sum(r <= 5 for r in found) / len(found):.2f} |")
    if args.truth:
        print("\n| threshold | precision | recall | inferred pairs |\n|---|---|---|---|")
        for threshold, precision, recall, count in threshold_table(folder, args.truth):
            print(f"| {threshold:.2f} | {precision:.2f} | {recall:.2f} | {count} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
