"""Search: query -> keyword + semantic -> fusion -> filters -> cited passages (+ an answer from facts).

Two kinds of query:
- plain text (a question or words): every passage that contains a query word is a match (ranked by
  BM25F), the vector index adds its nearest passages, and the fused ranking covers all of them;
- the query language (kb.search.query: phrases, AND/OR/NOT, fields, ranges): Whoosh's parser and the
  document index give the exact set of matching passages, ranked inside the set by the same scorers.
`total` is the number of passages in the ranking, counted exactly; any of them is reachable by offset.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from kb.indexes.builds import Indexes, current_build, open_indexes
from kb.indexes.embed import EmbedderError, load_embedder, same_model
from kb.search.filters import FILTER_FIELDS, Filters, document_mask
from kb.search.fusion import Fused, FusedHit, fuse_rows
from kb.search.highlight import highlight
from kb.search.params import SearchError, validate
from kb.search.query import Evaluator, QueryError, has_syntax, parse
from kb.search.understand import understand
from kb.settings import Settings
from kb.store import Snapshot, Store
from kb.text import normalize, tokenize
from kb.urls import document_url

# (query, the store as the ranking's build saw it, filters) -> the answer record or None
Answerer = Callable[[str, Snapshot, Filters], "dict | None"]

DOC_CONTEXT = ("title", "agency", "region", "year", "doc_type")


class ModelMismatch(EmbedderError):
    pass


@dataclass
class Served:
    """One build and what is derived from it, swapped whole on refresh: every step of one search (ranking,
    order, records, facets, the answer) reads the same one, so a response is of one generation."""
    indexes: Indexes
    evaluator: Evaluator
    doc_values: dict[str, np.ndarray]
    row_years: np.ndarray
    snapshot: Snapshot              # the store as this build saw it (figures behind answers)

    @classmethod
    def of(cls, indexes: Indexes, store: Store) -> Served:
        catalog = indexes.catalog
        return cls(indexes, Evaluator(indexes.keyword, catalog, indexes.documents),
                   {f: catalog.doc_values(f) for f in FILTER_FIELDS}, catalog.row_years(),
                   store.at(indexes.params["store_generation"]))


@dataclass
class Ranking:
    """Every passage a query ranks, with the scores of both sides."""
    served: Served
    fused: Fused
    structured: bool
    matched: np.ndarray | None     # keyword / structured matches before filters (a row mask), for facets
    understood: dict
    highlight_text: str            # what the highlights mark (a structured query's positive words)

    @property
    def total(self) -> int:
        return len(self.fused)


class SearchEngine:
    """The store and the indexes, opened once per process; reopens indexes after a rebuild.

    answer: what answers a question over the figures (kb.questions.answer_question), given by the layer
    that composes search and answers (web, cli); without it a response's `answer` is None.
    """

    def __init__(self, settings: Settings, store: Store | None = None, answer: Answerer | None = None):
        self.settings = settings
        self.store = store or Store(settings.db_path)
        self.answer = answer
        self._lock = threading.Lock()
        self._open(open_indexes(settings.index_dir))
        self._embedder = None
        # Facets, further pages and compare ask again for the same text: embed each query once.
        self.query_vector = lru_cache(maxsize=512)(self._embed_query)

    def _open(self, indexes: Indexes) -> None:
        self._check_model(indexes.params)
        self.served = Served.of(indexes, self.store)  # one assignment: a search sees the old or the new

    @property
    def indexes(self) -> Indexes:
        return self.served.indexes

    @property
    def snapshot(self) -> Snapshot:
        return self.served.snapshot

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
        if build is not None and build != self.served.indexes.build:
            with self._lock:
                if build != self.served.indexes.build:
                    self._open(open_indexes(self.settings.index_dir))

    # -- ranking ------------------------------------------------------------------------------------
    @staticmethod
    def allowed_rows(served: Served, filters: Filters) -> np.ndarray | None:
        docs = document_mask(served.indexes.catalog.docs, filters)
        return None if docs is None else served.indexes.catalog.rows_of_docs(docs)

    def ranking(self, query: str, mode: str, filters: Filters | None = None, method: str = "convex",
                keyword_weight: float | None = None) -> Ranking:
        """All passages the query ranks under the filters (unsorted; see `order`)."""
        filters = filters or Filters()
        served = self.served
        allowed = self.allowed_rows(served, filters)
        w = self.settings.keyword_weight if keyword_weight is None else keyword_weight
        if has_syntax(query):
            return self._structured(served, query, mode, allowed, w, method)
        keyword = served.indexes.keyword
        understood = understand(query, served.indexes.catalog)
        empty = np.zeros(0, dtype=np.int64), np.zeros(0)
        kw_rows, kw_scores, matched = *empty, None
        if mode in ("hybrid", "keyword"):
            matched = keyword.match_mask(query)
            rows = np.flatnonzero(matched if allowed is None else matched & allowed)
            scores, _ = keyword.scores(understood.rest if understood and understood.rest else query)
            kw_rows, kw_scores = _ranked(rows, scores[rows], method)
        sem_rows, sem_scores = empty
        if mode in ("hybrid", "semantic") and (tokenize(query) or mode == "semantic" and normalize(query).strip()):
            sem_rows, sem_scores = self._semantic(served, query, allowed, understood.doc_boost)
        if mode == "keyword":
            fused = fuse_rows(kw_rows, kw_scores, [], [], 1.0)
        elif mode == "semantic":
            fused = fuse_rows([], [], sem_rows, sem_scores, 0.0)
        else:
            fused = fuse_rows(kw_rows, kw_scores, sem_rows, sem_scores, w, method)
        catalog = served.indexes.catalog
        if understood.doc_boost is not None and len(fused):
            fused.score = fused.score + understood.boost_weight * understood.doc_boost[catalog.row_doc[fused.rows]]
        if understood.asks_quantity and len(fused):
            fused.score = fused.score + understood.figure_weight * catalog.row_figure[fused.rows]
        return Ranking(served, fused, False, matched, understood.describe(), query)

    def _semantic(self, served: Served, text: str, allowed: np.ndarray | None, prior: np.ndarray | None = None):
        vector = self.query_vector(normalize(text))
        n = self.settings.candidates
        rows, scores = served.indexes.vector.search_rows(vector, n, allowed)
        if prior is not None and prior.any():
            # The documents the question names get their own nearest passages too.
            named = served.indexes.catalog.rows_of_docs(prior > 0)
            more_rows, more_scores = served.indexes.vector.search_rows(vector, n, named if allowed is None
                                                                     else named & allowed)
            extra = ~np.isin(more_rows, rows)
            rows, scores = np.concatenate([rows, more_rows[extra]]), np.concatenate([scores, more_scores[extra]])
            order = np.lexsort((rows, -scores))
            rows, scores = rows[order], scores[order]
        return rows, scores

    def _structured(self, served: Served, query: str, mode: str, allowed, w: float, method: str) -> Ranking:
        try:
            parsed = parse(query)
        except QueryError as exc:
            raise SearchError("q", str(exc), "invalid_query") from None
        matched = served.evaluator.mask(parsed)
        rows = np.flatnonzero(matched if allowed is None else matched & allowed)
        text = parsed.ranking_text
        scores = served.indexes.keyword.scores(text)[0][rows] if text else np.zeros(len(rows))
        kw_rows, kw_scores = _ranked(rows, scores, method)
        sem_rows, sem_scores = np.zeros(0, dtype=np.int64), np.zeros(0)
        if mode != "keyword" and text and len(rows):
            inside = np.zeros(served.indexes.catalog.size, dtype=bool)
            inside[rows] = True
            sem_rows, sem_scores = self._semantic(served, text, inside)
        if mode == "semantic":
            # every match stays in the ranking; the nearest ones first
            fused = fuse_rows(kw_rows, np.zeros(len(kw_rows)), sem_rows, sem_scores, 0.0)
        else:
            fused = fuse_rows(kw_rows, kw_scores, sem_rows, sem_scores, 1.0 if mode == "keyword" else w, method)
        return Ranking(served, fused, True, matched, {"structured": str(parsed.tree)}, text)

    def order(self, ranking: Ranking, sort: str = "relevance", stop: int | None = None) -> np.ndarray:
        """Positions into ranking.fused in display order; only the first `stop` are guaranteed sorted."""
        f = ranking.fused
        n = len(f)
        if n == 0:
            return np.zeros(0, dtype=np.int64)
        if sort == "relevance":
            candidates = np.arange(n)
            if stop is not None and stop < n:
                threshold = np.partition(f.score, n - stop)[n - stop]
                candidates = np.flatnonzero(f.score >= threshold)  # every tie at the cut comes along
            order = candidates[np.lexsort((f.rows[candidates], -f.score[candidates]))]
            return order[:stop] if stop is not None else order
        if sort in ("year", "year_asc"):
            years = ranking.served.row_years[f.rows]
            key = -years if sort == "year" else np.where(years > 0, years, 10_000)
            return np.lexsort((f.rows, -f.score, key))[:stop]
        agencies = ranking.served.doc_values["agency"][ranking.served.indexes.catalog.row_doc[f.rows]]
        _, rank = np.unique(agencies.astype(str), return_inverse=True)
        return np.lexsort((f.rows, -f.score, rank))[:stop]

    def candidates(self, query: str, mode: str, filters: Filters, method: str = "convex",
                   keyword_weight: float | None = None, limit: int | None = None) -> list[FusedHit]:
        """The ranking as FusedHit records, best first (chunk ids, raw scores)."""
        ranking = self.ranking(query, mode, filters, method, keyword_weight)
        f = ranking.fused
        return [FusedHit(int(ranking.served.indexes.catalog.chunk_ids[f.rows[i]]), float(f.score[i]),
                         _num(f.keyword[i]), _num(f.semantic[i])) for i in self.order(ranking, stop=limit)]

    # -- the public search ------------------------------------------------------------------------
    def search(self, query: str, mode: str = "hybrid", k: int = 10, filters: Filters | None = None,
               offset: int = 0, facets: bool = False, sort: str = "relevance") -> dict:
        validate(query, mode, k, offset, sort)
        filters = filters or Filters()
        t0 = time.perf_counter()
        self.refresh()
        ranking = self.ranking(query, mode, filters)
        window = self.order(ranking, sort, offset + k)[offset:offset + k]
        results = self.records(ranking, window, ranking.highlight_text, first_rank=offset + 1)
        response = {"query": query, "mode": mode, "took_ms": 0.0, "total": ranking.total, "total_exact": True,
                    "offset": offset, "k": k, "sort": sort, "structured": ranking.structured,
                    "understood": ranking.understood, "results": results,
                    "answer": self.answer(query, ranking.served.snapshot, filters) if self.answer else None}
        if facets:
            response["facets"] = self.facet_counts(ranking, filters)
        response["took_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        return response

    def records(self, ranking: Ranking, positions: np.ndarray, query: str, first_rank: int = 1,
                with_highlight: bool = True) -> list[dict]:
        f = ranking.fused
        catalog = ranking.served.indexes.catalog
        chunk_ids = [int(catalog.chunk_ids[f.rows[i]]) for i in positions]
        chunks = self.store.chunks_by_id(chunk_ids)
        out = []
        for rank, (i, cid) in enumerate(zip(positions, chunk_ids, strict=True), start=first_rank):
            if cid not in chunks:
                # Rows outlive every build that cites them (kb/store.py purge); only a search that spans two
                # whole ingests could meet a purged one.
                continue
            hit = FusedHit(cid, float(f.score[i]), _num(f.keyword[i]), _num(f.semantic[i]))
            # The document as this build saw it, so a response is of one generation even mid-update.
            doc = catalog.docs[catalog.row_doc[f.rows[i]]]
            out.append(result_record(hit, chunks[cid] | {k: doc[k] for k in DOC_CONTEXT}, query, rank, with_highlight))
        return out

    def export(self, query: str, mode: str = "hybrid", filters: Filters | None = None, sort: str = "relevance",
               batch: int = 500):
        """(total, records): every passage of the ranking, in order, without highlights (a generator)."""
        validate(query, mode, 1, 0, sort)
        self.refresh()
        ranking = self.ranking(query, mode, filters or Filters())
        order = self.order(ranking, sort)

        def records():
            for start in range(0, len(order), batch):
                yield from self.records(ranking, order[start:start + batch], "", start + 1, with_highlight=False)
        return ranking.total, records()

    def facet_counts(self, ranking: Ranking, filters: Filters) -> dict[str, list[dict]]:
        """Matching passages per agency / year / region / level / type, each counted without its own filter.

        Keyword, hybrid and structured queries count the passages that match the query (contain its words
        or satisfy the expression); semantic mode counts its candidates.
        """
        served = ranking.served
        catalog = served.indexes.catalog
        if ranking.matched is None:
            counted = {facet: ranking.fused.rows for facet in FILTER_FIELDS}
        else:
            counted = {}
            for facet in FILTER_FIELDS:
                allowed = self.allowed_rows(served, filters.without(facet))
                counted[facet] = np.flatnonzero(ranking.matched if allowed is None else ranking.matched & allowed)
        out = {}
        for facet, rows in counted.items():
            per_doc = np.bincount(catalog.row_doc[rows], minlength=len(catalog.docs))
            counts: dict[str, int] = {}
            for value, n in zip(served.doc_values[facet], per_doc, strict=True):
                if n:
                    key = "" if value is None else str(value)
                    counts[key] = counts.get(key, 0) + int(n)
            out[facet] = [{"value": v, "count": n} for v, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))]
        return out


def _ranked(rows: np.ndarray, scores: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    """The keyword side as fusion needs it: best first for RRF (ranks count); as it is for convex fusion,
    which only scales by the best score (sorting every match of a common word is the slow part at 1M)."""
    if method != "rrf":
        return rows, scores
    order = np.lexsort((rows, -scores))
    return rows[order], scores[order]


def _num(x) -> float | None:
    return None if x is None or np.isnan(x) else float(x)


def result_record(hit: FusedHit, chunk: dict, query: str, rank: int, with_highlight: bool = True) -> dict:
    """One cited passage as the API returns it."""
    record = {
        "rank": rank, "score": round(hit.score, 6),
        "scores": {"keyword": _round(hit.keyword), "semantic": _round(hit.semantic)},
        "doc_id": chunk["doc_id"], "chunk_id": hit.chunk_id, "title": chunk["title"], "agency": chunk["agency"],
        "region": chunk["region"], "year": chunk["year"], "doc_type": chunk["doc_type"], "section": chunk["section"],
        "text": chunk["text"], "highlight": highlight(chunk["text"], query) if with_highlight else None,
        "start": chunk["start"], "end": chunk["end"], "url": document_url(chunk["doc_id"], chunk["start"], chunk["end"]),
    }
    if not with_highlight:
        del record["highlight"]
    return record


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 6)
