"""One report file through read -> clean -> describe -> sections -> chunks -> facts, and the version of it.

Its own module so that ingest (which stores documents) and the worker (which runs this in a child
process under a time budget) both import it, and neither imports the other.
"""
from __future__ import annotations

from pathlib import Path

from kb.limits import Limits, check_count, collapse_repeats
from kb.readers import ReadError, read_report
from kb.readers.pages import clean_page_starts, page_at
from kb.records import Document
from kb.report.chunks import chunk_sections
from kb.report.clean import clean_report
from kb.report.describe import describe
from kb.report.facts import extract_facts
from kb.report.sections import split_sections
from kb.stopwatch import Stopwatch

# Bump when cleaning, description, sectioning, chunking or fact extraction changes what they produce.
PIPELINE_VERSION = "4"  # 4: figures by kind (scope per passage, new metrics), source_url, repeats collapsed


def pipeline_version(chunk_chars: int) -> str:
    """What a stored document records about the code and settings that derived it."""
    return f"{PIPELINE_VERSION}/{chunk_chars}"


def process_report(path: Path, chunk_chars: int, timings: dict[str, float] | None = None,
                   data: bytes | None = None, limits: Limits = Limits()) -> Document:
    """Run one file (or its bytes, when already read) through read -> clean -> describe -> sections
    -> chunks -> facts. timings, when given, accumulates seconds per stage. A report over `limits`
    raises ImplausibleReport (a ReadError) at the first stage that shows it.
    """
    clock = Stopwatch(timings)
    raw = clock("read", read_report, path, data)
    clean = clock("clean", clean_report, raw)
    if not clean.text.strip():
        raise ReadError("nothing left after removing page chrome")
    description = clock("describe", describe, clean)
    sections = clock("sections", split_sections, clean.text)
    check_count("sections", len(sections), limits.sections, "KB_MAX_SECTIONS")
    chunks = clock("chunks", chunk_sections, clean.text, sections, chunk_chars)
    check_count("passages", len(chunks), limits.passages, "KB_MAX_PASSAGES")
    page_starts = clean_page_starts(raw.text, raw.page_starts, clean.text)
    for chunk in chunks:
        chunk.page = page_at(page_starts, chunk.start)
    facts = collapse_repeats(clock("facts", extract_facts, clean.text, description.year))
    check_count("figures", len(facts), limits.figures, "KB_MAX_FIGURES")
    return Document(raw=raw, text=clean.text, description=description, sections=sections, chunks=chunks,
                    facts=facts, pipeline=pipeline_version(chunk_chars), page_starts=page_starts)
