"""Figures stated in running text: one rule set per metric, run on each sentence of the normalised text.

A rule is a pattern and what a match means: a count (its number and unit), or a statement of none (0).
A statement of none is scoped to its own metric: 「没有发生因政府信息公开申请的行政复议案」 says nothing
about requests, because the clause it stands in is about a review. Proactive totals written without
主动公开 (公开政府信息20条, 累计发布信息313条, 共计3862条次) count where the paragraph is about 主动公开.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kb.text import chinese_number

NUM = (r"(?P<n>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]{1,6})\s*(?P<approx>余|多)?\s*(?P<wan>万)?\s*"
       r"(?P<approx2>余|多)?")
_GAP = r"[^。；;，,\n]{0,24}?"           # within one clause
_LONG_GAP = r"[^。；;，,\n]{0,40}?"      # 受理公民、法人和其他组织向市政府及市政府办公室提出的…申请
_GAP_NO_DIGIT = r"[^。；;，,\n\d]{0,12}?"
_LONG_GAP_NO_DIGIT = r"[^。；;，,\n\d]{0,60}?"  # 主动公开涉及疫情防控、社会救助…等方面信息423条
_CLAUSE = re.compile(r"[^。；;，,\n]+")
NEGATION = r"(?:未曾|未(?!经)|没有|无|不存在)"   # 未经复议直接起诉 is no statement of none

REQUEST = (r"(?:(?:公开)?(?:政府|政务)?信息(?:公开)?(?:的)?申请|公开申请|申请公开政府信息"
           r"|依申请公开(?:政府)?(?:信息)?(?:事项|申请|件)?|依申请(?:公开)?(?:事项)?)")
RECEIVE = r"(?:收到|受理|接到|接收|接受|办理|处理|新收|办结)"
REQUEST_UNIT = r"(?:件|个|条|宗|项|起|次|份|人次)"
PROACTIVE_OBJECT = r"(?:政府信息|政务信息|信息|资讯)"  # 主动公开…规范性文件42件 counts documents of one kind
PROACTIVE_UNIT = r"(?:条次|条|件|项|个|篇|份)"
CASE_UNIT = r"(?:件|起|宗|个|例)"
REVIEW = r"(?:行政复议|复议)"
SUIT = r"(?:行政诉讼|诉讼|起诉|应诉)"
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
    rules: list[Rule] = []

    def add(metric, regex, unit, **kw):
        rules.append(Rule(metric, re.compile(regex), unit, **kw))

    about_other = re.compile(r"复议|诉讼|投诉|举报|申诉|起诉")
    add("requests_received", rf"{RECEIVE}{_LONG_GAP}{REQUEST}{_GAP_NO_DIGIT}(?:共|数|数量|总数)?[为达:：是]?\s*{NUM}\s*{REQUEST_UNIT}",
        "件")
    # 本年度共收到依申请公开事项0: a count of none may go without its unit.
    add("requests_received", rf"{RECEIVE}{_GAP}{REQUEST}(?:共|数|数量|总数)?[为达:：是]?\s*(?P<n>0|零)(?![\d.%])"
        r"(?P<approx>)(?P<wan>)(?P<approx2>)", "件")
    add("requests_received", rf"{RECEIVE}[^。；;，,\n\d]{{0,10}}?{NUM}\s*{REQUEST_UNIT}{_GAP}{REQUEST}", "件")
    add("requests_received", rf"(?<!予以|不予|部分|同意){REQUEST}(?:共|数|数量|总数)?[为达:：]?\s*{NUM}\s*{REQUEST_UNIT}",
        "件")
    add("requests_received", rf"{NEGATION}(?:收到|接到|受理|接收|发生|出现|有){_GAP}(?:{REQUEST}|申请(?!人))"
        rf"|(?:没有|无|未有){REQUEST}", "件", none=True, excludes=about_other)

    cumulative_or_requests = re.compile(r"依申请|申请")
    add("proactive_disclosed", rf"主动公开(?:了)?{_LONG_GAP_NO_DIGIT}{PROACTIVE_OBJECT}{_GAP_NO_DIGIT}"
        rf"(?:共|共计|合计|总数|总量|数量|数)?[为达:：]?\s*{NUM}\s*{PROACTIVE_UNIT}", "条")
    add("proactive_disclosed", rf"{NUM}\s*(?:条|件)(?:主动公开)(?:的)?(?:政府)?信息", "条")
    add("proactive_disclosed", rf"主动公开(?:了)?(?:共|共计|合计)?\s*{NUM}\s*{PROACTIVE_UNIT}", "条")
    add("proactive_disclosed", rf"向社会(?:主动)?公开(?:了)?{_LONG_GAP_NO_DIGIT}(?:政府信息|政务信息|信息)(?:共|共计|合计)?"
        rf"[为达:：]?\s*{NUM}\s*{PROACTIVE_UNIT}", "条", excludes=re.compile(r"依申请|申请"))
    # 公开政府信息20条 where the paragraph is about 主动公开; 发布信息313条 only where the sentence is: a site's or a
    # channel's count of published items (门户网站共发布各类信息6.5万余条) is no count of disclosed information.
    add("proactive_disclosed", rf"公开(?:了)?{_LONG_GAP_NO_DIGIT}(?:政府信息|政务信息|信息)(?:共|共计|合计|总数)?"
        rf"[为达:：]?\s*{NUM}\s*(?:条次|条|件|项)", "条", context="paragraph", excludes=cumulative_or_requests)
    add("proactive_disclosed", rf"发布(?:了)?{_GAP_NO_DIGIT}(?:政府信息|政务信息|信息)(?:共|共计|合计|总数)?"
        rf"[为达:：]?\s*{NUM}\s*(?:条次|条|件|项)", "条", context="sentence", excludes=cumulative_or_requests)
    add("proactive_disclosed", rf"(?:政府信息|信息)(?:数|总数|数量)[为达:：]?\s*{NUM}\s*(?:条|件)", "条",
        context="paragraph", excludes=cumulative_or_requests)
    add("proactive_disclosed", rf"(?:共计|合计|总计)\s*{NUM}\s*条次", "条", context="paragraph",
        excludes=cumulative_or_requests)

    add("admin_reviews", rf"{NUM}\s*{CASE_UNIT}\s*{REVIEW}", "件")
    add("admin_reviews", rf"{REVIEW}(?:案件|申请|案)?(?:共有|共计|共|数量|数)?[为达:：]?\s*{NUM}\s*{CASE_UNIT}", "件")
    add("admin_reviews", rf"{NEGATION}(?:发生|出现|收到|接到|有)?{_GAP}{REVIEW}", "件", none=True)
    add("lawsuits", rf"{NUM}\s*{CASE_UNIT}\s*{SUIT}", "件")
    add("lawsuits", rf"{SUIT}(?:案件|案)?(?:共有|共计|共|数量|数)?[为达:：]?\s*{NUM}\s*{CASE_UNIT}", "件")
    add("lawsuits", rf"{NEGATION}(?:发生|出现|收到|接到|有|被)?{_GAP}{SUIT}", "件", none=True)

    fee = r"(?:信息处理费|费用|检索费|复制费|复印费|成本费)"
    add("fees_charged", rf"(?:收取|收)(?:了)?[^。；;，,\n\d]{{0,10}}?{fee}(?:共|合计|共计)?[为达:：]?\s*{NUM}\s*(?P<money>万元|元)", "元")
    add("fees_charged", r"未收费|不收费|免费提供|免收|无收费|收费(?:金额)?为?(?:零|0)元?(?![\d.])"
        r"|(?:未|不|没有)[^。；;，,\n]{0,24}?收取[^。；;，,\n]{0,30}?费|(?:没有|未|无)(?:发生)?[^。；;，,\n]{0,20}?收费",
        "元", none=True)

    add("requests_granted", rf"(?:予以公开|同意公开|全部公开)(?:的)?(?:申请)?\s*{NUM}\s*{REQUEST_UNIT}", "件")
    add("requests_partly_granted", rf"部分公开(?:的)?(?:申请)?\s*{NUM}\s*{REQUEST_UNIT}", "件")
    add("requests_denied", rf"不予公开(?:的)?(?:申请)?\s*{NUM}\s*{REQUEST_UNIT}", "件")

    complaint = r"(?:举报投诉|投诉举报|申诉)"
    add("complaints", rf"{complaint}(?:案件|数量|数)?(?:共|共有)?[为达:：]?\s*{NUM}\s*(?:件|起|个|宗)", "件")
    add("complaints", rf"{NEGATION}(?:发生|出现|收到|接到|有)?{_GAP}(?:投诉|举报|申诉)", "件", none=True)
    add("press_conferences", rf"新闻发布会(?:共)?[为达:：]?\s*{NUM}\s*(?:次|场)", "次")
    add("meetings", rf"(?:政府信息公开|政务公开)(?:工作)?会议(?:共)?\s*{NUM}\s*次", "次")
    add("staff", rf"(?:从事|负责|配备){_GAP}(?:工作人员|人员){NUM}\s*(?:人|名)(?!次)", "人")
    add("training_sessions", rf"(?:举办|开展|组织|召开){_GAP}培训(?:班|会|活动)?(?:共)?\s*{NUM}\s*(?:次|期|场)(?!人)", "次")
    return rules


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
