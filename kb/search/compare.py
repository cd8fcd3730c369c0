"""Compare: one topic across agencies, the best passages of each side by side."""
from __future__ import annotations

import time

import numpy as np

from kb.search.engine import SearchEngine
from kb.search.params import validate
from kb.search.filters import Filters
from kb.text import compact, tokenize


def topic_masks(keyword, query: str) -> list[np.ndarray]:
    """Passages on the topic, strictest first: containing the topic as written (公众号, which jieba cuts
    into 公众 + 号), then containing every word of it of two or more characters."""
    masks = []
    whole = compact(query)
    if 1 < len(whole) <= 12 and tokenize(query):
        masks.append(keyword.substring_mask(whole))
    words = [t for t in dict.fromkeys(tokenize(query)) if len(t) > 1]
    if words:
        mask = None
        for w in sorted(words, key=len, reverse=True):
            mask = keyword.substring_mask(w, mask)
        masks.append(mask)
    return masks


def compare_agencies(engine: SearchEngine, query: str, per_agency: int = 3, filters: Filters | None = None,
                     mode: str = "hybrid") -> dict:
    """Agencies ordered by their best passage. Only passages on the topic count (topic_masks; then those
    with any of its words, as keyword search finds them); when none is (an English or paraphrased topic)
    the semantic ranking decides."""
    validate(query, mode, per_agency)
    t0 = time.perf_counter()
    engine.refresh()
    ranking = engine.ranking(query, mode, filters or Filters())
    f, catalog = ranking.fused, ranking.served.indexes.catalog
    order = engine.order(ranking)
    masks = topic_masks(ranking.served.indexes.keyword, query) if not ranking.structured else []
    on_topic = next((m[f.rows[order]] for m in masks if m[f.rows[order]].any()), None)
    if on_topic is not None:
        order = order[on_topic]
    elif np.isfinite(f.keyword[order]).any():
        order = order[np.isfinite(f.keyword[order])]
    agencies = [d["agency"] for d in catalog.docs]
    by_agency: dict[str, list[int]] = {}
    for i in order:
        name = agencies[catalog.row_doc[f.rows[i]]]
        picked = by_agency.setdefault(name, [])
        if len(picked) < per_agency:
            picked.append(int(i))
    groups = []
    for positions in by_agency.values():
        results = engine.records(ranking, np.array(positions, dtype=np.int64), ranking.highlight_text)
        for rank, r in enumerate(results, start=1):
            r["rank"] = rank
        if results:
            groups.append({"agency": results[0]["agency"], "region": results[0]["region"], "results": results})
    return {"query": query, "mode": mode, "took_ms": round((time.perf_counter() - t0) * 1000, 1),
            "total_agencies": len(groups), "agencies": groups}
