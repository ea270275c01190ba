"""How well text similarity finds the recommendations a paragraph repeats.

    python -m benchmarks.similar_eval STORE [--vectors DIR] [--truth FILE.toml]
    python -m benchmarks.similar_eval --real [--corpus DIR] [--cache FILE.npz] [--out DIR]

* **hit@1 / hit@5** on the explicit links: for every paragraph that the text says
  reiterates, recalls or notes the non-implementation of an earlier paragraph held in the
  store, is that earlier paragraph the most similar (hit@1) or among the five most similar
  (hit@5) paragraphs of the earlier document?  Per language and committee.
* **threshold** (with ``--truth``, a file listing which paragraphs are the same ask, read by
  a person): precision and recall of the inferred links at each threshold.

The store must have been built with ``rightsgraph build … --similar``.

``--real`` evaluates on real UN text instead (:mod:`benchmarks.real_corpus`), and writes
``results/similar_real.{md,json}``:

* **threshold**, on the UPR recommendations to Slovenia: chosen on the tuning pairs (cycles
  1-3) from the pairs labelled by reading in ``similar_labels.toml`` (precision per score
  band, weighted by how many pairs each band holds); its precision measured on the held-out
  pairs (cycle 4), drawn after it was fixed (``--draw held-out`` draws them again);
* **hit@1 / hit@5 on explicit links**: each paragraph of an OHCHR compilation under a heading
  whose endnote names earlier UPR recommendations: is one of them the nearest (among all the
  recommendations of that report), or among the five nearest?  With the rate a random
  ranking would reach;
* **across languages**: the hand-aligned en/ru pairs (each paragraph's translation among all
  paragraphs of the other language; the cosine of translations against non-translations, a
  cross-language threshold chosen on the even pairs and measured on the odd ones), and the
  project's parallel fixtures (fr, es, ru, ar against en).
"""
from __future__ import annotations

import argparse
import itertools
import json
import math
import random
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


# --- real text ---------------------------------------------------------------------------

HERE = Path(__file__).parent
BANDS = (0.90, 0.91, 0.92, 0.93, 0.94, 0.95, 1.01)
TARGET_PRECISION = 0.9  # the lowest threshold whose estimated precision reaches it


