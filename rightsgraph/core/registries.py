"""Reference registries (treaties, committees, general comments, ILO, SDG, States) as typed data.

The data lives in ``ontology/registries/`` of the package ``rightsgraph.ontology`` (see its README
for sources); this module only reads
it. ``load()`` is cached; set ``RIGHTSGRAPH_REGISTRIES`` to read another directory.
"""

from __future__ import annotations

import csv
import functools
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from rightsgraph.core.languages import LANGUAGES
from rightsgraph.core.resources import registries_root

SDG_FILE_LANGUAGES = {"en": "en", "fr": "fr", "es": "es", "ru": "ru", "ar": "ar", "zh-Hans": "zh"}
SDG_URI = "http://metadata.un.org/sdg/{}"
NORMLEX_URI = "https://normlex.ilo.org/dyn/nrmlx_en/f?p=NORMLEXPUB:12100:0::NO::P12100_ILO_CODE:{}"
# Cyrillic letters that look like Latin ones; UN HTML copies mix them into symbols ("СAT/C/...").
_CYRILLIC_LOOKALIKES = str.maketrans("АВЕКМНОРСТХ", "ABEKMHOPCTX")
CYRILLIC_LOOKALIKES = dict(zip("ABEKMHOPCTX", "АВЕКМНОРСТХ", strict=True))  # Latin -> Cyrillic


def latin_symbol(symbol: str) -> str:
    """A document symbol without spaces and with Latin letters for Cyrillic look-alikes."""
    return re.sub(r"\s+", "", symbol).translate(_CYRILLIC_LOOKALIKES)

Aliases = dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Treaty:
    """A core treaty or optional protocol; ``parent`` is the core treaty of a protocol."""

    id: str
    committee: str
    articles: int
    adopted: str | None
    entry_into_force: str | None
    untc: str | None
    names: dict[str, str]
    aliases: Aliases
    parent: str | None

    def has_article(self, n: int) -> bool:
        """True if the instrument has an article numbered ``n`` (articles run 1..N)."""
        return 1 <= n <= self.articles


@dataclass(frozen=True)
class Committee:
    """A treaty body; ``treaty`` is the instrument it monitors (SPT: OP-CAT)."""

    id: str
    symbol_prefix: str
    treaty: str | None
    names: dict[str, str]
    aliases: Aliases
    general_comment_term_en: str


@dataclass(frozen=True)
class GeneralComment:
    """A general comment or recommendation, identified as ``COMMITTEE/GC/N``."""

    notation: str
    committee: str
    number: int
    year: int | None
    title_en: str
    symbol: str
    joint_with: tuple[str, ...]


@dataclass(frozen=True)
class IloInstrument:
    """An ILO Convention (``C097``) or Protocol (``P029``; number = parent Convention)."""

    code: str
    kind: str
    number: int
    year: int
    titles: dict[str, str]
    status_note: str | None
    normlex: str


@dataclass(frozen=True)
class SdgGoal:
    """An SDG goal; ``labels`` are titles, ``short_labels`` the short names ("No poverty")."""

    notation: str
    labels: dict[str, str]
    short_labels: dict[str, str]
    uri: str


@dataclass(frozen=True)
class SdgTarget:
    """An SDG target ("4.1", "4.a") of ``goal``."""

    notation: str
    goal: str
    labels: dict[str, str]
    uri: str


@dataclass(frozen=True)
class State:
    """An ISO 3166-1 country with CLDR names and source-backed aliases."""

    alpha3: str
    alpha2: str
    m49: str
    names: dict[str, str]
    aliases: Aliases


