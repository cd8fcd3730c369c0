"""Derived indexes: built from the store into a new directory (kb/indexes/builds.py: the layout), switched in
only when complete."""
from __future__ import annotations

import ctypes
import itertools
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.indexes.builds import (
    CURRENT_FILE,
    FORMAT_VERSION,
    PARAMS_FILE,
    PARTIAL,
    PREVIOUS_FILE,
    build_params,
    current_build,
    remove_leftovers,
)
from kb.indexes.catalog import Catalog, build_catalog, states_figure
from kb.indexes.embed import Embedder
from kb.indexes.embed_cache import CachedVectors, EmbeddingCache, text_key
from kb.indexes.idmap import rows_for
from kb.indexes.keyword import KeywordIndexIncompatible, build_keyword_index
from kb.indexes.structured import build_doc_index
from kb.indexes.vector import VectorIndexIncompatible, build_vector_index
from kb.lock import writer_lock
from kb.report.agency import abbreviate
from kb.store import Store
from kb.stopwatch import Stopwatch
from kb.text import compact, dictionary_version, normalize, tokenize



class StaleBuild(Exception):
    """The store changed while the indexes were built: switching them in would serve an older corpus."""


def context_line(chunk: dict) -> str:
    """What a passage is about beyond its own words: agency (and short form), region, year, title, section."""
    parts = [chunk["agency"], abbreviate(chunk["agency"]), chunk["region"],
             f"{chunk['year']}年" if chunk.get("year") else "", chunk["title"], " ".join(chunk["section"])]
    return " ".join(p for p in parts if p)


def embedding_text(chunk: dict) -> str:
    """The passage as embedded: a short context line, then the passage (normalised script)."""
    section = chunk["section"][-1] if chunk["section"] else ""
    return normalize(f"{chunk['agency']} {section}：{chunk['text']}")


def keyword_rows(chunks: Iterable[dict]) -> Iterator[dict]:
    """Tokens of each passage and of its context line, and its compacted text, for the keyword index."""
    context_tokens: dict[str, list[str]] = {}  # passages of one section share their context line
    for c in chunks:
        line = context_line(c)
        if line not in context_tokens:
            if len(context_tokens) > 10_000:
                context_tokens.clear()
            context_tokens[line] = tokenize(line)
        norm = normalize(c["text"])
        yield {"chunk_id": c["chunk_id"], "body_tokens": tokenize(norm, normalized=True),
               "context_tokens": context_tokens[line], "compact": compact(norm)}


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def build_indexes(store: Store, index_dir: Path, embedder: Embedder, hnsw_threshold: int,
                  progress=None, full: bool = False) -> dict:
    """Bring the indexes in line with the store and switch them in; returns the params written.

    The new build starts from the serving one (only passages added since are tokenized and embedded,
    removed ones dropped), or from nothing when full is set or the serving build cannot be updated; both
    give the same indexes. progress(stage, total) returns a callable taking an increment, or None.
    Raises StaleBuild (and leaves the serving build in place) when the store was written to during the build.
    """
    with writer_lock(index_dir):
        return _build_and_switch(store, Path(index_dir), embedder, hnsw_threshold, progress, full)


