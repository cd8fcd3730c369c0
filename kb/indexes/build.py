"""Derived indexes: built from the store into a new directory, switched in only when complete.

Layout under the index directory:
    kb.sqlite3              the store (source of truth)
    CURRENT                 name of the build that serves searches (replaced atomically)
    builds/<name>/          keyword/ (BM25F impacts, bigrams, compacted passages), catalog (row ->
                            document, section), whoosh/ (the documents' fields), vectors.faiss,
                            chunk_ids.npy, params.json
    ingest.lock             the writer lock (kb/lock.py), held by ingest and by every build

A build is switched in only if the store is still at the generation it was built from; what a killed
build leaves (builds/*.partial, CURRENT.<pid>.tmp, a finished build never switched in) is removed by
the next writer.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.indexes.catalog import Catalog, build_catalog, states_figure
from kb.indexes.embed import Embedder
from kb.indexes.keyword import KeywordIndex, build_keyword_index
from kb.indexes.structured import DocIndex, build_doc_index
from kb.indexes.vector import VectorIndex, build_vector_index
from kb.lock import writer_lock
from kb.report.agency import abbreviate
from kb.store import Store
from kb.text import compact, dictionary_version, normalize, tokenize

PARAMS_FILE = "params.json"
CURRENT_FILE = "CURRENT"
PARTIAL = ".partial"
FORMAT_VERSION = 2


class IndexMissing(Exception):
    """No complete index has been built yet."""


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


def keyword_rows(chunks: list[dict]) -> list[dict]:
    """Tokens of each passage and of its context line, and its compacted text, for the keyword index."""
    context_tokens: dict[str, list[str]] = {}  # passages of one section share their context line
    rows = []
    for c in chunks:
        line = context_line(c)
        if line not in context_tokens:
            context_tokens[line] = tokenize(line)
        norm = normalize(c["text"])
        rows.append({"chunk_id": c["chunk_id"], "body_tokens": tokenize(norm, normalized=True),
                     "context_tokens": context_tokens[line], "compact": compact(norm)})
    return rows


def current_build(index_dir: Path) -> Path | None:
    marker = Path(index_dir) / CURRENT_FILE
    if not marker.exists():
        return None
    build = Path(index_dir) / "builds" / marker.read_text(encoding="utf-8").strip()
    return build if (build / PARAMS_FILE).exists() else None


def read_params(index_dir: Path) -> dict | None:
    build = current_build(index_dir)
    return json.loads((build / PARAMS_FILE).read_text(encoding="utf-8")) if build else None


def build_indexes(store: Store, index_dir: Path, embedder: Embedder, hnsw_threshold: int,
                  progress=None) -> dict:
    """Build both indexes from the store and switch them in; returns the params written.

    progress(stage, total) returns a callable taking an increment, or None. Raises StaleBuild (and
    leaves the serving build in place) when the store was written to during the build.
    """
    with writer_lock(index_dir):
        return _build_and_switch(store, Path(index_dir), embedder, hnsw_threshold, progress)


def _build_and_switch(store: Store, index_dir: Path, embedder: Embedder, hnsw_threshold: int, progress) -> dict:
    remove_leftovers(index_dir)
    builds = index_dir / "builds"
    # Unique even for two builds of one process in one second; the pid stays last (remove_leftovers).
    name = time.strftime("%Y%m%d-%H%M%S") + f"-{time.time_ns() % 10**9:09d}-{os.getpid()}"
    work = builds / (name + PARTIAL)
    work.mkdir(parents=True, exist_ok=False)
    try:
        generation, params = _build_into(work, store, embedder, hnsw_threshold, progress)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
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
        os.replace(marker_tmp, index_dir / CURRENT_FILE)  # the switch: atomic on POSIX
    remove_leftovers(index_dir)
    return params


def _build_into(work: Path, store: Store, embedder: Embedder, hnsw_threshold: int, progress) -> tuple[int, dict]:
    """Both indexes from the store, into work/; returns the store generation they were built from and params."""
    timings: dict[str, float] = {}
    generation = store.generation

    t = time.perf_counter()
    chunks = list(store.iter_chunks())
    chunk_ids = np.array([c["chunk_id"] for c in chunks], dtype=np.int64)
    rows = keyword_rows(chunks)
    timings["tokenize"] = time.perf_counter() - t

    t = time.perf_counter()
    tick = progress("keyword index", len(rows)) if progress else None
    keyword_meta = build_keyword_index(work / "keyword", rows, tick)
    timings["keyword_index"] = time.perf_counter() - t

    t = time.perf_counter()
    documents = store.documents()
    catalog_meta = build_catalog(work, chunks, documents, [states_figure(normalize(c["text"])) for c in chunks])
    structured_meta = build_doc_index(work, documents, abbreviate)
    timings["catalog_and_whoosh"] = time.perf_counter() - t

    t = time.perf_counter()
    tick = progress("embeddings", len(chunks)) if progress else None
    texts = [embedding_text(c) for c in chunks]
    parts = []
    for i in range(0, len(texts), 256):
        parts.append(embedder.encode(texts[i:i + 256]))
        if tick:
            tick(len(texts[i:i + 256]))
    vectors = np.vstack(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)
    timings["embed"] = time.perf_counter() - t

    t = time.perf_counter()
    kind = build_vector_index(work, vectors, chunk_ids, hnsw_threshold)
    timings["vector_index"] = time.perf_counter() - t

    params = {"format": FORMAT_VERSION, "model": embedder.name, "dim": int(embedder.dim),
              "tokenizer": dictionary_version(), "chunks": len(chunks), "documents": store.counts()["documents"],
              "store_generation": generation, "vector_index": kind, "keyword_index": keyword_meta,
              "catalog": catalog_meta, "structured_index": structured_meta,
              "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "timings_s": {k: round(v, 3) for k, v in timings.items()}}
    (work / PARAMS_FILE).write_text(json.dumps(params, ensure_ascii=False, indent=2), encoding="utf-8")
    return generation, params


def remove_leftovers(index_dir: Path) -> list[Path]:
    """Remove what killed builds leave: builds/*.partial and CURRENT.<pid>.tmp of processes that are gone,
    and finished builds that are not the serving one. Call it holding the writer lock."""
    index_dir = Path(index_dir)
    removed = []
    keep = current_build(index_dir)
    for tmp in index_dir.glob(CURRENT_FILE + ".*.tmp"):
        if not _owner_alive(tmp.name[len(CURRENT_FILE) + 1: -len(".tmp")]):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    builds = index_dir / "builds"
    for d in builds.iterdir() if builds.is_dir() else ():
        if keep is not None and d.name == keep.name:
            continue
        if d.name.endswith(PARTIAL) and _owner_alive(d.name[: -len(PARTIAL)].rsplit("-", 1)[-1]):
            continue  # a build in progress (in this process, or one not holding the lock)
        shutil.rmtree(d, ignore_errors=True)
        removed.append(d)
    return removed


def _owner_alive(pid: str) -> bool:
    return pid.isdigit() and _alive(int(pid))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Indexes:
    build: Path
    params: dict
    keyword: KeywordIndex
    vector: VectorIndex
    catalog: Catalog
    documents: DocIndex


def open_indexes(index_dir: Path) -> Indexes:
    while True:
        build = current_build(index_dir)
        if build is None:
            raise IndexMissing(f"no index in {index_dir}: run `kb ingest` first")
        try:
            params = json.loads((build / PARAMS_FILE).read_text(encoding="utf-8"))
            if params.get("format") != FORMAT_VERSION:
                raise IndexMissing(f"the index in {index_dir} has format {params.get('format')}, this code reads "
                                   f"{FORMAT_VERSION}: run `kb ingest --rebuild`")
            return Indexes(build=build, params=params, keyword=KeywordIndex(build / "keyword"),
                           vector=VectorIndex(build), catalog=Catalog.open(build), documents=DocIndex(build))
        except (FileNotFoundError, RuntimeError):
            # Replaced and removed by a newer build between reading CURRENT and loading it: read CURRENT again.
            if current_build(index_dir) == build:
                raise
