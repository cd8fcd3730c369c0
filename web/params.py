"""Request parameters, parsed and checked once for the API and the pages."""
from __future__ import annotations

from kb.search.engine import MAX_K, MAX_QUERY_CHARS, MODES
from kb.search.filters import Filters

from .errors import ApiError

MAX_OFFSET = 10_000
# Longest filter values accepted (the OpenAPI document states the same limits from here).
MAX_FILTER_CHARS = {"agency": 200, "region": 200, "doc_type": 50}


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


def mode_param(args) -> str:
    mode = args.get("mode") or "hybrid"
    if mode not in MODES:
        raise ApiError(400, "invalid_parameter", f"mode must be one of {', '.join(MODES)}; got {mode[:40]!r}")
    return mode


def text_param(args, name: str) -> str | None:
    """A filter value, at most MAX_FILTER_CHARS[name] characters; "" is no filter."""
    value = args.get(name) or None
    if value is not None and len(value) > MAX_FILTER_CHARS[name]:
        raise ApiError(400, "invalid_parameter",
                       f"{name} is {len(value)} characters; at most {MAX_FILTER_CHARS[name]} are allowed")
    return value


def filters_param(args) -> Filters:
    return Filters(agency=text_param(args, "agency"), year=int_param(args, "year", None, 1900, 2100),
                   region=text_param(args, "region"), doc_type=text_param(args, "doc_type"))


def search_params(args, required: bool = True) -> dict:
    return {"query": query_param(args, required), "mode": mode_param(args),
            "k": int_param(args, "k", 10, 1, MAX_K), "offset": int_param(args, "offset", 0, 0, MAX_OFFSET),
            "filters": filters_param(args)}
