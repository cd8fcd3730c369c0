"""The vector index: full and incremental builds by passage id, tombstones, filters, compatibility."""
from __future__ import annotations

import numpy as np
import pytest

from kb.indexes.vector import (
    INDEX_FILE,
    META_FILE,
    TOMBSTONE_REBUILD_FRACTION,
    VectorIndex,
    VectorIndexIncompatible,
    build_vector_index,
)

DIM = 16


class TableVectors:
    """A VectorSource: a fixed random unit vector per chunk id; records what it was asked for."""

    def __init__(self, n_ids: int, dim: int = DIM, seed: int = 0):
        v = np.random.default_rng(seed).standard_normal((n_ids, dim)).astype(np.float32)
        self.table = v / np.linalg.norm(v, axis=1, keepdims=True)
        self.dim = dim
        self.asked: list[np.ndarray] = []

    def get(self, chunk_ids: np.ndarray) -> np.ndarray:
        self.asked.append(np.array(chunk_ids))
        return self.table[chunk_ids]

    def fetched(self) -> np.ndarray:
        out = np.concatenate(self.asked) if self.asked else np.zeros(0, dtype=np.int64)
        self.asked = []
        return out


def exact(source: TableVectors, chunk_ids: np.ndarray, q: np.ndarray, k: int, allowed=None) -> np.ndarray:
    scores = source.table[chunk_ids] @ q
    if allowed is not None:
        scores[~allowed] = -np.inf
    return np.argsort(-scores, kind="stable")[:k]


def update_sequence(rng, ids: np.ndarray, next_id: int, removed: np.ndarray):
    """One random step: drop some passages, add new ones and sometimes re-add removed ones."""
    keep = ids[rng.random(len(ids)) > rng.uniform(0, 0.08)]
    fresh = np.arange(next_id, next_id + rng.integers(0, 60))
    back = removed[rng.random(len(removed)) < 0.2] if len(removed) else removed
    new = np.unique(np.concatenate([keep, fresh, back]))
    return new, next_id + len(fresh), np.setdiff1d(np.concatenate([removed, ids]), new)


def test_incremental_flat_equals_a_full_build(tmp_path):
    rng = np.random.default_rng(12)
    source = TableVectors(5000)
    ids, next_id, removed = np.arange(0, 700, 2), 700, np.zeros(0, dtype=np.int64)
    previous = tmp_path / "b0"
    build_vector_index(previous, ids, source, hnsw_threshold=10_000, batch=64)
    assert max(len(a) for a in source.asked) <= 64
    source.fetched()
    queries = source.table[rng.integers(0, 5000, 5)] + 0.1
    for step in range(1, 9):
        old = ids
        ids, next_id, removed = update_sequence(rng, ids, next_id, removed)
        incremental, full = tmp_path / f"b{step}", tmp_path / f"full{step}"
        info = build_vector_index(incremental, ids, source, 10_000, previous=previous, batch=64)
        assert np.array_equal(np.sort(source.fetched()), np.setdiff1d(ids, old))  # only what previous lacks
        assert info["kind"] == "flat" and not info["rebuilt"] and info["count"] == len(ids)
        assert (info["added"], info["removed"], info["reused"]) == \
            (len(np.setdiff1d(ids, old)), len(np.setdiff1d(old, ids)), len(np.intersect1d(ids, old)))
        build_vector_index(full, ids, source, 10_000)
        source.fetched()
        assert (incremental / INDEX_FILE).read_bytes() == (full / INDEX_FILE).read_bytes()
        a, b = VectorIndex(incremental), VectorIndex(full)
        masks = [None, rng.random(len(ids)) < 0.5, rng.random(len(ids)) < 0.02]
        for q in queries:
            for mask in masks:
                ra, sa = a.search_rows(q, 20, mask)
                rb, sb = b.search_rows(q, 20, mask)
                assert np.array_equal(ra, rb) and np.array_equal(sa, sb)
                assert np.array_equal(ra, exact(source, ids, q, len(ra), mask)[:len(ra)])
                if mask is not None:
                    assert mask[ra].all()
        previous = incremental


