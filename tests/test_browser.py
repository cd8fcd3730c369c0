"""A real browser (Debian's Chromium through Playwright) against the app served by waitress."""
from __future__ import annotations

import csv
import io
import os
import socket
import threading
from pathlib import Path

import pytest
from waitress.server import create_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server_url(app):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.close()


@pytest.fixture(scope="module")
def page(server_url):
    if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):
        pytest.skip("Debian chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        yield context.new_page()
        browser.close()


def test_search_click_and_see_the_cited_span(page, server_url, artifacts, client):
    page.goto(server_url + "/")
    page.fill("input[name=q]", "行政复议")
    page.click("form.search button[type=submit]")
    page.wait_for_selector("ol.results li.result")
    marks = page.locator("ol.results .snippet mark")
    assert marks.count() >= 3
    assert "行政复议" in marks.first.inner_text() or "行政復議" in marks.first.inner_text()
    page.screenshot(path=str(artifacts / "search.png"), full_page=True)

    expected = client.get("/api/search", query_string={"q": "行政复议", "k": 1}).get_json()["results"][0]
    page.locator("ol.results li.result a.cite").first.click()
    page.wait_for_selector("mark#passage")
    cited = page.locator("mark#passage")
    assert cited.inner_text() == expected["text"]
    in_view = page.evaluate("""() => { const r = document.getElementById('passage').getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight; }""")
    assert in_view
    page.screenshot(path=str(artifacts / "document.png"))

    if page.locator("#script-toggle").count():  # offered only for text in traditional script
        page.click("#script-toggle")
        page.wait_for_selector("mark#passage")
        assert page.locator("mark#passage").inner_text()


def test_compare_page_is_a_table_with_its_coverage(page, server_url, artifacts, client):
    page.goto(server_url + "/compare?q=微信")
    page.wait_for_selector(".compare-table tr.agency-row")
    rows = page.locator(".compare-table tr.agency-row")
    body = client.get("/api/compare", query_string={"q": "微信"}).get_json()
    assert rows.count() == len(body["agencies"]) >= 3
    agencies = [rows.nth(i).locator("th .agency").inner_text() for i in range(rows.count())]
    assert agencies == [a["agency"] for a in body["agencies"]] and len(set(agencies)) == len(agencies)
    coverage = page.locator("#coverage").inner_text()
    assert f"{body['coverage']['mention']} / {body['coverage']['of']} 个机关提到" in coverage
    # a row's passages side by side: its first two cells share a line
    cells = rows.first.locator("td")
    boxes = [cells.nth(i).bounding_box() for i in range(2)]
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 5 and boxes[1]["x"] > boxes[0]["x"]
    if body["silent_agencies"]:
        assert page.locator("#silent-agencies").is_visible()
    page.screenshot(path=str(artifacts / "compare.png"), full_page=True)


def test_related_passages_under_their_own_heading(page, server_url, artifacts, client):
    body = client.get("/api/search", query_string={"q": "政务微博", "k": 20}).get_json()
    matches = [r for r in body["results"] if r["match"]]
    assert matches and len(matches) == body["total"] < len(body["results"])
    page.goto(server_url + "/?k=20&q=" + "政务微博")
    page.wait_for_selector("#related")
    assert page.locator("#related").inner_text() == "相关段落"
    assert page.locator("#total").inner_text() == str(body["total"])
    # the matches above the heading, the related passages below it
    assert page.locator("ol.results:not(.related) li.result").count() == len(matches)
    assert page.locator("ol.results.related li.result").count() == len(body["results"]) - len(matches)
    heading_y = page.locator("#related").bounding_box()["y"]
    assert page.locator("ol.results.related li.result").first.bounding_box()["y"] > heading_y
    page.screenshot(path=str(artifacts / "related.png"), full_page=True)
    page.goto(server_url + "/?q=" + "量子纠缠超导体")
    page.wait_for_selector("#no-match")
    assert "未找到包含“量子纠缠超导体”的段落" in page.locator("#no-match").inner_text()
    assert page.locator("#total").inner_text() == "0"


def test_similar_passages_panel_on_the_document_page(page, server_url, artifacts, client):
    hit = client.get("/api/search", query_string={"q": "政务微博", "k": 1}).get_json()["results"][0]
    similar = client.get("/api/similar", query_string={"chunk_id": hit["chunk_id"]}).get_json()["results"]
    page.goto(server_url + hit["url"])
    page.wait_for_selector("#similar")
    assert page.locator("#similar h2").inner_text() == "其他机关的类似表述"
    items = page.locator("#similar .similar-item")
    assert items.count() == len(similar) >= 1
    assert [items.nth(i).locator(".agency").inner_text() for i in range(items.count())] == [r["agency"] for r in similar]
    assert hit["agency"] not in [r["agency"] for r in similar]
    items.first.locator("a.cite").click()
    page.wait_for_selector("mark#passage")
    assert page.locator("mark#passage").inner_text().strip()
    page.screenshot(path=str(artifacts / "similar.png"), full_page=True)


def test_counting_question_shows_its_answer_table(page, server_url, artifacts):
    page.goto(server_url + "/?q=" + "哪些机关依申请公开没有收取费用")
    rows = page.locator("section.answer tbody tr")
    assert rows.count() == 4
    page.screenshot(path=str(artifacts / "answer.png"), full_page=True)


def test_facts_page_renders_table_and_charts(page, server_url, artifacts):
    page.goto(server_url + "/facts")
    page.wait_for_selector("table.figures")
    assert page.locator("table.figures tbody tr").count() == 5   # 珠海's work plan: a row of "—"
    assert page.locator("#chart-lawsuits .bar-list li").count() == 4
    link = page.locator("table.figures tbody td a.value").first
    link.click()
    page.wait_for_selector("mark#passage")
    page.goto(server_url + "/facts")
    page.screenshot(path=str(artifacts / "facts.png"), full_page=True)


def _total(page) -> int:
    return int(page.locator("#total").inner_text())


def test_phrase_and_not_queries_in_the_browser(page, server_url, artifacts, client):
    page.goto(server_url + "/")
    page.fill("input[name=q]", "“政务微博”")
    page.click("form.search button[type=submit]")
    page.wait_for_selector("ol.results li.result")
    expected = client.get("/api/search", query_string={"q": "“政务微博”", "k": 100}).get_json()
    assert _total(page) == expected["total"] > 0
    snippets = page.locator("ol.results .snippet")
    for i in range(snippets.count()):
        assert "政务微博" in snippets.nth(i).inner_text().replace("務", "务")
    page.screenshot(path=str(artifacts / "search-phrase.png"), full_page=True)

    page.fill("input[name=q]", "微信 NOT 微博")
    page.click("form.search button[type=submit]")
    page.wait_for_selector("#total")
    texts = [page.locator("ol.results .snippet").nth(i).inner_text()
             for i in range(page.locator("ol.results .snippet").count())]
    assert _total(page) == len(texts) > 0 and not any("微博" in t for t in texts)
    assert all("微信" in t for t in texts)

    page.fill("input[name=q]", "微博 AND")  # malformed: a message, not an error page
    page.click("form.search button[type=submit]")
    page.wait_for_selector("#query-error")
    assert "AND" in page.locator("#query-error").inner_text()


def test_year_range_chips_pages_and_csv_export(page, server_url, artifacts, client, tmp_path):
    import csv
    import io

    page.goto(server_url + "/?q=公开&mode=keyword")
    page.wait_for_selector("ol.results li.result")
    everything = _total(page)
    # a year range from the form's two fields
    page.fill("input[name=year_from]", "2018")
    page.fill("input[name=year_to]", "2018")
    page.click("form.search button[type=submit]")
    page.wait_for_selector(".chip[data-field=year]")
    in_2018 = _total(page)
    assert 0 < in_2018 < everything
    metas = page.locator("ol.results .meta")
    assert all(" 2018 " in metas.nth(i).inner_text() for i in range(metas.count()))
    # an agency from a facet link becomes a chip that survives a new submit (it used to show as 全部)
    page.locator(".facet[data-facet=agency] li a").first.click()
    page.wait_for_selector(".chip[data-field=agency]")
    agency = page.locator(".chip[data-field=agency]").inner_text()
    page.click("form.search button[type=submit]")
    page.wait_for_selector(".chip[data-field=agency]")
    assert page.locator(".chip[data-field=agency]").inner_text() == agency
    # removing the year chip keeps the agency and widens the count
    with_agency = _total(page)
    page.locator(".chip[data-field=year] a.remove").click()
    page.wait_for_selector(".chip[data-field=agency]")
    assert page.locator(".chip[data-field=year]").count() == 0 and _total(page) >= with_agency
    page.screenshot(path=str(artifacts / "search-chips.png"), full_page=True)
    page.locator(".chip[data-field=agency] a.remove").click()
    page.wait_for_selector("#total")
    assert page.locator(".chip").count() == 0 and _total(page) == everything

    # page 2 through the pager
    page.locator("nav.pager a.page", has_text="2").first.click()
    page.wait_for_selector("nav.pager .current")
    assert page.locator("nav.pager .current").inner_text() == "2"
    assert page.locator("ol.results").get_attribute("start") == "11"
    assert page.locator("section.answer").count() == 0
    page.screenshot(path=str(artifacts / "search-page2.png"), full_page=True)

    # the CSV export holds every match, not one page
    with page.expect_download() as info:
        page.click("#export-csv")
    raw = Path(info.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == everything and rows[0]["名次 rank"] == "1" and all("公开" in r["原文 text"].replace("開", "开")
                                                                          for r in rows)


def test_search_inside_a_document_and_the_script_toggle(page, server_url):
    page.goto(server_url + "/documents/002_6eecb43df29e7b4f")
    assert page.locator("#script-toggle").count() == 0  # already simplified: no toggle
    page.fill("form.doc-search input[name=q]", "行政复议")
    page.click("form.doc-search button[type=submit]")
    page.wait_for_selector(".chip[data-field=doc_id]")
    agencies = {page.locator("ol.results .agency").nth(i).inner_text()
                for i in range(page.locator("ol.results .agency").count())}
    assert agencies == {"三门峡市人民政府"}
    page.goto(server_url + "/documents/000_596e1eebe5f5a48f")
    assert page.locator("#script-toggle").count() == 1  # traditional script: the toggle is offered


def test_answer_box_states_the_parsed_question(page, server_url, artifacts):
    page.goto(server_url + "/?q=" + "哪些机关有行政诉讼却没有行政复议")
    label = page.locator("section.answer .parsed .label").inner_text()
    assert "行政诉讼 大于 0" in label and "但" in label and "行政复议 等于 0" in label
    assert page.locator("section.answer tbody tr").count() == 1
    assert "湖南省安全生產監督管理局" in page.locator("section.answer tbody").inner_text()
    page.screenshot(path=str(artifacts / "answer-parsed.png"), full_page=True)
    page.click("section.answer a.facts-link")
    page.wait_for_selector("table.figures")
    assert "行政诉讼 大于 0" in page.locator(".question-filter").inner_text()
    assert page.locator("table.figures tbody tr").count() == 1


def test_facts_page_filters_sorts_totals_and_exports(page, server_url, artifacts, tmp_path):
    page.goto(server_url + "/facts")
    page.select_option("select[name=year_from]", "2018")
    page.select_option("select[name=year_to]", "2018")
    page.click("form.facts-filters button[type=submit]")
    page.wait_for_selector("table.figures")
    years = page.locator("table.figures tbody td[data-label=年度]").all_inner_texts()
    assert years == ["2018", "2018"]

    page.goto(server_url + "/facts")
    page.click("table.figures th[data-metric=proactive_disclosed] a.sort")   # numbers: largest first
    page.wait_for_selector("table.figures th[data-metric=proactive_disclosed] a.sort.active")
    cells = page.locator("table.figures tbody td[data-metric=proactive_disclosed] a.value").all_inner_texts()
    values = [int(c.rstrip("条")) for c in cells]
    assert values == sorted(values, reverse=True) == [66158, 809, 57]
    total = page.locator("table.figures tfoot td[data-metric=proactive_disclosed]").inner_text()
    # the seeds report 2017 and 2018: one total per year, never one sum across years
    assert "2017年：66158条" in total and "2018年：866条" in total and "按年度分别合计" in total
    requests = page.locator("table.figures tfoot td[data-metric=requests_received]").inner_text()
    assert "2017年：252件" in requests and "2018年：8件" in requests
    assert page.locator("table.figures tfoot td[data-metric=requests_received] .mark-approx").count() == 1
    # the evidence of a cell is on the page
    ev = page.locator("table.figures tbody td[data-metric=proactive_disclosed] a.ev").first.get_attribute("href")
    assert "66158" in page.locator(ev).inner_text()

    with page.expect_download() as download:
        page.click("a.csv")
    path = tmp_path / "facts.csv"
    download.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows and {"指标 metric", "数值 value", "原文 text"} <= set(rows[0])
    stated = [r for r in rows if r["披露 status"] == "已披露"]   # the others: cells the page shows as —
    assert all(r["数值 value"].isdigit() for r in stated) and {r["约数 approx"] for r in stated} == {"是", "否"}
    assert all(r["数值 value"] == "" for r in rows if r not in stated)


@pytest.mark.parametrize("path", ["/facts", "/?q=哪些机关有行政诉讼却没有行政复议", "/?q=一共收到多少件依申请公开申请"])
def test_answer_and_facts_fit_a_phone(page, server_url, artifacts, path):
    phone = page.context.browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    try:
        tab = phone.new_page()
        tab.goto(server_url + path)
        tab.wait_for_selector("table.figures, section.answer")
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390
        tab.screenshot(path=str(artifacts / f"phone-{path.strip('/?').split('=')[0] or 'search'}-{len(path)}.png"), full_page=True)
    finally:
        phone.close()


def test_browse_province_city_document_without_typing(page, server_url, artifacts):
    page.goto(server_url + "/documents")
    page.locator(".place-tree a.place[data-depth='0']", has_text="河南省").click()
    page.wait_for_selector(".place-tree a.place.selected")
    assert page.locator("table.documents a.doc-link").count() == 1
    page.locator(".place-tree a.place[data-depth='1']", has_text="三门峡市").click()
    page.wait_for_selector(".chip[data-field=region]")
    assert "三门峡市" in page.locator(".chip[data-field=region]").inner_text()
    page.screenshot(path=str(artifacts / "browse-city.png"), full_page=True)
    page.locator("table.documents a.doc-link").first.click()
    page.wait_for_selector("#doc-text")
    assert page.url.endswith("/documents/002_6eecb43df29e7b4f")


@pytest.mark.parametrize("width", [1280, 390])
def test_agency_page_citation_and_original(page, server_url, artifacts, width):
    phone = page.context.browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN",
                                             accept_downloads=True)
    phone.grant_permissions(["clipboard-read", "clipboard-write"], origin=server_url)
    try:
        tab = phone.new_page()
        tab.goto(server_url + "/agencies")
        tab.locator("a.agency-link", has_text="三门峡市人民政府").click()
        tab.wait_for_selector("svg.series")
        assert tab.locator("figure.chart svg.series").count() >= 5 and tab.locator("table.panel").count() == 1
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
        box = tab.locator("svg.series").first.bounding_box()
        assert 0 < box["width"] <= width   # the chart fits the screen
        tab.screenshot(path=str(artifacts / f"agency-{width}.png"), full_page=True)
        # copy a citation
        button = tab.locator("button.copy").first
        button.click()
        tab.wait_for_selector("button.copy.done")
        assert tab.evaluate("navigator.clipboard.readText()") == button.get_attribute("data-copy")
        assert button.get_attribute("data-copy").startswith("三门峡市人民政府. 三门峡市2017年")
        # the report's page: download the original
        tab.locator("ol.reports a.doc-link").first.click()
        tab.wait_for_selector("#original-link")
        assert tab.evaluate("document.documentElement.scrollWidth") <= width
        with tab.expect_download() as info:
            tab.click("#original-link")
        seed = Path(__file__).resolve().parent.parent / "data" / "reports" / "002_6eecb43df29e7b4f.txt"
        assert Path(info.value.path()).read_bytes() == seed.read_bytes()
        assert info.value.suggested_filename == seed.name
    finally:
        phone.close()


def test_too_long_query_shows_the_chinese_error_page(page, server_url, artifacts):
    page.goto(server_url + "/")
    page.evaluate("document.querySelector('input[name=q]').removeAttribute('maxlength')")
    page.fill("input[name=q]", "行" * 601)
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("#error-advice")
    assert "检索词有 601 个字，太长了" in page.locator("#error-advice").inner_text()
    assert page.locator("#error-code").inner_text() == "invalid_parameter"
    assert page.locator("form.search input[name=q]").count() == 1
    page.screenshot(path=str(artifacts / "error-too-long.png"), full_page=True)
    page.fill("form.search input[name=q]", "行政复议")
    page.press("form.search input[name=q]", "Enter")
    page.wait_for_selector("#total")
