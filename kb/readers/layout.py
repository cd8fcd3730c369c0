"""Positioned text -> report text: lines from text boxes, paragraphs rejoined across line and page breaks,
table rows as `| a | b |`, running headers, footers and page numbers dropped.

One layout for both sources of positioned text: a PDF's text layer and OCR boxes of a page image.
Coordinates are top-down (top < bottom) in any unit, the same for every page of one document.
"""
from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from kb.report.sections import heading_of


@dataclass
class Box:
    """A run of text on one line, with its bounding box."""
    x0: float
    top: float
    x1: float
    bottom: float
    text: str


@dataclass
class TableBlock:
    """A ruled table found on a page: its box and its rows of cell texts."""
    x0: float
    top: float
    x1: float
    bottom: float
    rows: list[list[str]]


@dataclass
class PageLayout:
    height: float
    boxes: list[Box] = field(default_factory=list)
    tables: list[TableBlock] = field(default_factory=list)


@dataclass
class Line:
    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    row: bool = False      # a table row: never joined with its neighbours

    @property
    def height(self) -> float:
        return self.bottom - self.top


# "— 3 —" (OCR reads the dashes as 一), "- 3 -", "3", "第3页", "第 3 页 共 12 页", "3/12", "Page 3 of 12": a page counter line.
PAGE_NUMBER = re.compile(r"^(?:[-—–－_~·一\s]*\d{1,4}[-—–－_~·一\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
                         r"|\d{1,4}\s*/\s*\d{1,4}|(?:page|p\.)\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$", re.IGNORECASE)
# Boxes further apart than this many line heights on one line are separate cells of a table row.
CELL_GAP = 2.0
# Lines further apart vertically than this many line heights are separate paragraphs.
PARAGRAPH_GAP = 1.2
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")
# A line's first word: a run of anything but spaces and CJK characters (Chinese wraps at any character).
_FIRST_WORD = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+")


def join_wrapped(left: str, right: str) -> str:
    """Two pieces of one wrapped line or cell: no space in Chinese text, one between two Latin words."""
    if not left or not right:
        return left + right
    if _ASCII_WORD.match(left[-1]) and _ASCII_WORD.match(right[0]) and not (left[-1].isdigit() and right[0].isdigit()):
        return left + " " + right
    return left + right


def table_row(cells: list[str]) -> str:
    """One table row as a `| a | b |` line (the form the template-table facts read)."""
    return "|" + "|".join(f" {' '.join(c.split())} " if c.strip() else " " for c in cells) + "|"


def cell_text(text: str) -> str:
    """A cell's lines wrapped inside the cell rejoined as one piece of text."""
    out = ""
    for part in (p.strip() for p in (text or "").splitlines()):
        out = join_wrapped(out, part)
    return out


def page_lines(page: PageLayout) -> list[Line]:
    """The page's text lines and table rows, top to bottom."""
    boxes = [b for b in page.boxes if b.text.strip() and not any(_inside(b, t) for t in page.tables)]
    lines = _group_lines(boxes)
    for t in page.tables:
        step = (t.bottom - t.top) / max(len(t.rows), 1)
        for i, cells in enumerate(t.rows):
            if any(c.strip() for c in cells):
                lines.append(Line(t.x0, t.top + i * step, t.x1, t.top + (i + 1) * step, table_row(cells), row=True))
    lines.sort(key=lambda ln: ln.top)
    return lines


def _inside(box: Box, table: TableBlock) -> bool:
    cx, cy = (box.x0 + box.x1) / 2, (box.top + box.bottom) / 2
    return table.x0 <= cx <= table.x1 and table.top <= cy <= table.bottom


def _group_lines(boxes: list[Box]) -> list[Line]:
    """Boxes on one baseline form a line; boxes far apart on it are the cells of a table row."""
    rows: list[list[Box]] = []
    for b in sorted(boxes, key=lambda b: (b.top + b.bottom) / 2):
        if rows:
            top = min(x.top for x in rows[-1])
            bottom = max(x.bottom for x in rows[-1])
            overlap = min(bottom, b.bottom) - max(top, b.top)
            if overlap >= 0.5 * min(bottom - top, b.bottom - b.top):
                rows[-1].append(b)
                continue
        rows.append([b])
    lines = []
    for row in rows:
        row.sort(key=lambda b: b.x0)
        height = statistics.median(b.bottom - b.top for b in row)
        cells = [row[0].text.strip()]
        for prev, b in zip(row, row[1:]):
            if b.x0 - prev.x1 > CELL_GAP * height:
                cells.append(b.text.strip())
            else:
                cells[-1] = join_wrapped(cells[-1], b.text.strip())
        x0, x1 = row[0].x0, max(b.x1 for b in row)
        top, bottom = min(b.top for b in row), max(b.bottom for b in row)
        if len(cells) > 1:
            lines.append(Line(x0, top, x1, bottom, table_row(cells), row=True))
        else:
            lines.append(Line(x0, top, x1, bottom, cells[0]))
    return lines


