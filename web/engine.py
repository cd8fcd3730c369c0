"""The per-process SearchEngine and look-ups shared by the API and the pages."""
from __future__ import annotations

from flask import current_app

from kb.search.engine import SearchEngine

from .errors import ApiError


def engine() -> SearchEngine:
    return current_app.extensions["kb_engine"]


def document_or_404(doc_id: str) -> dict:
    doc = engine().store.document(doc_id)
    if doc is None:
        raise ApiError(404, "not_found", f"没有这个文档 (no document {doc_id[:80]!r})")
    return doc
