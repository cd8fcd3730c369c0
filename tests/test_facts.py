"""Facts with evidence, and counting questions answered completely from them (the parser: test_questions_parse)."""
from __future__ import annotations

from pathlib import Path

import pytest

from kb.pipeline import process_report
from kb.questions import answer_question
from kb.report.facts import extract_facts
from kb.store import Store

from .conftest import SEEDS

FIXTURES = Path(__file__).parent / "fixtures"
# The acceptance table: (metric, doc) -> (value, approx); None: the report never states it.
SEED_FIGURES = {
    "requests_received": {"000": (80, True), "001": (0, False), "002": (172, False), "003": (8, False), "004": None},
    # 000 states only a website figure (6.5万余条 "发布更新各类信息", incl. 62000 双公示 records): not a count
    # of proactively disclosed government information, so it is not reported as one.
    "proactive_disclosed": {"000": None, "001": (57, False), "002": (66158, False), "003": (809, False), "004": None},
    "admin_reviews": {"000": (0, False), "001": (0, False), "002": (8, False), "003": (0, False), "004": None},
    "lawsuits": {"000": (1, False), "001": (0, False), "002": (7, False), "003": (0, False), "004": None},
    "fees_charged": {"000": (0, False), "001": (0, False), "002": (0, False), "003": (0, False), "004": None},
}


@pytest.fixture(scope="module")
def seed_facts():
    return {p.stem[:3]: process_report(p, 160) for p in sorted(SEEDS.glob("*.txt"))}


@pytest.mark.parametrize("metric", sorted(SEED_FIGURES))
def test_seed_figures_with_evidence(seed_facts, metric):
    for doc, expected in SEED_FIGURES[metric].items():
        document = seed_facts[doc]
        facts = [f for f in document.facts if f.metric == metric]
        if expected is None:
            assert facts == [], (doc, facts)
            continue
        first = facts[0]
        assert (first.value, first.approx) == expected, (doc, first)
        assert document.text[first.start:first.end] == first.text
        if first.value:
            assert f"{first.value:g}" in first.text
        # every statement of the same metric in one report agrees
        assert {f.value for f in facts} == {first.value}, (doc, facts)


def test_other_figures_found_in_the_seeds(seed_facts):
    sanmenxia = {f.metric: f.value for f in seed_facts["002"].facts}
    assert sanmenxia["press_conferences"] == 13 and sanmenxia["complaints"] == 4
    assert sanmenxia["staff"] == 354 and sanmenxia["training_sessions"] == 82 and sanmenxia["meetings"] == 178


@pytest.mark.parametrize("name", ["template_2020.md", "template_2020.html", "template_2020_flat.txt"])
def test_post_2019_template_tables(name):
    doc = process_report(FIXTURES / name, 160)
    facts = {f.metric: f for f in doc.facts}
    assert {m: f.value for m, f in facts.items()} == {
        "requests_received": 40, "requests_carried_in": 2, "requests_granted": 19, "requests_partly_granted": 5,
        "requests_denied": 2, "requests_carried_forward": 3, "admin_reviews": 3, "lawsuits": 3, "fees_charged": 0,
        "press_conferences": 6, "training_sessions": 3}
    assert "本年新收政府信息公开申请数量" in facts["requests_received"].text
    assert "予以公开" in facts["requests_granted"].text
    assert doc.description.agency == "江城市生态环境局" and doc.description.year == 2020


def test_statements_of_none_and_absence():
    facts = extract_facts("本年度未发生因政府信息公开引起的行政复议。全年受理依申请公开十二件。")
    assert [(f.metric, f.value) for f in facts] == [("admin_reviews", 0), ("requests_received", 12)]
    assert extract_facts("本局认真做好政务公开工作。") == []


def agencies(answer):
    return sorted(r["agency"][:2] for r in answer["rows"])


def test_answers_are_complete_lists_with_evidence(kb_settings):
    store = Store(kb_settings.db_path)
    assert agencies(answer_question("哪些机关依申请公开没有收取费用", store)) == ["三门", "哈尔", "湖南", "罗庄"]
    assert agencies(answer_question("哪些机关的依申请公开数量超过50件", store)) == ["三门", "湖南"]
    assert agencies(answer_question("which agencies reported zero information requests?", store)) == ["罗庄"]
    assert agencies(answer_question("被起诉的有哪些机关", store)) == ["三门", "湖南"]
    assert agencies(answer_question("哪些机关的行政复议超过5件", store)) == ["三门"]
    assert agencies(answer_question("哪些单位收到的申请不到10件", store)) == ["哈尔", "罗庄"]
    assert agencies(answer_question("2018年哪些机关没有发生行政诉讼", store)) == ["哈尔", "罗庄"]
    assert agencies(answer_question("which agencies charged no fees in 2017", store)) == ["三门", "湖南"]
    assert agencies(answer_question("哪些机关主动公开的信息超过500条", store)) == ["三门", "哈尔"]
    rows = answer_question("哪些机关收到的依申请公开超过50件", store)["rows"]
    hunan = next(r for r in rows if r["agency"].startswith("湖南"))
    assert hunan["approx"] and hunan["value"] == 80
    doc = store.document(hunan["doc_id"])
    assert doc["text"][hunan["start"]:hunan["end"]] == hunan["text"] and "80" in hunan["text"]
