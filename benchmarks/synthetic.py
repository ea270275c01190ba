"""Synthetic concluding observations for load tests, with the link mix of real ones.

    python -m benchmarks.synthetic OUT --documents 400 [--seed 1] [--cycles 3] [--check]
    python -m benchmarks.synthetic OUT --triples 1000000 --check

Writes English plain-text files in the Word-export format of ``seeds/`` (tabs, numbered
paragraphs, ``[footnoteRef:N]`` markers with footnote bodies), one per concluding
observations, for the real committees, treaties and States of the registries.  Each
(committee, State) pair gets ``--cycles`` successive documents (CO/1, CO/2, CO/3…) whose
recommendations reiterate paragraphs of the previous cycle, so reiteration chains exist.

How many links of each kind a paragraph has, where they sit (text or footnote), how prior
recommendations are treated, sub-items and flags are drawn from the histograms that
``benchmarks/link_mix.py`` counted on real documents (``benchmarks/link_mix.json``); the
wording comes from ``benchmarks/synthetic_en.toml``.  The output is a function of the seed.

``--check`` extracts every file with the real extractor and compares the links it finds
with the links the generator wrote; any difference is reported and the exit code is 1.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tomllib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from num2words import num2words

from rightsgraph.core import registries
from rightsgraph.extract import ExtractionError, extract_file

HERE = Path(__file__).resolve().parent
MIX = HERE / "link_mix.json"
WORDING = HERE / "synthetic_en.toml"
# The treaty bodies that adopt concluding observations on State reports (not the SPT).
COMMITTEES = ("CERD", "CESCR", "CCPR", "CEDAW", "CAT", "CRC", "CMW", "CRPD", "CED")
FIRST_YEAR = 2004
YEARS_PER_CYCLE = 5

Link = tuple[str, str, str, str, str]  # (section of a heading link | "", paragraph, item,
#                                          kind, target + "|" + relation for priors)


@dataclass
class Plan:
    """One document to write: its series (committee, State) and cycle."""

    committee: registries.Committee
    treaty: registries.Treaty
    state: registries.State
    cycle: int

    @property
    def symbol(self) -> str:
        return f"{self.committee.symbol_prefix}/{self.state.alpha3}/CO/{self.cycle}"

    @property
    def file_name(self) -> str:
        return self.symbol.replace("/", "_") + ".txt"


@dataclass
class Written:
    """A generated document: its text and the links the generator put in it."""

    plan: Plan
    text: str
    links: Counter[Link]
    recommendations: list[int] = field(default_factory=list)
    reiterating: list[int] = field(default_factory=list)


def load_mix(path: Path = MIX) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def load_wording(path: Path = WORDING) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def ordinal_suffix(n: int) -> str:
    """``464th``, ``471st``, ``512th``: meeting numbers as printed."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def join_list(words: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


class Generator:
    """Deterministic writer of synthetic concluding observations."""

    def __init__(self, seed: int = 1, cycles: int = 3, mix: dict | None = None,
                 wording: dict | None = None) -> None:
        self.seed = seed
        self.cycles = cycles
        self.mix = mix or load_mix()
        self.words = wording or load_wording()
        self.registry = registries.load()
        self.states = [s for s in self.registry.states.values() if s.names.get("en")]
        self.documents = list(self.mix["document_targets"])
        # Conventions cited by their registry title: "(No. N)" for all but one, which the ILO
        # names by title alone ("Maritime Labour Convention, 2006 (MLC, 2006)", C186).
        self.ilo = [i for i in self.registry.ilo.values() if i.kind == "convention"]
        self.sdg = sorted(self.registry.sdg_targets)

    # --- the corpus ------------------------------------------------------------------------

    def plans(self) -> Iterator[Plan]:
        """(committee, State) series in a seeded order, each with its cycles in order."""
        rng = random.Random(f"{self.seed}/series")
        series = [(c, s) for c in COMMITTEES for s in self.states]
        rng.shuffle(series)
        for committee_id, state in series:
            committee = self.registry.committees[committee_id]
            assert committee.treaty is not None  # every committee of COMMITTEES has one
            treaty = self.registry.treaties[committee.treaty]
            for cycle in range(1, self.cycles + 1):
                yield Plan(committee, treaty, state, cycle)

    def generate(self, count: int) -> Iterator[Written]:
        """The first ``count`` documents; earlier cycles of a series come first."""
        previous: dict[tuple[str, str], Written] = {}
        for number, plan in enumerate(self.plans()):
            if number >= count:
                return
            key = (plan.committee.id, plan.state.alpha3)
            written = _Document(self, plan, previous.get(key)).write()
            previous[key] = written
            yield written

    def max_documents(self) -> int:
        return len(COMMITTEES) * len(self.states) * self.cycles


