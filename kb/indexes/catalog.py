"""Catalog: what each index row (passage, in chunk id order) belongs to, as arrays.

Filters, facets, sorting, structured field queries and counts all work on these arrays instead of
asking SQLite per query: a row's document, its section path, its year. Documents are kept with the
metadata they had when the build was made, so one build is consistent in itself.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ARRAYS = "catalog.npz"
DOCS = "documents.json"
SECTIONS = "sections.json"
DOC_FIELDS = ("doc_id", "title", "agency", "region", "level", "year", "doc_type")
# A passage that states a figure: a number with a counting unit, or a statement that none happened.
FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:余|多)?\s*(?:件|条|次|起|人|个|项|元|篇|场|期|家|份|名|批|万)"
                    r"|(?:未|没有|无|不)(?:发生|收到|出现|收取|收费|接到|受理|产生)")


def states_figure(normalized_text: str) -> bool:
    return bool(FIGURE.search(normalized_text))


def build_catalog(directory: Path, places: list[tuple[int, str, str]], documents: list[dict],
                  figures: np.ndarray) -> dict:
    """places: (chunk id, doc id, section path as JSON) of every passage in chunk id order (Store.chunk_places);
    documents as Store.documents() gives them; figures: whether each passage states a figure."""
    directory.mkdir(parents=True, exist_ok=True)
    docs = [{f: d[f] for f in DOC_FIELDS} for d in documents]
    doc_row = {d["doc_id"]: i for i, d in enumerate(docs)}
    sections: dict[str, int] = {}
    section_of_json: dict[str, int] = {}  # passages of one section share the JSON string: parse it once

    def section(raw: str) -> int:
        if raw not in section_of_json:
            section_of_json[raw] = sections.setdefault(" › ".join(json.loads(raw)), len(sections))
        return section_of_json[raw]

    n = len(places)
    np.savez(directory / ARRAYS, chunk_ids=np.fromiter((p[0] for p in places), dtype=np.int64, count=n),
             row_doc=np.fromiter((doc_row[p[1]] for p in places), dtype=np.int32, count=n),
             row_section=np.fromiter((section(p[2]) for p in places), dtype=np.int32, count=n),
             row_figure=np.asarray(figures, dtype=bool))
    (directory / DOCS).write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")
    (directory / SECTIONS).write_text(json.dumps(list(sections), ensure_ascii=False), encoding="utf-8")
    return {"documents": len(docs), "sections": len(sections)}


@dataclass
class Catalog:
    chunk_ids: np.ndarray     # row -> chunk id (ascending)
    row_doc: np.ndarray       # row -> index into docs
    row_section: np.ndarray   # row -> index into sections
    row_figure: np.ndarray    # row -> states a figure
    docs: list[dict]
    sections: list[str]       # section paths joined with " › "

    @classmethod
    def open(cls, directory: Path) -> Catalog:
        arrays = np.load(Path(directory) / ARRAYS)
        docs = json.loads((Path(directory) / DOCS).read_text(encoding="utf-8"))
        sections = json.loads((Path(directory) / SECTIONS).read_text(encoding="utf-8"))
        return cls(arrays["chunk_ids"], arrays["row_doc"], arrays["row_section"], arrays["row_figure"], docs, sections)

    @property
    def size(self) -> int:
        return len(self.chunk_ids)

    def doc_values(self, field: str) -> np.ndarray:
        """One value per document (object array), for grouping rows by a document field."""
        return np.array([d[field] for d in self.docs], dtype=object)

    def rows_of_docs(self, doc_mask: np.ndarray) -> np.ndarray:
        """Row mask of the documents selected by a document mask."""
        return doc_mask[self.row_doc] if len(doc_mask) else np.zeros(self.size, dtype=bool)

    def row_years(self) -> np.ndarray:
        years = np.array([d["year"] or 0 for d in self.docs], dtype=np.int32)
        return years[self.row_doc] if len(years) else np.zeros(0, dtype=np.int32)
