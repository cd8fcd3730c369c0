"""Ingest: report files -> Document records -> the store, incrementally by content hash."""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kb.corpus import (
    FileTooLarge,
    NotARegularFile,
    assign_id,
    collect_files,
    corpus_name,
    read_bounded,
)
from kb.indexes.build import StaleBuild, build_indexes
from kb.indexes.builds import FORMAT_VERSION, kept_generation, read_params, remove_leftovers
from kb.indexes.embed import load_embedder, same_model
from kb.limits import Limits, OverMemory
from kb.lock import writer_lock
from kb.names import safe_id
from kb.pipeline import pipeline_version
from kb.readers import READERS, ReadError
from kb.stopwatch import Stopwatch
from kb.store import Store
from kb.threads import limit_threads
from kb.worker import OverBudget, PipelineFailed, PipelineWorker

@dataclass
class FileResult:
    path: str
    doc_id: str
    status: str          # added / updated / unchanged / removed / duplicate / skipped / failed
    reason: str = ""
    source_type: str = ""
    pages: int | None = None
    ocr: bool = False
    seconds: float | None = None  # time to read and process the file (most of it OCR, for a scan)

    def provenance(self) -> str:
        """"pdf, 12 pages, OCR 35.2 s" for the per-file summary line."""
        parts = [self.source_type] if self.source_type else []
        if self.pages is not None:
            parts.append(f"{self.pages} page" + ("s" if self.pages != 1 else ""))
        if self.ocr and self.seconds is not None:
            parts.append(f"OCR {self.seconds:.1f} s")
        return ", ".join(parts)


def ingest_paths(store: Store, paths: Iterable[Path], chunk_chars: int,
                 progress: Callable[[Iterable[Path]], Iterable[Path]] = iter, reprocess: bool = False,
                 timings: dict[str, float] | None = None, max_file_mb: float = 20.0,
                 file_seconds: float = 0.0, limits: Limits = Limits()) -> list[FileResult]:
    """Bring the store in line with the given files and directories; one result per file.

    A file is unchanged when its content hash, path and the pipeline version that processed it are.
    A file keeps the id it was stored under; a new one gets its stem unless another document holds it
    (kb/corpus.py assign_id). A file with the bytes of one seen before is a duplicate of that one and is
    not stored. A file over max_file_mb, whose processing takes longer than file_seconds (0: no
    budget) or more memory than limits.memory_mb, or that yields more than the limits allow, is reported
    and skipped; the rest goes on.
    """
    corpus = collect_files(paths)
    results = [FileResult(s.path, safe_id(Path(s.path).stem), s.status, s.reason) for s in corpus.skipped]
    known = store.file_hashes()
    id_of_path = {stored_path: doc_id for doc_id, (stored_path, _, _) in known.items()}
    walked = {str(f.real) for f in corpus.files}
    vanishing = {doc_id for doc_id, (sp, _, _) in known.items() if sp not in walked and _vanished(Path(sp), corpus)}
    taken = set(known) - vanishing
    # Content already in the store that this run does not revisit: a new file with those bytes is a copy.
    original_of: dict[str, tuple[str, str]] = {sha: (sp, doc_id) for doc_id, (sp, sha, _) in known.items()
                                               if sp not in walked and doc_id not in vanishing}
    # Stored files first, so that of two copies the one already indexed stays the original and ids stay
    # where they are; then plain text before web pages before other kinds, so X.txt is "X" beside X.html.
    files = sorted(corpus.files, key=lambda f: (-1 if str(f.real) in id_of_path else _kind_rank(f.real), str(f.real)))
    max_bytes = int(max_file_mb * 1_000_000)
    claimed: set[str] = set()
    with PipelineWorker(chunk_chars, file_seconds, limits) as worker:
        for f in progress(files):
            real = str(f.real)
            doc_id = id_of_path.get(real)
            try:
                data = read_bounded(f.real, max_bytes)
            except FileTooLarge as exc:
                results.append(FileResult(str(f.path), doc_id or safe_id(f.path.stem), "failed",
                                          f"file is {exc.args[0] / 1e6:.1f} MB, over the {max_file_mb:g} MB limit "
                                          "(KB_MAX_FILE_MB)"))
                continue
            except NotARegularFile as exc:
                results.append(FileResult(str(f.path), doc_id or safe_id(f.path.stem), "failed", str(exc)))
                continue
            except OSError as exc:
                results.append(FileResult(str(f.path), doc_id or safe_id(f.path.stem), "failed",
                                          f"cannot read file: {exc.strerror or exc}"))
                continue
            digest = hashlib.sha256(data).hexdigest()
            if digest in original_of:
                first_path, first_id = original_of[digest]
                if doc_id:  # stored before, now a copy of another document
                    store.delete_document(doc_id)
                    claimed.add(doc_id)
                results.append(FileResult(str(f.path), doc_id or safe_id(f.path.stem), "duplicate",
                                          f"same content as {first_path} ({first_id}); not indexed twice"))
                continue
            if doc_id is None:
                doc_id = assign_id(f, taken)
                taken.add(doc_id)
            claimed.add(doc_id)
            original_of[digest] = (str(f.path), doc_id)
            previous = known.get(doc_id)
            if previous == (real, digest, pipeline_version(chunk_chars)) and not reprocess:
                results.append(FileResult(str(f.path), doc_id, "unchanged"))
                continue
            started = time.perf_counter()
            try:
                doc = worker.process(f.real, data, timings)
            except (ReadError, OverBudget, OverMemory, PipelineFailed) as exc:
                results.append(FileResult(str(f.path), doc_id, "failed", str(exc)))
                continue
            seconds = time.perf_counter() - started
            doc.raw.doc_id, doc.raw.path, doc.raw.name = doc_id, real, corpus_name(corpus, f)
            Stopwatch(timings)("store", store.put_document, doc)
            results.append(FileResult(str(f.path), doc_id, "updated" if previous else "added",
                                      source_type=doc.raw.source_type, pages=doc.raw.pages, ocr=doc.raw.ocr,
                                      seconds=round(seconds, 2)))
    # A stored document whose file was under a scanned directory and is gone now is removed; so is one
    # read through a link that is now refused.
    for doc_id, (stored_path, _, _) in known.items():
        if doc_id not in claimed and (doc_id in vanishing or (stored_path, doc_id) in corpus.refused_links):
            store.delete_document(doc_id)
            results.append(FileResult(stored_path, doc_id, "removed"))
    return results