def _build_and_switch(store: Store, index_dir: Path, embedder: Embedder, hnsw_threshold: int, progress,
                      full: bool) -> dict:
    remove_leftovers(index_dir)
    builds = index_dir / "builds"
    # Unique even for two builds of one process in one second; the pid stays last (remove_leftovers).
    name = time.strftime("%Y%m%d-%H%M%S") + f"-{time.time_ns() % 10**9:09d}-{os.getpid()}"
    work = builds / (name + PARTIAL)
    work.mkdir(parents=True, exist_ok=False)
    previous = None if full else updatable_build(index_dir, embedder)
    cache = EmbeddingCache(index_dir, embedder.name, embedder.dim)
    try:
        try:
            generation, params = _build_into(work, store, embedder, cache, hnsw_threshold, progress, previous)
        except (KeywordIndexIncompatible, VectorIndexIncompatible):
            if previous is None:
                raise
            # The serving build's files cannot be updated (an older layout): build everything anew.
            shutil.rmtree(work)
            work.mkdir(parents=True)
            generation, params = _build_into(work, store, embedder, cache, hnsw_threshold, progress, None)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        cache.close()
    final = builds / name
    os.rename(work, final)
    marker_tmp = index_dir / (CURRENT_FILE + f".{os.getpid()}.tmp")
    marker_tmp.write_text(name, encoding="utf-8")
    # The store's write lock, held for the instant of the switch, keeps a writer that does not take the
    # writer lock from committing between the generation check and the switch.
    with store.transaction():
        if store.generation != generation:
            marker_tmp.unlink()
            shutil.rmtree(final, ignore_errors=True)
            raise StaleBuild(f"the store moved from generation {generation} to {store.generation} during the "
                             "build; the serving index was kept")
        replaced = current_build(index_dir)
        os.replace(marker_tmp, index_dir / CURRENT_FILE)  # the switch: atomic on POSIX
    if replaced is not None:
        # The build just replaced stays until the next switch: a search that began on it (or a server that
        # has not refreshed yet) still reads its files.
        _write_atomically(index_dir / PREVIOUS_FILE, replaced.name)
    remove_leftovers(index_dir)
    return params


def updatable_build(index_dir: Path, embedder: Embedder) -> Path | None:
    """The serving build, when a new one can start from it: same format, model and tokenizer."""
    build = current_build(index_dir)
    if build is None:
        return None
    params = build_params(build)
    same = params.get("format") == FORMAT_VERSION and params.get("model") == embedder.name and \
        params.get("dim") == embedder.dim and params.get("tokenizer") == dictionary_version()
    return build if same else None


@dataclass
class Changes:
    """What a build adds to and removes from the one it starts from (everything is added in a full build)."""
    live: np.ndarray               # chunk ids of the new build, ascending (its rows)
    added: np.ndarray              # chunk ids to tokenize, embed (or take from the cache) and add
    removed: np.ndarray | None     # chunk ids of the previous build to drop (None: full build)
    previous: Path | None
    before: Catalog | None = None  # the previous build's catalog


def plan_changes(store: Store, previous: Path | None) -> Changes:
    live = store.live_chunk_ids()
    if previous is None:
        return Changes(live, live, None, None)
    catalog = Catalog.open(previous)
    before = catalog.chunk_ids
    added = np.setdiff1d(live, before, assume_unique=True)
    if len(added) and len(before) and added[0] <= before[-1]:
        # Passage ids only grow, so new passages come after the old ones; anything else (a store restored
        # from a backup, say) gets a full build.
        return Changes(live, live, None, None)
    return Changes(live, added, np.setdiff1d(before, live, assume_unique=True), previous, catalog)


def embed_passages(store: Store, ids: np.ndarray, embedder: Embedder, cache: EmbeddingCache, tick=None,
                   batch: int = 1024) -> tuple[CachedVectors, int, np.ndarray]:
    """Vectors of the given passages from the cache, embedding (and caching) the texts it lacks.

    Returns the vector source, how many texts were embedded, and whether each passage states a figure.
    """
    rows = np.full(len(ids), -1, dtype=np.int64)
    figures = np.zeros(len(ids), dtype=bool)
    embedded = 0
    position = 0
    stream = store.iter_chunks(chunk_ids=ids)
    while True:
        chunks = list(itertools.islice(stream, batch))
        if not chunks:
            break
        texts = [embedding_text(c) for c in chunks]
        keys = [text_key(t) for t in texts]
        found = cache.rows(keys)
        missing: dict[bytes, str] = {}
        for text, key, row in zip(texts, keys, found, strict=True):
            if row < 0:
                missing.setdefault(key, text)
        if missing:
            vectors = embedder.encode(list(missing.values()))  # the embedders batch internally
            new_rows = dict(zip(missing, cache.append(list(missing), vectors), strict=True))
            found = np.array([r if r >= 0 else new_rows[k] for k, r in zip(keys, found, strict=True)], dtype=np.int64)
            embedded += len(missing)
        n = len(chunks)
        rows[position:position + n] = found
        figures[position:position + n] = [states_figure(normalize(c["text"])) for c in chunks]
        position += n
        if tick:
            tick(n)
    if position != len(ids):
        raise StaleBuild("passages were removed from the store during the build")
    return CachedVectors(cache, ids, rows), embedded, figures


