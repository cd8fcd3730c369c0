"""The question model said back in one Chinese sentence, so that a wrong reading shows at once."""
from __future__ import annotations

from .figures import metric_label
from .model import Condition, Group, Question
from .vocabulary import AGENCY_TYPES

OP_LABELS = {"=": "等于", ">": "大于", ">=": "不少于", "<": "少于", "<=": "不超过", "any": "有数据", "missing": "未披露"}
COMBINE_LABELS = {"and": "且", "but": "但", "or": "或"}


def number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def condition_label(c: Condition) -> str:
    if c.op in ("any", "missing"):
        return f"{metric_label(c.metric)} {OP_LABELS[c.op]}"
    return f"{metric_label(c.metric)} {OP_LABELS[c.op]} {number(c.value)}"


def years_label(group: Group) -> str:
    lo, hi = group.year_from, group.year_to
    if lo is None and hi is None:
        return ""
    if lo == hi:
        return f"{lo}年"
    if hi is None:
        return f"{lo}年以来"
    if lo is None:
        return f"{hi}年及以前"
    return f"{lo}—{hi}年"


def group_label(group: Group, with_years: bool = True) -> str:
    """「2018年 山东 区县级安全生产监督管理部门中」, or "" for every agency."""
    who = "、".join(AGENCY_TYPES[t][0] for t in group.agency_types) or "机关"
    years = years_label(group) if with_years else ""
    if not (years or group.regions or group.levels or group.agency_types):
        return ""
    scope = "、".join(group.levels) + who + "中"
    return " ".join(p for p in (years, "、".join(group.regions), scope) if p)


def conditions_label(conditions: list[Condition], combine: str) -> str:
    if not conditions:
        return ""
    if combine == "neither" and len(conditions) > 1:
        return "、".join(metric_label(c.metric) for c in conditions) + " 均为 0"
    return f"，{COMBINE_LABELS.get(combine, '且')} ".join(condition_label(c) for c in conditions)


def question_label(q: Question) -> str:
    group = group_label(q.group, with_years=q.kind != "compare")
    conds = conditions_label(list(q.filters), q.combine)
    among = f"{conds} 的机关中" if conds else ""
    metric = metric_label(q.metric)
    if q.kind == "list":
        body = f"{conds} 的机关"
    elif q.kind == "count":
        body = f"{conds} 的机关有几个"
    elif q.kind == "top":
        if q.limit is None:
            body = f"{among} 各机关按 {metric} ".strip() + (" 从多到少" if q.order == "desc" else " 从少到多") + "排列"
        else:
            word = "最多" if q.order == "desc" else "最少"
            body = f"{among} {metric} {word}的".strip() + (f"前 {q.limit} 个机关" if q.limit > 1 else "机关")
    elif q.kind == "total":
        body = f"{among} {metric} 合计".strip()
    else:
        years = "与".join(f"{y}年" for y in q.compare_years) if q.compare_years else "各年度"
        body = f"{among} {metric} {years}对比（按机关）".strip()
    return " ".join(p for p in (group, body) if p)
