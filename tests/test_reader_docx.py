"""The DOCX reader: body text, footnote markers, footnotes, auto-numbering, errors."""
from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx_builder import MARKER, build_docx

from rightsgraph.extract.model import Block, Source
from rightsgraph.extract.readers import text as text_reader
from rightsgraph.extract.readers.docx import format_number, read
from rightsgraph.extract.readers.errors import ReadError

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_1bae2115e5d01706.txt"
# A footnote body in the seed's text export: " [N: text]" after the paragraph.
EXPORT_BODY = re.compile(r" ?\[(\d+): (.*?)\]")
# The export writes a space after a marker even inside Chinese text; the document has none.
EXPORT_SPACE = re.compile(r"(\[footnoteRef:\d+\]\*?) (?=[\u3000-\u9fff\uff00-\uffef])")

PARAGRAPHS = [
    "\t\t关于阿塞拜疆第三次定期报告的结论性意见[footnoteRef:2]*",
    "1.\t委员会在2021年10月4日和5日举行的第464和第465次会议[footnoteRef:3]上审议了阿塞拜疆的"
    "第三次定期报告。[footnoteRef:4]委员会通过了以下结论性意见。",
    "",
    "2.\tThe Committee recalls its previous recommendations[footnoteRef:5] and recommends:",
    "\t(a)\tTo ratify the Convention;[footnoteRef:6]",
    "\t(b)\tTo adopt, in line with its commitments,[footnoteRef:7] the term “migrant worker”.",
    "3.\t委员会重申其先前的建议，建议缔约国：",
    "\t(a)\t审查《移民法》；",
]
FOOTNOTES = {
    "2": "委员会第三十三届会议(2021年9月27日至10月8日)通过。",
    "3": "CMW/C/SR.464和465。",
    "4": "CMW/C/AZE/3.",
    "5": "CMW/C/AZE/CO/2, para. 13.",
    "6": "See A/HRC/39/14, para. 141.97.",
    "7": "A/HRC/39/14/Add.1, para. 34.",
}


def source_of(tmp_path: Path, paragraphs: list[str], footnotes: dict[str, str], *,
              numbered: bool = False, formats: tuple[str, str] = ("decimal", "lowerLetter"),
              ) -> Source:
    """Build a DOCX from ``paragraphs`` and read it back."""
    path = tmp_path / "doc.docx"
    build_docx(path, paragraphs, footnotes, numbered=numbered, formats=formats)
    return read(path)


def split_export(lines: list[str]) -> tuple[list[str], dict[str, str]]:
    """Paragraph strings and footnote texts of lines of the seed's text export."""
    footnotes = {}
    paragraphs = []
    for line in lines:
        for match in EXPORT_BODY.finditer(line):
            footnotes[match.group(1)] = re.sub(r"^\*\s+", "", match.group(2).strip())
        paragraphs.append(EXPORT_SPACE.sub(r"\1", EXPORT_BODY.sub("", line)).rstrip())
    return paragraphs, footnotes


def check_markers(block: Block, source_text: str) -> None:
    """Each marker sits where it sat in ``source_text``: the text before it is the same."""
    matches = list(MARKER.finditer(source_text))
    assert [m.footnote for m in block.markers] == [match.group(1) for match in matches]
    for marker, match in zip(block.markers, matches, strict=True):
        preceding = source_text[:match.start()]
        assert block.text[:marker.offset] == MARKER.sub("", preceding).strip()


def test_body_text_markers_and_footnotes(tmp_path: Path) -> None:
    source = source_of(tmp_path, PARAGRAPHS, FOOTNOTES)
    path = tmp_path / "doc.docx"
    assert (source.path, source.format) == (str(path), "docx")
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [b.text for b in source.blocks] == [
        "关于阿塞拜疆第三次定期报告的结论性意见",
        "1.\t委员会在2021年10月4日和5日举行的第464和第465次会议上审议了阿塞拜疆的第三次定期报告。"
        "委员会通过了以下结论性意见。",
        "2.\tThe Committee recalls its previous recommendations and recommends:",
        "(a)\tTo ratify the Convention;",
        "(b)\tTo adopt, in line with its commitments, the term “migrant worker”.",
        "3.\t委员会重申其先前的建议，建议缔约国：",
        "(a)\t审查《移民法》；",
    ]
    assert [b.line for b in source.blocks] == [1, 2, 4, 5, 6, 7, 8]  # the empty paragraph 3
    assert [b.indent for b in source.blocks] == [2, 0, 0, 1, 1, 0, 1]
    assert all(b.label is None for b in source.blocks)
    for block, paragraph in zip(source.blocks, [p for p in PARAGRAPHS if p], strict=True):
        check_markers(block, paragraph)
    second = source.blocks[1]
    assert [(m.footnote, second.text[m.offset - 3:m.offset]) for m in second.markers] == [
        ("3", "次会议"), ("4", "报告。")]
    assert source.blocks[3].markers[0].offset == len(source.blocks[3].text)
    assert {fid: (f.text, f.line) for fid, f in source.footnotes.items()} == {
        "2": (FOOTNOTES["2"], 1), "3": (FOOTNOTES["3"], 2), "4": (FOOTNOTES["4"], 2),
        "5": (FOOTNOTES["5"], 4), "6": (FOOTNOTES["6"], 5), "7": (FOOTNOTES["7"], 6),
    }
    assert source.warnings == []


