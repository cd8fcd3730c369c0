"""Exact matching: the query language and plain keyword queries return exactly the passages a brute-force
computation over the store returns, on the seeds and on a synthetic corpus (bench/synth.py)."""
from __future__ import annotations

import importlib.util

import pytest

from kb.ingest import update_knowledge_base
from kb.report.agency import abbreviate
from kb.search.engine import SearchEngine
from kb.search.params import SearchError
from kb.search.query import has_syntax
from kb.settings import PROJECT_ROOT, load_settings
from kb.text import compact, tokenize

LABELS = {"annual_report": "年度报告", "work_plan": "工作方案", "guide": "公开指南", "catalogue": "公开目录", "other": "其他"}


def passages(engine: SearchEngine) -> list[dict]:
    levels = {d["doc_id"]: d["level"] for d in engine.store.documents()}
    return [c | {"level": levels[c["doc_id"]], "body": compact(c["text"])} for c in engine.store.iter_chunks()]


# The brute-force meaning of each piece of syntax, written out independently of the engine.
def has(p, s):       # a quoted phrase: a substring of the compacted, normalised passage
    return compact(s) in p["body"]


def word(p, w):      # an unquoted word: each of its tokens somewhere in the passage
    return all(t in p["body"] for t in tokenize(w))


def agency(p, v):
    return compact(v) in compact(p["agency"]) or compact(v) in compact(abbreviate(p["agency"]))


def section(p, v):
    return compact(v) in compact(" › ".join(p["section"]))


def doc_type(p, v):
    return compact(v) in p["doc_type"] or compact(v) in LABELS.get(p["doc_type"], "")


CASES = [
    ('"政府信息公开"', lambda p: has(p, "政府信息公开")),
    ("“政务微博”", lambda p: has(p, "政务微博")),
    ("「政府网站」 NOT 微信", lambda p: has(p, "政府网站") and not word(p, "微信")),
    ("行政复议 NOT 诉讼", lambda p: word(p, "行政复议") and not word(p, "诉讼")),
    ("行政复议 AND 行政诉讼", lambda p: word(p, "行政复议") and word(p, "行政诉讼")),
    ("微博 OR 微信", lambda p: word(p, "微博") or word(p, "微信")),
    ("依申请公开 -收费", lambda p: word(p, "依申请公开") and not word(p, "收费")),
    ("(微博 OR 网站) AND NOT 微信", lambda p: (word(p, "微博") or word(p, "网站")) and not word(p, "微信")),
    ('"主动公开" OR "依申请"', lambda p: has(p, "主动公开") or has(p, "依申请")),
    ("agency:三门峡 公开", lambda p: agency(p, "三门峡") and word(p, "公开")),
    ("机关：羅莊 主动公开", lambda p: agency(p, "罗庄") and word(p, "主动公开")),
    ("year:[2017 TO 2017] 微信", lambda p: p["year"] == 2017 and word(p, "微信")),
    ("年度:2018 主动公开", lambda p: p["year"] == 2018 and word(p, "主动公开")),
    ("year:[2015 TO 2019] AND 培训", lambda p: p["year"] is not None and 2015 <= p["year"] <= 2019 and word(p, "培训")),
    ("year:>=2018 公开", lambda p: p["year"] is not None and p["year"] >= 2018 and word(p, "公开")),
    ('type:工作方案 "公开"', lambda p: doc_type(p, "工作方案") and has(p, "公开")),
    ("章节:主动公开 NOT 网站", lambda p: section(p, "主动公开") and not word(p, "网站")),
    ("level:市级 AND (微博 OR 网站)", lambda p: compact("市级") in p["level"] and (word(p, "微博") or word(p, "网站"))),
    ("region:河南 OR region:黑龙江", lambda p: "河南" in p["region"] or "黑龙江" in p["region"]),
    ('"新闻发布会" OR 新闻发布', lambda p: has(p, "新闻发布会") or word(p, "新闻发布")),
]