def drop_running_lines(pages: list[list[Line]], heights: list[float]) -> list[list[Line]]:
    """Drop page counters and the running header/footer: the first or last two lines of a page that are
    a page number, or whose text (digits aside) recurs at the top or bottom of at least half the pages,
    or a short line in the page's top or bottom margin set apart from the text (seen on a single page too).
    """
    def key(line: Line) -> str:
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", line.text))

    def candidates(lines: list[Line]) -> list[Line]:
        return [ln for ln in lines[:2] + lines[-2:] if not ln.row]

    counts = Counter(k for lines in pages for k in {key(ln) for ln in candidates(lines)})
    repeated = {k for k, n in counts.items() if len(pages) >= 2 and n >= max(2, len(pages) / 2)}
    line_heights = [ln.height for lines in pages for ln in lines if not ln.row]
    char = statistics.median(line_heights) if line_heights else 0.0
    out = []
    for lines, height in zip(pages, heights):
        drop = {id(ln) for ln in candidates(lines) if PAGE_NUMBER.match(ln.text.strip()) or key(ln) in repeated}
        drop |= {id(ln) for ln in _in_margin(lines, height, char)}
        out.append([ln for ln in lines if id(ln) not in drop])
    return out


# Share of the page height at its top and bottom that is margin (running headers and footers sit there).
MARGIN = 0.06


def _in_margin(lines: list[Line], height: float, char: float) -> list[Line]:
    out = []
    if len(lines) >= 2:
        first, second = lines[0], lines[1]
        if first.bottom < MARGIN * height and second.top - first.bottom > 2 * char:
            out.append(first)
        last, before = lines[-1], lines[-2]
        if last.top > (1 - MARGIN) * height and last.top - before.bottom > 2 * char:
            out.append(last)
    return [ln for ln in out if not ln.row and len(ln.text) <= 40]


@dataclass
class _Metrics:
    left: float
    right: float
    char: float


def _metrics(pages: list[list[Line]]) -> _Metrics | None:
    text = [ln for lines in pages for ln in lines if not ln.row]
    if not text:
        return None
    char = statistics.median(ln.height for ln in text)
    # The text block's left edge: where most lines start (continuation lines are never indented).
    lefts = Counter(round(ln.x0 / (char / 2)) for ln in text)
    left = min(b for b, n in lefts.items() if n >= 0.5 * max(lefts.values())) * (char / 2)
    # The right edge: the furthest place where several lines end (one line running past it, a long URL
    # or an OCR box, does not move it).
    ends = sorted((ln.x1 for ln in text if len(ln.text) >= 8), reverse=True) or [ln.x1 for ln in text]
    enough = max(2, 0.2 * len(ends)) if len(ends) >= 2 else 1
    right = next((x for x in ends if sum(abs(e - x) <= char for e in ends) >= enough), ends[0])
    return _Metrics(left, right, char)


def _continues(prev: Line, line: Line, m: _Metrics, same_page: bool) -> bool:
    """Is `line` the continuation of the paragraph `prev` ends? (a Chinese line break is no paragraph)"""
    if prev.row or line.row:
        return False
    if same_page and line.top - prev.bottom > PARAGRAPH_GAP * m.char:
        return False
    # prev ends a paragraph early only if the next line's first word would have fitted after it.
    word = _FIRST_WORD.match(line.text)
    word_width = (line.x1 - line.x0) * (word.end() if word else 1) / max(len(line.text), 1)
    full = prev.x1 + word_width >= m.right - 1.0 * m.char
    indented = line.x0 > m.left + 1.0 * m.char
    return full and not indented and heading_of(line.text) is None


def assemble(pages: list[PageLayout]) -> tuple[str, list[int]]:
    """Report text (one paragraph or table row per line) and the offset where each page starts."""
    lines_by_page = drop_running_lines([page_lines(p) for p in pages], [p.height for p in pages])
    metrics = _metrics(lines_by_page)
    paragraphs: list[str] = []
    page_starts: list[int] = []
    length = 0  # len("\n".join(paragraphs))
    prev: Line | None = None
    for lines in lines_by_page:
        page_starts.append(length + (1 if paragraphs else 0))
        for i, line in enumerate(lines):
            if prev is not None and metrics and _continues(prev, line, metrics, same_page=i > 0):
                joined = join_wrapped(paragraphs[-1], line.text)
                if i == 0:  # the page starts inside the paragraph the previous page ended
                    page_starts[-1] = length + len(joined) - len(paragraphs[-1]) - len(line.text)
                length += len(joined) - len(paragraphs[-1])
                paragraphs[-1] = joined
            else:
                length += len(line.text) + (1 if paragraphs else 0)
                paragraphs.append(line.text)
            prev = line
    text = "\n".join(paragraphs)
    return text, [min(s, len(text)) for s in page_starts]
