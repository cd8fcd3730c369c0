"""Filters: agency / region / level / type (each a multi-select), a year range and one document.

Values of one field are OR'ed, fields are AND'ed. Agency and region match as substrings in either
script (罗庄, 羅莊区…; agency also against the title); level, type and doc id exactly; years inclusively.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from kb.text import compact

FILTER_FIELDS = ("agency", "year", "region", "level", "doc_type")  # the facets
MULTI_FIELDS = ("agency", "region", "level", "doc_type")


def _tuple(value) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(dict.fromkeys(str(v) for v in value if v not in (None, "")))


@dataclass
class Filters:
    agency: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    doc_type: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    doc_id: str | None = None

    def __post_init__(self):
        for name in MULTI_FIELDS:
            setattr(self, name, _tuple(getattr(self, name)))

    def active(self) -> bool:
        return bool(any(getattr(self, n) for n in MULTI_FIELDS) or self.year_from is not None
                    or self.year_to is not None or self.doc_id)

    def without(self, name: str) -> Filters:
        """The same filters less one field ("year" drops the range)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        if name == "year":
            values["year_from"] = values["year_to"] = None
        else:
            values[name] = () if name in MULTI_FIELDS else None
        return Filters(**values)

    def chips(self) -> list[dict]:
        """Each active value on its own: {field, value, label}, for removable filter chips."""
        out = [{"field": n, "value": v} for n in MULTI_FIELDS for v in getattr(self, n)]
        if self.year_from is not None or self.year_to is not None:
            out.append({"field": "year", "value": year_range_text(self.year_from, self.year_to)})
        if self.doc_id:
            out.append({"field": "doc_id", "value": self.doc_id})
        return out


def year_range_text(year_from: int | None, year_to: int | None) -> str:
    if year_from == year_to:
        return str(year_from)
    return f"{year_from or ''}-{year_to or ''}"


def document_matches(doc: dict, filters: Filters) -> bool:
    if filters.doc_id and doc["doc_id"] != filters.doc_id:
        return False
    if filters.agency:
        name = compact(doc["agency"]) + "|" + compact(doc["title"])
        if not any(compact(a) in name for a in filters.agency):
            return False
    if filters.region and not any(compact(r) in compact(doc["region"]) for r in filters.region):
        return False
    if filters.level and doc.get("level") not in filters.level:
        return False
    if filters.doc_type and doc["doc_type"] not in filters.doc_type:
        return False
    if filters.year_from is not None and (doc["year"] is None or doc["year"] < filters.year_from):
        return False
    return not (filters.year_to is not None and (doc["year"] is None or doc["year"] > filters.year_to))


def document_mask(docs: list[dict], filters: Filters) -> np.ndarray | None:
    """Which of `docs` the filters allow; None when no filter is set."""
    if not filters.active():
        return None
    return np.array([document_matches(d, filters) for d in docs], dtype=bool)
