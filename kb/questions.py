"""Counting questions: "which agencies … zero / more than N …", answered from facts, completely.

A question is a counting question when it asks for a set of agencies (哪些/哪几个/which/list…) and
names a metric. The condition is read from the words around it; with no number and no negation it
is "any" (> 0), as in "who was sued over disclosure?".
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass

from kb.report.facts import METRICS
from kb.search.filters import allowed_doc_ids
from kb.text import normalize

ASKS_FOR_SET = re.compile(
    r"哪些|哪几个|哪几家|哪个|哪家|哪一些|有几个(?:机关|单位|部门)|列出|列举|所有.{0,6}(?:机关|单位|部门)"
    r"|\bwhich\b|\bwhat (?:agencies|bodies|departments|governments)\b|\blist\b|\bwho\b")

# Checked in this order: the specific metrics before the generic "申请" of requests.
METRIC_WORDS = (
    ("fees_charged", r"收费|收取.{0,4}费|费用|\bfees?\b|\bcharg"),
    ("admin_reviews", r"行政复议|复议|administrative review|reconsideration|\breviews?\b"),
    ("lawsuits", r"行政诉讼|诉讼|起诉|被告|应诉|\bsued\b|\bsue\b|lawsuit|litigation|\bcourt\b"),
    ("complaints", r"举报|投诉|申诉|complaint"),
    ("press_conferences", r"新闻发布会|发布会|press conference"),
    ("meetings", r"会议|\bmeetings?\b"),
    ("training_sessions", r"培训|training"),
    ("staff", r"工作人员|人员|\bstaff\b|\bemployees\b"),
    ("requests_granted", r"予以公开|同意公开|\bgranted\b"),
    ("proactive_disclosed", r"主动公开|proactive"),
    ("requests_received", r"依申请|申请|\brequests?\b|\bapplications?\b"),
)

_NUM = r"(\d+(?:\.\d+)?|[一二两三四五六七八九十百千万]+)"
# (regex, operator symbol); the number is group 1 where there is one.
# Checked in this order: "不少于" / "不超过" before "少于" / "超过".
CONDITIONS = (
    (rf"(?:至少|不少于|不低于|at least)\s*{_NUM}|{_NUM}\s*[件条起次人个]?\s*(?:及以上|以上|or more)", ">="),
    (rf"(?:至多|最多|不超过|不多于|at most|no more than)\s*{_NUM}|{_NUM}\s*[件条起次人个]?\s*(?:及以下|以下|or fewer|or less)", "<="),
    (rf"(?:超过|多于|大于|高于|more than|over|above|greater than|exceed(?:ed|s|ing)?)\s*{_NUM}", ">"),
    (rf"(?:少于|不到|不足|低于|小于|fewer than|less than|under|below)\s*{_NUM}", "<"),
    (rf"(?:等于|为|是|equal to|exactly)\s*{_NUM}\s*[件条起次人个]", "=="),
    (r"为零|为0(?!\d)|是零|是0(?!\d)|零[件条起次]|(?<!\d)0[件条起次]|\bzero\b|\bnone\b|\bno\b|没有|未|无|不收|免费"
     r"|\bnot\b|n't\b|\bnever\b", "== 0"),
)
OPS = {">": operator.gt, "<": operator.lt, ">=": operator.ge, "<=": operator.le, "==": operator.eq}
CONDITION_LABELS = {">": "超过", "<": "少于", ">=": "不少于", "<=": "不超过", "==": "等于"}


@dataclass
class CountingQuestion:
    metric: str
    op: str
    value: float
    year: int | None = None   # "2017年哪些机关…" / "in 2018": only that reporting year

    @property
    def condition(self) -> str:
        return f"{self.op} {self.value:g}"

    def holds(self, x: float) -> bool:
        return OPS[self.op](x, self.value)


def _number(s: str) -> float:
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return float(s)
    digits = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    units = {"十": 10, "百": 100, "千": 1000, "万": 10000}
    total, current = 0, 0
    for ch in s:
        if ch in digits:
            current = digits[ch]
        elif ch in units:
            total += (current or 1) * units[ch]
            current = 0
    return float(total + current)


_YEAR = re.compile(r"((?:19|20)\d\d)\s*(?:年度?|年)|\bin ((?:19|20)\d\d)\b")


def parse_counting_question(query: str) -> CountingQuestion | None:
    q = normalize(query)
    if not ASKS_FOR_SET.search(q):
        return None
    year_match = _YEAR.search(q)
    year = int(next(g for g in year_match.groups() if g)) if year_match else None
    q = _YEAR.sub(" ", q)  # a year is not a threshold
    metric = next((m for m, words in METRIC_WORDS if re.search(words, q)), None)
    if metric is None:
        return None
    for regex, op in CONDITIONS:
        m = re.search(regex, q)
        if not m:
            continue
        if op == "== 0":
            return CountingQuestion(metric, "==", 0.0, year)
        number = next((g for g in m.groups() if g), None)
        if number is not None:
            return CountingQuestion(metric, op, _number(number), year)
    return CountingQuestion(metric, ">", 0.0, year)


def answer_question(query: str, store, filters=None) -> dict | None:
    """The complete list of agencies whose figure meets the condition, each with its evidence."""
    question = parse_counting_question(query or "")
    if question is None:
        return None
    allowed = None
    if filters is not None and filters.active():
        allowed = allowed_doc_ids(store, filters)
    first_per_doc: dict[str, dict] = {}
    for f in store.facts(metric=question.metric):
        if (allowed is not None and f["doc_id"] not in allowed) or (question.year and f["year"] != question.year):
            continue
        first_per_doc.setdefault(f["doc_id"], f)  # the first statement in the document stands
    rows = [
        {"agency": f["agency"], "year": f["year"], "value": f["value"], "unit": f["unit"], "approx": f["approx"],
         "text": f["text"], "doc_id": f["doc_id"], "start": f["start"], "end": f["end"]}
        for f in first_per_doc.values() if question.holds(f["value"])
    ]
    rows.sort(key=lambda r: (-r["value"], r["agency"], r["year"] or 0))
    return {"metric": question.metric, "metric_label": METRICS[question.metric], "condition": question.condition,
            "year": question.year,
            "condition_label": f"{CONDITION_LABELS[question.op]} {question.value:g}", "rows": rows}
