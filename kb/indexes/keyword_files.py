"""The keyword index's files as arrays: memory-mapped for serving (processes share the page cache) and
read back as term-major tables when a build updates a previous index instead of starting over."""
from __future__ import annotations

import json
import mmap
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.indexes.postings import Table, gram_term

FILES = {"words": "words.json", "grams": "grams.npy", "indptr": "indptr.npy", "rows": "rows.npy",
         "impacts": "impacts.npy", "word_tfs": "word_tfs.npy", "gram_tfs": "gram_tfs.npy", "lengths": "lengths.npy",
         "spelled": "tokens_in_text.npy",
         "chunk_ids": "chunk_ids.npy", "texts": "texts.bin", "text_offsets": "text_offsets.npy", "meta": "keyword.json"}
PARAM_KEYS = ("format", "scoring", "k1", "b", "field_boosts", "gram_prefix")


class KeywordIndexIncompatible(Exception):
    """previous cannot be updated in place (format/params differ): do a full build."""


def load_array(directory: Path, name: str) -> np.ndarray:
    return np.load(Path(directory) / FILES[name], mmap_mode="r")


def save_concatenated(path: Path, parts: list[np.ndarray]) -> None:
    """np.save(path, np.concatenate(parts)) without making the concatenation in memory."""
    dtype = np.result_type(*parts)
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False,
                                                 "shape": (sum(len(p) for p in parts),) + parts[0].shape[1:]})
        for p in parts:
            np.ascontiguousarray(p, dtype=dtype).tofile(f)


def read_meta(directory: Path) -> dict:
    return json.loads((Path(directory) / FILES["meta"]).read_text(encoding="utf-8"))


class PassageTexts:
    """The compacted passages, one UTF-8 blob memory-mapped with an offsets array: texts[row] -> str."""

    def __init__(self, directory: Path):
        self.offsets = load_array(directory, "text_offsets")
        with open(Path(directory) / FILES["texts"], "rb") as f:
            size = f.seek(0, 2)
            self.blob = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, row: int) -> str:
        if not -len(self) <= row < len(self):
            raise IndexError(f"passage row {row} out of range ({len(self)} passages)")
        row %= len(self)
        return self.blob[int(self.offsets[row]):int(self.offsets[row + 1])].decode("utf-8")

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def containing(self, text: str, rows) -> list[int]:
        """The rows (of `rows`) whose passage contains text: searched in place, nothing decoded (a UTF-8
        substring match is a character substring match)."""
        needle, find, offsets = text.encode("utf-8"), self.blob.find, self.offsets
        bounds = zip(offsets[rows].tolist(), offsets[np.asarray(rows, dtype=np.int64) + 1].tolist(), strict=True)
        return [r for r, (a, b) in zip(rows.tolist() if hasattr(rows, "tolist") else list(rows), bounds, strict=True)
                if find(needle, a, b) >= 0]


@dataclass
class StoredIndex:
    """A keyword index read back for an update: its two term tables, field lengths, chunk ids, texts."""
    words: Table
    grams: Table
    lengths: np.ndarray
    spelled: np.ndarray  # bool per passage: its body tokens of 3+ characters all occur in its text
    chunk_ids: np.ndarray
    texts: PassageTexts | None

    @staticmethod
    def empty(word_fields: int, gram_fields: int) -> StoredIndex:
        return StoredIndex(Table.empty(word_fields), Table.empty(gram_fields),
                           np.zeros((0, word_fields + gram_fields), dtype=np.int32), np.zeros(0, dtype=bool),
                           np.zeros(0, dtype=np.int64), None)

    @staticmethod
    def open(directory: Path, params: dict) -> StoredIndex:
        try:
            meta = read_meta(directory)
        except FileNotFoundError:
            raise KeywordIndexIncompatible(f"{directory} holds no keyword index meta ({FILES['meta']})") from None
        differ = [k for k in PARAM_KEYS if meta.get(k) != params[k]]
        if differ:
            raise KeywordIndexIncompatible(f"{directory}: {', '.join(f'{k} {meta.get(k)!r} != {params[k]!r}' for k in differ)}")
        words = json.loads((Path(directory) / FILES["words"]).read_text(encoding="utf-8"))
        indptr, rows = load_array(directory, "indptr"), load_array(directory, "rows")
        w, pw = len(words), int(indptr[len(words)])
        return StoredIndex(Table(words, np.asarray(indptr[:w + 1]), rows[:pw], load_array(directory, "word_tfs")),
                           Table(load_array(directory, "grams").tolist(), np.asarray(indptr[w:]) - pw, rows[pw:],
                                 load_array(directory, "gram_tfs")),
                           load_array(directory, "lengths"), load_array(directory, "spelled"),
                           load_array(directory, "chunk_ids"), PassageTexts(directory))

    def copy_texts(self, keep: np.ndarray, out) -> np.ndarray:
        """Write the kept passages' texts to the file out, in order; returns their offsets (kept + 1)."""
        if self.texts is None or not keep.any():
            return np.zeros(1, dtype=np.int64)
        offsets = np.asarray(self.texts.offsets)
        # runs of consecutive kept rows are copied in one piece
        edges = np.flatnonzero(np.diff(np.concatenate([[False], keep, [False]]).astype(np.int8)))
        for a, b in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
            out.write(self.texts.blob[int(offsets[a]):int(offsets[b])])
        sizes = np.diff(offsets)[keep]
        return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)


def vocabulary(directory: Path, gram_prefix: str) -> dict[str, int]:
    """term -> id of a stored index: its words, then its bigrams as prefixed two-character terms."""
    words = json.loads((Path(directory) / FILES["words"]).read_text(encoding="utf-8"))
    terms = words + [gram_term(c, gram_prefix) for c in load_array(directory, "grams").tolist()]
    return {t: i for i, t in enumerate(terms)}
