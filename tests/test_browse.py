"""The researcher's workbench: browsing without a query, agencies over the years, citations, original files,
Chinese error pages, one filter parser and one CSV layout (seeds, and seeds + ../shared/real)."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import sqlite3

import pytest

from kb.citation import citation
from kb.ingest import update_knowledge_base
from kb.pipeline import process_report
from kb.report.agency import LEVELS
from kb.settings import PROJECT_ROOT, load_settings
from web.render import series_svg

from .conftest import SEEDS
from .fixtures.formats import portal_html
from .test_real_reports import REAL, require_real_reports

SEED_CITATIONS = {  # cited on 2026-01-02; 发布日期 where the report states one, no URL (plain text files)
    "000_596e1eebe5f5a48f": "湖南省安全生產監督管理局. 湖南省安全生產監督管理局2017年政府信息公開工作報告[EB/OL]. "
                            "(2018-03-22)[2026-01-02].",
    "001_dd0aca17394d444a": "罗庄区安全生产监督管理局. 罗庄区安全生产监督管理局2018年政府信息公开工作年度报告[EB/OL]. "
                            "[2026-01-02].",
    "002_6eecb43df29e7b4f": "三门峡市人民政府. 三门峡市2017年政府信息公开工作年度报告[EB/OL]. (2018-03-27)[2026-01-02].",
    "003_e30985a69ba7359e": "哈尔滨市安全生产监督管理局. 2018年哈尔滨市安全生产监督管理局政府信息公开工作年度报告[EB/OL]. "
                            "[2026-01-02].",
    "004_54fc93b6680cde9e": "珠海市安全生产监督管理局. 珠海市安全生产监督管理局2017年政务公开工作方案[EB/OL]. "
                            "(2017-06-23)[2026-01-02].",
}


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """An app over the seeds and ../shared/real/reports (41 reports), with its store's path."""
    require_real_reports()
    from web import create_app

    settings = load_settings(index_dir=tmp_path_factory.mktemp("real-index"), reports_dir=SEEDS)
    results, _ = update_knowledge_base(settings, [SEEDS, REAL / "reports"])
    assert sum(r.status == "added" for r in results) == 41, results
    app = create_app({"KB_SETTINGS": settings, "TESTING": True})
    return app.test_client(), settings


def doc_links(html: str) -> set[str]:
    """The documents a page's document table links to (not the tree, the facets or the navigation)."""
    table = html[html.index('<table class="facts documents">'):]
    table = table[:table.index("</table>")]
    return set(re.findall(r'class="doc-link" href="/documents/([^"?/]+)"', table))


def brute_force(db_path, where: str, args: tuple) -> set[str]:
    """The catalog filtered in SQL, apart from the code under test."""
    with sqlite3.connect(db_path) as db:
        return {r[0] for r in db.execute(f"SELECT doc_id FROM documents WHERE died IS NULL AND {where}", args)}


def test_region_level_year_filters_equal_a_brute_force_filter(real):
    client, settings = real
    docs = client.get("/api/documents").get_json()["documents"]
    assert len(docs) == 41
    places = {p for d in docs for p in (d["province"], d["city"], d["district"]) if p}
    cases = [({"region": p}, "replace(region, ' ', '') LIKE ?", (f"%{p}%",)) for p in sorted(places)]
    cases += [({"region": "浙江"}, "region LIKE ?", ("%浙江%",)), ({"region": "南宁"}, "region LIKE ?", ("%南宁%",))]
    cases += [({"level": lv}, "level = ?", (lv,)) for lv in LEVELS]
    cases += [({"year": "2017"}, "year = ?", (2017,)), ({"year": "2015-2019"}, "year BETWEEN ? AND ?", (2015, 2019)),
              ({"year": "2020-"}, "year >= ?", (2020,)), ({"year": "-2012"}, "year <= ?", (2012,)),
              ({"year_from": "2016", "year_to": "2018"}, "year BETWEEN ? AND ?", (2016, 2018)),
              ({"region": "浙江", "level": "市级"}, "region LIKE ? AND level = ?", ("%浙江%", "市级")),
              ({"level": ["市级", "省级"], "year": "2017-"}, "level IN (?, ?) AND year >= ?", ("市级", "省级", 2017))]
    assert len(places) > 40
    for query, where, args in cases:
        expected = brute_force(settings.db_path, where, args)
        body = client.get("/api/documents", query_string=query).get_json()
        assert {d["doc_id"] for d in body["documents"]} == expected, query
        assert body["total"] == len(expected)
        assert doc_links(client.get("/documents", query_string=query).get_data(as_text=True)) == expected, query
        # An empty query with filters on the search page lists the same documents.
        home = client.get("/", query_string=query).get_data(as_text=True)
        assert (doc_links(home) if expected else set()) == expected, query
        agencies = client.get("/api/agencies", query_string=query).get_json()["agencies"]
        assert sum(a["reports"] for a in agencies) == len(expected)


