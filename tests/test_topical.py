"""Topical search over the seeds + ../shared/real (issue 18): counts that count matches, names that are
names, pages spread over reports. Expected terms are written out by hand; the engine's are not reused."""
from __future__ import annotations

import csv
import io
from collections import Counter

import pytest

from kb.text import compact

# query -> the words a passage must all contain (each a substring of the compacted, simplified passage):
# one term, several terms, traditional script, mixed scripts and Latin, a long phrase by its words.
COUNTED = {
    "微博": ["微博"], "政务微博": ["政务微博"], "公众号": ["公众号"], "保密审查": ["保密审查"],
    "舆情回应": ["舆情回应"], "政府公报": ["政府公报"], "新闻发布会": ["新闻发布会"],
    "咨询电话 投诉": ["咨询电话", "投诉"], "国家秘密 不予公开": ["国家秘密", "不予公开"],
    "当面申请 信函申请": ["当面申请", "信函申请"], "微博 微信 网站": ["微博", "微信", "网站"],
    "政務微博": ["政务微博"], "依申請公開": ["依申请公开"], "政務公開 考核": ["政务公开", "考核"],
    "微博 12345": ["微博", "12345"], "app 政务": ["app", "政务"], "政府信息公开目录编制": ["政府", "信息公开目录", "编制"],
    "工作人员业务培训": ["工作人员", "业务培训"], "qwertyuiop": ["qwertyuiop"], "量子纠缠超导体": ["量子", "纠缠", "超导体"],
}
GENERIC = {"机关", "政府", "单位", "部门", "信息", "政务", "机构", "服务", "人民", "人民政府", "公开", "工作", "管理",
           "办公室", "街道", "办事处", "委员会", "中心", "民政", "国家", "政务服务"}
NAMELESS = ["政务微博", "信息公开业务培训", "浙江省各机关主动公开政府信息合计", "政务微信", "新媒体发布信息",
            "依申请公开不收取费用", "信息公开工作机构和人员配备", "信息发布保密审查", "重要政策解读", "召开新闻发布会",
            "网站建设存在的问题", "行政诉讼败诉", "申请答复期限", "三公经费公开", "建议提案办理", "政府信息公开目录编制",
            "工作人员业务培训", "一网通办 政务服务", "咨询电话 投诉", "国家秘密 不予公开", "当面申请 信函申请",
            "下一步工作打算", "政务公开考核评议", "公众参与 征求意见", "舆情回应", "政務公開工作要點", "乡镇政务公开",
            "政府公报", "机关单位部门的政务服务", "人民政府办公室信息公开", "街道办事处政务公开", "服务机构信息公开",
            "政务服务中心办事指南", "国务院部门政务公开"]


@pytest.fixture(scope="module")
def passages(real_engine):
    return [c | {"body": compact(c["text"])} for c in real_engine.store.iter_chunks()]


def brute_count(passages, terms):
    return sum(all(t in p["body"] for t in terms) for p in passages)


