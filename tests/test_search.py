"""Search on the real seeds: pinned dev-set numbers, cross-script queries, context fields, filters, safety."""
from __future__ import annotations

import json

import numpy as np
import pytest

from kb.search.evaluate import evaluate, load_queries, questions_from_manifest
from kb.search.filters import Filters
from kb.search.fusion import fuse_rows
from kb.search.highlight import highlight
from kb.search.params import SearchError
from kb.settings import PROJECT_ROOT
from kb.text import to_simplified

from .conftest import DEV_QUERIES, require_shared

# Pinned on the dev set (kb eval ../shared/eval/dev.jsonl); a change that moves them must say why.
# Up from 1.000/0.922, 0.933/0.856, 0.800/0.533: the names in a question pick the document (a prior), the rest
# of it the passage, and a question about a quantity prefers a passage stating a figure (kb.search.understand).
# Then keyword 0.933 -> 0.900 MRR, semantic 0.933/0.728 -> 0.867/0.706 (issue 18): only real names make a
# prior now, so "通过微博公开的政府信息有多少条" no longer leans on the reports whose names hold 政府 or 信息.
# Then keyword MRR 0.900 -> 0.933, semantic 0.867/0.706 -> 0.933/0.722 (issue 18, kb.search.coverage): the
# dev set's topical questions rank first the passages that hold all of their words, not one of them often.
PINNED = {"hybrid": (1.000, 1.000), "keyword": (0.933, 0.933), "semantic": (0.933, 0.722)}
# Our own held-out questions on the seeds (several phrasings per figure, never tuned on).
SEED_QUESTIONS = PROJECT_ROOT / "tests" / "queries" / "seed_questions.jsonl"
# issue 18 (real names only, a named agency's generic words leave the text): hybrid MRR 0.917 -> 0.903.
PINNED_SEED_QUESTIONS = {"hybrid": (1.000, 0.903), "keyword": (1.000, 0.919), "semantic": (0.800, 0.539)}
REAL = PROJECT_ROOT.parent / "shared" / "real"


@pytest.fixture(scope="module")
def dev_report(engine):
    require_shared(DEV_QUERIES)
    return evaluate(engine, load_queries(DEV_QUERIES))


def test_dev_set_numbers_are_pinned(dev_report):
    for mode, (r5, mrr) in PINNED.items():
        assert dev_report[mode]["r5"] == pytest.approx(r5, abs=0.01), mode
        assert dev_report[mode]["mrr10"] == pytest.approx(mrr, abs=0.01), mode


def test_held_out_seed_questions_are_pinned(engine):
    report = evaluate(engine, load_queries(SEED_QUESTIONS))
    for mode, (r5, mrr) in PINNED_SEED_QUESTIONS.items():
        assert report[mode]["r5"] == pytest.approx(r5, abs=0.01), mode
        assert report[mode]["mrr10"] == pytest.approx(mrr, abs=0.01), mode
    assert report["hybrid"]["mrr10"] >= 0.90


@pytest.fixture(scope="module")
def real_kb(tmp_path_factory):
    """The real reports of ../shared/real, ingested as they are; and a copy with the gold agencies."""
    require_shared(REAL / "manifest.jsonl")
    import shutil
    import sys

    sys.path.insert(0, str(PROJECT_ROOT / "bench"))
    from real import build_real_kb, reachable

    root = tmp_path_factory.mktemp("real")
    as_is = build_real_kb(root / "as-is")
    gold = build_real_kb(root / "gold", gold_agency=True)
    gold.query_vector = as_is.query_vector  # the same model: embed each question once
    questions = reachable(as_is, questions_from_manifest(REAL / "manifest.jsonl"))
    yield as_is, gold, questions
    shutil.rmtree(root, ignore_errors=True)


def test_real_report_questions(real_kb):
    """Questions from the gold figures of ../shared/real (agency + year + metric, several phrasings), on the
    reports as ingested and with the gold agencies (the ranking alone). Measured: hybrid 0.98 / 0.878 as
    ingested, 0.98 / 0.880 with gold agencies; keyword 0.99 / 0.904."""
    as_is, gold, questions = real_kb
    assert len(questions) >= 90
    measured = evaluate(as_is, questions, modes=("hybrid",))
    assert measured["hybrid"]["r5"] >= 0.95 and measured["hybrid"]["mrr10"] >= 0.85
    with_gold = evaluate(gold, questions, modes=("hybrid", "keyword"))
    assert with_gold["hybrid"]["r5"] >= 0.95 and with_gold["hybrid"]["mrr10"] >= 0.85
    assert with_gold["keyword"]["r5"] >= 0.95 and with_gold["keyword"]["mrr10"] >= 0.85


def test_hybrid_beats_each_side(dev_report):
    hybrid = dev_report["hybrid"]
    assert hybrid["r5"] >= 0.95 and hybrid["mrr10"] >= 0.85
    for side in ("keyword", "semantic"):
        assert hybrid["r5"] >= dev_report[side]["r5"] and hybrid["mrr10"] >= dev_report[side]["mrr10"]
    assert all(r["aggregate"] == r["aggregate_total"] for r in dev_report.values())


