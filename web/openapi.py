"""The OpenAPI 3 description of the JSON API."""
from __future__ import annotations

from kb.report.agency import LEVELS
from kb.report.facts import METRICS, SCOPES
from kb.search.engine import MAX_K, MAX_OFFSET, MAX_QUERY_CHARS, MODES, SORTS

from .params import MAX_FILTER_CHARS


def _param(name, schema, description, required=False):
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


def _ok(schema_ref: str, description: str) -> dict:
    return {"200": {"description": description,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}},
            "400": {"$ref": "#/components/responses/BadRequest"}}


def _multi(name: str, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": True,
            "schema": {"type": "array", "items": {"type": "string", "maxLength": MAX_FILTER_CHARS}},
            "description": description}


FILTER_PARAMS = [
    _multi("agency", "agency name or part of it, either script (罗庄, 哈尔滨市…); repeat for several (OR)"),
    _param("year", {"type": "string", "maxLength": 20, "pattern": r"^\s*(\d{4})?\s*(-\s*(\d{4})?)?\s*$"},
           "reporting (statistics) year or a range: 2018, 2017-2019, 2017-, -2019"),
    _param("year_from", {"type": "integer", "minimum": 1900, "maximum": 2100}, "first year of a range"),
    _param("year_to", {"type": "integer", "minimum": 1900, "maximum": 2100}, "last year of a range"),
    _multi("region", "province / city / district name or part of it; repeatable"),
    _multi("level", "国家级, 省级, 市级, 区县级, 乡镇级; repeatable"),
    _multi("doc_type", "annual_report, work_plan, guide, catalogue, other; repeatable"),
    _param("doc_id", {"type": "string", "maxLength": MAX_FILTER_CHARS}, "search inside this one document"),
]
SEARCH_PARAMS = [
    _param("mode", {"type": "string", "enum": list(MODES), "default": "hybrid"}, "ranking"),
    _param("sort", {"type": "string", "enum": list(SORTS), "default": "relevance"},
           "relevance, year (newest first), year_asc, agency"),
]
Q = _param("q", {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS},
           'search text: Chinese (simplified or traditional) or English; or the query language: "exact phrase" '
           "(also “…” 「…」), AND / OR / NOT / -term, field:value (agency: region: level: type: section: year:, or "
           "机关: 地区: 层级: 类型: 章节: 年度:), year:[2017 TO 2019]", required=True)
NULLABLE_NUMBER = {"type": "number", "nullable": True}

SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
    "Health": {"type": "object", "required": ["status", "documents", "chunks", "model"], "properties": {
        "status": {"type": "string"}, "documents": {"type": "integer"}, "chunks": {"type": "integer"},
        "facts": {"type": "integer"}, "model": {"type": "string"}}},
    "Result": {"type": "object", "required": ["rank", "score", "scores", "doc_id", "chunk_id", "text", "highlight",
                                              "start", "end", "url"], "properties": {
        "rank": {"type": "integer"}, "score": {"type": "number"},
        "scores": {"type": "object", "properties": {"keyword": NULLABLE_NUMBER, "semantic": NULLABLE_NUMBER}},
        "doc_id": {"type": "string"}, "chunk_id": {"type": "integer"}, "title": {"type": "string"},
        "agency": {"type": "string"}, "region": {"type": "string"}, "year": {"type": "integer", "nullable": True},
        "doc_type": {"type": "string"}, "section": {"type": "array", "items": {"type": "string"}},
        "text": {"type": "string", "description": "the passage in the document's original script"},
        "highlight": {"type": "string", "description": "the passage HTML-escaped, <mark> around matches"},
        "start": {"type": "integer"}, "end": {"type": "integer"}, "url": {"type": "string"}}},
    "AnswerRow": {"type": "object", "required": ["agency", "year", "metric", "value", "approx", "doc_id"],
                  "description": "one agency-year's figure for one metric of the question, with its evidence; "
                                 "value null: the report states no such figure (text empty, url opens the report)",
                  "properties": {
        "agency": {"type": "string"}, "year": {"type": "integer", "nullable": True},
        "metric": {"type": "string"}, "metric_label": {"type": "string"},
        "value": {"type": "number", "nullable": True}, "unit": {"type": "string"}, "approx": {"type": "boolean"},
        "scope": {"type": "string", "nullable": True, "enum": ["agency", "area", None],
                  "description": "agency: the agency's own figure; area: a whole 全市/全县 government system"},
        "level": {"type": "string"}, "region": {"type": "string"}, "doc_id": {"type": "string"},
        "doc_type": {"type": "string"}, "text": {"type": "string", "description": "the sentence stating the figure"},
        "start": {"type": "integer", "nullable": True}, "end": {"type": "integer", "nullable": True},
        "url": {"type": "string"}}},
    "AnswerCondition": {"type": "object", "required": ["metric", "op"], "properties": {
        "metric": {"type": "string"}, "metric_label": {"type": "string"},
        "op": {"type": "string", "enum": ["=", ">", ">=", "<", "<=", "any", "missing"],
               "description": "any: a figure is stated; missing: none is (not disclosed)"},
        "value": {"type": "number", "nullable": True}, "op_label": {"type": "string"},
        "label": {"type": "string", "description": "the condition in Chinese, e.g. 行政诉讼 大于 0"}}},
    "Answer": {"type": "object", "nullable": True,
               "description": "the answer to a question over the figures (null for an ordinary search): every "
                              "agency-year in scope is checked, so the rows are the complete set",
               "required": ["kind", "metric", "metric_label", "conditions", "group", "year", "label", "rows", "value",
                            "approx", "missing"],
               "properties": {
        "kind": {"type": "string", "enum": ["list", "top", "total", "count", "compare"]},
        "metric": {"type": "string", "description": "the metric the answer shows, ranks, adds up or compares"},
        "metric_label": {"type": "string"},
        "conditions": {"type": "array", "items": {"$ref": "#/components/schemas/AnswerCondition"}},
        "combine": {"type": "string", "enum": ["and", "but", "or", "neither"],
                    "description": "and / but: every condition holds; or: one does; neither: each is 0"},
        "group": {"type": "object", "properties": {
            "levels": {"type": "array", "items": {"type": "string"}},
            "regions": {"type": "array", "items": {"type": "string"}},
            "agency_types": {"type": "array", "items": {"type": "string"}},
            "year_from": {"type": "integer", "nullable": True}, "year_to": {"type": "integer", "nullable": True}}},
        "year": {"type": "integer", "nullable": True, "description": "the one reporting year asked about, if one"},
        "order": {"type": "string", "nullable": True, "enum": ["asc", "desc", None]},
        "limit": {"type": "integer", "nullable": True},
        "compare_years": {"type": "array", "items": {"type": "integer"}},
        "label": {"type": "string", "description": "the question as understood, one Chinese sentence"},
        "rows": {"type": "array", "items": {"$ref": "#/components/schemas/AnswerRow"}},
        "value": {"type": "number", "nullable": True, "description": "total: the sum; count: agencies; else null"},
        "approx": {"type": "boolean", "description": "true when a figure in the answer is approximate (80余件)"},
        "scopes": {"type": "array", "items": {"type": "string"}},
        "mixed_scope": {"type": "boolean", "description": "a total adding figures of different scope"},
        "missing": {"type": "array", "description": "agency-years in scope that state no figure for the metric",
                    "items": {"type": "object", "properties": {
                        "agency": {"type": "string"}, "year": {"type": "integer", "nullable": True},
                        "doc_id": {"type": "string"}}}},
        "agencies": {"type": "integer", "description": "how many agencies the answer names"},
        "series": {"type": "array", "nullable": True, "description": "compare: per agency, the figure per year",
                   "items": {"type": "object", "properties": {
                       "agency": {"type": "string"},
                       "values": {"type": "object", "additionalProperties": {"type": "number", "nullable": True}},
                       "change": {"type": "number", "nullable": True}}}},
        "notes": {"type": "array", "items": {"type": "string"}},
        "facts_url": {"type": "string", "description": "the same question as a facts-page query"}}},
    "SearchResponse": {"type": "object", "required": ["query", "mode", "took_ms", "total", "results", "answer"],
                       "properties": {
        "query": {"type": "string"}, "mode": {"type": "string", "enum": list(MODES)}, "took_ms": {"type": "number"},
        "total": {"type": "integer", "description": "passages in the ranking (all matches), counted exactly"},
        "total_exact": {"type": "boolean"}, "offset": {"type": "integer"}, "k": {"type": "integer"},
        "sort": {"type": "string", "enum": list(SORTS)},
        "structured": {"type": "boolean", "description": "the query used the query language"},
        "understood": {"type": "object", "description": "names taken as a document prior, or the parsed query"},
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
        "answer": {"$ref": "#/components/schemas/Answer"},
        "facets": {"type": "object", "additionalProperties": {"type": "array", "items": {
            "type": "object", "properties": {"value": {"type": "string"}, "count": {"type": "integer"}}}}}}},
    "DocumentSummary": {"type": "object", "properties": {
        "doc_id": {"type": "string"}, "title": {"type": "string"}, "agency": {"type": "string"},
        "region": {"type": "string", "description": "province first (河南省 三门峡市); 全国 for a national body"},
        "level": {"type": "string", "enum": list(LEVELS) + [""]}, "year": {"type": "integer", "nullable": True},
        "published": {"type": "string", "nullable": True}, "doc_type": {"type": "string"},
        "title_composed": {"type": "boolean", "description": "the file states no title: composed from agency, year, type"},
        "figure_scope": {"type": "string", "enum": ["agency", "area", "mixed", ""],
                         "description": "what the document's figures cover (list endpoint only)"},
        "source_type": {"type": "string", "description": "file type read: txt, html, pdf, docx, doc, wps, image"},
        "pages": {"type": "integer", "nullable": True, "description": "page count of a paged file"},
        "ocr": {"type": "boolean", "description": "the text was recognised from page images"}}},
    "DocumentList": {"type": "object", "properties": {
        "documents": {"type": "array", "items": {"$ref": "#/components/schemas/DocumentSummary"}}}},
    "Section": {"type": "object", "properties": {
        "ordinal": {"type": "integer"}, "level": {"type": "integer"}, "number": {"type": "string"},
        "title": {"type": "string"}, "path": {"type": "array", "items": {"type": "string"}},
        "start": {"type": "integer"}, "end": {"type": "integer"}, "parent": {"type": "integer", "nullable": True}}},
    "Document": {"allOf": [{"$ref": "#/components/schemas/DocumentSummary"}, {"type": "object", "properties": {
        "text": {"type": "string"}, "sections": {"type": "array", "items": {"$ref": "#/components/schemas/Section"}},
        "page_starts": {"type": "array", "items": {"type": "integer"},
                        "description": "offset in text where each page starts (empty without pages)"}}}]},
    "Fact": {"type": "object", "properties": {
        "metric": {"type": "string"}, "value": {"type": "number"}, "unit": {"type": "string"},
        "approx": {"type": "boolean"}, "agency": {"type": "string"}, "year": {"type": "integer", "nullable": True},
        "doc_id": {"type": "string"}, "text": {"type": "string"}, "start": {"type": "integer"},
        "end": {"type": "integer"},
        "scope": {"type": "string", "enum": list(SCOPES), "description": "agency: its own figure; area: a whole area's"},
        "origin": {"type": "string", "enum": ["text", "table"]},
        "answer_figure": {"type": "boolean", "description": "the figure of its document that answers use"}}},
    "FactList": {"type": "object", "properties": {
        "total": {"type": "integer", "description": "figures matching, on all pages"},
        "offset": {"type": "integer"}, "limit": {"type": "integer"},
        "facts": {"type": "array", "items": {"$ref": "#/components/schemas/Fact"}},
        "metrics": {"type": "object", "additionalProperties": {"type": "string"}}}},
    "CompareResponse": {"type": "object", "properties": {
        "query": {"type": "string"}, "mode": {"type": "string"}, "took_ms": {"type": "number"},
        "agencies": {"type": "array", "items": {"type": "object", "properties": {
            "agency": {"type": "string"}, "region": {"type": "string"},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}}}}}}},
}