def test_facets_and_place_tree_are_links_with_counts(real):
    client, _ = real
    body = client.get("/api/documents", query_string={"region": "浙江"}).get_json()
    zhejiang = next(p for p in body["places"] if p["name"] == "浙江省")
    assert zhejiang["count"] == sum(c["count"] for c in zhejiang["children"]) == 2
    assert {c["region"] for c in zhejiang["children"]} == {"浙江省 衢州市", "浙江省 温州市"}
    assert sum(v["count"] for v in body["facets"]["level"]) == 2   # counted within the region filter
    html = client.get("/documents", query_string={"region": "浙江"}).get_data(as_text=True)
    assert 'href="/documents?region=%E6%B5%99%E6%B1%9F%E7%9C%81+%E8%A1%A2%E5%B7%9E%E5%B8%82"' in html   # 浙江省 衢州市
    assert re.search(r'<a href="/documents\?region=%E6%B5%99%E6%B1%9F&amp;level=%E5%B8%82%E7%BA%A7">市级</a> '
                     r'<span class="count">1</span>', html)


def test_every_agency_page_renders_with_its_chart(real):
    client, _ = real
    agencies = client.get("/api/agencies").get_json()["agencies"]
    assert len(agencies) == len({a["id"] for a in agencies}) >= 40
    charted = 0
    for a in agencies:
        one = client.get(a["url"].replace("/agencies/", "/api/agencies/")).get_json()
        assert one["id"] == a["id"] and one["documents"] and all(d["citation"] for d in one["documents"])
        page = client.get(a["url"])
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert html.count('<svg class="series"') == len(one["series"]) == len(one["metrics"])
        for metric, points in one["series"].items():
            figure = html[html.index(f'data-metric="{metric}"'):]
            assert all(f"{p['year']}年" in figure[:figure.index("</svg>")] for p in points)
        charted += bool(one["series"])
    assert charted >= 20   # 21 of the 41 agencies state figures the extractor reads (measured)
    assert client.get("/agencies/nope").status_code == 404
    assert client.get("/api/agencies/nope").get_json()["error"]["code"] == "not_found"


def test_no_response_contains_the_index_or_corpus_directory(real):
    client, settings = real
    secrets = {str(settings.index_dir), str(settings.index_dir.resolve()), str(SEEDS), str(SEEDS.resolve()),
               str(REAL), str(REAL.resolve()), str(PROJECT_ROOT)}
    doc = "002_6eecb43df29e7b4f"
    agency = client.get("/api/agencies").get_json()["agencies"][0]["url"]
    urls = ["/api/health", "/api/documents", f"/api/documents/{doc}", "/api/agencies", "/api" + agency,
            "/api/search?q=行政复议&facets=1", "/api/search?q=哪些机关没有收取费用", "/api/export?q=微信&format=csv",
            "/api/export?q=微信&format=json", "/api/facts", "/api/facts?format=csv", "/api/compare?q=微信",
            "/api/openapi.json", "/", "/?q=行政复议", "/?region=河南", "/documents", f"/documents/{doc}",
            f"/documents/{doc}/original", "/agencies", agency, "/facts", "/facts.csv", "/compare?q=微信",
            "/nothing", "/api/nothing", "/?q=" + "x" * 501, "/api/search?q=%22open"]
    for url in urls:
        text = client.get(url).get_data(as_text=True)
        assert not [s for s in secrets if s in text], url
    for d in client.get("/api/documents").get_json()["documents"]:
        assert d["path"] in (f"{d['doc_id']}.txt",) and not d["path"].startswith("/")


