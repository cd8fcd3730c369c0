"""Title and document type: the report's own title line (anywhere near the top), or the title its opening
sentence announces (现公布XX县2022年政府信息公开工作年度报告), and the kind of document it names.

All functions take normalised text (kb.text.normalize).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kb.report import clutter, template

DOC_WORD = r"(?:年度报告|报告|年报|总结|方案|要点|计划|安排|规划|通知|意见|指南|目录)"
TITLE_END = re.compile(DOC_WORD + r"(?:\s*[(（][^()（）]{1,30}[)）])?$")
# A document number before the title: 晋政办发〔2017〕50号 / 国办发[2022]8号.
DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,10}[〔\[［(（]\d{4}[〕\]］)）]\s*\d{1,4}\s*[号號]\s*")
_NOT_IN_TITLE = re.compile(r"[。，,；;！？!?:：|>»]")
SEARCH_LINES = 16   # a title stands within the first lines, after the portal's header and a notice wrapper
_ANNOUNCED = re.compile(
    r"(?:现公布|特向社会公布|向社会公布|现予公布|现予以公布|现发布|现将)《?"
    r"((?:\d{4}\s*年度?)?[\u4e00-\u9fff]{2,40}?(?:\d{4}\s*年度?)?[\u4e00-\u9fff（）()]{0,30}?(?:年度报告|工作报告|年报))》?")

DOC_TYPES = (  # (type, what a title of that type ends with)
    ("work_plan", re.compile(r"(?:方案|要点|计划|安排|规划)$")),
    ("annual_report", re.compile(r"(?:报告|年报|总结)$")),
    ("guide", re.compile(r"指南$")),
    ("catalogue", re.compile(r"目录$")),
)
# How a document names itself in its opening when its title is missing.
SELF_REFERENCE = (
    ("annual_report", re.compile(r"本(?:年度)?报告|本年报|年度报告(?:如下|是根据|由)|现公布.{0,40}(?:年度报告|年报)")),
    ("work_plan", re.compile(r"(?:制定|制订|特制订|特制定)本(?:方案|计划|要点)|本(?:方案|计划|要点)")),
    ("guide", re.compile(r"本指南")),
    ("catalogue", re.compile(r"本目录")),
)
_NOTICE_OBJECT = re.compile(r"印发(.+?)的通知$")


@dataclass
class Title:
    line: int          # index of its first line
    lines: int         # 1 or 2
    text: str          # normalised, without a document number


def _compact(s: str) -> str:
    return re.sub(r"\s+", "", s)


def is_title_line(norm_line: str) -> bool:
    c = _compact(norm_line)
    return (6 <= len(c) <= 100 and not _NOT_IN_TITLE.search(c) and TITLE_END.search(c) is not None
            and ("公开" in c or "年报" in c or "年度报告" in c)
            and not clutter.is_portal_stamp(norm_line) and not clutter.is_breadcrumb(norm_line))


_TOPIC_START = re.compile(r"^(?:政府信息公开|政务信息公开|政务公开|信息公开|政府信息|(?:工作)?年度报告|工作报告)")


def _title_halves(first: str, second: str) -> bool:
    """A title broken over two lines: 国务院办公厅关于印发 / 2022年…要点的通知, 2018年哈尔滨市…局 / 政府信息公开…报告.
    The second line must need the first: it continues after 关于印发, or has no subject of its own."""
    c = _compact(first)
    if not (4 <= len(c) <= 40) or _NOT_IN_TITLE.search(c) or TITLE_END.search(c) or re.match(r"^[(（【\[].*[)）】\]]$", c) \
            or clutter.is_dated_stamp(first) or clutter.is_menu_line(first):
        return False
    return c.endswith(("关于印发", "关于", "印发", "的")) or (_TOPIC_START.match(_compact(second)) is not None
                                                         and not _TOPIC_START.match(c))


def find_title(lines_norm: list[str], limit: int = SEARCH_LINES) -> Title | None:
    """The first title line (or pair of lines) among the first `limit` lines; numbered headings are none."""
    from kb.report.sections import heading_of  # sections needs no title: imported here to avoid a cycle

    for i, line in enumerate(lines_norm[:limit]):
        if heading_of(line):
            continue
        if is_title_line(line):
            return Title(i, 1, DOC_NUMBER.sub("", line.strip()))
        if i + 1 < len(lines_norm) and is_title_line(lines_norm[i + 1]) and not heading_of(lines_norm[i + 1]) \
                and _title_halves(line, lines_norm[i + 1]):
            return Title(i, 2, DOC_NUMBER.sub("", line.strip()) + lines_norm[i + 1].strip())
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
        c = re.sub(r"[》〉]$", "", m.group(1))
    for doc_type, ends in DOC_TYPES:
        if ends.search(c):
            return doc_type
    return None


def doc_type_of_text(opening_norm: str, norm: str) -> str:
    """The type a document without a telling title gives itself, or the template's sections show."""
    for doc_type, pattern in SELF_REFERENCE:
        if pattern.search(opening_norm):
            return doc_type
    lines = {template.section_index(re.sub(r"^[一二三四五六七八九十]+、", "", ln.strip())) for ln in norm.split("\n")}
    if len(lines & {0, 1, 2, 3}) >= 2:
        return "annual_report"
    return "other"
