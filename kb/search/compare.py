"""Compare: one topic across agencies as a table, and the passages of other agencies like a given one.

`compare_agencies`: one row per agency whose reports have passages matching the topic (containing every
term, kb.search.terms), its best `per_agency` of them side by side, rows ordered by their best passage;
the agencies under the filters that never mention it are listed apart (coverage: N of M). A topic nothing
contains is compared by the passages with some of its terms, or else (an English or paraphrased topic)
by the semantic ranking, and says so: those agencies do not count as mentioning it.
`similar_passages`: the nearest passages of other agencies' documents to one passage (vector neighbours),
one per agency, without passages of the same text.
"""
from __future__ import annotations

import time

import numpy as np

from kb.csvfile import csv_lines
from kb.search.engine import SearchEngine
from kb.search.filters import Filters, document_mask
from kb.search.fusion import Fused
from kb.search.params import validate
from kb.search.ranking import Ranking
from kb.search.terms import any_term_mask
from kb.text import compact

CSV_COLUMNS = (("agency", "机关"), ("region", "地区"), ("level", "层级"), ("mentions", "提到"), ("rank", "名次"),
               ("year", "年度"), ("title", "标题"), ("section", "章节"), ("text", "段落"), ("doc_id", "文档"),
               ("start", "起"), ("end", "止"), ("url", "链接"))


def compare_agencies(engine: SearchEngine, query: str, per_agency: int = 3, filters: Filters | None = None,
                     mode: str = "hybrid") -> dict:
    validate(query, mode, per_agency)
    t0 = time.perf_counter()
    engine.refresh()
    filters = filters or Filters()
    ranking = engine.ranking(query, mode, filters)
    catalog = ranking.served.indexes.catalog
    order = engine.order(ranking)
    by_match = ranking.matches_first and ranking.total > 0
    if by_match:
        order = order[ranking.is_match[order]]
    elif not ranking.structured:
        some = any_term_mask(ranking.served.indexes.keyword, query)[ranking.fused.rows[order]]
        if some.any():
            order = order[some]  # passages with some of its terms
    agencies = [d["agency"] for d in catalog.docs]
    by_agency: dict[str, list[int]] = {}
    for i in order:
        picked = by_agency.setdefault(agencies[catalog.row_doc[ranking.fused.rows[i]]], [])
        if len(picked) < per_agency:
            picked.append(int(i))
    rows = []
    for positions in by_agency.values():
        results = engine.records(ranking, np.array(positions, dtype=np.int64), ranking.highlight_text)
        for rank, r in enumerate(results, start=1):
            r["rank"] = rank
        if results:
            doc = catalog.docs[catalog.row_doc[ranking.fused.rows[positions[0]]]]
            rows.append({"agency": doc["agency"], "region": doc["region"], "level": doc.get("level"),
                         "results": results})
    allowed = document_mask(catalog.docs, filters)
    considered = sorted({d["agency"] for i, d in enumerate(catalog.docs) if allowed is None or allowed[i]})
    silent = [a for a in considered if a not in by_agency] if by_match else []
    return {"query": query, "mode": mode, "took_ms": round((time.perf_counter() - t0) * 1000, 1),
            "matched": by_match, "total_agencies": len(rows), "agencies": rows,
            "coverage": {"mention": len(rows) if by_match else 0, "of": len(considered)},
            "silent_agencies": silent}


def compare_csv(result: dict, base_url: str = "") -> str:
    """The comparison in the one CSV layout (kb.csvfile): a line per passage, a line per silent agency;
    `mentions` is 是 for a matching passage, 否 for an agency that never mentions the topic, empty for the
    closest passages of a topic nothing contains."""
    def rows():
        for row in result["agencies"]:
            for r in row["results"]:
                yield r | {"region": row["region"], "level": row["level"], "section": " › ".join(r["section"]),
                           "mentions": True if result["matched"] else None}
        for agency in result["silent_agencies"]:
            yield {"agency": agency, "mentions": False}
    return "".join(csv_lines(CSV_COLUMNS, rows(), base_url))


def passage_at(engine: SearchEngine, doc_id: str, start: int) -> int | None:
    """The chunk id of the passage of doc_id that holds character `start` (None if none does)."""
    catalog = engine.served.indexes.catalog
    docs = np.array([d["doc_id"] == doc_id for d in catalog.docs], dtype=bool)
    if not docs.any():
        return None
    ids = [int(c) for c in catalog.chunk_ids[catalog.rows_of_docs(docs)]]
    for cid, chunk in sorted(engine.store.chunks_by_id(ids).items()):
        if chunk["start"] <= start < chunk["end"]:
            return cid
    return None


def similar_passages(engine: SearchEngine, chunk_id: int, k: int = 5) -> dict:
    """The passages of other agencies most similar to passage chunk_id: nearest vectors in documents of
    other agencies, the best one per agency, none with the same text. KeyError when there is no such passage."""
    engine.refresh()
    served = engine.served
    catalog, vectors = served.indexes.catalog, served.indexes.vector
    at = np.searchsorted(catalog.chunk_ids, chunk_id)
    if at >= len(catalog.chunk_ids) or catalog.chunk_ids[at] != chunk_id:
        raise KeyError(chunk_id)
    row = int(at)
    agencies = np.array([compact(d["agency"]) for d in catalog.docs])
    other_docs = agencies != agencies[catalog.row_doc[row]]
    rows, scores = vectors.search_rows(vectors.row_vector(row), k * 8, catalog.rows_of_docs(other_docs))
    source = served.indexes.keyword.texts[row]
    seen_agencies, seen_texts, keep = set(), {source}, []
    for i, r in enumerate(rows):
        agency, text = agencies[catalog.row_doc[r]], served.indexes.keyword.texts[int(r)]
        if agency in seen_agencies or text in seen_texts:
            continue
        seen_agencies.add(agency)
        seen_texts.add(text)
        keep.append(i)
        if len(keep) == k:
            break
    keep = np.array(keep, dtype=np.int64)
    fused = Fused(rows[keep], scores[keep].astype(np.float64), np.full(len(keep), np.nan), scores[keep].astype(np.float64))
    ranking = Ranking(served, fused, False, None, {}, "")
    results = engine.records(ranking, np.arange(len(keep)), "")
    return {"chunk_id": chunk_id, "results": results}
