"""The one figure per agency × year × metric that answers, the facts page and the CSV export all use.

A report may state a metric more than once (a summary and a table), an agency-year may have an annual
report and a work plan, and a city government's report may give the whole city's figure beside its own.
The figure that stands: from an annual report before any other document, the one the extractor marks as
the document's answer figure (where the store records that), the agency's own figure before an area-wide
one (全市/全县 政府系统), then the first statement in the document.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from kb.report import facts as report_facts
from kb.report.facts import METRICS
from kb.text import compact, normalize

from .model import Group
from .vocabulary import AGENCY_TYPES, METRIC_VOCABULARY

SCOPE_LABELS = report_facts.SCOPES
Unit = tuple[str, int | None]   # (agency, year): who answers


def metric_label(metric: str) -> str:
    return METRICS.get(metric) or METRIC_VOCABULARY[metric][0]


def known_metrics() -> list[str]:
    """Every metric id: the extractor's first, then those only the question vocabulary knows yet."""
    return list(METRICS) + [m for m in METRIC_VOCABULARY if m not in METRICS]


def document_url(doc_id: str, start: int | None = None, end: int | None = None) -> str:
    from kb.search.engine import (
        document_url as url,  # imported here: the engine imports this package
    )

    return url(doc_id, start, end)


@dataclass(frozen=True)
class Figure:
    metric: str
    value: float
    unit: str
    approx: bool
    scope: str
    agency: str
    year: int | None
    level: str
    region: str
    doc_id: str
    doc_type: str
    start: int
    end: int
    text: str
    statements: int = 1       # how many statements of this metric the agency-year's documents make
    disagree: bool = False    # whether those statements give different values

    @property
    def unit_key(self) -> Unit:
        return (self.agency, self.year)

    def as_row(self) -> dict:
        return {"agency": self.agency, "year": self.year, "metric": self.metric, "metric_label": metric_label(self.metric),
                "value": self.value, "unit": self.unit, "approx": self.approx, "scope": self.scope,
                "level": self.level, "region": self.region, "doc_id": self.doc_id, "doc_type": self.doc_type,
                "text": self.text, "start": self.start, "end": self.end,
                "url": document_url(self.doc_id, self.start, self.end)}


def _preference(fact: dict) -> tuple:
    return (fact["doc_type"] != "annual_report", fact["doc_id"], not fact.get("answer_figure", False),
            fact.get("scope", "agency") != "agency", fact["start"])


def choose_figures(facts: list[dict]) -> dict[tuple[str, int | None, str], Figure]:
    """(agency, year, metric) -> the figure that stands, from facts joined with their documents (or from
    figure_candidates, each row standing for `count` statements of values `low` to `high`)."""
    by_key: dict[tuple, list[dict]] = {}
    for f in facts:
        by_key.setdefault((f["agency"], f["year"], f["metric"]), []).append(f)
    out = {}
    for key, group in by_key.items():
        best = min(group, key=_preference)
        out[key] = Figure(best["metric"], float(best["value"]), best["unit"], bool(best["approx"]),
                          best.get("scope") or "agency", best["agency"], best["year"], best.get("level", ""),
                          best.get("region", ""), best["doc_id"], best["doc_type"], best["start"], best["end"],
                          best["text"], sum(g.get("count", 1) for g in group),
                          min(g.get("low", g["value"]) for g in group) < max(g.get("high", g["value"]) for g in group))
    return out


def unit_documents(documents: list[dict]) -> dict[Unit, dict]:
    """(agency, year) -> its document (an annual report before other types)."""
    out: dict[Unit, dict] = {}
    for d in sorted(documents, key=lambda d: (d["doc_type"] != "annual_report", d["doc_id"])):
        out.setdefault((d["agency"], d["year"]), d)
    return out


def in_group(group: Group, doc: dict) -> bool:
    """Whether a document's agency belongs to the group (level, region, agency type, years)."""
    if group.levels and doc["level"] not in group.levels:
        return False
    if group.regions and not any(compact(r) in compact(doc["region"] + doc["agency"]) for r in group.regions):
        return False
    if group.agency_types:
        name = normalize(doc["agency"])
        if not any(re.search(AGENCY_TYPES[t][2], name) for t in group.agency_types):
            return False
    return year_between(doc["year"], group.year_from, group.year_to)


def year_between(year: int | None, lo: int | None, hi: int | None) -> bool:
    """Whether a reporting year lies in [lo, hi] (either end open); a document without a year lies in none."""
    if lo is None and hi is None:
        return True
    return year is not None and (lo is None or year >= lo) and (hi is None or year <= hi)


def figures_in(store, documents: list[dict], metrics: list[str] | None = None) -> dict[tuple, Figure]:
    """The standing figures of these documents' agency-years."""
    doc_ids = {d["doc_id"] for d in documents}
    wanted = set(metrics or ())
    return choose_figures([f for f in store.figure_candidates()
                           if f["doc_id"] in doc_ids and (not wanted or f["metric"] in wanted)])


# -- CSV -------------------------------------------------------------------------------------------
# (id, Chinese header): each header cell says both, "指标 metric".
CSV_COLUMNS = (("metric", "指标"), ("metric_label", "指标名称"), ("agency", "机关"), ("year", "年度"), ("level", "级别"),
               ("region", "地区"), ("value", "数值"), ("unit", "单位"), ("approx", "约数"), ("scope", "口径"),
               ("doc_id", "文档"), ("doc_type", "文档类型"), ("start", "起"), ("end", "止"), ("text", "原文"),
               ("url", "链接"))
CSV_HEADER = tuple(f"{zh} {key}" for key, zh in CSV_COLUMNS)
BOM = "\ufeff"


def _cell(key: str, value) -> str:
    if value is None:
        return ""
    if key == "approx":
        return "是" if value else "否"
    if key == "scope":
        return SCOPE_LABELS.get(value, value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    return str(value)


def figures_csv(figures: list[Figure], base_url: str = "") -> str:
    """UTF-8 CSV with a BOM (Excel reads it as UTF-8): one row per agency × year × metric, with its evidence;
    links are made absolute with `base_url` (the server's address)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_HEADER)
    for f in sorted(figures, key=lambda f: (f.metric, f.agency, f.year or 0)):
        row = f.as_row()
        row["url"] = base_url.rstrip("/") + row["url"]
        writer.writerow([_cell(key, row[key]) for key, _ in CSV_COLUMNS])
    return BOM + buf.getvalue()
