"""Seconds per named stage, for ingest and build summaries."""
from __future__ import annotations

import time


class Stopwatch:
    """Calls a stage and adds its duration to timings[name] (when timings is a dict)."""

    def __init__(self, timings: dict[str, float] | None):
        self.timings = timings

    def __call__(self, name: str, fn, *args, **kwargs):
        if self.timings is None:
            return fn(*args, **kwargs)
        t = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - t