# Plain queries: a passage matches when it contains one of the query's words of two or more characters.
# A plain query and the words a passage must all contain to match it, written out by hand: a term of at
# most five characters as written, a longer one or a question by its content words (kb.search.terms).
PLAIN = {"微博": ["微博"], "公开": ["公开"], "行政复议": ["行政复议"], "政务微博": ["政务微博"],
         "依申请公开": ["依申请公开"], "主动公开政府信息": ["主动公开", "政府信息"], "新闻发布会": ["新闻发布会"],
         "收费": ["收费"], "保密审查": ["保密审查"], "微信公众号": ["微信公众号"], "网站": ["网站"],
         "政府信息公开工作年度报告": ["政府信息公开", "工作年度报告"], "培训": ["培训"], "诉讼": ["诉讼"],
         "门户网站建设": ["门户网站", "建设"], "举报投诉": ["举报投诉"], "政策解读": ["政策解读"],
         "信息公开申请": ["信息公开", "申请"], "微博 微信": ["微博", "微信"], "政務微博": ["政务微博"]}


def plain_match(p, query):
    return all(t in p["body"] for t in PLAIN[query])


def matched_ids(engine, query, mode="keyword") -> tuple[set[int], int]:
    ranking = engine.ranking(query, mode)
    rows = ranking.fused.rows if not ranking.matches_first else ranking.fused.rows[ranking.is_match]
    return {int(engine.indexes.catalog.chunk_ids[r]) for r in rows}, ranking.total


@pytest.fixture(scope="module")
def seed_passages(engine):
    return passages(engine)


@pytest.mark.parametrize("query, predicate", CASES, ids=[c[0] for c in CASES])
def test_query_language_matches_brute_force_on_the_seeds(engine, seed_passages, query, predicate):
    assert has_syntax(query)
    expected = {p["chunk_id"] for p in seed_passages if predicate(p)}
    for mode in ("keyword", "hybrid", "semantic"):
        found, total = matched_ids(engine, query, mode)
        assert found == expected, (query, mode)
        assert total == len(expected)


def test_the_cases_are_not_trivial(seed_passages):
    sizes = [sum(map(pred, seed_passages)) for _, pred in CASES]
    assert sum(0 < n < len(seed_passages) for n in sizes) >= 15, sizes


@pytest.mark.parametrize("query", list(PLAIN))
def test_keyword_total_is_the_brute_force_count(engine, seed_passages, query):
    assert not has_syntax(query)
    expected = {p["chunk_id"] for p in seed_passages if plain_match(p, query)}
    found, total = matched_ids(engine, query)
    assert found == expected and total == len(expected)


def test_weibo_finds_every_passage_containing_it(client, seed_passages):
    expected = {p["chunk_id"] for p in seed_passages if "微博" in p["body"]}
    assert len(expected) == 7
    body = client.get("/api/search", query_string={"q": "微博", "mode": "keyword", "k": 100}).get_json()
    assert body["total"] == 7 and {r["chunk_id"] for r in body["results"]} == expected


def test_every_match_is_reachable_by_offset(client, seed_passages):
    expected = {p["chunk_id"] for p in seed_passages if "公开" in p["body"]}
    assert len(expected) > 100
    seen = []
    for offset in range(0, 200, 25):
        body = client.get("/api/search", query_string={"q": "公开", "mode": "keyword", "k": 25,
                                                       "offset": offset}).get_json()
        assert body["total"] == len(expected)
        seen += [r["chunk_id"] for r in body["results"]]
    assert len(seen) == len(set(seen)) == len(expected) and set(seen) == expected


