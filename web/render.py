"""HTML pieces: document text (escaped, section anchors, the cited span marked) and bar charts of figures."""
from __future__ import annotations

import math
from html import escape

from markupsafe import Markup

from kb.text import to_simplified


def document_html(text: str, sections: list[dict], start: int | None, end: int | None,
                  simplified: bool = False) -> Markup:
    """The whole text with `<span id="s-N">` at each section and `<mark id="passage">` over [start, end)."""
    convert = to_simplified if simplified else (lambda s: s)
    events: dict[int, list[str]] = {}
    for s in sections:
        events.setdefault(s["start"], []).append(f'<span class="anchor" id="s-{s["ordinal"]}"></span>')
    if start is not None and end is not None:
        events.setdefault(end, []).insert(0, "</mark>")
        events.setdefault(start, []).append('<mark id="passage" class="cited">')
    out = []
    pos = 0
    for point in sorted(events):
        out.append(escape(convert(text[pos:point])))
        out.extend(events[point])
        pos = point
    out.append(escape(convert(text[pos:])))
    return Markup("".join(out))


def bar_list_html(rows: list[dict], log_ratio: float = 100.0) -> Markup:
    """A sorted horizontal bar list (label, value, unit, approx, scope) as HTML that reflows on a phone.

    When the largest value is `log_ratio` times the smallest non-zero one or more, bar lengths follow
    log10(1 + value), so a figure 1000x the others does not flatten them to nothing; the chart says so.
    """
    rows = sorted(rows, key=lambda r: (-r["value"], r["label"]))
    positive = [r["value"] for r in rows if r["value"] > 0]
    top = max(positive, default=0)
    log = bool(positive) and top / min(positive) >= log_ratio
    scale = (lambda x: math.log10(1 + x) / math.log10(1 + top)) if log else (lambda x: x / top if top else 0)
    parts = [f'<div class="bars{" log" if log else ""}">']
    if log:
        parts.append('<p class="scale">对数刻度：最大值是最小非零值的 '
                     f'{top / min(positive):,.0f} 倍，条长按 log(1+数值) 画出，数字为原值。</p>')
    parts.append('<ol class="bar-list">')
    for r in rows:
        width = 100 * scale(r["value"]) if r["value"] > 0 else 0
        marks = ("约" if r.get("approx") else "") + (" 全地区" if r.get("scope") == "area" else "")
        parts.append(f'<li><span class="bar-label">{escape(r["label"])}</span>'
                     f'<span class="bar-track"><span class="bar" style="width:{width:.1f}%"></span></span>'
                     f'<span class="bar-value">{r["value"]:g}{escape(r.get("unit", ""))}'
                     + (f'<small>{escape(marks.strip())}</small>' if marks else "") + "</span></li>")
    parts.append("</ol></div>")
    return Markup("".join(parts))
