"""Chunks: passages inside one section's own text, cut at sentence ends, with exact offsets."""
from __future__ import annotations

import re

from kb.records import Chunk, Section

# A sentence ends after 。！？； (or their half-width forms) or at a line break.
_SENTENCE_END = re.compile(r"[。！？；!?;]+[”’」』）)]?|\n")
_CLAUSE_END = re.compile(r"[，,、：:]")
_SPACE = " \t\n\u3000"


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of text[start:end], whitespace trimmed, empty ones dropped."""
    spans = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        spans.append((pos, m.end()))
        pos = m.end()
    spans.append((pos, end))
    return [s for s in (_trim(text, a, b) for a, b in spans) if s[1] > s[0]]


def _split_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """A sentence longer than `limit` is cut at clause marks so no passage runs far over target."""
    out = []
    while end - start > limit:
        cut = None
        for m in _CLAUSE_END.finditer(text, start + limit // 2, start + limit):
            cut = m.end()
        if cut is None:
            cut = start + limit
        out.append((start, cut))
        start = cut
    out.append((start, end))
    return out


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in _SPACE:
        a += 1
    while b > a and text[b - 1] in _SPACE:
        b -= 1
    return a, b


def chunk_sections(text: str, sections: list[Section], target: int) -> list[Chunk]:
    """Pack whole sentences up to `target` characters; a passage never crosses a section boundary."""
    chunks: list[Chunk] = []
    hard_limit = target * 3
    for section in sections:
        pieces: list[tuple[int, int]] = []
        for a, b in sentence_spans(text, section.start, section.body_end):
            pieces.extend(_split_long(text, a, b, hard_limit))
        current: tuple[int, int] | None = None
        for a, b in pieces:
            # A heading line alone is no passage: it always goes with the text under it.
            heading_only = current is not None and section.level > 0 and current == pieces[0] \
                and text[current[1]:current[1] + 1] == "\n"
            if current and b - current[0] > target and not heading_only:
                chunks.append(_chunk(text, len(chunks), section, *current))
                current = None
            current = (current[0], b) if current else (a, b)
        if current:
            chunks.append(_chunk(text, len(chunks), section, *current))
    return chunks


def _chunk(text: str, ordinal: int, section: Section, start: int, end: int) -> Chunk:
    return Chunk(ordinal=ordinal, section_ordinal=section.ordinal, start=start, end=end,
                 text=text[start:end], section_path=list(section.path))
