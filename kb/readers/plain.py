"""Text files -> text: UTF-8/BOM, GB18030, Big5, UTF-16 (kb.readers.encoding)."""
from __future__ import annotations

from kb.readers.encoding import ReadError, decode, looks_binary
from kb.readers.result import Extracted


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding) of a text file; ReadError for binary content."""
    text, encoding = decode(data)
    if looks_binary(text):
        raise ReadError("binary content (control characters), not a text report")
    return text, encoding


def read_text(data: bytes, suffix: str = ".txt") -> Extracted:
    text, encoding = decode_text(data)
    return Extracted(text=text, source_type="txt", encoding=encoding)
