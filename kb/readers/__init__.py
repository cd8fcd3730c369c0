"""Read: report file bytes -> RawReport, one reader per format, each with its provenance.

txt (encodings) · html (main content + metadata) · pdf (text layer, ruled tables; OCR for scans) ·
docx (python-docx) · doc/wps (LibreOffice) · images (OCR). OCR needs the `[ocr]` extra.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from kb.readers.encoding import ReadError
from kb.readers.result import Extracted
from kb.records import RawReport


@dataclass(frozen=True)
class Reader:
    """How one kind of file is read.

    read: "module:function", imported when a file needs it (a reader's library costs nothing before),
    called with (bytes, suffix). rank: which of two files with one stem gets the bare id (text 0, web
    page 1, the rest 2). needs: "module:function" saying whether an optional dependency is there, and
    missing: what to tell the user when it is not ({kind} is the suffix without its dot).
    """
    read: str
    rank: int = 2
    needs: str | None = None
    missing: str = ""


_OCR = dict(needs="kb.readers.ocr:ocr_available", missing="an image has no text layer: install kb[ocr] "
                                                          "(pip install 'kb[ocr]')")
_LIBREOFFICE = dict(needs="kb.readers.word:soffice_path", missing=".{kind} needs LibreOffice to convert it "
                                                                  "(apt-get install libreoffice-writer), "
                                                                  "or save the file as .docx")

# The one table of formats: a new one is one entry here (and its reader module).
READERS: dict[str, Reader] = {
    **dict.fromkeys((".txt", ".md", ".text"), Reader("kb.readers.plain:read_text", rank=0)),
    **dict.fromkeys((".html", ".htm", ".xhtml", ".shtml"), Reader("kb.readers.html:read_html_file", rank=1)),
    ".pdf": Reader("kb.readers.pdf:read_pdf"),  # OCR only for scanned pages: the reader says what to install
    ".docx": Reader("kb.readers.word:read_docx"),
    **dict.fromkeys((".doc", ".wps"), Reader("kb.readers.word:read_legacy_word", **_LIBREOFFICE)),
    **dict.fromkeys((".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp"),
                    Reader("kb.readers.image:read_image", **_OCR)),
}


def doc_id_for(path: Path) -> str:
    return path.stem


def _function(spec: str):
    module, name = spec.split(":")
    return getattr(import_module(module), name)


def reader_for(suffix: str) -> Reader:
    reader = READERS.get(suffix)
    if reader is None:
        raise ReadError(f"unsupported file type {suffix or '(none)'}; expected one of {sorted(READERS)}")
    return reader


def extract(suffix: str, data: bytes) -> Extracted:
    """The reader for a file suffix applied to the file's bytes."""
    reader = reader_for(suffix)
    if reader.needs and not _function(reader.needs)():
        raise ReadError(reader.missing.format(kind=suffix.lstrip(".")))
    return _function(reader.read)(data, suffix)


def read_report(path: Path, data: bytes | None = None) -> RawReport:
    """Read one report file (or its bytes, when already read). Raises ReadError naming what is wrong."""
    path = Path(path)
    suffix = path.suffix.lower()
    reader_for(suffix)
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
