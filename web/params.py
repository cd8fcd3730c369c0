"""Request parameters: strings from the query string parsed once for the API and the pages, and checked
by the library's checks (kb.search.params), whose SearchError the app answers with a 400."""
from __future__ import annotations

import re

from kb.indexes.structured import DOC_TYPE_LABELS
from kb.questions.table import TableFilters, table_filters
from kb.report.agency import LEVELS
from kb.search.filters import Filters
from kb.search.params import (
    MAX_K,
    MAX_OFFSET,
    MODES,
    SORTS,
    YEARS,
    SearchError,
    check_choice,
    check_query,
    check_range,
    check_text,
)

YEAR_RANGE = re.compile(r"\s*(\d{4})?\s*(?:(-|–|—|~|到|至)\s*(\d{4})?)?\s*")


def int_param(args, name: str, default: int | None, lo: int, hi: int) -> int | None:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SearchError(name, f"{name} must be a whole number; got {raw[:40]!r}") from None
    return check_range(name, value, lo, hi)


def query_param(args, required: bool) -> str:
    return check_query(args.get("q"), required)


def choice_param(args, name: str, choices, default: str) -> str:
    return check_choice(name, args.get(name) or default, choices)


def list_param(args, name: str) -> list[str]:
    """All values of a repeatable parameter (agency=A&agency=B), empty ones dropped."""
    return [check_text(name, v.strip()) for v in args.getlist(name) if v and v.strip()]


def year_param(args, name: str = "year") -> int | None:
    return int_param(args, name, None, *YEARS)


def year_range_param(args) -> tuple[int | None, int | None]:
    """year=2018, year=2017-2019, year=2017- or -2019; or year_from / year_to (the form's two fields)."""
    lo, hi = year_param(args, "year_from"), year_param(args, "year_to")
    raw = (args.get("year") or "").strip()
    if raw:
        m = YEAR_RANGE.fullmatch(raw)
        if not m or not (m.group(1) or m.group(3)):
            raise SearchError("year", f"year must be a year or a range such as 2017-2019; got {raw[:40]!r}")
        first, second = (int(g) if g else None for g in (m.group(1), m.group(3)))
        lo, hi = (first, second) if m.group(2) else (first, first)
    for value in (lo, hi):
        if value is not None:
            check_range("year", value, *YEARS)
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    return lo, hi


def choices_param(args, name: str, choices) -> list[str]:
    """A repeatable parameter whose values must be among `choices` (level, doc_type)."""
    return [check_choice(name, v, choices) for v in list_param(args, name)]


def filters_param(args) -> Filters:
    """The document filters every endpoint takes (search, export, compare, documents, agencies, facts)."""
    year_from, year_to = year_range_param(args)
    doc_id = (args.get("doc_id") or "").strip() or None
    return Filters(agency=list_param(args, "agency"), region=list_param(args, "region"),
                   level=choices_param(args, "level", LEVELS), doc_type=choices_param(args, "doc_type", DOC_TYPE_LABELS),
                   year_from=year_from, year_to=year_to, doc_id=doc_id and check_text("doc_id", doc_id))


def search_params(args, required: bool = True) -> dict:
    return {"query": query_param(args, required), "mode": choice_param(args, "mode", MODES, "hybrid"),
            "k": int_param(args, "k", 10, 1, MAX_K), "offset": int_param(args, "offset", 0, 0, MAX_OFFSET),
            "sort": choice_param(args, "sort", SORTS, "relevance"), "filters": filters_param(args)}


def facts_filters_param(args) -> TableFilters:
    """The facts filters: metric (repeatable) and the document filters every endpoint takes."""
    return table_filters(tuple(m for m in args.getlist("metric") if m), filters_param(args))
