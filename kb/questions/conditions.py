"""What a question asks of each metric it names: the condition read from the words around the metric word,
which metric words only qualify another, and how the conditions combine (and / but / or / neither).

parse.py reads the question over one masked copy of it; the marks below stand for what it has understood.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from . import vocabulary as v
from .model import Condition

METRIC, PLACE, SET, COND, WORD = "◆", "¤", "§", "◇", "·"
BOUNDARY_MARKS = PLACE + SET

_CONNECTOR = re.compile("|".join(f"(?P<{kind}>{p})" for kind, p in v.CONNECTORS)
                        + rf"|(?P<stop>[。?？!！]|[{BOUNDARY_MARKS}])")
_LIST_CONNECTOR = re.compile(v.LIST_CONNECTORS)
_ZERO, _STATED, _OCCURRED = re.compile(v.ZERO), re.compile(v.STATED), re.compile(v.OCCURRED)


@dataclass
class Mention:
    metric: str
    start: int
    end: int
    text: str
    cond: tuple[str, float | None] | None = None
    explicit: bool = False          # a comparison with a number or "not stated", not only 有 / 没有


@dataclass
class Hit:
    start: int
    end: int
    op: str
    value: float | None


def _window_condition(window: str, hits: list[Hit]) -> tuple[tuple[str, float | None] | None, bool]:
    """(condition, explicit) read from the words around one metric word."""
    for h in hits:
        if h.op == "missing":
            return ("missing", None), True
    if hits:
        return (hits[0].op, hits[0].value), True
    if _ZERO.search(window):
        return ("=", 0.0), False
    if _STATED.search(window):
        return ("any", None), False
    if _OCCURRED.search(window):
        return (">", 0.0), False
    return None, False


def links_between(text: str, mentions: list[Mention]) -> list[tuple[set[str], bool]]:
    """Between each pair of neighbouring metric words: the connector kinds, and whether it is a plain list (A和B)."""
    out = []
    for a, b in pairwise(mentions):
        between = text[a.end:b.start]
        kinds = {m.lastgroup for m in _CONNECTOR.finditer(between)}
        rest = _CONNECTOR.sub("", between).replace(WORD, "").strip()
        plain_list = bool(kinds) and not rest and all(_LIST_CONNECTOR.match(m.group().strip() or ",")
                                                      for m in _CONNECTOR.finditer(between))
        out.append((kinds, plain_list))
    return out


def read_conditions(text: str, mentions: list[Mention], hits: list[Hit]) -> None:
    bounds = [(m.start(), m.end()) for m in _CONNECTOR.finditer(text)]
    for i, mention in enumerate(mentions):
        lo = mentions[i - 1].end if i else 0
        hi = mentions[i + 1].start if i + 1 < len(mentions) else len(text)
        left = max((e for s, e in bounds if s >= lo and e <= mention.start), default=lo)
        right_bounds = [s for s, e in bounds if s >= mention.end and e <= hi]
        # No connector before the next metric word: what lies between belongs to that word ("依申请公开没有收费").
        right = right_bounds[0] if right_bounds else (mention.end if i + 1 < len(mentions) else hi)
        window = text[left:mention.start] + " " + text[mention.end:right]
        inside = [h for h in hits if left <= h.start and h.end <= right]
        mention.cond, mention.explicit = _window_condition(window, inside)
        if not mention.explicit and v.IMPLIED_ZERO.match(mention.text):  # 免费: fees = 0
            mention.cond = ("=", 0.0)


def drop_qualifiers(text: str, mentions: list[Mention], english: bool) -> list[Mention]:
    """A metric word next to another with no connector qualifies it (依申请公开 in 依申请公开收费): keep one."""
    out = list(mentions)
    i = 0
    while i + 1 < len(out):  # "予以公开的申请": the outcome, with what is said of the requests
        a, b = out[i], out[i + 1]
        adjacent = not _CONNECTOR.search(text[a.end:b.start])
        pair = {a.metric, b.metric}
        if adjacent and "requests_received" in pair and len(pair) == 2 and all(m.startswith("requests_") for m in pair):
            generic, specific = (a, b) if a.metric == "requests_received" else (b, a)
            if specific.cond is None:
                specific.cond, specific.explicit = generic.cond, generic.explicit
            out.remove(generic)
            continue
        i += 1
    i = 0
    while i + 1 < len(out):
        a, b = out[i], out[i + 1]
        if not _CONNECTOR.search(text[a.end:b.start]):
            if a.cond is None and (b.cond is not None or not english):
                out.pop(i)
                continue
            if b.cond is None:
                out.pop(i + 1)
                continue
        i += 1
    seen: dict[str, Mention] = {}
    for m in out:  # the same metric twice: the mention with a condition stands
        if m.metric not in seen or seen[m.metric].cond is None and m.cond is not None:
            seen[m.metric] = m
    return [m for m in out if seen[m.metric] is m]


def spread(mentions: list[Mention], links: list[tuple[set[str], bool]]) -> None:
    """A condition said once for a list of metrics holds for each ("行政复议和行政诉讼都为零", "没有A或B")."""
    for order in (range(len(links) - 1, -1, -1), range(len(links))):
        for i in order:
            if not links[i][1]:
                continue
            a, b = mentions[i], mentions[i + 1]
            if a.cond is None and b.cond is not None:
                a.cond = b.cond
            elif b.cond is None and a.cond is not None:
                b.cond = a.cond


def nearest(mentions: list[Mention], position: int | None) -> Mention:
    if position is None:
        return mentions[0]
    return min(mentions, key=lambda m: (abs((m.start + m.end) / 2 - position), -m.start))


def combine(conditions: list[Condition], links: list[tuple[set[str], bool]], nor: bool) -> str:
    if len(conditions) < 2:
        return "and"
    kinds = set().union(*(k for k, _ in links)) if links else set()
    if "but" in kinds:
        return "but"
    if "or" in kinds and not nor:
        return "or"
    if nor or all(c.op == "=" and c.value == 0 for c in conditions):
        return "neither"
    return "and"