def dev_fact_queries() -> list[str]:
    """The dev set's fact questions; none when ../shared is absent (the test then says so)."""
    if not DEV_QUERIES.exists():
        return []
    return [json.loads(line)["query"] for line in DEV_QUERIES.read_text(encoding="utf-8").splitlines()
            if line.strip() and "gold" in json.loads(line)]


def test_the_dev_fact_questions_are_there():
    require_shared(DEV_QUERIES)
    assert len(dev_fact_queries()) >= 10


@pytest.mark.parametrize("query", dev_fact_queries())
def test_traditional_and_simplified_spellings_give_the_same_top_hit(engine, query):
    from opencc import OpenCC

    traditional = OpenCC("s2t").convert(query)
    simplified = to_simplified(query)
    for mode in ("hybrid", "keyword", "semantic"):
        a = engine.search(traditional, mode=mode, k=1)["results"]
        b = engine.search(simplified, mode=mode, k=1)["results"]
        assert [r["chunk_id"] for r in a] == [r["chunk_id"] for r in b], (mode, traditional)


def test_context_fields_find_a_passage_that_never_names_the_agency(engine):
    top = engine.search("罗庄区安监局2018年主动公开了多少条", mode="keyword", k=1)["results"][0]
    assert top["agency"] == "罗庄区安全生产监督管理局"
    assert "57条" in top["text"] and "罗庄" not in top["text"]


def test_traditional_text_is_shown_in_its_own_script_and_highlighted_across_scripts(engine):
    top = engine.search("驳回原告诉讼请求", k=1)["results"][0]
    assert "駁回原告訴訟請求" in top["text"]
    assert "<mark>駁回原告訴訟請求</mark>" in top["highlight"]


@pytest.mark.parametrize("query", ['行政复议 AND OR NOT "', "title:(x) *?", "政府 ~2 ^3 [a TO b]",
                                   "'; DROP TABLE chunks; --", "year:abc", "(微博", "agency: 微博", "-诉讼", "NOT"])
def test_odd_query_syntax_gives_results_or_a_named_error(engine, query):
    try:
        res = engine.search(query, mode="keyword")
    except SearchError as exc:
        assert exc.param == "q" and str(exc)
    else:
        assert isinstance(res["results"], list)


@pytest.mark.parametrize("query", ["", "   ", "的", "了 的 和", "？！。"])
def test_empty_or_stopword_queries_return_nothing(engine, query):
    for mode in ("hybrid", "keyword"):
        res = engine.search(query, mode=mode)
        assert res["results"] == [] and res["total"] == 0


def test_filters_apply_before_the_cut(engine):
    res = engine.search("政府信息公开", k=100, filters=Filters(agency="羅莊"))
    assert res["results"] and {r["agency"] for r in res["results"]} == {"罗庄区安全生产监督管理局"}
    assert res["total"] == sum(r["match"] for r in res["results"])
    by_year = engine.search("政府信息公开", k=100, filters=Filters(year_from=2017, year_to=2017, doc_type="annual_report"))
    assert {(r["year"], r["doc_type"]) for r in by_year["results"]} == {(2017, "annual_report")}
    semantic = engine.search("微信", mode="semantic", k=5, filters=Filters(region="黑龙江"))
    assert len(semantic["results"]) == 5 and {r["agency"] for r in semantic["results"]} == {"哈尔滨市安全生产监督管理局"}
    assert engine.search("微信", filters=Filters(agency="不存在的机关"))["results"] == []


def test_results_cite_exact_offsets(engine):
    for r in engine.search("政务微博", k=10)["results"]:
        doc = engine.store.document(r["doc_id"])
        assert doc["text"][r["start"]:r["end"]] == r["text"]
        assert r["url"] == f"/documents/{r['doc_id']}?start={r['start']}&end={r['end']}#passage"


def test_bad_parameters_are_named():
    from kb.search.params import validate

    for args, param in [(("x" * 501, "hybrid", 10), "q"), (("x", "fuzzy", 10), "mode"), (("x", "hybrid", 0), "k"),
                        (("x", "hybrid", 101), "k")]:
        with pytest.raises(SearchError) as exc:
            validate(*args)
        assert exc.value.param == param


def test_highlight_escapes_html():
    assert highlight('<script>alert(1)</script>行政复议', "行政复议") == \
        "&lt;script&gt;alert(1)&lt;/script&gt;<mark>行政复议</mark>"


def test_fusion_rule_for_one_sided_hits():
    fused = fuse_rows([1, 2], [10.0, 5.0], [3, 1], [0.9, 0.5], keyword_weight=0.7)
    by_row = {int(r): i for i, r in enumerate(fused.rows)}
    assert np.isnan(fused.semantic[by_row[2]]) and np.isnan(fused.keyword[by_row[3]])
    assert fused.score[by_row[1]] == pytest.approx(0.7 * 1.0 + 0.3 * 0.0)
    assert fused.score[by_row[3]] == pytest.approx(0.3 * 1.0)
    assert [int(fused.rows[i]) for i in np.lexsort((fused.rows, -fused.score))] == [1, 2, 3]
    rrf = fuse_rows([1], [10.0], [1, 2], [0.4, 0.3], 0.5, method="rrf")
    assert [int(rrf.rows[i]) for i in np.lexsort((rrf.rows, -rrf.score))] == [1, 2]
