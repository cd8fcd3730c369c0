"""Dates as reports and portals write them: 2018-03-22, 2018/3/26, 2022年04月22日, 2021-03-2918:26,
17.03.2015, and signatures in Chinese numerals (二〇一〇年一月十九日)."""
from __future__ import annotations

import re

_CN_DIGIT = "〇○零一二三四五六七八九"
_YMD = r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?!\d{3})"
_DMY = r"(?<![\d.])(?P<d2>\d{1,2})\.(?P<m2>\d{1,2})\.(?P<y2>(?:19|20)\d{2})(?!\d)"
_CN = rf"(?P<y3>[{_CN_DIGIT}]{{4}})年(?P<m3>十[一二]?|[一二三四五六七八九])月(?P<d3>[二三]?十[一二三四五六七八九]?|[一二三四五六七八九])日"
DATE = re.compile(f"{_YMD}|{_DMY}|{_CN}")
TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")


def _cn(s: str) -> int:
    """Chinese numerals of a date: digit by digit for a year (二〇一〇), with 十 for months and days."""
    digits = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}
    if "十" not in s:
        return int("".join(str(digits[c]) for c in s))
    tens, _, ones = s.partition("十")
    return (digits[tens] if tens else 1) * 10 + (digits[ones] if ones else 0)


def iso_date(m: re.Match) -> str | None:
    """The ISO form of a DATE match, or None when it is no calendar date."""
    g = m.groupdict()
    if g["y"]:
        y, mo, d = int(g["y"]), int(g["m"]), int(g["d"])
    elif g["y2"]:
        y, mo, d = int(g["y2"]), int(g["m2"]), int(g["d2"])
    else:
        y, mo, d = _cn(g["y3"]), _cn(g["m3"]), _cn(g["d3"])
    if not (1990 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31):
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
