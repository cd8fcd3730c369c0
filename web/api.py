"""The JSON API (GET only): health, search, export, documents, agencies, facts, compare, openapi."""
from __future__ import annotations

import json
import os

from flask import Blueprint, Response, jsonify, request, stream_with_context

from kb.agencies import group_agencies
from kb.browse import browse_documents, document_facets, document_links, place_tree
from kb.csvfile import csv_lines
from kb.questions.figures import figures_csv
from kb.questions.table import facts_table
from kb.report.facts import METRICS
from kb.search.compare import compare_agencies, compare_csv, similar_passages

from .browse import agency_or_404
from .engine import document_or_404, engine
from .errors import ApiError
from .openapi import openapi_document
from .params import choice_param, facts_filters_param, filters_param, int_param, query_param, search_params

api = Blueprint("api", __name__)


@api.get("/health")
def health():
    e = engine()
    counts = e.store.counts()
    return jsonify({"status": "ok", "documents": counts["documents"], "chunks": counts["chunks"],
                    "facts": counts["facts"], "model": model_name(e.indexes.params["model"])})


def model_name(model: str) -> str:
    """A model given as a local folder is named by its folder's name: no server path leaves the server."""
    return os.path.basename(model.rstrip("/")) if os.path.isabs(model) else model


@api.get("/search")
def search():
    p = search_params(request.args)
    facets = request.args.get("facets") in ("1", "true", "yes")
    return jsonify(engine().search(p["query"], mode=p["mode"], k=p["k"], filters=p["filters"],
                                   offset=p["offset"], facets=facets, sort=p["sort"]))


# The search export in the one CSV layout (kb/csvfile.py).
EXPORT_COLUMNS = (("rank", "名次"), ("score", "得分"), ("keyword_score", "关键词得分"), ("semantic_score", "语义得分"),
                  ("agency", "机关"), ("year", "年度"), ("doc_type", "文档类型"), ("region", "地区"), ("title", "标题"),
                  ("section", "章节"), ("text", "原文"), ("doc_id", "文档"), ("chunk_id", "段落"), ("start", "起"),
                  ("end", "止"), ("url", "链接"))


def _csv_row(r: dict) -> dict:
    return r | {"keyword_score": r["scores"]["keyword"], "semantic_score": r["scores"]["semantic"],
                "section": " › ".join(r["section"])}


@api.get("/export")
def export():
    """Every passage the search ranks (not one page), as CSV (UTF-8 with BOM, for Excel) or JSON."""
    p = search_params(request.args)
    fmt = choice_param(request.args, "format", ("csv", "json"), "csv")
    total, records = engine().export(p["query"], mode=p["mode"], filters=p["filters"], sort=p["sort"])

    if fmt == "json":
        def body():
            head = {"query": p["query"], "mode": p["mode"], "sort": p["sort"], "total": total}
            yield json.dumps(head, ensure_ascii=False)[:-1] + ', "results": ['
            for i, r in enumerate(records):
                yield ("," if i else "") + "\n" + json.dumps(r, ensure_ascii=False)
            yield "\n]}\n"
        return Response(stream_with_context(body()), mimetype="application/json",
                        headers={"Content-Disposition": "attachment; filename=kb-search.json"})

    csv_body = csv_lines(EXPORT_COLUMNS, (_csv_row(r) for r in records), request.host_url)
    return Response(stream_with_context(csv_body), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=kb-search.csv"})


@api.get("/documents")
def documents():
    """Documents filtered like search (region, level, year, doc_type, agency), with facets and the place tree."""
    filters = filters_param(request.args)
    docs = engine().snapshot.documents()
    shown = [document_links(d) for d in browse_documents(docs, filters)]
    return jsonify({"total": len(shown), "documents": shown, "facets": document_facets(docs, filters),
                    "places": place_tree(docs)})


@api.get("/documents/<doc_id>")
def document(doc_id: str):
    doc = document_or_404(doc_id)
    return jsonify(document_links(doc) | {"sections": engine().store.sections(doc_id)})


@api.get("/agencies")
def agencies():
    """Agencies of the documents the filters allow: level, region, number of reports, years covered."""
    docs = browse_documents(engine().snapshot.documents(), filters_param(request.args))
    found = [a.summary() for a in group_agencies(docs)]
    return jsonify({"total": len(found), "agencies": found})


@api.get("/agencies/<agency_id>")
def agency(agency_id: str):
    """One agency: its reports by year, its figures (year × metric) and each metric's series."""
    return jsonify(agency_or_404(agency_id))


FACTS_LIMIT = 1000  # figures in one /api/facts answer unless `limit` asks for fewer or more (up to 10,000)


@api.get("/facts")
def facts():
    """The standing figure of every agency × year × metric, with its evidence (JSON, one page of `limit` from
    `offset` with the total; or CSV for Excel, all of them)."""
    fmt = choice_param(request.args, "format", ("json", "csv"), "json")
    limit = int_param(request.args, "limit", FACTS_LIMIT, 1, 10 * FACTS_LIMIT)
    offset = int_param(request.args, "offset", 0, 0, 10**9)
    table = facts_table(engine().snapshot, facts_filters_param(request.args))
    if fmt == "csv":
        return Response(figures_csv(table.evidence, request.host_url), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": "attachment; filename=kb-facts.csv"})
    return jsonify({"total": len(table.evidence), "offset": offset, "limit": limit,
                    "facts": [f.as_row() for f in table.evidence[offset:offset + limit]], "metrics": METRICS})


@api.get("/compare")
def compare():
    """One row per agency mentioning the topic, its best passages side by side; JSON, or CSV for Excel."""
    q = query_param(request.args, required=True)
    k = int_param(request.args, "k", 3, 1, 20)
    fmt = choice_param(request.args, "format", ("json", "csv"), "json")
    result = compare_agencies(engine(), q, k, filters_param(request.args))
    if fmt == "csv":
        return Response(compare_csv(result, request.host_url), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": "attachment; filename=kb-compare.csv"})
    return jsonify(result)


@api.get("/similar")
def similar():
    """The passages of other agencies most similar to one passage (其他机关的类似表述)."""
    chunk_id = int_param(request.args, "chunk_id", None, 0, 2**62)
    if chunk_id is None:
        raise ApiError(400, "missing_parameter", "chunk_id is required: a result's chunk_id")
    k = int_param(request.args, "k", 5, 1, 20)
    try:
        return jsonify(similar_passages(engine(), chunk_id, k))
    except KeyError:
        raise ApiError(404, "not_found", f"no passage {chunk_id}") from None


@api.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
