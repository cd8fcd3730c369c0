"""Clean: keep the report's own text (original script, one paragraph per line) and drop the rest.

Steps: inline pinyin and spam tokens go; headings run into a line start a line of their own; every line
is classified (kb.report.clutter) by where it stands — the page header above the report's first sentence,
the body, the trailer after its last sentence or a footer marker — and the metadata of dropped lines is read
first; the page header's lines before the report's title go too; tables printed one cell per line are put
back into `label | 1 | 0` rows. All offsets in the system refer to the text this returns.
"""
from __future__ import annotations

import re

from kb.records import CleanReport, RawReport
from kb.report import clutter
from kb.report.agency import name_in
from kb.report.sections import heading_of
from kb.report.template import is_table_row_label
from kb.report.title import TITLE_RUN_IN, find_title
from kb.text import normalize

_TONE_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
_SYLLABLE = rf"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[aeiouv{_TONE_VOWELS}]{{1,4}}(?:ng|n|r)?"
# "生產(chǎn)": a pinyin syllable in brackets right after a CJK character.
PINYIN_RUBY = re.compile(rf"(?<=[\u3400-\u9fff])[(（]({_SYLLABLE})[)）]")
# "…公开如下。 一、总体情况": a numbered heading after a sentence's end, on the same line.
RUN_IN_HEADING = re.compile(r"(?<=[。！？；])[ \t\u3000]+(?=(?:[一二三四五六七八九十]{1,3}、|[(（][一二三四五六七八九十]{1,3}[)）])\S)")
# "一、总体情况 2024年，我局…": a short heading title, then a space, then its text.
HEADING_THEN_TEXT = re.compile(r"^((?:[一二三四五六七八九十]{1,3}、|[(（][一二三四五六七八九十]{1,3}[)）])"
                               r"[^\s。，,；;：:|]{2,20})[ \t\u3000]+(?=\S)")
NUMBER_CELL = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
HEADER_LINES_MAX = 30
_LINE_STRIP = " \t\u3000\u00a0\ufeff"


def strip_pinyin(text: str) -> str:
    return PINYIN_RUBY.sub("", text)


strip_spam = clutter.strip_spam


def split_run_in_headings(line: str, title_first: bool = False) -> list[str]:
    """A line holding a sentence and then a numbered heading, or a heading and its text, as lines; near the
    top (title_first), a title run into the report's first sentence too."""
    if "|" in line:
        return [line]
    if title_first:
        m = TITLE_RUN_IN.match(normalize(line))
        if m and len(normalize(line[:m.end()])) == m.end():
            return [line[:m.end("title")].rstrip()] + split_run_in_headings(line[m.end("title"):].lstrip())
    parts = [p for p in RUN_IN_HEADING.split(line) if p]
    out = []
    for part in parts:
        m = HEADING_THEN_TEXT.match(part)
        if m and not NUMBER_CELL.match(part[m.end():].split()[0]):
            out += [m.group(1), part[m.end():]]
        else:
            out.append(part)
    return out


def _is_sentence(norm_line: str) -> bool:
    return len(norm_line) >= 12 and clutter.SENTENCE.search(norm_line) is not None


def regroup_table_cells(lines: list[str]) -> list[str]:
    """Tables printed one cell per line: a row label followed by number lines becomes `label | 0 | 0 | 0`."""
    out: list[str] = []
    for line in lines:
        if NUMBER_CELL.match(line) and out and len(line) <= 12:
            label = out[-1]
            norm = normalize(label)
            numbered = heading_of(norm)
            row_label = "|" in label or (
                len(label) <= 50 and not NUMBER_CELL.match(label) and not re.search(r"[。！？：:]$", label)
                and (numbered is None or is_table_row_label(norm[numbered[1]:])))
            if row_label:
                out[-1] = f"{label} | {line}"
                continue
        out.append(line)
    return out


def clean_report(raw: RawReport) -> CleanReport:
    text = strip_spam(strip_pinyin(raw.text))
    lines = [part for i, ln in enumerate(text.split("\n"))
             for part in split_run_in_headings(ln.strip(_LINE_STRIP), title_first=i < 3)]
    lines = [clutter.PAGE_PREFIX.sub("", ln.strip(_LINE_STRIP)) for ln in lines]  # "Page 8 - " of a flipbook
    lines = [ln for ln in lines if ln]
    norms = [normalize(ln) for ln in lines]
    sentences = [i for i, n in enumerate(norms) if _is_sentence(n) or heading_of(n)]
    body_start = min(sentences[0] if sentences else len(lines), HEADER_LINES_MAX)
    trailer_start = sentences[-1] + 1 if sentences else len(lines)
    title = find_title(norms, limit=body_start + 1)  # the title closes the page header
    first_line = norms[0] if norms else ""
    meta: dict[str, str] = dict(raw.meta)
    kept: list[str] = []
    removed: list[str] = []
    in_footer = False
    drop_next_row = False
    for i, (line, norm) in enumerate(zip(lines, norms)):
        if clutter.FOOTER_MARKER.match(norm) and i > 0:
            in_footer = True
        header = i < body_start
        trailer = in_footer or i >= trailer_start
        # A byline under the title: the agency's name alone on its line.
        byline = header and title is not None and i >= title.line + title.lines and len(norm) <= 30 \
            and name_in(norm.strip()) == norm.strip()
        is_title = title is not None and title.line <= i < title.line + title.lines
        drop = (
            drop_next_row or byline
            or clutter.is_chrome_anywhere(norm)
            or (header and not is_title and (clutter.is_chrome_in_header(norm) or clutter.is_metadata_row(norm, True)))
            or (header and title is not None and i < title.line)
            or (trailer and clutter.is_chrome_in_trailer(norm))
            or (in_footer and (clutter.PAGE_COUNTER.match(norm) is not None or norm == first_line))
        )
        drop_next_row = False
        if drop:
            if byline:
                meta.setdefault("byline", norm.strip())
            for f in clutter.key_values(norm, generic=header or trailer):
                meta.setdefault(f.key, f.value)
            cells = clutter.table_cells(norm)
            if cells and clutter.is_metadata_row(norm, in_header=header):
                next_cells = clutter.table_cells(norms[i + 1]) if i + 1 < len(norms) else None
                key_row = clutter.is_key_row(norm)
                for f in clutter.metadata_table([cells] + ([next_cells] if next_cells and key_row else [])):
                    meta.setdefault(f.key, f.value)
                # The value row under a row of keys is metadata too.
                drop_next_row = bool(next_cells) and key_row
        (removed if drop else kept).append(line)
    meta = {k: v for k, v in meta.items() if v}
    return CleanReport(raw=raw, text="\n".join(regroup_table_cells(kept)), removed=removed, meta=meta)
