"""Keyword index (Whoosh): BM25F over the passage and its document context, as separate fields.

Text is tokenised once by kb.text.tokenize and stored space-separated, so Whoosh never sees raw
user text: queries are built from tokens as Term objects (no query syntax to inject).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import scoring
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.query import Or, Term

from .text import tokenize

# Field weights: the passage itself counts most; the context (agency, title, year, section path)
# lets "罗庄区安监局…" find a passage that never names Luozhuang. Chosen on the dev set (bench/tune.py).
FIELD_BOOSTS = {"body": 1.0, "context": 0.5}
# Milder length normalisation than the usual 0.75: passages are already of similar size, and a short
# heading-only passage should not beat the full statement under it (measured with bench/tune.py --bm25).
BM25_B = 0.5
BM25_K1 = 1.2
# Terms found in more than this share of passages carry almost no evidence but cost the most time
# (Whoosh scores every posting in pure Python): they are dropped when rarer terms remain.
COMMON_TERM_SHARE = 0.25


def schema() -> Schema:
    analyzer = SpaceSeparatedTokenizer()
    return Schema(chunk_id=NUMERIC(stored=True, unique=True, bits=64), doc_id=ID(stored=False),
                  body=TEXT(analyzer=analyzer), context=TEXT(analyzer=analyzer))


@dataclass
class KeywordHit:
    chunk_id: int
    score: float


def build_keyword_index(directory: Path, rows, progress=None) -> int:
    """rows: dicts with chunk_id, doc_id, body_tokens, context_tokens (lists). Returns the count."""
    directory.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(directory), schema())
    writer = ix.writer(limitmb=512)
    n = 0
    for row in rows:
        writer.add_document(chunk_id=row["chunk_id"], doc_id=row["doc_id"], body=" ".join(row["body_tokens"]),
                            context=" ".join(row["context_tokens"]))
        n += 1
        if progress:
            progress(1)
    writer.commit()
    return n


class KeywordIndex:
    def __init__(self, directory: Path):
        self.ix = whoosh_index.open_dir(str(directory))
        self.searcher = self.ix.searcher(weighting=scoring.BM25F(B=BM25_B, K1=BM25_K1))
        self.doc_count = self.searcher.doc_count() or 1
        self._lock = threading.Lock()  # a Whoosh searcher is not meant to be shared by threads at once

    def close(self) -> None:
        self.searcher.close()

    def query_tokens(self, query: str) -> list[str]:
        tokens = list(dict.fromkeys(tokenize(query)))
        with self._lock:
            rare = [t for t in tokens if self.searcher.doc_frequency("body", t) / self.doc_count <= COMMON_TERM_SHARE]
        return rare or tokens

    def search(self, query: str, limit: int, doc_ids: set[str] | None = None) -> list[KeywordHit]:
        tokens = self.query_tokens(query)
        if not tokens or limit <= 0:
            return []
        q = Or([Term(field, t, boost=boost) for t in tokens for field, boost in FIELD_BOOSTS.items()])
        flt = Or([Term("doc_id", d) for d in sorted(doc_ids)]) if doc_ids is not None else None
        if doc_ids is not None and not doc_ids:
            return []
        with self._lock:
            results = self.searcher.search(q, limit=limit, filter=flt)
            return [KeywordHit(int(r["chunk_id"]), float(r.score)) for r in results]
