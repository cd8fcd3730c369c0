"""Search: query -> keyword + semantic -> fusion -> filters -> cited passages (+ an answer from facts).

Two kinds of query (ranked in kb.search.ranking):
- plain text (a question or words): a passage that contains every term (kb.search.terms) is a match; the
  matches, ranked by BM25F and the vector index's similarity, come with related passages (some of the
  words, or the nearest by meaning), marked `match: false` and never counted;
- the query language (kb.search.query: phrases, AND/OR/NOT, fields, ranges): Whoosh's parser and the
  document index give the exact set of matching passages, ranked inside the set by the same scorers.
`total` is the number of matches, counted exactly; any of them is reachable by offset.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np

from kb.indexes.builds import Indexes, current_build, open_indexes
from kb.indexes.embed import EmbedderError, load_embedder, same_model
from kb.search.filters import FILTER_FIELDS, Filters, document_mask
from kb.search.fusion import FusedHit
from kb.search.highlight import highlight
from kb.search.params import SearchError, validate
from kb.search.query import Evaluator, QueryError, has_syntax
from kb.search.ranking import Ranking, display_order, rank_plain, rank_structured
from kb.settings import Settings
from kb.store import Snapshot, Store
from kb.text import normalize
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
        # a model trained with a query prefix (e5) embeds queries its own way
        encode = getattr(self.embedder, "encode_query", self.embedder.encode)
        return encode([normalized_query])[0]

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
        nearest = partial(self._semantic, served)  # one build for the whole ranking
        if has_syntax(query):
            try:
                return rank_structured(served, query, mode, allowed, nearest, w, method)
            except QueryError as exc:
                raise SearchError("q", str(exc), "invalid_query") from None
        return rank_plain(served, query, mode, allowed, nearest, w, method)

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

    def order(self, ranking: Ranking, sort: str = "relevance", stop: int | None = None, page: int = 10) -> np.ndarray:
        """Positions into ranking.fused in display order; only the first `stop` are guaranteed sorted."""
        return display_order(ranking, sort, stop, page)

    # -- the public search ------------------------------------------------------------------------
    def search(self, query: str, mode: str = "hybrid", k: int = 10, filters: Filters | None = None,
               offset: int = 0, facets: bool = False, sort: str = "relevance") -> dict:
        validate(query, mode, k, offset, sort)
        filters = filters or Filters()
        t0 = time.perf_counter()
        self.refresh()
        ranking = self.ranking(query, mode, filters)
        window = self.order(ranking, sort, offset + k, page=k)[offset:offset + k]
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
            record = result_record(hit, chunks[cid] | {k: doc[k] for k in DOC_CONTEXT}, query, rank, with_highlight)
            record["match"] = True if ranking.is_match is None else bool(ranking.is_match[i])
            out.append(record)
        return out

    def export(self, query: str, mode: str = "hybrid", filters: Filters | None = None, sort: str = "relevance",
               batch: int = 500):
        """(total, records): every match of the ranking, in order, without highlights (a generator)."""
        validate(query, mode, 1, 0, sort)
        self.refresh()
        ranking = self.ranking(query, mode, filters or Filters())
        order = self.order(ranking, sort)
        if ranking.matches_first:
            order = order[ranking.is_match[order]]  # matches only

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
