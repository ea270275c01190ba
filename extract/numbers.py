"""Numbers, ordinals and dates as the six UN languages write them.

Word tables come from well-kept libraries, not from hand-written lists: ordinal words
from num2words, month and language names from CLDR through Babel.  Chinese numerals are
positional and parsed directly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from babel import Locale
from num2words import num2words

from rightsgraph.core.languages import LANGUAGES

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL = "[零〇一二两三四五六七八九十百千]+"
ROMAN = re.compile(r"^(?=[ivxlcdm]+$)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$", re.I)


def parse_int(token: str) -> int | None:
    """An integer written in Arabic, Arabic-Indic or Chinese numerals; ``None`` if not one."""
    token = token.strip().replace(",", "").replace("\u00a0", "").replace(" ", "")
    if not token:
        return None
    if token.isdigit():  # also Arabic-Indic and full-width digits
        return int("".join(str(int(ch)) for ch in token))
    if re.fullmatch(CN_NUMERAL, token):
        return parse_chinese(token)
    return None


def parse_chinese(token: str) -> int:
    """Chinese numerals: 三 = 3, 十二 = 12, 二十九 = 29, 一百二十 = 120, 二〇二一 = 2021."""
    if all(ch in CN_DIGITS for ch in token):  # digit-by-digit, as in years
        return int("".join(str(CN_DIGITS[ch]) for ch in token))
    total, digit = 0, 0
    for ch in token:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        else:
            total += (digit or 1) * CN_UNITS[ch]
            digit = 0
    return total + digit


def parse_roman(token: str) -> int | None:
    """Roman numerals as in old CERD general recommendations ("XVIII") and sub-items ("iv")."""
    if not token or not ROMAN.match(token):
        return None
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    total = 0
    lowered = token.lower()
    for i, ch in enumerate(lowered):
        value = values[ch]
        if i + 1 < len(lowered) and values[lowered[i + 1]] > value:
            total -= value
        else:
            total += value
    return total


@cache
def ordinal_words(lang: str, limit: int = 300) -> dict[str, int]:
    """Ordinal (and cardinal) words of one language mapped to their value, from num2words.

    Keys are lower-case, with both hyphenated and spaced spellings ("twenty-first",
    "twenty first").  Used for "third periodic report" and "ninetieth session".  The
    language's ``[ordinals]`` phrase data adds inflected forms (num2words keyword
    arguments, e.g. Russian cases and genders: "двенадцатому", "девяносто восьмой"),
    compound ordinals num2words does not build, and spelling normalisations.
    """
    rules = _ordinal_rules(lang)
    table: dict[str, int] = {}

    def add(word: str, n: int) -> None:
        word = normalise_ordinal(word.lower(), lang)
        table.setdefault(word, n)
        table.setdefault(word.replace("-", " "), n)

    for n in range(1, limit + 1):
        for kind in ("ordinal", "cardinal"):
            for options in rules["forms"]:
                try:
                    add(num2words(n, to=kind, lang=lang, **options), n)
                except (NotImplementedError, KeyError, TypeError, ValueError, IndexError):
                    continue
        compound = rules["compound"]
        if compound and n > 20 and n % 10 and n < 100:
            unit = num2words(10 + n % 10, to="ordinal", lang=lang).split()[0]
            tens = num2words(n - n % 10, lang=lang)
            table.setdefault(normalise_ordinal(compound.format(unit=unit, tens=tens), lang), n)
    return table


@cache
def _ordinal_rules(lang: str) -> dict:
    """The ``[ordinals]`` phrase data of ``lang``: inflected forms, compound template."""
    from rightsgraph.extract.language import (
        phrase_data,  # the phrase files also hold the month words' rules
    )

    data = phrase_data(lang).get("ordinals", {})
    forms: list[dict] = [{}]
    for key, values in data.get("forms", {}).items():
        forms = [dict(f, **{key: v}) for f in forms for v in values]
    return {"forms": [{}] + forms if forms != [{}] else forms,
            "compound": data.get("compound"), "normalise": data.get("normalise", [])}


def normalise_ordinal(word: str, lang: str) -> str:
    """An ordinal word in the spelling of the table: the language's ``[ordinals] normalise``
    rewrites (Arabic: no article, no feminine ending, "و" joined) and single spaces."""
    word = re.sub(r"\s+", " ", word.strip().lower())
    for pattern, replacement in _ordinal_rules(lang)["normalise"]:
        word = re.sub(pattern, replacement, word)
    return word.strip()


def parse_ordinal(word: str, lang: str) -> int | None:
    """"third" -> 3, "twenty-first" -> 21, "第三" / "三" -> 3, "3rd" -> 3, "двенадцатому" -> 12."""
    word = word.strip().lower()
    if lang == "zh":
        return parse_int(word.removeprefix("第"))
    digits = re.fullmatch(r"(\d+)(?:st|nd|rd|th|e|ème|er|º|°|o|a|-?й|-?го|-?му|-?м)?", word)
    if digits:
        return int(digits.group(1))
    return ordinal_words(lang).get(normalise_ordinal(word, lang))


@cache
def month_names(lang: str) -> dict[str, int]:
    """Month names from CLDR, lower-case: wide and abbreviated, format and stand-alone, of
    the language's locale and of the further locales its ``[dates] locales`` phrase data
    lists (Arabic: "أغسطس" from ``ar`` and the Levantine "آب" from ``ar_SY``), and the
    cases its ``[dates] month_cases`` builds from them."""
    from rightsgraph.extract.language import phrase_data

    codes = ["zh_Hans" if lang == "zh" else lang]
    data = phrase_data(lang).get("dates", {})
    codes += data.get("locales", [])
    names: dict[str, int] = {}
    for code in codes:
        locale = Locale.parse(code)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    names.setdefault(name.lower().rstrip("."), number)
    # Cases CLDR does not give, from the ones it does (``[dates] month_cases``: Russian
    # "июня" -> "июню", "к июню 2027 года").
    for pattern, replacement in data.get("month_cases", []):
        for name, number in list(names.items()):
            if len(name) >= 3 and re.search(pattern, name):
                names.setdefault(re.sub(pattern, replacement, name), number)
    return names


def month_number(name: str, lang: str) -> int | None:
    """The month of a name, or of a pair as Arabic prints them ("آب/أغسطس")."""
    for part in name.split("/"):
        number = month_names(lang).get(part.strip().lower().rstrip("."))
        if number:
            return number
    return None


@cache
def month_pattern(lang: str) -> str:
    """A regex alternation of the month names of ``lang``, longest first.  A name may be
    paired with another after "/", as in the UN's Arabic ("تشرين الأول/أكتوبر",
    "حزيران/يونيه"); the first is read."""
    names = sorted(month_names(lang), key=len, reverse=True)
    one = "(?:" + "|".join(re.escape(n) for n in names) + ")"
    return rf"(?:{one}(?:\s*/\s*\w+)?)"


@cache
def language_names() -> dict[str, str]:
    """Names of the six UN languages in each of them ("English", "anglais", "英文") -> code."""
    table: dict[str, str] = {}
    for lang in LANGUAGES:
        locale = Locale.parse("zh_Hans" if lang == "zh" else lang)
        for code in LANGUAGES:
            name = locale.languages.get(code)
            if name:
                table[name.lower()] = code
    table.update({"英文": "en", "法文": "fr", "西班牙文": "es", "俄文": "ru", "中文": "zh",
                  "阿拉伯文": "ar"})  # the "X文" form UN Chinese headers print ("原文：英文")
    return table


def iso(year: int, month: int, day: int) -> str | None:
    """An ISO date, or ``None`` when the parts do not form a real date."""
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


ZH_DATE_LIST = re.compile(
    r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"(?P<more>(?:\s*(?:和|、|及|至|到|-|–)\s*(?:(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*)?\d{1,2}\s*日)*)")
ZH_DATE_MORE = re.compile(
    r"(?:(?P<y>\d{4})\s*年\s*)?(?:(?P<m>\d{1,2})\s*月\s*)?(?P<d>\d{1,2})\s*日")


def find_dates(text: str, lang: str) -> list[tuple[list[str], int, int]]:
    """Every date or list of dates in ``text``: ``([iso, ...], start, end)``.

    Lists share their month and year as the languages write them: "4 and 5 October 2021",
    "31 March and 1 April 2014", "2–26 August 2016", "2021年10月4日和5日",
    "2021年9月27日至10月8日".  Ranges keep their two ends only.
    """
    if lang == "zh":
        return _find_zh_dates(text)
    return _find_latin_dates(text, lang)


def _find_zh_dates(text: str) -> list[tuple[list[str], int, int]]:
    found = []
    for match in ZH_DATE_LIST.finditer(text):
        year, month = int(match["y"]), int(match["m"])
        dates = [iso(year, month, int(match["d"]))]
        for more in ZH_DATE_MORE.finditer(match["more"]):
            year = int(more["y"]) if more["y"] else year
            month = int(more["m"]) if more["m"] else month
            dates.append(iso(year, month, int(more["d"])))
        found.append(([d for d in dates if d], match.start(), match.end()))
    return found


@cache
def _latin_date_list(lang: str) -> re.Pattern[str]:
    month = month_pattern(lang)
    day = r"\d{1,2}(?:er|º|°)?"
    # A text layer may run the month into the day or the year ("18July2012"): no space needed
    # beside a month name; a day and a year without one between them stay apart.
    part = rf"{day}(?:\s*(?:de\s+)?{month}(?:\s*(?:de\s*)?\d{{4}})?|\s+(?:de\s+)?\d{{4}})?"
    extra = "".join(f"|{s}" for s in _date_separators(lang))
    sep = (r"(?:\s*,\s*|\s+(?:and|et|y|e|и|و)\s+|\s*[-–—]\s*|\s+(?:to|au|al|a|по)\s+"
           rf"{extra})")
    last = rf"{day}\s*(?:de\s+)?{month}\s*(?:de\s*)?\d{{4}}"
    return re.compile(rf"(?<!\d)(?:{part}{sep})*{last}(?!\d)", re.IGNORECASE)


def _date_separators(lang: str) -> list[str]:
    """Extra separators of dates in a list, from the ``[dates] separators`` phrase data."""
    from rightsgraph.extract.language import phrase_data

    return phrase_data(lang).get("dates", {}).get("separators", [])


def _find_latin_dates(text: str, lang: str) -> list[tuple[list[str], int, int]]:
    month_re = month_pattern(lang)
    part = re.compile(
        rf"(\d{{1,2}})(?:er|º|°)?(?:\s*(?:de\s+)?({month_re}))?(?:\s*(?:de\s*)?(\d{{4}}))?",
        re.IGNORECASE)
    found = []
    for match in _latin_date_list(lang).finditer(text):
        parts = [(int(p[1]), p[2], p[3]) for p in part.finditer(match.group(0))]
        dates: list[str] = []
        month = year = None
        for day, month_name, year_text in reversed(parts):  # month and year come last
            month = month_number(month_name, lang) if month_name else month
            year = int(year_text) if year_text else year
            if month and year:
                value = iso(year, month, day)
                if value:
                    dates.append(value)
        found.append((list(reversed(dates)), match.start(), match.end()))
    return found


# --- dates as printed: partial dates and durations --------------------------------------


@dataclass(frozen=True)
class DateRead:
    """A date as a document prints it: ``value`` in ISO 8601 at the precision printed
    ("2026-10-13", "2027-06", "2026"), ``precision`` ("day", "month" or "year"), ``text``
    the words read, and their span."""

    value: str
    precision: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Duration:
    """A period a document gives instead of a date ("within one year"): ``value`` in ISO 8601
    (``P1Y``, ``P18M``), ``text`` the words read, and their span."""

    value: str
    text: str
    start: int
    end: int

    def after(self, day: str) -> str | None:
        """The day this period after ``day`` (an ISO date) ends: "2021-10-08" + P1Y ->
        "2022-10-08" (the last day of the month when it has fewer days)."""
        match = re.fullmatch(r"P(\d+)([YM])", self.value)
        start = date.fromisoformat(day) if match else None
        if match is None or start is None:
            return None
        months = int(match[1]) * (12 if match[2] == "Y" else 1) + start.month - 1
        year, month = start.year + months // 12, months % 12 + 1
        for last in (start.day, 30, 29, 28):
            value = iso(year, month, last)
            if value:
                return value
        return None


def find_due_dates(text: str, lang: str) -> list[DateRead]:
    """The dates of ``text`` at whatever precision it prints them, in order: days ("by 1
    November 2026"; a list or range gives its last day), months of a year ("by June 2027",
    "2027年6月"), years in the words that set a deadline ("by 2026", "due in 2026": the
    ``[dates] year_due`` phrase data)."""
    found = [DateRead(dates[-1], "day", text[start:end], start, end)
             for dates, start, end in find_dates(text, lang) if dates]
    taken = [(d.start, d.end) for d in found]

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for match in _month_year(lang).finditer(text):
        month = int(match["m"]) if match["m"].isdigit() else month_number(match["m"], lang)
        if month and free(match.start(), match.end()):
            found.append(DateRead(f"{int(match['y']):04d}-{month:02d}", "month", match[0],
                                  match.start(), match.end()))
            taken.append((match.start(), match.end()))
    for pattern in _year_due(lang):
        for match in pattern.finditer(text):
            if free(match.start("y"), match.end("y")):
                found.append(DateRead(str(parse_int(match["y"])), "year", match[0],
                                      match.start(), match.end()))
                taken.append((match.start(), match.end()))
    return sorted(found, key=lambda d: d.start)


@cache
def _month_year(lang: str) -> re.Pattern[str]:
    """A month and a year with no day before them."""
    if lang == "zh":
        return re.compile(r"(?<!\d)(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月(?!\s*\d{1,2}\s*日)")
    return re.compile(rf"(?<![\d\w])(?P<m>{month_pattern(lang)})\s*(?:de\s+)?(?P<y>\d{{4}})(?!\d)",
                      re.IGNORECASE)


@cache
def _year_due(lang: str) -> list[re.Pattern[str]]:
    from rightsgraph.extract.language import phrase_data

    return [re.compile(p, re.IGNORECASE)
            for p in phrase_data(lang).get("dates", {}).get("year_due", [])]


def find_durations(text: str, lang: str) -> list[Duration]:
    """Periods of ``text`` ("within one year", "dans un délai d'un an", "一年内"), from the
    ``[dates] within`` phrase data: group ``n`` the number (a numeral, a word, or none for
    one), group ``unit`` matched against ``[dates] units`` (``Y``, ``M``)."""
    from rightsgraph.extract.language import phrase_data

    data = phrase_data(lang).get("dates", {})
    units = {unit: re.compile(rf"^(?:{pattern})$", re.IGNORECASE)
             for unit, pattern in data.get("units", {}).items()}
    out = []
    for pattern in data.get("within", []):
        for match in re.finditer(pattern, text, re.IGNORECASE):
            words = (match.groupdict().get("n") or "").strip()
            number = parse_int(words) if words else 1
            if number is None:
                number = ordinal_words(lang).get(normalise_ordinal(words, lang))
            if number is None and re.fullmatch(data.get("one", "(?!)"), words, re.IGNORECASE):
                number = 1
            unit = next((u for u, r in units.items() if r.match(match["unit"])), None)
            if number and unit:
                out.append(Duration(f"P{number}{unit}", match[0], match.start(), match.end()))
    return sorted(out, key=lambda d: d.start)
