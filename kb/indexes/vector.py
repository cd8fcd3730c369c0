"""Vector index (FAISS): inner product on L2-normalised vectors, in the build's row space (row i is
chunk_ids[i], ascending, the same rows as the keyword index and the catalog).

Files of a build directory:
  vectors.faiss       IndexFlatIP (node = row) up to the HNSW threshold, IndexHNSWFlat above it
  chunk_ids.npy       row -> chunk id, ascending
  vector_labels.npy   HNSW only: graph node -> chunk id, -1 for a tombstone (a passage removed since the
                      graph was built: FAISS HNSW cannot delete, so it stays in the graph, never returned)
  vector_index.json   format, kind, dim, HNSW settings: what an incremental build checks before reusing it

Serving reads vectors.faiss with IO_FLAG_MMAP_IFC: the vectors stay in the page cache, shared by every
process serving the build, and only the HNSW graph is read into memory.

A build either starts from nothing or updates the build it replaces by passage id (build_vector_index).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import faiss
import numpy as np

from kb.indexes.idmap import rows_for

INDEX_FILE = "vectors.faiss"
IDS_FILE = "chunk_ids.npy"
LABELS_FILE = "vector_labels.npy"
META_FILE = "vector_index.json"
SCRATCH_FILE = "vectors.scratch.f32"  # the vectors of a fresh HNSW graph while it is built
FORMAT = 2
# FAISS HNSW M=32, efSearch 256: measured against hnswlib (M 16/32/48, efSearch 16-512) on 65,536 real
# USE vectors, 200 held-out queries, one thread (bench/hnsw.py sweep; bench/RESULTS.md "Vector index
# (issue 12)"). Within p50 <= 1 ms: FAISS 0.9945 recall@10 (efSearch 256, 0.64 ms; 128 gave 0.9785),
# hnswlib 0.996 (efSearch 384, 0.96 ms): equal within noise, and hnswlib has no memory-mapped serving
# and filters only through a Python callback per visited node.
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 256
# A filter allowing at most this many rows is searched exactly over those rows: the graph walk skips
# almost every node it visits and misses (65,536 real vectors, efSearch 256: 500 rows allowed, graph
# recall@10 0.57 in 0.94 ms, exact 1.0 in 0.22 ms; 2,000: 0.93 in 0.86 vs 1.0 in 0.72; 8,000: 0.986 in
# 0.84 vs 1.0 in 7.5 ms; bench/RESULTS.md "Vector index (issue 12)").
EXACT_FILTER_ROWS = 4096


def hnsw_kind(m: int = HNSW_M) -> str:
    return f"hnsw(M={m})"


class VectorIndex:
    """Search in row space; `size` is the number of rows (live passages), not counting tombstones."""

    def __init__(self, directory: Path):
        directory = Path(directory)
        self.index = faiss.read_index(str(directory / INDEX_FILE), faiss.IO_FLAG_MMAP_IFC)
        self.chunk_ids = np.load(directory / IDS_FILE)
        self.size = len(self.chunk_ids)
        storage = faiss.downcast_index(self.index.storage) if self.hnsw else self.index
        # The stored vectors, without a copy (memory-mapped): for exact search over a few allowed rows.
        self.vectors = faiss.rev_swig_ptr(storage.get_xb(), self.index.ntotal * self.index.d) \
            .reshape(self.index.ntotal, self.index.d) if self.index.ntotal else np.zeros((0, self.index.d), np.float32)
        # node_of_row[r]: the FAISS node holding row r; row_of_node[n]: the row of node n, -1 for a tombstone.
        self.node_of_row = self.row_of_node = None
        self._live_bitmap = None  # the nodes that are not tombstones, when some are
        labels_path = directory / LABELS_FILE
        if self.hnsw and labels_path.exists():
            labels = np.load(labels_path)
            if not np.array_equal(labels, self.chunk_ids):
                live = np.flatnonzero(labels >= 0)
                rows = rows_for(self.chunk_ids, labels[live])
                if len(live) != self.size or len(rows) != self.size:
                    raise RuntimeError(f"{directory}: {LABELS_FILE} does not hold the build's passages")
                self.node_of_row = np.empty(self.size, dtype=np.int64)
                self.node_of_row[rows] = live
                self.row_of_node = np.full(len(labels), -1, dtype=np.int64)
                self.row_of_node[live] = rows
                if len(live) < len(labels):
                    self._live_bitmap = self._bitmap(live)
        if self.hnsw:
            self.index.hnsw.efSearch = HNSW_EF_SEARCH

    @property
    def hnsw(self) -> bool:
        return isinstance(self.index, faiss.IndexHNSW)

    @property
    def tombstones(self) -> int:
        return self.index.ntotal - self.size

    def search_rows(self, vector: np.ndarray, limit: int, allowed: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cosines) of the best `limit` rows, best first; `allowed` is a boolean row mask."""
        empty = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if self.size == 0 or limit <= 0:
            return empty
        q = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        bitmap = self._live_bitmap
        if allowed is not None:
            allowed_rows = np.flatnonzero(allowed)
            if len(allowed_rows) == 0:
                return empty
            nodes = allowed_rows if self.node_of_row is None else self.node_of_row[allowed_rows]
            if self.hnsw and len(nodes) <= EXACT_FILTER_ROWS:
                return self._exact(q[0], allowed_rows, nodes, limit)
            bitmap = self._bitmap(nodes)
            limit = min(limit, len(nodes))
        limit = min(limit, self.size)
        params = None
        if bitmap is not None:
            selector = faiss.IDSelectorBitmap(self.index.ntotal, faiss.swig_ptr(bitmap))
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=HNSW_EF_SEARCH) if self.hnsw \
                else faiss.SearchParameters(sel=selector)
        scores, found = self.index.search(q, limit, params=params)
        keep = found[0] >= 0
        found, scores = found[0][keep].astype(np.int64), scores[0][keep]
        return (found if self.row_of_node is None else self.row_of_node[found]), scores

    def row_vector(self, row: int) -> np.ndarray:
        """The stored vector of one row (a copy)."""
        node = row if self.node_of_row is None else int(self.node_of_row[row])
        return np.array(self.vectors[node], dtype=np.float32)

    def _bitmap(self, nodes: np.ndarray) -> np.ndarray:
        mask = np.zeros(self.index.ntotal, dtype=np.uint8)
        mask[nodes] = 1
        return np.packbits(mask, bitorder="little")

    def _exact(self, q: np.ndarray, rows: np.ndarray, nodes: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
        scores = self.vectors[nodes] @ q
        limit = min(limit, len(rows))
        top = np.argpartition(-scores, limit - 1)[:limit] if limit < len(rows) else np.arange(len(rows))
        order = top[np.lexsort((rows[top], -scores[top]))]
        return rows[order].astype(np.int64), scores[order].astype(np.float32)

def read_meta(directory: Path) -> dict | None:
    path = Path(directory) / META_FILE
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))