@pytest.mark.parametrize("query, message", [
    ('"政府信息公开', "引号"), ("(微博 OR 微信", "括号"), ("行政复议 AND", "AND"), ("NOT", "NOT"),
    ("year:去年 微博", "年度"), ("-诉讼", "排除"), ("agency: 微博", "agency"), ("微博 [a TO b]", "范围"),
])
def test_malformed_queries_are_a_400_that_says_why(client, query, message):
    for path in ("/api/search", "/api/export", "/api/compare"):
        r = client.get(path, query_string={"q": query})
        assert r.status_code == 400, (path, query)
        error = r.get_json()["error"]
        assert error["code"] == "invalid_query" and message in error["message"]


def test_a_plain_query_never_reaches_whoosh(engine, monkeypatch):
    from kb.search import ranking as ranking_module

    def fail(*_):
        raise AssertionError("parsed a plain query")

    monkeypatch.setattr(ranking_module, "parse", fail)
    for q in list(PLAIN) + ["哪些机关依申请公开没有收取费用", "2017-2018年的行政复议", "互联网+政务服务", "（一）主动公开"]:
        engine.search(q, mode="keyword")
    with pytest.raises(AssertionError):
        engine.search("微博 OR 微信", mode="keyword")


def test_structured_results_rank_inside_the_set(engine):
    res = engine.search('"政务微博" OR 微信', mode="hybrid", k=5)
    assert res["structured"] and res["results"]
    assert all(("政务微博" in compact(r["text"]) or "微信" in compact(r["text"])) for r in res["results"])
    assert "<mark>" in res["results"][0]["highlight"]
    scores = [r["score"] for r in res["results"]]
    assert scores == sorted(scores, reverse=True)


# -- a synthetic corpus: more documents, agencies, years and levels than the seeds -------------------------
@pytest.fixture(scope="module")
def synth_engine(tmp_path_factory):
    spec = importlib.util.spec_from_file_location("synth", PROJECT_ROOT / "bench" / "synth.py")
    synth = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synth)
    root = tmp_path_factory.mktemp("synth")
    synth.generate(root / "reports", 600, seed=11)
    settings = load_settings(index_dir=root / "index", reports_dir=root / "reports")
    update_knowledge_base(settings)
    return SearchEngine(settings)


SYNTH_CASES = [
    ('"政府信息公开" AND year:[2017 TO 2019]',
     lambda p: has(p, "政府信息公开") and p["year"] is not None and 2017 <= p["year"] <= 2019),
    ("行政复议 NOT 诉讼", lambda p: word(p, "行政复议") and not word(p, "诉讼")),
    ("type:年度报告 AND (微博 OR 微信) -网站", lambda p: doc_type(p, "年度报告") and (word(p, "微博") or word(p, "微信"))
     and not word(p, "网站")),
    ("agency:环境保护局 培训", lambda p: agency(p, "环境保护局") and word(p, "培训")),
    ("level:区县级 \"依申请公开\"", lambda p: "区县级" in p["level"] and has(p, "依申请公开")),
    ("section:保密审查 OR \"保密审查\"", lambda p: section(p, "保密审查") or has(p, "保密审查")),
]


@pytest.mark.parametrize("query, predicate", SYNTH_CASES, ids=[c[0] for c in SYNTH_CASES])
def test_query_language_matches_brute_force_on_a_synthetic_corpus(synth_engine, query, predicate):
    corpus = passages(synth_engine)
    expected = {p["chunk_id"] for p in corpus if predicate(p)}
    assert 0 < len(expected) < len(corpus), query
    found, total = matched_ids(synth_engine, query, "hybrid")
    assert found == expected and total == len(expected)


@pytest.mark.parametrize("query", ["公开", "微博", "行政复议", "政务微博", "网站", "微博 微信", "信息公开申请"])
def test_plain_totals_match_brute_force_on_a_synthetic_corpus(synth_engine, query):
    corpus = passages(synth_engine)
    expected = {p["chunk_id"] for p in corpus if plain_match(p, query)}
    found, total = matched_ids(synth_engine, query)
    assert found == expected and total == len(expected)


