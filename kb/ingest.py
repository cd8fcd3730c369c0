"""Ingest: report files -> Document records -> the store, incrementally by content hash."""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kb.indexes.build import FORMAT_VERSION, build_indexes, read_params
from kb.indexes.embed import load_embedder, same_model
from kb.readers import SUPPORTED_SUFFIXES, ReadError, doc_id_for, read_report
from kb.readers.pages import clean_page_starts, page_at
from kb.records import Document
from kb.report.chunks import chunk_sections
from kb.report.clean import clean_report
from kb.report.describe import describe
from kb.report.facts import extract_facts
from kb.report.sections import split_sections
from kb.store import Store

# Bump when cleaning, description, sectioning, chunking or fact extraction changes what they produce.
PIPELINE_VERSION = "3"


@dataclass
class FileResult:
    path: str
    doc_id: str
    status: str          # added / updated / unchanged / removed / failed
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


def pipeline_version(chunk_chars: int) -> str:
    """What a stored document records about the code and settings that derived it."""
    return f"{PIPELINE_VERSION}/{chunk_chars}"


def process_report(path: Path, chunk_chars: int, timings: dict[str, float] | None = None,
                   data: bytes | None = None) -> Document:
    """Run one file (or its bytes, when already read) through read -> clean -> describe -> sections
    -> chunks -> facts. timings, when given, accumulates seconds per stage.
    """
    clock = Stopwatch(timings)
    raw = clock("read", read_report, path, data)
    clean = clock("clean", clean_report, raw)
    if not clean.text.strip():
        raise ReadError("nothing left after removing page chrome")
    description = clock("describe", describe, clean)
    sections = clock("sections", split_sections, clean.text)
    chunks = clock("chunks", chunk_sections, clean.text, sections, chunk_chars)
    page_starts = clean_page_starts(raw.text, raw.page_starts, clean.text)
    for chunk in chunks:
        chunk.page = page_at(page_starts, chunk.start)
    facts = clock("facts", extract_facts, clean.text)
    return Document(raw=raw, text=clean.text, description=description, sections=sections, chunks=chunks,
                    facts=facts, pipeline=pipeline_version(chunk_chars), page_starts=page_starts)


class Stopwatch:
    """Calls a stage and adds its duration to timings[name] (when timings is a dict)."""

    def __init__(self, timings: dict[str, float] | None):
        self.timings = timings

    def __call__(self, name: str, fn, *args):
        if self.timings is None:
            return fn(*args)
        t = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - t


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[FileResult], list[Path]]:
    """(report files, failures for paths that cannot be reports, directories scanned)."""
    files: list[Path] = []
    failures: list[FileResult] = []
    roots: list[Path] = []
    for p in (Path(p) for p in paths):
        if p.is_dir():
            roots.append(p.resolve())
            for f in sorted(p.rglob("*")):
                if not f.is_file() or any(part.startswith(".") for part in f.relative_to(p).parts):
                    continue
                if f.suffix.lower() in SUPPORTED_SUFFIXES:
                    files.append(f)
                elif f.name.lower() not in {"readme", "readme.md"}:
                    failures.append(FileResult(str(f), doc_id_for(f), "failed",
                                               f"unsupported file type {f.suffix or '(none)'}"))
        elif p.is_file():
            files.append(p)
        else:
            failures.append(FileResult(str(p), doc_id_for(p), "failed", "no such file or directory"))
    return files, failures, roots


def ingest_paths(store: Store, paths: Iterable[Path], chunk_chars: int,
                 progress: Callable[[Iterable[Path]], Iterable[Path]] = iter, reprocess: bool = False,
                 timings: dict[str, float] | None = None) -> list[FileResult]:
    """Bring the store in line with the given files and directories; one result per file.

    A file is unchanged when its content hash, path and the pipeline version that processed it are.
    """
    files, results, roots = collect_files(paths)
    known = store.file_hashes()
    claimed: dict[str, str] = {}
    for path in progress(files):
        doc_id = doc_id_for(path)
        resolved = str(path.resolve())
        if doc_id in claimed:
            results.append(FileResult(str(path), doc_id, "failed",
                                      f"document id {doc_id!r} already used by {claimed[doc_id]}"))
            continue
        claimed[doc_id] = resolved
        try:
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            previous = known.get(doc_id)
            if previous == (resolved, digest, pipeline_version(chunk_chars)) and not reprocess:
                results.append(FileResult(str(path), doc_id, "unchanged"))
                continue
            started = time.perf_counter()
            doc = process_report(path, chunk_chars, timings, data)
            seconds = time.perf_counter() - started
            doc.raw.path = resolved
            Stopwatch(timings)("store", store.put_document, doc)
            results.append(FileResult(str(path), doc_id, "updated" if previous else "added",
                                      source_type=doc.raw.source_type, pages=doc.raw.pages, ocr=doc.raw.ocr,
                                      seconds=round(seconds, 2)))
        except ReadError as exc:
            results.append(FileResult(str(path), doc_id, "failed", str(exc)))
        except OSError as exc:
            results.append(FileResult(str(path), doc_id, "failed", f"cannot read file: {exc.strerror or exc}"))
    # A stored document whose file was under a scanned directory and is gone now is removed.
    for doc_id, (stored_path, _, _) in known.items():
        sp = Path(stored_path)
        if doc_id not in claimed and not sp.exists() and any(sp.is_relative_to(r) for r in roots):
            store.delete_document(doc_id)
            results.append(FileResult(stored_path, doc_id, "removed"))
    return results


def index_is_current(store: Store, index_dir: Path, model: str) -> bool:
    params = read_params(index_dir)
    return bool(params) and params.get("format") == FORMAT_VERSION and \
        params["store_generation"] == store.generation and same_model(params["model"], model)


def update_knowledge_base(settings, paths: Iterable[Path] | None = None, rebuild: bool = False,
                          file_progress=iter, stage_progress=None, reprocess: bool = False
                          ) -> tuple[list[FileResult], dict | None]:
    """Ingest files into the store, then rebuild the indexes if the store changed (or when asked).

    rebuild: build the indexes even when they are current; reprocess: re-run the pipeline on unchanged files.

    Returns the per-file results and the params of a new index build (None when none was needed).
    """
    store = Store(settings.db_path)
    try:
        results = ingest_paths(store, paths or [settings.reports_dir], settings.chunk_chars, file_progress, reprocess)
        if not rebuild and index_is_current(store, settings.index_dir, settings.embed_model):
            return results, None
        embedder = load_embedder(settings.embed_model, settings.embed_threads)
        params = build_indexes(store, settings.index_dir, embedder, settings.hnsw_threshold, stage_progress)
        return results, params
    finally:
        store.close()
