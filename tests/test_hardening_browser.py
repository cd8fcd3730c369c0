"""The Content-Security-Policy in a real browser: no page breaks under it (Debian's Chromium, as in test_browser)."""
from __future__ import annotations

import pytest

from tests.test_browser import page, server_url  # noqa: F401 - the browser fixtures


@pytest.mark.parametrize("path", ["/?q=%E8%A1%8C%E6%94%BF%E5%A4%8D%E8%AE%AE", "/documents/002_6eecb43df29e7b4f"
                                  "?start=10&end=40", "/facts", "/compare?q=%E5%BE%AE%E4%BF%A1", "/documents"])
def test_pages_work_under_the_content_security_policy(page, server_url, path):  # noqa: F811
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(server_url + path)
    page.wait_for_load_state("load")
    assert not violations, violations
    if path == "/facts":  # the bars' widths come from style attributes
        widths = page.evaluate("() => [...document.querySelectorAll('.bar')].map(e => e.getBoundingClientRect().width)")
        assert len(set(round(w) for w in widths)) > 1, widths