def test_the_counted_queries_are_not_trivial(passages):
    counts = [brute_count(passages, terms) for terms in COUNTED.values()]
    assert sum(0 < n < len(passages) // 2 for n in counts) >= 14, counts
    assert sum(n == 0 for n in counts) >= 2


@pytest.mark.parametrize("query", list(COUNTED))
def test_total_is_the_count_of_passages_with_every_term(real_engine, passages, query):
    expected = brute_count(passages, COUNTED[query])
    for mode in ("hybrid", "keyword"):
        res = real_engine.search(query, mode=mode, k=100)
        assert res["total"] == expected, (query, mode)
        assert sum(r["match"] for r in res["results"]) == min(expected, 100)
        # every match comes before every related passage, and a related one lacks a term
        flags = [r["match"] for r in res["results"]]
        assert flags == sorted(flags, reverse=True)
        assert all(not all(t in compact(r["text"]) for t in COUNTED[query]) for r in res["results"] if not r["match"])


@pytest.mark.parametrize("query", ["微博", "公众号", "政府公报", "舆情回应"])
def test_a_query_of_one_term_ranks_every_passage_containing_it_first(real_engine, passages, query):
    expected = {p["chunk_id"] for p in passages if compact(query) in p["body"]}
    assert expected
    res = real_engine.search(query, mode="hybrid", k=len(expected) + 5)
    first = [r["chunk_id"] for r in res["results"][:len(expected)]]
    assert set(first) == expected
    assert all(not r["match"] for r in res["results"][len(expected):])


@pytest.mark.parametrize("query", ["qwertyuiop", "量子纠缠超导体"])
def test_gibberish_counts_nothing(real_engine, client_real, query):
    for mode in ("hybrid", "keyword"):
        res = real_engine.search(query, mode=mode, k=10, facets=True)
        assert res["total"] == 0 and all(not r["match"] for r in res["results"])
        assert all(f == [] for f in res["facets"].values())
    page = client_real.get("/", query_string={"q": query}).get_data(as_text=True)
    assert f"未找到包含“{query}”的段落" in page


@pytest.fixture(scope="module")
def client_real(real_engine):
    from web import create_app

    return create_app({"KB_SETTINGS": real_engine.settings, "TESTING": True}).test_client()


@pytest.mark.parametrize("query", ["微博", "政务微博", "政务公开", "政務公開 考核"])
def test_export_rows_are_the_total(client_real, query):
    total = client_real.get("/api/search", query_string={"q": query}).get_json()["total"]
    assert total > 0
    r = client_real.get("/api/export", query_string={"q": query, "format": "csv"})
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) - 1 == total, query
    body = client_real.get("/api/export", query_string={"q": query, "format": "json"}).get_json()
    assert body["total"] == len(body["results"]) == total


def test_names_are_never_generic_words(real_engine):
    for query in NAMELESS:
        names = real_engine.search(query, k=1)["understood"].get("names", [])
        assert not set(names) & GENERIC, (query, names)
    assert len(NAMELESS) >= 30


def test_a_level_picks_the_reports_of_that_level(real_engine, passages):
    """乡镇 names a level of government: its reports' passages about 政务公开 match (as a named agency's do)
    and come first; the query stays topical (spread over reports) and 乡镇 is no name."""
    levels = {d["doc_id"]: d["level"] for d in real_engine.store.documents()}
    for query, word in (("乡镇政务公开", "乡镇"), ("街道办事处政务公开", "街道办事处")):
        res = real_engine.search(query, mode="hybrid", k=100)
        assert res["understood"]["levels"] == ["乡镇级"] and res["understood"]["names"] == []
        assert res["understood"]["topical"]
        expected = {p["chunk_id"] for p in passages
                    if "政务公开" in p["body"] and (levels[p["doc_id"]] == "乡镇级" or word in p["body"])}
        assert any(levels[p["doc_id"]] == "乡镇级" and p["chunk_id"] in expected for p in passages)
        assert res["total"] == len(expected) < 100
        assert {r["chunk_id"] for r in res["results"] if r["match"]} == expected
        assert len({r["doc_id"] for r in res["results"][:10]}) >= 3  # still spread over reports
        assert levels[res["results"][0]["doc_id"]] == "乡镇级"
    assert real_engine.search("国务院部门政务公开", k=1)["understood"]["levels"] == ["国家级"]
    for query in ("贯彻党中央决策部署", "社区级网格化管理"):  # 中央 inside 党中央, 区级 inside 社区级: no level
        assert "levels" not in real_engine.search(query, k=1)["understood"]


def test_real_names_still_name_reports(real_engine):
    res = real_engine.search("三门峡市2017年主动公开政府信息多少条", k=5)
    assert {"三门峡", "2017"} <= set(res["understood"]["names"]) and not res["understood"]["topical"]
    assert res["results"][0]["agency"] == "三门峡市人民政府"
    assert "浙江" in real_engine.search("浙江省各机关主动公开政府信息合计", k=1)["understood"]["names"]
    assert real_engine.search("政务微博", k=1)["understood"]["topical"]


@pytest.mark.parametrize("query", ["政务公开", "依申请公开", "政策解读", "主动公开政府信息", "信息公开", "培训",
                                   "新媒体", "公众参与"])
