"""A document's citation in GB/T 7714-2015 form (electronic resource), as Chinese journals ask for it."""
from __future__ import annotations

import datetime as dt


def citation(doc: dict, cited: dt.date | None = None) -> str:
    """GB/T 7714-2015 for an electronic resource: 机关. 题名[EB/OL]. (发布日期)[引用日期]. URL.

    The published date and the URL (the report's own address, source_url) only where known; the date
    cited is today unless given.
    """
    cited = cited or dt.date.today()
    parts = [f"{doc['agency']}. " if doc.get("agency") else "", f"{doc['title'].rstrip('.。')}[EB/OL]. "]
    parts.append(f"({doc['published']})" if doc.get("published") else "")
    parts.append(f"[{cited.isoformat()}].")
    if doc.get("source_url"):
        parts.append(f" {doc['source_url']}.")
    return "".join(parts)
