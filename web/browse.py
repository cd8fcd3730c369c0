"""Browsing pages without a query: documents by place / level / year / type / agency, agencies over the
years, and a document's original file (routes of the pages blueprint)."""
from __future__ import annotations

import hashlib
import mimetypes
import os
from urllib.parse import quote

from flask import Response, render_template, request, url_for

from kb.agencies import agency_report, group_agencies
from kb.browse import browse_documents, document_facets, document_links, place_tree
from kb.questions.figures import SCOPE_LABELS

from .engine import document_or_404, engine
from .errors import ApiError
from .pages import chip_links, facet_links, pages
from .params import filters_param
from .render import series_svg

# What a browser is told each stored file type is (the original bytes are served as they were ingested).
SOURCE_TYPES = {"txt": "text/plain; charset=utf-8", "html": "text/html; charset=utf-8", "pdf": "application/pdf",
                "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "doc": "application/msword", "wps": "application/vnd.ms-works"}


def _tree_links(nodes: list[dict], endpoint: str, chosen: tuple[str, ...]) -> list[dict]:
    """Each place links to its documents; the places on the way to a chosen region are open."""
    return [n | {"url": url_for(endpoint, region=n["region"]), "open": any(c.startswith(n["region"]) for c in chosen),
                 "selected": n["region"] in chosen, "children": _tree_links(n["children"], endpoint, chosen)}
            for n in nodes]


def browse_context(endpoint: str) -> dict:
    """Filters, matching documents, facet links, chips and the place tree of a browsing request."""
    filters = filters_param(request.args)
    docs = engine().snapshot.documents()
    shown = [document_links(d) for d in browse_documents(docs, filters, "year")]
    return {"filters": filters, "documents": shown, "total": len(docs),
            "facets": facet_links(document_facets(docs, filters), filters, endpoint),
            "chips": chip_links(filters, {}, endpoint), "tree": _tree_links(place_tree(docs), endpoint, filters.region)}


@pages.get("/documents")
def documents_page():
    """Documents filtered by region (the place tree), level, year, type and agency, with facet counts."""
    return render_template("documents.html", **browse_context("pages.documents_page"))


@pages.get("/agencies")
def agencies_page():
    context = browse_context("pages.agencies_page")
    agencies = [a.summary() for a in group_agencies(context["documents"])]
    return render_template("agencies.html", agencies=agencies, **context)


@pages.get("/agencies/<agency_id>")
def agency_page(agency_id: str):
    report = agency_or_404(agency_id)
    charts = {m: series_svg(points, report["metrics"][m]) for m, points in report["series"].items()}
    return render_template("agency.html", agency=report, charts=charts, scope_labels=SCOPE_LABELS)


def agency_or_404(agency_id: str) -> dict:
    report = agency_report(engine().snapshot, engine().snapshot.documents(), agency_id)
    if report is None:
        raise ApiError(404, "not_found", f"没有这个机关 (no agency {agency_id[:80]!r})")
    return report


@pages.get("/documents/<doc_id>/original")
def original_file(doc_id: str):
    """The file as ingested: its own type, its name in a Content-Disposition; refused when the file on disk
    is no longer the one ingested (its bytes are checked against the stored hash)."""
    doc = document_or_404(doc_id)
    path, sha256, name = engine().store.original_file(doc_id)
    try:
        # O_NOFOLLOW: a link swapped in for the file after ingest is not followed out of the corpus.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as f:
            data = f.read()
    except OSError:
        raise ApiError(410, "original_gone", "原文件已不在导入时的位置，请重新导入 (the original file is gone; "
                                             "re-ingest)") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ApiError(410, "original_changed", "原文件在导入后被修改，请重新导入 (the file changed after "
                                                "ingest; re-ingest)")
    kind = SOURCE_TYPES.get(doc["source_type"]) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    filename = name.rsplit("/", 1)[-1]
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return Response(data, content_type=kind, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}",
        # The original HTML of a portal page is someone else's markup: never run its scripts on this origin.
        "Content-Security-Policy": "sandbox; default-src 'none'"})
