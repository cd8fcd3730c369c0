"""Parse a question into the question model.

The question is normalised (NFKC, simplified script, numerals as digits), then read in passes over one
masked copy of it, each pass hiding what it has understood so later passes do not misread it:
metric words (◆), years and places (¤), agency sets (levels, types, 机关/单位…: §), comparisons with a
number and "not stated" phrases (◇), and the words that give the kind of answer (·). What is left around
each metric word, between connectors (且 / 却 / 或 / and / but / nor …), gives its condition.
"""
from __future__ import annotations

import re
from dataclasses import replace

from kb.report.places import places_in
from kb.text import normalize

from . import vocabulary as v
from .conditions import (
    BOUNDARY_MARKS,
    COND,
    METRIC,
    PLACE,
    SET,
    WORD,
    Hit,
    Mention,
    combine,
    drop_qualifiers,
    links_between,
    nearest,
    read_conditions,
    spread,
)
from .model import Condition, Group, Question
from .numbers import chinese_numerals_to_digits, english_numbers_to_digits

SETS = SET + "+"

_METRICS = [(m, re.compile(words)) for m, (_, words) in v.METRIC_VOCABULARY.items()]
_LEVELS = [(level, re.compile(words)) for level, words in v.LEVELS.items()]
_TYPES = [(t, re.compile(words)) for t, (_, words, _) in v.AGENCY_TYPES.items()]
_SET_NOUN = re.compile(v.SET_NOUN + r"|(?<=[些个家各的])(?:局|委|厅)")
_COMPARATORS = [(op, re.compile(p)) for op, p in v.COMPARATORS]
_NOT_STATED = re.compile(v.NOT_STATED)
_NONE_AT_ALL = re.compile(v.NONE_AT_ALL)
_TOP_LIMIT = re.compile(v.TOP_LIMIT)
_TOP_DESC, _TOP_ASC = re.compile(v.TOP_DESC), re.compile(v.TOP_ASC)
_YEARS = [(kind, re.compile(p)) for kind, p in v.YEAR_RANGES]
_ASKS = [re.compile(p) for p in (
    rf"(?:{v.ASK_WORD}){v.ASK_VERB_AFTER}",
    rf"\b(?:which|what)\b(?:\s+[a-z-]+){{1,2}}?\s*{SETS}",
    rf"(?:{SETS}|的)\s*[{WORD}]*\s*{v.TRAILING_ASK}",
    rf"的\s*{SETS}\s*(?:名单|列表|清单)?\s*[?？。!！]*\s*$",
    rf"{SETS}\s*(?:名单|列表|清单)",
    rf"(?:{v.LIST_VERBS}).*{SETS}",
    v.WHO,
    rf"(?:{v.WHETHER})\s*{SETS}",
    rf"^\s*(?:the\s+)?(?:{SETS}\s*)+(?:that|which|who|with|without|where|having|whose|reporting|reported|receiving|received"
    rf"|charging|charged|in|at|whose|of)\b",
    rf"\b(?:any|all|the)\s+{SETS}\s*(?:that|which|who|with|without|where|having|whose)\b",
)]
_GROUP_PREFIX = re.compile(rf"{SETS}\s*(?:中|里|当中|之中|内)")
_ENDS_HEADLESS = re.compile(r"的\s*[?？]*\s*$")
_KIND_WORDS = re.compile("|".join(f"(?:{p})" for p in (
    v.TRAILING_ASK, v.ASK_WORD, v.WHETHER, v.LIST_VERBS, v.WHO, v.COUNT, v.TOP_DESC, v.TOP_ASC, v.TOTAL, v.QUANTITY,
    v.EACH, v.COMPARE_STRONG, v.COMPARE_WEAK, v.NOT_BUT, v.RANK, v.RANK_ASC, r"名单|列表|清单")))
_CJK = re.compile(r"[\u4e00-\u9fff]")


def prepare(text: str) -> str:
    q = re.sub(r"\s+", " ", normalize(text or "")).strip()
    return english_numbers_to_digits(chinese_numerals_to_digits(q))


def _mask(chars: list[str], start: int, end: int, mark: str) -> None:
    """Hide chars[start:end] under `mark`; a metric word stays, and only a boundary mark covers a boundary."""
    for i in range(start, end):
        if chars[i] != METRIC and (chars[i] not in BOUNDARY_MARKS or mark in BOUNDARY_MARKS):
            chars[i] = mark


def _metric_mentions(q: str) -> list[Mention]:
    found = [(m.start(), m.end(), metric) for metric, rx in _METRICS for m in rx.finditer(q) if m.end() > m.start()]
    taken: list[Mention] = []
    for start, end, metric in sorted(found, key=lambda f: (f[0] - f[1], f[0])):  # longest first
        if all(end <= t.start or start >= t.end for t in taken):
            taken.append(Mention(metric, start, end, q[start:end]))
    return sorted(taken, key=lambda t: t.start)


