"""Agency names: finding them in text, completing and expanding them, and the level they belong to.

A name is a chain of places from the gazetteer (天津市 东丽区), optionally a township (金桥街道, 张义镇), and
an organisation (人民政府, 办事处, 自然资源局, 卫生健康委员会 ...); a national body has no place (商务部,
国家税务总局, 国务院办公厅); a name by level only (市政府办公室, 省安监局) gets its place from the text.
The level follows from the name alone: national body 国家级; township 乡镇级; otherwise the innermost
place (province 省级, prefecture 市级, county 区县级). All functions take normalised text.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from kb.report.places import (
    CITY,
    COUNTY,
    PROVINCE,
    Place,
    PlaceMatch,
    gazetteer,
    places_in,
)

LEVELS = ("国家级", "省级", "市级", "区县级", "乡镇级")
# The words that name each level in a question or query (normalised: simplified, lower case).
LEVEL_WORDS: dict[str, str] = {
    "国家级": r"国家级|中央(?:国家)?(?:机关|部门|单位|部委)?|国务院(?:各)?(?:部门|部委)|国家部委|部委"
           r"|national(?:-level| level)?|central(?: government)?|ministries|state council (?:departments|bodies)",
    "省级": r"(?<=[些个各的])省(?=(?:人民)?政府)|省级|省一级|省直|省属|省本级|各省(?!级)|provincial|province[- ]level|provinces",
    "市级": r"(?<=[些个各的])市(?=(?:人民)?政府)|地市级|市级|地级|市一级|市直|市属|设区的市|各市(?!级)|municipal|city[- ]level|prefecture(?:[- ]level)?"
          r"|prefectural|\bcities\b",
    "区县级": r"(?<=[些个各的])[区县](?=(?:人民)?政府)|区县级|县区级|县级|区级|县一级|区一级|各区县|各县区|县市区|区县|县区|各县|各区|county[- ]level"
           r"|district[- ]level|count(?:y|ies)|districts",
    "乡镇级": r"乡镇级|乡镇|乡级|镇级|街道(?:办事处|办)?|township(?:s|[- ]level)?|towns?\b|subdistricts?|street offices?",
}
NATIONAL_REGION = "全国"

# Usual short forms, longest first so that 食药监局 is not read as 药监局.
ABBREVIATIONS = {
    "食药监局": "食品药品监督管理局", "安监局": "安全生产监督管理局", "安监部门": "安全生产监督管理部门",
    "环保局": "环境保护局", "质监局": "质量技术监督局", "药监局": "药品监督管理局", "市监局": "市场监督管理局",
    "人社局": "人力资源和社会保障局", "住建局": "住房和城乡建设局", "国土局": "国土资源局", "发改委": "发展和改革委员会",
    "发改局": "发展和改革局", "卫计委": "卫生和计划生育委员会", "卫健委": "卫生健康委员会", "卫健局": "卫生健康局",
    "教体局": "教育和体育局", "文旅局": "文化和旅游局", "文广新局": "文化广电新闻出版局", "工信局": "工业和信息化局",
    "科技局": "科学技术局", "医保局": "医疗保障局", "应急局": "应急管理局", "信访办": "信访办公室",
    "政务办": "政务服务管理办公室", "扶贫办": "扶贫开发办公室", "外事办": "外事办公室", "金融办": "金融工作办公室",
}
GOV_ORG = r"(?:人民政府|政府)(?:办公室|办公厅)?"
# 城镇, 乡镇, 城乡 ... are words, not townships; 城关镇 is one.
TOWNSHIP = (r"(?!(?:城|乡|村|集|小)(?:乡|镇|街道))(?!有关|其他|下属|其余|年|度|月|由|与|在|和|将|对|是|经)"
            r"(?:(?![我本全各该每所])[\u4e00-\u9fff]){1,6}?(?:民族乡|乡|镇|街道|苏木)")
TOWNSHIP_ORG = r"(?:人民政府|政府|街道办事处|办事处|街道办)"
# A department's own name holds no verb or particle of the sentence around it (贯彻落实国务院办公厅 is none).
_DEPT_CHAR = r"(?:(?!贯彻|落实|关于|印发|按照|根据|推进|开展|加强|要求|通知|认真|全面|进一步|的|了|在|对|将|把|向|从)[\u4e00-\u9fff])"
DEPT = r"(?:" + _DEPT_CHAR + r"{1,16}?(?:委员会|管委会|管理局|总局|局|厅|委|办公室|办公厅|中心)|" + \
    "|".join(sorted(ABBREVIATIONS, key=len, reverse=True)) + ")"
ORG_AFTER_PLACE = re.compile(rf"(?:{GOV_ORG}{TOWNSHIP}(?:{TOWNSHIP_ORG})?|{TOWNSHIP}(?:{TOWNSHIP_ORG}|(?![\u4e00-\u9fff])"
                             rf"|(?=编制|党委|党政))|{GOV_ORG}|{DEPT})")
NATIONAL = re.compile(  # with its 办公厅: 生态环境部办公厅 issues the notices of its ministry
    r"(?:中华人民共和国)?(?:国务院(?:[\u4e00-\u9fff]{2,12}?办公室)?|国家[\u4e00-\u9fff]{1,14}?(?:总局|局|委员会|委|署|院|中心)"
    r"|中国[\u4e00-\u9fff]{2,12}?(?:委员会|银行|总局|局)|海关总署|审计署"
    r"|(?!中共|市|县|区|省)(?![\u4e00-\u9fff]*(?:宣传|组织|统战|办公室|综合|业务|财务)部$)[\u4e00-\u9fff]{2,8}?部)"
    r"(?:办公厅|办公室)?")
TOWNSHIP_NAME = re.compile(rf"{TOWNSHIP}{TOWNSHIP_ORG}")
# A township named without its organisation (南薰乡未收取…): evidence only where the report calls itself 我乡.
BARE_TOWNSHIP_IN_TEXT = re.compile(
    r"(?:^|(?<=[^\u4e00-\u9fff]))(?!提高|加强|推进|进一步|全面|开展|做好|落实|深化|完善|城|乡|村)"
    r"(?:(?![我本全各该每所])[\u4e00-\u9fff]){2,4}?(?:民族乡|乡|镇|街道|苏木)(?!人民政府|政府|办事处|街道办|[乡镇])")
RELATIVE_NAME = re.compile(rf"(?P<rel>自治区|省|市|区|县|旗)(?:{GOV_ORG}|{DEPT})")
_BOUNDARY = r"(?:^|(?<=[^\u4e00-\u9fff])|(?<=[由与在和年将对是经]))"
TOWNSHIP_IN_TEXT = re.compile(_BOUNDARY + TOWNSHIP_NAME.pattern)
RELATIVE_IN_TEXT = re.compile(_BOUNDARY + RELATIVE_NAME.pattern)
# What may follow a national body's name at the start of a title (生态环境部落实…, 商务部2015年…).
NATIONAL_PREFIX_END = re.compile(r"(?:\d|关于|落实|贯彻|推进|做好|开展|印发|政府信息|政务公开|信息公开|年度)")
# 国务院办公厅 is left out: every report cites it, few are by it.
NATIONAL_IN_TEXT = re.compile(_BOUNDARY + r"(?:国家[\u4e00-\u9fff]{1,14}?(?:总局|局|委员会|署)"
                              r"|中国[\u4e00-\u9fff]{2,12}?(?:委员会|银行)|海关总署|审计署)")
_RANK_OF_WORD = {"自治区": PROVINCE, "省": PROVINCE, "市": CITY, "区": COUNTY, "县": COUNTY, "旗": COUNTY}
# A place the gazetteer does not know (renamed since, or new: 武隆县 is 武隆区 now), known by its suffix.
GENERIC_PLACE = r"(?!关于|印发|根据|按照)(?:(?![的和与及在对为是关印])[\u4e00-\u9fff]){2,8}?(?:省|自治区|市|自治州|州|盟|地区|县|区|旗)"
GENERIC_CHAIN = re.compile(rf"^(?:{GENERIC_PLACE}){{1,3}}?(?=(?:{GOV_ORG}|{TOWNSHIP}|{DEPT})$)")
_RANK_OF_SUFFIX = (("自治区", PROVINCE), ("省", PROVINCE), ("自治州", CITY), ("州", CITY), ("盟", CITY), ("地区", CITY),
                   ("市", CITY), ("县", COUNTY), ("区", COUNTY), ("旗", COUNTY))


@dataclass
class ParsedName:
    places: list[PlaceMatch]     # the chain of places it starts with
    township: str                # 张义镇, 东直门街道, or ""
    national: bool
    rest: str                    # what follows the places (and township)
    unknown_place: str = ""      # a place the gazetteer does not know, when there is no chain

    @property
    def place_only(self) -> bool:
        return bool(self.places or self.township or self.unknown_place) and not self.rest

    @property
    def rank(self) -> int | None:
        if self.places:
            return self.places[-1].division.rank
        return next((rank for suffix, rank in _RANK_OF_SUFFIX if self.unknown_place.endswith(suffix)), None) \
            if self.unknown_place else None


def expand_abbreviations(name: str) -> str:
    """罗庄区安监局 -> 罗庄区安全生产监督管理局; 三门峡市政府 -> 三门峡市人民政府."""
    name = re.sub(r"(?<=[省市区县州旗乡镇])政府", "人民政府", name)
    for short, full in ABBREVIATIONS.items():
        if short in name and full not in name:
            name = name.replace(short, full)
    return name


def abbreviate(agency: str) -> str:
    """The usual short form of an agency name (罗庄区安全生产监督管理局 -> 罗庄区安监局), or ""."""
    for short, full in ABBREVIATIONS.items():
        if full in agency:
            return agency.replace(full, short)
    return ""


def _chain(by_start: dict[int, PlaceMatch], start: int) -> list[PlaceMatch]:
    """Consecutive places from `start`, each inside the one before (天津市 东丽区); by_start: matches by start."""
    chain: list[PlaceMatch] = []
    pos = start
    while pos in by_start and (not chain or by_start[pos].division.within(chain[-1].division)):
        chain.append(by_start[pos])
        pos = chain[-1].end
    return chain


# The head office of a vertical system before its local unit (国家税务总局南京市鼓楼区税务局): the unit is local, of
# its own place and level.
VERTICAL_HEAD = re.compile(r"^(?:国家税务总局|国家统计局|国家金融监督管理总局|中国银行保险监督管理委员会|中国人民银行"
                           r"|国家外汇管理局|中国证券监督管理委员会|国家邮政局|中国气象局|国家烟草专卖局|海关总署)")
# A unit inside a bureau with a level of its own, one below the bureau's: 苏州市公安局工业园区分局, 某县公安局交警大队.
SUB_UNIT = re.compile(r"(?:局|厅|委)[\u4e00-\u9fff]{1,12}?(?:分局|大队)$|厅[\u4e00-\u9fff]{1,12}?支队$")
_LEVEL_OF_RANK = {PROVINCE: "省级", CITY: "市级", COUNTY: "区县级"}
_RANK_BELOW = {PROVINCE: CITY, CITY: COUNTY, COUNTY: COUNTY}


def parse_name(name: str) -> ParsedName:
    head = VERTICAL_HEAD.match(name)
    if head and len(name) > head.end():
        unit = parse_name(name[head.end():])
        if unit.places or unit.unknown_place:
            return unit
    chain = _chain({m.start: m for m in places_in(name)}, 0)
    pos = chain[-1].end if chain else 0
    rest = name[pos:]
    m = re.match(rf"(?:{GOV_ORG})?(?P<town>{TOWNSHIP})(?={TOWNSHIP_ORG}|$)", rest)
    township = ""
    if m:
        township = m.group("town")
        rest = rest[m.end():]
    national = not chain and not township and NATIONAL.fullmatch(name) is not None
    unknown = ""
    if not chain and not national:
        generic = GENERIC_CHAIN.match(name) or re.fullmatch(rf"(?:{GENERIC_PLACE}){{1,3}}", name)
        if generic:
            unknown = generic.group()
            if not township:
                rest = name[generic.end():]
    return ParsedName(chain, township, national, rest, unknown)


def level_of(name: str, home: Place | None = None) -> str:
    """国家级 / 省级 / 市级 / 区县级 / 乡镇级 of an agency, from its (normalised) name."""
    parsed = parse_name(name)
    if parsed.national:
        return "国家级"
    if parsed.township:
        return "乡镇级"
    relative = RELATIVE_NAME.fullmatch(name)
    rank = parsed.rank if parsed.rank is not None else \
        _RANK_OF_WORD[relative.group("rel")] if relative else (home.rank if home else None)
    if rank is not None and SUB_UNIT.search(parsed.rest or name):
        rank = _RANK_BELOW[rank]
    return _LEVEL_OF_RANK.get(rank, "")


def place_of(name: str, home: Place | None) -> Place | None:
    parsed = parse_name(name)
    if parsed.national:
        return None
    if parsed.places:
        return gazetteer().place_of(parsed.places[-1].division)
    return home


@dataclass
class NameSpan:
    start: int
    end: int
    name: str


def names_in(text: str) -> list[NameSpan]:
    """Agency names in running text: a place chain and an organisation, or a township, or a national body."""
    matches = places_in(text)
    by_start = {m.start: m for m in matches}
    spans: list[NameSpan] = []
    taken = -1
    for m in matches:
        if m.start < taken:
            continue
        chain = _chain(by_start, m.start)
        org = ORG_AFTER_PLACE.match(text, chain[-1].end)
        if org:
            spans.append(NameSpan(m.start, org.end(), text[m.start:org.end()]))
            taken = org.end()
    starts = [s.start for s in spans]   # in order, not overlapping
    for pattern in (TOWNSHIP_IN_TEXT, NATIONAL_IN_TEXT):
        for t in pattern.finditer(text):
            i = bisect_right(starts, t.start()) - 1
            if i < 0 or spans[i].end <= t.start():
                spans.append(NameSpan(t.start(), t.end(), t.group()))
    return sorted(spans, key=lambda s: s.start)


def relative_names(text: str) -> list[NameSpan]:
    """Names by level only (市政府办公室, 县人民政府, 省安监局): their place is the text's own."""
    return [NameSpan(m.start(), m.end(), m.group()) for m in RELATIVE_IN_TEXT.finditer(text)]


