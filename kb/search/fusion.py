"""Fusion: one pure function merging keyword and semantic hits into one ranking.

Rule for a hit found by one side only: its score on the other side is that side's floor (0 after
normalisation), so it can still rank high on the strength of the side that found it.
Keyword (BM25) scores are divided by the best keyword score of the query (BM25 has a natural zero);
semantic (cosine) scores are min-max scaled over the candidates, since cosines of unrelated
passages are far from zero. Convex combination with a tuned weight beat reciprocal-rank fusion on
the dev set (numbers in README and bench/tune.py); RRF stays available for comparison.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RRF_K = 60


@dataclass
class FusedHit:
    chunk_id: int
    score: float
    keyword: float | None    # raw BM25 score, None when the keyword side did not find it
    semantic: float | None   # raw cosine, None when the semantic side did not find it


@dataclass
class Fused:
    """A fused ranking over index rows, in no particular order (ranked by `order`)."""
    rows: np.ndarray        # candidate rows
    score: np.ndarray       # fused score per candidate
    keyword: np.ndarray     # raw keyword score, nan where the keyword side did not find it
    semantic: np.ndarray    # raw cosine, nan where the semantic side did not find it

    def __len__(self) -> int:
        return len(self.rows)


def fuse_rows(keyword_rows: np.ndarray, keyword_scores: np.ndarray, semantic_rows: np.ndarray,
              semantic_scores: np.ndarray, keyword_weight: float, method: str = "convex") -> Fused:
    """Keyword and semantic candidates (index rows with their scores) fused into one ranking, for candidate
lists of any length (a common word matches most passages).

    Convex fusion needs each side in any order; RRF needs each side best first. Rows are index rows, so
    membership and positions use dense arrays over the row range instead of sorting a million matches.
    """
    keyword_rows = np.asarray(keyword_rows, dtype=np.int64)
    semantic_rows = np.asarray(semantic_rows, dtype=np.int64)
    span = int(max(keyword_rows.max(initial=-1), semantic_rows.max(initial=-1))) + 1
    position = np.full(span, -1, dtype=np.int64)
    position[keyword_rows] = np.arange(len(keyword_rows))
    extra = semantic_rows[position[semantic_rows] < 0]
    position[extra] = len(keyword_rows) + np.arange(len(extra))
    rows = np.concatenate([keyword_rows, extra])
    kw = np.full(len(rows), np.nan)
    kw[:len(keyword_rows)] = keyword_scores
    sem = np.full(len(rows), np.nan)
    sem_index = position[semantic_rows]  # where each semantic row sits in `rows`
    if len(sem_index):
        sem[sem_index] = semantic_scores
    if method == "rrf":
        score = np.zeros(len(rows))
        score[:len(keyword_rows)] += 1 / (RRF_K + np.arange(len(keyword_rows)))
        if len(sem_index):
            score[sem_index] += 1 / (RRF_K + np.arange(len(sem_index)))
    elif method == "convex":
        top = np.nanmax(kw) if len(keyword_rows) else 0.0
        kn = np.nan_to_num(kw / top) if top > 0 else np.zeros(len(rows))
        sn = np.zeros(len(rows))
        if len(sem_index):
            lo, hi = float(np.min(semantic_scores)), float(np.max(semantic_scores))
            sn[sem_index] = (np.asarray(semantic_scores) - lo) / (hi - lo) if hi > lo else 1.0
        score = keyword_weight * kn + (1 - keyword_weight) * sn
    else:
        raise ValueError(f"unknown fusion method {method!r}; expected 'convex' or 'rrf'")
    return Fused(rows, score, kw, sem)
