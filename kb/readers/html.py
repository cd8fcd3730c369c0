"""HTML -> text: the main content of a saved portal page (trafilatura), tables as `| a | b |` rows, and the
page's metadata (title, 发布时间, 来源, canonical URL) from around the content.
"""
from __future__ import annotations

import re

from kb.readers.layout import join_wrapped, table_row
from kb.readers.plain import decode_text
from kb.readers.result import Extracted

# Elements whose content is page furniture, not report text (for pages trafilatura finds no content in).
_DROPPED_ELEMENTS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form",
                     "iframe", "button", "select", "template", "svg")
_BLOCKS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "table", "section", "article",
           "title", "blockquote", "pre", "dd", "dt")

_DATE = r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
PUBLISHED = re.compile(rf"(?:发布时间|发布日期|发文日期|成文日期|公开日期|时间|日期)\s*[:：]\s*{_DATE}")
SOURCE = re.compile(r"(?:信息来源|来源|发布机构|发布单位)\s*[:：]\s*([^\s|丨:：]{2,40})")
# trafilatura's main content is taken when it keeps at least this share of the page's visible text
# (a bare page with a few paragraphs and no portal around it is read whole).
MIN_CONTENT_SHARE = 0.2
# ... and a page is a bare document when no more than this many visible characters lie outside it.
BARE_REST = 40
# The parsers hold every element as an object (~1 KB each): a page with more tags than this is not read.
# A portal page with a long report has a few thousand.
MAX_TAGS = 300_000


def read_html_file(data: bytes, suffix: str = ".html") -> Extracted:
    """A saved web page's bytes, decoded as a text file is."""
    return read_html(*decode_text(data))


def read_html(markup: str, encoding: str) -> Extracted:
    from bs4 import BeautifulSoup

    tags = markup.count("<")
    if tags > MAX_TAGS:
        from kb.readers.encoding import ReadError
        raise ReadError(f"web page has {tags:,} tags, more than the {MAX_TAGS:,} a page is read with "
                        "(a report page has a few thousand); not read")

    soup = BeautifulSoup(markup, "html.parser")
    whole = html_to_text(soup)
    doc = _extract(markup)
    lines = _content_lines(doc)
    if _has_rows(whole.split("\n")) and not _has_rows(lines):
        # trafilatura's fallback extractor (taken on small pages) flattens tables cell by cell; its
        # precise extractor keeps them.
        precise = _extract(markup, precise=True)
        if _has_rows(_content_lines(precise)):
            doc, lines = precise, _content_lines(precise)
    if not lines or len("".join(lines)) < MIN_CONTENT_SHARE * len(whole.replace("\n", "")):
        lines = whole.split("\n")
    # The title above the article is part of the report as a reader copies it; the main content often
    # leaves it out.
    title_lines = _title_lines(soup)
    if not title_lines and doc is not None and doc.title and _is_bare(lines, whole, doc.title):
        # A bare document page (a report saved as HTML by Word/WPS, no portal around it): its <title> is
        # the report's title. A portal's <title> is a page label with the site's name: metadata only.
        title_lines = [doc.title.strip()]
    if title_lines and _squash(title_lines) not in _squash(lines[:len(title_lines) + 2]):
        lines = title_lines + lines
    meta = {}
    if title_lines:
        meta["title"] = _joined(title_lines)
    elif doc is not None and doc.title:
        meta["title"] = doc.title.strip()
    if doc is not None and doc.url:
        meta["url"] = doc.url
    if doc is not None and doc.date:
        meta["published"] = doc.date
    meta.update(_stated_meta(whole))
    return Extracted(text="\n".join(lines), source_type="html", encoding=encoding, meta=meta)


def _extract(markup: str, precise: bool = False):
    """trafilatura's main content and metadata (dates only from the markup, never guessed from the text)."""
    import trafilatura

    return trafilatura.bare_extraction(markup, include_tables=True, include_comments=False, include_images=False,
                                       favor_recall=not precise, favor_precision=precise, with_metadata=True,
                                       deduplicate=False,
                                       date_extraction_params={"extensive_search": False, "original_date": True})


