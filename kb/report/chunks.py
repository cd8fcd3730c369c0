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


def max_passage_chars(target: int) -> int:
    """The hard limit: no passage is longer, whatever the text (a line without any punctuation too)."""
    return 2 * target


def _split_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Cut [start, end) into pieces of at most `limit`: after a clause mark if there is one in the second
    half of the window, else at a space, else anywhere but inside a run of Latin letters or digits."""
    out = []
    while end - start > limit:
        lo, hi = start + limit // 2, start + limit
        cut = None
        for m in _CLAUSE_END.finditer(text, lo, hi):
            cut = m.end()
        if cut is None:
            cut = next((i for i in range(hi, lo, -1) if text[i - 1] in _SPACE or text[i] in _SPACE), None)
        if cut is None:
            cut = next((i for i in range(hi, lo, -1) if not (_latin(text[i - 1]) and _latin(text[i]))), hi)
        out.append((start, cut))
        start = cut
    out.append((start, end))
    return out


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in _SPACE:
        a += 1
    while b > a and text[b - 1] in _SPACE:
        b -= 1
    return a, b


def chunk_sections(text: str, sections: list[Section], target: int) -> list[Chunk]:
    """Pack whole sentences up to `target` characters; a passage never crosses a section boundary."""
    chunks: list[Chunk] = []
    hard_limit = max_passage_chars(target)
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
                _emit(chunks, text, section, *current, hard_limit)
                current = None
            current = (current[0], b) if current else (a, b)
        if current:
            _emit(chunks, text, section, *current, hard_limit)
    return chunks


def _emit(chunks: list[Chunk], text: str, section: Section, start: int, end: int, limit: int) -> None:
    """Append the passage [start, end), cut in pieces when it is over the hard limit (a heading with a
    long first sentence)."""
    for a, b in _split_long(text, start, end, limit):
        a, b = _trim(text, a, b)
        if b > a:
            chunks.append(_chunk(text, len(chunks), section, a, b))


def _chunk(text: str, ordinal: int, section: Section, start: int, end: int) -> Chunk:
    return Chunk(ordinal=ordinal, section_ordinal=section.ordinal, start=start, end=end,
                 text=text[start:end], section_path=list(section.path))
