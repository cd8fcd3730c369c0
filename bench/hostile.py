"""Hostile and oversized report files of a given size, for the linearity bench and the hardening tests.

Every generator returns UTF-8 bytes of about n bytes (cut at a character boundary).
"""
from __future__ import annotations

import gc
import time
from pathlib import Path

from kb.readers import read_report
from kb.report.chunks import chunk_sections
from kb.report.clean import clean_report
from kb.report.describe import describe
from kb.report.facts import extract_facts
from kb.report.sections import split_sections
from kb.settings import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "data" / "reports"


def _cut(text: str, n: int) -> bytes:
    return text.encode("utf-8")[:n].decode("utf-8", "ignore").encode("utf-8")


def _repeat(unit: str, n: int) -> bytes:
    return _cut(unit * (n // max(1, len(unit.encode("utf-8"))) + 1), n)


def seed_text(n: int) -> bytes:
    """The five seed reports one after another, over and over: a long report shaped like real ones."""
    return _repeat("\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))) + "\n", n)


def no_punctuation(n: int) -> bytes:
    """One line of Chinese without a single punctuation mark or line break."""
    return _repeat("政府信息公开工作年度报告主动公开依申请公开", n)


def short_lines(n: int) -> bytes:
    return _cut("".join(f"第{i}行\n" for i in range(n // 8 + 1)), n)


def many_headings(n: int) -> bytes:
    """One chapter heading, then numbered sub-headings on every line."""
    return _cut("一、总则\n" + "".join(f"（{i % 99 + 1}）条目内容说明。\n" for i in range(n // 30 + 1)), n)


def html_page(n: int) -> bytes:
    """A saved web page of paragraphs (the seed sentences), one <p> per line, all in one <body>."""
    lines = [ln for p in sorted(SEEDS.glob("*.txt")) for ln in p.read_text(encoding="utf-8").splitlines() if ln]
    return _repeat("".join(f"<p>{ln}</p>\n" for ln in lines), n)


KINDS = {"seeds": seed_text, "no_punctuation": no_punctuation, "short_lines": short_lines,
         "many_headings": many_headings, "html": html_page}


STAGES = ("read", "clean", "describe", "sections", "chunks", "facts")


def stage_seconds(data: bytes, suffix: str = ".txt", chunk_chars: int = 160, repeats: int = 2,
                  upto: str = "facts") -> dict[str, float]:
    """CPU seconds of each pipeline stage on these bytes (the best of `repeats` runs), from read up to `upto`.

    Thread CPU time: the stages run in this thread, and idle BLAS or server threads of the process must not
    count (process_time did, and more so the longer a stage ran)."""
    path = Path("generated" + suffix)
    wanted = STAGES[: STAGES.index(upto) + 1]
    best: dict[str, float] = {}

    def timed(name, fn, *args):
        if name not in wanted:
            return None
        gc.collect()
        t = time.thread_time()
        out = fn(*args)
        best[name] = min(best.get(name, float("inf")), time.thread_time() - t)
        return out

    for _ in range(repeats):
        raw = timed("read", read_report, path, data)
        clean = timed("clean", clean_report, raw)
        timed("describe", describe, clean)
        text = clean.text if clean else None
        sections = timed("sections", split_sections, text)
        timed("chunks", chunk_sections, text, sections, chunk_chars)
        timed("facts", extract_facts, text)
    return best