def _years(chars: list[str]) -> list[tuple[str, tuple[int, ...]]]:
    found = []
    for kind, rx in _YEARS:
        text = "".join(chars)
        for m in rx.finditer(text):
            years = tuple(int(g) for g in m.groups() if g)
            if kind == "bare" and _counted(text, m):
                continue
            found.append((m.start(), kind, years))
            _mask(chars, m.start(), m.end(), PLACE)
    return [(kind, years) for _, kind, years in sorted(found)]


def _counted(text: str, m: re.Match) -> bool:
    """A bare 4-digit number after a comparison or before a unit is a quantity, not a year."""
    after = text[m.end():m.end() + 3]
    if re.match(r"\s*(?:件|条|次|个|起|宗|项|人|名|元|场|\+|or more|or fewer|以上|以下)", after):
        return True
    before = text[max(0, m.start() - 14):m.end()]
    return any((c := rx.search(before)) and c.end() == len(before) for _, rx in _COMPARATORS)


def _words(chars: list[str], table, mark: str) -> list[str]:
    out = []
    for key, rx in table:
        for m in rx.finditer("".join(chars)):
            if METRIC in m.group():
                continue
            if key not in out:
                out.append(key)
            _mask(chars, m.start(), m.end(), mark)
    return out


def _places(chars: list[str]) -> list[str]:
    """Regions named in the question (gazetteer names; English province names)."""
    text = "".join(chars)
    if not _CJK.search(text):
        out = []
        for en, zh in v.PROVINCES_EN.items():
            for m in re.finditer(rf"\b{en}\b", text):
                out.append(zh)
                _mask(chars, m.start(), m.end(), PLACE)
        return list(dict.fromkeys(out))
    plain = re.sub(rf"[{METRIC}{PLACE}{SET}{COND}{WORD}]", " ", text)
    out = []
    for name, start, end in _place_spans(plain):
        out.append(name)
        _mask(chars, start, end, PLACE)
    return list(dict.fromkeys(out))


def _place_spans(plain: str) -> list[tuple[str, int, int]]:
    """(name to match a document's region by, start, end) of each place the gazetteer finds."""
    return [(plain[m.start:m.end] if m.short else m.division.name, m.start, m.end) for m in places_in(plain)]


def _hits(chars: list[str]) -> list[Hit]:
    """Comparisons with a number, "none at all" and "not stated" phrases, masked where they stand."""
    hits = []
    for m in _NONE_AT_ALL.finditer("".join(chars)):
        hits.append(Hit(m.start(), m.end(), "=", 0.0))
        _mask(chars, m.start(), m.end(), COND)
    for m in _NOT_STATED.finditer("".join(chars)):
        hits.append(Hit(m.start(), m.end(), "missing", None))
        _mask(chars, m.start(), m.end(), COND)
    for op, rx in _COMPARATORS:
        for m in rx.finditer("".join(chars)):
            number = next(g for g in m.groups() if g is not None)
            hits.append(Hit(m.start(), m.end(), op, float(number)))
            _mask(chars, m.start(), m.end(), COND)
    return hits


def _top_limit(chars: list[str]) -> tuple[int | None, bool]:
    """(N, from the bottom) of 前N / top N / 最多的N个 / 后N, masked so that "3名" is not read as "= 3"."""
    m = _TOP_LIMIT.search("".join(chars))
    if not m:
        return None, False
    _mask(chars, m.start(), m.end(), WORD)
    return int(next(g for g in m.groups() if g is not None)), bool(re.search(r"^后|^bottom|最[少低小]", m.group()))


def _top_order(text: str, limit: int | None, from_bottom: bool) -> tuple[str | None, int | None]:
    """("desc" | "asc", position of the superlative or of 排名 / rank) or (None, None)."""
    desc, asc = _TOP_DESC.search(text), _TOP_ASC.search(text)
    first = min((m for m in (desc, asc) if m), key=lambda m: m.start(), default=None)
    if first is None:
        if limit:
            return ("asc" if from_bottom else "desc"), None
        rank = re.search(v.RANK, text)
        return (("asc" if re.search(v.RANK_ASC, text) else "desc"), rank.start()) if rank else (None, None)
    return ("asc" if first is asc or from_bottom else "desc"), first.start()


def _asks_for_agencies(text: str) -> bool:
    if any(rx.search(text) for rx in _ASKS):
        return True
    return bool(_GROUP_PREFIX.search(text) and _ENDS_HEADLESS.search(text))


