"""Facts: the figures a disclosure report states, each with the sentence (or table row) that states it.

Two sources: running text, sentence by sentence (kb.report.fact_rules: 受理依申请事项80余件, 未收到…行政复议,
不收取费用), and the tables of the post-2019 national template in any flattening (kb.report.fact_tables).
A statement of none is a figure of 0; a metric the report never mentions has no fact at all. A figure
stated for a whole area (全市, 各部门) rather than the agency itself is kept with scope "area". Within a
sentence, figures after 其中 that break down a figure of the same metric are parts, not totals; running
totals since disclosure began (截至…累计) are no year's figure. Everything runs in one pass over the
normalised text (linear in its length); spans map back to the original script.
"""
from __future__ import annotations

import re

from kb.records import Fact
from kb.report.chunks import sentence_spans
from kb.report.fact_rules import (
    PROACTIVE_CONTEXT,
    RULES,
    clause_at,
    is_area,
    is_cumulative,
    parse_number,
)
from kb.report.fact_tables import table_figures
from kb.report.metrics import REGISTRY
from kb.report.sections import heading_of
from kb.text import normalize_with_offsets

METRICS = {m.id: m.label for m in REGISTRY.values()}
SCOPES = {"agency": "本机关", "area": "全地区"}
# Metrics counting items, whose breakdowns (其中…) are written like totals.
BREAKDOWN_METRICS = {m.id for m in REGISTRY.values() if m.breakdown}
COUNTED = re.compile(r"\d\s*(?:余|多)?\s*万?\s*(?:条|件|项|个|篇|份)")

def answer_facts(facts: list[Fact]) -> list[Fact]:
    """The one figure per metric that answers use: the agency's own before an area's, a template table
    row before running text, then the first statement in the document."""
    best: dict[str, Fact] = {}
    for f in sorted(facts, key=lambda f: (f.scope != "agency", f.origin != "table", f.start)):
        best.setdefault(f.metric, f)
    return sorted(best.values(), key=lambda f: f.start)


def _sentence_facts(norm: str) -> list[tuple[str, float, str, bool, str, int, int]]:
    """(metric, value, unit, approx, scope, start, end) of every figure stated in running text."""
    out = []
    line_starts = [0] + [i + 1 for i, ch in enumerate(norm) if ch == "\n"]
    heading_above = ""   # the paragraph context: the nearest heading line above
    for line_no, line_start in enumerate(line_starts):
        line_end = line_starts[line_no + 1] - 1 if line_no + 1 < len(line_starts) else len(norm)
        line = norm[line_start:line_end]
        if heading_of(line):
            heading_above = line
        context = heading_above + "\n" + line
        if "|" in line:
            continue  # a table row: its figures are the table's (kb.report.fact_tables), not a sentence's
        for a, b in sentence_spans(norm, line_start, line_end):
            out += _facts_of_sentence(norm[a:b], a, b, context)
    return out


def _facts_of_sentence(sentence: str, a: int, b: int, context: str) -> list[tuple]:
    found: dict[str, tuple] = {}
    breakdown = sentence.find("其中")
    for rule in RULES:
        if rule.context and not PROACTIVE_CONTEXT.search(context if rule.context == "paragraph" else sentence):
            continue
        for m in rule.pattern.finditer(sentence):
            clause = clause_at(sentence, m.start())
            if rule.excludes and rule.excludes.search(clause):
                continue
            if rule.metric == "proactive_disclosed" and is_cumulative(sentence, clause, m.end()):
                continue
            previous = found.get(rule.metric)
            # 共…1488条，其中…112条: counted items after 其中 are parts of a total before it — unless they
            # are what the total is not (发布信息75条，其中主动公开67条).
            if rule.metric in BREAKDOWN_METRICS and 0 <= breakdown < m.start() and \
                    COUNTED.search(sentence, 0, breakdown) and (rule.weak or (previous and not previous[6])):
                continue
            value, approx = (0.0, False) if rule.none else parse_number(m)
            scope = "area" if is_area(clause + m.group()) else "agency"
            # A count beats a statement of none in the same sentence (没有发生行政复议…，应诉行政诉讼1起), and a
            # statement of the metric itself one known by its context.
            if previous is None or (previous[4] and not rule.none) or (previous[6] and not rule.weak):
                found[rule.metric] = (rule.metric, value, rule.unit, approx, rule.none, scope, rule.weak)
    return [(metric, value, unit, approx, scope, a, b) for metric, value, unit, approx, _, scope, _ in found.values()]


def extract_facts(text: str) -> list[Fact]:
    """Every figure with its evidence, in document order; one fact per (metric, sentence or row)."""
    norm, offsets = normalize_with_offsets(text)
    if len(norm) != len(offsets) or not norm:
        return []

    def original(a: int, b: int) -> tuple[int, int]:
        return offsets[a], offsets[b - 1] + 1 if b > a else offsets[a]

    found: dict[tuple[str, int], Fact] = {}
    for metric, value, unit, approx, scope, a, b in _sentence_facts(norm):
        start, end = original(a, b)
        found[(metric, start)] = Fact(metric, value, unit, approx, start, end, text[start:end], scope, "text")
    for t in table_figures(norm):
        start, end = original(t.start, t.end)
        found[(t.metric, start)] = Fact(t.metric, t.value, t.unit, False, start, end, text[start:end], "agency",
                                        "table")
    return sorted(found.values(), key=lambda f: (f.start, f.metric))