class _Document:
    """Writes one document line by line, recording the links it writes."""

    def __init__(self, gen: Generator, plan: Plan, previous: Written | None) -> None:
        self.gen, self.plan, self.previous = gen, plan, previous
        self.words = gen.words
        self.mix = gen.mix
        self.rng = random.Random(f"{gen.seed}/{plan.symbol}")
        self.lines: list[str] = []
        self.footnote = 0
        self.last_footnote_symbol: str | None = None
        self.links: Counter[Link] = Counter()
        self.written = Written(plan, "", self.links)
        instrument = "Covenant" if "Covenant" in plan.treaty.names["en"] else "Convention"
        self.instrument = instrument
        self.year = FIRST_YEAR + YEARS_PER_CYCLE * (plan.cycle - 1) + self.rng.randrange(3)

    # --- drawing from the measured mix ------------------------------------------------------

    def draw(self, histogram: dict[str, int]) -> int:
        values = [int(k) for k in histogram]
        return self.rng.choices(values, weights=list(histogram.values()))[0]

    def chance(self, share: float) -> bool:
        return self.rng.random() < share

    def topic(self) -> str:
        return self.rng.choice(self.words["paragraphs"]["topics"])

    def date(self, year: int, month: int | None = None) -> str:
        month = month or self.rng.randrange(1, 13)
        return f"{self.rng.randrange(1, 29)} {self.words['months'][month - 1]} {year}"

    def report_title(self, number: int) -> str:
        header = self.words["header"]
        if number == 1:
            return header["initial_report"]
        return header["periodic_report"].format(ordinal=num2words(number, to="ordinal"))

    def marker(self, body: str, symbol: str | None) -> tuple[str, str]:
        """A footnote marker and its body, written at the end of the line."""
        self.footnote += 1
        if symbol is not None:
            self.last_footnote_symbol = symbol
        return f"[footnoteRef:{self.footnote}]", f" [{self.footnote}: \t\t{body}] "

    # --- the document ------------------------------------------------------------------------

    def write(self) -> Written:
        plan, words = self.plan, self.words
        session = self.rng.randrange(20, 110)
        month = self.rng.randrange(1, 12)
        start, end = self.rng.randrange(1, 10), self.rng.randrange(14, 28)
        month_name = words["months"][month - 1]
        self.lines += [
            " United Nations",
            plan.symbol,
            plan.treaty.names["en"],
            "Distr.: General",
            self.date(self.year, month + 1),
            "Original: English",
            plan.committee.names["en"],
        ]
        title = words["header"]["title"].format(report=self.report_title(plan.cycle),
                                                state=plan.state.names["en"])
        adopted = words["header"]["session_footnote"].format(
            session=num2words(session, to="ordinal"), start=f"{start} {month_name}",
            end=f"{end} {month_name} {self.year}")
        self.footnote += 1
        self.lines.append(f"\t\t{title}[footnoteRef:{self.footnote}]* "
                          f"[{self.footnote}: \t*\t{adopted}] ")
        self.lines.append("")
        total = self.rng.randrange(55, 66)
        number = self.section_a(month, start)
        number = self.section_b(number)
        number = self.section_c(number, total - 3)
        self.section_d(number)
        self.written.text = "\n".join(self.lines) + "\n "
        return self.written

    def heading(self, label: str, title: str) -> None:
        self.lines.append(f"\t{label}.\t{title}")

    def subheading(self, title: str) -> None:
        self.lines.append(f"\t\t{title}")

    def section_a(self, month: int, day: int) -> int:
        plan = self.plan
        self.heading("A", self.words["sections"]["introduction"])
        meeting = self.rng.randrange(100, 2500)
        prefix = plan.committee.symbol_prefix
        report_symbol = f"{prefix}/{plan.state.alpha3}/{plan.cycle}"
        month_name = self.words["months"][month - 1]
        text = self.words["paragraphs"]["considered"].format(
            report=self.report_title(plan.cycle), state=plan.state.names["en"],
            report_symbol=report_symbol, m1=ordinal_suffix(meeting),
            m2=ordinal_suffix(meeting + 1), sr1=f"{prefix}/SR.{meeting}",
            sr2_number=meeting + 1, d1=f"{day + 1} {month_name}",
            d2=f"{day + 2} {month_name} {self.year}", m3=ordinal_suffix(meeting + 12),
            d3=f"{day + 10} {month_name} {self.year}")
        self.lines.append(f"1.\t{text}")
        for target in (report_symbol, f"{prefix}/SR.{meeting}", f"{prefix}/SR.{meeting + 1}"):
            self.links[("", "1", "", "document", target)] += 1
        self.lines.append(f"2.\t{self.words['paragraphs']['introduction']}")
        return 3

    def section_b(self, number: int) -> int:
        self.heading("B", self.words["sections"]["positive"])
        for _ in range(self.rng.randrange(2, 5)):
            self.paragraph(number, "B")
            number += 1
        return number

    def section_c(self, number: int, last: int) -> int:
        self.heading("C", self.words["sections"]["concerns"])
        clusters = self.rng.sample(self.words["sections"]["clusters"], 6)
        per_cluster = max(2, math.ceil((last - number + 1) / len(clusters)))
        for index, cluster in enumerate(clusters, start=1):
            if number > last:
                break
            section = f"C.{index}"
            self.lines.append(f"\t{index}.\t{cluster}{self.cluster_articles(section)}")
            subheadings = self.rng.sample(self.words["sections"]["subheadings"], 3)
            for offset in range(per_cluster):
                if number > last:
                    break
                if offset % 2 == 0:
                    self.subheading(subheadings[(offset // 2) % len(subheadings)])
                self.paragraph(number, section)
                number += 1
        return number

    def section_d(self, number: int) -> None:
        words, plan = self.words["paragraphs"], self.plan
        self.heading("D", self.words["sections"]["follow_up"])
        self.subheading(self.words["sections"]["dissemination"])
        self.lines.append(f"{number}.\t{words['dissemination']}")
        self.subheading(self.words["sections"]["follow_up_heading"])
        chosen = sorted(self.rng.sample(self.written.recommendations or [number], 
                                        min(3, len(self.written.recommendations) or 1)))
        self.lines.append(f"{number + 1}.\t" + words["follow_up"].format(
            deadline=self.date(self.year + 2), paragraphs=join_list([str(n) for n in chosen])))
        self.subheading(self.words["sections"]["next_report_heading"])
        self.lines.append(f"{number + 2}.\t" + words["next_report"].format(
            report=self.report_title(plan.cycle + 1), due=self.date(self.year + 5)))

    # --- links ---------------------------------------------------------------------------

    def articles(self, count: int) -> list[int]:
        return sorted(self.rng.sample(range(1, self.plan.treaty.articles + 1), count))

    def cluster_articles(self, section: str) -> str:
        links = self.words["links"]
        count = min(self.draw(self.mix["cluster_heading_articles"]), self.plan.treaty.articles)
        if count == 0:
            return ""
        if count > 3:
            first = self.rng.randrange(1, self.plan.treaty.articles - count + 2)
            numbers = list(range(first, first + count))
            text = links["cluster_range"].format(first=first, last=first + count - 1)
        else:
            numbers = self.articles(count)
            text = (links["cluster_article"].format(n=numbers[0]) if count == 1 else
                    links["cluster_articles"].format(list=join_list([str(n) for n in numbers])))
        for n in numbers:
            self.links[(section, "", "", "article", f"{self.plan.treaty.id}/{n}")] += 1
        return text

    def paragraph(self, number: int, section: str) -> None:
        mix, words = self.mix, self.words["paragraphs"]
        links = self.words["links"]
        para = str(number)
        counts = {kind: self.draw(h) for kind, h in mix["links_per_paragraph"].items()}
        flags = {flag: self.chance(share) for flag, share in mix["flag_share"].items()}
        if self.previous is None:
            counts["prior"] = 0
        sentences: list[str] = []
        footnotes: list[str] = []  # bodies, in the order of their markers

        def add_marker(body: str, symbol: str | None) -> str:
            marker, note = self.marker(body, symbol)
            footnotes.append(note)
            return marker

        if counts["prior"]:
            sentences.append(self.prior_sentence(para, counts["prior"], add_marker))
        if flags["positive"]:
            sentences.append(words["positive"].format(topic=self.topic()))
        if flags["concern"] or counts["article"]:
            concern = words["concern"] if flags["concern"] else words["neutral"]
            concern = concern.format(topic=self.topic()).removesuffix(".")
            numbers = self.articles(counts["article"]) if counts["article"] else []
            if numbers:
                if len(numbers) == 1 and self.chance(0.5):
                    concern += links["article_text"].format(n=numbers[0],
                                                            instrument=self.instrument)
                elif len(numbers) == 1:
                    concern += links["article_paren"].format(n=numbers[0])
                else:
                    concern += links["articles_paren"].format(
                        list=join_list([str(n) for n in numbers]))
            for n in numbers:
                self.links[("", para, "", "article", f"{self.plan.treaty.id}/{n}")] += 1
            sentences.append(concern + ".")
        if counts["ilo"]:
            conventions = sorted(self.rng.sample(self.gen.ilo, counts["ilo"]),
                                 key=lambda c: c.number)
            if len(conventions) == 1:
                sentences.append(links["ilo_one"].format(title=conventions[0].titles["en"]))
            else:
                sentences.append(links["ilo_many"].format(
                    list=join_list([str(c.number) for c in conventions])))
            for convention in conventions:
                self.links[("", para, "", "ilo", convention.code)] += 1
        if counts["document"]:
            for symbol in self.rng.sample(self.gen.documents, counts["document"]):
                self.links[("", para, "", "document", symbol)] += 1
                if self.chance(mix["footnote_share"]["document"]):
                    sentences.append(links["document_footnote_sentence"].format(
                        marker=add_marker(f"{symbol}.", symbol)))
                else:
                    sentences.append(links["document_text_sentence"].format(symbol=symbol))
        lead = ""
        if counts["sdg"]:
            targets = sorted(self.rng.sample(self.gen.sdg, counts["sdg"]),
                             key=lambda t: tuple(int(x) if x.isdigit() else 99
                                                 for x in t.split(".")))
            phrase = ("target " if len(targets) == 1 else "targets ") + join_list(targets)
            for target in targets:
                self.links[("", para, "", "sdg", target)] += 1
            if flags["recommendation"]:
                lead += links["sdg_lead"].format(targets=phrase)
            else:
                sentences.append(links["sdg_sentence"].format(targets=phrase))
        if counts["general_comment"]:
            lead_gc = self.general_comments(para, counts["general_comment"],
                                            flags["recommendation"])
            if flags["recommendation"]:
                lead += lead_gc
            else:
                sentences.append(lead_gc)
        item_lines: list[str] = []
        if flags["recommendation"]:
            self.written.recommendations.append(number)
            n_items = self.item_count()
            action = self.rng.choice(words["actions"]).format(topic=self.topic())
            key = "recommendation_list" if n_items else "recommendation"
            rec = words[key].format(action=action)
            rec = lead + rec if lead else rec[0].upper() + rec[1:]
            if n_items:
                item_lines = self.items(n_items)
            else:
                rec += "."
            sentences.append(rec)
        if not sentences:
            sentences.append(words["neutral"].format(topic=self.topic()))
        # pad to the measured length of real paragraphs, with text that links nothing
        length = self.rng.randrange(self.mix["mean_paragraph_chars_en"] // 2,
                                    self.mix["mean_paragraph_chars_en"] * 3 // 2)
        filler = self.rng.sample(words["filler"], len(words["filler"]))
        while sum(map(len, sentences)) < length and filler and not item_lines:
            sentences.insert(-1, filler.pop())
        self.lines.append(f"{number}.\t{' '.join(sentences)}" + "".join(footnotes))
        if footnotes:  # a footnote body ends its line, and a blank line follows
            self.lines.append("")
        self.lines.extend(item_lines)

    def item_count(self) -> int:
        """Sub-items of a recommendation: only recommendations list items here, so the
        measured share of paragraphs with items is reached among recommendations."""
        histogram = dict(self.mix["items_per_paragraph"])
        without = histogram.pop("0")
        with_items = sum(histogram.values()) / (without + sum(histogram.values()))
        if not self.chance(with_items / self.mix["flag_share"]["recommendation"]):
            return 0
        return self.draw(histogram)

    def items(self, count: int) -> list[str]:
        words = self.words["paragraphs"]
        labels = "abcdefghij"
        lines = []
        # nested_items_share is over all paragraphs; about a third of them have items
        nested = self.chance(self.mix["nested_items_share"] * 3)
        for i in range(count):
            text = self.rng.choice(words["items"]).format(topic=self.topic())
            if nested and i == count - 1:
                lines.append(f"\t({labels[i]})\t{words['nested_lead']}")
                for j, line in enumerate(words["nested_items"], start=1):
                    lines.append(f"({'i' * j})\t{line.format(topic=self.topic())}")
                break
            lines.append(f"\t({labels[i]})\t{text}")
        lines[-1] = lines[-1].removesuffix(";") + "."
        return lines

    def general_comments(self, para: str, count: int, lead: bool) -> str:
        committee = self.plan.committee
        own = [g for g in self.gen.registry.general_comments.values()
               if g.committee == committee.id and not g.joint_with]
        chosen = sorted(self.rng.sample(own, min(count, len(own))), key=lambda g: g.number)
        if not chosen:
            return ""
        term = committee.general_comment_term_en + ("s" if len(chosen) > 1 else "")
        parts = [f"No. {g.number}" + (f" ({g.year})" if g.year else "") for g in chosen]
        for g in chosen:
            self.links[("", para, "", "general_comment", g.notation)] += 1
        key = "general_comment_lead" if lead else "general_comment_sentence"
        return self.words["links"][key].format(term=term, list=join_list(parts))

    def prior_sentence(self, para: str, count: int, add_marker) -> str:
        """A sentence citing ``count`` paragraphs of the previous cycle (or the two before)."""
        links, previous = self.words["links"], self.previous
        assert previous is not None
        relations = self.mix["prior_relations"]
        relation = self.rng.choices(list(relations), weights=list(relations.values()))[0]
        candidates = previous.reiterating or previous.recommendations or [1]
        if previous.recommendations and self.chance(0.5):
            candidates = previous.recommendations
        pins = sorted(self.rng.sample(candidates, min(count, len(candidates))))
        symbol = previous.plan.symbol
        pin_text = ("para. " if len(pins) == 1 else "paras. ") + join_list(
            [str(p) for p in pins])
        for pin in pins:
            self.links[("", para, "", "prior", f"{symbol}#{pin}|{relation}")] += 1
        if relation == "reiterates":
            self.written.reiterating.append(int(para))
        if self.chance(self.mix["footnote_share"]["prior"]):
            if self.last_footnote_symbol == symbol:
                body = f"Ibid., {pin_text}."
            else:
                body = f"{symbol}, {pin_text}."
            where = add_marker(body, symbol)
        else:
            where = links["prior_inline"].format(symbol=symbol, pins=pin_text)
        sentence = links[f"prior_{relation}"].format(where=where)
        return sentence if sentence.endswith(".") else sentence + "."


# --- self-check ------------------------------------------------------------------------------


def found_links(path: Path) -> Counter[Link]:
    """The links the real extractor finds in a file, in the generator's terms."""
    doc = extract_file(path)
    found: Counter[Link] = Counter()
    for paragraph, heading, ref in doc.references():
        if ref.kind in ("treaty",) or ref.kind not in (
                "article", "ilo", "sdg", "prior", "general_comment", "document"):
            continue
        target = ref.target + (f"|{ref.relation or 'cites'}" if ref.kind == "prior" else "")
        if paragraph is None:
            assert heading is not None  # a link outside paragraphs is in a heading
            found[(heading.section, "", "", ref.kind, target)] += 1
        else:
            found[("", str(paragraph.number), "", ref.kind, target)] += 1
    return found


def check(written: Written, path: Path) -> list[str]:
    """Differences between what was written and what the extractor finds in ``path``."""
    try:
        found = found_links(path)
    except ExtractionError as err:
        return [f"{path}: does not extract: {err}"]
    problems = []
    for link, n in (written.links - found).items():
        problems.append(f"{path}: written but not found ({n}x): {link}")
    for link, n in (found - written.links).items():
        problems.append(f"{path}: found but not written ({n}x): {link}")
    return problems


def documents_for_triples(gen: Generator, triples: int, sample: int = 9) -> int:
    """How many documents make about ``triples`` triples, measured on the first ones."""
    from rightsgraph.extract import extract_source, to_graph
    from rightsgraph.extract.readers.text import parse

    counted = 0
    docs = list(gen.generate(sample))
    for written in docs:
        source = parse(written.text, path=written.plan.file_name)
        counted += len(to_graph(extract_source(source)))
    return math.ceil(triples / (counted / len(docs)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="folder to write the .txt files into")
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--documents", type=int, help="number of documents")
    size.add_argument("--triples", type=int, help="about this many triples once extracted")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cycles", type=int, default=3, help="reports per committee and State")
    parser.add_argument("--check", action="store_true",
                        help="extract every file and compare its links with the intended ones")
    args = parser.parse_args(argv)
    gen = Generator(seed=args.seed, cycles=args.cycles)
    count = args.documents or documents_for_triples(gen, args.triples)
    if count > gen.max_documents():
        parser.error(f"at most {gen.max_documents()} documents with --cycles {args.cycles}")
    args.output.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    links: Counter[str] = Counter()
    for written in gen.generate(count):
        path = args.output / written.plan.file_name
        path.write_text(written.text, encoding="utf-8")
        for link, n in written.links.items():
            links[link[3]] += n
        if args.check:
            problems += check(written, path)
    print(f"{count} documents -> {args.output}; links: "
          + ", ".join(f"{k} {v}" for k, v in sorted(links.items())))
    if args.check:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"self-check: {len(problems)} differences in {count} documents")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
