"""Names that cannot lie on a screen: document ids without control or bidirectional-override characters,
and text escaped for a terminal.

A file name may hold a newline (a listing line that looks like two documents) or a right-to-left override
(a name shown backwards, "txt.exe" as "exe.txt"); ids made from it replace those characters, and what the
CLI prints shows them as escapes.
"""
from __future__ import annotations

import re

# C0 and C1 controls, DEL, the bidirectional marks, embeddings, overrides and isolates, and the Unicode line
# and paragraph separators.
_MARKS = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
UNSAFE = re.compile(f"[\x00-\x1f{_MARKS}]")
_UNSAFE_IN_LINES = re.compile(f"[\x00-\x08\x0b-\x1f{_MARKS}]")  # tab and newline kept


def safe_id(name: str) -> str:
    """A document id from a file name: each control or bidirectional character replaced by "_"."""
    return UNSAFE.sub("_", name)


def _escape(m: re.Match) -> str:
    c = m.group()
    # \uXXXX above the C0 range: the same escape JSON reads, so escaped JSON output stays valid JSON.
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x20 else f"\\u{ord(c):04x}")


def escaped(text: str) -> str:
    """One line of text with every control or bidirectional character shown as an escape (\\n, \\u202e)."""
    return UNSAFE.sub(_escape, text)


def escaped_lines(text: str) -> str:
    """Text for a terminal: line breaks and tabs kept, every other control or bidirectional character
    shown as an escape."""
    return _UNSAFE_IN_LINES.sub(_escape, text)
