"""How much of a topical query a passage's own words cover, outside its agency's name.

BM25 adds up what each query word scores, so a passage that repeats one common word of the query
(政务公开 six times) outranks one that holds every word once (乡镇 … 政务公开), and a word inside the
document's own agency name in the text (政务服务 in "来凤县政务服务和大数据管理局") counts like a statement
about the topic. Coverage is the idf-weighted share of the query's words (search-mode tokens of two or
more characters, as substrings) that a passage contains once its agency's name and short name are taken
out of it: 1 for a passage holding every word, 0 for one holding none of them.
"""
from __future__ import annotations

import math

import numpy as np

from kb.report.agency import abbreviate
from kb.text import compact, tokenize


def query_words(query: str) -> list[str]:
    """The query's distinct search-mode tokens of two or more characters (all of them when none is),
    without those that hold another of them (工作人员 beside 工作 and 人员): a compound counts once
    through its parts, not once more as a whole."""
    tokens = list(dict.fromkeys(compact(t) for t in tokenize(query)))
    tokens = [t for t in tokens if len(t) > 1] or tokens
    return [t for t in tokens if not any(o != t and o in t for o in tokens)]


def agency_names(doc: dict) -> list[str]:
    """A document's own names as they appear in its passages (compacted), longest first."""
    names = {compact(doc.get("agency") or ""), compact(abbreviate(doc.get("agency") or ""))}
    return sorted((n for n in names if n), key=len, reverse=True)


def coverage(keyword, catalog, query: str, rows: np.ndarray) -> np.ndarray:
    """Per row of `rows`, in [0, 1]: the idf-weighted share of the query's words its text holds outside
    its agency's names."""
    words = query_words(query)
    if not len(rows) or not words:
        return np.zeros(len(rows))
    within = np.zeros(keyword.size, dtype=bool)
    within[rows] = True
    n = max(keyword.size, 1)
    total = np.zeros(len(rows))
    weights = 0.0
    names = _names(catalog)
    for word in words:
        held = keyword.substring_mask(word, within)[rows]
        # the documents whose names hold the word: their rows hold it only if it is there without the names
        named = [i for i, doc_names in enumerate(names) if any(word in name for name in doc_names)]
        if named:
            for j in np.flatnonzero(held & np.isin(catalog.row_doc[rows], named)):
                text = keyword.texts[int(rows[j])]
                for name in names[catalog.row_doc[rows[j]]]:
                    text = text.replace(name, " ")
                held[j] = word in text
        df = _passages_holding(keyword, word)
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        total += idf * held
        weights += idf
    return total / weights if weights > 0 else np.zeros(len(rows))


def _names(catalog) -> list[list[str]]:
    """Every document's agency_names, worked out once per catalog (one build)."""
    names = getattr(catalog, "_agency_names", None)
    if names is None:
        names = catalog._agency_names = [agency_names(d) for d in catalog.docs]
    return names


def _passages_holding(keyword, word: str) -> int:
    """How many passages hold word (kept per keyword index, one build: queries repeat their words)."""
    counts = getattr(keyword, "_word_counts", None)
    if counts is None or len(counts) > 100_000:
        counts = keyword._word_counts = {}
    if word not in counts:
        counts[word] = int(keyword.substring_mask(word).sum())
    return counts[word]
