"""Request parameters, parsed and checked once for the API and the pages."""
from __future__ import annotations

import re

from kb.search.engine import MAX_K, MAX_OFFSET, MAX_QUERY_CHARS, MODES, SORTS
from kb.search.filters import Filters

from .errors import ApiError

# Longest filter value accepted (the OpenAPI document states the same limit from here).
MAX_FILTER_CHARS = 200
YEAR_RANGE = re.compile(r"\s*(\d{4})?\s*(?:(-|–|—|~|到|至)\s*(\d{4})?)?\s*")


def int_param(args, name: str, default: int | None, lo: int, hi: int) -> int | None:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "invalid_parameter", f"{name} must be a whole number; got {raw[:40]!r}") from None
    if not lo <= value <= hi:
        raise ApiError(400, "invalid_parameter", f"{name} must be between {lo} and {hi}; got {value}")
    return value


def query_param(args, required: bool) -> str:
    q = args.get("q")
    if q is None or not q.strip():
        if required:
            raise ApiError(400, "missing_parameter", "q is required: the search text")
        return ""
    if len(q) > MAX_QUERY_CHARS:
        raise ApiError(400, "invalid_parameter", f"q is {len(q)} characters; at most {MAX_QUERY_CHARS} are allowed")
    return q


def choice_param(args, name: str, choices, default: str) -> str:
    value = args.get(name) or default
    if value not in choices:
        raise ApiError(400, "invalid_parameter", f"{name} must be one of {', '.join(choices)}; got {value[:40]!r}")
    return value


def mode_param(args) -> str:
    return choice_param(args, "mode", MODES, "hybrid")


def list_param(args, name: str) -> list[str]:
    """All values of a repeatable parameter (agency=A&agency=B), empty ones dropped."""
    values = [v.strip() for v in args.getlist(name) if v and v.strip()]
    for v in values:
        if len(v) > MAX_FILTER_CHARS:
            raise ApiError(400, "invalid_parameter", f"{name} is {len(v)} characters; at most {MAX_FILTER_CHARS}")
    return values


def year_range_param(args) -> tuple[int | None, int | None]:
    """year=2018, year=2017-2019, year=2017- or -2019; or year_from / year_to (the form's two fields)."""
    lo = int_param(args, "year_from", None, 1900, 2100)
    hi = int_param(args, "year_to", None, 1900, 2100)
    raw = (args.get("year") or "").strip()
    if raw:
        m = YEAR_RANGE.fullmatch(raw)
        if not m or not (m.group(1) or m.group(3)):
            raise ApiError(400, "invalid_parameter",
                           f"year must be a year or a range such as 2017-2019; got {raw[:40]!r}")
        first, second = (int(g) if g else None for g in (m.group(1), m.group(3)))
        lo, hi = (first, second) if m.group(2) else (first, first)
    for name, value in (("year", lo), ("year", hi)):
        if value is not None and not 1900 <= value <= 2100:
            raise ApiError(400, "invalid_parameter", f"{name} must be between 1900 and 2100; got {value}")
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    return lo, hi


def text_param(args, name: str) -> str | None:
    """A filter value, at most MAX_FILTER_CHARS characters; "" is no filter."""
    value = args.get(name) or None
    if value is not None and len(value) > MAX_FILTER_CHARS:
        raise ApiError(400, "invalid_parameter",
                       f"{name} is {len(value)} characters; at most {MAX_FILTER_CHARS} are allowed")
    return value


def filters_param(args) -> Filters:
    year_from, year_to = year_range_param(args)
    doc_id = (args.get("doc_id") or "").strip() or None
    if doc_id and len(doc_id) > MAX_FILTER_CHARS:
        raise ApiError(400, "invalid_parameter", "doc_id is too long")
    return Filters(agency=list_param(args, "agency"), region=list_param(args, "region"),
                   level=list_param(args, "level"), doc_type=list_param(args, "doc_type"),
                   year_from=year_from, year_to=year_to, doc_id=doc_id)


def search_params(args, required: bool = True) -> dict:
    return {"query": query_param(args, required), "mode": mode_param(args),
            "k": int_param(args, "k", 10, 1, MAX_K), "offset": int_param(args, "offset", 0, 0, MAX_OFFSET),
            "sort": choice_param(args, "sort", SORTS, "relevance"), "filters": filters_param(args)}