def test_sorting_and_filters_on_a_synthetic_corpus(synth_engine):
    from kb.search.filters import Filters

    by_year = synth_engine.search("政府信息公开", mode="keyword", k=50, sort="year")["results"]
    years = [r["year"] for r in by_year]
    assert years == sorted(years, reverse=True) and len(set(years)) > 1
    by_agency = synth_engine.search("政府信息公开", mode="keyword", k=50, sort="agency")["results"]
    assert [r["agency"] for r in by_agency] == sorted(r["agency"] for r in by_agency)
    ranged = synth_engine.search("政府信息公开", mode="keyword", k=100, filters=Filters(year_from=2017, year_to=2018))
    assert ranged["total"] > 0 and {r["year"] for r in ranged["results"]} <= {2017, 2018}
    levels = synth_engine.search("公开", mode="keyword", k=100, filters=Filters(level=["市级"]))
    docs = {d["doc_id"]: d for d in synth_engine.store.documents()}
    assert levels["total"] > 0 and {docs[r["doc_id"]]["level"] for r in levels["results"]} == {"市级"}
    with pytest.raises(SearchError):
        synth_engine.search("公开", sort="random")


def test_api_filters_sort_and_export(client, seed_passages):
    import csv
    import io
    import json

    def search(**params):
        r = client.get("/api/search", query_string=params)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    both = search(q="公开", mode="keyword", k=100, agency=["三门峡", "羅莊"])
    assert {r["agency"] for r in both["results"]} == {"三门峡市人民政府", "罗庄区安全生产监督管理局"}
    years = search(q="公开", mode="keyword", k=100, year="2018-2019")
    assert years["total"] > 0 and {r["year"] for r in years["results"]} == {2018}
    assert search(q="公开", year="2017-2018", mode="keyword")["total"] == search(q="公开", mode="keyword")["total"]
    assert search(q="公开", year_from=2018, mode="keyword")["total"] == years["total"]
    levels = search(q="公开", mode="keyword", level=["省级"], facets=1)
    assert levels["total"] > 0 and {f["value"] for f in levels["facets"]["level"]} >= {"省级", "市级"}
    by_year = search(q="公开", mode="keyword", k=100, sort="year")["results"]
    assert [r["year"] for r in by_year] == sorted((r["year"] for r in by_year), reverse=True)
    inside = search(q="公开", mode="keyword", k=100, doc_id="002_6eecb43df29e7b4f")
    assert inside["total"] == sum(1 for p in seed_passages if p["doc_id"] == "002_6eecb43df29e7b4f" and "公开" in p["body"])
    for bad in ({"year": "去年"}, {"sort": "random"}, {"year_from": 1800}):
        r = client.get("/api/search", query_string={"q": "公开", **bad})
        assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid_parameter"

    params = {"q": "公开", "mode": "keyword", "sort": "agency", "agency": "三门峡"}
    total = search(**params)["total"]
    raw = client.get("/api/export", query_string=params).data
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == total > 10 and [r["名次 rank"] for r in rows] == [str(i) for i in range(1, total + 1)]
    exported = json.loads(client.get("/api/export", query_string=params | {"format": "json"}).data)
    assert exported["total"] == total and [r["chunk_id"] for r in exported["results"]] == \
        [int(r["段落 chunk_id"]) for r in rows]
    structured = client.get("/api/export", query_string={"q": "微博 OR 微信", "format": "json"}).data
    assert json.loads(structured)["total"] == sum(1 for p in seed_passages if "微博" in p["body"] or "微信" in p["body"])


def test_compare_counts_the_agencies_that_use_the_words(client, seed_passages):
    for topic in ("微博", "公众号", "保密审查"):
        expected = {p["agency"] for p in seed_passages if compact(topic) in p["body"]}
        body = client.get("/api/compare", query_string={"q": topic}).get_json()
        assert {a["agency"] for a in body["agencies"]} == expected, topic
    english = client.get("/api/compare", query_string={"q": "lawsuits dismissed"}).get_json()
    assert english["agencies"]  # no passage has the words: the semantic ranking decides
