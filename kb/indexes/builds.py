"""Index builds on disk: the layout, the markers, a build's params, leftovers, opening a build to serve.

What a server needs of the builds, apart from the builder (kb/indexes/build.py), which writes them.

Layout under the index directory:
    kb.sqlite3              the store (source of truth)
    CURRENT                 name of the build that serves searches (replaced atomically)
    PREVIOUS                name of the build it replaced, kept until the next switch for searches in flight
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
from dataclasses import dataclass
from pathlib import Path

from kb.indexes.catalog import Catalog
from kb.indexes.keyword import KeywordIndex, KeywordIndexIncompatible
from kb.indexes.structured import DocIndex
from kb.indexes.vector import VectorIndex, VectorIndexIncompatible

PARAMS_FILE = "params.json"
CURRENT_FILE = "CURRENT"
PREVIOUS_FILE = "PREVIOUS"
PARTIAL = ".partial"
FORMAT_VERSION = 3  # 3: incremental builds (per-field term counts, vectors by passage id, embedding cache)


class IndexMissing(Exception):
    """No complete index has been built yet."""


def _build_named_in(index_dir: Path, marker_name: str) -> Path | None:
    """The complete build a marker file (CURRENT, PREVIOUS) names, if any."""
    marker = Path(index_dir) / marker_name
    if not marker.exists():
        return None
    build = Path(index_dir) / "builds" / marker.read_text(encoding="utf-8").strip()
    return build if (build / PARAMS_FILE).exists() else None


def current_build(index_dir: Path) -> Path | None:
    return _build_named_in(index_dir, CURRENT_FILE)


def retired_build(index_dir: Path) -> Path | None:
    """The build the serving one replaced, kept for searches still reading it (until the next switch)."""
    return _build_named_in(index_dir, PREVIOUS_FILE)


def kept_builds(index_dir: Path) -> list[Path]:
    """The builds a server may read: the serving one and the one it replaced."""
    return [b for b in (current_build(index_dir), retired_build(index_dir)) if b is not None]


def build_params(build: Path) -> dict:
    """What a build records about itself (params.json: format, model, store generation, sizes, timings)."""
    return json.loads((build / PARAMS_FILE).read_text(encoding="utf-8"))


def kept_generation(index_dir: Path) -> int | None:
    """The oldest store generation a kept build was made from: rows retired at or before it are cited by
    no index a server may read."""
    return min((build_params(b)["store_generation"] for b in kept_builds(index_dir)), default=None)


def read_params(index_dir: Path) -> dict | None:
    """The serving build's params, or None before the first build."""
    build = current_build(index_dir)
    return build_params(build) if build else None


def remove_leftovers(index_dir: Path) -> list[Path]:
    """Remove what killed builds leave: builds/*.partial and CURRENT.<pid>.tmp of processes that are gone,
    and finished builds other than the serving one and the one it replaced. Call it holding the writer lock."""
    index_dir = Path(index_dir)
    removed = []
    keep = {b.name for b in kept_builds(index_dir)}
    for marker in (CURRENT_FILE, PREVIOUS_FILE):
        for tmp in index_dir.glob(marker + ".*.tmp"):
            if not _owner_alive(tmp.name[len(marker) + 1: -len(".tmp")]):
                tmp.unlink(missing_ok=True)
                removed.append(tmp)
    builds = index_dir / "builds"
    for d in builds.iterdir() if builds.is_dir() else ():
        if d.name in keep:
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
            params = build_params(build)
            if params.get("format") != FORMAT_VERSION:
                raise IndexMissing(f"the index in {index_dir} has format {params.get('format')}, this code reads "
                                   f"{FORMAT_VERSION}: run `kb ingest --rebuild`")
            return Indexes(build=build, params=params, keyword=KeywordIndex(build / "keyword"),
                           vector=VectorIndex(build), catalog=Catalog.open(build), documents=DocIndex(build))
        except (KeywordIndexIncompatible, VectorIndexIncompatible) as exc:
            raise IndexMissing(f"the index in {index_dir} cannot be read by this kb ({exc}): run "
                               "`kb ingest --rebuild`") from None
        except (FileNotFoundError, RuntimeError):
            # Replaced and removed by a newer build between reading CURRENT and loading it: read CURRENT again.
            if current_build(index_dir) == build:
                raise