def _kind(text: str, n_years: int, top_order: str | None) -> str | None:
    asking = _asks_for_agencies(text)
    has_set = SET in text
    if re.search(v.COMPARE_STRONG, text) or re.search(v.COMPARE_WEAK, text) and (n_years >= 2 or asking or has_set):
        return "compare"
    if re.search(v.COUNT, text):
        return "count"
    if top_order and (asking or has_set or re.search(v.WHO, text) or re.search(v.RANK, text)):
        return "top"
    each = re.search(v.EACH, text)
    if not asking and not each and (re.search(v.TOTAL, text) or re.search(v.QUANTITY, text)
                                    and re.search(v.PLURAL_SET, text)):
        return "total"
    if asking or each and has_set:
        return "list"
    return None


def parse_question(query: str) -> Question | None:
    """The question model of a question over the figures, or None for an ordinary search."""
    q = prepare(query)
    if not q or len(q) > 300:
        return None
    mentions = _metric_mentions(q)
    if not mentions:
        return None
    chars = list(q)
    for m in mentions:
        _mask(chars, m.start, m.end, METRIC)
    if re.search(v.METRIC_VERSUS_METRIC, "".join(chars)):
        return None
    years = _years(chars)
    levels = _words(chars, _LEVELS, SET)
    agency_types = _words(chars, _TYPES, SET)
    for m in _SET_NOUN.finditer("".join(chars)):
        _mask(chars, m.start(), m.end(), SET)
    limit, from_bottom = _top_limit(chars)      # before comparisons read "前3名" as "= 3"
    hits = _hits(chars)                          # before superlatives read "最多5件" (at most 5) as "most"
    text = "".join(chars)
    order, top_at = _top_order(text, limit, from_bottom)
    # 排名 / rank by, with no 最多 or 前N: the whole ranking
    whole_ranking = order is not None and not limit and not (_TOP_DESC.search(text) or _TOP_ASC.search(text))
    kind = _kind(text, sum(len(y) for _, y in years), order)
    if kind is None or re.search(v.NOT_ABOUT_FIGURES, text) and not any(m.metric == "staff" for m in mentions):
        return None
    quantity = re.search(v.QUANTITY, text) or re.search(v.TOTAL, text)
    for m in _KIND_WORDS.finditer(text):
        _mask(chars, m.start(), m.end(), WORD)
    regions = _places(chars)
    text = "".join(chars)

    read_conditions(text, mentions, hits)
    english = not _CJK.search(q)
    mentions = drop_qualifiers(text, mentions, english)
    links = links_between(text, mentions)
    spread(mentions, links)
    nor = any("nor" in kinds for kinds, _ in links)
    if nor:  # neither A nor B: each is none
        for m in mentions:
            if m.cond is None:
                m.cond = ("=", 0.0)

    target = None
    if kind == "top":
        target = nearest(mentions, top_at)
    elif kind == "total":
        target = nearest(mentions, quantity.start() if quantity else None)
    elif kind == "compare":
        target = next((m for m in mentions if not m.explicit), mentions[0])
    each = kind == "list" and re.search(v.EACH, q)
    conditions = []
    for m in mentions:
        if m is target:
            op, value = m.cond if m.explicit else ("any", None)
        elif m.cond is None:
            op, value = ("any", None) if each or kind == "compare" else (">", 0.0)
        else:
            op, value = m.cond
        conditions.append(Condition(m.metric, op, value))
    metric = (target or mentions[0]).metric
    if target is not None:  # the answer's own metric first
        conditions.sort(key=lambda c: c.metric != metric)
    group = _group(levels, regions, agency_types, years)
    compare_years = _compare_years(years, q) if kind == "compare" else ()
    if compare_years:  # "2018年 同比": the group spans the years compared
        group = replace(group, year_from=min(compare_years), year_to=max(compare_years))
    filters = [c for c in conditions if not (target is not None and c.metric == metric and c.op == "any")]
    return Question(kind=kind, metric=metric, conditions=tuple(conditions), combine=combine(filters, links, nor),
                    group=group, order=order if kind == "top" else None,
                    limit=(None if whole_ranking else limit or 1) if kind == "top" else None,
                    compare_years=compare_years)


def _group(levels, regions, agency_types, years) -> Group:
    lo = hi = None
    singles = []
    for kind, ys in years:
        if kind == "range":
            lo, hi = min(ys), max(ys)
        elif kind == "from":
            lo = ys[0]
        elif kind == "to":
            hi = ys[0]
        elif kind == "before":
            hi = ys[0] - 1
        else:
            singles.extend(ys)
    if singles and lo is None and hi is None:
        lo, hi = min(singles), max(singles)
    return Group(tuple(levels), tuple(regions), tuple(agency_types), lo, hi)


def _compare_years(years, q: str) -> tuple[int, ...]:
    listed = sorted({y for _, ys in years for y in ys})
    ranges = [ys for kind, ys in years if kind == "range"]
    if ranges:
        lo, hi = min(ranges[0]), max(ranges[0])
        return tuple(range(lo, hi + 1))
    if len(listed) == 1 and re.search(v.COMPARE_PREVIOUS, q):
        return (listed[0] - 1, listed[0])
    return tuple(listed)