def test_citations_of_the_seeds(client):
    docs = {d["doc_id"]: d for d in client.get("/api/documents").get_json()["documents"]}
    assert {i: citation(d, dt.date(2026, 1, 2)) for i, d in docs.items()} == SEED_CITATIONS
    today = dt.date.today().isoformat()
    for i, d in docs.items():
        assert d["citation"] == SEED_CITATIONS[i].replace("2026-01-02", today) and d["source_url"] is None
    page = client.get("/documents/002_6eecb43df29e7b4f").get_data(as_text=True)
    assert f'data-copy="{docs["002_6eecb43df29e7b4f"]["citation"]}"' in page
    results = client.get("/", query_string={"q": "行政复议"}).get_data(as_text=True)
    assert results.count('class="passage-citation"') == results.count('class="result"') > 0
    # the evidence of an answer from the figures is cited too, each figure with its report's citation
    answer = client.get("/", query_string={"q": "哪些机关没有行政复议"}).get_data(as_text=True)
    table = answer[answer.index('class="answer-table"'):answer.index("</table>", answer.index('class="answer-table"'))]
    assert table.count("<q>") == table.count('class="passage-citation"') > 0
    assert f'data-copy="{docs["003_e30985a69ba7359e"]["citation"]}"' in table


def test_a_page_naming_its_address_is_cited_with_it(tmp_path):
    text = (SEEDS / "002_6eecb43df29e7b4f.txt").read_text(encoding="utf-8")
    url = "http://www.smx.gov.cn/art/2018/3/27/art_1.html"
    doc = process_report(portal_html(text, tmp_path / "smx.html", title_lines=1, url=url), 160)
    assert doc.description.source_url == url
    cited = citation(vars(doc.description), dt.date(2026, 1, 2))
    assert cited.startswith("三门峡市人民政府. ") and cited.endswith(f"[EB/OL]. (2018-03-27)[2026-01-02]. {url}.")


def test_original_returns_the_stored_bytes(client):
    for path in sorted(SEEDS.iterdir()):
        r = client.get(f"/documents/{path.stem}/original")
        assert r.status_code == 200
        assert hashlib.sha256(r.data).hexdigest() == hashlib.sha256(path.read_bytes()).hexdigest()
        assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert f'filename="{path.name}"' in r.headers["Content-Disposition"]
        assert "sandbox" in r.headers["Content-Security-Policy"]
    for bad in ("nope", "..%2F..%2Fetc%2Fpasswd", "..", "000_596e1eebe5f5a48f.txt", "%2Fetc%2Fpasswd"):
        r = client.get(f"/documents/{bad}/original")
        assert r.status_code == 404 and b"root:" not in r.data


def test_error_pages_are_chinese_with_the_search_box(client):
    long_query = "x" * 601
    api = client.get("/api/search", query_string={"q": long_query}).get_json()["error"]
    cases = [("/?q=" + long_query, 400, "检索词有 601 个字，太长了", api), ("/documents/002_6eecb43df29e7b4f?start=abc", 400, "参数 start", None),
             ("/nothing", 404, "没有这个页面", None), ("/documents/nope", 404, "没有这个页面或文档", None),
             ("/?" + "agency=x&" * 2000, 414, "地址太长", None)]
    for url, status, advice, facts in cases:
        r = client.get(url)
        html = r.get_data(as_text=True)
        assert r.status_code == status and r.mimetype == "text/html", url
        assert '<form class="search"' in html and 'name="q"' in html and advice in html, url
        assert re.search(r'<code id="error-code">\w+</code>', html)
        if facts:
            assert f'<code id="error-code">{facts["code"]}</code>' in html and facts["message"] in html
    r = client.post("/")
    assert r.status_code == 405 and "只接受 GET" in r.get_data(as_text=True) and r.headers["Allow"]


def test_one_filter_parser_for_every_endpoint(client):
    endpoints = {"/api/search": {"q": "行政复议"}, "/api/export": {"q": "行政复议", "format": "json"},
                 "/api/compare": {"q": "行政复议"}, "/api/documents": {}, "/api/agencies": {}, "/api/facts": {},
                 "/documents": {}, "/agencies": {}, "/facts": {}, "/": {"q": "行政复议"}}
    for url, base in endpoints.items():
        for bad in ({"year": "去年"}, {"year": "1800"}, {"level": "村级"}, {"region": "x" * 201},
                    {"year_from": "abc"}):
            r = client.get(url, query_string=base | bad)
            assert r.status_code == 400, (url, bad)
        assert client.get(url, query_string=base | {"year": "2018-"}).status_code == 200, url
    after = client.get("/api/facts", query_string={"year": "2018-"}).get_json()["facts"]
    same = client.get("/api/facts", query_string={"year_from": "2018"}).get_json()["facts"]
    assert after == same and after and all(f["year"] >= 2018 for f in after)
    assert len(client.get("/api/facts").get_json()["facts"]) > len(after)


