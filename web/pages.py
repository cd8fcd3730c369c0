"""The researcher's pages: search, document, compare, facts, documents."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for

from kb.questions import Question, parse_question
from kb.questions.figures import SCOPE_LABELS, figures_csv, known_metrics, metric_label
from kb.questions.label import question_label
from kb.questions.table import TableFilters, facts_table
from kb.report.agency import LEVELS
from kb.report.facts import METRICS
from kb.search.compare import compare_agencies
from kb.search.engine import MODES

from .engine import document_or_404, engine
from .errors import ApiError
from .params import filters_param, int_param, query_param, search_params
from .render import bar_list_html, document_html

pages = Blueprint("pages", __name__)
MODE_LABELS = {"hybrid": "混合", "keyword": "关键词", "semantic": "语义"}
DOC_TYPE_LABELS = {"annual_report": "年度报告", "work_plan": "工作方案", "guide": "公开指南", "catalogue": "公开目录",
                   "other": "其他"}
# What a document's figures cover (store.documents()["figure_scope"]).
DOC_SCOPE_LABELS = SCOPE_LABELS | {"mixed": "本机关及全地区"}
EXAMPLES = ("行政复议", "政務微博微信建設", "哪些机关依申请公开没有收取费用", "哪些机关的依申请公开数量超过50件",
            "administrative lawsuits dismissed")


def _doc_options() -> dict[str, list[dict]]:
    """Filter choices when there is no query yet: every value with its document count."""
    docs = engine().store.documents()
    out = {}
    for facet in ("agency", "year", "region", "doc_type"):
        counts: dict[str, int] = {}
        for d in docs:
            counts[str(d[facet])] = counts.get(str(d[facet]), 0) + 1
        out[facet] = [{"value": v, "count": n} for v, n in sorted(counts.items())]
    return out


@pages.app_context_processor
def labels():
    return {"MODE_LABELS": MODE_LABELS, "DOC_TYPE_LABELS": DOC_TYPE_LABELS, "METRICS": METRICS,
            "DOC_SCOPE_LABELS": DOC_SCOPE_LABELS}


@pages.get("/")
def search_page():
    p = search_params(request.args, required=False)
    response = None
    if p["query"]:
        response = engine().search(p["query"], mode=p["mode"], k=p["k"], filters=p["filters"], offset=p["offset"],
                                   facets=True)
    options = response["facets"] if response else _doc_options()
    more = None
    if response and p["offset"] + p["k"] < response["total"]:
        args = request.args.to_dict() | {"offset": p["offset"] + p["k"]}
        more = url_for("pages.search_page", **args)
    return render_template("search.html", p=p, response=response, options=options, modes=MODES, more=more,
                           examples=EXAMPLES, filters=vars(p["filters"]))


@pages.get("/documents")
def documents_page():
    """All documents, filtered by level (国家级 … 乡镇级) with a count per level."""
    documents = engine().store.documents()
    level = request.args.get("level") or None
    if level is not None and level not in LEVELS:
        raise ApiError(400, "invalid_parameter", f"level must be one of {', '.join(LEVELS)}; got {level[:40]!r}")
    counts = {lv: sum(d["level"] == lv for d in documents) for lv in LEVELS}
    shown = [d for d in documents if level is None or d["level"] == level]
    return render_template("documents.html", documents=shown, total=len(documents), level=level, level_counts=counts)


@pages.get("/documents/<doc_id>")
def document_page(doc_id: str):
    store = engine().store
    doc = document_or_404(doc_id)
    n = len(doc["text"])
    start = int_param(request.args, "start", None, 0, n)
    end = int_param(request.args, "end", None, 0, n)
    if (start is None) != (end is None) or (start is not None and start >= end):
        start = end = None
    simplified = request.args.get("script") == "simplified"
    sections = store.sections(doc_id)
    cited_path = next((s["path"] for s in reversed(sections) if start is not None and s["start"] <= start), None)
    toggle = url_for("pages.document_page", doc_id=doc_id, **({"start": start, "end": end} if start is not None else {}),
                     **({} if simplified else {"script": "simplified"})) + ("#passage" if start is not None else "")
    return render_template("document.html", doc=doc, sections=sections, simplified=simplified, toggle=toggle,
                           body=document_html(doc["text"], sections, start, end, simplified), start=start, end=end,
                           cited_path=cited_path)


@pages.get("/compare")
def compare_page():
    q = query_param(request.args, required=False)
    k = int_param(request.args, "k", 3, 1, 20)
    filters = filters_param(request.args)
    result = compare_agencies(engine(), q, k, filters) if q else None
    return render_template("compare.html", q=q, k=k, result=result, filters=vars(filters), options=_doc_options())


LEVEL_CHOICES = ("国家级", "省级", "市级", "区县级", "乡镇级")
ORDER_LABELS = {"asc": "升序", "desc": "降序"}


def _facts_request() -> tuple[TableFilters, Question | None, str, str, str]:
    """The facts page's filters from the query string: (filters, question, question text, sort, order)."""
    args = request.args
    metrics = tuple(m for m in args.getlist("metric") if m)
    unknown = [m for m in metrics if m not in known_metrics()]
    if unknown:
        raise ApiError(400, "invalid_parameter", f"metric must be one of {', '.join(known_metrics())}; "
                                                 f"got {unknown[0][:40]!r}")
    year = int_param(args, "year", None, 1900, 2100)
    filters = TableFilters(metrics=metrics, agency=args.get("agency") or None, level=args.get("level") or None,
                           region=args.get("region") or None,
                           year_from=year if year is not None else int_param(args, "year_from", None, 1900, 2100),
                           year_to=year if year is not None else int_param(args, "year_to", None, 1900, 2100))
    q = query_param(args, required=False)
    question = parse_question(q) if q else None
    order = args.get("order") if args.get("order") in ORDER_LABELS else "asc"
    sort = args.get("sort") or (question.metric if question else "agency")
    if question and question.kind == "top" and not args.get("order"):
        order = question.order
    return filters, question, q, sort, order


