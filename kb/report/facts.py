"""Facts: the figures a disclosure report states, each with the sentence that states it.

Two sources: free-text statements ("受理依申请事项80余件", "未收到…行政复议", "不收取费用") and the
tables of the post-2019 national template (as `| a | b |` rows, from HTML or Markdown, or flattened
into lines of text). Patterns run on the normalised text; spans map back to original offsets.
A statement of none is a figure of 0; a metric the report never mentions has no fact at all.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from kb.records import Fact
from kb.text import normalize_with_offsets

METRICS = {
    "requests_received": "依申请公开申请（收到/受理/处理）",
    "requests_granted": "依申请公开予以公开",
    "proactive_disclosed": "主动公开政府信息",
    "admin_reviews": "因政府信息公开引起的行政复议",
    "lawsuits": "因政府信息公开引起的行政诉讼",
    "fees_charged": "依申请公开收取费用",
    "complaints": "举报投诉",
    "press_conferences": "新闻发布会",
    "meetings": "政府信息公开工作会议",
    "staff": "政府信息公开工作人员",
    "training_sessions": "培训（次）",
}

# Columns of a CSV export of facts (kb facts --csv, /api/facts?format=csv).
FACT_COLUMNS = ("metric", "value", "unit", "approx", "agency", "year", "doc_id", "start", "end", "text")


def facts_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=FACT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
NUM = r"(?P<n>\d+(?:\.\d+)?|[一二两三四五六七八九十]{1,3})\s*(?P<wan>万)?\s*(?P<approx>余|多)?"
_NONE = r"(?:没有发生|未发生|没有收到|未收到|未出现|没有出现|未曾发生|未有|无)"
# Between a subject word and its number: no sentence or clause end, not too far.
_GAP = r"[^。；;，,\n]{0,24}?"
_NEAR = r"[^。；;\n]{0,40}?"


@dataclass(frozen=True)
class Rule:
    metric: str
    pattern: re.Pattern
    unit: str
    none: bool = False   # a statement that there was none: value 0


def _rules() -> list[Rule]:
    r = []

    def add(metric, regex, unit, none=False):
        r.append(Rule(metric, re.compile(regex), unit, none))

    request = r"(?:依申请公开|依申请事项|政府信息公开申请|政务信息公开申请|信息公开申请|公开申请)"
    add("requests_received", rf"(?:收到|受理|处理|办理|新收|接到|接收){_GAP}{request}{_GAP}(?:共|数|数量)?[为达:：]?\s*{NUM}\s*(?:件|个|条|宗)", "件")
    add("requests_received", rf"{request}(?:共|数|数量)?[为达:：]?\s*{NUM}\s*件", "件")
    add("requests_received", rf"{_NONE}{_GAP}{request}", "件", none=True)
    add("proactive_disclosed", rf"主动公开(?:政府信息|政务信息|信息)(?:共|总数|数量)?[为达:：]?\s*{NUM}\s*条", "条")
    review = r"行政复议"
    add("admin_reviews", rf"{NUM}\s*(?:件|起|宗)\s*{review}", "件")
    add("admin_reviews", rf"{review}(?:案件|申请|案)?(?:共有|共计|共|数量|数)?[为达:：]?\s*{NUM}\s*(?:件|起|宗)", "件")
    add("admin_reviews", rf"{_NONE}{_GAP}{review}", "件", none=True)
    suit = r"行政诉讼"
    add("lawsuits", rf"{NUM}\s*(?:件|起|宗)\s*{suit}", "件")
    add("lawsuits", rf"{suit}(?:案件|案)?(?:共有|共计|共|数量|数)?[为达:：]?\s*{NUM}\s*(?:件|起|宗)", "件")
    add("lawsuits", rf"{_NONE}{_GAP}{suit}", "件", none=True)
    add("fees_charged", rf"(?:收取|收)(?:信息处理费|费用|检索费|复制费)(?:共|合计)?[为达:：]?\s*{NUM}\s*元", "元")
    add("fees_charged", r"未收费|不收费|免费提供|不收取[^。；\n]{0,8}费|未[^。；，\n]{0,12}收取[^。；\n]{0,6}费"
                        r"|没有发生[^。；\n]{0,20}收费|未发生[^。；\n]{0,20}收费", "元", none=True)
    complaint = r"(?:举报投诉|投诉举报|申诉)"
    add("complaints", rf"{complaint}(?:案件|数量|数)?(?:共|共有)?[为达:：]?\s*{NUM}\s*(?:件|起|个|宗)", "件")
    add("complaints", rf"{_NONE}{_GAP}(?:投诉|举报|申诉)", "件", none=True)
    add("press_conferences", rf"新闻发布会(?:共)?[为达:：]?\s*{NUM}\s*(?:次|场)", "次")
    add("meetings", rf"(?:政府信息公开|政务公开)(?:工作)?会议(?:共)?\s*{NUM}\s*次", "次")
    add("staff", rf"(?:从事|负责|配备){_GAP}(?:工作人员|人员){NUM}\s*(?:人|名)(?!次)", "人")
    add("training_sessions", rf"(?:举办|开展|组织|召开){_GAP}培训(?:班|会|活动)?(?:共)?\s*{NUM}\s*(?:次|期|场)(?!人)", "次")
    return r


RULES = _rules()

# Rows of the post-2019 template tables: label -> metric; the row's figure is its last number (总计).
TABLE_ROWS = (
    (re.compile(r"本年新收政府信息公开申请"), "requests_received"),
    (re.compile(r"予以公开$"), "requests_granted"),
    (re.compile(r"收取(?:信息处理费|费用)"), "fees_charged"),
)
_NUMERIC_CELL = re.compile(r"[+-]?\d+(?:\.\d+)?")
# 行政复议 (维持, 纠正, 其他, 尚未审结, 总计) + 行政诉讼 direct (5) + after review (5): 15 figures.
REVIEW_TABLE_WIDTH = 15


def parse_number(m: re.Match) -> tuple[float, bool]:
    raw = m.group("n")
    if raw[0] in _CN_DIGITS or raw[0] == "十":
        value = _cn_number(raw)
    else:
        value = float(raw)
    if m.group("wan"):
        value *= 10_000
    return value, bool(m.group("approx"))


def _cn_number(s: str) -> float:
    if "十" in s:
        tens, _, ones = s.partition("十")
        return float((_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0))
    return float(_CN_DIGITS.get(s, 0))


_SENTENCE_BOUNDARY = re.compile(r"[。！？；!?;\n]")


def sentence_around(norm: str, start: int, end: int) -> tuple[int, int]:
    """The sentence of the normalised text containing [start, end)."""
    left = max((m.end() for m in _SENTENCE_BOUNDARY.finditer(norm, 0, start)), default=0)
    m = _SENTENCE_BOUNDARY.search(norm, end)
    right = m.end() if m and m.group() != "\n" else (m.start() if m else len(norm))
    while left < right and norm[left] in " \t\u3000":
        left += 1
    return left, right


def split_row(line: str) -> tuple[str, list[float]]:
    """A table row as (label, figures): `| a | b | 1 | 2 |` from HTML/Markdown, or `a b 1 2` flattened."""
    cells = [c.strip() for c in line.strip().strip("|").split("|")] if "|" in line else line.split()
    cells = [c for c in cells if c]
    first_number = next((i for i, c in enumerate(cells) if _NUMERIC_CELL.fullmatch(c)), len(cells))
    numbers = [float(c) for c in cells[first_number:] if _NUMERIC_CELL.fullmatch(c)]
    return " ".join(cells[:first_number]), numbers


def table_facts(norm: str) -> list[tuple[str, float, str, int, int]]:
    """(metric, value, unit, start, end) from template table rows (normalised text offsets)."""
    out = []
    lines = norm.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    for i, line in enumerate(lines):
        label, numbers = split_row(line)
        if not numbers:
            continue
        for pattern, metric in TABLE_ROWS:
            if label and pattern.search(label):
                unit = "元" if metric == "fees_charged" else "件"
                out.append((metric, numbers[-1], unit, starts[i], starts[i] + len(line)))
        # The review/lawsuit table: a row of exactly 15 figures under headers naming both.
        if not label and len(numbers) == REVIEW_TABLE_WIDTH:
            above = "\n".join(lines[max(0, i - 6): i])
            if "行政复议" in above and "行政诉讼" in above:
                out.append(("admin_reviews", numbers[4], "件", starts[i], starts[i] + len(line)))
                out.append(("lawsuits", numbers[9] + numbers[14], "件", starts[i], starts[i] + len(line)))
    return out


def extract_facts(text: str) -> list[Fact]:
    """Every figure with its evidence sentence, in document order; one fact per (metric, sentence)."""
    norm, offsets = normalize_with_offsets(text)
    if len(norm) != len(offsets) or not norm:
        return []

    def original(a: int, b: int) -> tuple[int, int]:
        return offsets[a], offsets[b - 1] + 1 if b > a else offsets[a]

    found: dict[tuple[str, int], Fact] = {}
    for rule in RULES:
        for m in rule.pattern.finditer(norm):
            if rule.none:
                value, approx = 0.0, False
            else:
                value, approx = parse_number(m)
            a, b = sentence_around(norm, m.start(), m.end())
            start, end = original(a, b)
            key = (rule.metric, start)
            # A count beats a statement of none in the same sentence ("没有发生行政复议…，应诉行政诉讼1起").
            if key not in found or (found[key].value == 0 and value and not rule.none):
                found[key] = Fact(rule.metric, value, rule.unit, approx, start, end, text[start:end])
    for metric, value, unit, a, b in table_facts(norm):
        start, end = original(a, b)
        found[(metric, start)] = Fact(metric, value, unit, False, start, end, text[start:end])
    return sorted(found.values(), key=lambda f: (f.start, f.metric))