def test_series_chart_is_drawn_on_the_server():
    chart = str(series_svg([{"year": 2019, "value": 5.0}, {"year": 2017, "value": 0.0}, {"year": 2018, "value": 12.0}],
                           "行政诉讼"))
    assert chart.startswith('<svg class="series" viewBox="0 0 360 200"') and "<script" not in chart
    points = re.search(r'<polyline class="line" points="([^"]+)"', chart).group(1).split()
    xs, ys = zip(*((float(a), float(b)) for a, b in (p.split(",") for p in points)), strict=True)
    assert list(xs) == sorted(xs) and ys[1] < ys[2] < ys[0]   # SVG y grows downwards: 2018 (12) highest
    assert "行政诉讼：2017年 0，2018年 12，2019年 5" in chart
    assert str(series_svg([], "x")).count("<circle") == 0


def _csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff") and "\ufeff" not in text[1:]
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_exports_share_one_layout(client):
    search = _csv(client.get("/api/export", query_string={"q": "行政复议"}))
    facts = _csv(client.get("/api/facts", query_string={"format": "csv"}))
    page = _csv(client.get("/facts.csv"))
    for rows in (search, facts, page):
        assert all(re.fullmatch(r"\S+ [a-z_]+", h) for h in rows[0]), rows[0]   # 中文 id
        url = rows[0].index("链接 url")
        assert all(r[url].startswith("http://localhost/documents/") for r in rows[1:])
    assert search[0][:2] == ["名次 rank", "得分 score"] and facts[0] == page[0]


def test_facts_csv_follows_the_page_sort_and_marks_undisclosed(client):
    query = {"metric": ["lawsuits", "admin_reviews"], "sort": "lawsuits", "order": "desc"}
    rows = _csv(client.get("/facts.csv", query_string=query))
    col = {h.split()[-1]: i for i, h in enumerate(rows[0])}
    html = client.get("/facts", query_string=query).get_data(as_text=True)
    page_agencies = re.findall(r'<td data-label="机关" class="agency"><a [^>]*>([^<]+)', html)
    csv_agencies = list(dict.fromkeys(r[col["agency"]] for r in rows[1:]))
    assert csv_agencies == list(dict.fromkeys(a.strip() for a in page_agencies))
    lawsuits = [float(r[col["value"]]) for r in rows[1:] if r[col["metric"]] == "lawsuits" and r[col["value"]]]
    assert lawsuits == sorted(lawsuits, reverse=True)
    assert len(rows) - 1 == 2 * len(csv_agencies)   # every agency-year × metric, stated or not
    missing = [r for r in rows[1:] if r[col["status"]] == "未披露"]
    assert missing and all(r[col["value"]] == "" and r[col["url"]].startswith("http://localhost/documents/")
                           for r in missing)
    assert html.count('class="num"><span class="cell"><span class="none">—') == len(missing)   # the page's 未披露


def test_a_server_error_is_the_chinese_page_with_the_search_box(kb_settings, tmp_path):
    """A store that breaks under a running server (a table gone): a 500 is the site's page."""
    import shutil
    import sqlite3

    from web import create_app

    index_dir = tmp_path / "index"
    shutil.copytree(kb_settings.index_dir, index_dir)
    app = create_app({"KB_SETTINGS": kb_settings.with_(index_dir=index_dir), "TESTING": True})
    client = app.test_client()
    assert client.get("/documents/002_6eecb43df29e7b4f").status_code == 200
    with sqlite3.connect(index_dir / "kb.sqlite3") as db:
        db.execute("DROP TABLE sections")
    r = client.get("/documents/003_e30985a69ba7359e")
    html = r.get_data(as_text=True)
    assert r.status_code == 500 and r.mimetype == "text/html"
    assert '<form class="search"' in html and "服务器内部错误" in html and '<code id="error-code">internal_error</code>' in html
    assert str(index_dir) not in html
    api = client.get("/api/documents/003_e30985a69ba7359e")
    assert api.status_code == 500 and api.get_json()["error"]["code"] == "internal_error"
