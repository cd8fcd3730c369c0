"""The JSON API (GET only): health, search, documents, facts, compare, openapi."""
from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response, jsonify, request, stream_with_context

from kb.questions.figures import figures_csv, known_metrics
from kb.questions.table import TableFilters, facts_table
from kb.report.facts import METRICS
from kb.search.compare import compare_agencies
from kb.search.engine import SearchError

from .engine import document_or_404, engine
from .errors import ApiError
from .openapi import openapi_document
from .params import filters_param, int_param, query_param, search_params, text_param

api = Blueprint("api", __name__)


@api.get("/health")
def health():
    e = engine()
    counts = e.store.counts()
    return jsonify({"status": "ok", "documents": counts["documents"], "chunks": counts["chunks"],
                    "facts": counts["facts"], "model": e.indexes.params["model"]})


def bad_search(exc: SearchError) -> ApiError:
    return ApiError(400, "invalid_query" if exc.param == "q" else "invalid_parameter", f"{exc.param}: {exc}")


@api.get("/search")
def search():
    p = search_params(request.args)
    facets = request.args.get("facets") in ("1", "true", "yes")
    try:
        return jsonify(engine().search(p["query"], mode=p["mode"], k=p["k"], filters=p["filters"],
                                       offset=p["offset"], facets=facets, sort=p["sort"]))
    except SearchError as exc:
        raise bad_search(exc) from None


EXPORT_COLUMNS = ("rank", "score", "keyword_score", "semantic_score", "agency", "year", "doc_type", "region",
                  "title", "section", "text", "doc_id", "chunk_id", "start", "end", "url")


def _csv_row(r: dict) -> list:
    flat = r | {"keyword_score": r["scores"]["keyword"], "semantic_score": r["scores"]["semantic"],
                "section": " › ".join(r["section"])}
    return ["" if flat[c] is None else flat[c] for c in EXPORT_COLUMNS]


@api.get("/export")
def export():
    """Every passage the search ranks (not one page), as CSV (UTF-8 with BOM, for Excel) or JSON."""
    p = search_params(request.args)
    fmt = request.args.get("format") or "csv"
    if fmt not in ("csv", "json"):
        raise ApiError(400, "invalid_parameter", f"format must be csv or json; got {fmt[:40]!r}")
    try:
        total, records = engine().export(p["query"], mode=p["mode"], filters=p["filters"], sort=p["sort"])
    except SearchError as exc:
        raise bad_search(exc) from None

    if fmt == "json":
        def body():
            head = {"query": p["query"], "mode": p["mode"], "sort": p["sort"], "total": total}
            yield json.dumps(head, ensure_ascii=False)[:-1] + ', "results": ['
            for i, r in enumerate(records):
                yield ("," if i else "") + "\n" + json.dumps(r, ensure_ascii=False)
            yield "\n]}\n"
        return Response(stream_with_context(body()), mimetype="application/json",
                        headers={"Content-Disposition": "attachment; filename=kb-search.json"})

    def csv_body():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_COLUMNS)
        yield "\ufeff" + buffer.getvalue()
        for r in records:
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(_csv_row(r))
            yield buffer.getvalue()
    return Response(stream_with_context(csv_body()), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=kb-search.csv"})


@api.get("/documents")
def documents():
    return jsonify({"documents": engine().store.documents()})


@api.get("/documents/<doc_id>")
def document(doc_id: str):
    doc = document_or_404(doc_id)
    return jsonify(doc | {"sections": engine().store.sections(doc_id), "url": f"/documents/{doc_id}"})


FACTS_LIMIT = 1000  # figures in one /api/facts answer unless `limit` asks for fewer or more (up to 10,000)


@api.get("/facts")
def facts():
    """The standing figure of every agency × year × metric, with its evidence (JSON, one page of `limit` from
    `offset` with the total; or CSV for Excel, all of them)."""
    metric = request.args.get("metric") or None
    if metric and metric not in known_metrics():
        raise ApiError(400, "invalid_parameter", f"metric must be one of {', '.join(known_metrics())}; got {metric[:40]!r}")
    year = int_param(request.args, "year", None, 1900, 2100)
    limit = int_param(request.args, "limit", FACTS_LIMIT, 1, 10 * FACTS_LIMIT)
    offset = int_param(request.args, "offset", 0, 0, 10**9)
    fmt = request.args.get("format") or "json"
    if fmt not in ("json", "csv"):
        raise ApiError(400, "invalid_parameter", f"format must be json or csv; got {fmt[:40]!r}")
    table = facts_table(engine().snapshot, TableFilters(metrics=(metric,) if metric else (),
                                                     agency=text_param(request.args, "agency"),
                                                     year_from=year, year_to=year))
    if fmt == "csv":
        return Response(figures_csv(table.evidence, request.host_url), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": "attachment; filename=kb-facts.csv"})
    return jsonify({"total": len(table.evidence), "offset": offset, "limit": limit,
                    "facts": [f.as_row() for f in table.evidence[offset:offset + limit]], "metrics": METRICS})


@api.get("/compare")
def compare():
    q = query_param(request.args, required=True)
    k = int_param(request.args, "k", 3, 1, 20)
    try:
        return jsonify(compare_agencies(engine(), q, k, filters_param(request.args)))
    except SearchError as exc:
        raise bad_search(exc) from None


@api.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
