"""Keyword index: BM25F over the passage and its document context, scored eagerly (bm25s-style).

Each (term, passage) pair stores its precomputed impact, the sum over fields of
field_boost * BM25(term, field of passage). A query adds up the impact lists of its tokens with one
numpy bincount and takes the top k: no per-posting Python work, so OR queries of common terms cost
about as much as rare ones. (Whoosh did the same scoring per posting in Python: 36-530 ms a query at
20k passages; see bench/ and the README.) Tokens come from kb.text.tokenize only, so user text is
never parsed as query syntax.
"""
from __future__ import annotations

import json
from array import array
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.indexes.idmap import rows_for
from kb.text import tokenize

# Field weights: the passage itself counts most; the context (agency, short name, region, year, title,
# section path) lets "罗庄区安监局…" find a passage that never names Luozhuang. Tuned with bench/tune.py.
FIELD_BOOSTS = {"body": 1.0, "context": 0.5}
# Milder length normalisation than the usual 0.75: passages are of similar size already, and a short
# heading-only passage should not beat the full statement under it (bench/tune.py --bm25).
BM25_B = 0.5
BM25_K1 = 1.2
FILES = {"vocab": "vocab.json", "indptr": "indptr.npy", "rows": "rows.npy", "impacts": "impacts.npy",
         "chunk_ids": "chunk_ids.npy", "meta": "keyword.json"}


@dataclass
class KeywordHit:
    chunk_id: int
    score: float


def bm25_impacts(token_lists: list[list[str]], vocab: dict[str, int], k1: float, b: float):
    """(term ids, rows, BM25 scores) of every distinct (term, passage) pair of one field."""
    terms, rows, tfs = array("q"), array("q"), array("d")  # compact: 10^7 pairs at 200k passages
    lengths = np.array([len(t) for t in token_lists], dtype=np.float64)
    for row, tokens in enumerate(token_lists):
        for token, tf in Counter(tokens).items():
            terms.append(vocab.setdefault(token, len(vocab)))
            rows.append(row)
            tfs.append(tf)
    terms_a = np.frombuffer(terms, dtype=np.int64)
    rows_a = np.frombuffer(rows, dtype=np.int64)
    tf_a = np.frombuffer(tfs, dtype=np.float64)
    n = max(len(token_lists), 1)
    df = np.bincount(terms_a, minlength=len(vocab)).astype(np.float64)
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    avgdl = lengths.mean() if len(lengths) and lengths.mean() > 0 else 1.0
    norm = k1 * (1 - b + b * lengths[rows_a] / avgdl)
    return terms_a, rows_a, idf[terms_a] * tf_a * (k1 + 1) / (tf_a + norm)


def build_keyword_index(directory: Path, rows: list[dict], progress=None) -> dict:
    """rows: dicts with chunk_id, body_tokens, context_tokens, in chunk id order. Returns its description."""
    directory.mkdir(parents=True, exist_ok=True)
    vocab: dict[str, int] = {}
    parts = []
    for field, boost in FIELD_BOOSTS.items():
        terms, row_ids, scores = bm25_impacts([r[f"{field}_tokens"] for r in rows], vocab, BM25_K1, BM25_B)
        parts.append((terms, row_ids, scores * boost))
    terms = np.concatenate([p[0] for p in parts])
    row_ids = np.concatenate([p[1] for p in parts])
    scores = np.concatenate([p[2] for p in parts])
    # One impact per (term, passage): the fields' scores added up; grouped by term for slicing.
    key = terms * max(len(rows), 1) + row_ids
    order = np.argsort(key, kind="stable")
    key, scores = key[order], scores[order]
    unique_key, first = np.unique(key, return_index=True)
    impacts = np.add.reduceat(scores, first) if len(scores) else scores
    unique_terms = unique_key // max(len(rows), 1)
    indptr = np.searchsorted(unique_terms, np.arange(len(vocab) + 1)).astype(np.int64)
    np.save(directory / FILES["indptr"], indptr)
    np.save(directory / FILES["rows"], (unique_key % max(len(rows), 1)).astype(np.int32))
    np.save(directory / FILES["impacts"], impacts.astype(np.float32))
    np.save(directory / FILES["chunk_ids"], np.array([r["chunk_id"] for r in rows], dtype=np.int64))
    (directory / FILES["vocab"]).write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    meta = {"scoring": "bm25f-impacts", "k1": BM25_K1, "b": BM25_B, "field_boosts": FIELD_BOOSTS,
            "passages": len(rows), "terms": len(vocab), "postings": int(len(impacts))}
    (directory / FILES["meta"]).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    if progress:
        progress(len(rows))
    return meta


class KeywordIndex:
    def __init__(self, directory: Path):
        directory = Path(directory)
        self.vocab: dict[str, int] = json.loads((directory / FILES["vocab"]).read_text(encoding="utf-8"))
        self.indptr = np.load(directory / FILES["indptr"])
        self.rows = np.load(directory / FILES["rows"])
        self.impacts = np.load(directory / FILES["impacts"])
        self.chunk_ids = np.load(directory / FILES["chunk_ids"])
        self.meta = json.loads((directory / FILES["meta"]).read_text(encoding="utf-8"))

    def query_terms(self, query: str) -> list[int]:
        return [self.vocab[t] for t in dict.fromkeys(tokenize(query)) if t in self.vocab]

    def search(self, query: str, limit: int, allowed_chunk_ids: np.ndarray | None = None) -> list[KeywordHit]:
        """Passages containing at least one query token, best BM25F first."""
        terms = self.query_terms(query)
        if not terms or limit <= 0:
            return []
        slices = [slice(self.indptr[t], self.indptr[t + 1]) for t in terms]
        rows = np.concatenate([self.rows[s] for s in slices])
        scores = np.bincount(rows, weights=np.concatenate([self.impacts[s] for s in slices]),
                             minlength=len(self.chunk_ids))
        if allowed_chunk_ids is not None:
            allowed = np.zeros(len(scores), dtype=bool)
            allowed[rows_for(self.chunk_ids, allowed_chunk_ids)] = True
            scores[~allowed] = 0.0
        matched = np.flatnonzero(scores)  # every impact is > 0, so these are the passages with a query token
        if len(matched) > limit:
            matched = matched[np.argpartition(-scores[matched], limit - 1)[:limit]]
        # best first; ties by chunk id, so results are stable
        matched = matched[np.lexsort((self.chunk_ids[matched], -scores[matched]))]
        return [KeywordHit(int(self.chunk_ids[r]), float(scores[r])) for r in matched]
