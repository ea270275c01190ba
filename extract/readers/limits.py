"""Limits on what a reader accepts (README, "Running it in public"), so that a hostile or
broken file is refused with a reason instead of exhausting memory.  A concluding
observation is 30-200 KB of text, a few hundred paragraphs and 10-40 pages; the limits
leave two orders of magnitude of room."""

MAX_FILE_BYTES = {"text": 10_000_000, "html": 20_000_000, "docx": 20_000_000,
                  "pdf": 100_000_000}
MAX_DOCX_INFLATED_BYTES = 100_000_000  # all parts of a DOCX (a ZIP) once decompressed
MAX_PDF_PAGES = 2_000
MAX_BLOCKS = 20_000  # paragraphs, headings and list items of one file
