"""The facts table: agency-years × metrics from the standing figures, filtered, sorted, with totals,
year-over-year changes and numbered evidence (the facts page and its CSV)."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from itertools import pairwise

from kb.search.filters import Filters, document_matches
from kb.search.params import SearchError

from .figures import (
    Figure,
    figure_csv_row,
    figures_in,
    in_group,
    known_metrics,
    missing_csv_row,
    totals_by_year,
    unit_documents,
)
from .model import Question

FIXED_COLUMNS = ("agency", "year", "level", "region")


@dataclass
class TableFilters(Filters):
    """The document filters every endpoint takes (kb.search.filters), and the metrics of the facts table."""
    metrics: tuple[str, ...] = ()

    def matches(self, doc: dict) -> bool:
        return document_matches(doc, self)


def table_filters(metrics=(), documents: Filters | None = None) -> TableFilters:
    """The filters of a facts request, checked once for the API, the facts page and the CLI."""
    unknown = [m for m in metrics if m not in known_metrics()]
    if unknown:
        raise SearchError("metric", f"metric must be one of {', '.join(known_metrics())}; got {unknown[0][:40]!r}")
    documents = documents or Filters()
    return TableFilters(**{f.name: getattr(documents, f.name) for f in fields(Filters)}, metrics=tuple(metrics))


@dataclass
class Row:
    agency: str
    year: int | None
    level: str
    region: str
    doc_id: str
    cells: dict[str, Figure | None]
    changes: dict[str, float | None] = field(default_factory=dict)   # against the agency's previous year shown
    previous_year: int | None = None


@dataclass
class FactsTable:
    metrics: list[str]
    rows: list[Row]
    totals: dict[str, dict]
    evidence: list[Figure]            # every figure shown, numbered in table order (1-based on the page)
    year_over_year: bool
    sort: str
    order: str

    def evidence_number(self, figure: Figure) -> int:
        return self._numbers[id(figure)]

    def __post_init__(self):
        self._numbers = {id(f): i for i, f in enumerate(self.evidence, start=1)}


def sort_columns(metrics: list[str]) -> list[str]:
    return list(FIXED_COLUMNS) + metrics + [f"{m}:change" for m in metrics]


def facts_table(store, filters: TableFilters, question: Question | None = None, sort: str = "agency",
                order: str = "asc") -> FactsTable:
    docs = [d for d in store.documents() if filters.matches(d) and (question is None or in_group(question.group, d))]
    units = unit_documents(docs)
    wanted = list(filters.metrics) or (question.metrics if question else [])
    figures = figures_in(store, docs, wanted or None)
    metrics = wanted or [m for m in known_metrics() if any(k[2] == m for k in figures)]
    rows = []
    for (agency, year), doc in units.items():
        cells = {m: figures.get((agency, year, m)) for m in metrics}
        if question is not None and not question.selects({m: f.value if f else None for m, f in
                                                           ((m, figures.get((agency, year, m))) for m in question.metrics)}):
            continue
        rows.append(Row(agency, year, doc["level"], doc["region"], doc["doc_id"], cells))
    year_over_year = _add_changes(rows, metrics)
    if sort not in sort_columns(metrics):
        sort = "agency"
    rows = _sorted(rows, sort, order)
    totals = {m: _total([r.cells[m] for r in rows if r.cells[m] is not None]) for m in metrics}
    evidence = [r.cells[m] for r in rows for m in metrics if r.cells[m] is not None]
    return FactsTable(metrics, rows, totals, evidence, year_over_year, sort, order)


def _add_changes(rows: list[Row], metrics: list[str]) -> bool:
    """Each row's change against the same agency's previous year in the table; True when any agency has two."""
    by_agency: dict[str, list[Row]] = {}
    for r in rows:
        by_agency.setdefault(r.agency, []).append(r)
    several = False
    for years in by_agency.values():
        years.sort(key=lambda r: r.year or 0)
        several = several or len(years) > 1
        for before, row in pairwise(years):
            row.previous_year = before.year
            for m in metrics:
                a, b = before.cells[m], row.cells[m]
                row.changes[m] = None if a is None or b is None else b.value - a.value
    return several


def _sorted(rows: list[Row], sort: str, order: str) -> list[Row]:
    """Sorted by one column; rows without a value in it go last in either order."""
    def value(r: Row):
        if sort in FIXED_COLUMNS:
            return getattr(r, sort)
        if sort.endswith(":change"):
            return r.changes.get(sort[:-len(":change")])
        f = r.cells.get(sort)
        return None if f is None else f.value

    present = [r for r in rows if value(r) not in (None, "")]
    absent = [r for r in rows if value(r) in (None, "")]
    present.sort(key=lambda r: (r.agency, r.year or 0))
    present.sort(key=value, reverse=order == "desc")
    absent.sort(key=lambda r: (r.agency, r.year or 0))
    return present + absent


def _total(figures: list[Figure]) -> dict:
    """A column's total; over several reporting years one total per year (by_year) and no single value."""
    scopes = sorted({f.scope for f in figures})
    by_year = totals_by_year([f.as_row() for f in figures])
    several = len(by_year) > 1
    return {"value": sum(f.value for f in figures) if figures and not several else None, "count": len(figures),
            "approx": any(f.approx for f in figures), "scopes": scopes, "mixed_scope": len(scopes) > 1,
            "unit": figures[0].unit if figures else "", "by_year": by_year if several else None}


def table_csv_rows(table: FactsTable) -> list[dict]:
    """The facts table as CSV rows in the table's own order (its sort): each agency-year × metric, a
    figure with its evidence or, where the page shows 未披露, a row saying so."""
    return [figure_csv_row(r.cells[m]) if r.cells[m] is not None
            else missing_csv_row(r.agency, r.year, m, r.level, r.region, r.doc_id)
            for r in table.rows for m in table.metrics]
