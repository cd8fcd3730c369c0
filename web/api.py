"""The JSON API (GET only): health, search, documents, facts, compare, openapi."""
from __future__ import annotations

import csv
import io
import json

from flask import Blueprint, Response, jsonify, request, stream_with_context

from kb.questions.figures import figures_csv
from kb.questions.table import facts_table
from kb.report.facts import METRICS
from kb.search.compare import compare_agencies, compare_csv, similar_passages
from kb.urls import document_url

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
                    "facts": counts["facts"], "model": e.indexes.params["model"]})


@api.get("/search")
def search():
    p = search_params(request.args)
    facets = request.args.get("facets") in ("1", "true", "yes")
    return jsonify(engine().search(p["query"], mode=p["mode"], k=p["k"], filters=p["filters"],
                                   offset=p["offset"], facets=facets, sort=p["sort"]))


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
    return jsonify(doc | {"sections": engine().store.sections(doc_id), "url": document_url(doc_id)})


@api.get("/facts")
def facts():
    """The standing figure of every agency × year × metric, with its evidence (JSON, or CSV for Excel)."""
    fmt = choice_param(request.args, "format", ("json", "csv"), "json")
    table = facts_table(engine().snapshot, facts_filters_param(request.args))
    if fmt == "csv":
        return Response(figures_csv(table.evidence, request.host_url), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": "attachment; filename=kb-facts.csv"})
    return jsonify({"facts": [f.as_row() for f in table.evidence], "metrics": METRICS})


@api.get("/compare")
def compare():
    """One row per agency mentioning the topic, its best passages side by side; JSON, or CSV for Excel."""
    q = query_param(request.args, required=True)
    k = int_param(request.args, "k", 3, 1, 20)
    fmt = choice_param(request.args, "format", ("json", "csv"), "json")
    result = compare_agencies(engine(), q, k, filters_param(request.args))
    if fmt == "csv":
        return Response(compare_csv(result), mimetype="text/csv; charset=utf-8",
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
