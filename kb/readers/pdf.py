"""PDF -> text. The text layer is read with pypdfium2 (PDFium, Chrome's PDF engine: ~6x faster than
pdfminer on CJK pages, see bench/read_pdf.py); ruled tables with pdfplumber, only on pages that draw
lines; pages without a text layer (scans, 图片版) are rendered and OCR'd when kb[ocr] is installed.
"""
from __future__ import annotations

import io

from kb.readers.encoding import ReadError
from kb.readers.layout import Box, PageLayout, TableBlock, assemble, cell_text
from kb.readers.ocr import OCR_DPI, ocr_boxes, require_ocr
from kb.readers.result import Extracted

# A page with fewer visible characters than this in its text layer and an image on it is a scan.
MIN_TEXT_CHARS = 20
# Pages drawing at least this many path objects may hold a ruled table (pdfplumber looks for it).
MIN_TABLE_PATHS = 4
# Pages read from one PDF: a page tree may declare any number (100,000 empty pages in a few KB).
MAX_PAGES = 2_000


def read_pdf(data: bytes, suffix: str = ".pdf") -> Extracted:
    import pypdfium2 as pdfium

    pdf = _open(data)
    try:
        count = len(pdf)
        if count == 0:
            raise ReadError("PDF has no pages")
        if count > MAX_PAGES:
            raise ReadError(f"PDF declares {count:,} pages, more than the {MAX_PAGES:,} read from one file "
                            "(a report has at most a few hundred)")
        pages: list[PageLayout] = []
        scans: list[int] = []
        plumber = _Plumber(data)
        for index in range(count):
            try:
                page = pdf[index]
            except pdfium.PdfiumError:
                raise ReadError(f"damaged PDF: page {index + 1} of {count} cannot be loaded (a broken or looping "
                                "page tree)") from None
            try:
                textpage = page.get_textpage()
                visible = sum(not c.isspace() for c in textpage.get_text_range())
                kinds = [obj.type for obj in page.get_objects(max_depth=1)]
                width, height = page.get_size()
                if visible < MIN_TEXT_CHARS and pdfium.raw.FPDF_PAGEOBJ_IMAGE in kinds:
                    if not scans:
                        require_ocr(f"no text layer (a scanned PDF, {count} pages)")
                    scans.append(index)
                    scale = OCR_DPI / 72
                    image = page.render(scale=scale, grayscale=True).to_pil()
                    pages.append(PageLayout(height=height, boxes=ocr_boxes(image, scale)))
                else:
                    tables = (plumber.tables(index) if kinds.count(pdfium.raw.FPDF_PAGEOBJ_PATH) >= MIN_TABLE_PATHS
                              else [])
                    pages.append(PageLayout(height=height, boxes=_text_boxes(textpage, height), tables=tables))
                textpage.close()
            finally:
                page.close()
        plumber.close()
    finally:
        pdf.close()
    text, page_starts = assemble(pages)
    if not text.strip():
        raise ReadError(f"PDF has no text on any of its {count} pages")
    return Extracted(text=text, source_type="pdf", pages=count, ocr=bool(scans), page_starts=page_starts)


def _open(data: bytes):
    import pypdfium2 as pdfium

    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise ReadError("not a PDF file (no %PDF header)")
    # PDFium repairs what it can of a cut-off file; the pages past the cut would be lost silently.
    if b"%%EOF" not in data[-2048:]:
        raise ReadError("truncated PDF (no %%EOF end marker): the file is incomplete, download it again")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        # PDFium's error code can be left over from an earlier document: the trailer says what is encrypted.
        if "password" in message.lower() and b"/Encrypt" in data:
            raise ReadError("encrypted PDF: it needs a password to open") from None
        if _page_count_by_pdfminer(data) == 0:
            raise ReadError("PDF has no pages") from None
        raise ReadError(f"damaged PDF, cannot be opened ({message})") from None


def _page_count_by_pdfminer(data: bytes) -> int | None:
    """A second opinion on a file PDFium refuses (it refuses an empty page tree too)."""
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return len(pdf.pages)
    except Exception:  # noqa: BLE001 -- any failure: no second opinion
        return None


def _text_boxes(textpage, height: float) -> list[Box]:
    """PDFium's text rectangles (runs of text on one line) in top-down coordinates."""
    boxes = []
    for i in range(textpage.count_rects()):
        left, bottom, right, top = textpage.get_rect(i)
        text = textpage.get_text_bounded(left, bottom, right, top)
        if text.strip():
            boxes.append(Box(left, height - top, right, height - bottom, text.replace("\r", "").replace("\n", "")))
    return boxes


class _Plumber:
    """pdfplumber over the same bytes, opened on the first page that may hold a table."""

    def __init__(self, data: bytes):
        self.data = data
        self.pdf = None

    def tables(self, index: int) -> list[TableBlock]:
        import pdfplumber

        try:
            if self.pdf is None:
                self.pdf = pdfplumber.open(io.BytesIO(self.data))
            page = self.pdf.pages[index]
            found = page.find_tables()
            blocks = []
            for table in found:
                rows = [[cell_text(c or "") for c in row] for row in table.extract()]
                rows = [r for r in rows if any(r)]
                if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
                    x0, top, x1, bottom = table.bbox
                    blocks.append(TableBlock(x0, top, x1, bottom, rows))
            page.close()
            return blocks
        except Exception:  # noqa: BLE001 -- a table pdfminer cannot parse is read as plain text lines instead
            return []

    def close(self) -> None:
        if self.pdf is not None:
            self.pdf.close()
