"""The researcher's pages: search, document, compare, facts, documents."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from kb.report.facts import METRICS
from kb.search.compare import compare_agencies
from kb.report.agency import LEVELS
from kb.search.engine import MODES

from .engine import document_or_404, engine
from .errors import ApiError
from .params import filters_param, int_param, query_param, search_params
from .render import bar_chart_svg, document_html

pages = Blueprint("pages", __name__)
MODE_LABELS = {"hybrid": "混合", "keyword": "关键词", "semantic": "语义"}
DOC_TYPE_LABELS = {"annual_report": "年度报告", "work_plan": "工作方案", "guide": "公开指南", "catalogue": "公开目录",
                   "other": "其他"}
# What a document's figures cover (store.documents()["figure_scope"]).
SCOPE_LABELS = {"agency": "本机关", "area": "全地区", "mixed": "本机关及全地区"}
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
            "SCOPE_LABELS": SCOPE_LABELS}


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


@pages.get("/facts")
def facts_page():
    facts = engine().store.facts()
    agencies = sorted({(f["agency"], f["year"]) for f in facts}, key=lambda a: (a[0], a[1] or 0))
    table: dict[tuple, dict[str, dict]] = {a: {} for a in agencies}
    for f in facts:
        table[(f["agency"], f["year"])].setdefault(f["metric"], f)  # the first statement in the document
    metrics = [m for m in METRICS if any(m in row for row in table.values())]
    charts = {m: bar_chart_svg([{"label": f"{a[0]} {a[1] or ''}", "value": row[m]["value"], "unit": row[m]["unit"]}
                                for a, row in table.items() if m in row]) for m in metrics}
    return render_template("facts.html", agencies=agencies, table=table, metrics=metrics, charts=charts)