def qualify(name: str, home: Place | None) -> str | None:
    """市政府办公室 -> 衢州市人民政府办公室 with the home place of that rank, or None."""
    m = RELATIVE_NAME.fullmatch(name)
    if not m or home is None:
        return None
    rank = _RANK_OF_WORD[m.group("rel")]
    place = {PROVINCE: home.province, CITY: home.city or (home.province if home.rank == PROVINCE else ""),
             COUNTY: home.district}.get(rank, "")
    if not place or (m.group("rel") in "区县旗" and not place.endswith(m.group("rel"))):
        return None
    return expand_abbreviations(place + name[len(m.group("rel")):])


def name_in(phrase: str, compiler: bool = False) -> str | None:
    """The agency a phrase names (由X编制, 请与X联系, 发布机构: X): its first name. As the compiler or the
    contact of a report, an office inside an agency stands for the agency (两城镇人民政府党政办公室 ->
    两城镇人民政府; 市政府办公厅 -> 市政府)."""
    phrase = phrase.strip()
    if NATIONAL.fullmatch(phrase):
        return phrase
    spans = names_in(phrase) or relative_names(phrase)
    if not spans:
        generic = re.match(rf"(?:{GENERIC_PLACE}){{1,3}}?(?:{GOV_ORG}|{DEPT})", phrase)
        township = re.fullmatch(TOWNSHIP, phrase)  # 由城西街道编制: the township names its own body
        return generic.group() if generic else township.group() if township else None
    name = spans[0].name
    if compiler and re.search(r"政府(?:办公室|办公厅)$", name):
        return re.sub(r"(?:办公室|办公厅)$", "", name)
    return name


def complete(name: str, text: str, signed: bool = False) -> str:
    """The longest form of `name` the text writes with places before it (两城镇人民政府 -> 微山县两城镇人民政府);
    signed: only a form standing alone on its line, as a signature does."""
    best = name
    by_end = {m.end: m for m in places_in(text)}
    for occurrence in re.finditer(re.escape(name), text):
        start = occurrence.start()
        while start in by_end:
            start = by_end[start].start
        candidate = text[start:occurrence.end()]
        whole_line = (start == 0 or text[start - 1] == "\n") and \
            (occurrence.end() == len(text) or text[occurrence.end()] == "\n")
        if len(candidate) > len(best) and parse_name(candidate).places and (whole_line or not signed):
            best = candidate
    return best
