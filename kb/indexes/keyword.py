"""Keyword index: BM25F over the passage, its document context and its character bigrams, scored eagerly.

Each (term, passage) pair stores its precomputed impact, the sum over fields of
field_boost * BM25(term, field of passage). A query adds up the impact lists of its tokens with one
numpy bincount: no per-posting Python work, so OR queries of common terms cost about as much as rare
ones. (Whoosh did the same scoring per posting in Python: 36-530 ms a query at 20k passages; see
bench/RESULTS.md.) Tokens come from kb.text.tokenize only, so user text is never parsed as query syntax.

Substring recall: jieba keeps 政务微博 whole, so the token 微博 alone would never find it. The `grams`
field holds the character bigrams of the compacted passage (a separate vocabulary, prefixed), scored
with a low weight, and its postings give the exact set of passages containing any query word of two or
more characters (a bigram intersection, verified against the compacted text for longer words, except
where the word's own postings already prove it: passages holding it as a token that is spelled in them).

Builds stream: passages come in batches and become compact numpy pairs (kb.indexes.postings); the index
keeps each pair's per-field term frequency and each passage's field lengths, so an update from a previous
build drops removed passages and appends new ones without tokenizing the others, and recomputes N, df,
avgdl and the impacts with numpy: the same arrays, bit for bit, as a full build over the same passages
(tests/test_keyword_build.py). Serving memory-maps the arrays and the texts (kb.indexes.keyword_files).
"""
from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from kb.indexes.keyword_files import (
    FILES,
    KeywordIndexIncompatible,
    PassageTexts,
    StoredIndex,
    load_array,
    read_meta,
    save_concatenated,
    vocabulary,
)
from kb.indexes.postings import (
    GRAM_SHIFT,
    Vocabulary,
    assemble,
    bm25f_impacts,
    gram_batch,
    word_batch,
)
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
FORMAT = 4  # of the files below; an index of another format (or other parameters) is rebuilt, not updated
GRAM_LOW = (1 << GRAM_SHIFT) - 1
BATCH = 4096  # passages tokenized into compact arrays at a time


def _fields_of(meta: dict | None = None) -> tuple[list[str], list[str]]:
    """The word fields and the bigram fields (none or one), in FIELD_BOOSTS order (or an index's)."""
    boosts = FIELD_BOOSTS if meta is None else meta["field_boosts"]
    return [f for f in boosts if f != "grams"], [f for f in boosts if f == "grams"]


def _params() -> dict:
    return {"format": FORMAT, "scoring": "bm25f-impacts", "k1": BM25_K1, "b": BM25_B,
            "field_boosts": dict(FIELD_BOOSTS), "gram_prefix": GRAM_PREFIX}


