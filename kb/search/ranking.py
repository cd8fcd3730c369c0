"""Ranking: a query's candidates from each side, their fusion, then the named signals added to the score.

A plain query takes the keyword side (every matching passage, BM25F-scored) and the semantic side (the
nearest passages), fuses them (kb.search.fusion), then adds each signal of SIGNALS in turn: a signal is
a name, a weight taken from the query's understanding, and a value per candidate row. A new signal is
one entry of that list. A structured query (kb.search.query) ranks inside its exact set of matches.
"""
from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kb.search.coverage import coverage
from kb.search.fusion import Fused, fuse_rows
from kb.search.query import QueryError, parse
from kb.search.terms import match_mask
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
    is_match: np.ndarray | None = None  # per fused candidate: contains every term (None: every one does)
    matches_first: bool = False    # only matches are counted (not semantic mode)
    topical: bool = False          # names no agency or place: a page spreads over reports
    group_matches: bool = False    # list every match before every related passage

    @property
    def total(self) -> int:
        """Matches only: related passages after them are never counted (semantic mode: its candidates)."""
        return int(self.is_match.sum()) if self.matches_first else len(self.fused)


@dataclass(frozen=True)
class Signal:
    """A prior added to the fused score: weight(understood) * value(understood, indexes, rows)."""
    name: str
    weight: Callable[[Understood], float]
    value: Callable[[Understood, object, np.ndarray], np.ndarray | None]  # None: does not apply


def _document_prior(understood: Understood, indexes, rows: np.ndarray) -> np.ndarray | None:
    return None if understood.doc_boost is None else understood.doc_boost[indexes.catalog.row_doc[rows]]


def _short(understood: Understood, indexes, rows: np.ndarray) -> np.ndarray | None:
    """For a topical query, how far a passage falls short of a statement (a heading, a contents line):
    1 for an empty one, 0 from STATEMENT_CHARS characters on."""
    if not understood.topical:
        return None
    offsets = indexes.keyword.texts.offsets
    chars = (offsets[rows + 1] - offsets[rows]) / 3  # compacted UTF-8, nearly all three-byte characters
    return np.clip(1.0 - chars / STATEMENT_CHARS, 0.0, 1.0)


def _coverage(understood: Understood, indexes, rows: np.ndarray) -> np.ndarray | None:
    if not understood.topical or not COVERAGE_WEIGHT:
        return None
    return coverage(indexes.keyword, indexes.catalog, understood.rest or "", rows)


def _figure(understood: Understood, indexes, rows: np.ndarray) -> np.ndarray | None:
    return indexes.catalog.row_figure[rows] if understood.asks_quantity else None


SIGNALS: tuple[Signal, ...] = (
    # the documents a question names (agency, place, year): kb.search.understand
    Signal("document_prior", lambda u: u.boost_weight, _document_prior),
    # a question about a quantity is answered by a passage stating a figure
    Signal("figure", lambda u: u.figure_weight, _figure),
    # a topical query wants statements: headings and contents lines rank low
    Signal("short", lambda u: -SHORT_PENALTY, _short),
    # a topical query wants passages about all of it: the share of its words a passage holds (kb.search.coverage)
    Signal("coverage", lambda u: COVERAGE_WEIGHT, _coverage),
)
# Tuned on both dev sets together (bench/topical.py --grid).
TOPICAL_CONTEXT = 0.25  # the context field's boost for a topical query: the passage text ranks first
TOPICAL_KEYWORD_WEIGHT = 0.8  # the keyword side's weight in a topical query's fusion
SHORT_PENALTY = 0.1     # taken off a topical query's passage with no statement (scaled by `_short`)
STATEMENT_CHARS = 40
COVERAGE_WEIGHT = 0.2   # a topical query's passage holding all of its words outside its agency's name
RELATED = 20            # related passages kept beside the matches (never counted)
DIVERSITY_CAP = 3       # passages of one report in any page of a topical query (when others are left)
DIVERSITY_DEPTH = 2000  # positions re-ordered for diversity; past them the plain order


