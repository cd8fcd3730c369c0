"""Keyword index: BM25F over the passage, its document context and its character bigrams, scored eagerly.

Each (term, passage) pair stores its precomputed impact, the sum over fields of
field_boost * BM25(term, field of passage). A query adds up the impact lists of its tokens with one
numpy bincount: no per-posting Python work, so OR queries of common terms cost about as much as rare
ones. (Whoosh did the same scoring per posting in Python: 36-530 ms a query at 20k passages; see
bench/RESULTS.md.) Tokens come from kb.text.tokenize only, so user text is never parsed as query syntax.

Substring recall: jieba keeps 政务微博 whole, so the token 微博 alone would never find it. The `grams`
field holds the character bigrams of the compacted passage (a separate vocabulary, prefixed), scored
with a low weight, and its postings give the exact set of passages containing any query word of two or
more characters (a bigram intersection, verified against the compacted text for longer words).
"""
from __future__ import annotations

import json
from array import array
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.indexes.idmap import rows_for
from kb.text import char_bigrams, tokenize

# Field weights: the passage itself counts most; the context (agency, short name, region, year, title,
# section path) lets "罗庄区安监局…" find a passage that never names Luozhuang; bigrams only add recall
# for words inside longer words, so they weigh little. Tuned with bench/tune.py.
FIELD_BOOSTS = {"body": 1.0, "context": 0.5, "grams": 0.1}
GRAM_PREFIX = "\x01"  # bigram terms live in their own part of the vocabulary
# Milder length normalisation than the usual 0.75: passages are of similar size already, and a short
# heading-only passage should not beat the full statement under it (bench/tune.py --bm25).
BM25_B = 0.5
BM25_K1 = 1.2
FILES = {"vocab": "vocab.json", "indptr": "indptr.npy", "rows": "rows.npy", "impacts": "impacts.npy",
         "chunk_ids": "chunk_ids.npy", "texts": "texts.txt", "meta": "keyword.json"}


@dataclass
class KeywordHit:
    chunk_id: int
    score: float


def bm25_impacts(token_lists, n_rows: int, vocab: dict[str, int], k1: float, b: float, prefix: str = ""):
    """(term ids, rows, BM25 scores) of every distinct (term, passage) pair of one field."""
    terms, rows, tfs = array("q"), array("q"), array("d")  # compact: 10^7 pairs at 200k passages
    lengths = np.zeros(n_rows, dtype=np.float64)
    for row, tokens in enumerate(token_lists):
        lengths[row] = len(tokens)
        for token, tf in Counter(tokens).items():
            terms.append(vocab.setdefault(prefix + token, len(vocab)))
            rows.append(row)
            tfs.append(tf)
    terms_a = np.frombuffer(terms, dtype=np.int64)
    rows_a = np.frombuffer(rows, dtype=np.int64)
    tf_a = np.frombuffer(tfs, dtype=np.float64)
    n = max(n_rows, 1)
    df = np.bincount(terms_a, minlength=len(vocab)).astype(np.float64)
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    avgdl = lengths.mean() if len(lengths) and lengths.mean() > 0 else 1.0
    norm = k1 * (1 - b + b * lengths[rows_a] / avgdl)
    return terms_a, rows_a, idf[terms_a] * tf_a * (k1 + 1) / (tf_a + norm)


def build_keyword_index(directory: Path, rows: list[dict], progress=None) -> dict:
    """rows: dicts with chunk_id, body_tokens, context_tokens and `compact` (the compacted normalised
    passage), in chunk id order. Returns its description."""
    directory.mkdir(parents=True, exist_ok=True)
    vocab: dict[str, int] = {}
    parts = []
    for field, boost in FIELD_BOOSTS.items():
        if field == "grams":
            lists = (char_bigrams(r["compact"]) for r in rows)
            terms, row_ids, scores = bm25_impacts(lists, len(rows), vocab, BM25_K1, BM25_B, GRAM_PREFIX)
        else:
            lists = (r[f"{field}_tokens"] for r in rows)
            terms, row_ids, scores = bm25_impacts(lists, len(rows), vocab, BM25_K1, BM25_B)
        parts.append((terms, row_ids, (scores * boost).astype(np.float32)))
    terms = np.concatenate([p[0] for p in parts])
    row_ids = np.concatenate([p[1] for p in parts])
    scores = np.concatenate([p[2] for p in parts])
    del parts
    # One impact per (term, passage): the fields' scores added up; grouped by term for slicing.
    key = terms * max(len(rows), 1) + row_ids
    del terms, row_ids
    order = np.argsort(key, kind="stable")
    key, scores = key[order], scores[order]
    del order
    unique_key, first = np.unique(key, return_index=True)
    impacts = np.add.reduceat(scores, first) if len(scores) else scores
    unique_terms = unique_key // max(len(rows), 1)
    indptr = np.searchsorted(unique_terms, np.arange(len(vocab) + 1)).astype(np.int64)
    np.save(directory / FILES["indptr"], indptr)
    np.save(directory / FILES["rows"], (unique_key % max(len(rows), 1)).astype(np.int32))
    np.save(directory / FILES["impacts"], impacts.astype(np.float32))
    np.save(directory / FILES["chunk_ids"], np.array([r["chunk_id"] for r in rows], dtype=np.int64))
    (directory / FILES["vocab"]).write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (directory / FILES["texts"]).write_text("\n".join(r["compact"] for r in rows), encoding="utf-8")
    grams = sum(1 for t in vocab if t.startswith(GRAM_PREFIX))
    meta = {"scoring": "bm25f-impacts", "k1": BM25_K1, "b": BM25_B, "field_boosts": FIELD_BOOSTS,
            "passages": len(rows), "terms": len(vocab) - grams, "bigrams": grams, "postings": len(impacts)}
    (directory / FILES["meta"]).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    if progress:
        progress(len(rows))
    return meta


