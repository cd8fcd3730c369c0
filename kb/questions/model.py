"""The question model: what a question over the figures asks, independent of how it was phrased."""
from __future__ import annotations

import operator
from dataclasses import dataclass, field

KINDS = ("list", "top", "total", "count", "compare")
OPS = ("=", ">", ">=", "<", "<=", "any", "missing")
COMBINES = ("and", "but", "or", "neither")
_COMPARE = {"=": operator.eq, ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


@dataclass(frozen=True)
class Condition:
    """One metric's condition: a comparison with a number, `any` (a figure is stated) or `missing` (none is)."""

    metric: str
    op: str
    value: float | None = None

    def holds(self, figure: float | None) -> bool:
        if self.op == "missing":
            return figure is None
        if figure is None:
            return False
        if self.op == "any":
            return True
        return _COMPARE[self.op](figure, self.value)

    def as_dict(self) -> dict:
        return {"metric": self.metric, "op": self.op, "value": self.value}


@dataclass(frozen=True)
class Group:
    """Which agencies the question is about: level, region, agency type and reporting years."""

    levels: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    agency_types: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None

    @property
    def year(self) -> int | None:
        """The one reporting year, when the group is a single year."""
        return self.year_from if self.year_from is not None and self.year_from == self.year_to else None

    def as_dict(self) -> dict:
        return {"levels": list(self.levels), "regions": list(self.regions), "agency_types": list(self.agency_types),
                "year_from": self.year_from, "year_to": self.year_to}


@dataclass(frozen=True)
class Question:
    """kind: list (which agencies), top (most / least), total (sum), count (how many agencies), compare (years).

    `metric` is what the answer shows, ranks or adds up; `conditions` select agencies and are joined by
    `combine` (and / but: all hold; or: one holds; neither: all are zero).
    """

    kind: str
    metric: str
    conditions: tuple[Condition, ...]
    combine: str = "and"
    group: Group = field(default_factory=Group)
    order: str | None = None        # top: "desc" (most) or "asc" (least)
    limit: int | None = None        # top: how many
    compare_years: tuple[int, ...] = ()   # compare: the years side by side (empty: every year there is)

    def is_target(self, c: Condition) -> bool:
        """The answer's own metric of a top / total / compare: it must be stated, whatever the others say."""
        return self.kind in ("top", "total", "compare") and c.metric == self.metric and c.op == "any"

    @property
    def filters(self) -> tuple[Condition, ...]:
        """The conditions that select agencies, joined by `combine`."""
        return tuple(c for c in self.conditions if not self.is_target(c))

    def selects(self, figures: dict[str, float | None]) -> bool:
        """Whether one agency-year, given its figure per metric (None: not stated), meets the conditions."""
        if not all(c.holds(figures.get(c.metric)) for c in self.conditions if self.is_target(c)):
            return False
        results = [c.holds(figures.get(c.metric)) for c in self.filters]
        if not results:
            return True
        return any(results) if self.combine == "or" else all(results)

    @property
    def metrics(self) -> list[str]:
        """Every metric the question names, the answer's first."""
        out = [self.metric]
        for c in self.conditions:
            if c.metric not in out:
                out.append(c.metric)
        return out

    def as_dict(self) -> dict:
        return {"kind": self.kind, "metric": self.metric, "conditions": [c.as_dict() for c in self.conditions],
                "combine": self.combine, "group": self.group.as_dict(), "order": self.order, "limit": self.limit,
                "compare_years": list(self.compare_years)}
