"""The link kinds: one table of everything the graph links a paragraph to.

Each kind says how it is found (``finder``, the dotted path of a function of the extractor,
imported only when asked for, as rdflib's ``plugin.py`` does, so that this bottom layer
imports no stage), which property of the ontology links a paragraph to its target (and, for
earlier recommendations, the sub-properties a relation picks), how a target's notation
becomes a URI, which SKOS registry holds the targets, its label in the six UN languages,
the name of the researcher API's filter on it and the class the SHACL shapes require of a
target.  The extractor, the triples, the links table, the API filters, the pages and the
shapes iterate over this table or are checked against it (``tests/test_link_kinds.py``).

Adding a kind touches this table, its finder, its phrase entries and its registry: see
``docs/adding-a-link-kind.md``.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache

from rdflib import URIRef

from rightsgraph.core import identifiers
from rightsgraph.core.namespaces import HRO


class Kind(StrEnum):
    """The name of a link kind, as the links table and ``hro:linkKind`` write it."""

    ARTICLE = "article"
    ILO = "ilo"
    SDG = "sdg"
    PRIOR = "prior"
    GENERAL_COMMENT = "general_comment"
    DOCUMENT = "document"
    TREATY = "treaty"
    DOMESTIC_ARTICLE = "domestic_article"


@dataclass(frozen=True)
class LinkKind:
    """One row of :data:`KINDS`.

    ``finder`` is ``"module:function"``, a function ``(text, Context) -> list[Reference]``;
    several kinds may share one (articles of domestic law are found with the treaties'),
    and a kind made by resolution rather than found in a text has none (``prior``).
    ``scored`` kinds are the links table's (``rightsgraph extract -f csv``); the others are
    kept for users, as mentions only.  ``relations`` maps ``Reference.relation`` to a
    sub-property of ``property``.  ``registry`` is the SKOS concept scheme of the targets
    (``ontology/registries/schemes.toml``); ``None`` for UN documents, which undocs.org names.
    ``api_filter`` names the query parameter of the researcher API and the search page that
    selects paragraphs linked to a target (its notation, made canonical by ``normalise``),
    documented by ``api_help`` and ``examples`` (notations that work on the seed's store);
    ``shacl_class`` is the class the shapes require of a target.
    """

    name: Kind
    scored: bool
    labels: Mapping[str, str]
    finder: str | None = None
    property: URIRef | None = None
    relations: Mapping[str, URIRef] = field(default_factory=dict)
    target: Callable[..., URIRef] | None = None
    registry: str | None = None
    api_filter: str | None = None
    api_help: str = ""
    examples: tuple[str, ...] = ()
    normalise: Callable[[str], str] = str.strip
    shacl_class: URIRef | None = None


_REFERENCES = "rightsgraph.extract.references"

KINDS: dict[Kind, LinkKind] = {k.name: k for k in (
    LinkKind(
        Kind.ARTICLE, scored=True, finder=f"{_REFERENCES}:find_articles",
        property=HRO.concernsArticle, target=identifiers.provision_uri, registry="treaties",
        api_filter="article", api_help="a treaty article as TREATY/ARTICLE, the notation of "
        "the registry (ICRMW/76, CRC/3(1))", examples=("ICRMW/73", "ICRMW/76"),
        shacl_class=HRO.Article,
        labels={"en": "Convention articles", "fr": "Articles de la Convention",
                "es": "Artículos de la Convención", "ru": "Статьи Конвенции",
                "zh": "《公约》条款", "ar": "مواد الاتفاقية"}),
    LinkKind(
        Kind.ILO, scored=True, finder=f"{_REFERENCES}:find_ilo",
        property=HRO.citesIloInstrument, target=identifiers.ilo_uri, registry="ilo",
        api_filter="ilo", api_help="an ILO convention or protocol by its NORMLEX code",
        examples=("C097", "C143"), normalise=lambda code: code.strip().upper(),
        shacl_class=HRO.IloInstrument,
        labels={"en": "ILO instruments", "fr": "Instruments de l’OIT",
                "es": "Instrumentos de la OIT", "ru": "Документы МОТ",
                "zh": "劳工组织文书", "ar": "صكوك منظمة العمل الدولية"}),
    LinkKind(
        Kind.SDG, scored=True, finder=f"{_REFERENCES}:find_sdg",
        property=HRO.refersToSdgTarget, target=identifiers.sdg_uri, registry="sdg",
        api_filter="sdg", api_help="an SDG target by its number", examples=("10.7", "16.9"),
        shacl_class=HRO.SdgTarget,
        labels={"en": "SDG targets", "fr": "Cibles des objectifs de développement durable",
                "es": "Metas de los Objetivos de Desarrollo Sostenible",
                "ru": "Задачи в области устойчивого развития",
                "zh": "可持续发展目标具体目标", "ar": "غايات أهداف التنمية المستدامة"}),
    LinkKind(
        Kind.PRIOR, scored=True, property=HRO.citesRecommendation,
        relations={"reiterates": HRO.reiterates, "recalls": HRO.recalls,
                   "notes_non_implementation": HRO.notesNonImplementationOf},
        target=identifiers.pinpoint_uri, shacl_class=HRO.Paragraph,
        labels={"en": "Earlier recommendations", "fr": "Recommandations antérieures",
                "es": "Recomendaciones anteriores", "ru": "Предыдущие рекомендации",
                "zh": "以往的建议", "ar": "التوصيات السابقة"}),
    LinkKind(
        Kind.GENERAL_COMMENT, scored=True, finder=f"{_REFERENCES}:find_general_comments",
        property=HRO.citesGeneralComment, target=identifiers.general_comment_uri,
        registry="general-comments", api_filter="gc",
        api_help="a general comment or recommendation as COMMITTEE/GC/NUMBER, the notation "
        "of the registry (a joint one by the number the text cites it by)",
        examples=("CMW/GC/2", "CRC/GC/22"), normalise=lambda notation: notation.strip().upper(),
        shacl_class=HRO.GeneralComment,
        labels={"en": "General comments", "fr": "Observations générales",
                "es": "Observaciones generales", "ru": "Замечания общего порядка",
                "zh": "一般性意见", "ar": "التعليقات العامة"}),
    LinkKind(
        Kind.DOCUMENT, scored=True, finder=f"{_REFERENCES}:find_symbols",
        property=HRO.citesDocument, target=identifiers.pinpoint_uri,
        labels={"en": "Cited documents", "fr": "Documents cités", "es": "Documentos citados",
                "ru": "Цитируемые документы", "zh": "引用的文件",
                "ar": "الوثائق المستشهد بها"}),
    LinkKind(
        Kind.TREATY, scored=False, target=identifiers.treaty_uri, registry="treaties",
        shacl_class=HRO.Treaty,
        labels={"en": "Treaties", "fr": "Traités", "es": "Tratados", "ru": "Договоры",
                "zh": "条约", "ar": "المعاهدات"}),
    LinkKind(
        Kind.DOMESTIC_ARTICLE, scored=False, finder=f"{_REFERENCES}:find_articles",
        labels={"en": "Articles of domestic law", "fr": "Articles du droit interne",
                "es": "Artículos de la legislación nacional",
                "ru": "Статьи внутреннего законодательства", "zh": "国内法条款",
                "ar": "مواد القانون المحلي"}),
)}

SCORED: tuple[Kind, ...] = tuple(k.name for k in KINDS.values() if k.scored)
FILTERS: dict[str, LinkKind] = {k.api_filter: k for k in KINDS.values() if k.api_filter}
"""The link kinds the researcher API and the search page filter on, by parameter name."""


@cache
@cache
def finders() -> tuple[Callable, ...]:
    """Every kind's finder, each once, in the table's order (imported on first use)."""
    paths = dict.fromkeys(k.finder for k in KINDS.values() if k.finder)
    return tuple(_load(path) for path in paths)


def _load(path: str) -> Callable:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def link_property(kind: str, relation: str | None = None) -> URIRef | None:
    """The property from a paragraph to a target of ``kind`` (the sub-property that
    ``relation`` names, if any); ``None`` for kinds kept as mentions only."""
    row = KINDS[Kind(kind)]
    return row.relations.get(relation or "", row.property)


def target_uri(kind: str, notation: str, *, base: str | None = None) -> URIRef:
    """The URI of a reference target given its link kind and registry notation."""
    mint = KINDS[Kind(kind)].target if kind in KINDS else None
    if mint is None:
        raise ValueError(f"no URI scheme for link kind {kind!r}")
    return mint(notation, base=base)
