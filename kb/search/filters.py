"""Filters by agency, year, region and doc type: resolved to the set of documents they allow."""
from __future__ import annotations

from dataclasses import dataclass, fields

from kb.store import Store
from kb.text import compact

FILTER_FIELDS = ("agency", "year", "region", "doc_type")


@dataclass
class Filters:
    agency: str | None = None
    year: int | None = None
    region: str | None = None
    doc_type: str | None = None

    def active(self) -> bool:
        return any(getattr(self, f.name) not in (None, "") for f in fields(self))

    def without(self, name: str) -> "Filters":
        return Filters(**{f: (None if f == name else getattr(self, f)) for f in FILTER_FIELDS})


def document_matches(doc: dict, filters: Filters) -> bool:
    """Agency and region match as substrings in either script (罗庄, 羅莊区…); year and type exactly."""
    if filters.agency and compact(filters.agency) not in compact(doc["agency"]) + "|" + compact(doc["title"]):
        return False
    if filters.region and compact(filters.region) not in compact(doc["region"]):
        return False
    if filters.year not in (None, "") and doc["year"] != int(filters.year):
        return False
    if filters.doc_type and doc["doc_type"] != filters.doc_type:
        return False
    return True


def allowed_doc_ids(store: Store, filters: Filters) -> set[str] | None:
    """None when no filter is set (everything allowed)."""
    if not filters.active():
        return None
    return {d["doc_id"] for d in store.documents() if document_matches(d, filters)}
