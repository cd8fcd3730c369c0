"""The metric registry (kb.report.metrics) is the one table of metrics: complete, consistent, and read by the
extractor, the question vocabulary, the eval query builder and the web layer."""
import re

import pytest

from kb.questions.figures import known_metrics, metric_label
from kb.questions.parse import _metric_mentions, prepare
from kb.questions.vocabulary import METRIC_VOCABULARY
from kb.report.fact_rules import RULES
from kb.report.fact_tables import GROUPS, REVIEW_COLUMNS, ROW_METRICS
from kb.report.facts import METRICS, extract_facts
from kb.report.metrics import REGISTRY, Metric, Prose
from kb.search.evaluate import QUESTION_TEMPLATES


def test_every_table_of_metrics_is_the_registry():
    ids = list(REGISTRY)
    assert known_metrics() == ids == list(METRICS) == list(METRIC_VOCABULARY)
    assert {r.metric for r in RULES} == {m.id for m in REGISTRY.values() if m.prose}
    assert {m for _, m in ROW_METRICS} | {m for _, m in GROUPS} | {m for m, _ in REVIEW_COLUMNS} == \
        {m.id for m in REGISTRY.values() if m.rows or m.group or m.review_columns}
    assert set(QUESTION_TEMPLATES) <= set(ids)
    assert all(metric_label(m) == REGISTRY[m].label for m in ids)


@pytest.mark.parametrize("metric", list(REGISTRY))
def test_a_metric_is_named_by_its_own_words(metric):
    """A question naming a metric by its short label asks about that metric, and no other."""
    m = REGISTRY[metric]
    assert [x.metric for x in _metric_mentions(prepare(m.short))] == [metric]
    assert all(r.unit == m.unit for r in RULES if r.metric == metric)


@pytest.mark.parametrize("missing", [
    dict(question_words=""),                                   # no words in questions
    dict(label="", short=""),                                  # no Chinese label
    dict(unit="桶"),                                           # a unit nobody reads
    dict(prose=(), rows=""),                                   # no way to be found
    dict(prose=(Prose(r"申诉(\d+)件"),)),                       # a count pattern without (?P<n>…)
    dict(questions=("收到多少件申诉",)),                        # a question phrasing without the agency
])
def test_a_half_added_metric_is_refused(missing):
    entry = dict(id="appeals", label="申诉", short="申诉", unit="件", question_words=r"申诉",
                 prose=(Prose(r"申诉(?P<n>\d+)件"),), rows="")
    Metric(**entry)    # the whole entry is accepted
    with pytest.raises(ValueError):
        Metric(**{**entry, **missing})


def test_registry_patterns_extract_what_they_say():
    """Each metric with a prose pattern finds a figure in a sentence written with its own label's unit."""
    text = ("2020年，本机关收到政府信息公开申请12件。本机关主动公开政府信息345条。"
            "本年度发生行政复议2件，行政诉讼1件。本机关配备工作人员3名。")
    got = {(f.metric, f.value, f.unit) for f in extract_facts(text)}
    assert {("requests_received", 12, "件"), ("proactive_disclosed", 345, "条"), ("admin_reviews", 2, "件"),
            ("lawsuits", 1, "件"), ("staff", 3, "人")} <= got
    assert all(re.search(r"[\u4e00-\u9fff]", REGISTRY[m].label) for m, _, _ in got)