@dataclass(frozen=True)
class Registries:
    """All registries, keyed by their identifiers."""

    treaties: dict[str, Treaty]
    committees: dict[str, Committee]
    general_comments: dict[str, GeneralComment]
    ilo: dict[str, IloInstrument]
    sdg_goals: dict[str, SdgGoal]
    sdg_targets: dict[str, SdgTarget]
    states: dict[str, State]

    def ilo_convention(self, number: int) -> IloInstrument | None:
        """The ILO Convention with this number, if known."""
        return self.ilo.get(f"C{number:03d}")

    def state_names(self, lang: str) -> list[tuple[str, str]]:
        """(name or alias, alpha3) pairs in ``lang``, longest first."""
        pairs = set()
        for state in self.states.values():
            if name := state.names.get(lang):
                pairs.add((name, state.alpha3))
            pairs.update((alias, state.alpha3) for alias in state.aliases.get(lang, ()))
        return sorted(pairs, key=lambda p: (-len(p[0]), p))

    def committee_by_prefix(self, symbol: str) -> Committee | None:
        """The committee whose document-symbol prefix is the longest match for ``symbol``.

        Besides each committee's prefix ("CRC/C", "CAT/OP", "E/C.12"), the bare series
        ``ID/`` is accepted for older symbols such as "CCPR/CO/79/RUS". Spaces and Cyrillic
        look-alike letters (artefacts of UN HTML copies) are ignored.
        """
        symbol = latin_symbol(symbol).upper()
        best: tuple[int, Committee | None] = (0, None)
        for committee in self.committees.values():
            prefixes = [committee.symbol_prefix + "/"]
            if committee.symbol_prefix.startswith(committee.id + "/"):
                prefixes.append(committee.id + "/")
            for prefix in prefixes:
                if (symbol + "/").startswith(prefix) and len(prefix) > best[0]:
                    best = (len(prefix), committee)
        return best[1]


def registries_dir() -> Path:
    """The registries directory: ``$RIGHTSGRAPH_REGISTRIES`` or the copy in the package."""
    given = os.environ.get("RIGHTSGRAPH_REGISTRIES")
    return Path(given) if given else registries_root()


@functools.cache
def load() -> Registries:
    """Read every registry file once."""
    root = registries_dir()
    treaty_aliases = _aliases(root / "treaties" / "aliases.csv", "treaty")
    treaties = _treaties(root, treaty_aliases)
    goals, targets = _sdg(root / "sdg")
    return Registries(
        treaties=treaties,
        committees=_committees(root, treaties),
        general_comments=_general_comments(root),
        ilo=_ilo(root),
        sdg_goals=goals,
        sdg_targets=targets,
        states=_states(root),
    )


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _names(row: dict[str, str], prefix: str = "name_") -> dict[str, str]:
    return {lang: row[prefix + lang] for lang in LANGUAGES if row.get(prefix + lang)}


def _group(pairs: list[tuple[str, str, str]]) -> dict[str, Aliases]:
    """(key, language, alias) triples -> key -> language -> aliases."""
    grouped: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for key, lang, alias in pairs:
        grouped[key][lang].append(alias)
    return {key: {lang: tuple(a) for lang, a in langs.items()} for key, langs in grouped.items()}


def _aliases(path: Path, kind: str) -> dict[str, Aliases]:
    rows = _rows(path)
    return _group([(r["id"], r["language"], r["alias"]) for r in rows if r["kind"] == kind])


def _treaties(root: Path, aliases: dict[str, Aliases]) -> dict[str, Treaty]:
    rows = _rows(root / "treaties" / "treaties.csv")

    def inside(row: dict[str, str], candidates: list[dict[str, str]]) -> list[dict[str, str]]:
        return [r for r in candidates if r is not row and r["name_en"] in row["name_en"]]

    core = [r for r in rows if not inside(r, rows)]

    def parent(row: dict[str, str]) -> str | None:
        """The core treaty named inside a protocol's English name ("... to the <ICCPR>")."""
        found = inside(row, core)
        return max(found, key=lambda r: len(r["name_en"]))["id"] if found else None

    return {
        r["id"]: Treaty(
            id=r["id"],
            committee=r["committee"],
            articles=int(r["articles"]),
            adopted=r["adopted"] or None,
            entry_into_force=r["entry_into_force"] or None,
            untc=r["untc"] or None,
            names=_names(r),
            aliases=aliases.get(r["id"], {}),
            parent=parent(r),
        )
        for r in rows
    }