# ---- building: from nothing, or by updating the previous build by passage id ----

# An HNSW graph is rebuilt from the vector source when more than this fraction of its nodes would be
# tombstones: below it recall@10 and latency stay within noise of a fresh graph (bench/hnsw.py
# `incremental`); above it every query pays for nodes it visits and never returns.
TOMBSTONE_REBUILD_FRACTION = 0.10


class VectorSource(Protocol):
    dim: int

    def get(self, chunk_ids: np.ndarray) -> np.ndarray:
        """float32 (n, dim), L2-normalised, in the order asked."""


class VectorIndexIncompatible(Exception):
    """The previous build's vector index cannot be updated into the new one (other dim, older format):
    build in full instead."""


@dataclass
class _Previous:
    """The vector index of the build being replaced: its vectors (memory-mapped) and the chunk id of
    each FAISS node (-1 for a tombstone)."""
    directory: Path
    kind: str
    settings: dict
    node_ids: np.ndarray
    served: VectorIndex  # holds the memory map that `vectors` views

    @property
    def vectors(self) -> np.ndarray:
        return self.served.vectors

    @classmethod
    def open(cls, directory: Path, dim: int) -> _Previous:
        directory = Path(directory)
        meta = read_meta(directory)
        if meta is None:
            raise VectorIndexIncompatible(f"{directory}: no {META_FILE} (no vector index, or one of an older format)")
        if meta.get("format") != FORMAT:
            raise VectorIndexIncompatible(f"{directory}: vector index format {meta.get('format')}, this code "
                                          f"writes {FORMAT}")
        if meta["dim"] != dim:
            raise VectorIndexIncompatible(f"{directory}: vectors of dimension {meta['dim']}, the source gives {dim}")
        try:
            served = VectorIndex(directory)
            node_ids = np.load(directory / LABELS_FILE) if served.hnsw else served.chunk_ids
        except (OSError, RuntimeError) as exc:  # missing or unreadable files (FAISS raises RuntimeError)
            raise VectorIndexIncompatible(f"{directory}: {exc}") from None
        return cls(directory, meta["kind"], meta.get("hnsw", {}), node_ids, served)

    def nodes_of(self, chunk_ids: np.ndarray) -> np.ndarray:
        """The node holding each chunk id's vector, -1 where this build does not hold it."""
        live = np.flatnonzero(self.node_ids >= 0)
        held = self.node_ids[live]
        order = np.argsort(held, kind="stable")
        found = rows_for(held[order], chunk_ids)  # positions in held[order] of the ids present
        out = np.full(len(chunk_ids), -1, dtype=np.int64)
        out[np.isin(chunk_ids, held)] = live[order[found]]
        return out


