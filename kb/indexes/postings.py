"""Term-major (term, passage) tables for the keyword index: built from a stream of passages in batches,
merged with a previous table, and turned into BM25F impacts, all with numpy.

A table holds, for one kind of term (words, or the character bigrams of the compacted passage), every
distinct (term, passage) pair grouped by term, rows ascending inside a term, with the pair's term
frequency in each field of that kind. Term ids are positions in the sorted term list, so a table
built from scratch and one updated from a previous build over the same passages are the same arrays:
terms that no passage uses any more are dropped, the others keep their order (the remapping is
monotonic, and no pair needs re-sorting).
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import chain

import numpy as np

GRAM_SHIFT = 21  # a Unicode code point fits in 21 bits: a bigram is one int64, (first << 21) | second
PAIR_BLOCK = 1 << 21  # pairs per block when scoring or moving: bounds the temporaries (16 MB a float64 one)


@dataclass
class Batch:
    """The pairs of a run of consecutive passages, with provisional term ids (see Vocabulary)."""
    terms: np.ndarray  # int32 provisional term id
    rows: np.ndarray   # int32 row in the new index
    tfs: np.ndarray    # (fields, pairs) uint16 or uint32 term frequency per field


@dataclass
class Vocabulary:
    """Provisional ids, in order of first appearance, while passages stream in."""
    ids: dict = field(default_factory=dict)

    def add(self, keys) -> np.ndarray:
        """Provisional ids of keys (strings, or the int bigram codes), new ones added."""
        ids = self.ids
        for k in dict.fromkeys(keys):
            if k not in ids:
                ids[k] = len(ids)
        return np.fromiter(map(ids.__getitem__, keys), dtype=np.int32, count=len(keys))


def distinct_sorted(values: np.ndarray, counts: bool = False, index: bool = False):
    """The distinct values of an int array, sorted, with their counts (or the first index of each in the
    sorted input, which must then be sorted). np.unique on numpy 2.4 hashes: 8x slower here."""
    s = values if index else np.sort(values)
    first = np.flatnonzero(np.concatenate([[True], s[1:] != s[:-1]])) if len(s) else np.zeros(0, dtype=np.int64)
    if index:
        return s[first], first
    if counts:
        return s[first], np.diff(np.append(first, len(s)))
    return s[first]


def _tf_dtype(max_tf: int):
    return np.uint16 if max_tf < 1 << 16 else np.uint32


def _pairs_of(row_local: np.ndarray, term_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (row, term) of one field with their counts; key = row << 32 | term."""
    keys = (row_local.astype(np.int64) << 32) | term_ids.astype(np.int64)
    return distinct_sorted(keys, counts=True)


def _batch(field_keys: list[np.ndarray], field_counts: list[np.ndarray], base: int) -> Batch:
    """Unite the fields' (row, term) pairs of a batch into one pair list with a tf column per field."""
    union = distinct_sorted(np.concatenate(field_keys)) if field_keys else np.zeros(0, dtype=np.int64)
    max_tf = max((int(c.max()) for c in field_counts if len(c)), default=0)
    tfs = np.zeros((len(field_keys), len(union)), dtype=_tf_dtype(max_tf))
    for f, (keys, counts) in enumerate(zip(field_keys, field_counts, strict=True)):
        tfs[f, np.searchsorted(union, keys)] = counts
    return Batch(terms=(union & 0xFFFFFFFF).astype(np.int32), rows=((union >> 32) + base).astype(np.int32), tfs=tfs)


def word_batch(token_lists_per_field: list[list[list[str]]], vocab: Vocabulary, base: int) -> tuple[Batch, np.ndarray]:
    """Pairs of the word fields for passages base, base+1, ...; and their lengths (passages, fields)."""
    n = len(token_lists_per_field[0]) if token_lists_per_field else 0
    lengths = np.zeros((n, len(token_lists_per_field)), dtype=np.int32)
    keys, counts = [], []
    for f, lists in enumerate(token_lists_per_field):
        lengths[:, f] = np.fromiter(map(len, lists), dtype=np.int32, count=n)
        flat = list(chain.from_iterable(lists))
        ids = vocab.add(flat)
        k, c = _pairs_of(np.repeat(np.arange(n, dtype=np.int64), lengths[:, f]), ids)
        keys.append(k)
        counts.append(c)
    return _batch(keys, counts, base), lengths


