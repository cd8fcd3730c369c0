"""HTML -> text: one line per block element, tables as `| a | b |` rows, page furniture dropped."""
from __future__ import annotations

import re

# Elements whose content is page furniture, not report text.
_DROPPED_ELEMENTS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form",
                     "iframe", "button", "select", "template", "svg")


def html_to_text(markup: str) -> str:
    """Visible text of an HTML page: one line per block element, tables as `| a | b |` rows."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for name in _DROPPED_ELEMENTS:
        for el in soup.find_all(name):
            el.decompose()
    for row in soup.find_all("tr"):
        cells = [re.sub(r"\s+", " ", c.get_text(" ", strip=True)) for c in row.find_all(["td", "th"])]
        row.replace_with(soup.new_string("\n| " + " | ".join(cells) + " |\n"))
    for br in soup.find_all("br"):
        br.replace_with(soup.new_string("\n"))
    blocks = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "table", "section", "article",
              "title", "blockquote", "pre", "dd", "dt")
    for el in soup.find_all(blocks):
        el.insert_before(soup.new_string("\n"))
        el.insert_after(soup.new_string("\n"))
    body = soup.body or soup
    text = body.get_text()
    title = soup.title.get_text(strip=True) if soup.title and soup.body else ""
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    if title and (not lines or lines[0] != title):
        lines.insert(0, title)
    return "\n".join(lines)
