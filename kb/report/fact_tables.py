"""Figures of the national template's tables, in any flattening: `| a | b |` rows (HTML, Markdown, and cells
put back into rows by cleaning) or rows of text with figures separated by spaces.

Table 3 (收到和处理政府信息公开申请情况): each row's figure is its last number, the 总计 column. Its groups of
reasons (不予公开, 无法提供, 不予处理, 其他处理) add up their numbered sub-rows (1.属于国家秘密 …).
Table 4 (行政复议、行政诉讼): one row of 15 figures under headers naming both; reviews are its 5th (总计),
lawsuits its 10th plus its 15th (直接起诉 and 复议后起诉 totals). Row labels, groups and columns are the metric
registry's (kb.report.metrics).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kb.report.metrics import REGISTRY

_NUMERIC_CELL = re.compile(r"[+-]?\d+(?:\.\d+)?")
REVIEW_TABLE_WIDTH = 15
# (label pattern on the row's last label cell, metric), from the metric registry; the first match decides.
ROW_METRICS = tuple((re.compile(m.rows), m.id) for m in REGISTRY.values() if m.rows)
# Groups of table 3 whose figure is the sum of their numbered sub-rows.
GROUPS = tuple((re.compile(m.group), m.id) for m in REGISTRY.values() if m.group)
# Metrics of the review table (table 4) and the columns that add up to each.
REVIEW_COLUMNS = tuple((m.id, m.review_columns) for m in REGISTRY.values() if m.review_columns)
_SUB_ROW = re.compile(r"^\d{1,2}\s*[.、．]")
_GROUP_LABEL = re.compile(r"^[(（][一二三四五六七八九十][)）]")


@dataclass
class TableFigure:
    metric: str
    value: float
    unit: str
    start: int            # the row (or the rows it adds up) in the normalised text
    end: int


def split_row(line: str) -> tuple[list[str], list[float]]:
    """A table row as (label cells, figures): `| a | b | 1 | 2 |` rows, or `a b 1 2` flattened."""
    cells = [c.strip() for c in line.strip().strip("|").split("|")] if "|" in line else line.split()
    cells = [c for c in cells if c]
    first_number = next((i for i, c in enumerate(cells) if _NUMERIC_CELL.fullmatch(c)), len(cells))
    numbers = [float(c) for c in cells[first_number:] if _NUMERIC_CELL.fullmatch(c)]
    return cells[:first_number], numbers


def _under_review_headers(lines: list[str], i: int) -> bool:
    above = "\n".join(lines[max(0, i - 24): i + 1])
    return "行政复议" in above and "行政诉讼" in above


def table_figures(norm: str) -> list[TableFigure]:
    out: list[TableFigure] = []
    lines = norm.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    group: tuple[str, float, int, int] | None = None   # (metric, sum, first row start, last row end)

    def close_group():
        nonlocal group
        if group:
            out.append(TableFigure(group[0], group[1], "件", group[2], group[3]))
        group = None

    for i, line in enumerate(lines):
        labels, numbers = split_row(line)
        span = (starts[i], starts[i] + len(line))
        if not numbers:
            if labels and not _SUB_ROW.match(labels[-1]):
                close_group()
            continue
        label = re.sub(r"\s+", "", labels[-1]) if labels else ""
        first = re.sub(r"\s+", "", labels[0]) if labels else ""
        # A row opening a group of reasons, with its first sub-row on the same line: (三)不予公开 | 1.属于国家秘密 | 0 …
        opening = next((metric for pattern, metric in GROUPS if _GROUP_LABEL.match(first) and pattern.search(first)), None)
        if opening:
            close_group()
            group = (opening, 0.0, span[0], span[1])
            if len(labels) == 1 and not _SUB_ROW.match(label):  # a group without sub-rows (其他处理 in 2019)
                out.append(TableFigure(opening, numbers[-1], "件", *span))
                group = None
                continue
        if group and (_SUB_ROW.match(label) or opening):
            group = (group[0], group[1] + numbers[-1], group[2], span[1])
            continue
        close_group()
        if len(numbers) == REVIEW_TABLE_WIDTH and _under_review_headers(lines, i):
            for metric, columns in REVIEW_COLUMNS:
                out.append(TableFigure(metric, sum(numbers[c] for c in columns), REGISTRY[metric].unit, *span))
            continue
        for pattern, metric in ROW_METRICS:
            if label and pattern.search(label):
                out.append(TableFigure(metric, numbers[-1], REGISTRY[metric].unit, *span))
                break
    # A group still open where the text ends was cut off (a truncated page): its sum is not stated.
    return out
