"""Reader for HTML pages: OHCHR docstore/tbinternet pages (Word's "Save as web page"
export) and the mirror sites named in the corpus MANIFEST (University of Minnesota Human
Rights Library, bayefsky.com, studylib, issuu text copies).

Parsed with lxml.html (libxml2's HTML parser): it is already a dependency (python-docx),
it is fast, it repairs the broken markup of old mirror pages, and given bytes it honours
the page's ``<meta charset>`` / ``http-equiv`` declaration (windows-1252 on old UMN pages).
Pages that declare nothing are read as UTF-8, else as windows-1252 with a warning.

What becomes what:

* Site chrome is dropped: ``script``, ``style``, ``nav``, ``header``, ``footer``,
  ``aside``, ``form`` and elements whose id or class names navigation, menus, banners,
  breadcrumbs, sidebars, search or sharing.  The body is ``<main>``/``<article>``/
  ``#content`` when the page has one, else ``<body>``.
* One :class:`Block` per leaf block element (``p``, ``h1``-``h6``, ``li``, ``div`` without
  block children, ...), text whitespace-normalised, ``<br>`` kept as a line break.  A
  table row is one block, its cells separated by a tab.  ``Block.line`` is the source line
  of the element.
* Footnotes: an anchor to ``#_ftnN`` / ``#ftnN`` (Word) or ``#fnN`` in the body is a
  :class:`Marker` (its text, "[1]", is not body text); the element that holds the target
  anchor (``name``/``id`` ``_ftnN``) is the footnote, its number anchor removed.
* A page without any numbered paragraph ("1. The Committee ...") has no concluding-
  observations body: :class:`ReadError` names the file.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from rightsgraph.extract.model import Block, Marker, Source, SourceFootnote
from rightsgraph.extract.readers.errors import ReadError

CHROME_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form",
               "iframe", "button", "select", "template")
CHROME_NAME = re.compile(r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|banner|breadcrumbs?|"
                         r"sidebar|search|share|social|cookie|masthead|site-?header|"
                         r"site-?footer|skip)(?:$|[\s_-])", re.I)
BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "div", "blockquote", "pre",
              "dd", "dt", "tr", "center", "section", "article", "main", "table", "ul", "ol",
              "dl", "body", "tbody", "thead"}
NOTE_REF = re.compile(r"^#_?(?:ftn|fn|edn)(\d+)$", re.I)
NOTE_TARGET = re.compile(r"^_?(?:ftn|fn|edn)(\d+)$", re.I)
NUMBERED = re.compile(r"^\s*\d{1,3}\s*[.．]")
# What is left before a footnote's text once its number anchor is gone: "*", ". ", ") ".
NOTE_LEAD = re.compile(r"^[\s*.):\]]+")
CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w-]+)", re.I)


def read(path: str | os.PathLike) -> Source:
    """Read an HTML page into the intermediate form; raises :class:`ReadError`."""
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise ReadError(path, err.strerror or str(err)) from err
    warnings: list[str] = []
    root = _parse(data, path, warnings)
    _drop_chrome(root)
    body = _content_root(root)
    notes = _footnotes(body)
    blocks = [block for element in _leaves(body)
              if (block := _block(element)).text or block.markers]
    if not any(NUMBERED.match(block.text) for block in blocks):
        raise ReadError(path, "no concluding-observations body in this page (no numbered "
                              "paragraphs \"1. …\"); is it a search or index page?")
    return Source(path=str(path), format="html", sha256=hashlib.sha256(data).hexdigest(),
                  blocks=blocks, footnotes=notes, warnings=warnings)


def _parse(data: bytes, path: str | os.PathLike, warnings: list[str]) -> HtmlElement:
    """Parse with the declared charset; undeclared: UTF-8, else windows-1252."""
    encoding = None
    if not CHARSET.search(data[:4096]):
        try:
            data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "windows-1252"
            warnings.append(f"{path}: no charset declared and not UTF-8; read as windows-1252")
    parser = lxml_html.HTMLParser(encoding=encoding, remove_comments=True)
    try:
        root = lxml_html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError) as err:
        raise ReadError(path, f"not a readable HTML page ({err})") from err
    return root


def _drop_chrome(root: HtmlElement) -> None:
    for element in list(root.iter(*CHROME_TAGS)):
        element.drop_tree()
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        names = f"{element.get('id', '')} {element.get('class', '')} {element.get('role', '')}"
        if CHROME_NAME.search(names) and not _holds_paragraphs(element):
            element.drop_tree()


def _holds_paragraphs(element: HtmlElement) -> bool:
    """A wrapper named "…-nav" that still holds the document text is not chrome."""
    return sum(1 for line in element.text_content().splitlines() if NUMBERED.match(line)) > 1


def _content_root(root: HtmlElement) -> HtmlElement:
    for xpath in ("//main", "//article", "//*[@id='content']", "//*[@id='main']", "//body"):
        found = root.xpath(xpath)
        if found and NUMBERED.search(found[0].text_content() or ""):
            return found[0]
    return root


def _footnotes(body: HtmlElement) -> dict[str, SourceFootnote]:
    """Footnote bodies, removed from the tree so that they do not become blocks."""
    notes: dict[str, SourceFootnote] = {}
    for anchor in list(body.iter("a")):
        target = anchor.get("name") or anchor.get("id") or ""
        match = NOTE_TARGET.match(target)
        if not match or anchor.getparent() is None:
            continue
        holder = anchor
        while (parent := holder.getparent()) is not None and \
                holder.tag not in ("p", "li", "div", "dd"):
            holder = parent
        fid = match.group(1)
        anchor.drop_tree()
        text = NOTE_LEAD.sub("", _normalise(holder.text_content()))
        if fid not in notes:
            notes[fid] = SourceFootnote(fid, text, holder.sourceline or 0)
        container = holder.getparent()
        holder.drop_tree()
        # Word's export wraps each footnote in <div id="ftnN">: drop it once empty.
        if container is not None and container.tag == "div" and \
                not _normalise(container.text_content()) and container.getparent() is not None:
            container.drop_tree()
    return notes


def _leaves(element: HtmlElement) -> Iterator[HtmlElement]:
    """Block elements with no block element inside, in document order; rows whole."""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "tr" or (child.tag in BLOCK_TAGS and not any(
                isinstance(d.tag, str) and d.tag in BLOCK_TAGS for d in child.iterdescendants())):
            if not _link_list(child):
                yield child
        elif child.tag in BLOCK_TAGS:
            if _normalise(child.text or ""):
                yield _text_only(child)
            yield from _leaves(child)


def _link_list(element: HtmlElement) -> bool:
    """Site navigation: a block whose visible text is all link text ("Home | Treaties")."""
    links = [a for a in element.iter("a")
             if (href := a.get("href")) and not NOTE_REF.match(href)]
    if not links:
        return False
    return not re.sub(r"[\W_]+", "", "".join(_outside_links(element)))


def _outside_links(element: HtmlElement) -> Iterator[str]:
    """The text of ``element`` that is not inside a link."""
    if element.tag != "a":
        yield element.text or ""
        for child in element:
            if isinstance(child.tag, str):
                yield from _outside_links(child)
            yield child.tail or ""


def _text_only(element: HtmlElement) -> HtmlElement:
    """A stand-in element for the loose text at the start of a container."""
    stand_in = lxml_html.Element("p")
    stand_in.text = element.text
    stand_in.sourceline = element.sourceline  # type: ignore[misc]  # settable in lxml; the stubs say read-only
    return stand_in


def _block(element: HtmlElement) -> Block:
    """Text and footnote markers of one block element."""
    parts: list[str] = []
    markers: list[Marker] = []

    def walk(node: HtmlElement) -> None:
        if node.tag == "br":
            parts.append("\n")
        elif node.tag in ("td", "th") and parts:
            parts.append("\t")
        match = NOTE_REF.match(node.get("href", "")) if node.tag == "a" else None
        if match:
            markers.append(Marker(len(_normalise("".join(parts), keep_end=True)),
                                  match.group(1)))
        else:
            parts.append(node.text or "")
            for child in node:
                if isinstance(child.tag, str):
                    walk(child)
                parts.append(child.tail or "")

    walk(element)
    raw = "".join(parts)
    text = _normalise(raw)
    return Block(text=text, line=element.sourceline or 0,
                 markers=[Marker(min(m.offset, len(text)), m.footnote) for m in markers])


def _normalise(text: str, *, keep_end: bool = False) -> str:
    """Collapse runs of spaces (not tabs or line breaks) and strip, as browsers show it."""
    text = re.sub(r"[ \u00a0\r\f\v]+", " ", text.replace("\r\n", "\n"))
    text = re.sub(r" ?\n ?", "\n", text)
    return text.lstrip() if keep_end else text.strip()