def test_custom_mark_is_neither_body_text_nor_footnote_text(tmp_path: Path) -> None:
    source = source_of(tmp_path, ["Concluding observations[footnoteRef:1]* on Azerbaijan"],
                       {"1": "Adopted by the Committee at its thirty-third session."})
    [block] = source.blocks
    assert block.text == "Concluding observations on Azerbaijan"
    assert [(m.offset, m.footnote) for m in block.markers] == [(23, "1")]
    assert source.footnotes["1"].text == "Adopted by the Committee at its thirty-third session."
    document = zipfile.ZipFile(tmp_path / "doc.docx").read("word/document.xml").decode()
    assert 'w:customMarkFollows="1"' in document and "<w:t>*</w:t>" in document


def test_tabs_line_breaks_and_multi_paragraph_footnotes(tmp_path: Path) -> None:
    source = source_of(tmp_path, ["First line\nsecond\tline[footnoteRef:1]"],
                       {"1": "One paragraph.\nAnother\twith a tab."})
    [block] = source.blocks
    assert block.text == "First line\nsecond\tline"
    assert block.markers[0].offset == len(block.text)
    assert source.footnotes["1"].text == "One paragraph.\nAnother\twith a tab."


def test_unreferenced_and_missing_footnotes_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "doc.docx"
    build_docx(path, ["Text[footnoteRef:1]"], {"1": "Kept.", "9": "Never referenced."})
    xml = zipfile.ZipFile(path).read("word/footnotes.xml").decode()
    assert 'w:type="separator" w:id="-1"' in xml
    assert 'w:type="continuationSeparator" w:id="0"' in xml
    source = read(path)
    assert list(source.footnotes) == ["1", "9"]
    assert source.footnotes["9"].line == 0
    assert source.warnings == ["footnote 9 is never referenced in the body"]


def test_auto_numbering_labels(tmp_path: Path) -> None:
    source = source_of(tmp_path, [
        "Heading", "1.\tFirst.", "2.\tSecond:", "\t(a)\tone;", "\t(b)\ttwo;[footnoteRef:1]",
        "3.\tThird:", "(a)\tagain one.", "1.\tA new list.", "5.\tStarts at five.",
    ], {"1": "Note."}, numbered=True)
    assert [(b.label, b.text, b.indent) for b in source.blocks] == [
        (None, "Heading", 0), ("1.", "First.", 0), ("2.", "Second:", 0), ("(a)", "one;", 1),
        ("(b)", "two;", 1), ("3.", "Third:", 0), ("(a)", "again one.", 1),
        ("1.", "A new list.", 0), ("5.", "Starts at five.", 0),
    ]
    assert source.blocks[4].markers[0].offset == len("two;")
    assert source.warnings == []


@pytest.mark.parametrize(("formats", "labels"), [
    (("chineseCounting", "lowerRoman"), ["九.", "十.", "(i)", "(ii)", "十一."]),
    (("upperRoman", "upperLetter"), ["IX.", "X.", "(A)", "(B)", "XI."]),
    (("ideographTraditional", "decimal"), ["壬.", "癸.", "(1)", "(2)", "甲."]),
])
def test_numbering_formats(tmp_path: Path, formats: tuple[str, str], labels: list[str]) -> None:
    source = source_of(tmp_path, ["9.\tx", "10.\tx", "(a)\tx", "(b)\tx", "11.\tx"], {},
                       numbered=True, formats=formats)
    assert [b.label for b in source.blocks] == labels


def test_unsupported_numbering_format_leaves_label_empty(tmp_path: Path) -> None:
    source = source_of(tmp_path, ["1.\tx", "2.\ty"], {}, numbered=True,
                       formats=("ordinalText", "lowerLetter"))
    assert [(b.label, b.indent) for b in source.blocks] == [(None, 0), (None, 0)]
    assert len(source.warnings) == 1 and "'ordinalText'" in source.warnings[0]


