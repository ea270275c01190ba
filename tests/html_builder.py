"""Write a text fixture (Word-export convention, see docx_builder) as HTML pages that mimic
the sites concluding observations are read from.

* ``ohchr``: Word's "Save as web page" HTML as served by docstore/tbinternet, inside site
  chrome (header, navigation, breadcrumbs, footer); footnote references
  ``<a href="#_ftn1" name="_ftnref1">[1]</a>`` and the ``mso-element:footnote`` list.
* ``umn``: a University of Minnesota Human Rights Library page: old HTML 3 markup, a
  windows-1252 ``http-equiv`` charset, unclosed ``<p>``, a link bar at the top and bottom,
  notes as ``<a href="#fn1"><sup>1</sup></a>`` with ``<a name="fn1">`` paragraphs.
"""
from __future__ import annotations

import os
import re
from html import escape
from pathlib import Path

from docx_builder import MARKER

from rightsgraph.extract.readers.text import BODY, BODY_MARK


def _split(path: str | os.PathLike) -> tuple[list[str], dict[str, str]]:
    paragraphs, notes = [], {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        for match in BODY.finditer(line):
            notes[match.group(1)] = BODY_MARK.sub("", match.group(2)).strip()
        body = BODY.sub("", line).strip()
        if body:
            paragraphs.append(re.sub(r"\s*\t\s*", " ", body))
    return paragraphs, notes


def ohchr_page(src: str | os.PathLike, dst: str | os.PathLike) -> None:
    paragraphs, notes = _split(src)

    def ref(m: re.Match) -> str:
        n = m.group(1)
        return (f'<a style="mso-footnote-id:ftn{n}" href="#_ftn{n}" name="_ftnref{n}" title="">'
                f'<span class="MsoFootnoteReference">[{n}]</span></a>')

    body = "\n".join(f'<p class="MsoNormal">{MARKER.sub(ref, escape(p))}</p>' for p in paragraphs)
    footnotes = "\n".join(
        f'<div style="mso-element:footnote" id="ftn{n}"><p class="MsoFootnoteText">'
        f'<a style="mso-footnote-id:ftn{n}" href="#_ftnref{n}" name="_ftn{n}" title="">'
        f'<span class="MsoFootnoteReference">[{n}]</span></a> {escape(text)}</p></div>'
        for n, text in notes.items())
    Path(dst).write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>OHCHR | Document</title>
<script>var dataLayer = [];</script><style>.MsoNormal {{ margin: 0 }}</style></head>
<body>
<header class="site-header"><a href="/">OHCHR</a>
<a href="/en/treaty-bodies">Treaty bodies</a></header>
<nav aria-label="Main"><ul><li><a href="/en/countries">Countries</a></li>
<li><a href="/en/topics">Human rights topics</a></li></ul></nav>
<div class="breadcrumb"><a href="/">Home</a> / <a href="/en/documents">Documents</a></div>
<main id="content"><div class="WordSection1">
{body}
</div>
<div style="mso-element:footnote-list"><br clear="all"><hr align="left" size="1" width="33%">
{footnotes}
</div></main>
<footer><p>© OHCHR 1996-2024</p><a href="/en/privacy-policy">Privacy policy</a></footer>
</body></html>
""", encoding="utf-8")


def umn_page(src: str | os.PathLike, dst: str | os.PathLike) -> None:
    paragraphs, notes = _split(src)

    def ref(m: re.Match) -> str:
        return f'<a href="#fn{m.group(1)}"><sup>{m.group(1)}</sup></a>'

    body = "\n".join(f"<p>{MARKER.sub(ref, escape(p))}" for p in paragraphs)
    footnotes = "\n".join(f'<p><a name="fn{n}">{n}</a>. {escape(text)}'
                          for n, text in notes.items())
    links = ('<p><a href="/humanrts/index.html">Home</a> || <a href="/humanrts/treaties.htm">'
             'Treaties</a> || <a href="/humanrts/Search.htm">Search</a> || '
             '<a href="/humanrts/links.htm">Links</a>')
    page = f"""<HTML><HEAD>
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=windows-1252">
<TITLE>Concluding observations</TITLE></HEAD>
<BODY BGCOLOR="#FFFFFF">
<CENTER><A HREF="/humanrts/index.html">
<IMG SRC="/humanrts/umnlogo.gif" ALT="University of Minnesota"></A></CENTER>
{links}
<HR>
{body}
<HR>
{footnotes}
<HR>
{links}
</BODY></HTML>
"""
    Path(dst).write_bytes(page.encode("windows-1252"))
