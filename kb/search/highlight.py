"""Highlights: a passage HTML-escaped with <mark> around the query's terms, across scripts."""
from __future__ import annotations

from html import escape

from kb.text import normalize_with_offsets, query_terms


def match_spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Merged (start, end) spans in `text` (original script) where normalised terms occur."""
    norm, offsets = normalize_with_offsets(text)
    spans = []
    for term in terms:
        start = norm.find(term)
        while start >= 0:
            end = start + len(term)
            spans.append((offsets[start], offsets[end - 1] + 1))
            start = norm.find(term, end)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def highlight(text: str, query: str) -> str:
    out = []
    pos = 0
    for a, b in match_spans(text, query_terms(query)):
        out.append(escape(text[pos:a]))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        pos = b
    out.append(escape(text[pos:]))
    return "".join(out)