def openapi_document() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {"title": "kb: government information-disclosure reports", "version": "0.1.0",
                 "description": "Search Chinese government information-disclosure reports; every answer cites "
                                "a passage by document and character offsets."},
        "paths": {
            "/api/health": {"get": {"summary": "Service status", "operationId": "health",
                                    "responses": {"200": {"description": "ok", "content": {"application/json": {
                                        "schema": {"$ref": "#/components/schemas/Health"}}}}}}},
            "/api/search": {"get": {
                "summary": "Cited passages for a query, and an answer table for counting questions",
                "operationId": "search",
                "parameters": [Q, *SEARCH_PARAMS,
                               _param("k", {"type": "integer", "minimum": 1, "maximum": MAX_K, "default": 10},
                                      "passages per page"),
                               _param("offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
                                      "skip this many passages (pagination); every match is reachable"),
                               _param("facets", {"type": "string", "enum": ["0", "1"]}, "1: add facet counts"),
                               *FILTER_PARAMS],
                "responses": _ok("SearchResponse", "ranked passages")}},
            "/api/export": {"get": {
                "summary": "Every passage a search ranks (not one page), as CSV (UTF-8 with BOM) or JSON",
                "operationId": "export",
                "parameters": [Q, *SEARCH_PARAMS,
                               _param("format", {"type": "string", "enum": ["csv", "json"], "default": "csv"},
                                      "csv (opens in Excel) or json"),
                               *FILTER_PARAMS],
                "responses": {"200": {"description": "the whole result list", "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "object"}}}},
                    "400": {"$ref": "#/components/responses/BadRequest"}}}},
            "/api/documents": {"get": {"summary": "All documents with metadata", "operationId": "documents",
                                       "responses": _ok("DocumentList", "documents")}},
            "/api/documents/{doc_id}": {"get": {
                "summary": "One document: metadata, section tree and clean text", "operationId": "document",
                "parameters": [{"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {**_ok("Document", "the document"), "404": {"$ref": "#/components/responses/NotFound"}}}},
            "/api/facts": {"get": {
                "summary": "Figures extracted from the reports, each with its evidence", "operationId": "facts",
                "parameters": [_param("metric", {"type": "string", "enum": list(METRICS)}, "metric id"),
                               _param("agency", {"type": "string", "maxLength": MAX_FILTER_CHARS},
                                      "agency name or part of it"),
                               _param("year", {"type": "integer", "minimum": 1900, "maximum": 2100}, "year"),
                               _param("limit", {"type": "integer", "minimum": 1, "maximum": 10000, "default": 1000},
                                      "figures in this answer (JSON)"),
                               _param("offset", {"type": "integer", "minimum": 0, "maximum": 10**9, "default": 0},
                                      "figures skipped before this answer (JSON)"),
                               _param("format", {"type": "string", "enum": ["json", "csv"]}, "csv for a download (all figures)")],
                "responses": {**_ok("FactList", "facts"),
                              "200": {"description": "facts", "content": {
                                  "application/json": {"schema": {"$ref": "#/components/schemas/FactList"}},
                                  "text/csv": {"schema": {"type": "string"}}}}}}},
            "/api/compare": {"get": {
                "summary": "The best passages per agency on one topic, side by side", "operationId": "compare",
                "parameters": [Q, _param("k", {"type": "integer", "minimum": 1, "maximum": 20, "default": 3},
                                         "passages per agency"), *FILTER_PARAMS],
                "responses": _ok("CompareResponse", "agencies with their passages")}},
            "/api/openapi.json": {"get": {"summary": "This document", "operationId": "openapi",
                                          "responses": {"200": {"description": "OpenAPI 3 document",
                                                                "content": {"application/json": {
                                                                    "schema": {"type": "object"}}}}}}},
        },
        "components": {
            "schemas": SCHEMAS,
            "responses": {
                "BadRequest": {"description": "bad input", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"}}}},
                "NotFound": {"description": "no such document", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        },
    }
