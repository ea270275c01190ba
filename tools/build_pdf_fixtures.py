"""Regenerate the PDF test fixtures in tests/fixtures/en/pdf/ from the English text fixtures.

Each ``tests/fixtures/en/*_fixture.txt`` is rebuilt as a DOCX with real footnotes (the
tests' ``docx_builder.docx_from_export``) and converted to PDF by LibreOffice, so the PDF
has what a Word-made UN PDF has: a text layer, footnotes at page bottoms with superscript
markers, page breaks inside paragraphs.  The tests read the committed PDFs; they never need
LibreOffice.

Usage: .venv/bin/python tools/build_pdf_fixtures.py [--soffice soffice]
(needs LibreOffice Writer: ``apt-get install libreoffice-writer``)
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "en"
OUT = FIXTURES / "pdf"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--soffice", default="soffice", help="LibreOffice binary")
    args = parser.parse_args(argv)
    if shutil.which(args.soffice) is None:
        print(f"{args.soffice} not found; install libreoffice-writer", file=sys.stderr)
        return 1
    sys.path.insert(0, str(ROOT / "tests"))
    from docx_builder import docx_from_export

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for source in sorted(FIXTURES.glob("*_fixture.txt")):
            docx = Path(tmp) / f"{source.stem}.docx"
            docx_from_export(source, docx)
            subprocess.run([args.soffice, "--headless", f"-env:UserInstallation=file://{tmp}/lo",
                            "--convert-to", "pdf", "--outdir", str(OUT), str(docx)],
                           check=True, capture_output=True)
            print(OUT / f"{source.stem}.pdf")
    return 0


if __name__ == "__main__":
    sys.exit(main())
