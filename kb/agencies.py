"""Agencies across the years: every agency with its reports, and one agency's figures as series (a panel).

An agency is its name compared across scripts and spacing (湖南省安全生產監督管理局 is 湖南省安全生产监督管理局);
its id is a hash of that form, so it stays the same across ingests and builds.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from kb.citation import citation
from kb.questions.figures import figures_in, known_metrics, metric_label
from kb.text import compact
from kb.urls import agency_url, document_url


def agency_id(name: str) -> str:
    return hashlib.blake2b(compact(name).encode("utf-8"), digest_size=6).hexdigest()


@dataclass
class Agency:
    id: str
    name: str                 # as the most recent report writes it
    level: str
    region: str
    documents: list[dict] = field(default_factory=list)   # its reports, oldest year first

    @property
    def years(self) -> list[int]:
        return sorted({d["year"] for d in self.documents if d["year"] is not None})

    def summary(self) -> dict:
        return {"id": self.id, "agency": self.name, "level": self.level, "region": self.region,
                "reports": len(self.documents), "years": self.years, "url": agency_url(self.id)}


def group_agencies(documents: list[dict]) -> list[Agency]:
    """The agencies of these documents, by name (most reports first, then name)."""
    groups: dict[str, list[dict]] = {}
    for d in documents:
        if d["agency"]:
            groups.setdefault(agency_id(d["agency"]), []).append(d)
    out = []
    for aid, docs in groups.items():
        docs.sort(key=lambda d: (d["year"] or 0, d["doc_id"]))
        latest = docs[-1]
        out.append(Agency(aid, latest["agency"], latest["level"], latest["region"], docs))
    return sorted(out, key=lambda a: (-len(a.documents), a.name))


def agency_report(snapshot, documents: list[dict], aid: str) -> dict | None:
    """One agency: its reports by year, its standing figures (year × metric, each with its evidence link)
    and each metric's series over the years; None when no document is the agency's."""
    agency = next((a for a in group_agencies(documents) if a.id == aid), None)
    if agency is None:
        return None
    figures = figures_in(snapshot, agency.documents)
    metrics = [m for m in known_metrics() if any(k[2] == m for k in figures)]
    rows = []
    for year in sorted({k[1] for k in figures}, key=lambda y: y or 0):
        cells = {}
        for m in metrics:
            f = next((f for k, f in figures.items() if k[1] == year and k[2] == m), None)
            cells[m] = None if f is None else {"value": f.value, "unit": f.unit, "approx": f.approx, "scope": f.scope,
                                               "doc_id": f.doc_id, "text": f.text,
                                               "url": document_url(f.doc_id, f.start, f.end)}
        rows.append({"year": year, "cells": cells})
    series = {m: [{"year": r["year"], "value": r["cells"][m]["value"]} for r in rows
                  if r["year"] is not None and r["cells"][m] is not None] for m in metrics}
    reports = [{"year": d["year"], "doc_id": d["doc_id"], "title": d["title"], "doc_type": d["doc_type"],
                "published": d.get("published"), "url": document_url(d["doc_id"]), "citation": citation(d)}
               for d in agency.documents]
    return agency.summary() | {"documents": reports, "metrics": {m: metric_label(m) for m in metrics},
                               "figures": rows, "series": series}