def _committees(root: Path, treaties: dict[str, Treaty]) -> dict[str, Committee]:
    aliases = _aliases(root / "treaties" / "aliases.csv", "committee")

    def monitored(committee: str) -> str | None:
        """The core treaty of this committee, else its only instrument (SPT: OP-CAT)."""
        own = [t for t in treaties.values() if t.committee == committee]
        core = [t for t in own if t.parent is None] or own
        return core[0].id if len(core) == 1 else None

    return {
        r["id"]: Committee(
            id=r["id"],
            symbol_prefix=r["symbol_prefix"],
            treaty=monitored(r["id"]),
            names=_names(r),
            aliases=aliases.get(r["id"], {}),
            general_comment_term_en=r["general_comment_term_en"],
        )
        for r in _rows(root / "treaties" / "committees.csv")
    }


def _general_comments(root: Path) -> dict[str, GeneralComment]:
    comments = {}
    for r in _rows(root / "treaties" / "general_comments.csv"):
        notation = f"{r['committee']}/GC/{r['number']}"
        comments[notation] = GeneralComment(
            notation=notation,
            committee=r["committee"],
            number=int(r["number"]),
            year=int(r["year"]) if r["year"] else None,
            title_en=r["title_en"],
            symbol=r["symbol"],
            joint_with=tuple(
                "{}/GC/{}".format(*joint.split()) for joint in r["joint_with"].split(";") if joint
            ),  # "CRC 22" -> "CRC/GC/22"
        )
    return comments


def _ilo(root: Path) -> dict[str, IloInstrument]:
    return {
        r["code"]: IloInstrument(
            code=r["code"],
            kind=r["kind"],
            number=int(r["number"]),
            year=int(r["year"]),
            titles=_names(r, "title_"),
            status_note=r["status_note"] or None,
            normlex=NORMLEX_URI.format(r["code"]),
        )
        for r in _rows(root / "ilo" / "instruments.csv")
    }


# libyaml's safe loader when PyYAML was built with it (ten times faster than the pure-Python
# one: the SDG label files are most of a process's start-up), the same safe subset of YAML
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _sdg_labels(folder: Path, kind: str) -> dict[str, dict[str, str]]:
    """Key ("4-1-title") -> language -> label, from ``global_<kind>.<lang>.yml``."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for file_lang, lang in SDG_FILE_LANGUAGES.items():
        text = (folder / f"global_{kind}.{file_lang}.yml").read_text(encoding="utf-8")
        for key, label in yaml.load(text, Loader=_YAML_LOADER).items():
            if label:
                labels[key][lang] = label
    return labels


def _sdg(folder: Path) -> tuple[dict[str, SdgGoal], dict[str, SdgTarget]]:
    goal_labels = _sdg_labels(folder, "goals")
    goals = {
        key.removesuffix("-title"): SdgGoal(
            notation=key.removesuffix("-title"),
            labels=labels,
            short_labels=goal_labels[key.replace("-title", "-short")],
            uri=SDG_URI.format(key.removesuffix("-title")),
        )
        for key, labels in goal_labels.items()
        if key.endswith("-title")
    }
    targets = {}
    for key, labels in _sdg_labels(folder, "targets").items():
        goal, target = key.removesuffix("-title").split("-")
        notation = f"{goal}.{target}"
        targets[notation] = SdgTarget(
            notation=notation, goal=goal, labels=labels, uri=SDG_URI.format(notation)
        )
    return goals, targets


def _states(root: Path) -> dict[str, State]:
    aliases = _group(
        [(r["alpha3"], r["language"], r["alias"]) for r in _rows(root / "states_aliases.csv")]
    )
    return {
        r["alpha3"]: State(
            alpha3=r["alpha3"],
            alpha2=r["alpha2"],
            m49=r["m49"],
            names=_names(r),
            aliases=aliases.get(r["alpha3"], {}),
        )
        for r in _rows(root / "states.csv")
    }
