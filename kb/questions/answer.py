"""Answering a question from the store's figures: complete, each row with its evidence.

Every agency-year in scope (the question's group and the search filters) is looked at, so an answer
is the whole set, not the best matches; agencies in scope with no figure are listed as `missing`.
"""
from __future__ import annotations

import re
from urllib.parse import urlencode

from kb.search.filters import Filters, document_matches
from kb.urls import document_url

from .figures import Figure, Unit, figures_in, in_group, metric_label, totals_by_year, unit_documents
from .label import OP_LABELS, condition_label, question_label
from .model import Question
from .parse import parse_question


def facts_url(query: str) -> str:
    """The same question as a facts-page query."""
    return "/facts?" + urlencode({"q": query})


def answer_question(query: str, store, filters: Filters | None = None) -> dict | None:
    """The answer to a question over the figures, or None when the query is an ordinary search."""
    question = parse_question(query or "")
    if question is None:
        return None
    return answer(question, store, filters) | {"facts_url": facts_url(query)}


def scope_documents(question: Question, store, filters: Filters | None = None) -> list[dict]:
    docs = store.documents()
    if filters is not None and filters.active():
        docs = [d for d in docs if document_matches(d, filters)]
    return [d for d in docs if in_group(question.group, d)]


def _missing_row(unit: Unit, metric: str, doc: dict) -> dict:
    return {"agency": unit[0], "year": unit[1], "metric": metric, "metric_label": metric_label(metric), "value": None,
            "unit": "", "approx": False, "scope": None, "level": doc["level"], "region": doc["region"],
            "doc_id": doc["doc_id"], "doc_type": doc["doc_type"], "text": "", "start": None, "end": None,
            "url": document_url(doc["doc_id"])}


def answer(question: Question, store, filters: Filters | None = None) -> dict:
    docs = scope_documents(question, store, filters)
    units = unit_documents(docs)
    figures = figures_in(store, docs, question.metrics)

    def figure(unit: Unit, metric: str) -> Figure | None:
        return figures.get((unit[0], unit[1], metric))

    def value(unit: Unit, metric: str) -> float | None:
        f = figure(unit, metric)
        return None if f is None else f.value

    selected = [u for u in units if question.selects({m: value(u, m) for m in question.metrics})]
    metric = question.metric
    total = None
    series = None
    by_year = None
    area = []    # area-wide figures a ranking does not compare with agencies' own, shown apart
    if question.kind in ("top", "total"):
        selected = [u for u in selected if value(u, metric) is not None]
    def area_wide(unit: Unit) -> bool:
        f = figure(unit, metric)
        return f is not None and f.scope == "area"

    compares_agencies = not asks_about_areas(question)
    if question.kind in ("top", "count") and compares_agencies:
        # A ranking or a count compares agencies' own figures; area-wide ones are listed apart.
        area = [u for u in selected if area_wide(u)]
        selected = [u for u in selected if not area_wide(u)]
    if question.kind == "top":
        sign = -1 if question.order == "desc" else 1
        ranked = sorted(selected, key=lambda u: (sign * value(u, metric), u[0], u[1] or 0))
        cut = ranked if question.limit is None else ranked[:question.limit]
        if cut:  # ties with the last one stand too
            last = value(cut[-1], metric)
            cut += [u for u in ranked[len(cut):] if value(u, metric) == last]
        selected = cut
    else:
        # A list names every agency that qualifies; area-wide figures follow the agencies' own, marked.
        selected.sort(key=lambda u: (compares_agencies and area_wide(u), value(u, metric) is None,
                                     -(value(u, metric) or 0), u[0], u[1] or 0))
    if question.kind == "compare":
        years = set(question.compare_years) or {u[1] for u in selected}
        selected = [u for u in selected if u[1] in years]
        series = _series(selected, metric, value, sorted(y for y in years if y is not None))
        selected.sort(key=lambda u: (u[0], u[1] or 0))
    rows = [figure(u, m).as_row() if figure(u, m) else _missing_row(u, m, units[u])
            for u in selected for m in question.metrics]
    answer_rows = [r for r in rows if r["metric"] == metric and r["value"] is not None]
    if question.kind in ("total", "compare") and question.group.year is None:
        by_year = totals_by_year(answer_rows)
        by_year = by_year if len(by_year) > 1 else None
    if question.kind == "total" and by_year is None:
        total = sum(r["value"] for r in answer_rows)   # one year: over several, one total per year, never one sum
    elif question.kind == "count":
        total = float(len({u[0] for u in selected}))
    scopes = sorted({r["scope"] for r in answer_rows})
    approx = any(r["approx"] for r in rows if r["value"] is not None)
    missing = [{"agency": u[0], "year": u[1], "doc_id": units[u]["doc_id"]}
               for u in sorted(units, key=lambda u: (u[0], u[1] or 0)) if value(u, metric) is None]
    out = {
        "kind": question.kind, "metric": metric, "metric_label": metric_label(metric),
        "conditions": [c.as_dict() | {"metric_label": metric_label(c.metric), "label": condition_label(c),
                                      "op_label": OP_LABELS[c.op]} for c in question.conditions],
        "combine": question.combine, "group": question.group.as_dict(), "year": question.group.year,
        "order": question.order, "limit": question.limit, "compare_years": list(question.compare_years),
        "label": question_label(question), "rows": rows, "value": total, "approx": approx,
        "scopes": scopes, "mixed_scope": question.kind == "total" and len(scopes) > 1,
        "missing": missing, "agencies": len({u[0] for u in selected}), "series": series,
        "totals_by_year": by_year, "area_rows": [figure(u, metric).as_row() for u in area],
    }
    out["notes"] = _notes(out)
    return out


