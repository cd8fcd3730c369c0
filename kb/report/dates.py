"""Dates as reports and portals write them: 2018-03-22, 2018/3/26, 2022年04月22日, 2021-03-2918:26."""
from __future__ import annotations

import re

DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d{3})")
TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")


def iso_date(m: re.Match) -> str | None:
    """The ISO form of a DATE match, or None when it is no calendar date."""
    y, mo, d = (int(g) for g in m.groups())
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def first_date(text: str) -> str | None:
    for m in DATE.finditer(text):
        iso = iso_date(m)
        if iso:
            return iso
    return None


def is_date_only(norm_line: str) -> bool:
    """A line that is a date (and a time) and nothing else: a signature date or a portal stamp."""
    rest = TIME.sub("", DATE.sub("", norm_line, count=1))
    return DATE.search(norm_line) is not None and not re.sub(r"[\s日:：/\-]", "", rest)
