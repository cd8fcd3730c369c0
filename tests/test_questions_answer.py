"""Answers from the figures on the seeds, one kind at a time; the figure choice, the facts table and the CSV."""
from __future__ import annotations

import csv
import io
import json
import shutil

import pytest

from kb.pipeline import process_report
from kb.questions import answer_question
from kb.questions.figures import choose_figures, figures_csv
from kb.questions.table import TableFilters, facts_table
from kb.search.filters import Filters
from kb.store import Store


@pytest.fixture(scope="module")
def store(kb_settings):
    return Store(kb_settings.db_path)


def names(answer) -> list[str]:
    """The agencies of an answer, by their first two characters, in answer order without repeats."""
    return list(dict.fromkeys(r["agency"][:2] for r in answer["rows"]))


def test_every_row_carries_its_evidence(store):
    a = answer_question("哪些机关依申请公开没有收取费用", store)
    assert sorted(names(a)) == ["三门", "哈尔", "湖南", "罗庄"] and a["missing"][0]["agency"].startswith("珠海")
    for r in a["rows"]:
        doc = store.document(r["doc_id"])
        assert doc["text"][r["start"]:r["end"]] == r["text"] and r["url"].startswith(f"/documents/{r['doc_id']}?")


@pytest.mark.parametrize("question", ["哪些部门全年零申请", "哪些部門全年零申請", "信息公开申请为零的单位",
                                      "Which agencies received no information requests?"])
def test_list(store, question):
    a = answer_question(question, store)
    assert a["kind"] == "list" and names(a) == ["罗庄"] and a["value"] is None
    assert a["label"] == "依申请公开申请（收到/受理/处理） 等于 0 的机关" or "等于 0" in a["label"]


def area_names(answer) -> list[str]:
    return [r["agency"][:2] for r in answer["area_rows"]]


def test_top_most_least_and_first_n(store):
    # 三门峡's figures are its whole city's (全市政府系统): a ranking of agencies shows them apart, unranked
    most = answer_question("哪个单位被起诉的次数最多", store)
    assert most["kind"] == "top" and names(most) == ["湖南"] and most["rows"][0]["value"] == 1
    assert area_names(most) == ["三门"] and most["area_rows"][0]["value"] == 7 and any("未参加排名" in n for n in most["notes"])
    least = answer_question("主动公开最少的单位是哪个", store)
    assert names(least) == ["罗庄"] and least["rows"][0]["value"] == 57
    first_two = answer_question("主动公开数量排名前两位的机关", store)
    assert names(first_two) == ["哈尔", "罗庄"] and area_names(first_two) == ["三门"]
    # conditions narrow the ranking; the ranked figure must be stated whatever they are joined by
    either = answer_question("有行政复议或行政诉讼的机关中哪个主动公开最多", store)
    assert names(either) == [] and area_names(either) == ["三门"]
    assert names(answer_question("没有行政复议的机关中哪个主动公开最多", store)) == ["哈尔"]
    ranking = answer_question("各机关依申请公开数量排名", store)
    assert names(ranking) == ["湖南", "哈尔", "罗庄"] and "从多到少" in ranking["label"]
    # ties with the last place stand too: two agencies with 0 lawsuits share the bottom
    assert sorted(names(answer_question("被起诉次数最少的单位", store))) == ["哈尔", "罗庄"]


def test_total_is_approximate_where_a_figure_is(store):
    # the seeds report 2017 and 2018: a total without a year is one total per year, never one sum across years
    a = answer_question("一共收到多少件依申请公开申请", store)
    assert a["kind"] == "total" and a["value"] is None and a["approx"] is True
    assert a["totals_by_year"] == [{"year": 2017, "value": 172 + 80, "approx": True, "agencies": 2},
                                   {"year": 2018, "value": 8 + 0, "approx": False, "agencies": 2}]
    hunan = next(r for r in a["rows"] if r["agency"].startswith("湖南"))
    assert hunan["approx"] and hunan["value"] == 80 and "80余" in hunan["text"].replace(" ", "")
    assert [m["agency"][:2] for m in a["missing"]] == ["珠海"] and any("约数" in n for n in a["notes"])
    assert any("不跨年度相加" in n for n in a["notes"])
    sued = answer_question("四个机关合计被起诉多少次", store)
    assert [t["value"] for t in sued["totals_by_year"]] == [8, 0] and sued["approx"] is False and len(sued["rows"]) == 4
    assert answer_question("How many lawsuits were there in total?", store)["value"] is None
    one_year = answer_question("2017年一共收到多少件依申请公开申请", store)
    assert one_year["value"] == 252 and one_year["totals_by_year"] is None