def build_keyword_index(directory: Path, rows: Iterable[dict], progress=None, *, previous: Path | None = None,
                        removed_chunk_ids: np.ndarray | None = None) -> dict:
    """Write the keyword index of `rows` (dicts with chunk_id, body_tokens, context_tokens and `compact`,
    the compacted normalised passage, in ascending chunk id order; consumed once, in batches) into
    directory. With `previous` (another keyword index directory), the index holds previous's passages
    but removed_chunk_ids, then rows (whose chunk ids must all exceed previous's): no passage of previous
    is tokenized again, and the result equals a full build over the same passages. Returns its description."""
    t0 = time.perf_counter()
    directory = Path(directory)
    word_fields, gram_fields = _fields_of()
    if previous is not None:
        previous = Path(previous)
        if previous.resolve() == directory.resolve():
            raise ValueError(f"build_keyword_index: previous ({previous}) must be another directory than the new one")
        old = StoredIndex.open(previous, _params())
        keep = ~np.isin(old.chunk_ids, np.asarray(removed_chunk_ids if removed_chunk_ids is not None else [],
                                                   dtype=np.int64))
        last_id = int(old.chunk_ids[-1]) if len(old.chunk_ids) else None
    else:
        if removed_chunk_ids is not None and len(removed_chunk_ids):
            raise ValueError("build_keyword_index: removed_chunk_ids needs the previous index they are removed from")
        old = StoredIndex.empty(len(word_fields), len(gram_fields))
        keep, last_id = np.zeros(0, dtype=bool), None
    directory.mkdir(parents=True, exist_ok=True)
    n_kept = int(keep.sum())

    word_vocab, gram_vocab = Vocabulary(), Vocabulary()
    word_batches, gram_batches, lengths, spelled, chunk_ids = [], [], [], [], []
    with open(directory / FILES["texts"], "wb") as texts:
        kept_offsets = old.copy_texts(keep, texts)
        text_sizes = []
        base = n_kept
        for batch in _batches(rows, last_id, previous):
            wb, wl = word_batch([[r[f"{f}_tokens"] for r in batch] for f in word_fields], word_vocab, base)
            parts = [wl]
            word_batches.append(wb)
            if gram_fields:
                gb, gl = gram_batch([r["compact"] for r in batch], gram_vocab, base)
                gram_batches.append(gb)
                parts.append(gl)
            lengths.append(np.hstack(parts))
            spelled.append(_tokens_in_text(batch) if "body" in word_fields else np.zeros(len(batch), dtype=bool))
            chunk_ids.append(np.fromiter((r["chunk_id"] for r in batch), dtype=np.int64, count=len(batch)))
            encoded = [r["compact"].encode("utf-8") for r in batch]
            texts.write(b"".join(encoded))
            text_sizes.append(np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)))
            base += len(batch)
            if progress:
                progress(len(batch))
    offsets = np.concatenate([kept_offsets, kept_offsets[-1] + np.cumsum(np.concatenate(text_sizes or [[]]))])
    all_lengths = np.concatenate([old.lengths[keep]] + lengths) if lengths else old.lengths[keep]
    all_ids = np.concatenate([old.chunk_ids[keep]] + chunk_ids)
    all_spelled = np.concatenate([old.spelled[keep]] + spelled)
    keep_or_none = None if keep.all() else keep
    words = assemble(old.words, keep_or_none, word_batches, word_vocab)
    grams = assemble(old.grams, keep_or_none, gram_batches, gram_vocab)
    del old
    word_impacts = bm25f_impacts(words, all_lengths[:, :len(word_fields)], [FIELD_BOOSTS[f] for f in word_fields],
                                 BM25_K1, BM25_B)
    gram_impacts = bm25f_impacts(grams, all_lengths[:, len(word_fields):], [FIELD_BOOSTS[f] for f in gram_fields],
                                 BM25_K1, BM25_B)

    np.save(directory / FILES["indptr"], np.concatenate([words.indptr, grams.indptr[1:] + words.indptr[-1]]))
    save_concatenated(directory / FILES["rows"], [words.rows, grams.rows])
    save_concatenated(directory / FILES["impacts"], [word_impacts, gram_impacts])
    np.save(directory / FILES["word_tfs"], words.tfs)
    np.save(directory / FILES["gram_tfs"], grams.tfs)
    np.save(directory / FILES["grams"], np.asarray(grams.terms, dtype=np.int64))
    np.save(directory / FILES["lengths"], all_lengths.astype(np.int32))
    np.save(directory / FILES["spelled"], all_spelled)
    np.save(directory / FILES["chunk_ids"], all_ids)
    np.save(directory / FILES["text_offsets"], offsets.astype(np.int64))
    (directory / FILES["words"]).write_text(json.dumps(words.terms, ensure_ascii=False), encoding="utf-8")
    meta = _params() | {"passages": len(all_ids), "terms": len(words.terms), "bigrams": len(grams.terms),
                        "postings": len(words.rows) + len(grams.rows),
                        "update": "incremental" if previous is not None else "full",
                        "added": int(sum(map(len, chunk_ids))), "removed": len(keep) - n_kept,
                        "seconds": round(time.perf_counter() - t0, 3)}
    (directory / FILES["meta"]).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    return meta