def _has_rows(lines: list[str]) -> bool:
    return any(ln.startswith("| ") and ln.endswith(" |") for ln in lines)


def _content_lines(doc) -> list[str]:
    """Lines of the main content: paragraphs, headings, list items, table rows."""
    if doc is None or getattr(doc, "body", None) is None:
        return []
    lines: list[str] = []
    _element_lines(doc.body, lines)
    return [ln for ln in (_clean_line(ln) for ln in lines) if ln]


def _element_lines(el, out: list[str]) -> None:
    for child in el:
        tag = child.tag
        if tag == "table":
            for row in child.iter("row"):
                cells = [" ".join("".join(c.itertext()).split()) for c in row if c.tag == "cell"]
                if any(cells):
                    out.append(table_row(cells))
        elif tag in ("list", "div", "main"):
            _element_lines(child, out)
        else:
            out.extend(_text_with_breaks(child).split("\n"))


def _text_with_breaks(el) -> str:
    parts = [el.text or ""]
    for child in el:
        parts.append("\n" if child.tag == "lb" else _text_with_breaks(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _clean_line(line: str) -> str:
    return re.sub(r"[ \t\u00a0]+", " ", line).strip()


def _is_bare(lines: list[str], whole: str, title: str) -> bool:
    """Is the main content all of the page's visible text, but for a few characters?"""
    rest = _squash(whole.split("\n")).replace(_squash([title]), "", 1)
    return len(rest) - len(_squash(lines)) <= BARE_REST


def _squash(lines: list[str]) -> str:
    return re.sub(r"\s+", "", "".join(lines))


def _joined(lines: list[str]) -> str:
    out = ""
    for line in lines:
        out = join_wrapped(out, line)
    return out


def _title_lines(soup) -> list[str]:
    """The visible title above the article: the first <h1> outside page furniture (its <br> kept as lines)."""
    for h1 in soup.find_all("h1"):
        if h1.find_parent(_DROPPED_ELEMENTS):
            continue
        text = h1.get_text("\n")
        lines = [_clean_line(ln) for ln in text.split("\n") if _clean_line(ln)]
        if len("".join(lines)) >= 6:
            return lines
    return []


def _stated_meta(text: str) -> dict[str, str]:
    """发布时间 / 来源 as the page states them (the first statement on the page)."""
    meta = {}
    m = PUBLISHED.search(text)
    if m:
        meta["published"] = _iso(m)
    m = SOURCE.search(text)
    if m:
        meta["source"] = m.group(1)
    return meta


def _iso(m: re.Match) -> str:
    year, month, day = (int(g) for g in m.groups()[-3:])
    return f"{year:04d}-{month:02d}-{day:02d}"


def html_to_text(soup) -> str:
    """Visible text of a whole HTML page: one line per block element, tables as `| a | b |` rows."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(str(soup), "html.parser")  # a copy: the caller's tree stays whole
    for name in _DROPPED_ELEMENTS:
        for el in soup.find_all(name):
            el.decompose()
    for row in soup.find_all("tr"):
        cells = [c.get_text(" ", strip=True) for c in row.find_all(["td", "th"])]
        row.replace_with(soup.new_string("\n" + table_row(cells) + "\n"))
    for br in soup.find_all("br"):
        br.replace_with(soup.new_string("\n"))
    for el in soup.find_all(_BLOCKS):
        # Inside the element: insert_before/after search the parent's children each time (quadratic).
        el.insert(0, soup.new_string("\n"))
        el.append(soup.new_string("\n"))
    body = soup.body or soup
    text = body.get_text()
    title = soup.title.get_text(strip=True) if soup.title and soup.body else ""
    lines = [_clean_line(ln) for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    if title and (not lines or lines[0] != title):
        lines.insert(0, title)
    return "\n".join(lines)
