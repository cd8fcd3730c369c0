"""The metric registry: everything kb knows about one metric, in one entry.

A metric is its id, its Chinese label (facts, CSV) and short label (answers), its unit, the words that name it
in a question, the phrasings of eval questions about it, how the national template's tables state it (a row
label, a group of numbered reasons, a column of the review table) and the patterns that find it in prose.
The extractor (kb.report.fact_rules, kb.report.fact_tables), the question vocabulary (kb.questions.vocabulary)
and the eval query builder (kb.search.evaluate) all read this table; an entry that lacks any of these is
refused when the module loads, so a half-added metric never reaches known_metrics().
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kb.report.prose_patterns import (
    ABOUT_CASES,
    ABOUT_REQUESTS,
    CARRY_FORWARD,
    CARRY_IN,
    CASE_UNIT,
    COMPLAINT,
    FEE,
    GAP,
    GAP_NO_DIGIT,
    LONG_GAP,
    LONG_GAP_NO_DIGIT,
    NEGATION,
    NEW_MEDIA,
    NUM,
    PROACTIVE_OBJECT,
    PROACTIVE_UNIT,
    RECEIVE,
    REQUEST,
    REQUEST_UNIT,
    REVIEW,
    SUIT,
)

UNITS = ("件", "条", "元", "次", "人")
# A clause about requests or about replies to 人大建议 / 政协提案 states no proactive total.
REPLIES = r"建议|提案"
ABOUT_REQUESTS_OR_REPLIES = ABOUT_REQUESTS + "|" + REPLIES


@dataclass(frozen=True)
class Prose:
    """A pattern over one sentence and what a match means (see kb.report.fact_rules.Rule)."""
    pattern: str
    none: bool = False          # a statement that there was none: value 0
    context: str = ""           # "paragraph" / "sentence": counts only where that is about 主动公开
    excludes: str = ""          # a clause matching this is about something else
    about: str = ""             # counts only where the sentence matches this …
    section: str = ""           # … or the heading above it matches this (an evidence rule: 安监局没有收费项目
                                # is about a fee list, not about fees for disclosure)


@dataclass(frozen=True)
class Metric:
    id: str
    label: str                  # 中文 label of the facts page and the CSV
    short: str                  # short 中文 label in answers
    unit: str
    question_words: str         # a pattern over a normalised question naming this metric
    questions: tuple[str, ...] = ()   # eval question phrasings ({a}: agency, {y}: year)
    rows: str = ""              # a pattern over a template row label (table 3) stating it
    group: str = ""             # a group label of table 3 whose numbered sub-rows add up to it
    review_columns: tuple[int, ...] = ()   # columns of the review table (table 4) adding up to it
    prose: tuple[Prose, ...] = ()
    breakdown: bool = False     # counts items, whose 其中 breakdowns are written like totals
    part_of: str = ""           # the metric this one is a part of (new-media posts of proactive disclosure)
    summed: bool = False        # its figures in one sentence add up (微博15条，微信85条: 100 posts)

    def __post_init__(self):
        problems = []
        if not re.fullmatch(r"[a-z][a-z_]*", self.id):
            problems.append("id must be snake_case")
        if not re.search(r"[\u4e00-\u9fff]", self.label) or not re.search(r"[\u4e00-\u9fff]", self.short):
            problems.append("needs a Chinese label and short label")
        if self.unit not in UNITS:
            problems.append(f"unit must be one of {UNITS}")
        if not self.question_words or re.compile(self.question_words).search("") is not None:
            problems.append("needs question words that match something")
        if not (self.rows or self.group or self.review_columns or self.prose):
            problems.append("needs a way to be found: a template row, group, review column or prose pattern")
        for p in self.prose:
            groups = re.compile(p.pattern).groupindex
            if not p.none and "n" not in groups:
                problems.append(f"prose pattern without a number (?P<n>…): {p.pattern[:40]}")
        if self.part_of and self.part_of == self.id:
            problems.append("a metric is no part of itself")
        for q in self.questions:
            if "{a}" not in q:
                problems.append(f"question phrasing without {{a}}: {q}")
        if problems:
            raise ValueError(f"metric {self.id!r}: " + "; ".join(problems))


def _cases(word: str, nouns: str = "案件|案", verbs: str = "发生|出现|收到|接到|有", none_excludes: str = "") -> tuple:
    """The prose of a count of cases (行政复议, 行政诉讼, 申诉): 1件行政复议, 行政复议案件共2件, 未发生…行政复议."""
    return (Prose(rf"{NUM}\s*{CASE_UNIT}\s*{word}"),
            Prose(rf"{word}(?:{nouns})?(?:共有|共计|共|数量|数)?[为达:：]?\s*{NUM}\s*{CASE_UNIT}"),
            Prose(rf"{NEGATION}(?:{verbs})?{GAP}{word}", none=True, excludes=none_excludes))


def _carried(word: str) -> tuple:
    """The 2019 template's carry-over rows written as prose: 上年结转申请2件, 1件结转下年度, 无上年结转."""
    tail = r"(?:继续办理)?(?:的)?(?:申请)?"
    return (Prose(rf"{word}{tail}{GAP_NO_DIGIT}(?:共|数|数量)?[为达:：]?\s*{NUM}\s*{REQUEST_UNIT}"),
            Prose(rf"{NUM}\s*{REQUEST_UNIT}{GAP_NO_DIGIT}{word}"),
            Prose(rf"(?:无|没有|未有){GAP_NO_DIGIT}{word}|{word}{tail}[为:：]?\s*(?:0|零)\s*件", none=True))


