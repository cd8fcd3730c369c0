"""Read: report file bytes -> RawReport, one reader per format, each with its provenance.

txt (encodings) · html (main content + metadata) · pdf (text layer, ruled tables; OCR for scans) ·
docx (python-docx) · doc/wps (LibreOffice) · images (OCR). OCR needs the `[ocr]` extra.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from kb.readers.encoding import ReadError
from kb.readers.result import Extracted
from kb.records import RawReport

TEXT_SUFFIXES = {".txt", ".md", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
PDF_SUFFIXES = {".pdf"}
DOCX_SUFFIXES = {".docx"}
LEGACY_WORD_SUFFIXES = {".doc", ".wps"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"}
SUPPORTED_SUFFIXES = (TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES | DOCX_SUFFIXES | LEGACY_WORD_SUFFIXES
                      | IMAGE_SUFFIXES)


def doc_id_for(path: Path) -> str:
    return path.stem


def extract(suffix: str, data: bytes) -> Extracted:
    """The reader for a file suffix applied to the file's bytes."""
    if suffix in TEXT_SUFFIXES:
        from kb.readers.plain import read_text
        return read_text(data)
    if suffix in HTML_SUFFIXES:
        from kb.readers.html import read_html
        from kb.readers.plain import decode_text
        return read_html(*decode_text(data))
    if suffix in PDF_SUFFIXES:
        from kb.readers.pdf import read_pdf
        return read_pdf(data)
    if suffix in DOCX_SUFFIXES:
        from kb.readers.word import read_docx
        return read_docx(data)
    if suffix in LEGACY_WORD_SUFFIXES:
        from kb.readers.word import read_legacy_word
        return read_legacy_word(data, suffix)
    if suffix in IMAGE_SUFFIXES:
        from kb.readers.image import read_image
        return read_image(data)
    raise ReadError(f"unsupported file type {suffix or '(none)'}; expected one of {sorted(SUPPORTED_SUFFIXES)}")


def read_report(path: Path, data: bytes | None = None) -> RawReport:
    """Read one report file (or its bytes, when already read). Raises ReadError naming what is wrong."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise ReadError(f"unsupported file type {suffix or '(none)'}; expected one of {sorted(SUPPORTED_SUFFIXES)}")
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ReadError(f"cannot read file: {exc.strerror or exc}") from None
    if not data.strip():
        raise ReadError("empty file")
    got = extract(suffix, data)
    # Paged readers build their text (and page offsets) themselves; a text file's newlines are normalised.
    text = got.text if got.page_starts else got.text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise ReadError("no text after decoding")
    return RawReport(doc_id=doc_id_for(path), path=str(path), sha256=hashlib.sha256(data).hexdigest(),
                     encoding=got.encoding, text=text, source_type=got.source_type, pages=got.pages, ocr=got.ocr,
                     page_starts=got.page_starts, meta=got.meta)
