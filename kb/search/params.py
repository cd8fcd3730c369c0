"""Search parameters: their limits and the one check of each, for the library, the API, the pages and the CLI.

A bad value raises SearchError naming the parameter; the web app turns it into a 400 in one error handler.
"""
from __future__ import annotations

MODES = ("hybrid", "keyword", "semantic")
SORTS = ("relevance", "year", "year_asc", "agency")
MAX_QUERY_CHARS = 500
MAX_K = 100
MAX_OFFSET = 10_000_000
MAX_FILTER_CHARS = 200   # the longest filter value (the OpenAPI document states the same limit from here)
YEARS = (1900, 2100)     # a reporting year outside these is a mistake


class SearchError(ValueError):
    """Bad search input; `param` names the offending parameter, `code` the kind of error."""

    def __init__(self, param: str, message: str, code: str = "invalid_parameter"):
        super().__init__(message)
        self.param = param
        self.code = code


def check_query(query: str | None, required: bool = True) -> str:
    """The search text: "" when absent and not required; at most MAX_QUERY_CHARS characters."""
    if query is None or not query.strip():
        if required:
            raise SearchError("q", "q is required: the search text", "missing_parameter")
        return ""
    if len(query) > MAX_QUERY_CHARS:
        raise SearchError("q", f"q is {len(query)} characters; at most {MAX_QUERY_CHARS} are allowed")
    return query


def check_choice(name: str, value: str, choices) -> str:
    if value not in choices:
        raise SearchError(name, f"{name} must be one of {', '.join(choices)}; got {value[:40]!r}")
    return value


def check_range(name: str, value: int, lo: int, hi: int) -> int:
    if not lo <= value <= hi:
        raise SearchError(name, f"{name} must be between {lo} and {hi}; got {value}")
    return value


def check_text(name: str, value: str) -> str:
    """A filter value, at most MAX_FILTER_CHARS characters."""
    if len(value) > MAX_FILTER_CHARS:
        raise SearchError(name, f"{name} is {len(value)} characters; at most {MAX_FILTER_CHARS} are allowed")
    return value


def validate(query: str | None, mode: str, k: int, offset: int = 0, sort: str = "relevance") -> None:
    """A search call's arguments (the engine checks them before every search and export)."""
    if query is None or query.strip():  # a blank query is a search for nothing, not an error
        check_query(query)
    check_choice("mode", mode, MODES)
    check_range("k", k, 1, MAX_K)
    check_range("offset", offset, 0, MAX_OFFSET)
    check_choice("sort", sort, SORTS)
