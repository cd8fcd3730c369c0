"""Read: report file bytes -> text (encoding detection; HTML -> text with paragraph breaks)."""
from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import Path

from charset_normalizer import from_bytes

from .records import RawReport

TEXT_SUFFIXES = {".txt", ".md", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES

# Elements whose content is page furniture, not report text.
_DROPPED_ELEMENTS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form",
                     "iframe", "button", "select", "template", "svg")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ReadError(Exception):
    """A file that cannot be ingested; the message says why."""


def doc_id_for(path: Path) -> str:
    return path.stem


def decode(data: bytes) -> tuple[str, str]:
    """Bytes -> (text, encoding name). Raises ReadError for empty or binary content."""
    if not data.strip():
        raise ReadError("empty file")
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name), name
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
    text = data.decode(encoding, errors="strict")
    return text, encoding


def _looks_binary(text: str) -> bool:
    controls = len(_CONTROL.findall(text))
    return controls > max(2, len(text) // 100)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML page: one line per block element, tables as `| a | b |` rows."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for name in _DROPPED_ELEMENTS:
        for el in soup.find_all(name):
            el.decompose()
    for row in soup.find_all("tr"):
        cells = [re.sub(r"\s+", " ", c.get_text(" ", strip=True)) for c in row.find_all(["td", "th"])]
        row.replace_with(soup.new_string("\n| " + " | ".join(cells) + " |\n"))
    for br in soup.find_all("br"):
        br.replace_with(soup.new_string("\n"))
    blocks = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "table", "section", "article",
              "title", "blockquote", "pre", "dd", "dt")
    for el in soup.find_all(blocks):
        el.insert_before(soup.new_string("\n"))
        el.insert_after(soup.new_string("\n"))
    body = soup.body or soup
    text = body.get_text()
    title = soup.title.get_text(strip=True) if soup.title and soup.body else ""
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    if title and (not lines or lines[0] != title):
        lines.insert(0, title)
    return "\n".join(lines)


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
    if _looks_binary(text):
        raise ReadError("binary content (control characters), not a text report")
    if suffix in HTML_SUFFIXES:
        text = html_to_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise ReadError("no text after decoding")
    return RawReport(doc_id=doc_id_for(path), path=str(path), sha256=hashlib.sha256(data).hexdigest(),
                     encoding=encoding, text=text)
