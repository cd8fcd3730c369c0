"""Embedding cache: every vector computed once per model, keyed by a hash of the exact text embedded.

Layout, under the index directory:
    embeddings/<model key>/vectors.f32   float32 rows, appended (read back with pread)
    embeddings/<model key>/keys.sqlite3  text hash -> row, the model's name and dimension

A build embeds only texts the cache has never seen for its model; an unchanged passage of an edited
report, or a corpus re-indexed after a crash, reuses its vector. The map is SQLite (one indexed row per
text, looked up in batches) and the vectors one flat file, not a blob per row: reading 200k vectors
back is a few large reads. Rows are appended before their keys are committed, so a writer killed
in between leaves only an unreferenced tail, overwritten by the next append.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import numpy as np

VECTORS = "vectors.f32"
KEYS = "keys.sqlite3"
LOOKUP_BATCH = 900  # SQLite's limit on bound parameters


def text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def model_key(model: str, dim: int) -> str:
    return hashlib.blake2b(f"{model}\x00{dim}".encode(), digest_size=8).hexdigest()


class EmbeddingCache:
    """Vectors of one model. Writers (ingest, builds) hold the index directory's writer lock."""

    def __init__(self, index_dir: Path, model: str, dim: int):
        self.dim = int(dim)
        self.directory = Path(index_dir) / "embeddings" / model_key(model, dim)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.directory / KEYS, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self.db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID")
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('model', ?)", (model,))
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('dim', ?)", (str(self.dim),))

    def __len__(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM vectors").fetchone()[0])

    def rows(self, keys: list[bytes]) -> np.ndarray:
        """Row of each key, -1 where the cache does not hold it."""
        found: dict[bytes, int] = {}
        for i in range(0, len(keys), LOOKUP_BATCH):
            part = keys[i:i + LOOKUP_BATCH]
            found.update(self.db.execute(f"SELECT key, row FROM vectors WHERE key IN ({','.join('?' * len(part))})",
                                         part).fetchall())
        return np.array([found.get(k, -1) for k in keys], dtype=np.int64)

    def append(self, keys: list[bytes], vectors: np.ndarray) -> np.ndarray:
        """Store vectors under their keys (keys not yet in the cache, distinct); returns their rows."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(keys) != len(vectors) or (len(vectors) and vectors.shape[1] != self.dim):
            raise ValueError(f"{len(keys)} keys for vectors of shape {vectors.shape}; dimension {self.dim}")
        first = len(self)
        path = self.directory / VECTORS
        with open(path, "ab" if not path.exists() else "r+b") as f:
            f.truncate(first * self.dim * 4)  # drop an unreferenced tail a killed writer left
            f.seek(first * self.dim * 4)
            f.write(vectors.tobytes())
            f.flush()
            os.fsync(f.fileno())
        rows = np.arange(first, first + len(keys), dtype=np.int64)
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany("INSERT INTO vectors VALUES (?, ?)", zip(keys, rows.tolist(), strict=True))
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
        return rows

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """The vectors of the given rows, in that order. Read with pread, not a memory map: a build reads
        every vector once, and mapped pages would stay in its resident memory (400 MB at 200k passages)."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty((len(rows), self.dim), dtype=np.float32)
        if not len(rows):
            return out
        order = np.argsort(rows, kind="stable")
        ordered = rows[order]
        runs = np.split(np.arange(len(rows)), np.flatnonzero(np.diff(ordered) != 1) + 1)
        row_bytes = self.dim * 4
        fd = os.open(self.directory / VECTORS, os.O_RDONLY)
        try:
            for run in runs:  # consecutive rows in one read each
                first, n = int(ordered[run[0]]), len(run)
                data = os.pread(fd, n * row_bytes, first * row_bytes)
                if len(data) != n * row_bytes:
                    raise ValueError(f"{self.directory / VECTORS} is shorter than its keys say: rebuild with "
                                     "`kb ingest --rebuild` after removing the embeddings folder")
                out[order[run]] = np.frombuffer(data, dtype=np.float32).reshape(n, self.dim)
        finally:
            os.close(fd)
        return out

    def close(self) -> None:
        self.db.close()


class CachedVectors:
    """The build's vector source: chunk id -> cache row, read from the cache on demand."""

    def __init__(self, cache: EmbeddingCache, chunk_ids: np.ndarray, rows: np.ndarray):
        self.cache, self.dim = cache, cache.dim
        order = np.argsort(chunk_ids, kind="stable")
        self._ids, self._rows = np.asarray(chunk_ids, dtype=np.int64)[order], np.asarray(rows, dtype=np.int64)[order]

    def get(self, chunk_ids: np.ndarray) -> np.ndarray:
        chunk_ids = np.asarray(chunk_ids, dtype=np.int64)
        pos = np.searchsorted(self._ids, chunk_ids)
        if len(chunk_ids) and (pos.max() >= len(self._ids) or (self._ids[pos] != chunk_ids).any()):
            raise KeyError("vectors asked for passages this build did not embed")
        return self.cache.vectors(self._rows[pos])