def test_count(store):
    a = answer_question("多少个单位没有被起诉", store)
    assert a["kind"] == "count" and a["value"] == 2 and sorted(names(a)) == ["哈尔", "罗庄"]
    # 三门峡's 7 lawsuits are its whole city's (全市政府系统): counted apart from the agencies' own
    sued = answer_question("how many agencies were sued?", store)
    assert sued["value"] == 1 and names(sued) == ["湖南"] and area_names(sued) == ["三门"]
    assert any("未参加计数" in n for n in sued["notes"])


def test_a_list_names_area_wide_figures_after_the_agencies_own(store):
    a = answer_question("哪些机关被起诉过", store)
    assert [r["agency"][:2] for r in a["rows"]] == ["湖南", "三门"] and a["rows"][-1]["scope"] == "area"
    assert a["area_rows"] == [] and any("全地区" in n for n in a["notes"])


def test_compare_years(store):
    a = answer_question("2017年和2018年相比各机关依申请公开数量的变化", store)
    assert a["kind"] == "compare" and a["compare_years"] == [2017, 2018]
    series = {s["agency"][:2]: s for s in a["series"]}
    assert series["三门"]["values"] == {"2017": 172, "2018": None} and series["三门"]["change"] is None
    assert set(series) == {"三门", "哈尔", "湖南", "罗庄"}


@pytest.mark.parametrize("question, expected", [
    ("省级机关中哪些被起诉了", ["湖南"]),
    ("区县级单位里哪些没有收到申请", ["罗庄"]),
    ("市级机关中哪些没有行政复议", ["哈尔"]),
    ("山东的机关哪些没有行政复议", ["罗庄"]),
    ("Which agencies in Henan had lawsuits?", ["三门"]),
    ("2017年哪些机关没有收费", ["三门", "湖南"]),
    ("2018年以来哪些单位没有被起诉", ["哈尔", "罗庄"]),
    ("安监局中哪些没有收到申请", ["罗庄"]),
    ("哪些市政府主动公开超过一千条", ["三门"]),
])
def test_group(store, question, expected):
    assert sorted(names(answer_question(question, store))) == expected


def test_group_total(store):
    # 三门峡 (河南) and 湖南 both report 2017: one year, one sum
    assert answer_question("河南和湖南的机关一共被起诉多少次", store)["value"] == 8
    assert [t["value"] for t in answer_question("市级机关的行政复议合计多少件", store)["totals_by_year"]] == [8, 0]


@pytest.mark.parametrize("question, expected", [
    ("哪些机关有行政诉讼却没有行政复议", ["湖南"]),
    ("which agencies had lawsuits but no administrative reviews", ["湖南"]),
    ("既没有行政复议也没有行政诉讼的机关", ["哈尔", "罗庄"]),
    ("行政复议和行政诉讼都为零的单位", ["哈尔", "罗庄"]),
    ("有行政复议或行政诉讼的机关", ["三门", "湖南"]),
    ("哪些机关主动公开超过500条并且没有被起诉", ["哈尔"]),
    ("哪些机关的行政复议超过五件且行政诉讼为零", []),
])
def test_combined_conditions(store, question, expected):
    a = answer_question(question, store)
    assert sorted(names(a)) == expected
    metrics = {c["metric"] for c in a["conditions"]}
    assert {r["metric"] for r in a["rows"]} <= metrics and len(metrics) == 2


def test_combined_answer_shows_each_condition_with_its_evidence(store):
    rows = answer_question("哪些机关有行政诉讼却没有行政复议", store)["rows"]
    assert {(r["metric"], r["value"]) for r in rows} == {("lawsuits", 1), ("admin_reviews", 0)}
    assert all(r["text"] for r in rows)


def test_not_stated(store):
    a = answer_question("哪些机关未披露依申请数量", store)
    assert names(a) == ["珠海"] and a["rows"][0]["value"] is None
    assert a["rows"][0]["doc_id"].startswith("004_") and a["conditions"][0]["op"] == "missing"
    assert sorted(names(answer_question("哪些单位没有披露主动公开数量", store))) == ["湖南", "珠海"]


