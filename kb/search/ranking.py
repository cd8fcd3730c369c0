"""Ranking: a query's candidates from each side, their fusion, then the named signals added to the score.

A plain query takes the keyword side (every matching passage, BM25F-scored) and the semantic side (the
nearest passages), fuses them (kb.search.fusion), then adds each signal of SIGNALS in turn: a signal is
a name, a weight taken from the query's understanding, and a value per candidate row. A new signal is
one entry of that list. A structured query (kb.search.query) ranks inside its exact set of matches.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kb.search.fusion import Fused, fuse_rows
from kb.search.query import QueryError, parse
from kb.search.understand import Understood, understand
from kb.text import normalize, tokenize

# nearest(text, allowed rows or None, prior documents or None) -> (rows, cosines), best first
Nearest = Callable[[str, "np.ndarray | None", "np.ndarray | None"], tuple[np.ndarray, np.ndarray]]
NO_ROWS = np.zeros(0, dtype=np.int64)


@dataclass
class Ranking:
    """Every passage a query ranks, with the scores of both sides."""
    served: object                 # kb.search.engine.Served: the build this ranking read
    fused: Fused
    structured: bool
    matched: np.ndarray | None     # keyword / structured matches before filters (a row mask), for facets
    understood: dict
    highlight_text: str            # what the highlights mark (a structured query's positive words)

    @property
    def total(self) -> int:
        return len(self.fused)


@dataclass(frozen=True)
class Signal:
    """A prior added to the fused score: weight(understood) * value(understood, catalog, rows)."""
    name: str
    weight: Callable[[Understood], float]
    value: Callable[[Understood, object, np.ndarray], np.ndarray | None]  # None: does not apply


def _document_prior(understood: Understood, catalog, rows: np.ndarray) -> np.ndarray | None:
    return None if understood.doc_boost is None else understood.doc_boost[catalog.row_doc[rows]]


def _figure(understood: Understood, catalog, rows: np.ndarray) -> np.ndarray | None:
    return catalog.row_figure[rows] if understood.asks_quantity else None


SIGNALS: tuple[Signal, ...] = (
    # the documents a question names (agency, place, year): kb.search.understand
    Signal("document_prior", lambda u: u.boost_weight, _document_prior),
    # a question about a quantity is answered by a passage stating a figure
    Signal("figure", lambda u: u.figure_weight, _figure),
)


def apply_signals(fused: Fused, understood: Understood, catalog, signals=SIGNALS) -> Fused:
    if not len(fused):
        return fused
    for signal in signals:
        value = signal.value(understood, catalog, fused.rows)
        if value is not None:
            fused.score = fused.score + signal.weight(understood) * value
    return fused


def ranked_side(rows: np.ndarray, scores: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    """The keyword side as fusion needs it: best first for RRF (ranks count); as it is for convex fusion,
    which only scales by the best score (sorting every match of a common word is the slow part at 1M)."""
    if method != "rrf":
        return rows, scores
    order = np.lexsort((rows, -scores))
    return rows[order], scores[order]


def fused_by_mode(mode: str, kw: tuple, sem: tuple, keyword_weight: float, method: str) -> Fused:
    if mode == "keyword":
        return fuse_rows(*kw, NO_ROWS, [], 1.0)
    if mode == "semantic":
        return fuse_rows(NO_ROWS, [], *sem, 0.0)
    return fuse_rows(*kw, *sem, keyword_weight, method)


def rank_plain(served, query: str, mode: str, allowed: np.ndarray | None, nearest: Nearest,
               keyword_weight: float, method: str = "convex") -> Ranking:
    """A plain query: keyword matches + nearest passages, fused, then the signals."""
    keyword, catalog = served.indexes.keyword, served.indexes.catalog
    understood = understand(query, catalog)
    kw, sem, matched = (NO_ROWS, np.zeros(0)), (NO_ROWS, np.zeros(0)), None
    if mode in ("hybrid", "keyword"):
        matched = keyword.match_mask(query)
        rows = np.flatnonzero(matched if allowed is None else matched & allowed)
        scores, _ = keyword.scores(understood.rest or query)
        kw = ranked_side(rows, scores[rows], method)
    if mode in ("hybrid", "semantic") and (tokenize(query) or mode == "semantic" and normalize(query).strip()):
        sem = nearest(query, allowed, understood.doc_boost)
    fused = apply_signals(fused_by_mode(mode, kw, sem, keyword_weight, method), understood, catalog)
    return Ranking(served, fused, False, matched, understood.describe(), query)


def rank_structured(served, query: str, mode: str, allowed: np.ndarray | None, nearest: Nearest,
                    keyword_weight: float, method: str = "convex") -> Ranking:
    """A query in the query language: its exact set of matches, ranked inside the set."""
    parsed = parse(query)  # QueryError for the caller
    matched = served.evaluator.mask(parsed)
    rows = np.flatnonzero(matched if allowed is None else matched & allowed)
    text = parsed.ranking_text
    scores = served.indexes.keyword.scores(text)[0][rows] if text else np.zeros(len(rows))
    kw = ranked_side(rows, scores, method)
    sem = NO_ROWS, np.zeros(0)
    if mode != "keyword" and text and len(rows):
        inside = np.zeros(served.indexes.catalog.size, dtype=bool)
        inside[rows] = True
        sem = nearest(text, inside, None)
    if mode == "semantic":
        # every match stays in the ranking; the nearest ones first
        fused = fuse_rows(kw[0], np.zeros(len(kw[0])), *sem, 0.0)
    else:
        fused = fuse_rows(*kw, *sem, 1.0 if mode == "keyword" else keyword_weight, method)
    return Ranking(served, fused, True, matched, {"structured": str(parsed.tree)}, text)


__all__ = ["Ranking", "Signal", "SIGNALS", "QueryError", "rank_plain", "rank_structured", "apply_signals"]
