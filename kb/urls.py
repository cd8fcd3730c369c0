"""Links into the web app that the library writes into its records (a leaf: imports nothing of kb)."""
from __future__ import annotations

from urllib.parse import quote


def document_url(doc_id: str, start: int | None = None, end: int | None = None) -> str:
    path = "/documents/" + quote(doc_id, safe="")  # ids are file names: ? and # must not end the path
    if start is None:
        return path
    return f"{path}?start={start}&end={end}#passage"


def original_url(doc_id: str) -> str:
    return document_url(doc_id) + "/original"


def agency_url(agency_id: str) -> str:
    return "/agencies/" + quote(agency_id, safe="")
