"""Browsing without a query: documents by the search filters, facet counts, the place tree 省 → 市 → 县,
and a document's record with its links and citation."""
from __future__ import annotations

import datetime as dt

from kb.agencies import agency_id
from kb.citation import citation
from kb.report.agency import LEVELS
from kb.search.filters import FILTER_FIELDS, Filters, document_matches
from kb.urls import agency_url, document_url, original_url

SORT_KEYS = {"year": lambda d: (-(d["year"] or 0), d["doc_id"]), "agency": lambda d: (d["agency"], d["year"] or 0),
             "doc_id": lambda d: d["doc_id"]}


def browse_documents(documents: list[dict], filters: Filters, sort: str = "doc_id") -> list[dict]:
    """The documents the filters allow (the same rules as search's filters), in one order."""
    return sorted((d for d in documents if document_matches(d, filters)), key=SORT_KEYS[sort])


def document_facets(documents: list[dict], filters: Filters) -> dict[str, list[dict]]:
    """Documents per agency / year / region / level / type, each counted without its own filter (so a
    chosen value's siblings stay visible), most first."""
    out = {}
    for facet in FILTER_FIELDS:
        others = filters.without(facet)
        counts: dict[str, int] = {}
        for d in documents:
            if d[facet] not in (None, "") and document_matches(d, others):
                counts[str(d[facet])] = counts.get(str(d[facet]), 0) + 1
        if facet == "level":  # a closed list: every level shown, in its order, 0 where none is
            out[facet] = [{"value": lv, "count": counts.get(lv, 0)} for lv in LEVELS]
        else:
            out[facet] = [{"value": v, "count": n} for v, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]
    return out


def place_tree(documents: list[dict]) -> list[dict]:
    """Provinces → cities → counties with document counts; `region` is the filter value selecting each
    place (its path, so that two 朝阳区 of different cities stay apart)."""
    tree: dict[str, dict] = {}
    for d in documents:
        path = [p for p in (d.get("province"), d.get("city"), d.get("district")) if p]
        level = tree
        for depth, name in enumerate(path):
            node = level.setdefault(name, {"name": name, "region": " ".join(path[:depth + 1]), "count": 0,
                                           "children": {}})
            node["count"] += 1
            level = node["children"]

    def listed(level: dict) -> list[dict]:
        return [n | {"children": listed(n["children"])} for n in sorted(level.values(), key=lambda n: (-n["count"], n["name"]))]
    return listed(tree)


def document_links(doc: dict, cited: dt.date | None = None) -> dict:
    """A document's record as pages and the API hand it out: with its page, original file, agency and
    citation."""
    aid = agency_id(doc["agency"]) if doc.get("agency") else None
    return doc | {"url": document_url(doc["doc_id"]), "original_url": original_url(doc["doc_id"]),
                  "agency_id": aid, "agency_url": agency_url(aid) if aid else None,
                  "source_url": doc.get("source_url"), "citation": citation(doc, cited)}
