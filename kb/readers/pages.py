"""Page numbers through cleaning: where each page of the raw text starts in the cleaned text.

Cleaning only removes characters (whole lines, inline pinyin, spam tokens, whitespace) and keeps the rest
in order, so the cleaned text is aligned to the raw text character by character, each line anchored on
its first characters first. Works whatever the cleaning rules are; no offsets have to be kept by clean.
"""
from __future__ import annotations

from bisect import bisect_right

ANCHOR = 8         # characters of a cleaned line looked up as one string in the raw text
SEARCH_WINDOW = 400  # how far ahead a single character is looked for before it counts as inserted


def raw_offsets(raw: str, clean: str) -> list[int]:
    """For each character of `clean`, its offset in `raw` (monotone)."""
    out = [0] * len(clean)
    pos = 0
    start = 0
    for line in clean.split("\n"):
        found = raw.find(line[:ANCHOR], pos) if line else -1
        if found >= 0:
            pos = found
        for k, ch in enumerate(line, start):
            j = raw.find(ch, pos, pos + SEARCH_WINDOW)
            if j >= 0:
                pos = j + 1
            out[k] = max(pos - 1, 0)
        end = start + len(line)
        if end < len(clean):  # the newline joining two kept lines
            out[end] = pos
        start = end + 1
    return out


def clean_page_starts(raw: str, page_starts: list[int], clean: str) -> list[int]:
    """Offsets in `clean` where each page starts (pages whose text was all removed start where the next does)."""
    if not page_starts:
        return []
    offsets = raw_offsets(raw, clean)
    return [bisect_right(offsets, p - 1) if p > 0 else 0 for p in page_starts]


def page_at(page_starts: list[int], offset: int) -> int | None:
    """1-based page of a character offset, or None without pages."""
    if not page_starts:
        return None
    return max(bisect_right(page_starts, offset), 1)
