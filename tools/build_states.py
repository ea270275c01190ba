"""Build ontology/registries/states.csv and states_aliases.csv.

states.csv: every ISO 3166-1 country in pycountry (alpha-2, alpha-3, numeric = M49 code), named
with Babel's CLDR territory names in the six UN languages (zh = zh_Hans).

states_aliases.csv: names that differ from the CLDR name of the same language, each with its
source:
* pycountry's ``name`` and ``official_name`` (English);
* UN names from ``UN_NAME_CANDIDATES`` that occur in a UN text on disk (seed, corpus openings,
  full texts, derived alignment). A candidate that no text contains is dropped, so every UN
  alias names the first file (sorted by path) where it was found.
* the UN's official short names in the six languages (UNTERM), as the OCHA Countries &
  Territories Taxonomy gives them for the countries it marks "Appears in UNTERM list"; the
  taxonomy's CSV ships inside the hdx-python-country package (MIT), read as a file.

Usage (the generators are not project dependencies):
  .venv/bin/pip install pycountry==26.2.16
  .venv/bin/pip install --no-deps hdx-python-country==4.2.5
  .venv/bin/python tools/build_states.py [--shared /work/shared] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from importlib.metadata import distribution, version
from pathlib import Path

import babel
import babel.core
import pycountry

from rightsgraph.core.languages import LANGUAGES

CLDR_LOCALES = {"zh": "zh_Hans"}
REPO = Path(__file__).resolve().parent.parent

# (alpha3, language, alias, note). Candidate UN names; kept only if found in a text on disk.
UN_NAME_CANDIDATES: tuple[tuple[str, str, str, str], ...] = (
    ("GBR", "en", "United Kingdom of Great Britain and Northern Ireland", ""),
    ("RUS", "en", "Russian Federation", ""),
    ("BOL", "en", "Bolivia (Plurinational State of)", ""),
    ("BOL", "en", "Plurinational State of Bolivia", ""),
    ("MDA", "en", "Republic of Moldova", ""),
    ("IRN", "en", "Iran (Islamic Republic of)", ""),
    ("IRN", "en", "Islamic Republic of Iran", ""),
    ("VEN", "en", "Venezuela (Bolivarian Republic of)", ""),
    ("VEN", "en", "Bolivarian Republic of Venezuela", ""),
    ("TZA", "en", "United Republic of Tanzania", ""),
    ("SYR", "en", "Syrian Arab Republic", ""),
    ("PRK", "en", "Democratic People's Republic of Korea", ""),
    ("PRK", "en", "Democratic People’s Republic of Korea", ""),
    ("KOR", "en", "Republic of Korea", ""),
    ("LAO", "en", "Lao People's Democratic Republic", ""),
    ("LAO", "en", "Lao People’s Democratic Republic", ""),
    ("VNM", "en", "Viet Nam", ""),
    ("TUR", "en", "Türkiye", ""),
    ("TUR", "en", "Turkey", ""),
    ("CIV", "en", "Côte d'Ivoire", ""),
    ("CIV", "en", "Côte d’Ivoire", ""),
    ("CZE", "en", "Czechia", ""),
    ("CZE", "en", "Czech Republic", ""),
    ("MKD", "en", "North Macedonia", ""),
    ("MKD", "en", "the former Yugoslav Republic of Macedonia", ""),
    ("PSE", "en", "State of Palestine", ""),
    ("NLD", "en", "Netherlands (Kingdom of the)", ""),
    ("FSM", "en", "Micronesia (Federated States of)", ""),
    ("COD", "en", "Democratic Republic of the Congo", ""),
    ("COG", "en", "Congo", ""),
    ("USA", "en", "United States of America", ""),
    ("VAT", "en", "Holy See", ""),
    ("BRN", "en", "Brunei Darussalam", ""),
    ("CPV", "en", "Cabo Verde", ""),
    ("SWZ", "en", "Eswatini", ""),
    ("TLS", "en", "Timor-Leste", ""),
    ("IRQ", "fr", "Iraq", ""),
    ("BOL", "fr", "État plurinational de Bolivie", ""),
    ("BOL", "fr", "Bolivie (État plurinational de)", ""),
    ("RUS", "fr", "Fédération de Russie", ""),
    ("GBR", "fr", "Royaume-Uni de Grande-Bretagne et d’Irlande du Nord", ""),
    ("MDA", "fr", "République de Moldova", ""),
    ("KOR", "fr", "République de Corée", ""),
    ("TZA", "fr", "République-Unie de Tanzanie", ""),
    ("SYR", "fr", "République arabe syrienne", ""),
    ("VNM", "fr", "Viet Nam", ""),
    ("IRQ", "es", "Iraq", ""),
    ("BOL", "es", "Estado Plurinacional de Bolivia", ""),
    ("BOL", "es", "Bolivia (Estado Plurinacional de)", ""),
    ("RUS", "es", "Federación de Rusia", ""),
    ("GBR", "es", "Reino Unido de Gran Bretaña e Irlanda del Norte", ""),
    ("MDA", "es", "República de Moldova", ""),
    ("KOR", "es", "República de Corea", ""),
    ("TZA", "es", "República Unida de Tanzanía", ""),
    ("SYR", "es", "República Árabe Siria", ""),
    ("VNM", "es", "Viet Nam", ""),
    ("RUS", "ru", "Российская Федерация", ""),
    ("RUS", "ru", "Российской Федерации", "genitive"),
    ("GBR", "ru", "Соединенное Королевство Великобритании и Северной Ирландии", ""),
    ("BOL", "ru", "Многонациональное Государство Боливия", ""),
    ("MDA", "ru", "Республика Молдова", ""),
    ("KOR", "ru", "Республика Корея", ""),
    ("TZA", "ru", "Объединенная Республика Танзания", ""),
    ("SYR", "ru", "Сирийская Арабская Республика", ""),
    ("BLR", "ru", "Республика Беларусь", ""),
    ("RUS", "zh", "俄罗斯联邦", ""),
    ("GBR", "zh", "大不列颠及北爱尔兰联合王国", ""),
    ("BOL", "zh", "多民族玻利维亚国", ""),
    ("MDA", "zh", "摩尔多瓦共和国", ""),
    ("IRN", "zh", "伊朗伊斯兰共和国", ""),
    ("VEN", "zh", "委内瑞拉玻利瓦尔共和国", ""),
    ("TZA", "zh", "坦桑尼亚联合共和国", ""),
    ("SYR", "zh", "阿拉伯叙利亚共和国", ""),
    ("PRK", "zh", "朝鲜民主主义人民共和国", ""),
    ("KOR", "zh", "大韩民国", ""),
    ("LAO", "zh", "老挝人民民主共和国", ""),
    ("BLR", "zh", "白俄罗斯共和国", ""),
    ("RUS", "ar", "الاتحاد الروسي", ""),
    ("GBR", "ar", "المملكة المتحدة لبريطانيا العظمى وأيرلندا الشمالية", ""),
    ("MDA", "ar", "جمهورية مولدوفا", ""),
    ("KOR", "ar", "جمهورية كوريا", ""),
    ("TZA", "ar", "جمهورية تنزانيا المتحدة", ""),
    ("SYR", "ar", "الجمهورية العربية السورية", ""),
    ("IRN", "ar", "جمهورية إيران الإسلامية", ""),
)

# The OCHA Countries & Territories Taxonomy inside hdx-python-country, and its UNTERM columns.
TAXONOMY = "hdx/location/Countries & Territories Taxonomy MVP - C&T Taxonomy.csv"
UNTERM_SHORT = {"en": "English Short", "fr": "French Short", "es": "Spanish Short",
                "ru": "Russian Short", "zh": "Chinese Short", "ar": "Arabic Short"}

STATE_FIELDS = ["alpha3", "alpha2", "m49"] + [f"name_{lang}" for lang in LANGUAGES] + ["source"]
ALIAS_FIELDS = ["alpha3", "language", "alias", "source"]
_LANG_IN_NAME = re.compile(r"\.(en|fr|es|ru|zh|ar)\.txt$")


def cldr_names(alpha2: str) -> dict[str, str]:
    """CLDR territory name of ``alpha2`` per UN language."""
    return {
        lang: babel.Locale.parse(CLDR_LOCALES.get(lang, lang)).territories[alpha2]
        for lang in LANGUAGES
    }


def un_texts(shared: Path) -> list[tuple[str, str, str]]:
    """UN texts on disk as (``shared/...`` path, language, whitespace-collapsed text)."""
    found: list[tuple[Path, str, str]] = []
    for path in sorted((shared / "seeds").glob("*.txt")):
        found.append((path, "zh", path.read_text(encoding="utf-8")))  # Chinese CMW/C/AZE/CO/3
    for path in sorted((shared / "corpus").glob("*/*.txt")):
        if match := _LANG_IN_NAME.search(path.name):
            found.append((path, match.group(1), path.read_text(encoding="utf-8")))
    for path in sorted((shared / "corpus" / "derived").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for side in ("main_language", "other_language"):
            text = "\n".join(p[side] for p in data["paragraphs"])
            found.append((path, data[side], text))
    return [
        (f"shared/{path.relative_to(shared)}", lang, re.sub(r"\s+", " ", text))
        for path, lang, text in found
    ]


def _pattern(lang: str, alias: str) -> re.Pattern[str]:
    """Whole-name pattern; Chinese has no word boundaries, Arabic attaches prefixes."""
    left = "" if lang in ("zh", "ar") else r"(?<!\w)"
    right = "" if lang == "zh" else r"(?!\w)"
    return re.compile(left + re.escape(alias) + right)


def un_aliases(shared: Path) -> tuple[dict[tuple[str, str, str], str], list[str]]:
    """Candidates found on disk -> first file; also the candidates that were not found.

    Longer names are matched first and blanked out, so "Republic of Korea" inside
    "Democratic People's Republic of Korea" does not count.
    """
    found: dict[tuple[str, str, str], str] = {}
    candidates = sorted(UN_NAME_CANDIDATES, key=lambda c: -len(c[2]))
    for path, lang, text in un_texts(shared):
        for alpha3, cand_lang, alias, note in candidates:
            if cand_lang != lang:
                continue
            text, hits = _pattern(lang, alias).subn("\0", text)
            if hits and (alpha3, lang, alias) not in found:
                found[(alpha3, lang, alias)] = f"{path} ({note})" if note else path
    missing = [f"{c[0]} {c[1]} {c[2]}" for c in UN_NAME_CANDIDATES if c[:3] not in found]
    return found, missing


def unterm_short_names() -> tuple[list[tuple[str, str, str]], str]:
    """(alpha3, language, UN short name) from the OCHA taxonomy, and the source to cite."""
    dist = distribution("hdx-python-country")
    source = (f"UNTERM short name: OCHA Countries & Territories Taxonomy in "
              f"hdx-python-country {dist.version}")
    with Path(dist.locate_file(TAXONOMY)).open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["Appears in UNTERM list"] == "Y"]
    names = [(r["ISO 3166-1 Alpha 3-Codes"], lang, r[column].strip())
             for r in rows for lang, column in UNTERM_SHORT.items() if r[column].strip()]
    return names, source


def build(shared: Path, out: Path) -> None:
    """Write states.csv and states_aliases.csv into ``out``."""
    source = (
        f"ISO 3166-1: pycountry {version('pycountry')}; "
        f"names: CLDR {babel.core.get_cldr_version()} via Babel {babel.__version__}"
    )
    states, names = [], {}
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_3):
        names[country.alpha_3] = cldr_names(country.alpha_2)
        row = {"alpha3": country.alpha_3, "alpha2": country.alpha_2, "m49": country.numeric}
        row |= {f"name_{lang}": name for lang, name in names[country.alpha_3].items()}
        states.append(row | {"source": source})

    sources: dict[tuple[str, str, str], list[str]] = {}
    for country in pycountry.countries:
        for field in ("name", "official_name"):
            if alias := getattr(country, field, None):
                sources.setdefault((country.alpha_3, "en", alias), []).append(f"pycountry {field}")
    found, missing = un_aliases(shared)
    for key, path in found.items():
        sources.setdefault(key, []).append(path)
    unterm, unterm_source = unterm_short_names()
    for key in unterm:
        if key[0] in names:
            sources.setdefault(key, []).append(unterm_source)
    aliases = [
        {"alpha3": a3, "language": lang, "alias": alias, "source": "; ".join(srcs)}
        for (a3, lang, alias), srcs in sorted(sources.items())
        if alias != names[a3][lang]
    ]

    _write(out / "states.csv", STATE_FIELDS, states)
    _write(out / "states_aliases.csv", ALIAS_FIELDS, aliases)
    print(f"{len(states)} states, {len(aliases)} aliases ({len(found)} UN names found on disk, "
          f"{len(unterm)} UNTERM short names)")
    print("candidates not found on disk:", ", ".join(missing) or "none")


def _write(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("/work/shared"))
    parser.add_argument("--out", type=Path, default=REPO / "ontology" / "registries")
    args = parser.parse_args()
    build(args.shared, args.out)


if __name__ == "__main__":
    main()
