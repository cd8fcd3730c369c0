"""Sections: the heading tree 一、 / （一） / 1. / （1）, full- or half-width, with offsets.

Table rows are never headings (a line with `|` cells or figures after its label, or a row label of the
national template such as 一、本年新收政府信息公开申请数量), and a section of the template named without its
number (主动公开政府信息情况) is a top-level heading.
"""
from __future__ import annotations

import re
import unicodedata

from kb.records import Section
from kb.report.template import is_table_row_label, section_index
from kb.text import normalize

_CN_NUM = "一二三四五六七八九十百零〇"
# Patterns run on the NFKC form of a line, so （一） and (一), １． and 1. look alike.
HEADING_PATTERNS = (
    (1, re.compile(rf"^[{_CN_NUM}]{{1,3}}、")),
    (2, re.compile(rf"^\([{_CN_NUM}]{{1,3}}\)")),
    (3, re.compile(r"^\d{1,2}(?:\.(?!\d)|、)")),
    (4, re.compile(r"^\(\d{1,2}\)")),
)
PREAMBLE_TITLE = "前言"
TITLE_MAX = 30
_SENTENCE_END = re.compile(r"[。！？；!?;]")
_TITLE_BREAK = re.compile(r"[:：,，]")


# "一、本年新收政府信息公开申请数量 31 6 0 1 2 0 40": a flattened table row, not a heading.
_TABLE_ROW_TAIL = re.compile(r"(?:\s+[+-]?\d+(?:\.\d+)?){2,}\s*$")


def heading_of(line: str) -> tuple[int, int] | None:
    """(level, length of the number) when the line starts with a heading number; (1, 0) for a template
    section named without one."""
    if "|" in line or _TABLE_ROW_TAIL.search(line):
        return None
    # Character by character, so that a match length is also a length in the original line.
    head = "".join(unicodedata.normalize("NFKC", c)[:1] or c for c in line[:8])
    for level, pattern in HEADING_PATTERNS:
        m = pattern.match(head)
        if m and len(line) > m.end():
            if is_table_row_label(normalize(line[m.end():])):
                return None
            return level, m.end()
    if len(line) <= 24 and section_index(normalize(line)) is not None:
        return 1, 0
    return None




def heading_title(rest: str) -> str:
    """A run-in heading's title: its first sentence, cut at a comma or colon when long."""
    m = _SENTENCE_END.search(rest)
    title = rest[: m.start()] if m else rest
    if len(title) > TITLE_MAX:
        b = _TITLE_BREAK.search(title)
        title = title[: b.start()] if b and b.start() >= 4 else title[:TITLE_MAX] + "…"
    return title.strip()


def split_sections(text: str) -> list[Section]:
    """Sections in document order; text before the first heading is the preamble (level 0)."""
    headings: list[tuple[int, int, str, str]] = []  # (start, level, number, title)
    pos = 0
    for line in text.split("\n"):
        h = heading_of(line)
        if h:
            level, n = h
            headings.append((pos, level, line[:n], heading_title(line[n:])))
        pos += len(line) + 1
    sections: list[Section] = []
    first = headings[0][0] if headings else len(text)
    if text[:first].strip() or not headings:
        sections.append(Section(ordinal=0, level=0, number="", title=PREAMBLE_TITLE, start=0,
                                end=_trim_end(text, first), body_end=_trim_end(text, first), parent=None,
                                path=[PREAMBLE_TITLE]))
    # A section ends where the next heading of its level or above starts: found in one pass.
    ends = [len(text)] * len(headings)
    open_headings: list[int] = []
    for i, (start, level, _, _) in enumerate(headings):
        while open_headings and headings[open_headings[-1]][1] >= level:
            ends[open_headings.pop()] = start
        open_headings.append(i)
    stack: list[Section] = []
    for i, (start, level, number, title) in enumerate(headings):
        next_start = headings[i + 1][0] if i + 1 < len(headings) else len(text)
        end = ends[i]
        while stack and stack[-1].level >= level:
            stack.pop()
        parent = stack[-1] if stack else None
        section = Section(ordinal=len(sections), level=level, number=number, title=title, start=start,
                          end=_trim_end(text, end), body_end=_trim_end(text, next_start),
                          parent=parent.ordinal if parent else None,
                          path=(parent.path if parent else []) + [number + title])
        sections.append(section)
        stack.append(section)
    return sections


def _trim_end(text: str, end: int) -> int:
    while end > 0 and text[end - 1] in " \n\t\u3000":
        end -= 1
    return end
