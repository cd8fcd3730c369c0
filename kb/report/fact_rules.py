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
from kb.report.prose_patterns import NEW_MEDIA
from kb.text import chinese_number

_CLAUSE = re.compile(r"[^。；;，,\n]+")
AREA = re.compile(r"全市|全县|全区|全省|全州|全旗|全盟|各级|各地|各部门|各单位|各县|各区|全系统|政府系统|本地区"
                  r"|\d+\s*(?:家|个)(?:行政)?(?:机关|单位|部门)")
# The agency itself named in a sentence: its figure is its own even in a passage about the whole area.
SELF = re.compile(r"(?:本|我)(?:机关|局|单位|部门|委|办|厅|署|院|中心|街道|街|镇|乡)|机关本级|(?:市|县|区)?政府本级")
AREA_STATEMENT = re.compile(r"\d\s*(?:余|多)?\s*(?:件|条|次|人|名|个|起|项|家|篇|场|宗)")
# Channels other than new media: a clause naming one of them beside new media is no new-media count.
OTHER_CHANNEL = re.compile(r"网站|政务网|门户|公报|报纸|报刊|广播|电视|宣传栏|公开栏|公示栏|媒介|查阅点")
NEW_MEDIA_CHANNEL = re.compile(NEW_MEDIA)
# Part of the year: 上半年, 一季度, 1-6月 (1-12月 is the whole year).
PART_YEAR = re.compile(r"上半年|下半年|前三季度|第?[一二三四1-4]季度|(?<!\d)(?:[1-9]|1[01])\s*[-—–~～至到]\s*(?:[1-9]|1[01])\s*月(?!\d)")
# A year the sentence is about: 2010年我镇…, not 较2016年 (a comparison) or 2008年以来.
STATED_YEAR = re.compile(r"(?<![较比与同自从])((?:19|20)\d\d)\s*(?:年度|年)(?!以来|起|来)")
WHOLE_AREA = re.compile(r"全市|全县|全区|全省|全州|全旗|全盟|全系统|政府系统|本地区|\d+\s*家(?:行政)?(?:机关|单位|部门)")
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
    about: re.Pattern | None = None      # counts only where the sentence matches this …
    section: re.Pattern | None = None    # … or the heading above it matches this

    @property
    def weak(self) -> bool:
        """A figure known by its context only: a statement of 主动公开 itself beats it."""
        return bool(self.context)


def _rules() -> list[Rule]:
    def compiled(pattern: str) -> re.Pattern | None:
        return re.compile(pattern) if pattern else None

    return [Rule(m.id, re.compile(p.pattern), m.unit, none=p.none, context=p.context, excludes=compiled(p.excludes),
                 about=compiled(p.about), section=compiled(p.section))
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


def is_area_statement(sentence: str) -> bool:
    """全市共处理依申请公开172件: a sentence stating a count for the whole area opens a passage about it (各部门,
    各单位 alone do not: 指导各单位开展培训3次 is the agency's own work)."""
    return WHOLE_AREA.search(sentence) is not None and AREA_STATEMENT.search(sentence) is not None and \
        SELF.search(sentence) is None


def names_self(text: str) -> bool:
    return SELF.search(text) is not None


def is_new_media_only(clause_before: str) -> bool:
    """通过政务新媒体账号公开信息5994条: a count of one channel, new media, not of all disclosed information."""
    return NEW_MEDIA_CHANNEL.search(clause_before) is not None and OTHER_CHANNEL.search(clause_before) is None


def is_part_year(sentence: str, match_end: int) -> bool:
    return PART_YEAR.search(sentence, 0, match_end) is not None


def is_other_year(sentence: str, match_end: int, year: int | None) -> bool:
    """2010年我镇…24条 in the report for 2009: another year's figure."""
    if not year:
        return False
    years = {int(y) for y in STATED_YEAR.findall(sentence, 0, match_end)}
    return bool(years) and year not in years