@pages.get("/facts")
def facts_page():
    filters, question, q, sort, order = _facts_request()
    table = facts_table(engine().store, filters, question, sort, order)
    charts = {m: bar_list_html([{"label": f"{r.agency} {r.year or ''}".strip(), "value": r.cells[m].value,
                                 "unit": r.cells[m].unit, "approx": r.cells[m].approx, "scope": r.cells[m].scope}
                                for r in table.rows if r.cells[m] is not None]) for m in table.metrics}
    docs = engine().store.documents()
    options = {"years": sorted({d["year"] for d in docs if d["year"]}),
               "regions": sorted({d["province"] for d in docs if d["province"]} | {d["city"] for d in docs if d["city"]}),
               "levels": [lv for lv in LEVEL_CHOICES if any(d["level"] == lv for d in docs)]}
    args = request.args.to_dict(flat=False)

    def sort_url(column: str) -> str:
        flip = "desc" if table.sort == column and table.order == "asc" else "asc"
        if table.sort != column and column not in ("agency", "level", "region"):
            flip = "desc"  # numbers: largest first on the first click
        return url_for("pages.facts_page", **(args | {"sort": column, "order": flip}))

    return render_template("facts.html", table=table, charts=charts, filters=filters, question=question, q=q,
                           question_label=question_label(question) if question else "", options=options,
                           sort_url=sort_url, csv_url=url_for("pages.facts_csv", **args), labels=metric_label,
                           metric_choices=known_metrics(),
                           scope_labels=SCOPE_LABELS)


@pages.get("/facts.csv")
def facts_csv():
    """The facts page's rows as CSV: one row per agency × year × metric, with its evidence."""
    filters, question, _, sort, order = _facts_request()
    table = facts_table(engine().store, filters, question, sort, order)
    return Response(figures_csv(table.evidence, request.host_url), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=kb-facts.csv"})


@pages.app_template_filter("answer_units")
def answer_units(answer: dict) -> list[dict]:
    """Answer rows grouped by agency-year, in answer order: {agency, year, cells: {metric: row}}."""
    units: dict[tuple, dict] = {}
    for r in answer["rows"]:
        unit = units.setdefault((r["agency"], r["year"]), {"agency": r["agency"], "year": r["year"], "cells": {}})
        unit["cells"][r["metric"]] = r
    return list(units.values())