def _hnsw_settings() -> dict:
    return {"M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION}


def build_vector_index(directory: Path, chunk_ids: np.ndarray, vectors: VectorSource, hnsw_threshold: int, *,
                       previous: Path | None = None, progress=None, batch: int = 4096) -> dict:
    """Write the vector index of the passages chunk_ids (ascending: its rows) into directory.

    Without `previous`, every vector comes from `vectors`, `batch` ids at a time. With `previous` (the
    directory of the build being replaced), its vectors are reused and only ids it does not hold are
    fetched: a flat index is then written exactly as a full build would be; an HNSW graph is copied,
    the new vectors added to it and the removed ones left as tombstones, until they pass
    TOMBSTONE_REBUILD_FRACTION or the passage count crosses hnsw_threshold, when it is built afresh.
    Raises VectorIndexIncompatible when previous cannot be updated. Returns what was built (for params.json).
    """
    t0 = time.perf_counter()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    chunk_ids = np.asarray(chunk_ids, dtype=np.int64)
    if np.any(np.diff(chunk_ids) <= 0):
        raise ValueError("chunk_ids must be ascending and distinct")
    kind = hnsw_kind() if len(chunk_ids) > hnsw_threshold else "flat"
    prev = _Previous.open(previous, vectors.dim) if previous is not None else None
    held = prev.node_ids[prev.node_ids >= 0] if prev else np.zeros(0, dtype=np.int64)
    new = ~np.isin(chunk_ids, held)
    info = {"kind": kind, "count": len(chunk_ids), "dim": int(vectors.dim), "added": int(new.sum()),
            "removed": int((~np.isin(held, chunk_ids)).sum())}
    reason = _rebuild_reason(prev, kind, info)
    tick = progress("vector index", len(chunk_ids) if reason or kind == "flat" else info["added"]) if progress else None
    if kind == "flat":
        index, node_ids, fetched = _flat(chunk_ids, vectors, None if reason else prev, batch, tick)
    elif reason:
        index, node_ids, fetched = _hnsw(directory, chunk_ids, vectors, batch, tick)
    else:
        index, node_ids, fetched = _update_hnsw(chunk_ids[new], chunk_ids, vectors, prev, batch, tick)
    faiss.write_index(index, str(directory / INDEX_FILE))
    np.save(directory / IDS_FILE, chunk_ids)
    if kind != "flat":
        np.save(directory / LABELS_FILE, node_ids)
    meta = {"format": FORMAT, "kind": kind, "dim": int(vectors.dim)} | ({"hnsw": _hnsw_settings()} if kind != "flat" else {})
    (directory / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    info |= {"reused": len(chunk_ids) - fetched, "fetched": fetched, "tombstones": int((node_ids < 0).sum()),
             "rebuilt": reason is not None, "rebuild_reason": reason, "seconds": round(time.perf_counter() - t0, 3)}
    return info


def _rebuild_reason(prev: _Previous | None, kind: str, info: dict) -> str | None:
    """Why the index is built from the source in full, or None when the previous one is updated."""
    if prev is None:
        return "no previous build"
    if prev.kind != kind:
        return f"{prev.kind} -> {kind}: the passage count crossed the HNSW threshold"
    if kind == "flat":
        return None
    if prev.settings != _hnsw_settings():
        return f"HNSW settings changed from {prev.settings}"
    tombstones = int((prev.node_ids < 0).sum()) + info["removed"]
    nodes = len(prev.node_ids) + info["added"]
    if tombstones > TOMBSTONE_REBUILD_FRACTION * nodes:
        return f"{tombstones} tombstones of {nodes} nodes > {TOMBSTONE_REBUILD_FRACTION:.0%}"
    if info["added"] > TOMBSTONE_REBUILD_FRACTION * nodes:  # a graph grown by big batches loses recall
        return f"{info['added']} added of {nodes} nodes > {TOMBSTONE_REBUILD_FRACTION:.0%}"
    return None


def _fetch(vectors: VectorSource, ids: np.ndarray) -> np.ndarray:
    out = np.ascontiguousarray(vectors.get(ids), dtype=np.float32)
    if out.shape != (len(ids), vectors.dim):
        raise ValueError(f"the vector source gave {out.shape} for {len(ids)} ids of dimension {vectors.dim}")
    return out


def _flat(chunk_ids, vectors, prev, batch, tick):
    """Rows in chunk id order; each from prev when it holds the id, else from the source: the same
    index, byte for byte, whether prev is given or not."""
    index = faiss.IndexFlatIP(vectors.dim)
    fetched = 0
    for i in range(0, len(chunk_ids), batch):
        ids = chunk_ids[i:i + batch]
        nodes = prev.nodes_of(ids) if prev else np.full(len(ids), -1)
        part = np.empty((len(ids), vectors.dim), dtype=np.float32)
        missing = nodes < 0
        if missing.any():
            part[missing] = _fetch(vectors, ids[missing])
        if not missing.all():
            part[~missing] = prev.vectors[nodes[~missing]]
        index.add(part)
        fetched += int(missing.sum())
        if tick:
            tick(len(ids))
    return index, chunk_ids, fetched


def _hnsw(directory, chunk_ids, vectors, batch, tick):
    """A fresh graph, built by one add of all the vectors: built 4,096 at a time, recall@10 fell from
    0.978 to 0.950 at 65k passages (bench/RESULTS.md). They are fetched batch by batch into a scratch
    file that FAISS reads through a memory map, so that only the index holds them in memory."""
    index = faiss.IndexHNSWFlat(vectors.dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    scratch = directory / SCRATCH_FILE
    with open(scratch, "wb") as f:
        for i in range(0, len(chunk_ids), batch):
            f.write(_fetch(vectors, chunk_ids[i:i + batch]).tobytes())
            if tick:
                tick(len(chunk_ids[i:i + batch]))
    if len(chunk_ids):
        index.add(np.memmap(scratch, dtype=np.float32, mode="r", shape=(len(chunk_ids), vectors.dim)))
    scratch.unlink()
    return index, chunk_ids, len(chunk_ids)


def _update_hnsw(new_ids, chunk_ids, vectors, prev, batch, tick):
    """The previous graph (read into memory: a memory-mapped one cannot grow) with the new vectors added
    and the nodes of removed passages turned into tombstones."""
    index = faiss.read_index(str(prev.directory / INDEX_FILE))
    node_ids = prev.node_ids.copy()
    node_ids[(node_ids >= 0) & ~np.isin(node_ids, chunk_ids)] = -1
    _add(index, new_ids, vectors, batch, tick)
    return index, np.concatenate([node_ids, new_ids]), len(new_ids)


def _add(index, ids, vectors, batch, tick):
    for i in range(0, len(ids), batch):
        index.add(_fetch(vectors, ids[i:i + batch]))
        if tick:
            tick(len(ids[i:i + batch]))
