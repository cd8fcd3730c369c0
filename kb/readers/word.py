"""Word -> text: .docx with python-docx (paragraphs with their list numbers, tables as `| a | b |` rows);
.doc and .wps converted to .docx by LibreOffice headless when it is installed.
"""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from kb.readers.encoding import ReadError
from kb.readers.layout import cell_text, table_row
from kb.readers.result import Extracted

CONVERT_TIMEOUT = 180  # seconds LibreOffice may take for one file
# python-docx holds the whole document XML as a tree, ~15x its size in memory: the XML is measured (streamed,
# not trusting the zip's declared sizes) before. A 40-page report's word/document.xml is 1-3 MB and a few
# thousand paragraphs.
MAX_DOCUMENT_XML_MB = 40
MAX_PARAGRAPHS = 200_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CN_DIGITS = "零一二三四五六七八九"


def read_docx(data: bytes, suffix: str = ".docx", source_type: str = "docx") -> Extracted:
    import docx
    from docx.table import Table

    _check_package(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 -- python-docx raises KeyError, ValueError, lxml errors ...
        raise ReadError(f"damaged Word document ({type(exc).__name__}: {exc})") from None
    numbers = _ListNumbers(document)
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
        else:
            text = " ".join(block.text.split()) if block.text.strip() else ""
            if text:
                lines.append(numbers.label(block) + text)
    if not lines:
        raise ReadError("Word document has no text")
    return Extracted(text="\n".join(lines), source_type=source_type, meta=_core_meta(document))


def _check_package(data: bytes) -> None:
    if data.startswith(_OLE_MAGIC):
        raise ReadError("not a .docx: an old binary Word (.doc) or password-protected file; rename it to .doc")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReadError("not a Word document (.docx is a zip package; this file is not one)")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        if "word/document.xml" not in names:
            shown = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")
            raise ReadError(f"not a Word document: the zip has no word/document.xml (it holds {shown or 'nothing'})")
        _check_document_xml(z)


def _check_document_xml(z: zipfile.ZipFile) -> None:
    """ReadError when word/document.xml unpacks to more than MAX_DOCUMENT_XML_MB or MAX_PARAGRAPHS."""
    limit = MAX_DOCUMENT_XML_MB * 1_000_000
    size = paragraphs = 0
    tail = b""
    try:
        with z.open("word/document.xml") as xml:
            while piece := xml.read(1 << 20):
                size += len(piece)
                if size > limit:
                    raise ReadError(f"Word document too large to read: its text XML unpacks to more than "
                                    f"{MAX_DOCUMENT_XML_MB} MB (a 40-page report has 1-3 MB)")
                window = tail + piece
                paragraphs += window.count(b"<w:p>") + window.count(b"<w:p ") - \
                    tail.count(b"<w:p>") - tail.count(b"<w:p ")
                if paragraphs > MAX_PARAGRAPHS:
                    raise ReadError(f"Word document has more than {MAX_PARAGRAPHS:,} paragraphs "
                                    "(a report has a few thousand); not read")
                tail = piece[-5:]
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
        raise ReadError(f"damaged Word document: its text cannot be unpacked ({exc})") from None


def _table_lines(table) -> list[str]:
    """One `| a | b |` line per row; a merged cell's text once, at its first grid position."""
    lines = []
    above: list = []
    for row in table.rows:
        cells, seen = [], []
        for i, cell in enumerate(row.cells):
            merged_left = bool(seen) and cell._tc is seen[-1]
            merged_up = i < len(above) and cell._tc is above[i]
            cells.append("" if merged_left or merged_up else cell_text(cell.text))
            seen.append(cell._tc)
        above = seen
        if any(cells):
            lines.append(table_row(cells))
    return lines


def _core_meta(document) -> dict[str, str]:
    props = document.core_properties
    meta = {}
    if props.title and props.title.strip():
        meta["title"] = props.title.strip()
    return meta


class _ListNumbers:
    """The numbers Word draws before numbered paragraphs ("一、", "（二）", "3."), which python-docx's
    paragraph text leaves out: from numbering.xml, counted in document order.
    """

    def __init__(self, document):
        from docx.oxml.ns import qn

        self.qn = qn
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}  # (numId, ilvl) -> (format, text, start)
        self.counters: dict[str, dict[int, int]] = {}
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {a.get(qn("w:abstractNumId")): a for a in numbering.findall(qn("w:abstractNum"))}
        for num in numbering.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            definition = abstract.get(ref.get(qn("w:val"))) if ref is not None else None
            if definition is None:
                continue
            for lvl in definition.findall(qn("w:lvl")):
                fmt, text, start = lvl.find(qn("w:numFmt")), lvl.find(qn("w:lvlText")), lvl.find(qn("w:start"))
                self.levels[(num.get(qn("w:numId")), int(lvl.get(qn("w:ilvl"))))] = (
                    fmt.get(qn("w:val")) if fmt is not None else "decimal",
                    text.get(qn("w:val")) if text is not None else "",
                    int(start.get(qn("w:val"))) if start is not None else 1)

    def label(self, paragraph) -> str:
        num_pr = self._num_pr(paragraph)
        if num_pr is None:
            return ""
        num_id, ilvl = num_pr
        if (num_id, ilvl) not in self.levels:
            return ""
        counters = self.counters.setdefault(num_id, {})
        fmt, text, start = self.levels[(num_id, ilvl)]
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if fmt in ("bullet", "none"):
            return ""
        for level in range(ilvl + 1):
            level_fmt, _, level_start = self.levels.get((num_id, level), ("decimal", "", 1))
            text = text.replace(f"%{level + 1}", _format_number(counters.get(level, level_start), level_fmt))
        return text

    def _num_pr(self, paragraph) -> tuple[str, int] | None:
        qn = self.qn
        for pPr in (paragraph._p.pPr, _style_pPr(paragraph)):
            num_pr = pPr.find(qn("w:numPr")) if pPr is not None else None
            if num_pr is not None and num_pr.find(qn("w:numId")) is not None:
                ilvl = num_pr.find(qn("w:ilvl"))
                return num_pr.find(qn("w:numId")).get(qn("w:val")), int(ilvl.get(qn("w:val"))) if ilvl is not None else 0
        return None


def _style_pPr(paragraph):
    style = paragraph.style
    return style.element.pPr if style is not None else None


def _format_number(n: int, fmt: str) -> str:
    if fmt.startswith("chineseCounting") or fmt in ("ideographTraditional", "taiwaneseCounting"):
        return _chinese_number(n)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    return str(n)


def _chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 25 -> 二十五 (the counting numbers of 一、 headings)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read_legacy_word(data: bytes, suffix: str) -> Extracted:
    """.doc / .wps: LibreOffice headless converts to .docx, which is then read as above (kb.readers.READERS
    checks that LibreOffice is installed first)."""
    kind = suffix.lstrip(".").lower()
    soffice = soffice_path()
    with tempfile.TemporaryDirectory(prefix="kb-convert-") as tmp:
        source = Path(tmp) / f"report{suffix.lower()}"
        source.write_bytes(data)
        command = [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
                   "--convert-to", "docx", "--outdir", tmp, str(source)]
        try:
            subprocess.run(command, capture_output=True, timeout=CONVERT_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise ReadError(f"LibreOffice took more than {CONVERT_TIMEOUT} s converting the .{kind} file") from None
        converted = source.with_suffix(".docx")
        if not converted.exists():
            raise ReadError(f"LibreOffice could not convert the .{kind} file (damaged or not a Word file)")
        return read_docx(converted.read_bytes(), source_type=kind)
