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


def _tick(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or float(value).is_integer() else f"{value:.1f}"


def series_svg(points: list[dict], label: str, width: int = 360, height: int = 200) -> Markup:
    """One metric's values over the years as an inline SVG line chart drawn here (no script needed).

    It scales to its container through its viewBox, so it stays readable on a 390 px phone; every point
    carries its value, and a <title> says what the chart shows for screen readers.
    """
    points = sorted((p for p in points if p["year"] is not None), key=lambda p: p["year"])
    left, right, top, bottom = 48, 14, 22, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    years = [p["year"] for p in points]
    lo_year, hi_year = (min(years), max(years)) if years else (0, 0)
    top_value = max((p["value"] for p in points), default=0) or 1

    def x(year: int) -> float:
        return left + (plot_w / 2 if hi_year == lo_year else plot_w * (year - lo_year) / (hi_year - lo_year))

    def y(value: float) -> float:
        return top + plot_h * (1 - max(value, 0) / top_value)

    summary = "，".join(f"{p['year']}年 {_tick(p['value'])}" for p in points)
    parts = [f'<svg class="series" viewBox="0 0 {width} {height}" role="img" xmlns="http://www.w3.org/2000/svg" '
             f'aria-label="{escape(label)}：{escape(summary)}"><title>{escape(label)}：{escape(summary)}</title>']
    for share in (0, 0.5, 1):
        gy = y(top_value * share)
        parts.append(f'<line class="grid" x1="{left}" y1="{gy:.1f}" x2="{width - right}" y2="{gy:.1f}"/>'
                     f'<text class="axis" x="{left - 6}" y="{gy + 4:.1f}" text-anchor="end">{_tick(top_value * share)}</text>')
    if len(points) > 1:
        path = " ".join(f"{x(p['year']):.1f},{y(p['value']):.1f}" for p in points)
        parts.append(f'<polyline class="line" points="{path}"/>')
    step = max(1, len(points) // 6)  # at most ~6 year labels, so they never overlap on a phone
    for i, p in enumerate(points):
        px, py = x(p["year"]), y(p["value"])
        parts.append(f'<circle class="dot" cx="{px:.1f}" cy="{py:.1f}" r="3.5"/>'
                     f'<text class="value" x="{px:.1f}" y="{py - 7:.1f}" text-anchor="middle">{_tick(p["value"])}</text>')
        if i % step == 0 or i == len(points) - 1:
            parts.append(f'<text class="axis" x="{px:.1f}" y="{height - 8}" text-anchor="middle">{p["year"]}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
