"""The one figure per agency × year × metric that answers, the facts page and the CSV export all use.

A report may state a metric more than once (a summary and a table), an agency-year may have an annual
report and a work plan, and a city government's report may give the whole city's figure beside its own.
The figure that stands: from an annual report before any other document, the one the extractor marks as
the document's answer figure (where the store records that), the agency's own figure before an area-wide
one (全市/全县 政府系统), then the first statement in the document.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kb.csvfile import csv_lines
from kb.report import facts as report_facts
from kb.report.describe import UNIDENTIFIED
from kb.report.facts import METRICS
from kb.text import compact, normalize
from kb.urls import document_url

from .model import Group
from .vocabulary import AGENCY_TYPES

SCOPE_LABELS = report_facts.SCOPES
Unit = tuple[str, int | None]   # (agency, year): who answers


def metric_label(metric: str) -> str:
    return METRICS[metric]


def known_metrics() -> list[str]:
    """Every metric id of the registry (kb.report.metrics), in its display order."""
    return list(METRICS)


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


def _statement_values(candidate: dict) -> list[float]:
    """The values a candidate stands for: each statement's (figure_candidates), past a few dozen statements
    only the lowest and highest, or the fact's own."""
    values = candidate.get("statement_values")
    if values:
        return [float(v) for v in values.split(",")]
    if candidate.get("low") is not None:
        return sorted({float(candidate["low"]), float(candidate["high"])})
    return [float(candidate["value"])]


def choose_figures(facts: list[dict]) -> dict[tuple[str, int | None, str], Figure]:
    """(agency, year, metric) -> the figure that stands, from facts joined with their documents (or from
    figure_candidates, each row standing for `count` statements with their `statement_values`)."""
    by_key: dict[tuple, list[dict]] = {}
    for f in facts:
        by_key.setdefault((f["agency"] or UNIDENTIFIED, f["year"], f["metric"]), []).append(f)
    out = {}
    for key, group in by_key.items():
        best = min(group, key=_preference)
        out[key] = Figure(best["metric"], float(best["value"]), best["unit"], bool(best["approx"]),
                          best.get("scope") or "agency", best["agency"] or UNIDENTIFIED, best["year"], best.get("level", ""),
                          best.get("region", ""), best["doc_id"], best["doc_type"], best["start"], best["end"],
                          best["text"], sum(g.get("count", 1) for g in group),
                          not statements_agree([v for g in group for v in _statement_values(g)]))
    return out


def statements_agree(values: list[float]) -> bool:
    """Whether a metric's statements in one agency-year agree: all the same, or a total stated beside its parts
    (申请172件 … 当面73件、网络28件 … : the largest is the sum of the others)."""
    distinct = sorted(set(values))
    if len(distinct) <= 1:
        return True
    largest, parts = distinct[-1], [v for v in values if v != distinct[-1]]
    return abs(sum(parts) - largest) < 1e-9 or abs(sum(set(parts)) - largest) < 1e-9


def totals_by_year(rows: list[dict]) -> list[dict]:
    """[{year, value, approx, agencies}]: the answer rows added up per reporting year, never across years."""
    years: dict[int | None, list[dict]] = {}
    for r in rows:
        years.setdefault(r["year"], []).append(r)
    return [{"year": y, "value": sum(r["value"] for r in rs), "approx": any(r["approx"] for r in rs),
             "agencies": len({r["agency"] for r in rs})}
            for y, rs in sorted(years.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))]


def unit_documents(documents: list[dict]) -> dict[Unit, dict]:
    """(agency, year) -> its document (an annual report before other types)."""
    out: dict[Unit, dict] = {}
    for d in sorted(documents, key=lambda d: (d["doc_type"] != "annual_report", d["doc_id"])):
        out.setdefault((d["agency"] or UNIDENTIFIED, d["year"]), d)   # no row without an agency
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


# -- CSV ----------------------------------------------------------------------------------------
# The layout of kb/csvfile.py; status says whether the agency-year states the figure (未披露: a row of the
# facts page with no figure for the metric).
CSV_COLUMNS = (("metric", "指标"), ("metric_label", "指标名称"), ("agency", "机关"), ("year", "年度"), ("level", "级别"),
               ("region", "地区"), ("status", "披露"), ("value", "数值"), ("unit", "单位"), ("approx", "约数"),
               ("scope", "口径"), ("doc_id", "文档"), ("doc_type", "文档类型"), ("start", "起"), ("end", "止"),
               ("text", "原文"), ("url", "链接"))
DISCLOSED, NOT_DISCLOSED = "已披露", "未披露"


def _scope_cell(key: str, value) -> str | None:
    return SCOPE_LABELS.get(value, value) if key == "scope" and value else None


def figure_csv_row(f: Figure) -> dict:
    return f.as_row() | {"status": DISCLOSED}


def missing_csv_row(agency: str, year: int | None, metric: str, level: str, region: str, doc_id: str) -> dict:
    """A row for an agency-year whose report states no figure for the metric (links to the report)."""
    return {"metric": metric, "metric_label": metric_label(metric), "agency": agency, "year": year, "level": level,
            "region": region, "status": NOT_DISCLOSED, "doc_id": doc_id, "url": document_url(doc_id)}


def figures_csv(figures: list[Figure], base_url: str = "") -> str:
    """One row per agency × year × metric with its evidence (by metric, agency, year), in the CSV layout."""
    rows = (figure_csv_row(f) for f in sorted(figures, key=lambda f: (f.metric, f.agency, f.year or 0)))
    return "".join(csv_lines(CSV_COLUMNS, rows, base_url, _scope_cell))


def csv_text(rows: list[dict], base_url: str = "") -> str:
    """Rows already in order (figure_csv_row / missing_csv_row) in the CSV layout."""
    return "".join(csv_lines(CSV_COLUMNS, rows, base_url, _scope_cell))
