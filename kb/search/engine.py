"""Search: query -> keyword + semantic -> fusion -> filters -> cited passages (+ an answer from facts)."""
from __future__ import annotations

import threading
import time
from collections import Counter
from functools import lru_cache

import numpy as np

from kb.indexes.build import Indexes, current_build, open_indexes
from kb.indexes.embed import EmbedderError, load_embedder, same_model
from kb.questions import answer_question
from kb.search.filters import FILTER_FIELDS, Filters, allowed_doc_ids
from kb.search.fusion import FusedHit, fuse
from kb.search.highlight import highlight
from kb.settings import Settings
from kb.store import Store
from kb.text import normalize, tokenize

MODES = ("hybrid", "keyword", "semantic")
MAX_QUERY_CHARS = 500
MAX_K = 100


class SearchError(ValueError):
    """Bad search input; `param` names the offending parameter."""

    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param


class ModelMismatch(EmbedderError):
    pass


def document_url(doc_id: str, start: int | None = None, end: int | None = None) -> str:
    if start is None:
        return f"/documents/{doc_id}"
    return f"/documents/{doc_id}?start={start}&end={end}#passage"


def validate(query: str, mode: str, k: int, offset: int = 0) -> None:
    if query is None:
        raise SearchError("q", "missing query parameter q")
    if len(query) > MAX_QUERY_CHARS:
        raise SearchError("q", f"q is {len(query)} characters; at most {MAX_QUERY_CHARS} are allowed")
    if mode not in MODES:
        raise SearchError("mode", f"mode must be one of {', '.join(MODES)}; got {mode!r}")
    if not 1 <= k <= MAX_K:
        raise SearchError("k", f"k must be between 1 and {MAX_K}; got {k}")
    if offset < 0 or offset > 10_000:
        raise SearchError("offset", f"offset must be between 0 and 10000; got {offset}")


class SearchEngine:
    """The store and both indexes, opened once per process; reopens indexes after a rebuild."""

    def __init__(self, settings: Settings, store: Store | None = None):
        self.settings = settings
        self.store = store or Store(settings.db_path)
        self._lock = threading.Lock()
        self.indexes: Indexes = open_indexes(settings.index_dir)
        self._check_model(self.indexes.params)
        self._embedder = None
        # Facets, further pages and compare ask again for the same text: embed each query once.
        self.query_vector = lru_cache(maxsize=512)(self._embed_query)

    def _check_model(self, params: dict) -> None:
        if not same_model(params["model"], self.settings.embed_model):
            raise ModelMismatch(
                f"the index was built with model {params['model']!r} but {self.settings.embed_model!r} was "
                f"requested; re-index with `kb ingest --rebuild --model {self.settings.embed_model}` "
                f"or query with --model {params['model']}")

    @property
    def embedder(self):
        if self._embedder is None:
            self._embedder = load_embedder(self.settings.embed_model, self.settings.embed_threads)
        return self._embedder

    def warm_up(self) -> None:
        """Load the embedder now, so that the first query does not pay for it."""
        self.embedder.encode(["政府信息公开"])

    def _embed_query(self, normalized_query: str) -> np.ndarray:
        return self.embedder.encode([normalized_query])[0]

    def refresh(self) -> None:
        """Switch to a newer build if `kb ingest` made one since this engine opened."""
        build = current_build(self.settings.index_dir)
        if build is not None and build != self.indexes.build:
            with self._lock:
                if build != self.indexes.build:
                    fresh = open_indexes(self.settings.index_dir)
                    self._check_model(fresh.params)
                    self.indexes = fresh

    # -- candidate retrieval ------------------------------------------------------------------------
    def _allowed_chunk_ids(self, doc_ids: set[str] | None) -> np.ndarray | None:
        if doc_ids is None:
            return None
        rows = self.store.db.execute(
            f"SELECT chunk_id FROM chunks WHERE doc_id IN ({','.join('?' * len(doc_ids))}) ORDER BY chunk_id",
            sorted(doc_ids)).fetchall() if doc_ids else []
        return np.array([r[0] for r in rows], dtype=np.int64)

    def candidates(self, query: str, mode: str, filters: Filters, method: str = "convex",
                   keyword_weight: float | None = None) -> list[FusedHit]:
        allowed = self._allowed_chunk_ids(allowed_doc_ids(self.store, filters))
        n = self.settings.candidates
        keyword: list[tuple[int, float]] = []
        semantic: list[tuple[int, float]] = []
        if mode in ("hybrid", "keyword"):
            keyword = [(h.chunk_id, h.score) for h in self.indexes.keyword.search(query, n, allowed)]
        if mode in ("hybrid", "semantic") and (tokenize(query) or mode == "semantic" and normalize(query).strip()):
            vector = self.query_vector(normalize(query))
            semantic = [(h.chunk_id, h.score)
                        for h in self.indexes.vector.search(vector, n, allowed)]
        if mode == "keyword":
            return fuse(keyword, [], 1.0)
        if mode == "semantic":
            return fuse([], semantic, 0.0)
        w = self.settings.keyword_weight if keyword_weight is None else keyword_weight
        return fuse(keyword, semantic, w, method)

    # -- the public search ------------------------------------------------------------------------
    def search(self, query: str, mode: str = "hybrid", k: int = 10, filters: Filters | None = None,
               offset: int = 0, facets: bool = False) -> dict:
        validate(query, mode, k, offset)
        filters = filters or Filters()
        t0 = time.perf_counter()
        self.refresh()
        hits = self.candidates(query, mode, filters)
        page = hits[offset: offset + k]
        chunks = self.store.chunks_by_id([h.chunk_id for h in page])
        results = [result_record(h, chunks[h.chunk_id], query, rank)
                   for rank, h in enumerate(page, start=offset + 1) if h.chunk_id in chunks]
        response = {"query": query, "mode": mode, "took_ms": 0.0, "total": len(hits), "offset": offset,
                    "results": results, "answer": answer_question(query, self.store, filters)}
        if facets:
            response["facets"] = self.facet_counts(query, mode, filters)
        response["took_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        return response

    def facet_counts(self, query: str, mode: str, filters: Filters) -> dict[str, list[dict]]:
        """Matching passages per agency / year / region / type, each facet counted without its own filter.

        In keyword and hybrid mode a passage matches when it contains a query word; semantic mode counts
        its candidates.
        """
        docs = {d["doc_id"]: d for d in self.store.documents()}
        out = {}
        for facet in FILTER_FIELDS:
            hits = self.candidates(query, "semantic" if mode == "semantic" else "keyword", filters.without(facet))
            chunks = self.store.chunks_by_id([h.chunk_id for h in hits])
            counts = Counter(str(docs[c["doc_id"]][facet]) for c in chunks.values() if c["doc_id"] in docs)
            out[facet] = [{"value": v, "count": n} for v, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]
        return out


def result_record(hit: FusedHit, chunk: dict, query: str, rank: int) -> dict:
    """One cited passage as the API returns it."""
    return {
        "rank": rank, "score": round(hit.score, 6),
        "scores": {"keyword": _round(hit.keyword), "semantic": _round(hit.semantic)},
        "doc_id": chunk["doc_id"], "chunk_id": hit.chunk_id, "title": chunk["title"], "agency": chunk["agency"],
        "region": chunk["region"], "year": chunk["year"], "doc_type": chunk["doc_type"], "section": chunk["section"],
        "text": chunk["text"], "highlight": highlight(chunk["text"], query), "start": chunk["start"],
        "end": chunk["end"], "url": document_url(chunk["doc_id"], chunk["start"], chunk["end"]),
    }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 6)