def test_numbering_from_paragraph_style_and_table_paragraphs(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("Before")
    document.add_paragraph("first item", style="List Number")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "cell one"
    table.cell(0, 1).text = "cell two"
    document.add_paragraph("second item", style="List Number")
    path = tmp_path / "styled.docx"
    document.save(str(path))
    source = read(path)
    assert [(b.text, b.label, b.line) for b in source.blocks] == [
        ("Before", None, 1), ("first item", "1.", 2), ("cell one", None, 3),
        ("cell two", None, 4), ("second item", "2.", 5),
    ]


@pytest.mark.parametrize(("value", "fmt", "expected"), [
    (3, "decimal", "3"), (4, "decimalZero", "04"), (28, "lowerLetter", "bb"),
    (14, "lowerRoman", "xiv"), (1, "chineseCounting", "一"), (10, "chineseCounting", "十"),
    (21, "chineseCountingThousand", "二十一"), (105, "chineseCounting", "一百零五"),
    (2, "none", ""), (2, "cardinalText", None),
])
def test_format_number(value: int, fmt: str, expected: str | None) -> None:
    assert format_number(value, fmt) == expected


@pytest.mark.parametrize("content", [b"", "1.\t这不是DOCX。\n".encode(), b"PK\x03\x04junk"])
def test_not_a_docx_raises_read_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fake.docx"
    path.write_bytes(content)
    with pytest.raises(ReadError) as caught:
        read(path)
    assert caught.value.path == str(path)
    assert str(caught.value).startswith(f"{path}: ")


@pytest.mark.parametrize(("member", "edit", "message"), [
    ("word/document.xml", lambda data: None, "word/document.xml"),
    ("[Content_Types].xml", lambda data: data.replace(b"wordprocessingml.document.main",
                                                       b"spreadsheetml.sheet.main"),
     "not a Word document"),
])
def test_broken_docx_raises_read_error(tmp_path: Path, member: str,
                                       edit: Callable[[bytes], bytes | None],
                                       message: str) -> None:
    good = tmp_path / "good.docx"
    build_docx(good, ["text"], {})
    bad = tmp_path / "bad.docx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            data = edit(data) if name == member else data
            if data is not None:
                dst.writestr(name, data)
    with pytest.raises(ReadError, match=re.escape(message)) as caught:
        read(bad)
    assert caught.value.path == str(bad)


def test_run_content(tmp_path: Path) -> None:
    document = Document()
    paragraph = document.add_paragraph("co")
    for xml in (
        "<w:r><w:softHyphen/><w:t>operation</w:t><w:noBreakHyphen/><w:t>based</w:t></w:r>",
        '<w:del w:id="1" w:author="a" w:date="2021-01-01T00:00:00Z"><w:r><w:delText>gone'
        "</w:delText></w:r></w:del>",
        '<w:ins w:id="2" w:author="a" w:date="2021-01-01T00:00:00Z"><w:r><w:t xml:space="preserve">'
        " added</w:t></w:r></w:ins>",
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t xml:space="preserve"> 7'
        '</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>',
        '<w:r><w:sym w:font="Symbol" w:char="F0B7"/></w:r>',
        '<w:hyperlink r:id="rId99"><w:r><w:t>link</w:t></w:r></w:hyperlink>',
    ):
        paragraph._p.extend(parse_xml(f"<w:wrap {nsdecls('w', 'r')}>{xml}</w:wrap>"))
    path = tmp_path / "runs.docx"
    document.save(str(path))
    [block] = read(path).blocks
    assert block.text == "cooperation-based added 7\u00b7link"
def test_missing_file_raises_read_error(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as caught:
        read(tmp_path / "absent.docx")
    assert caught.value.path == str(tmp_path / "absent.docx")


def seed_excerpt() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")[:40]


def test_seed_round_trip_keeps_footnotes(tmp_path: Path) -> None:
    paragraphs, footnotes = split_export(seed_excerpt())
    source = source_of(tmp_path, paragraphs, footnotes)
    assert list(source.footnotes) == [str(n) for n in range(2, 10)]
    assert {fid: f.text for fid, f in source.footnotes.items()} == footnotes
    assert source.footnotes["2"].text == "委员会第三十三届会议(2021年9月27日至10月8日)通过。"
    assert source.footnotes["7"].text == "A/HRC/39/14, 第141.97段；以及A/HRC/39/14/Add.1, 第34段。"
    for block in source.blocks:
        check_markers(block, paragraphs[block.line - 1])
    assert source.warnings == []


def test_seed_round_trip_matches_text_reader(tmp_path: Path) -> None:
    lines = seed_excerpt()
    expected = text_reader.parse("\n".join(lines))
    source = source_of(tmp_path, *split_export(lines))
    assert source.blocks == expected.blocks
    assert source.footnotes == expected.footnotes


def test_seed_round_trip_with_word_numbering(tmp_path: Path) -> None:
    lines = seed_excerpt()
    expected = text_reader.parse("\n".join(lines)).blocks
    source = source_of(tmp_path, *split_export(lines), numbered=True)
    assert [b.line for b in source.blocks] == [b.line for b in expected]
    labelled = 0
    for block, typed in zip(source.blocks, expected, strict=True):
        assert block.indent == typed.indent
        if block.label is None:
            assert block == typed
            continue
        labelled += 1
        prefix = f"{block.label}\t"
        assert typed.text == prefix + block.text
        assert [(m.offset + len(prefix), m.footnote) for m in block.markers] == [
            (m.offset, m.footnote) for m in typed.markers]
    assert labelled == 21  # paragraphs 1-16, sub-items (a)-(b) of 5 and of 11, (a) of 16
