"""The JSON API (GET only): health, search, documents, facts, compare, openapi."""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from kb.questions.figures import figures_csv, known_metrics
from kb.questions.table import TableFilters, facts_table
from kb.report.facts import METRICS
from kb.search.compare import compare_agencies

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


@api.get("/search")
def search():
    p = search_params(request.args)
    facets = request.args.get("facets") in ("1", "true", "yes")
    return jsonify(engine().search(p["query"], mode=p["mode"], k=p["k"], filters=p["filters"],
                                   offset=p["offset"], facets=facets))


@api.get("/documents")
def documents():
    return jsonify({"documents": engine().store.documents()})


@api.get("/documents/<doc_id>")
def document(doc_id: str):
    doc = document_or_404(doc_id)
    return jsonify(doc | {"sections": engine().store.sections(doc_id), "url": f"/documents/{doc_id}"})


@api.get("/facts")
def facts():
    """The standing figure of every agency × year × metric, with its evidence (JSON, or CSV for Excel)."""
    metric = request.args.get("metric") or None
    if metric and metric not in known_metrics():
        raise ApiError(400, "invalid_parameter", f"metric must be one of {', '.join(known_metrics())}; got {metric[:40]!r}")
    year = int_param(request.args, "year", None, 1900, 2100)
    fmt = request.args.get("format") or "json"
    if fmt not in ("json", "csv"):
        raise ApiError(400, "invalid_parameter", f"format must be json or csv; got {fmt[:40]!r}")
    table = facts_table(engine().store, TableFilters(metrics=(metric,) if metric else (),
                                                     agency=text_param(request.args, "agency"),
                                                     year_from=year, year_to=year))
    if fmt == "csv":
        return Response(figures_csv(table.evidence, request.host_url), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": "attachment; filename=kb-facts.csv"})
    return jsonify({"facts": [f.as_row() for f in table.evidence], "metrics": METRICS})


@api.get("/compare")
def compare():
    q = query_param(request.args, required=True)
    k = int_param(request.args, "k", 3, 1, 20)
    return jsonify(compare_agencies(engine(), q, k, filters_param(request.args)))


@api.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())
