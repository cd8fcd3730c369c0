"""What a reader returns: the report's text and where it came from (turned into a RawReport by read_report)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Extracted:
    text: str
    source_type: str                 # txt / html / pdf / docx / doc / wps / image
    encoding: str = ""               # the text encoding of a text file; "" for binary formats
    pages: int | None = None
    ocr: bool = False
    page_starts: list[int] = field(default_factory=list)  # offset in text where each page starts
    meta: dict[str, str] = field(default_factory=dict)    # title / published / source / url found outside the body