def test_a_topical_page_holds_at_most_three_passages_of_one_report(real_engine, query):
    res = real_engine.search(query, mode="hybrid", k=100)
    matching_reports = {r["doc_id"] for r in res["results"] if r["match"]}
    assert len(matching_reports) >= 4
    for k, offset in ((10, 0), (10, 10), (5, 3), (10, 5)):
        page = real_engine.search(query, mode="hybrid", k=k, offset=offset)["results"]
        per_report = Counter(r["doc_id"] for r in page)
        if offset + k <= res["total"]:
            assert max(per_report.values()) <= 3, (query, k, offset, per_report)


def spread_by_definition(order, docs, group, page, cap, depth):
    """At each position the first pending passage of the first pending one's group whose report is under the
    cap in the window of the last `page` positions; else the first pending one."""
    head = min(len(order), depth)
    pending, placed = list(range(head)), []
    while pending:
        in_window = Counter(docs[i] for i in placed[-(page - 1):]) if page > 1 else Counter()
        pick = next((j for j, i in enumerate(pending)
                     if group[i] == group[pending[0]] and in_window[docs[i]] < cap), 0)
        placed.append(pending.pop(pick))
    return list(order[placed]) + list(order[head:])


def test_spread_is_its_definition_and_fast_with_one_dominant_report():
    import time

    import numpy as np

    from kb.search.ranking import spread

    rng = np.random.default_rng(7)
    for _ in range(300):
        n = int(rng.integers(0, 60))
        docs = rng.integers(0, int(rng.integers(1, 8)), n)
        group = np.sort(rng.integers(0, 2, n)).astype(np.int8)
        order = rng.permutation(n)
        page, cap, depth = int(rng.integers(1, 12)), int(rng.integers(1, 4)), int(rng.integers(1, 70))
        assert list(spread(order, docs, group, page, cap, depth)) == \
            spread_by_definition(order, docs, group, page, cap, depth)
    # 2,000 passages of one report and a few of others: linear, not quadratic, in the depth
    docs = np.zeros(50_000, dtype=np.int64)
    docs[::500] = np.arange(1, 101)
    started = time.perf_counter()
    spread(np.arange(50_000), docs, np.zeros(50_000, dtype=np.int8), 10, 3, 2000)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize("word", ["政务", "安监", "统计", "商务"])
def test_coverage_counts_a_word_only_outside_the_passages_agency_name(real_engine, word):
    """A passage holds a word for the coverage signal when it is there once the agency's own names are
    taken out (brute force here, with the names written out from the catalog's agency)."""
    import numpy as np

    from kb.report.agency import abbreviate
    from kb.search.coverage import coverage, query_words

    assert query_words(word) == [word]  # one word: coverage is 0 or 1
    indexes = real_engine.indexes
    catalog, keyword = indexes.catalog, indexes.keyword
    rows = np.arange(catalog.size)
    expected = []
    for row in rows.tolist():
        text = keyword.texts[row]
        agency = catalog.docs[catalog.row_doc[row]]["agency"] or ""
        for name in sorted({compact(agency), compact(abbreviate(agency))} - {""}, key=len, reverse=True):
            text = text.replace(name, " ")
        expected.append(1.0 if word in text else 0.0)
    got = coverage(keyword, catalog, word, rows)
    assert got.tolist() == expected
    assert 0 < sum(expected) < len(expected)


def test_coverage_is_1_for_a_passage_with_every_word_and_0_for_one_with_none(real_engine, passages):
    import numpy as np

    from kb.search.coverage import coverage, query_words

    words = ["乡镇", "政务", "公开"]  # 政务公开 counts through its parts, once
    assert query_words("乡镇 政务公开") == words
    indexes = real_engine.indexes
    assert [p["chunk_id"] for p in passages] == indexes.catalog.chunk_ids.tolist()
    got = coverage(indexes.keyword, indexes.catalog, "乡镇 政务公开", np.arange(indexes.catalog.size))
    held = np.array([[w in p["body"] for w in words] for p in passages])
    # a word inside the passage's agency name does not count, so only "at most" for the partial ones
    assert held.all(axis=1).any() and (got[~held.any(axis=1)] == 0.0).all()
    assert (got[held.all(axis=1)] > got[held.any(axis=1) & ~held.all(axis=1)].max()).mean() > 0.9
    assert ((got > 0) & (got < 1)).any() and (got <= 1.0).all()