def gram_codes(compacts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row of each bigram, int64 bigram code, bigrams per passage) of compacted passages: the
    overlapping character pairs of kb.text.char_bigrams, without making a string of each."""
    n = len(compacts)
    chars = np.fromiter(map(len, compacts), dtype=np.int64, count=n)
    points = np.frombuffer("".join(compacts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    counts = np.maximum(chars - 1, 0)
    row_of_char = np.repeat(np.arange(n, dtype=np.int64), chars)
    starts = np.ones(len(points), dtype=bool)
    starts[np.cumsum(chars)[chars > 0] - 1] = False  # a passage's last character starts no bigram
    first = np.flatnonzero(starts)
    return row_of_char[first], (points[first] << GRAM_SHIFT) | points[first + 1], counts


def gram_batch(compacts: list[str], vocab: Vocabulary, base: int) -> tuple[Batch, np.ndarray]:
    """Pairs of the bigram field for passages base, base+1, ...; and their bigram counts (passages, 1)."""
    rows, codes, counts = gram_codes(compacts)
    order = np.argsort(codes)
    distinct, starts = distinct_sorted(codes[order], index=True)
    inverse = np.empty(len(codes), dtype=np.int64)
    inverse[order] = np.repeat(np.arange(len(distinct)), np.diff(np.append(starts, len(codes))))
    ids = vocab.add(distinct.tolist())[inverse] if len(codes) else np.zeros(0, dtype=np.int32)
    k, c = _pairs_of(rows, ids)
    return _batch([k], [c], base), counts.astype(np.int32)[:, None]


def gram_term(code: int, prefix: str) -> str:
    return prefix + chr(code >> GRAM_SHIFT) + chr(code & ((1 << GRAM_SHIFT) - 1))


@dataclass
class Table:
    """Every (term, passage) pair of one kind of term, grouped by term (see the module docstring)."""
    terms: list          # sorted: strings for words, int64 bigram codes for grams
    indptr: np.ndarray   # int64, len(terms) + 1
    rows: np.ndarray     # int32
    tfs: np.ndarray      # (fields of this kind, pairs): a field's column is contiguous

    @staticmethod
    def empty(fields: int) -> Table:
        return Table([], np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32),
                     np.zeros((fields, 0), dtype=np.uint16))


def assemble(old: Table, keep_rows: np.ndarray | None, batches: list[Batch], vocab: Vocabulary) -> Table:
    """The table of old's pairs on kept rows (renumbered in order) followed, within each term, by the
    batches' pairs (rows all after old's). keep_rows: bool per old row, None to keep all. Batches are
    consumed (emptied) as they are placed, so their memory goes as the output's grows."""
    fields = old.tfs.shape[0]
    old_counts = np.diff(old.indptr)
    kept = None
    if keep_rows is not None and not keep_rows.all():
        kept = keep_rows[old.rows]
        gone = np.flatnonzero(~kept)
        old_counts = old_counts - np.bincount(np.searchsorted(old.indptr, gone, "right") - 1, minlength=len(old.terms))
    # The new term list: old terms that still have a pair, and the batches' terms, sorted.
    new_keys = list(vocab.ids)
    live_old = [t for t, c in zip(old.terms, old_counts.tolist(), strict=True) if c]
    terms = sorted(set(live_old).union(new_keys))
    position = {t: i for i, t in enumerate(terms)}
    old_to_new = np.fromiter((position.get(t, -1) for t in old.terms), dtype=np.int32, count=len(old.terms))
    prov_to_new = np.fromiter(map(position.__getitem__, new_keys), dtype=np.int32, count=len(new_keys))

    counts_old = np.zeros(len(terms), dtype=np.int64)
    counts_old[old_to_new[old_counts > 0]] = old_counts[old_counts > 0]
    counts_new = np.zeros(len(terms), dtype=np.int64)
    for b in batches:
        counts_new += np.bincount(prov_to_new[b.terms], minlength=len(terms))
    indptr = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum(counts_old + counts_new, out=indptr[1:])
    total = int(indptr[-1])
    max_tf = max([int(old.tfs.max()) if old.tfs.size else 0] + [int(b.tfs.max()) if b.tfs.size else 0 for b in batches])
    rows = np.empty(total, dtype=np.int32)
    tfs = np.empty((fields, total), dtype=_tf_dtype(max_tf))

    # Old pairs keep their order: they are copied in runs, skipping removed pairs and leaving a gap after
    # the old pairs of each term that gets new ones (few of either in an update).
    if len(old.rows):
        src_rows, src_tfs = np.asarray(old.rows), np.asarray(old.tfs)
        if kept is not None:
            src_rows = (np.cumsum(keep_rows) - 1).astype(np.int32)[src_rows]
        gaps = np.flatnonzero(counts_new)
        at = old.indptr[[bisect_right(old.terms, terms[g]) for g in gaps.tolist()]]  # in old pair positions
        events = sorted([(int(p), 0, int(n)) for p, n in zip(at, counts_new[gaps], strict=True)] +
                        [(int(p), 1, 1) for p in (gone.tolist() if kept is not None else ())])
        src = dst = 0
        for pos, skip, size in events + [(len(src_rows), 0, 0)]:
            rows[dst:dst + pos - src] = src_rows[src:pos]
            tfs[:, dst:dst + pos - src] = src_tfs[:, src:pos]
            dst += pos - src
            src = pos
            if skip:
                src += size
            else:
                dst += size
        del src_rows, src_tfs
    # New pairs go after the term's old pairs, batch after batch (rows ascend across batches).
    cursor = indptr[:-1] + counts_old
    while batches:
        b = batches.pop(0)
        t = prov_to_new[b.terms]
        order = np.argsort(t, kind="stable")
        t = t[order]
        rank = np.arange(len(t)) - np.searchsorted(t, t)
        target = cursor[t] + rank
        rows[target] = b.rows[order]
        tfs[:, target] = b.tfs[:, order]
        cursor += np.bincount(t, minlength=len(terms))
    return Table(terms, indptr, rows, tfs)