def _kind_rank(path: Path) -> int:
    reader = READERS.get(path.suffix.lower())
    return 2 if reader is None else reader.rank


def _vanished(stored: Path, corpus) -> bool:
    """A stored file that no longer exists under a folder this run walked."""
    return not stored.exists() and any(stored.is_relative_to(r) for r in corpus.roots)


def index_is_current(store: Store, index_dir: Path, model: str) -> bool:
    params = read_params(index_dir)
    return bool(params) and params.get("format") == FORMAT_VERSION and \
        params["store_generation"] == store.generation and same_model(params["model"], model)


def update_knowledge_base(settings, paths: Iterable[Path] | None = None, rebuild: bool = False,
                          file_progress=iter, stage_progress=None, reprocess: bool = False, wait: bool = True,
                          on_wait: Callable[[str], None] | None = None) -> tuple[list[FileResult], dict | None]:
    """Ingest files into the store, then rebuild the indexes if the store changed (or when asked).

    The indexes are updated from the serving build (only new passages tokenized and embedded, and only
    texts the embedding cache lacks); rebuild: build them from nothing even when they are current;
    reprocess: re-run the pipeline on unchanged files.
    The whole update holds the index directory's writer lock: with wait=False a second writer gets
    WriterBusy at once; otherwise it waits (on_wait says so) and then runs.

    Returns the per-file results and the params of a new index build (None when none was needed).
    """
    limit_threads(settings.index_threads)  # embedding batches and FAISS builds use what the setting says
    with writer_lock(settings.index_dir, wait=wait, on_wait=on_wait):
        remove_leftovers(settings.index_dir)
        store = Store(settings.db_path)
        try:
            kept = kept_generation(settings.index_dir)
            store.purge(store.generation if kept is None else kept)
            results = ingest_paths(store, paths or [settings.reports_dir], settings.chunk_chars, file_progress,
                                   reprocess, max_file_mb=settings.max_file_mb, file_seconds=settings.file_seconds,
                                   limits=Limits.of(settings))
            if not rebuild and index_is_current(store, settings.index_dir, settings.embed_model):
                return results, None
            embedder = load_embedder(settings.embed_model, settings.embed_threads)
            for attempt in range(3):
                try:
                    return results, build_indexes(store, settings.index_dir, embedder, settings.hnsw_threshold,
                                                  stage_progress, full=rebuild)
                except StaleBuild:
                    # Someone wrote to the store without the lock during the build: build again from it.
                    if index_is_current(store, settings.index_dir, settings.embed_model):
                        return results, None
                    if attempt == 2:
                        raise
        finally:
            store.close()
