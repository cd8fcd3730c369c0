"""Facts: the figures a disclosure report states, each with the sentence (or table row) that states it.

Two sources: running text, sentence by sentence (kb.report.fact_rules: 受理依申请事项80余件, 未收到…行政复议,
不收取费用), and the tables of the post-2019 national template in any flattening (kb.report.fact_tables).
A statement of none is a figure of 0; a metric the report never mentions has no fact at all. A figure
stated for a whole area (全市, 各部门) rather than the agency itself is kept with scope "area", and so is every
figure after a sentence stating a count for the whole area in the same section, unless a sentence names the agency
itself (本局, 我委). Within a sentence, figures after 其中 that break down a figure of the same metric are parts,
not totals; the other kinds of match that are no yearly figure of the agency (a running total, part of the year,
another year, a new-media channel as the proactive total, a sentence about something else) are the table
NOT_A_YEARLY_FIGURE. A statement under the heading naming its metric answers before one elsewhere. Everything runs in one pass over the
normalised text (linear in its length); spans map back to the original script.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kb.records import Fact
from kb.report.chunks import sentence_spans
from kb.report.fact_rules import (
    PROACTIVE_CONTEXT,
    RULES,
    clause_at,
    is_area,
    is_area_statement,
    is_cumulative,
    is_new_media_only,
    is_other_year,
    is_part_year,
    names_self,
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
# A heading naming a metric: the section its statements belong to (五、因政府信息公开申请行政复议…的情况).
METRIC_WORDS = {m.id: re.compile(m.question_words) for m in REGISTRY.values()}
_SENTENCE_END = re.compile(r"[。；;!！?？:：]")
COUNTED = re.compile(r"\d\s*(?:余|多)?\s*万?\s*(?:条|件|项|个|篇|份)")

def answer_facts(facts: list[Fact]) -> list[Fact]:
    """The one figure per metric that answers use: the agency's own before an area's, a template table
    row before running text, a statement in the section about the metric before one elsewhere, then the first
    statement in the document."""
    best: dict[str, Fact] = {}
    yearly = (f for f in facts if f.period == "year")
    for f in sorted(yearly, key=lambda f: (f.scope != "agency", f.origin != "table", not f.in_section, f.start)):
        best.setdefault(f.metric, f)
    return sorted(best.values(), key=lambda f: f.start)


def _sentence_facts(norm: str, year: int | None) -> list[tuple]:
    """(metric, value, unit, approx, scope, in_section, start, end, period) of every figure stated in running
    text."""
    out = []
    line_starts = [0] + [i + 1 for i, ch in enumerate(norm) if ch == "\n"]
    heading_above = ""   # the paragraph context: the nearest heading line above
    title = ""           # its title: a run-in heading's first sentence
    area_passage = False  # a sentence of this section stated a count for the whole area (全市共处理…172件)
    for line_no, line_start in enumerate(line_starts):
        line_end = line_starts[line_no + 1] - 1 if line_no + 1 < len(line_starts) else len(norm)
        line = norm[line_start:line_end]
        if heading_of(line):
            heading_above, area_passage = line, False
            title = _SENTENCE_END.split(line, maxsplit=1)[0]
        if "|" in line:
            continue  # a table row: its figures are the table's (kb.report.fact_tables), not a sentence's
        previous: dict[str, int] = {}   # metric -> index in out, of the sentence just before on this line
        for a, b in sentence_spans(norm, line_start, line_end):
            sentence = norm[a:b]
            here = {}
            for fact in _facts_of_sentence(sentence, a, b, _Passage(heading_above, title, line, area_passage, year)):
                i = previous.get(fact[0])
                if i is not None and REGISTRY[fact[0]].summed and fact[1] and out[i][1] and fact[8] == out[i][8]:
                    # 通过微博公开7177条；通过微信公开10264条: one list of channels, split by semicolons
                    fact = (*out[i][:1], out[i][1] + fact[1], *out[i][2:7], b, fact[8])
                    out[i] = fact
                    here[fact[0]] = i
                    continue
                here[fact[0]] = len(out)
                out.append(fact)
            previous = here
            area_passage = area_passage or is_area_statement(sentence)
    return out


@dataclass(frozen=True)
class _Passage:
    heading: str        # the nearest heading line above (or the run-in heading of this line)
    title: str          # that heading's title (its first sentence)
    line: str
    area: bool          # the section is about the whole area so far
    year: int | None    # the report's year

    def about_proactive(self, rule, sentence: str) -> bool:
        return PROACTIVE_CONTEXT.search(self.heading + "\n" + self.line if rule.context == "paragraph" else sentence) \
            is not None


@dataclass(frozen=True)
class _Match:
    """One match of a rule, where it stands."""
    rule: object
    m: re.Match
    sentence: str
    clause: str
    passage: _Passage


# The kinds of match that state no yearly figure of the rule's metric for the agency, one entry per kind: the next
# kind is one more entry. (Area-wide figures are figures, kept with their scope; parts after 其中 are decided
# against the sentence's total, in _facts_of_sentence.)
NOT_A_YEARLY_FIGURE = (
    ("outside a passage about 主动公开", lambda x: x.rule.context and not x.passage.about_proactive(x.rule, x.sentence)),
    ("a clause about another metric", lambda x: x.rule.excludes and x.rule.excludes.search(x.clause)),
    ("a sentence about something else than the metric (安监局没有收费项目)",
     lambda x: x.rule.about and not x.rule.about.search(x.sentence) and
     not (x.rule.section and x.rule.section.search(x.passage.title))),
    ("another year than the report's", lambda x: is_other_year(x.sentence, x.m.end(), x.passage.year)),
    ("one channel, new media, as the total", lambda x: x.rule.metric == NEW_MEDIA_TOTAL and is_new_media_only(x.clause)),
)
NEW_MEDIA_TOTAL = REGISTRY["new_media_posts"].part_of
# Figures of another span than the report's year: kept, marked with their period, and never an answer.
OTHER_PERIODS = (
    ("cumulative", lambda x: not x.rule.none and is_cumulative(x.sentence, x.clause, x.m.end())),  # 截至…累计
    ("part_year", lambda x: not x.rule.none and is_part_year(x.sentence, x.m.end())),             # 上半年, 1-6月
)


def _period(x: _Match) -> str:
    return next((period for period, test in OTHER_PERIODS if test(x)), "year")


def _applies(x: _Match) -> bool:
    return not any(test(x) for _, test in NOT_A_YEARLY_FIGURE)


def _facts_of_sentence(sentence: str, a: int, b: int, passage: _Passage) -> list[tuple]:
    found: dict[str, list] = {}
    breakdown = sentence.find("其中")
    for rule in RULES:
        summed = REGISTRY[rule.metric].summed
        for m in rule.pattern.finditer(sentence):
            clause = clause_at(sentence, m.start())
            match = _Match(rule, m, sentence, clause, passage)
            if not _applies(match):
                continue
            period = _period(match)
            previous = found.get(rule.metric)
            # 共…1488条，其中…112条: counted items after 其中 are parts of a total before it — unless they
            # are what the total is not (发布信息75条，其中主动公开67条).
            if rule.metric in BREAKDOWN_METRICS and 0 <= breakdown < m.start() and \
                    COUNTED.search(sentence, 0, breakdown) and (rule.weak or (previous and not previous[6])):
                continue
            value, approx = (0.0, False) if rule.none else parse_number(m)
            own = names_self(clause)
            area = is_area(clause + m.group()) or (not own and (
                is_area(sentence[: m.start()]) or (passage.area and not names_self(sentence))))
            scope = "area" if area else "agency"
            if previous and previous[8] == "year" and period != "year":
                continue   # 2020年受理12件，累计受理120件: the year's figure stands for the sentence
            if summed and previous and not rule.none and not previous[4] and m.start() >= previous[7] \
                    and previous[8] == period:
                # 微博15条，微信85条: the figures of one sentence add up
                found[rule.metric] = previous[:1] + [previous[1] + value] + previous[2:7] + [m.end(), period]
                continue
            # A count beats a statement of none in the same sentence (没有发生行政复议…，应诉行政诉讼1起), and a
            # statement of the metric itself one known by its context.
            if previous is None or (previous[4] and not rule.none) or (previous[6] and not rule.weak) or \
                    (previous[8] != "year" and period == "year"):
                found[rule.metric] = [rule.metric, value, rule.unit, approx, rule.none, scope, rule.weak, m.end(),
                                      period]
    in_section = {metric: bool(METRIC_WORDS[metric].search(passage.title)) for metric in found}
    return [(metric, value, unit, approx, scope, in_section[metric], a, b, period)
            for metric, value, unit, approx, _, scope, _, _, period in found.values()]


def extract_facts(text: str, year: int | None = None) -> list[Fact]:
    """Every figure with its evidence, in document order; one fact per (metric, sentence or row). year, the
    report's, drops figures a sentence states for another year."""
    norm, offsets = normalize_with_offsets(text)
    if len(norm) != len(offsets) or not norm:
        return []
    if year and not re.search(rf"{year}\s*年", norm):
        year = None   # a year the text never states is no ground for dropping the years it does state

    def original(a: int, b: int) -> tuple[int, int]:
        return offsets[a], offsets[b - 1] + 1 if b > a else offsets[a]

    found: dict[tuple[str, int], Fact] = {}
    for metric, value, unit, approx, scope, in_section, a, b, period in _sentence_facts(norm, year):
        start, end = original(a, b)
        found[(metric, start)] = Fact(metric, value, unit, approx, start, end, text[start:end], scope, "text",
                                      in_section, period)
    for t in table_figures(norm):
        start, end = original(t.start, t.end)
        found[(t.metric, start)] = Fact(t.metric, t.value, t.unit, False, start, end, text[start:end], "agency",
                                        "table", True)
    return sorted(found.values(), key=lambda f: (f.start, f.metric))

