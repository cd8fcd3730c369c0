"""A real browser (Debian's Chromium through Playwright) against the app served by waitress."""
from __future__ import annotations

import os
import socket
import threading

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

    page.click("#script-toggle")
    page.wait_for_selector("mark#passage")
    assert page.locator("mark#passage").inner_text()


def test_compare_page_shows_agencies_side_by_side(page, server_url, artifacts):
    page.goto(server_url + "/compare?q=微信")
    page.wait_for_selector(".compare .agency-column")
    columns = page.locator(".compare .agency-column")
    assert columns.count() >= 3
    agencies = {columns.nth(i).locator("h2").inner_text() for i in range(columns.count())}
    assert len(agencies) == columns.count()
    # side by side: the first two columns share a row
    boxes = [columns.nth(i).bounding_box() for i in range(2)]
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 5 and boxes[1]["x"] > boxes[0]["x"]
    page.screenshot(path=str(artifacts / "compare.png"), full_page=True)


def test_counting_question_shows_its_answer_table(page, server_url, artifacts):
    page.goto(server_url + "/?q=" + "哪些机关依申请公开没有收取费用")
    rows = page.locator("section.answer tbody tr")
    assert rows.count() == 4
    page.screenshot(path=str(artifacts / "answer.png"), full_page=True)


def test_facts_page_renders_table_and_charts(page, server_url, artifacts):
    page.goto(server_url + "/facts")
    page.wait_for_selector("table.facts")
    assert page.locator("table.facts tbody tr").count() == 4
    assert page.locator("#chart-lawsuits svg rect").count() == 4
    link = page.locator("table.facts tbody td a").first
    link.click()
    page.wait_for_selector("mark#passage")
    page.goto(server_url + "/facts")
    page.screenshot(path=str(artifacts / "facts.png"), full_page=True)
