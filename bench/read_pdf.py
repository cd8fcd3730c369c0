"""Text-layer PDF reading: speed (pages/s) and table quality of PDFium (pypdfium2) vs pdfminer (pdfplumber),
and kb's reader (PDFium text + pdfplumber tables on pages that draw lines); a 200-page PDF's time and memory.

    PYTHONPATH=$PWD python bench/read_pdf.py [--pages 200]

Table quality: of the 2020 template's table rows (tests/fixtures/template_2020.md), how many come out as
exactly the same `| a | b |` line.
"""
from __future__ import annotations

import argparse
import io
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb.readers.layout import PageLayout, assemble, cell_text, table_row  # noqa: E402
from kb.readers.pdf import _text_boxes, read_pdf  # noqa: E402
from kb.settings import PROJECT_ROOT  # noqa: E402
from tests.fixtures.formats import SEPARATOR_ROW, text_pdf  # noqa: E402


def pdfium_only(data: bytes) -> str:
    """PDFium text, rows only from gaps between text runs (no ruling lines)."""
    import pypdfium2 as pdfium

    pages = []
    for page in pdfium.PdfDocument(data):
        pages.append(PageLayout(height=page.get_height(), boxes=_text_boxes(page.get_textpage(), page.get_height())))
    return assemble(pages)[0]


def pdfplumber_only(data: bytes, limit: int | None = None) -> tuple[str, int]:
    """pdfminer's text of each page, tables from pdfplumber's ruling-line finder, in page order."""
    import pdfplumber

    lines = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = pdf.pages[:limit] if limit else pdf.pages
        for page in pages:
            tables = page.find_tables()
            outside = page
            for t in tables:
                outside = outside.outside_bbox(t.bbox)
            lines += outside.extract_text().splitlines()
            for t in tables:
                lines += [table_row([cell_text(c or "") for c in row]) for row in t.extract()]
            page.close()
        return "\n".join(lines), len(pages)


def rows_kept(expected: list[str], text: str) -> str:
    got = set(text.splitlines())
    return f"{sum(r in got for r in expected)}/{len(expected)}"


def timed(fn, *args):
    started = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args()
    template = (PROJECT_ROOT / "tests" / "fixtures" / "template_2020.md").read_text(encoding="utf-8")
    expected = [ln for ln in template.splitlines() if ln.startswith("|") and not SEPARATOR_ROW.match(ln)]
    seed = (PROJECT_ROOT / "data" / "reports" / "002_6eecb43df29e7b4f.txt").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        table_pdf = text_pdf(template, Path(tmp) / "template.pdf").read_bytes()
        long_pdf = text_pdf(seed, Path(tmp) / "long.pdf", pages=args.pages).read_bytes()
    print(f"template table rows kept exactly: kb {rows_kept(expected, read_pdf(table_pdf).text)}, "
          f"pdfium only {rows_kept(expected, pdfium_only(table_pdf))}, "
          f"pdfplumber {rows_kept(expected, pdfplumber_only(table_pdf)[0])}")
    got, seconds = timed(read_pdf, long_pdf)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"kb reader: {got.pages} pages in {seconds:.1f} s = {got.pages / seconds:.1f} pages/s, "
          f"{len(got.text)} characters, peak RSS {peak:.0f} MB")
    _, seconds = timed(pdfium_only, long_pdf)
    print(f"pdfium text only: {got.pages / seconds:.1f} pages/s")
    (_, n), seconds = timed(pdfplumber_only, long_pdf, 40)
    print(f"pdfplumber text + tables: {n / seconds:.1f} pages/s (first {n} pages)")


if __name__ == "__main__":
    main()
