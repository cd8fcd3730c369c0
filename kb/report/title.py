"""Title and document type: the report's own title line (anywhere near the top), or the title its opening
sentence announces (现公布XX县2022年政府信息公开工作年度报告), and the kind of document it names.

All functions take normalised text (kb.text.normalize).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kb.report import clutter, template
from kb.report.sections import heading_of

DOC_WORD = r"(?:年度报告|报告|年报|总结|方案|要点|计划|安排|规划|通知|公告|通报|意见|指南|目录)"
TITLE_END = re.compile(DOC_WORD + r"(?:\s*[(（][^()（）]{1,30}[)）])?$")
# A document number before the title: 晋政办发〔2017〕50号 / 国办发[2022]8号.
DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,10}[〔\[［(（]\d{4}[〕\]］)）]\s*\d{1,4}\s*[号號]\s*")
_NOT_IN_TITLE = re.compile(r"[。，,；;！？!?:：|>»]")
SEARCH_LINES = 16   # a title stands within the first lines, after the portal's header and a notice wrapper
_ANNOUNCED = re.compile(
    r"(?:现公布|特向社会公布|向社会公布|现予公布|现予以公布|现发布|现将)《?"
    r"((?:\d{4}\s*年度?)?[\u4e00-\u9fff（）()]{2,40}?(?:\d{4}\s*年度?)?[\u4e00-\u9fff（）()]{0,30}?(?:年度报告|工作报告|年报))》?")

DOC_TYPES = (  # (type, what a title of that type ends with)
    ("work_plan", re.compile(r"(?:方案|要点|计划|安排|规划|分工|任务分解|分解表|工作任务)$")),
    ("annual_report", re.compile(r"(?:报告|年报|总结)$")),
    ("guide", re.compile(r"指南$")),
    ("catalogue", re.compile(r"目录$")),
)
# How a document names itself in its opening when its title is missing.
SELF_REFERENCE = (
    ("annual_report", re.compile(r"本(?:年度)?报告|本年报|年度报告(?:如下|是根据|由)|现公布.{0,40}(?:年度报告|年报)"
                                 r"|(?:工作|公开)?情况(?:报告)?如下|报告如下")),
    ("work_plan", re.compile(r"(?:制定|制订|特制订|特制定)本(?:方案|计划|要点)|本(?:方案|计划|要点)")),
    ("guide", re.compile(r"本指南")),
    ("catalogue", re.compile(r"本目录")),
)
_NOTICE_OBJECT = re.compile(r"(?:印发|发布|公布|转发)(.+?)的(?:通知|公告|通报)$")
# A notice's title: the issuer, then 关于 / 转发 / 印发, ending in 通知 / 公告 / 通报.
NOTICE_TITLE = re.compile(r"^(?P<issuer>.{0,40}?)(?:关于|转发|印发).*(?:通知|公告|通报)$")
# What a report's first sentence starts with, when a title runs into it on one line.
SENTENCE_START = r"(?:根据|按照|依据|依照|为(?:深入|进一步|全面|贯彻|认真|切实|做好|推进|加强)|本(?:年度)?报告|现将|近年来|(?:19|20)\d{2}\s*年[,，度])"
TITLE_RUN_IN = re.compile(rf"^(?P<title>[^。，,；;：:|]{{6,80}}?{DOC_WORD})\s*(?:[(（]以下简称[^)）]{{1,10}}[)）])?\s*(?={SENTENCE_START})")


@dataclass
class Title:
    line: int          # index of its first line
    lines: int         # 1 or 2
    text: str          # normalised, without a document number


def _compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


def bare_title(norm_line: str) -> str:
    """A title line without its document number and enclosing 《》 (京政办发〔2016〕26号《…的通知》)."""
    line = DOC_NUMBER.sub("", norm_line.strip())
    line = re.sub(r"^page\s*\d+\s*[-–—]\s*", "", line, flags=re.IGNORECASE)   # a flipbook's page label
    line = re.sub(r"\s*[(（](?:全文|摘要|正文)[)）]$", "", line)
    if line.startswith("《") and line.endswith("》"):
        line = line[1:-1]
    return line


def is_title_line(norm_line: str) -> bool:
    c = _compact(bare_title(norm_line))
    return (6 <= len(c) <= 100 and not _NOT_IN_TITLE.search(c) and TITLE_END.search(c) is not None
            and ("公开" in c or "年报" in c or "年度报告" in c)
            and not clutter.is_portal_stamp(norm_line) and not clutter.is_breadcrumb(norm_line))


_TOPIC_START = re.compile(r"^(?:政府信息公开|政务信息公开|政务公开|信息公开|政府信息|(?:工作)?年度报告|工作报告)")


def _title_halves(first: str, second: str) -> bool:
    """A title broken over two lines: 国务院办公厅关于印发 / 2022年…要点的通知, 2018年哈尔滨市…局 / 政府信息公开…报告.
    The second line must need the first: it completes a 关于… notice title, or has no subject of its own."""
    c, d = _compact(first), _compact(second)
    if not (2 <= len(c) <= 40) or _NOT_IN_TITLE.search(c) or TITLE_END.search(c) or re.match(r"^[(（【\[].*[)）】\]]$", c) \
            or clutter.is_dated_stamp(first) or clutter.is_menu_line(first):
        return False
    if "关于" in c and re.search(r"的(?:通知|公告|通报)$", d):
        return True
    subjectless = _TOPIC_START.match(re.sub(r"^(?:19|20)\d{2}年度?", "", d)) is not None
    return re.search(r"印发$|的$", c) is not None or (subjectless and not _TOPIC_START.match(c))


def find_title(lines_norm: list[str], limit: int = SEARCH_LINES) -> Title | None:
    """The first title line (or pair of lines) among the first `limit` lines; numbered headings are none."""
    for i, line in enumerate(lines_norm[:limit]):
        if heading_of(line):
            continue
        if is_title_line(line):
            return Title(i, 1, bare_title(line))
        if i + 1 < len(lines_norm) and not heading_of(lines_norm[i + 1]) and TITLE_END.search(lines_norm[i + 1].strip()) \
                and is_title_line(line.strip() + lines_norm[i + 1].strip()) and _title_halves(line, lines_norm[i + 1]):
            return Title(i, 2, bare_title(line) + lines_norm[i + 1].strip())
    return None


def announced_title(opening_norm: str) -> str | None:
    """The title an opening sentence announces: 现公布法库县自然资源局2022年政府信息公开工作年度报告."""
    m = _ANNOUNCED.search(opening_norm)
    if not m:
        return None
    title = m.group(1)
    # It must name who reports (a place or a body), not only "我单位2021年…".
    body = re.sub(r"^\d{4}\s*年度?", "", title)
    return title if re.match(r"[\u4e00-\u9fff]{2,}?(?:省|市|区|县|州|盟|旗|乡|镇|街道|部|局|委员会|厅|办公室|人民政府)",
                             body) and not body.startswith(("我", "本")) else None


def doc_type_of_title(title_norm: str) -> str | None:
    c = re.sub(r"[(（][^()（）]*[)）]$", "", _compact(title_norm))
    m = _NOTICE_OBJECT.search(c)
    if m:  # 关于印发…工作要点的通知: the type of what it issues
        c = re.sub(r"(?:[》〉>]|文件)+$", "", m.group(1))
    for doc_type, ends in DOC_TYPES:
        if ends.search(c):
            return doc_type
    return None


def doc_type_of_text(opening_norm: str, norm: str) -> str:
    """The type a document without a telling title gives itself, or the template's sections show."""
    for doc_type, pattern in SELF_REFERENCE:
        if pattern.search(opening_norm):
            return doc_type
    headings = [re.sub(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])", "", ln.strip())
                for ln in norm.split("\n") if len(ln) <= 40]
    sections = {template.section_index(h) for h in headings}
    if len(sections & {0, 1, 2, 3}) >= 2 or sum(REPORT_SECTION.search(h) is not None for h in headings) >= 2:
        return "annual_report"
    return "other"


# Sections that annual reports before the 2019 template had (主动公开政府信息情况, 收费及减免情况 …).
REPORT_SECTION = re.compile(r"^(?:政府信息)?(?:主动公开|依申请公开)(?:政府|政务)?(?:信息)?(?:的)?(?:工作)?情况$|收费及减免|行政复议.{0,12}情况$"
                            r"|存在的?主要问题(?:和|及)改进(?:措施|情况)$|^概述$")
