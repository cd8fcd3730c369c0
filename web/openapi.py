"""The OpenAPI 3 description of the JSON API."""
from __future__ import annotations

from kb.indexes.structured import DOC_TYPE_LABELS
from kb.report.agency import LEVELS
from kb.report.facts import METRICS, SCOPES
from kb.search.params import MAX_FILTER_CHARS, MAX_K, MAX_OFFSET, MAX_QUERY_CHARS, MODES, SORTS


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
    {**_multi("level", f"{', '.join(LEVELS)}; repeatable"),
     "schema": {"type": "array", "items": {"type": "string", "enum": list(LEVELS)}}},
    {**_multi("doc_type", "annual_report, work_plan, guide, catalogue, other; repeatable"),
     "schema": {"type": "array", "items": {"type": "string", "enum": list(DOC_TYPE_LABELS)}}},
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
        "start": {"type": "integer"}, "end": {"type": "integer"}, "url": {"type": "string"},
        "match": {"type": "boolean", "description": "contains every term of the query (counted in total); "
                                                    "false: a related passage shown after the matches"}}},
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
        "totals_by_year": {"type": "array", "nullable": True,
                           "description": "total / compare over several reporting years with no year asked: one total "
                                          "per year (value is then null), never one sum across years",
                           "items": {"type": "object", "properties": {
                               "year": {"type": "integer", "nullable": True}, "value": {"type": "number"},
                               "approx": {"type": "boolean"}, "agencies": {"type": "integer"}}}},
        "area_rows": {"type": "array", "items": {"$ref": "#/components/schemas/AnswerRow"},
                      "description": "top: area-wide figures (全市政府系统), shown apart and not ranked with agencies'"},
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
        "understood": {"type": "object", "description": "names and levels (乡镇级 …) taken as a document prior, the "
                       "rest of the query, whether it is topical; or the parsed query"},
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}},
        "answer": {"$ref": "#/components/schemas/Answer"},
        "facets": {"type": "object", "additionalProperties": {"type": "array", "items": {
            "type": "object", "properties": {"value": {"type": "string"}, "count": {"type": "integer"}}}}}}},
    "DocumentSummary": {"type": "object", "properties": {
        "doc_id": {"type": "string"}, "title": {"type": "string"}, "agency": {"type": "string"},
        "path": {"type": "string", "description": "the file's name relative to the corpus folder it was ingested from"},
        "sha256": {"type": "string", "description": "hash of the original file's bytes"},
        "url": {"type": "string", "description": "the document's page"},
        "original_url": {"type": "string", "description": "the original file as ingested (its own type)"},
        "source_url": {"type": "string", "nullable": True,
                       "description": "the report's canonical address, when its page named one"},
        "citation": {"type": "string", "description": "GB/T 7714-2015 (electronic resource): "
                                                      "机关. 题名[EB/OL]. (发布日期)[引用日期]. URL."},
        "agency_id": {"type": "string", "nullable": True}, "agency_url": {"type": "string", "nullable": True},
        "region": {"type": "string", "description": "province first (河南省 三门峡市); 全国 for a national body"},
        "level": {"type": "string", "enum": list(LEVELS) + [""]}, "year": {"type": "integer", "nullable": True},
        "published": {"type": "string", "nullable": True}, "doc_type": {"type": "string"},
        "title_composed": {"type": "boolean", "description": "the file states no title: composed from agency, year, type"},
        "figure_scope": {"type": "string", "enum": ["agency", "area", "mixed", ""],
                         "description": "what the document's figures cover (list endpoint only)"},
        "source_type": {"type": "string", "description": "file type read: txt, html, pdf, docx, doc, wps, image"},
        "pages": {"type": "integer", "nullable": True, "description": "page count of a paged file"},
        "ocr": {"type": "boolean", "description": "the text was recognised from page images"}}},
    "DocumentList": {"type": "object", "required": ["total", "documents"], "properties": {
        "total": {"type": "integer", "description": "documents the filters allow"},
        "documents": {"type": "array", "items": {"$ref": "#/components/schemas/DocumentSummary"}},
        "facets": {"type": "object", "description": "documents per agency / year / region / level / doc_type, each "
                                                    "counted without its own filter",
                   "additionalProperties": {"type": "array", "items": {"type": "object", "properties": {
                       "value": {"type": "string"}, "count": {"type": "integer"}}}}},
        "places": {"type": "array", "description": "provinces → cities → counties with document counts; region is "
                                                   "the filter value selecting each",
                   "items": {"$ref": "#/components/schemas/Place"}}}},
    "Place": {"type": "object", "properties": {
        "name": {"type": "string"}, "region": {"type": "string"}, "count": {"type": "integer"},
        "children": {"type": "array", "items": {"$ref": "#/components/schemas/Place"}}}},
    "AgencySummary": {"type": "object", "required": ["id", "agency", "reports", "years", "url"], "properties": {
        "id": {"type": "string", "description": "stable: a hash of the name compared across scripts"},
        "agency": {"type": "string"}, "level": {"type": "string"}, "region": {"type": "string"},
        "reports": {"type": "integer"}, "years": {"type": "array", "items": {"type": "integer"}},
        "url": {"type": "string", "description": "the agency's page"}}},
    "AgencyList": {"type": "object", "properties": {
        "total": {"type": "integer"},
        "agencies": {"type": "array", "items": {"$ref": "#/components/schemas/AgencySummary"}}}},
    "Agency": {"allOf": [{"$ref": "#/components/schemas/AgencySummary"}, {"type": "object", "properties": {
        "documents": {"type": "array", "description": "its reports, oldest year first", "items": {
            "type": "object", "properties": {
                "year": {"type": "integer", "nullable": True}, "doc_id": {"type": "string"},
                "title": {"type": "string"}, "doc_type": {"type": "string"},
                "published": {"type": "string", "nullable": True}, "url": {"type": "string"},
                "citation": {"type": "string"}}}},
        "metrics": {"type": "object", "additionalProperties": {"type": "string"},
                    "description": "metric id -> label, for the metrics it states"},
        "figures": {"type": "array", "description": "year × metric: the standing figure with its evidence, or null "
                                                    "(未披露)", "items": {"type": "object", "properties": {
            "year": {"type": "integer", "nullable": True},
            "cells": {"type": "object", "additionalProperties": {"type": "object", "nullable": True}}}}},
        "series": {"type": "object", "description": "metric -> [{year, value}] over the years",
                   "additionalProperties": {"type": "array", "items": {"type": "object", "properties": {
                       "year": {"type": "integer"}, "value": {"type": "number"}}}}}}}]},
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
        "matched": {"type": "boolean", "description": "false: no passage holds every term; the rows are the "
                                                      "closest passages and count as no mention"},
        "total_agencies": {"type": "integer"},
        "coverage": {"type": "object", "properties": {"mention": {"type": "integer"}, "of": {"type": "integer"}},
                     "description": "N of M agencies (under the filters) mention the topic"},
        "silent_agencies": {"type": "array", "items": {"type": "string"}, "description": "never mention it"},
        "agencies": {"type": "array", "items": {"type": "object", "properties": {
            "agency": {"type": "string"}, "region": {"type": "string"}, "level": {"type": "string", "nullable": True},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}}}}}}},
    "SimilarResponse": {"type": "object", "required": ["chunk_id", "results"], "properties": {
        "chunk_id": {"type": "integer"},
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}}}},
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
            "/api/documents": {"get": {"summary": "Documents filtered like search, with facets and the place tree",
                                       "operationId": "documents", "parameters": FILTER_PARAMS,
                                       "responses": _ok("DocumentList", "documents")}},
            "/api/agencies": {"get": {"summary": "Agencies of the documents the filters allow", "operationId": "agencies",
                                      "parameters": FILTER_PARAMS, "responses": _ok("AgencyList", "agencies")}},
            "/api/agencies/{agency_id}": {"get": {
                "summary": "One agency: reports by year, figures year × metric, series", "operationId": "agency",
                "parameters": [{"name": "agency_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {**_ok("Agency", "the agency"), "404": {"$ref": "#/components/responses/NotFound"}}}},
            "/api/documents/{doc_id}": {"get": {
                "summary": "One document: metadata, section tree and clean text", "operationId": "document",
                "parameters": [{"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {**_ok("Document", "the document"), "404": {"$ref": "#/components/responses/NotFound"}}}},
            "/api/facts": {"get": {
                "summary": "Figures extracted from the reports, each with its evidence", "operationId": "facts",
                "parameters": [{**_multi("metric", "metric id; repeatable"),
                                "schema": {"type": "array", "items": {"type": "string", "enum": list(METRICS)}}},
                               *FILTER_PARAMS,
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
                                         "passages per agency"),
                               _param("format", {"type": "string", "enum": ["json", "csv"], "default": "json"},
                                      "csv: a line per passage and per silent agency (UTF-8 with BOM)"),
                               *FILTER_PARAMS],
                "responses": {**_ok("CompareResponse", "agencies with their passages"),
                              "200": {"description": "one row per agency", "content": {
                                  "application/json": {"schema": {"$ref": "#/components/schemas/CompareResponse"}},
                                  "text/csv": {"schema": {"type": "string"}}}}}}},
            "/api/similar": {"get": {
                "summary": "其他机关的类似表述: the passages of other agencies most similar to one passage",
                "operationId": "similar",
                "parameters": [_param("chunk_id", {"type": "integer", "minimum": 0}, "the passage (a result's chunk_id)",
                                      required=True),
                               _param("k", {"type": "integer", "minimum": 1, "maximum": 20, "default": 5},
                                      "passages (one per agency)")],
                "responses": {**_ok("SimilarResponse", "the nearest passages of other agencies"),
                              "404": {"$ref": "#/components/responses/NotFound"}}}},
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
                "NotFound": {"description": "no such document or agency", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        },
    }