def _outcome(words: str) -> tuple:
    """The prose of one outcome of requests (予以公开12件, 部分公开的申请3件)."""
    return (Prose(rf"(?:{words})(?:的)?(?:申请)?\s*{NUM}\s*{REQUEST_UNIT}"),)


def _registry(*metrics: Metric) -> dict[str, Metric]:
    ids = [m.id for m in metrics]
    if len(set(ids)) != len(ids):
        raise ValueError("metric ids must be unique")
    for m in metrics:
        if m.part_of and m.part_of not in ids:
            raise ValueError(f"metric {m.id!r}: part of an unknown metric {m.part_of!r}")
    return {m.id: m for m in metrics}


# The order is the display order (facts page, CSV columns, API enum).
REGISTRY: dict[str, Metric] = _registry(
    Metric(
        "requests_received", "依申请公开申请（本年新收）", "依申请公开申请", "件",
        # The generic request words: the longer, more specific words of other metrics win where they overlap.
        r"(?:政府|政务)?信息公开申请|依申请公开(?:申请|事项)?|依申请(?:事项)?|公开申请"
        r"|新收(?:的)?申请|(?<!行政复议)申请(?!人|行政复议|公开的方式)"
        r"|(?:information|disclosure|foi|public information) requests?"
        r"|\brequests?\b|\bapplications?\b",
        questions=("{a}{y}年收到多少件政府信息公开申请", "{y}年{a}受理了几件依申请公开", "{a}依申请公开的数量是多少"),
        rows=r"本年新收",
        breakdown=True,
        prose=(
            Prose(rf"{RECEIVE}{LONG_GAP}{REQUEST}{GAP_NO_DIGIT}(?:共|数|数量|总数)?[为达:：是]?\s*{NUM}\s*{REQUEST_UNIT}"),
            # 本年度共收到依申请公开事项0: a count of none may go without its unit.
            Prose(rf"{RECEIVE}{GAP}{REQUEST}(?:共|数|数量|总数)?[为达:：是]?\s*(?P<n>0|零)(?![\d.%])"
                  r"(?P<approx>)(?P<wan>)(?P<approx2>)"),
            Prose(rf"{RECEIVE}[^。；;，,\n\d]{{0,10}}?{NUM}\s*{REQUEST_UNIT}{GAP}{REQUEST}"),
            Prose(rf"(?<!予以|不予|部分|同意){REQUEST}(?:共|数|数量|总数)?[为达:：]?\s*{NUM}\s*{REQUEST_UNIT}"),
            Prose(rf"{NEGATION}(?:收到|接到|受理|接收|发生|出现|有){GAP}(?:{REQUEST}|申请(?!人))"
                  rf"|(?:没有|无|未有){REQUEST}", none=True, excludes=ABOUT_CASES),
        )),
    Metric(
        "requests_carried_in", "上年结转的申请", "上年结转申请", "件",
        r"上年度?结转(?:的)?(?:政府信息公开)?(?:申请)?|结转自上年|上年结余(?:的)?申请"
        r"|carried (?:over|in) from (?:the )?(?:last|previous|prior) year|(?:requests? )?carried in",
        rows=r"上年结转",
        prose=_carried(CARRY_IN)),
    Metric(
        "requests_granted", "依申请公开予以公开", "予以公开", "件",
        r"予以公开|同意公开|准予公开|全部公开"
        r"|(?:requests? )?(?:granted|approved|fully disclosed|disclosed in full)(?: requests?)?",
        rows=r"^[(（]?[一1][)）]?[、.]?予以公开$|^予以公开$",
        prose=_outcome("予以公开|同意公开|全部公开")),
    Metric(
        "requests_partly_granted", "依申请公开部分公开", "部分公开", "件",
        r"部分(?:予以)?公开|区分处理(?:后)?(?:提供)?|(?:requests? )?(?:partly|partially) (?:granted|disclosed|approved)",
        rows=r"部分公开",
        prose=_outcome("部分公开")),
    Metric(
        "requests_denied", "依申请公开不予公开", "不予公开", "件",
        r"不予公开|拒绝公开|(?:requests? )?(?:denied|refused|rejected)(?: requests?)?",
        group=r"不予公开",
        prose=_outcome("不予公开")),
    Metric(
        "requests_unavailable", "无法提供", "无法提供", "件",
        r"无法提供|信息不存在|本机关不掌握|(?:information )?(?:unavailable|could not be provided)",
        group=r"无法提供"),
    Metric(
        "requests_not_handled", "不予处理", "不予处理", "件",
        r"不予处理|(?:requests? )?not (?:handled|processed)",
        group=r"不予处理"),
    Metric(
        "requests_other", "其他处理", "其他处理", "件",
        r"其他处理|(?:requests? )?(?:otherwise handled|handled otherwise|other outcomes?)",
        group=r"其他处理"),
    Metric(
        "requests_completed", "办理结果总计", "办理结果总计", "件",
        r"办理结果总计|办结(?:的)?(?:申请)?(?:数量|数)?|已办结|办理完毕"
        r"|(?:requests? )?\b(?:completed|concluded|closed|resolved)\b(?: requests?)?",
        rows=r"^[(（]?[七7][)）]?[、.]?总计$|^总计$"),
    Metric(
        "requests_carried_forward", "结转下年度继续办理", "结转下年度继续办理", "件",
        r"结转下年度?(?:继续办理)?(?:的)?(?:申请)?|转入下年度?|下年度继续办理"
        r"|carried (?:forward|over)(?: to (?:the )?next year)?",
        rows=r"结转下年度",
        prose=_carried(CARRY_FORWARD)),
    Metric(
        "proactive_disclosed", "主动公开政府信息", "主动公开政府信息", "条",
        r"主动公开(?:的)?(?:政府信息|政务信息|信息)?(?:的)?(?:数量|条数|总数)?"
        r"|proactive(?:ly)? (?:disclos\w*|publish\w*|releas\w*)(?: items?| information)?"
        r"|(?:items?|information) (?:disclosed|published) proactively|proactive",
        questions=("{a}{y}年主动公开了多少条政府信息", "{y}年{a}主动公开信息数量", "{a}主动公开政府信息几条"),
        breakdown=True,
        prose=(
            Prose(rf"主动公开(?:了)?{LONG_GAP_NO_DIGIT}{PROACTIVE_OBJECT}{GAP_NO_DIGIT}"
                  rf"(?:共|共计|合计|总数|总量|数量|数)?[为达:：]?\s*{NUM}\s*{PROACTIVE_UNIT}", excludes=REPLIES),
            Prose(rf"{NUM}\s*(?:条|件)(?:主动公开)(?:的)?(?:政府)?信息", excludes=REPLIES),
            Prose(rf"主动公开(?:了)?(?:共|共计|合计)?\s*{NUM}\s*{PROACTIVE_UNIT}", excludes=REPLIES),
            Prose(rf"向社会(?:主动)?公开(?:了)?{LONG_GAP_NO_DIGIT}(?:政府信息|政务信息|信息)(?:共|共计|合计)?"
                  rf"[为达:：]?\s*{NUM}\s*{PROACTIVE_UNIT}", excludes=ABOUT_REQUESTS_OR_REPLIES),
            # 公开政府信息20条 where the paragraph is about 主动公开; 发布信息313条 only where the sentence is: a
            # site's or a channel's count of published items (门户网站共发布各类信息6.5万余条) is no count of
            # disclosed information.
            Prose(rf"公开(?:了)?{LONG_GAP_NO_DIGIT}(?:政府信息|政务信息|信息)(?:共|共计|合计|总数)?"
                  rf"[为达:：]?\s*{NUM}\s*(?:条次|条|件|项)", context="paragraph", excludes=ABOUT_REQUESTS_OR_REPLIES),
            Prose(rf"发布(?:了)?{GAP_NO_DIGIT}(?:政府信息|政务信息|信息)(?:共|共计|合计|总数)?"
                  rf"[为达:：]?\s*{NUM}\s*(?:条次|条|件|项)", context="sentence", excludes=ABOUT_REQUESTS_OR_REPLIES),
            Prose(rf"(?:政府信息|信息)(?:数|总数|数量)[为达:：]?\s*{NUM}\s*(?:条|件)", context="paragraph",
                  excludes=ABOUT_REQUESTS_OR_REPLIES),
            Prose(rf"(?:共计|合计|总计)\s*{NUM}\s*条次", context="paragraph", excludes=ABOUT_REQUESTS_OR_REPLIES),
        )),
    Metric(
        "admin_reviews", "因政府信息公开引起的行政复议", "行政复议", "件",
        r"(?:(?:被申请|申请|提起|提出)了?)?行政复议(?:申请|案件|案)?|复议"
        r"|(?:administrative|admin\.?) (?:reviews?|reconsiderations?)|reconsiderations?|appeals?|\breviews?\b",
        questions=("{a}{y}年因政府信息公开引起的行政复议有几件", "{y}年{a}信息公开行政复议案件数"),
        review_columns=(4,),
        prose=_cases(REVIEW, nouns="案件|申请|案")),
    Metric(
        "lawsuits", "因政府信息公开引起的行政诉讼", "行政诉讼", "件",
        r"(?:(?:被提起|提起|提出)了?)?行政诉讼(?:案件|案)?|诉讼|被起诉|起诉|被告|应诉|被诉|官司"
        r"|(?:administrative )?lawsuits?|law suits?|litigation|\bsued\b|\bsue\b|court cases?",
        questions=("{a}{y}年因政府信息公开被提起行政诉讼多少件", "{a}信息公开行政诉讼情况"),
        review_columns=(9, 14),   # 直接起诉 and 复议后起诉 totals
        # 未产生诉讼费用 is about expenses, not about a lawsuit
        prose=_cases(SUIT, verbs="发生|出现|收到|接到|有|被", none_excludes="费")),
    Metric(
        "fees_charged", "依申请公开收取费用", "收取费用", "元",
        r"收取(?:了)?(?:任何)?(?:信息处理费|费用|检索费|复制费)|信息处理费|收(?:了|过)?费|费用|免费|免收"
        r"|\bfees?\b|\bcharg(?:ed|es|ing)\b|free of charge",
        questions=("{a}{y}年依申请公开收取费用了吗", "{a}信息公开收费情况"),
        rows=r"收取(?:信息处理费|费用)",
        prose=(
            Prose(rf"(?:收取|收)(?:了)?[^。；;，,\n\d]{{0,10}}?{FEE}(?:共|合计|共计)?[为达:：]?\s*{NUM}\s*(?P<money>万元|元)"),
            Prose(r"未收费|不收费|免费提供|免收|无收费|收费(?:金额)?为?(?:零|0)元?(?![\d.])"
                  r"|(?:未|不|没有)[^。；;，,\n]{0,24}?收取[^。；;，,\n]{0,30}?费|(?:没有|未|无)(?:发生)?[^。；;，,\n]{0,20}?收费"
                  r"|(?:未|没有|从未|不曾)收(?:过|取过)?任何[^。；;，,\n]{0,12}?费",
                  none=True, about=r"申请|信息|公开", section=r"收费|费用"),
        )),
    Metric(
        "complaints", "举报投诉", "举报投诉", "件",
        r"举报投诉|投诉举报|举报|投诉|complaints?",
        questions=("{a}{y}年信息公开举报投诉有多少起",),
        prose=(
            Prose(rf"{COMPLAINT}(?:案件|数量|数)?(?:共|共有)?[为达:：]?\s*{NUM}\s*(?:件|起|个|宗)"),
            Prose(rf"{NEGATION}(?:发生|出现|收到|接到|有)?{GAP}(?:投诉|举报)", none=True),
        )),
    Metric(
        # 申诉 (an appeal against the handling) is no 举报投诉: its own metric
        "appeals", "因政府信息公开引起的申诉", "申诉", "件",
        r"申诉|\bappeals? (?:against|to)\b",
        questions=("{a}{y}年因政府信息公开引起的申诉有几件",),
        prose=_cases("申诉")),
    Metric(
        "press_conferences", "新闻发布会", "新闻发布会", "次",
        r"新闻发布会|发布会|(?:press|news) (?:conferences?|briefings?)",
        questions=("{a}{y}年举办了几场新闻发布会", "{a}新闻发布会次数"),
        prose=(Prose(rf"新闻发布会(?:共)?[为达:：]?\s*{NUM}\s*(?:次|场)"),)),
    Metric(
        "meetings", "政府信息公开工作会议", "工作会议", "次",
        r"(?:政府信息公开|政务公开)?(?:工作)?会议|\bmeetings?\b",
        questions=("{a}{y}年召开了几次政府信息公开工作会议",),
        prose=(Prose(rf"(?:政府信息公开|政务公开)(?:工作)?会议(?:共)?\s*{NUM}\s*次"),)),
    Metric(
        "staff", "政府信息公开工作人员", "工作人员", "人",
        r"(?:专职|兼职)?(?:工作)?人员|\bstaff\b|employees|personnel",
        questions=("{a}有多少政府信息公开工作人员",),
        prose=(
            Prose(rf"(?:从事|负责|配备){GAP}(?:工作人员|人员){NUM}\s*(?:人|名)(?!次)"),
            # 配备了2名兼职工作人员: the number before the noun
            Prose(rf"(?:从事|负责|配备|配置|安排|明确)(?:了)?{GAP_NO_DIGIT}{NUM}\s*名{GAP_NO_DIGIT}(?:工作人员|人员|信息员|联络员)"),
        )),
    Metric(
        "training_sessions", "培训（次）", "培训", "次",
        r"培训(?:班|会|活动|次数)?|\btrainings?\b(?: sessions?| courses?)?",
        questions=("{a}{y}年举办了多少次信息公开培训",),
        prose=(
            Prose(rf"(?:举办|开展|组织|召开){GAP}培训(?:班|会|活动)?(?:共)?\s*{NUM}\s*(?:次|期|场)(?!人)"),
            # 两次举办…培训: the count before the verb
            Prose(rf"(?<![\d人])(?P<n>[1-9]\d?|[一两二三四五六七八九十]{{1,3}})\s*(?P<approx>)(?P<wan>)(?P<approx2>)(?:次|期|场)"
                  rf"(?:举办|开展|组织|召开){GAP}培训"),
        )),
    Metric(
        "new_media_posts", "政务新媒体发布信息", "新媒体发布", "条",
        r"(?:政务)?新媒体(?:发布)?(?:信息)?|政务微博|政务微信|微博|微信|公众号|new media posts?|social media posts?",
        part_of="proactive_disclosed", summed=True,
        prose=(Prose(rf"{NEW_MEDIA}[^。；;，,\n\d]{{0,16}}?(?:发布|公开|推送|发送)(?:了)?[^。；;，,\n\d]{{0,12}}?"
                     rf"(?:共|共计|合计)?\s*{NUM}\s*(?:条|篇|期)"),)),
)
