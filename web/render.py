"""Document text as HTML: escaped, section anchors, the cited span marked."""
from __future__ import annotations

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


def bar_chart_svg(rows: list[dict], width: int = 540) -> Markup:
    """A horizontal bar chart of (label, value) rows as inline SVG."""
    bar_h, gap, label_w = 18, 6, 260
    top = max((r["value"] for r in rows), default=0) or 1
    height = len(rows) * (bar_h + gap) + gap
    parts = [f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">']
    for i, r in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = max(1.0, (width - label_w - 60) * r["value"] / top) if r["value"] else 1.0
        parts.append(f'<text x="{label_w - 6}" y="{y + bar_h - 5}" text-anchor="end">{escape(r["label"])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}"><title>{escape(r["label"])}: '
                     f'{r["value"]:g}</title></rect>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 5}">{r["value"]:g}{escape(r.get("unit", ""))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