def _build_into(work: Path, store: Store, embedder: Embedder, cache: EmbeddingCache, hnsw_threshold: int,
                progress, previous: Path | None) -> tuple[int, dict]:
    """The indexes of the store's current passages, into work/; returns the generation they are of and params."""
    timings: dict[str, float] = {}
    timed = Stopwatch(timings)

    def clock(name, fn, *args, **kwargs):
        try:
            return timed(name, fn, *args, **kwargs)
        finally:
            release_memory()  # so that the stages' peaks do not stack up

    generation = store.generation
    changes = clock("plan", plan_changes, store, previous)

    tick = progress("embeddings", len(changes.added)) if progress else None
    vectors, embedded, figures = clock("embed", embed_passages, store, changes.added, embedder, cache, tick)
    # Reused: from the cache, or carried over with the previous build's vectors.
    embedding = {"embedded": embedded, "reused": len(changes.live) - embedded}

    tick = progress("keyword index", len(changes.added)) if progress else None
    rows = keyword_rows(store.iter_chunks(chunk_ids=changes.added))
    keyword_meta = clock("keyword_index", build_keyword_index, work / "keyword", rows, tick,
                         previous=changes.previous and changes.previous / "keyword", removed_chunk_ids=changes.removed)

    documents = store.documents()
    catalog_meta = clock("catalog", build_catalog_update, work, store, documents, changes, figures)
    structured_meta = clock("whoosh", build_doc_index, work, documents, abbreviate)

    vector_meta = clock("vector_index", build_vector_index, work, changes.live, vectors, hnsw_threshold,
                        previous=changes.previous)

    params = {"format": FORMAT_VERSION, "model": embedder.name, "dim": int(embedder.dim),
              "tokenizer": dictionary_version(), "chunks": len(changes.live), "documents": len(documents),
              "store_generation": generation, "update": "incremental" if changes.previous else "full",
              "started_from": changes.previous.name if changes.previous else None,
              "passages_added": len(changes.added),
              "passages_removed": 0 if changes.removed is None else len(changes.removed),
              "embedding": embedding, "vector_index": vector_meta.get("kind", ""), "vectors": vector_meta,
              "keyword_index": keyword_meta, "catalog": catalog_meta, "structured_index": structured_meta,
              "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "timings_s": {k: round(v, 3) for k, v in timings.items()}}
    (work / PARAMS_FILE).write_text(json.dumps(params, ensure_ascii=False, indent=2), encoding="utf-8")
    return generation, params


def build_catalog_update(work: Path, store: Store, documents: list[dict], changes: Changes,
                         added_figures: np.ndarray) -> dict:
    """The catalog of every current passage: places from the store, figure flags kept from the previous
    build for its passages and computed for the added ones."""
    places = store.chunk_places()
    ids = np.fromiter((p[0] for p in places), dtype=np.int64, count=len(places))
    if not np.array_equal(ids, changes.live):
        raise StaleBuild("the store's passages changed during the build")
    figures = np.zeros(len(ids), dtype=bool)
    figures[rows_for(ids, changes.added)] = added_figures
    if changes.before is not None:
        before = changes.before
        kept = rows_for(before.chunk_ids, ids)
        figures[rows_for(ids, before.chunk_ids[kept])] = before.row_figure[kept]
    return build_catalog(work, places, documents, figures)


def release_memory() -> None:
    """Hand freed heap back to the system: glibc keeps what a stage freed (the keyword build's ~0.5 GB at
    200k passages) in its arenas, where the next stage's peak would come on top of it."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