def test_search_filters_narrow_the_answer(store):
    a = answer_question("哪些机关没有被起诉", store, Filters(year_from=2018, year_to=2018))
    assert sorted(names(a)) == ["哈尔", "罗庄"]
    assert names(answer_question("哪些机关没有被起诉", store, Filters(region="黑龙江"))) == ["哈尔"]


def test_facts_page_takes_the_question(client):
    html = client.get("/facts", query_string={"q": "哪些机关有行政诉讼却没有行政复议"}).data.decode()
    assert "按问题筛选" in html and html.count('<td data-label="机关"') == 1 and "湖南省安全生產監督管理局" in html
    assert "不是关于报告数据的问题" in client.get("/facts", query_string={"q": "政务微博"}).data.decode()
    assert client.get("/facts", query_string={"metric": "nonsense"}).status_code == 400
    r = client.get("/facts.csv", query_string={"year_from": 2018, "year_to": 2018})
    assert r.headers["Content-Type"] == "text/csv; charset=utf-8" and r.data.startswith("\ufeff".encode())
    assert "三门峡" not in r.data.decode("utf-8-sig") and "罗庄区" in r.data.decode("utf-8-sig")


def test_ordinary_search_gets_no_answer(store):
    for q in ("行政复议", "三门峡因政府信息公开发生了几件行政复议", "哪些信息应当主动公开", "政務微博微信建設"):
        assert answer_question(q, store) is None


def test_total_over_different_scopes_says_so(store):
    # 三门峡 states its reviews for the whole city government (全市政府系统…8件行政复议): an area's figure.
    a = answer_question("2017年四个机关合计发生多少件行政复议", store)
    assert a["value"] == 8 and a["mixed_scope"] is True and a["scopes"] == ["agency", "area"]
    assert any("口径不同" in n for n in a["notes"])
    assert next(r for r in a["rows"] if r["agency"].startswith("三门"))["scope"] == "area"
    same = answer_question("区县级单位的行政诉讼合计多少件", store)
    assert same["mixed_scope"] is False


@pytest.fixture
def two_year_store(kb_settings, tmp_path):
    """The seed store plus a second year of 罗庄区安监局 (a report written for this test)."""
    shutil.copy(kb_settings.db_path, tmp_path / "kb.sqlite3")
    report = tmp_path / "luozhuang_2019.txt"
    report.write_text("罗庄区安全生产监督管理局2019年政府信息公开工作年度报告\n一、概述\n"
                      "2019年,安监局主动公开政府信息共60条。2019年,安监局共收到政务信息公开申请3件。\n"
                      "2019年,安监局未收到因信息公开提起的行政复议、行政诉讼。\n", encoding="utf-8")
    store = Store(tmp_path / "kb.sqlite3")
    store.put_document(process_report(report, 160))
    return store


def test_compare_shows_the_change_of_one_agency(two_year_store):
    a = answer_question("2018年和2019年相比各机关依申请公开数量的变化", two_year_store)
    luozhuang = next(s for s in a["series"] if s["agency"].startswith("罗庄"))
    assert luozhuang["values"] == {"2018": 0, "2019": 3} and luozhuang["change"] == 3


def test_facts_table_year_over_year_sort_and_totals(two_year_store):
    table = facts_table(two_year_store, TableFilters(metrics=("requests_received", "proactive_disclosed")),
                        sort="proactive_disclosed", order="desc")
    assert table.year_over_year
    assert [(r.agency[:2], r.year) for r in table.rows][:2] == [("三门", 2017), ("哈尔", 2018)]
    assert (table.rows[-1].agency[:2], table.rows[-1].cells["proactive_disclosed"]) == ("珠海", None)  # none: last
    row_2019 = next(r for r in table.rows if r.year == 2019)
    assert row_2019.previous_year == 2018 and row_2019.changes == {"requests_received": 3, "proactive_disclosed": 3}
    # three reporting years: one total per year, never one sum across them
    totals = table.totals["requests_received"]
    assert totals["value"] is None and totals["approx"]
    assert [(t["year"], t["value"]) for t in totals["by_year"]] == [(2017, 252), (2018, 8), (2019, 3)]
    only_2018 = facts_table(two_year_store, TableFilters(year_from=2018, year_to=2018))
    assert {r.year for r in only_2018.rows} == {2018} and not only_2018.year_over_year


