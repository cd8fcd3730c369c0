"""The national template of annual reports (国办公开办函〔2019〕60号 / 〔2021〕30号): section names and table rows.

Reports from 2019 on have six numbered sections and three tables. Cleaning, sectioning and fact
extraction all need to know them: a table row label such as `一、本年新收政府信息公开申请数量` is numbered
like a heading but is none, and a section may be named without its number. Everything is matched on the
normalised (simplified, NFKC) form with whitespace removed.
"""
from __future__ import annotations

import re

# The six sections, in order (each pattern accepts the usual variants of the wording).
SECTION_NAMES = (
    re.compile(r"^总体情况$"),
    re.compile(r"^主动公开政府信息(?:的)?情况$"),
    re.compile(r"^收到和处理政府信息公开申请(?:的)?情况$"),
    re.compile(r"^政府信息公开(?:行政复议|复议)[、,及和]?(?:行政诉讼|诉讼)(?:的)?情况$"),
    re.compile(r"^存在的?主要问题及改进情况$"),
    re.compile(r"^其他需要报告的事项$"),
)

# Row labels of table 3 (申请) and the headings of its columns: numbered, but never section headings.
TABLE_ROW_LABELS = re.compile(
    r"^(?:本年新收政府信息公开申请数量|上年结转政府信息公开申请数量|本年度办理结果|结转下年度继续办理"
    r"|予以公开|部分公开.*|不予公开|无法提供|不予处理|其他处理|总计"
    r"|属于国家秘密|其他法律行政法规禁止公开|危及.{0,2}三安全一稳定.{0,2}|保护第三方合法权益"
    r"|属于三类内部事务信息|属于四类过程性信息|属于行政执法案卷|属于行政查询事项"
    r"|本机关不掌握相关政府信息|没有现成信息需要另行制作|补正后申请内容仍不明确"
    r"|信访举报投诉类申请|重复申请|要求提供公开出版物|无正当理由大量反复申请"
    r"|要求行政机关确认或重新出具已获取信息|申请人无正当理由逾期不补正.*|申请人逾期未按收费通知要求缴纳费用"
    r"|其他|维持|纠正|尚未审结|结果维持|结果纠正|其他结果)$")


def _compact(norm_line: str) -> str:
    return re.sub(r"\s+", "", norm_line)


def section_index(norm_title: str) -> int | None:
    """0-5 when the (normalised) text is the name of one of the template's six sections."""
    c = _compact(norm_title).rstrip("。.")
    return next((i for i, p in enumerate(SECTION_NAMES) if p.match(c)), None)


def is_table_row_label(norm_title: str) -> bool:
    return TABLE_ROW_LABELS.match(_compact(norm_title)) is not None