def test_incremental_hnsw_adds_removes_and_keeps_recall(tmp_path):
    rng = np.random.default_rng(5)
    source = TableVectors(6000)
    ids, next_id, removed = np.arange(3000), 3000, np.zeros(0, dtype=np.int64)
    previous = tmp_path / "b0"
    build_vector_index(previous, ids, source, hnsw_threshold=1000)
    source.fetched()
    saw_rebuild = saw_tombstones = False
    for step in range(1, 10):
        old = ids
        ids, next_id, removed = update_sequence(rng, ids, next_id, removed)
        target = tmp_path / f"b{step}"
        info = build_vector_index(target, ids, source, 1000, previous=previous)
        fetched = source.fetched()
        if info["rebuilt"]:
            saw_rebuild = True
            assert info["tombstones"] == 0 and "tombstones" in info["rebuild_reason"]
            assert len(fetched) == len(ids)
        else:
            assert np.array_equal(np.sort(fetched), np.setdiff1d(ids, old))
            assert info["tombstones"] <= TOMBSTONE_REBUILD_FRACTION * (info["tombstones"] + len(ids))
            saw_tombstones |= info["tombstones"] > 0
        index = VectorIndex(target)
        assert index.size == len(ids) and index.tombstones == info["tombstones"]
        hits = 0
        for q in source.table[rng.integers(0, 6000, 20)]:
            rows, scores = index.search_rows(q, 10)
            assert len(rows) == 10 and np.all(np.diff(scores) <= 1e-6)
            assert np.allclose(scores, source.table[ids[rows]] @ q, atol=1e-5)  # rows of this build, live only
            hits += len(np.intersect1d(rows, exact(source, ids, q, 10)))
        assert hits / 200 >= 0.95
        previous = target
    assert saw_rebuild and saw_tombstones


def test_hnsw_filters_with_tombstones(tmp_path):
    rng = np.random.default_rng(3)
    source = TableVectors(4000)
    build_vector_index(tmp_path / "a", np.arange(3000), source, hnsw_threshold=1000)
    ids = np.setdiff1d(np.arange(3100), np.arange(0, 3000, 40))  # 75 tombstones, 100 added
    info = build_vector_index(tmp_path / "b", ids, source, 1000, previous=tmp_path / "a")
    assert info["tombstones"] == 75 and not info["rebuilt"]
    index = VectorIndex(tmp_path / "b")
    for share in (0.5, 0.01):  # a wide filter walks the graph; a narrow one is searched exactly
        allowed = rng.random(len(ids)) < share
        q = source.table[rng.integers(0, 4000)]
        rows, scores = index.search_rows(q, 10, allowed)
        assert allowed[rows].all() and np.allclose(scores, source.table[ids[rows]] @ q, atol=1e-5)
        truth = exact(source, ids, q, 10, allowed)
        assert len(np.intersect1d(rows, truth)) >= 9
    rows, _ = index.search_rows(source.table[5], 3, np.isin(index.chunk_ids, [5, 7, 0, 99999]))
    assert index.chunk_ids[rows][0] == 5 and set(index.chunk_ids[rows]) == {5, 7}  # 0 is a tombstone


def test_crossing_the_threshold_rebuilds_either_way(tmp_path):
    source = TableVectors(3000)
    build_vector_index(tmp_path / "a", np.arange(900), source, hnsw_threshold=1000)
    up = build_vector_index(tmp_path / "b", np.arange(1100), source, 1000, previous=tmp_path / "a")
    assert up["kind"].startswith("hnsw") and up["rebuilt"] and "threshold" in up["rebuild_reason"]
    down = build_vector_index(tmp_path / "c", np.arange(950), source, 1000, previous=tmp_path / "b")
    assert down["kind"] == "flat" and down["rebuilt"]
    assert (tmp_path / "c" / INDEX_FILE).read_bytes() == \
        (build_vector_index(tmp_path / "d", np.arange(950), source, 1000) and (tmp_path / "d" / INDEX_FILE).read_bytes())


def test_previous_that_cannot_be_updated(tmp_path):
    build_vector_index(tmp_path / "a", np.arange(50), TableVectors(100), hnsw_threshold=1000)
    with pytest.raises(VectorIndexIncompatible, match="dimension"):
        build_vector_index(tmp_path / "b", np.arange(60), TableVectors(100, dim=8), 1000, previous=tmp_path / "a")
    (tmp_path / "a" / META_FILE).unlink()  # a build of the older format
    with pytest.raises(VectorIndexIncompatible, match="older format"):
        build_vector_index(tmp_path / "b", np.arange(60), TableVectors(100), 1000, previous=tmp_path / "a")


def test_empty_and_unordered(tmp_path):
    source = TableVectors(10)
    info = build_vector_index(tmp_path / "e", np.zeros(0, dtype=np.int64), source, 1000)
    assert info["count"] == 0
    rows, scores = VectorIndex(tmp_path / "e").search_rows(source.table[0], 5)
    assert len(rows) == 0
    with pytest.raises(ValueError):
        build_vector_index(tmp_path / "u", np.array([3, 1]), source, 1000)
