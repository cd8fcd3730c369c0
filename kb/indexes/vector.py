"""Vector index (FAISS): inner product on L2-normalised vectors; row i is chunk_ids[i]."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from kb.indexes.idmap import rows_for

INDEX_FILE = "vectors.faiss"
IDS_FILE = "chunk_ids.npy"
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128


@dataclass
class VectorHit:
    chunk_id: int
    score: float


def build_vector_index(directory: Path, vectors: np.ndarray, chunk_ids: np.ndarray, hnsw_threshold: int) -> str:
    """Write the index and its row -> chunk id file; returns the FAISS index kind."""
    directory.mkdir(parents=True, exist_ok=True)
    dim = vectors.shape[1]
    if len(vectors) > hnsw_threshold:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        kind = f"hnsw(M={HNSW_M})"
    else:
        index = faiss.IndexFlatIP(dim)
        kind = "flat"
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    faiss.write_index(index, str(directory / INDEX_FILE))
    np.save(directory / IDS_FILE, np.asarray(chunk_ids, dtype=np.int64))
    return kind


class VectorIndex:
    def __init__(self, directory: Path):
        self.index = faiss.read_index(str(directory / INDEX_FILE))
        self.chunk_ids = np.load(directory / IDS_FILE)
        if isinstance(self.index, faiss.IndexHNSW):
            self.index.hnsw.efSearch = HNSW_EF_SEARCH

    def search_rows(self, vector: np.ndarray, limit: int, allowed: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cosines) of the best `limit` rows, best first; `allowed` is a boolean row mask."""
        empty = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if self.index.ntotal == 0 or limit <= 0:
            return empty
        params = None
        if allowed is not None:
            n_allowed = int(np.count_nonzero(allowed))
            if n_allowed == 0:
                return empty
            bitmap = np.packbits(allowed.astype(np.uint8), bitorder="little")
            selector = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bitmap))
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=HNSW_EF_SEARCH) \
                if isinstance(self.index, faiss.IndexHNSW) else faiss.SearchParameters(sel=selector)
            limit = min(limit, n_allowed)
        q = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        scores, rows = self.index.search(q, min(limit, self.index.ntotal), params=params)
        keep = rows[0] >= 0
        return rows[0][keep].astype(np.int64), scores[0][keep]

    def search(self, vector: np.ndarray, limit: int, allowed_chunk_ids: np.ndarray | None = None) -> list[VectorHit]:
        if self.index.ntotal == 0 or limit <= 0:
            return []
        params = None
        if allowed_chunk_ids is not None:
            rows = rows_for(self.chunk_ids, allowed_chunk_ids)
            if len(rows) == 0:
                return []
            selector = faiss.IDSelectorBatch(rows.astype(np.int64))
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=HNSW_EF_SEARCH) \
                if isinstance(self.index, faiss.IndexHNSW) else faiss.SearchParameters(sel=selector)
            limit = min(limit, len(rows))
        q = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        scores, rows_found = self.index.search(q, min(limit, self.index.ntotal), params=params)
        return [VectorHit(int(self.chunk_ids[r]), float(s)) for s, r in zip(scores[0], rows_found[0], strict=True) if r >= 0]
