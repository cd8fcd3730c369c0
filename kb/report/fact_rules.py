"""Figures stated in running text: the prose patterns of the metric registry (kb.report.metrics) as rules,
run on each sentence of the normalised text.

A rule is a pattern and what a match means: a count (its number and unit), or a statement of none (0).
A statement of none is scoped to its own metric: 「没有发生因政府信息公开申请的行政复议案」 says nothing
about requests, because the clause it stands in is about a review. Proactive totals written without
主动公开 (公开政府信息20条, 累计发布信息313条, 共计3862条次) count where the paragraph is about 主动公开.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kb.report.metrics import REGISTRY
from kb.text import chinese_number

_CLAUSE = re.compile(r"[^。；;，,\n]+")
AREA = re.compile(r"全市|全县|全区|全省|全州|全旗|全盟|各级|各地|各部门|各单位|各县|各区|全系统|政府系统|本地区"
                  r"|\d+\s*(?:家|个)(?:行政)?(?:机关|单位|部门)")
CUMULATIVE_SINCE = re.compile(r"截至|截止|以来")
CUMULATIVE = re.compile(r"累计至今|历年累计|累计已")
PROACTIVE_CONTEXT = re.compile(r"主动公开")


@dataclass(frozen=True)
class Rule:
    metric: str
    pattern: re.Pattern
    unit: str
    none: bool = False          # a statement that there was none: value 0
    context: str = ""           # "paragraph" / "sentence": counts only where that is about 主动公开
    excludes: re.Pattern | None = None   # a clause with this is about something else

    @property
    def weak(self) -> bool:
        """A figure known by its context only: a statement of 主动公开 itself beats it."""
        return bool(self.context)


def _rules() -> list[Rule]:
    return [Rule(m.id, re.compile(p.pattern), m.unit, none=p.none, context=p.context,
                 excludes=re.compile(p.excludes) if p.excludes else None)
            for m in REGISTRY.values() for p in m.prose]


RULES = _rules()


def parse_number(m: re.Match) -> tuple[float, bool]:
    """(value, approximate) of a NUM match: 80余 -> (80, True), 20余万 -> (200000, True), 一百二十 -> 120."""
    raw = m.group("n")
    value = float(raw) if raw[0].isdigit() else (chinese_number(raw) or 0.0)
    if m.group("wan"):
        value *= 10_000
    if "money" in m.groupdict() and m.group("money") == "万元":
        value *= 10_000
    return value, bool(m.group("approx") or m.group("approx2"))


def clause_at(sentence: str, pos: int) -> str:
    """The clause (between commas) of a sentence holding position pos."""
    for m in _CLAUSE.finditer(sentence):
        if m.start() <= pos < m.end():
            return m.group()
    return sentence


def is_area(clause: str) -> bool:
    """A figure for a whole area (全市, 各部门, 26家行政机关) rather than for the reporting agency itself."""
    return AREA.search(clause) is not None


def is_cumulative(sentence: str, clause: str, match_end: int) -> bool:
    """截至2015年底，累计主动公开…: a running total since disclosure began, not the year's figure."""
    return CUMULATIVE.search(clause) is not None or (
        "累计" in clause and CUMULATIVE_SINCE.search(sentence, 0, match_end) is not None)
