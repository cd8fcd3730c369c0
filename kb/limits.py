"""What one file may cost and produce: a memory budget for the process that reads it, and plausibility limits
on what a report yields (passages, figures, sections). Over either, the file is reported by name and skipped.
"""
from __future__ import annotations

import resource
from collections import Counter
from dataclasses import dataclass

from kb.readers.encoding import ReadError

# A figure whose sentence (metric, value and text alike) is stated more often than this in one report is a
# repeat, not a new statement: kept once. Real reports repeat a sentence at most a few times (a summary and
# a table); a file of one sentence over and over would otherwise store each copy.
REPEATED_STATEMENT = 10


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 0      # address space the pipeline process may grow by; 0: none
    passages: int = 0       # 0: no limit
    figures: int = 0
    sections: int = 0

    @classmethod
    def of(cls, settings) -> Limits:
        return cls(settings.file_memory_mb, settings.max_passages, settings.max_figures, settings.max_sections)


class ImplausibleReport(ReadError):
    """A file that yields far more passages, figures or sections than any report does."""


class OverMemory(Exception):
    """Processing one file needed more memory than its budget."""


def over_memory_message(memory_mb: int) -> str:
    return (f"processing needed more than the {memory_mb} MB memory budget per file (KB_FILE_MEMORY_MB); "
            "skipped")


def check_count(what: str, count: int, limit: int, env: str) -> None:
    """Raise ImplausibleReport when a report yields more `what` than `limit` (0: no limit)."""
    if limit and count > limit:
        raise ImplausibleReport(f"{count:,} {what}, {count - limit:,} over the limit of {limit:,} per report "
                                f"({env}); far more than any real report: not stored")


def collapse_repeats(facts: list, threshold: int = REPEATED_STATEMENT) -> list:
    """Facts in order, each (metric, value, sentence) stated more than `threshold` times kept only at its
    first statement."""
    key = lambda f: (f.metric, f.value, f.text)  # noqa: E731
    counts = Counter(map(key, facts))
    if not counts or max(counts.values()) <= threshold:
        return facts
    seen: set = set()
    out = []
    for f in facts:
        k = key(f)
        if counts[k] > threshold:
            if k in seen:
                continue
            seen.add(k)
        out.append(f)
    return out


def address_space() -> int:
    """This process's virtual memory size in bytes (Linux; 0 where /proc is absent)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * resource.getpagesize()
    except OSError:
        return 0


def limit_memory(memory_mb: int) -> None:
    """Let this process's address space grow by at most memory_mb beyond what it holds now (the OS refuses
    more: allocations fail with MemoryError). Relative to now, because a forked child starts with its
    parent's mappings (libraries, thread stacks), which are not the file's doing."""
    if memory_mb <= 0:
        return
    limit = address_space() + memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