class KeywordIndex:
    """Rows are passages in chunk id order (the same rows as the catalog and the vector index)."""

    def __init__(self, directory: Path):
        directory = Path(directory)
        self.vocab: dict[str, int] = json.loads((directory / FILES["vocab"]).read_text(encoding="utf-8"))
        self.indptr = np.load(directory / FILES["indptr"])
        self.rows = np.load(directory / FILES["rows"])
        self.impacts = np.load(directory / FILES["impacts"])
        self.chunk_ids = np.load(directory / FILES["chunk_ids"])
        self.meta = json.loads((directory / FILES["meta"]).read_text(encoding="utf-8"))
        raw = (directory / FILES["texts"]).read_text(encoding="utf-8")
        self.texts: list[str] = raw.split("\n") if self.chunk_ids.size else []

    @property
    def size(self) -> int:
        return len(self.chunk_ids)

    def _postings(self, term: str) -> np.ndarray:
        t = self.vocab.get(term)
        return self.rows[self.indptr[t]:self.indptr[t + 1]] if t is not None else np.zeros(0, dtype=np.int32)

    def query_terms(self, query: str) -> list[int]:
        return [self.vocab[t] for t in dict.fromkeys(tokenize(query)) if t in self.vocab]

    def scores(self, query: str) -> tuple[np.ndarray, list[str]]:
        """BM25F score of every row for the query's tokens and their bigrams; and the query's tokens."""
        tokens = list(dict.fromkeys(tokenize(query)))
        grams = dict.fromkeys(GRAM_PREFIX + g for t in tokens if len(t) > 1 for g in char_bigrams(t))
        ids = [self.vocab[t] for t in (*tokens, *grams) if t in self.vocab]
        if not ids:
            return np.zeros(self.size, dtype=np.float64), tokens
        slices = [slice(self.indptr[t], self.indptr[t + 1]) for t in ids]
        rows = np.concatenate([self.rows[s] for s in slices])
        weights = np.concatenate([self.impacts[s] for s in slices])
        return np.bincount(rows, weights=weights, minlength=self.size), tokens

    def substring_mask(self, text: str, within: np.ndarray | None = None) -> np.ndarray:
        """Rows whose compacted text contains `text` (already compacted), inside the `within` mask."""
        mask = np.zeros(self.size, dtype=bool)
        if not text:
            return mask | (True if within is None else within)
        if len(text) == 1:
            candidates = np.flatnonzero(within) if within is not None else range(self.size)
        else:
            lists = sorted((self._postings(GRAM_PREFIX + g) for g in dict.fromkeys(char_bigrams(text))), key=len)
            candidates = lists[0]
            for other in lists[1:]:
                if not len(candidates):
                    break
                candidates = np.intersect1d(candidates, other, assume_unique=True)
            if within is not None:
                candidates = candidates[within[candidates]]
            if len(text) == 2:
                mask[candidates] = True
                return mask
        texts = self.texts
        hits = [r for r in candidates if text in texts[r]]
        mask[np.asarray(hits, dtype=np.int64)] = True
        return mask

    def match_mask(self, query: str) -> np.ndarray:
        """Rows whose text contains one of the query's words of two or more characters (微博 inside
        政务微博: wherever the tokenizer cut), or, when it has none, one of its single characters.
        The context field ranks but does not make a match: `total` counts passages with the words."""
        tokens = list(dict.fromkeys(tokenize(query)))
        words = [t for t in tokens if len(t) > 1] or tokens
        matched = np.zeros(self.size, dtype=bool)
        for t in sorted(words, key=len):
            matched |= self.substring_mask(t, None if len(t) == 2 else ~matched)
        return matched

    def matches(self, query: str, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(rows, scores) of every matching passage, best first (ties by row)."""
        scores, _ = self.scores(query)
        matched = self.match_mask(query)
        if allowed is not None:
            matched &= allowed
        rows = np.flatnonzero(matched)
        rows = rows[np.lexsort((rows, -scores[rows]))]
        return rows, scores[rows]

    def search(self, query: str, limit: int, allowed_chunk_ids: np.ndarray | None = None) -> list[KeywordHit]:
        """The best `limit` matching passages."""
        allowed = None
        if allowed_chunk_ids is not None:
            allowed = np.zeros(self.size, dtype=bool)
            allowed[rows_for(self.chunk_ids, allowed_chunk_ids)] = True
        rows, scores = self.matches(query, allowed)
        return [KeywordHit(int(self.chunk_ids[r]), float(s)) for r, s in zip(rows[:limit], scores[:limit], strict=True)]
