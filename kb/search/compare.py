"""Compare: one topic across agencies, the best passages of each side by side."""
from __future__ import annotations

import time

from kb.search.engine import SearchEngine, result_record, validate
from kb.search.filters import Filters


def compare_agencies(engine: SearchEngine, query: str, per_agency: int = 3, filters: Filters | None = None,
                     mode: str = "hybrid") -> dict:
    """Agencies ordered by their best passage; only passages that contain the query's words count,
    unless no passage does (an English or paraphrased topic), when the semantic ranking decides."""
    validate(query, mode, per_agency)
    t0 = time.perf_counter()
    engine.refresh()
    hits = engine.candidates(query, mode, filters or Filters())
    matching = [h for h in hits if h.keyword is not None] or hits
    chunks = engine.store.chunks_by_id([h.chunk_id for h in matching])
    groups: dict[str, dict] = {}
    for h in matching:
        c = chunks.get(h.chunk_id)
        if c is None:
            continue
        group = groups.setdefault(c["agency"], {"agency": c["agency"], "region": c["region"], "results": []})
        if len(group["results"]) < per_agency:
            group["results"].append(result_record(h, c, query, len(group["results"]) + 1))
    return {"query": query, "mode": mode, "took_ms": round((time.perf_counter() - t0) * 1000, 1),
            "agencies": list(groups.values())}
