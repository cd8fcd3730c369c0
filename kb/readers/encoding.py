"""Bytes -> text: BOMs, UTF-8, then charset-normalizer's best guess (GB18030, Big5, UTF-16 ...)."""
from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ReadError(Exception):
    """A file that cannot be ingested; the message says why."""


def decode(data: bytes) -> tuple[str, str]:
    """Bytes -> (text, encoding name). Raises ReadError for empty or binary content."""
    if not data.strip():
        raise ReadError("empty file")
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                # A BOM an editor put before text of another encoding (UTF-8 BOM + GB18030): the rest is
                # detected like a file without one.
                data = data[len(bom):]
                break
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise ReadError("binary or undecodable content (no text encoding fits)")
    encoding = best.encoding
    # GBK-family guesses are widened to GB18030, a strict superset.
    if encoding in {"gb2312", "gbk", "hz"}:
        encoding = "gb18030"
    try:
        return data.decode(encoding, errors="strict"), encoding
    except (UnicodeDecodeError, LookupError):
        raise ReadError(f"undecodable text: it is not valid {encoding}, the closest encoding found") from None


def looks_binary(text: str) -> bool:
    controls = len(_CONTROL.findall(text))
    return controls > max(2, len(text) // 100)
