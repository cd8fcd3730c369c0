"""The JSON API through the Flask test client: every endpoint, bad input, escaping, OpenAPI, fuzzing."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from openapi_spec_validator import validate

from kb.report.facts import METRICS
from kb.text import compact


def error_of(response):
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return body["error"]


def test_health(client):
    body = client.get("/api/health").get_json()
    assert body["status"] == "ok" and body["documents"] == 5 and body["chunks"] > 100
    assert body["model"] == "use-multilingual-v3"


def test_search_shape(client):
    r = client.get("/api/search", query_string={"q": "行政复议", "k": 3})
    assert r.status_code == 200 and r.content_type.startswith("application/json")
    body = r.get_json()
    assert set(body) >= {"query", "mode", "took_ms", "total", "results", "answer"}
    assert body["answer"] is None and body["mode"] == "hybrid" and len(body["results"]) == 3
    first = body["results"][0]
    assert set(first) >= {"rank", "score", "scores", "doc_id", "chunk_id", "title", "agency", "region", "year",
                          "doc_type", "section", "text", "highlight", "start", "end", "url"}
    assert set(first["scores"]) == {"keyword", "semantic"}
    doc = client.get(f"/api/documents/{first['doc_id']}").get_json()
    assert doc["text"][first["start"]:first["end"]] == first["text"]
    assert "<mark>" in first["highlight"]
    assert "行政复议".encode() in r.data  # UTF-8, not \\u escapes


def test_search_answer_and_filters_and_pages(client):
    body = client.get("/api/search", query_string={"q": "哪些机关依申请公开没有收取费用"}).get_json()
    assert body["answer"]["metric"] == "fees_charged" and len(body["answer"]["rows"]) == 4
    page1 = client.get("/api/search", query_string={"q": "公开", "k": 5}).get_json()
    page2 = client.get("/api/search", query_string={"q": "公开", "k": 5, "offset": 5}).get_json()
    assert [r["rank"] for r in page2["results"]] == [6, 7, 8, 9, 10]
    assert not {r["chunk_id"] for r in page1["results"]} & {r["chunk_id"] for r in page2["results"]}
    filtered = client.get("/api/search", query_string={"q": "公开", "agency": "哈尔滨", "year": 2018}).get_json()
    assert {r["agency"] for r in filtered["results"]} == {"哈尔滨市安全生产监督管理局"}
    facets = client.get("/api/search", query_string={"q": "微信", "facets": 1}).get_json()["facets"]
    assert set(facets) == {"agency", "year", "region", "level", "doc_type"} and facets["agency"][0]["count"] > 0


@pytest.mark.parametrize("query, code", [
    ({}, "missing_parameter"), ({"q": ""}, "missing_parameter"), ({"q": "x" * 501}, "invalid_parameter"),
    ({"q": "x", "k": 0}, "invalid_parameter"), ({"q": "x", "k": 101}, "invalid_parameter"),
    ({"q": "x", "k": "ten"}, "invalid_parameter"), ({"q": "x", "mode": "fuzzy"}, "invalid_parameter"),
    ({"q": "x", "year": "last"}, "invalid_parameter"), ({"q": "x", "offset": -1}, "invalid_parameter"),
])
def test_search_bad_input_is_a_400(client, query, code):
    r = client.get("/api/search", query_string=query)
    assert r.status_code == 400
    assert error_of(r)["code"] == code


def test_documents(client):
    docs = client.get("/api/documents").get_json()["documents"]
    assert len(docs) == 5 and {"doc_id", "title", "agency", "year", "doc_type"} <= set(docs[0])
    one = client.get("/api/documents/002_6eecb43df29e7b4f").get_json()
    assert one["agency"] == "三门峡市人民政府" and one["sections"][1]["title"] == "概述"
    for bad in ("nope", "..%2F..%2Fetc%2Fpasswd", "000_596e1eebe5f5a48f.txt"):
        r = client.get(f"/api/documents/{bad}")
        assert r.status_code == 404 and error_of(r)["code"] == "not_found"


def test_facts(client):
    body = client.get("/api/facts", query_string={"metric": "lawsuits"}).get_json()
    assert {(f["agency"][:2], f["value"]) for f in body["facts"]} == {("湖南", 1), ("罗庄", 0), ("三门", 7), ("哈尔", 0)}
    assert client.get("/api/facts", query_string={"agency": "三门峡", "year": 2017}).get_json()["facts"]
    assert client.get("/api/facts", query_string={"metric": "nonsense"}).status_code == 400
    csv_text = client.get("/api/facts", query_string={"format": "csv"}).data.decode("utf-8")
    assert csv_text.startswith("\ufeff指标 metric,") and "三门峡市人民政府" in csv_text
    assert client.get("/api/facts", query_string={"format": "xml"}).status_code == 400


def test_compare(client):
    body = client.get("/api/compare", query_string={"q": "微信", "k": 2}).get_json()
    assert len(body["agencies"]) >= 3 and body["matched"]
    for a in body["agencies"]:
        assert 1 <= len(a["results"]) <= 2 and all(r["agency"] == a["agency"] for r in a["results"])
        assert all("微信" in compact(r["text"]) and r["match"] for r in a["results"])
    named = [a["agency"] for a in body["agencies"]]
    assert len(set(named)) == len(named)
    # coverage: the agencies that mention it, of all; the others listed apart
    assert body["coverage"] == {"mention": len(named), "of": len(named) + len(body["silent_agencies"])}
    assert not set(named) & set(body["silent_agencies"])
    assert client.get("/api/compare").status_code == 400
    assert client.get("/api/compare", query_string={"q": "x", "k": 50}).status_code == 400


def test_compare_filters_and_csv(client):
    body = client.get("/api/compare", query_string={"q": "微信", "level": "市级"}).get_json()
    assert body["agencies"] and all(a["level"] == "市级" for a in body["agencies"])
    r = client.get("/api/compare", query_string={"q": "微信", "k": 2, "format": "csv"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    text = r.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    full = client.get("/api/compare", query_string={"q": "微信", "k": 2}).get_json()
    assert len([x for x in rows if x["提到 mentions"] == "是"]) == sum(len(a["results"]) for a in full["agencies"])
    assert {x["机关 agency"] for x in rows if x["提到 mentions"] == "否"} == set(full["silent_agencies"])
    assert all(x["链接 url"].startswith("http") for x in rows if x["提到 mentions"] == "是")


def test_similar_passages_come_from_other_agencies(client):
    hit = client.get("/api/search", query_string={"q": "政务微博", "k": 1}).get_json()["results"][0]
    body = client.get("/api/similar", query_string={"chunk_id": hit["chunk_id"], "k": 3}).get_json()
    agencies = [r["agency"] for r in body["results"]]
    assert 1 <= len(agencies) <= 3 and len(set(agencies)) == len(agencies) and hit["agency"] not in agencies
    assert all(compact(r["text"]) != compact(hit["text"]) for r in body["results"])
    assert client.get("/api/similar").status_code == 400
    assert client.get("/api/similar", query_string={"chunk_id": 10**9}).status_code == 404


def test_unknown_api_path_and_method(client):
    assert error_of(client.get("/api/nothing"))["code"] == "not_found"
    r = client.post("/api/search", data={"q": "x"})
    assert r.status_code == 405 and error_of(r)


def test_no_cors_unless_configured(client):
    # KB_CORS_ORIGINS (tests/test_hardening_web.py) opens the API to other origins; by default none.
    r = client.get("/api/health", headers={"Origin": "https://example.org"})
    assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers


@pytest.mark.parametrize("payload", ['<script>alert("x")</script>', '"><img src=x onerror=alert(1)>'])
def test_user_text_is_escaped_everywhere(client, payload):
    for url in ("/", "/compare"):
        html = client.get(url, query_string={"q": payload}).data.decode("utf-8")
        assert payload not in html and "&lt;" in html
    response = client.get("/api/search", query_string={"q": payload})
    assert response.status_code in (200, 400)  # quotes make it a (possibly malformed) structured query
    for r in response.get_json().get("results", []):
        assert "<script" not in r["highlight"] and "<img" not in r["highlight"]


def test_openapi_document_validates(app, client):
    spec = client.get("/api/openapi.json").get_json()
    validate(spec)
    # every route of the API is described, and nothing else (<doc_id> is written {doc_id} in OpenAPI)
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/")}
    assert routes and set(spec["paths"]) == routes
    assert set(spec["paths"]["/api/facts"]["get"]["parameters"][0]["schema"]["items"]["enum"]) == set(METRICS)


@pytest.fixture(scope="module")
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda mode: mode.value)
def test_no_server_errors_for_any_input(api_schema, mode):
    """Every operation of the OpenAPI document, with valid (positive) and invalid (negative) input.

    Hypothesis is driven here rather than through schemathesis's pytest loader (from_fixture), which
    sets pytest's private Node._nodeid and fails on pytest 9.2."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    described = {f"{method.upper()} {path}" for path, item in api_schema.raw_schema["paths"].items()
                 for method in item if method in ("get", "put", "post", "delete", "patch", "head", "options")}
    # schemathesis leaves out the operation that serves the schema itself.
    assert {operation.label for operation in operations} == described - {"GET /api/openapi.json"}

    exercised = []
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and not list(operation.iter_parameters()):
            continue  # nothing to make invalid (GET /api/health)

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def no_server_error(case):
            response = case.call()
            assert response.status_code < 500, (operation.label, case.path, case.query, response.text[:300])
            if response.status_code >= 400:
                body = json.loads(response.text)
                assert set(body["error"]) == {"code", "message"}, (operation.label, case.query)

        try:
            no_server_error()
        except Unsatisfiable:
            # No invalid value exists for this operation's parameters (a free-form path segment).
            assert mode is GenerationMode.NEGATIVE, operation.label
            continue
        exercised.append(operation.label)
    assert len(exercised) >= len(operations) // 2, exercised