def fact(**kw):
    base = {"metric": "lawsuits", "value": 1.0, "unit": "件", "approx": False, "scope": "agency", "agency": "A局",
            "year": 2020, "level": "市级", "region": "某省 某市", "doc_id": "d1", "doc_type": "annual_report",
            "start": 10, "end": 20, "text": "行政诉讼1件。"}
    return base | kw


def test_the_figure_that_stands():
    chosen = choose_figures([fact(doc_id="d2", doc_type="work_plan", value=9.0), fact(start=50, value=2.0),
                             fact(start=30, scope="area", value=7.0), fact(start=40)])
    f = chosen[("A局", 2020, "lawsuits")]
    assert (f.doc_id, f.start, f.value) == ("d1", 40, 1.0)   # annual report, own figure, first statement
    assert f.statements == 4 and f.disagree


def test_csv_opens_right_in_excel(store):
    table = facts_table(store, TableFilters())
    text = figures_csv(table.evidence, "http://kb.example")
    assert text.startswith("\ufeff") and "\ufeff" not in text[1:]
    rows = list(csv.reader(io.StringIO(text[1:])))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["指标 metric", "指标名称 metric_label", "机关 agency"]
    col = {h.split()[-1]: i for i, h in enumerate(header)}
    keys = [(r[col["agency"]], r[col["year"]], r[col["metric"]]) for r in body]
    assert len(keys) == len(set(keys)) == len(table.evidence)   # one row per agency x year x metric
    harbin = [r for r in body if r[col["agency"]].startswith("哈尔滨") and r[col["metric"]] == "requests_received"]
    assert len(harbin) == 1   # stated twice in the report, once in the export
    assert {r[col["approx"]] for r in body} == {"是", "否"}
    assert all(r[col["value"]].isdigit() for r in body)          # 172, not 172.0
    hunan = next(r for r in body if r[col["agency"]].startswith("湖南") and r[col["metric"]] == "requests_received")
    assert hunan[col["value"]] == "80" and hunan[col["approx"]] == "是"
    doc = store.document(hunan[col["doc_id"]])
    assert doc["text"][int(hunan[col["start"]]):int(hunan[col["end"]])] == hunan[col["text"]]
    assert hunan[col["url"]].startswith("http://kb.example/documents/")


@pytest.mark.parametrize("question", ["哪些机关依申请公开没有收取费用", "哪个单位被起诉的次数最多", "一共收到多少件依申请公开申请",
                                      "多少个单位没有被起诉", "2017年和2018年相比各机关依申请公开数量的变化",
                                      "哪些机关未披露依申请数量", "哪些机关有行政诉讼却没有行政复议"])
def test_api_answer_follows_its_openapi_schema(client, question):
    from openapi_schema_validator import OAS30Validator
    from referencing import Registry, Resource

    spec = client.get("/api/openapi.json").get_json()
    registry = Registry().with_resource("urn:spec", Resource.opaque(spec))
    schema = {"$ref": "urn:spec#/components/schemas/Answer"}
    body = client.get("/api/search", query_string={"q": question, "k": 1, "mode": "keyword"}).get_json()
    assert body["answer"] is not None and body["answer"]["label"]
    OAS30Validator(schema, registry=registry).validate(body["answer"])
    assert body["answer"]["facts_url"].startswith("/facts?q=")


def test_cli_prints_the_answer_and_the_facts(kb_settings):
    from click.testing import CliRunner

    from kb.cli import main

    env = {"KB_INDEX_DIR": str(kb_settings.index_dir), "KB_REPORTS_DIR": str(kb_settings.reports_dir)}
    out = CliRunner().invoke(main, ["search", "四个机关合计被起诉多少次", "--k", "1"], env=env).output
    assert "answer (total)" in out and "2017: = 8" in out and "三门峡市人民政府" in out
    as_json = CliRunner().invoke(main, ["search", "哪些部门全年零申请", "--k", "1", "--json"], env=env).output
    assert json.loads(as_json)["answer"]["rows"][0]["agency"] == "罗庄区安全生产监督管理局"
    facts = CliRunner().invoke(main, ["facts", "-q", "哪些机关有行政诉讼却没有行政复议", "--csv"], env=env).output
    assert facts.startswith("\ufeff") and "湖南省安全生產監督管理局" in facts and "三门峡" not in facts
