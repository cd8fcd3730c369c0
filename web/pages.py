"""The researcher's pages: search, document, compare, facts, documents."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for

from kb.browse import browse_documents, document_links
from kb.citation import citation
from kb.indexes.structured import DOC_TYPE_LABELS
from kb.questions import Question, parse_question
from kb.questions.figures import SCOPE_LABELS, csv_text, known_metrics, metric_label
from kb.questions.label import question_label
from kb.questions.table import TableFilters, facts_table, table_csv_rows
from kb.report.agency import LEVELS
from kb.report.facts import METRICS
from kb.search.compare import compare_agencies, passage_at, similar_passages
from kb.search.params import MODES, SORTS, SearchError
from kb.search.filters import FILTER_FIELDS, MULTI_FIELDS
from kb.text import to_simplified

from .engine import document_or_404, engine
from .params import facts_filters_param, filters_param, int_param, query_param, search_params
from .render import bar_list_html, document_html

pages = Blueprint("pages", __name__)
MODE_LABELS = {"hybrid": "混合", "keyword": "关键词", "semantic": "语义"}
SORT_LABELS = {"relevance": "相关度", "year": "年度（新→旧）", "year_asc": "年度（旧→新）", "agency": "机关"}
FIELD_LABELS = {"agency": "机关", "year": "年度", "region": "地区", "level": "层级", "doc_type": "类型", "doc_id": "文档"}
# What a document's figures cover (store.documents()["figure_scope"]).
DOC_SCOPE_LABELS = SCOPE_LABELS | {"mixed": "本机关及全地区"}
EXAMPLES = ("行政复议", "政務微博微信建設", "哪些机关依申请公开没有收取费用", "哪些机关的依申请公开数量超过50件",
            "administrative lawsuits dismissed")
QUERY_EXAMPLES = ('"政府信息公开" AND year:[2017 TO 2018]', "行政复议 NOT 诉讼", "微博 OR 微信", "机关:三门峡 -收费")
PAGE_WINDOW = 3


def _doc_options() -> dict[str, list[dict]]:
    """Filter choices when there is no query yet: every value with its document count."""
    docs = engine().store.documents()
    out = {}
    for facet in FILTER_FIELDS:
        counts: dict[str, int] = {}
        for d in docs:
            counts[str(d[facet])] = counts.get(str(d[facet]), 0) + 1
        out[facet] = [{"value": v, "count": n} for v, n in sorted(counts.items())]
    return out


@pages.app_context_processor
def labels():
    return {"MODE_LABELS": MODE_LABELS, "DOC_TYPE_LABELS": DOC_TYPE_LABELS, "METRICS": METRICS,
            "SORT_LABELS": SORT_LABELS, "FIELD_LABELS": FIELD_LABELS,
            "DOC_SCOPE_LABELS": DOC_SCOPE_LABELS}


def _args(**changes) -> dict[str, list[str]]:
    """The current query string (all values of repeated parameters) with some parameters replaced."""
    args = request.args.to_dict(flat=False)
    args.pop("offset", None)
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = value if isinstance(value, list) else [str(value)]
    return args


def _search_url(endpoint: str = "pages.search_page", **changes) -> str:
    return url_for(endpoint, **_args(**changes))


def chip_links(filters, docs: dict[str, str], endpoint: str = "pages.search_page") -> list[dict]:
    """Active filters as chips, each with the link that removes it."""
    chips = []
    for chip in filters.chips():
        name, value = chip["field"], chip["value"]
        if name in MULTI_FIELDS:
            remove = _search_url(endpoint, **{name: [v for v in request.args.getlist(name) if v.strip() != value] or None})
        elif name == "year":
            remove = _search_url(endpoint, year=None, year_from=None, year_to=None)
        else:
            remove = _search_url(endpoint, **{name: None})
        label = DOC_TYPE_LABELS.get(value, value) if name == "doc_type" else docs.get(value, value)
        chips.append({"field": name, "label": FIELD_LABELS[name], "value": label, "remove": remove})
    return chips


def facet_links(facets: dict[str, list[dict]], filters, endpoint: str = "pages.search_page") -> dict[str, list[dict]]:
    """Each facet value as a link that adds it to the filter (datasette style), with its count."""
    out = {}
    for name, values in facets.items():
        active = set(getattr(filters, name)) if name in MULTI_FIELDS else set()
        links = []
        for v in values:
            if not v["value"]:
                continue
            if name == "year":
                url = _search_url(endpoint, year=v["value"], year_from=None, year_to=None)
                selected = filters.year_from == filters.year_to == int(v["value"])
            else:
                selected = v["value"] in active
                url = _search_url(endpoint, **{name: request.args.getlist(name) + ([] if selected else [v["value"]])})
            links.append(v | {"url": url, "selected": selected,
                              "label": DOC_TYPE_LABELS.get(v["value"], v["value"]) if name == "doc_type" else v["value"]})
        out[name] = links
    return out


def pagination(total: int, k: int, offset: int, endpoint: str = "pages.search_page") -> dict | None:
    """Page numbers around the current one, first and last, previous and next."""
    if total <= k:
        return None
    pages_total = (total + k - 1) // k
    current = offset // k + 1
    shown = sorted({1, pages_total, *range(max(1, current - PAGE_WINDOW), min(pages_total, current + PAGE_WINDOW) + 1)})
    numbers, last = [], 0
    for n in shown:
        if n - last > 1:
            numbers.append(None)  # a gap
        numbers.append({"n": n, "url": _search_url(endpoint, offset=(n - 1) * k), "current": n == current})
        last = n
    return {"pages": numbers, "current": current, "count": pages_total,
            "prev": _search_url(endpoint, offset=(current - 2) * k) if current > 1 else None,
            "next": _search_url(endpoint, offset=current * k) if current < pages_total else None}


@pages.get("/")
def search_page():
    p = search_params(request.args, required=False)
    response, error = None, None
    if p["query"]:
        try:
            response = engine().search(p["query"], mode=p["mode"], k=p["k"], filters=p["filters"],
                                       offset=p["offset"], facets=True, sort=p["sort"])
        except SearchError as exc:
            error = str(exc)
    options = response["facets"] if response else _doc_options()
    # No query but filters: the matching documents (browsing from the search box's filters).
    browsed = None
    if not p["query"] and p["filters"].active() and error is None:
        browsed = [document_links(d) for d in browse_documents(engine().snapshot.documents(), p["filters"], "year")]
    titles = {d["doc_id"]: d["title"] for d in engine().store.documents()} if p["filters"].doc_id else {}
    exports = {fmt: _search_url("api.export", format=fmt, k=None) for fmt in ("csv", "json")} if response else {}
    return render_template("search.html", p=p, response=response, error=error, options=options,
                           facets=facet_links(options, p["filters"]) if response else None,
                           chips=chip_links(p["filters"], titles), modes=MODES, sorts=SORTS, exports=exports,
                           pager=pagination(response["total"], p["k"], p["offset"]) if response else None,
                           examples=EXAMPLES, query_examples=QUERY_EXAMPLES, filters=p["filters"], browsed=browsed,
                           browse_url=_search_url("pages.documents_page") if browsed is not None else None,
                           citations=_citations(response))


def _citations(response: dict | None) -> dict[str, str]:
    """doc_id -> citation of every document a page of results cites, its answer's evidence included."""
    if not response:
        return {}
    answer = response.get("answer") or {}
    cited = {r["doc_id"] for r in [*response["results"], *answer.get("rows", []), *answer.get("area_rows", [])]
             if r.get("doc_id")}
    return {d["doc_id"]: citation(d) for d in engine().snapshot.documents() if d["doc_id"] in cited}


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
    has_traditional = to_simplified(doc["text"]) != doc["text"]
    sections = store.sections(doc_id)
    cited_path = next((s["path"] for s in reversed(sections) if start is not None and s["start"] <= start), None)
    toggle = url_for("pages.document_page", doc_id=doc_id, **({"start": start, "end": end} if start is not None else {}),
                     **({} if simplified else {"script": "simplified"})) + ("#passage" if start is not None else "")
    cited = passage_at(engine(), doc_id, start) if start is not None else None
    similar = similar_passages(engine(), cited)["results"] if cited is not None else []
    return render_template("document.html", doc=document_links(doc), sections=sections, simplified=simplified, toggle=toggle,
                           body=document_html(doc["text"], sections, start, end, simplified), start=start, end=end,
                           cited_path=cited_path, has_traditional=has_traditional, similar=similar, cited=cited)