def test_documents_page_filters_by_level_and_marks_composed_titles(client):
    page = client.get("/documents").get_data(as_text=True)
    for level in ("国家级", "省级", "市级", "区县级", "乡镇级"):
        assert level in page
    assert page.count("系统拟题") == 2  # 罗庄 and 珠海 state no title line
    city = client.get("/documents", query_string={"level": "市级"}).get_data(as_text=True)
    table = city[city.index('<table class="facts documents">'):city.index("</table>")]  # not the tree or facets
    assert "三门峡市人民政府" in table and "罗庄区" not in table and "湖南省安全" not in table
    assert client.get("/documents", query_string={"level": "村级"}).status_code == 400


def test_facts_carry_their_scope(client):
    facts = client.get("/api/facts", query_string={"metric": "proactive_disclosed"}).get_json()["facts"]
    sanmenxia = [f for f in facts if f["agency"] == "三门峡市人民政府"]
    assert sanmenxia and sanmenxia[0]["scope"] == "area" and sanmenxia[0]["value"] == 66158
    assert {f["scope"] for f in facts if f["agency"] == "罗庄区安全生产监督管理局"} == {"agency"}
    docs = {d["agency"]: d for d in client.get("/api/documents").get_json()["documents"]}
    assert docs["三门峡市人民政府"]["figure_scope"] == "area" and docs["三门峡市人民政府"]["level"] == "市级"  # every figure of its report is the city's (全市)


def test_facts_take_the_same_filters_as_every_endpoint(client):
    def agencies(**params):
        r = client.get("/api/facts", query_string=params)
        assert r.status_code == 200, r.get_json()
        return {f["agency"][:2] for f in r.get_json()["facts"]}, {f["year"] for f in r.get_json()["facts"]}

    assert agencies(agency=["三门峡", "罗庄"])[0] == {"三门", "罗庄"}
    assert agencies(region=["河南", "山东"])[0] == {"三门", "罗庄"}
    assert agencies(level=["省级", "区县级"])[0] == {"湖南", "罗庄"}
    assert agencies(year="2018-")[1] == {2018} and agencies(year_from="2018")[1] == {2018}
    assert agencies(year="-2017")[1] == {2017}
    for bad in ({"level": "村级"}, {"year": "去年"}, {"doc_type": "x"}):
        facts, search = client.get("/api/facts", query_string=bad), client.get("/api/search", query_string=bad | {"q": "公开"})
        assert facts.status_code == search.status_code == 400 and error_of(facts) == error_of(search), bad
