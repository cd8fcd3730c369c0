"""The one CSV layout of every export: UTF-8 with a BOM (Excel reads it as UTF-8), each header cell
"中文 id", links absolute, numbers as written (integers without .0), yes/no as 是/否."""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator

BOM = "\ufeff"
Columns = tuple[tuple[str, str], ...]   # (id, Chinese header) per column


def header(columns: Columns) -> list[str]:
    return [f"{zh} {key}" for key, zh in columns]


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:g}"
    return str(value)


def csv_lines(columns: Columns, rows: Iterable[dict], base_url: str = "",
              special: Callable[[str, object], str | None] | None = None) -> Iterator[str]:
    """The CSV text piece by piece (BOM and header first, then one line per row): for streaming or joining.
    Every column named url or ending in _url is made absolute with `base_url` (the server's address);
    `special(key, value)` may format a column its own way (None: the usual way)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header(columns))
    yield BOM + buf.getvalue()
    for row in rows:
        buf.seek(0)
        buf.truncate()
        values = []
        for key, _ in columns:
            value = row.get(key)
            if (key == "url" or key.endswith("_url")) and isinstance(value, str) and value.startswith("/"):
                value = base_url.rstrip("/") + value
            shown = special(key, value) if special else None
            values.append(cell(value) if shown is None else shown)
        writer.writerow(values)
        yield buf.getvalue()