def _tokens_in_text(batch: list[dict]) -> np.ndarray:
    """Per passage: whether each of its body tokens of three or more characters occurs in its compacted
    text. For those passages a word's own postings prove that the text contains it (nothing to search)."""
    return np.fromiter((all(t in r["compact"] for t in set(r["body_tokens"]) if len(t) > 2) for r in batch),
                       dtype=bool, count=len(batch))


def _batches(rows: Iterable[dict], last_id: int | None, previous: Path | None):
    """Lists of up to BATCH rows; ValueError when chunk ids do not ascend (past previous's last one)."""
    batch, after = [], f"the last chunk id of {previous}" if previous is not None else ""
    for r in rows:
        cid = r["chunk_id"]
        if last_id is not None and cid <= last_id:
            raise ValueError(f"build_keyword_index: rows must come in ascending chunk id order, each after "
                             f"{after or 'the one before'}: chunk id {cid} after {last_id}")
        last_id, after = cid, ""
        batch.append(r)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class KeywordIndex:
    """Rows are passages in chunk id order (the same rows as the catalog and the vector index)."""

    def __init__(self, directory: Path):
        directory = self.directory = Path(directory)
        self._context_norms = None  # per row, read when a query first reweighs the context field
        self.meta = read_meta(directory)
        if self.meta.get("format") != FORMAT:
            raise KeywordIndexIncompatible(f"{directory}: keyword index format {self.meta.get('format')}, "
                                           f"this code reads {FORMAT}")
        self.vocab: dict[str, int] = vocabulary(directory, GRAM_PREFIX)
        # memory-mapped (processes serving one build share these pages), as plain ndarrays: slicing a
        # np.memmap costs a Python-level __getitem__ and __array_finalize__ each time
        self.indptr = np.asarray(load_array(directory, "indptr"))
        self.rows = np.asarray(load_array(directory, "rows"))
        self.impacts = np.asarray(load_array(directory, "impacts"))
        self.chunk_ids = np.asarray(load_array(directory, "chunk_ids"))
        self.texts = PassageTexts(directory)
        self.spelled = np.asarray(load_array(directory, "spelled"))
        self.word_tfs = np.asarray(load_array(directory, "word_tfs"))
        self.gram_codes = np.asarray(load_array(directory, "grams"))
        self.n_words = len(self.vocab) - len(self.gram_codes)
        word_fields, _ = _fields_of(self.meta)
        self._body = word_fields.index("body") if "body" in word_fields else None

    @property
    def size(self) -> int:
        return len(self.chunk_ids)

    def _postings(self, term: str) -> np.ndarray:
        t = self.vocab.get(term)
        return self.rows[self.indptr[t]:self.indptr[t + 1]] if t is not None else np.zeros(0, dtype=np.int32)

    def scores(self, query: str, context_weight: float | None = None) -> tuple[np.ndarray, list[str]]:
        """BM25F score of every row for the query's tokens and their bigrams; and the query's tokens.
        context_weight: the context field's boost for this query instead of the built one (0: text only)."""
        tokens = list(dict.fromkeys(tokenize(query)))
        grams = dict.fromkeys(GRAM_PREFIX + g for t in tokens if len(t) > 1 for g in char_bigrams(t))
        ids = [self.vocab[t] for t in (*tokens, *grams) if t in self.vocab]
        if not ids:
            return np.zeros(self.size, dtype=np.float64), tokens
        slices = [slice(self.indptr[t], self.indptr[t + 1]) for t in ids]
        # Concatenated straight into the types bincount works in: given int32 rows and float32 weights
        # it converts both first, which cost a third of the query (same sums, same order either way).
        rows = np.concatenate([self.rows[s] for s in slices], dtype=np.intp)
        weights = np.concatenate([self.impacts[s] for s in slices], dtype=np.float64)
        built = self.meta["field_boosts"].get("context")
        if context_weight is not None and built and context_weight != built:
            word_slices = [s for t, s in zip(ids, slices, strict=True) if t < self.n_words]
            context = np.concatenate([self._context_impacts(s) for s in word_slices]) if word_slices else []
            weights[:len(context)] += (context_weight / built - 1.0) * np.asarray(context)
        return np.bincount(rows, weights=weights, minlength=self.size), tokens

    def _context_impacts(self, postings: slice) -> np.ndarray:
        """The context field's share of the impacts of one word's postings (as the build computed it)."""
        field = _fields_of(self.meta)[0].index("context")
        tf = self.word_tfs[field, postings].astype(np.float64)
        if self._context_norms is None:
            lengths = np.asarray(load_array(self.directory, "lengths"))[:, field].astype(np.float64)
            k1, b = self.meta["k1"], self.meta["b"]
            avgdl = lengths.mean() if len(lengths) and lengths.mean() > 0 else 1.0
            self._context_norms = k1 * (1 - b + b * lengths / avgdl)
        df = np.count_nonzero(tf)
        n = max(self.size, 1)
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        norms = self._context_norms[self.rows[postings]]
        k1 = self.meta["k1"]
        return np.where(tf > 0, idf * tf * (k1 + 1) / (tf + norms) * self.meta["field_boosts"]["context"], 0.0)

    def substring_mask(self, text: str, within: np.ndarray | None = None) -> np.ndarray:
        """Rows whose compacted text contains `text` (already compacted), inside the `within` mask."""
        mask = np.zeros(self.size, dtype=bool)
        if not text:
            return mask | (True if within is None else within)
        if len(text) == 1:
            candidates = self._rows_with_char(text, mask)
        else:
            lists = sorted((self._postings(GRAM_PREFIX + g) for g in dict.fromkeys(char_bigrams(text))), key=len)
            candidates = lists[0]
            if within is not None:
                candidates = candidates[within[candidates]]
            for other in lists[1:]:
                if not len(candidates):
                    break
                candidates = candidates[_contained(candidates, other)]
            if len(text) == 2:
                mask[candidates] = True
                return mask
            proven = self._spelled_rows(text)
            if len(proven):
                mask[proven] = True
                mask &= True if within is None else within
                candidates = candidates[~mask[candidates]]
        if within is not None and len(text) == 1:
            mask &= within
            candidates = candidates[within[candidates]]
        mask[np.asarray(self.texts.containing(text, np.asarray(candidates, dtype=np.int64)), dtype=np.int64)] = True
        return mask

    def _spelled_rows(self, word: str) -> np.ndarray:
        """Rows that hold word as a body token and whose tokens are all spelled out in their text."""
        t = self.vocab.get(word)
        if t is None or t >= self.n_words or self._body is None:
            return np.zeros(0, dtype=np.int64)
        s = slice(self.indptr[t], self.indptr[t + 1])
        rows = self.rows[s][self.word_tfs[self._body, s] > 0]
        return rows[self.spelled[rows]]

    def _rows_with_char(self, char: str, mask: np.ndarray) -> np.ndarray:
        """Sets mask on the rows whose text has char in one of its bigrams; returns the rows left to search
        (without a bigram, i.e. of one character or none)."""
        if "grams" not in self.meta["field_boosts"]:
            return np.arange(self.size)
        code = ord(char)
        ids = np.flatnonzero(((self.gram_codes >> GRAM_SHIFT) == code) | ((self.gram_codes & GRAM_LOW) == code))
        for t in (ids + self.n_words).tolist():
            mask[self.rows[self.indptr[t]:self.indptr[t + 1]]] = True
        short = np.flatnonzero(np.diff(self.texts.offsets) <= 4)  # at most one character (4 UTF-8 bytes)
        return short[~mask[short]]

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

def _contained(values: np.ndarray, sorted_values: np.ndarray) -> np.ndarray:
    """Which of values occur in sorted_values (both sorted, unique): binary search, no merge sort."""
    if not len(sorted_values):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_values, values), len(sorted_values) - 1)
    return sorted_values[at] == values