def apply_signals(fused: Fused, understood: Understood, indexes, signals=SIGNALS) -> Fused:
    if not len(fused):
        return fused
    for signal in signals:
        value = signal.value(understood, indexes, fused.rows)
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
    """A plain query: its matches (kb.search.terms) and its related passages (those with some of its
    words, and the nearest by meaning), ranked by keyword + semantic scores and the signals. A topical
    query lists its matches first; a question naming a report keeps the fused order (its answer need
    not repeat every word of the question). Either way only matches are counted."""
    keyword, catalog = served.indexes.keyword, served.indexes.catalog
    understood = understand(query, catalog, keyword)
    words, docs = understood.selectors
    matched = match_mask(keyword, catalog, understood.rest if words else query, docs, words)
    kw, sem = (NO_ROWS, np.zeros(0)), (NO_ROWS, np.zeros(0))
    if mode in ("hybrid", "keyword"):
        some = keyword.match_mask(query) | matched  # passages with any of the query's words
        rows = np.flatnonzero(some if allowed is None else some & allowed)
        context = TOPICAL_CONTEXT if understood.topical else None
        scores, _ = keyword.scores(understood.rest or query, context)
        kw = ranked_side(rows, scores[rows], method)
    if mode in ("hybrid", "semantic") and (tokenize(query) or mode == "semantic" and normalize(query).strip()):
        sem = nearest(query, allowed, understood.doc_boost)
    if understood.topical:
        keyword_weight = TOPICAL_KEYWORD_WEIGHT
    fused = apply_signals(fused_by_mode(mode, kw, sem, keyword_weight, method), understood, served.indexes)
    is_match = matched[fused.rows]
    if mode != "semantic" and (~is_match).sum() > RELATED:
        # only the best related passages stay (none is counted)
        related = np.flatnonzero(~is_match)
        drop = related[np.lexsort((fused.rows[related], -fused.score[related]))[RELATED:]]
        keep = np.ones(len(fused), dtype=bool)
        keep[drop] = False
        fused = Fused(fused.rows[keep], fused.score[keep], fused.keyword[keep], fused.semantic[keep])
        is_match = is_match[keep]
    semantic = mode == "semantic"  # ranks its nearest passages only; facets count those, as total does
    return Ranking(served, fused, False, None if semantic else matched, understood.describe(), query,
                   is_match, not semantic, understood.topical, understood.topical and not semantic)


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


def display_order(ranking: Ranking, sort: str = "relevance", stop: int | None = None,
                  page: int = 10) -> np.ndarray:
    """Positions into ranking.fused in display order (matches before related passages); only the first
    `stop` are guaranteed sorted. A topical query's order is spread over reports (see `spread`)."""
    f = ranking.fused
    n = len(f)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    group = (~ranking.is_match).astype(np.int8) if ranking.group_matches else np.zeros(n, dtype=np.int8)
    if sort == "relevance":
        spread_out = ranking.topical and not ranking.structured
        want = None if stop is None else (max(stop, DIVERSITY_DEPTH) if spread_out else stop)
        candidates = np.arange(n)
        if want is not None and want < n:
            key = f.score - 1e9 * group  # the matches first
            threshold = np.partition(key, n - want)[n - want]
            candidates = np.flatnonzero(key >= threshold)  # every tie at the cut comes along
        order = candidates[np.lexsort((f.rows[candidates], -f.score[candidates], group[candidates]))]
        if spread_out:
            row_doc = ranking.served.indexes.catalog.row_doc
            order = spread(order, row_doc[f.rows[order]], group[order], page)
        return order[:stop] if stop is not None else order
    if sort in ("year", "year_asc"):
        years = ranking.served.row_years[f.rows]
        key = -years if sort == "year" else np.where(years > 0, years, 10_000)
        return np.lexsort((f.rows, -f.score, key, group))[:stop]
    agencies = ranking.served.doc_values["agency"][ranking.served.indexes.catalog.row_doc[f.rows]]
    _, rank = np.unique(agencies.astype(str), return_inverse=True)
    return np.lexsort((f.rows, -f.score, rank, group))[:stop]


def spread(order: np.ndarray, docs: np.ndarray, group: np.ndarray, page: int,
           cap: int = DIVERSITY_CAP, depth: int = DIVERSITY_DEPTH) -> np.ndarray:
    """The order re-arranged so that any `page` consecutive positions hold at most `cap` passages of one
    report while passages of other reports are left in the same group (matches, then related): at each
    position the best remaining passage whose report is under the cap in the window. A cap per window,
    not a penalty on scores: it holds on every page, whatever the offset, and keeps the order inside a
    report. Only the first `depth` positions are re-arranged (a researcher pages that far at most).

    Each report's pending passages wait in a queue and the queues' heads in a heap, so a step looks past at
    most the reports at their cap (page / cap of them), not past every pending passage: one report with
    thousands of matching passages costs no more than many reports."""
    head = min(len(order), depth)
    queues: dict = {}
    for i in range(head):  # group never decreases along `order`: the matches come first
        queues.setdefault(docs[i], deque()).append(i)
    heads = [(q[0], doc) for doc, q in queues.items()]
    heapq.heapify(heads)
    placed: list[int] = []
    window: dict = {}
    while heads:
        first_group = group[heads[0][0]]
        passed_over = []
        pick = None
        while heads:
            i, doc = heapq.heappop(heads)
            if group[i] != first_group:
                passed_over.append((i, doc))
                break
            if window.get(doc, 0) < cap:
                pick = (i, doc)
                break
            passed_over.append((i, doc))
        if pick is None:  # every report of the group is at its cap: the best remaining passage all the same
            pick = passed_over.pop(0)
        for item in passed_over:
            heapq.heappush(heads, item)
        i, doc = pick
        queues[doc].popleft()
        if queues[doc]:
            heapq.heappush(heads, (queues[doc][0], doc))
        placed.append(i)
        window[doc] = window.get(doc, 0) + 1
        if len(placed) >= page:
            window[docs[placed[-page]]] -= 1
    return np.concatenate([order[placed], order[head:]]).astype(np.int64)


__all__ = ["Ranking", "Signal", "SIGNALS", "QueryError", "rank_plain", "rank_structured", "apply_signals",
           "display_order", "spread"]
