"""Stand-in passage vectors for scale benchmarks, put in kb's embedding cache so that a build embeds
nothing: embedding 200k passages takes ~15 minutes on this machine, 1M over an hour.

- random: independent random unit vectors. Vector search costs the same per query, but an HNSW graph
  over them builds several times slower than over real embeddings (453 s against 29 s at 200k).
- near-real: real embeddings of a sample of the corpus's passages, each passage given the vector of one
  of them (by its text hash) plus Gaussian noise (cosine ~0.9 to it): clustered like real embeddings.

Semantic results are meaningless with either; queries are still embedded by the real model.
"""
from __future__ import annotations

import numpy as np

from kb.indexes.build import embedding_text
from kb.indexes.embed import load_embedder
from kb.indexes.embed_cache import EmbeddingCache, text_key
from kb.store import Store

KINDS = ("random", "near-real")


def prefill_vectors(index_dir, store: Store, model: str, kind: str = "random", sample: int = 3000,
                    batch: int = 20_000) -> dict:
    """Stand-in vectors in the cache for every stored passage it lacks; returns what was done."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}; got {kind!r}")
    embedder = load_embedder(model)
    cache = EmbeddingCache(index_dir, embedder.name, embedder.dim)
    rng = np.random.default_rng(7)
    base = None
    if kind == "near-real":
        texts = []
        for chunk in store.iter_chunks():
            texts.append(embedding_text(chunk))
            if len(texts) >= sample:
                break
        base = embedder.encode(texts)
    added, keys = 0, []

    def flush():
        nonlocal added
        todo = [k for k, row in zip(keys, cache.rows(keys), strict=True) if row < 0]
        todo = list(dict.fromkeys(todo))
        if todo:
            v = rng.standard_normal((len(todo), embedder.dim)).astype(np.float32)
            if base is not None:
                anchor = np.array([int.from_bytes(k[:4], "little") % len(base) for k in todo])
                v = base[anchor] + v * (0.5 / np.sqrt(embedder.dim))
            cache.append(todo, v / np.linalg.norm(v, axis=1, keepdims=True))
            added += len(todo)
        keys.clear()

    for chunk in store.iter_chunks():
        keys.append(text_key(embedding_text(chunk)))
        if len(keys) >= batch:
            flush()
    flush()
    cache.close()
    return {"kind": kind, "vectors_added": added, "real_sample": 0 if base is None else len(base)}