def wilson(right: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion."""
    if n == 0:
        return (0.0, 1.0)
    p = right / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


class _Upr:
    """The UPR recommendations, their vectors and the pairs of each part."""

    def __init__(self, corpus: Path, cache: Path) -> None:
        from benchmarks import real_corpus as rc

        names = rc._state_names()
        self.recs = [r for symbol in rc.UPR_REPORTS
                     for r in rc.upr_recommendations(corpus, symbol, names)]
        self.pos = {r.id: n for n, r in enumerate(self.recs)}
        self.vectors = rc.embed_cached([r.ask for r in self.recs], cache, progress=_progress)
        self.scores = self.vectors @ self.vectors.T
        cycles = np.array([r.cycle for r in self.recs])
        earlier = cycles[:, None] < cycles[None, :]
        self.parts = {"tuning": earlier & (cycles[None, :] <= 3),
                      "held-out": earlier & (cycles[None, :] == 4)}

    def score(self, a: str, b: str) -> float:
        return float(self.scores[self.pos[a], self.pos[b]])

    def at_least(self, part: str, lo: float, hi: float = 2.0) -> list[tuple[int, int]]:
        mask = self.parts[part] & (self.scores >= lo) & (self.scores < hi)
        return [(int(i), int(j)) for i, j in np.argwhere(mask).tolist()]


def _progress(done: int, total: int) -> None:
    print(f"  embedded {done}/{total}", file=sys.stderr)


def draw(upr: _Upr, part: str, threshold: float) -> list[tuple[float, str, str]]:
    """The random pairs to label (the procedure of similar_labels.toml)."""
    out = []
    if part == "tuning":
        rng = random.Random(12)
        for lo, hi in itertools.pairwise(BANDS):
            out += rng.sample(upr.at_least("tuning", lo, hi), 10)
    else:
        out = random.Random(40).sample(upr.at_least("held-out", threshold), 50)
    return sorted((float(upr.scores[i, j]), upr.recs[i].id, upr.recs[j].id) for i, j in out)


def threshold_evidence(upr: _Upr, labels: list[dict]) -> dict:
    """Precision per band on the tuning pairs; the threshold they choose; its precision on
    the held-out pairs."""
    for pair in labels:
        now = upr.score(pair["a"], pair["b"])
        if abs(now - pair["score"]) > 0.002:
            print(f"warning: {pair['a']} ~ {pair['b']} scores {now:.4f}, labelled at "
                  f"{pair['score']:.4f}: the model or the texts changed", file=sys.stderr)
    bands = []
    for lo, hi in itertools.pairwise(BANDS):
        labelled = [p for p in labels if p["part"] == "tuning" and lo <= p["score"] < hi]
        bands.append({"from": lo, "to": min(hi, 1.0), "pairs": len(upr.at_least("tuning", lo, hi)),
                      "labelled": len(labelled), "same": sum(p["same"] for p in labelled)})
    estimates = []
    for k, band in enumerate(bands):  # precision of "score >= band start", weighted by band
        above = bands[k:]
        total = sum(b["pairs"] for b in above)
        right = sum(b["pairs"] * b["same"] / b["labelled"] for b in above if b["labelled"])
        estimates.append({"threshold": band["from"], "pairs": total,
                          "precision": right / total if total else 1.0})
    chosen = next(e["threshold"] for e in estimates if e["precision"] >= TARGET_PRECISION)
    held = [p for p in labels if p["part"] == "held-out"]
    right = sum(p["same"] for p in held if p["score"] >= chosen)
    n = sum(1 for p in held if p["score"] >= chosen)
    return {"bands": bands, "estimates": estimates, "chosen": chosen,
            "held_out": {"pairs": len(upr.at_least("held-out", chosen)), "labelled": n,
                         "same": right, "precision": right / n if n else None,
                         "interval": wilson(right, n)},
            "tuning_pairs": int(upr.parts["tuning"].sum()),
            "held_out_pairs": int(upr.parts["held-out"].sum())}


def _ranks(query: np.ndarray, candidates: np.ndarray, wanted: list[int]) -> int:
    order = np.argsort(-(candidates @ query)).tolist()
    return min(order.index(w) for w in wanted) + 1


def explicit_links(upr: _Upr, corpus: Path, cache: Path) -> dict:
    """hit@1 / hit@5 of the compilations' explicit links, and what chance would give."""
    from benchmarks import real_corpus as rc

    ranks, chance1, chance5, sections = [], [], [], 0
    for symbol in rc.COMPILATIONS:
        for link in rc.compilation_links(corpus, symbol):
            pool = [n for n, r in enumerate(upr.recs) if r.symbol == link.cited]
            wanted = [pool.index(upr.pos[i]) for i in link.recommendations if i in upr.pos]
            if not wanted:
                continue
            sections += 1
            queries = rc.embed_cached([t for _, t in link.paragraphs], cache)
            for query in queries:
                ranks.append(_ranks(query, upr.vectors[pool], wanted))
                n, c = len(pool), len(wanted)
                chance1.append(c / n)
                chance5.append(1 - math.comb(n - c, 5) / math.comb(n, 5))
    return {"sections": sections, "paragraphs": len(ranks),
            "hit@1": _share(ranks, 1), "hit@5": _share(ranks, 5),
            "chance@1": sum(chance1) / len(chance1), "chance@5": sum(chance5) / len(chance5)}


def _share(ranks: list[int], k: int) -> float:
    return sum(r <= k for r in ranks) / len(ranks) if ranks else 0.0


def across_languages(corpus: Path, fixtures: Path, cache: Path) -> dict:
    from benchmarks import real_corpus as rc

    pairs = rc.aligned_pairs(corpus)
    en = rc.embed_cached([e for e, _ in pairs], cache)
    ru = rc.embed_cached([r for _, r in pairs], cache)
    cross = en @ ru.T
    n = len(pairs)
    out: dict = {"aligned": {"pairs": n}}
    for name, matrix in (("en→ru", cross), ("ru→en", cross.T)):
        ranks = [_ranks_row(matrix[i], i) for i in range(n)]
        out["aligned"][name] = {"hit@1": _share(ranks, 1), "hit@5": _share(ranks, 5)}
    same = np.eye(n, dtype=bool)
    en_en = (en @ en.T)[~same]
    out["aligned"]["cosine"] = {
        "translations (en-ru)": _quantiles(cross[same]),
        "other paragraphs, en-ru": _quantiles(cross[~same]),
        "other paragraphs, en-en": _quantiles(en_en)}
    # a cross-language threshold: chosen on the even pairs, measured on the odd ones
    parts = {"tuning": np.arange(n) % 2 == 0, "held-out": np.arange(n) % 2 == 1}
    chosen = None
    for t in np.arange(0.80, 0.96, 0.005):
        sub = parts["tuning"]
        block = cross[np.ix_(sub, sub)]
        hits = block >= t
        precision = np.diag(hits).sum() / hits.sum() if hits.sum() else 1.0
        if precision >= TARGET_PRECISION:
            chosen = round(float(t), 3)
            break
    if chosen is not None:
        sub = parts["held-out"]
        block = cross[np.ix_(sub, sub)] >= chosen
        out["aligned"]["threshold"] = {
            "chosen on even pairs": chosen,
            "odd pairs: precision": float(np.diag(block).sum() / block.sum()) if block.sum()
            else None,
            "odd pairs: recall": float(np.diag(block).mean())}
    fixture = rc.parallel_fixtures(fixtures)
    english = fixture.get("en", {})
    out["fixtures"] = {}
    numbers = sorted(english)
    base = rc.embed_cached([english[k] for k in numbers], cache)
    for lang, paragraphs in sorted(fixture.items()):
        if lang == "en":
            continue
        held = [k for k in sorted(paragraphs) if k in english]
        vectors = rc.embed_cached([paragraphs[k] for k in held], cache)
        ranks = [_ranks(v, base, [numbers.index(k)]) for v, k in zip(vectors, held, strict=True)]
        out["fixtures"][f"{lang}→en"] = {"paragraphs": len(held), "hit@1": _share(ranks, 1),
                                         "hit@5": _share(ranks, 5)}
    return out


def _ranks_row(row: np.ndarray, wanted: int) -> int:
    return int((row > row[wanted]).sum()) + 1


def _quantiles(values: np.ndarray) -> dict[str, float]:
    return {q: round(float(np.quantile(values, p)), 3)
            for q, p in (("p5", 0.05), ("median", 0.5), ("p95", 0.95))}


def real(corpus: Path, fixtures: Path, cache: Path, labels_file: Path) -> dict:
    labels = tomllib.loads(labels_file.read_text(encoding="utf-8"))["pair"]
    upr = _Upr(corpus, cache)
    return {"threshold": threshold_evidence(upr, labels),
            "explicit": explicit_links(upr, corpus, cache),
            "languages": across_languages(corpus, fixtures, cache),
            "recommendations": len(upr.recs), "model": similar.model_version(),
            "stored threshold": similar.THRESHOLD}


def markdown(result: dict) -> str:
    t, e, lang = result["threshold"], result["explicit"], result["languages"]
    lines = [f"# Similar recommendations on real UN text ({result['model']})", "",
             f"{result['recommendations']} UPR recommendations to Slovenia over four cycles; "
             f"tuning pairs (cycles 1-3) {t['tuning_pairs']}, held-out pairs (cycle 4 against "
             f"earlier) {t['held_out_pairs']}.", "",
             "## Threshold, chosen on the tuning pairs", "",
             "| score band | pairs | labelled | same ask |", "|---|---|---|---|"]
    for b in t["bands"]:
        lines.append(f"| {b['from']:.2f}-{b['to']:.2f} | {b['pairs']} | {b['labelled']} | "
                     f"{b['same']} |")
    lines += ["", "| threshold | pairs at or above | estimated precision |", "|---|---|---|"]
    for est in t["estimates"]:
        lines.append(f"| {est['threshold']:.2f} | {est['pairs']} | {est['precision']:.2f} |")
    h = t["held_out"]
    lo, hi = h["interval"]
    lines += ["", f"Chosen: **{t['chosen']:.2f}** (the lowest with estimated precision ≥ "
              f"{TARGET_PRECISION}); stored in graph/similar.py: {result['stored threshold']}.",
              "", "## Held out (cycle 4), at the chosen threshold", "",
              f"{h['pairs']} pairs at or above it; {h['labelled']} drawn at random and read: "
              f"**{h['same']} the same ask, precision {h['precision']:.2f}** (95 % interval "
              f"{lo:.2f}-{hi:.2f}).", "",
              "## Explicit links (OHCHR compilations → earlier UPR recommendations)", "",
              f"{e['paragraphs']} paragraphs under {e['sections']} headings whose endnote names "
              f"earlier recommendations: **hit@1 {e['hit@1']:.2f}, hit@5 {e['hit@5']:.2f}** "
              f"(a random ranking: {e['chance@1']:.2f} and {e['chance@5']:.2f}).", "",
              "## Across languages", "", "| data | direction | hit@1 | hit@5 |",
              "|---|---|---|---|"]
    a = lang["aligned"]
    for direction in ("en→ru", "ru→en"):
        lines.append(f"| A/HRC/WG.6/34/ITA/3, {a['pairs']} aligned pairs (UN text) | "
                     f"{direction} | {a[direction]['hit@1']:.2f} | {a[direction]['hit@5']:.2f} |")
    for direction, f in lang["fixtures"].items():
        lines.append(f"| parallel test fixtures, {f['paragraphs']} paragraphs (not UN text) | "
                     f"{direction} | {f['hit@1']:.2f} | {f['hit@5']:.2f} |")
    lines += ["", "| cosine | p5 | median | p95 |", "|---|---|---|---|"]
    for name, q in a["cosine"].items():
        lines.append(f"| {name} | {q['p5']} | {q['median']} | {q['p95']} |")
    if "threshold" in a:
        th = a["threshold"]
        precision = th["odd pairs: precision"]
        lines += ["", f"Cross-language threshold (translation or not) chosen on the even pairs: "
                  f"{th['chosen on even pairs']}; on the odd pairs precision "
                  f"{precision if precision is None else round(precision, 2)}, recall "
                  f"{th['odd pairs: recall']:.2f}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", nargs="?")
    parser.add_argument("--vectors", help="default: STORE.vectors")
    parser.add_argument("--truth", type=Path, help="which recommendations are the same ask")
    parser.add_argument("--real", action="store_true", help="evaluate on real UN text")
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--fixtures", type=Path, default=HERE.parent / "tests" / "fixtures")
    parser.add_argument("--cache", type=Path, default=Path("out/similar_real.npz"),
                        help="the model's vectors of the texts, kept between runs")
    parser.add_argument("--labels", type=Path, default=HERE / "similar_labels.toml")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--draw", choices=("tuning", "held-out"),
                        help="print the pairs to label (the draw of similar_labels.toml)")
    args = parser.parse_args(argv)
    if args.real or args.draw:
        args.cache.parent.mkdir(parents=True, exist_ok=True)
        if args.draw:
            upr = _Upr(args.corpus, args.cache)
            for score, a, b in draw(upr, args.draw, similar.THRESHOLD):
                print(f"{score:.4f}\t{a}\t{b}")
            return 0
        result = real(args.corpus, args.fixtures, args.cache, args.labels)
        text = markdown(result)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "similar_real.md").write_text(text, encoding="utf-8")
        (args.out / "similar_real.json").write_text(json.dumps(result, indent=2,
                                                               ensure_ascii=False) + "\n")
        print(text)
        return 0
    if not args.store:
        parser.error("STORE or --real")
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