def asks_about_areas(question: Question) -> bool:
    """A question about areas (全市, 各地区) compares area-wide figures; one about agencies, their own."""
    return bool(re.search(r"全市|全县|全区|全省|地区|全地区|政府系统|\barea", question_label(question)))


def _series(units: list[Unit], metric: str, value, years: list[int]) -> list[dict]:
    """compare: per agency, its figure in each year and the change from the first year to the last."""
    by_agency: dict[str, dict] = {}
    for agency, year in units:
        by_agency.setdefault(agency, {})[str(year)] = value((agency, year), metric)
    out = []
    for agency, values in sorted(by_agency.items()):
        first, last = (values.get(str(years[0])), values.get(str(years[-1]))) if years else (None, None)
        change = None if first is None or last is None or len(years) < 2 else last - first
        out.append({"agency": agency, "values": {str(y): values.get(str(y)) for y in years}, "change": change})
    return out


def _notes(a: dict) -> list[str]:
    """What a reader must know to read the answer right, in Chinese."""
    notes = []
    if a["totals_by_year"]:
        years = "、".join(str(t["year"] or "年度不详") for t in a["totals_by_year"])
        notes.append(f"问题未限定年度，数字来自多个年度（{years}）：按年度分别合计，不跨年度相加。")
    if a["area_rows"]:
        what = "计数" if a["kind"] == "count" else "排名"
        notes.append(f"{len(a['area_rows'])} 个全市（全县）政府系统的合计数字与机关本身的数字口径不同，未参加{what}，另列于下。")
    if a["approx"]:
        notes.append("部分数字是报告中的约数（如“80余件”），按所写数字计算。")
    if a["mixed_scope"]:
        notes.append("合计中既有机关本身的数字，也有全市（全县）政府系统的数字，口径不同，相加仅供参考。")
    elif "area" in a["scopes"]:
        notes.append("标“全地区”的数字是全市（全县）政府系统的合计，不是该机关本身的数字。")
    if a["missing"] and not any(c["op"] == "missing" for c in a["conditions"]):
        names = "、".join(m["agency"] for m in a["missing"][:6]) + ("等" if len(a["missing"]) > 6 else "")
        notes.append(f"{len(a['missing'])} 个机关的报告未披露{a['metric_label']}，未计入：{names}。")
    return notes