@pages.get("/compare")
def compare_page():
    q = query_param(request.args, required=False)
    k = int_param(request.args, "k", 3, 1, 20)
    filters = filters_param(request.args)
    result, error = None, None
    if q:
        try:
            result = compare_agencies(engine(), q, k, filters)
        except SearchError as exc:
            error = str(exc)
    csv_url = _search_url("api.compare", format="csv")
    return render_template("compare.html", q=q, k=k, result=result, error=error, filters=filters, csv_url=csv_url,
                           options=_doc_options(), chips=chip_links(filters, {}, "pages.compare_page"))


FACT_ROWS = 100  # agency-years on one facts page: the page's size follows what it shows, not the corpus
ORDER_LABELS = {"asc": "升序", "desc": "降序"}


def _facts_request() -> tuple[TableFilters, Question | None, str, str, str]:
    """The facts page's filters from the query string: (filters, question, question text, sort, order)."""
    args = request.args
    filters = facts_filters_param(args)
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
    table = facts_table(engine().snapshot, filters, question, sort, order)
    offset = min(int_param(request.args, "offset", 0, 0, 10**9), max(0, len(table.rows) - 1))
    offset -= offset % FACT_ROWS
    shown = table.rows[offset:offset + FACT_ROWS]
    charts = {m: bar_list_html([{"label": f"{r.agency} {r.year or ''}".strip(), "value": r.cells[m].value,
                                 "unit": r.cells[m].unit, "approx": r.cells[m].approx, "scope": r.cells[m].scope}
                                for r in shown if r.cells[m] is not None]) for m in table.metrics}
    docs = engine().store.documents()
    options = {"years": sorted({d["year"] for d in docs if d["year"]}),
               "regions": sorted({d["province"] for d in docs if d["province"]} | {d["city"] for d in docs if d["city"]}),
               "levels": [lv for lv in LEVELS if any(d["level"] == lv for d in docs)]}
    args = request.args.to_dict(flat=False)
    args.pop("offset", None)  # a new order starts at its first page

    def sort_url(column: str) -> str:
        flip = "desc" if table.sort == column and table.order == "asc" else "asc"
        if table.sort != column and column not in ("agency", "level", "region"):
            flip = "desc"  # numbers: largest first on the first click
        return url_for("pages.facts_page", **(args | {"sort": column, "order": flip}))

    return render_template("facts.html", table=table, charts=charts, filters=filters, question=question, q=q,
                           rows=shown, offset=offset,
                           evidence=[r.cells[m] for r in shown for m in table.metrics if r.cells[m] is not None],
                           pager=pagination(len(table.rows), FACT_ROWS, offset, "pages.facts_page"),
                           question_label=question_label(question) if question else "", options=options,
                           sort_url=sort_url, csv_url=url_for("pages.facts_csv", **args), labels=metric_label,
                           metric_choices=known_metrics(),
                           scope_labels=SCOPE_LABELS)


@pages.get("/facts.csv")
def facts_csv():
    """The facts page's rows as CSV, in the page's sort: one row per agency × year × metric, with its evidence,
    and the cells the page shows as 未披露 as rows marked so."""
    filters, question, _, sort, order = _facts_request()
    table = facts_table(engine().snapshot, filters, question, sort, order)
    return Response(csv_text(table_csv_rows(table), request.host_url), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=kb-facts.csv"})


@pages.app_template_filter("answer_units")
def answer_units(answer: dict) -> list[dict]:
    """Answer rows grouped by agency-year, in answer order: {agency, year, cells: {metric: row}}."""
    units: dict[tuple, dict] = {}
    for r in answer["rows"]:
        unit = units.setdefault((r["agency"], r["year"]), {"agency": r["agency"], "year": r["year"], "cells": {}})
        unit["cells"][r["metric"]] = r
    return list(units.values())
