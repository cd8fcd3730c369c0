"""Read: report file bytes -> text, one reader per format (encoding detection; HTML -> text)."""
from __future__ import annotations

import hashlib
from pathlib import Path

from kb.readers.encoding import ReadError, decode, looks_binary
from kb.readers.html import html_to_text
from kb.records import RawReport

TEXT_SUFFIXES = {".txt", ".md", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES


def doc_id_for(path: Path) -> str:
    return path.stem


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
    text, encoding = decode(data)
    if looks_binary(text):
        raise ReadError("binary content (control characters), not a text report")
    if suffix in HTML_SUFFIXES:
        text = html_to_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise ReadError("no text after decoding")
    return RawReport(doc_id=doc_id_for(path), path=str(path), sha256=hashlib.sha256(data).hexdigest(),
                     encoding=encoding, text=text)