def terms_of_pairs(indptr: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Term id of each pair start..stop-1 of a term-major table."""
    t0 = int(np.searchsorted(indptr, start, "right")) - 1
    t1 = int(np.searchsorted(indptr, stop, "left"))
    bounds = np.clip(indptr[t0:t1 + 1], start, stop)
    return np.repeat(np.arange(t0, t1, dtype=np.int32), np.diff(bounds))


def bm25f_impacts(table: Table, lengths: np.ndarray, boosts: list[float], k1: float, b: float) -> np.ndarray:
    """float32 impact of every pair: the sum over fields (in order) of boost * BM25 of the term in that
    field, with N, df and avgdl from this table and the passages' field lengths (passages, fields)."""
    n_terms, pairs = len(table.terms), len(table.rows)
    n = max(len(lengths), 1)
    df = np.zeros((len(boosts), n_terms), dtype=np.int64)
    for start in range(0, pairs, PAIR_BLOCK):
        stop = min(start + PAIR_BLOCK, pairs)
        terms = terms_of_pairs(table.indptr, start, stop)
        for f in range(len(boosts)):
            df[f] += np.bincount(terms[table.tfs[f, start:stop] > 0], minlength=n_terms)
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    avgdl = [lengths[:, f].mean() if len(lengths) and lengths[:, f].mean() > 0 else 1.0 for f in range(len(boosts))]
    norms = [k1 * (1 - b + b * lengths[:, f] / avgdl[f]) for f in range(len(boosts))]  # per passage
    impacts = np.zeros(pairs, dtype=np.float32)
    for start in range(0, pairs, PAIR_BLOCK):
        stop = min(start + PAIR_BLOCK, pairs)
        terms = terms_of_pairs(table.indptr, start, stop)
        rows = table.rows[start:stop]
        for f, boost in enumerate(boosts):
            tf = table.tfs[f, start:stop]
            # A pair without the term in this field scores exactly 0.0 either way; the context field holds
            # few of a passage's terms, so it is scored on its own pairs only.
            dense = np.count_nonzero(tf) >= len(tf) // 2 and norms[f].min() > 0  # (b = 1: 0 / 0 where empty)
            at = slice(None) if dense else np.flatnonzero(tf)
            tf = tf[at].astype(np.float64)
            score = idf[f][terms[at]] * tf * (k1 + 1) / (tf + norms[f][rows[at]]) * boost
            if dense:
                impacts[start:stop] += score.astype(np.float32)
            else:
                impacts[start + at] += score.astype(np.float32)
    return impacts
