"""Clean: drop what is not the report's own text (pinyin ruby, web chrome, captions, spam tokens).

The result keeps the original script; one paragraph per line. Patterns are matched against the
normalised line (so 關閉本頁 and 关闭本页 are the same chrome), but the kept text is untouched.
"""
from __future__ import annotations

import re

from kb.records import CleanReport, RawReport
from kb.text import normalize

_TONE_VOWELS = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
_SYLLABLE = rf"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?[aeiouv{_TONE_VOWELS}]{{1,4}}(?:ng|n|r)?"
# "生產(chǎn)": a pinyin syllable in brackets right after a CJK character.
PINYIN_RUBY = re.compile(rf"(?<=[\u3400-\u9fff])[(（]({_SYLLABLE})[)）]")

# Gambling-site spam tokens pasted into pages: a lowercase word glued to five digits ("asia28365").
# Not part of an e-mail address, URL or code (no neighbouring letter, '@', '.', '/', '_' or '-').
SPAM_TOKEN = re.compile(r"(?<![A-Za-z0-9@./_-])[a-z]{3,8}\d{5}(?![A-Za-z@._/-])")

_DATE_TIME = r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"

# Portal header lines above the report (index numbers, publication metadata, source lines).
HEADER_CHROME = (
    re.compile(r"索引号\s*[:：]"),
    re.compile(r"发文日期\s*[:：]"),
    re.compile(r"(?:公开方式|发布机构|信息来源|浏览次数|字号)\s*[:：]"),
    re.compile(r"(?:发布)?时间\s*[:：].*来源\s*[:：]"),
    re.compile(r"门户网站.*\b[a-z0-9-]+\.[a-z]{2,}\b"),
    re.compile(rf"^(?:发布日期\s*[:：]\s*)?{_DATE_TIME}$"),
)
HEADER_LINES = 6

# Lines that are page furniture wherever they stand.
CHROME_LINE = re.compile(
    r"^(?:打印|收藏|关闭|关闭本页|关闭窗口|打印本页|【打印】|【关闭】|【打印本页】|【关闭窗口】|返回顶部|分享到.*"
    r"|责任编辑\s*[:：].*|扫一扫在手机打开当前页|相关阅读\s*[:：]?|上一篇\s*[:：].*|下一篇\s*[:：].*"
    r"|baidu|map|百度|地图|\[?\s*字号\s*[:：].*)$",
    re.IGNORECASE,
)
# Markers that start a page footer: after one, lone numbers (page counters) and a repeated title go too.
FOOTER_MARKER = re.compile(r"^(?:打印|收藏|关闭本页|关闭窗口|打印本页|【打印】|责任编辑\s*[:：].*|扫一扫在手机打开当前页|相关阅读\s*[:：]?)$")
PAGE_COUNTER = re.compile(r"^\d{1,12}$")

# "(全市政府信息主动公开方式比例图)", "(…专栏截图)": a bracketed line naming a picture.
IMAGE_CAPTION = re.compile(r"^[(（【\[][^()（）]{1,80}(?:图|截图|图片|照片|示意图)[)）】\]]$")

_LINE_STRIP = " \t\u3000\u00a0\ufeff"


def strip_pinyin(text: str) -> str:
    return PINYIN_RUBY.sub("", text)


def strip_spam(text: str) -> str:
    return SPAM_TOKEN.sub("", text)


def is_header_chrome(norm_line: str) -> bool:
    return len(norm_line) < 160 and "。" not in norm_line and any(p.search(norm_line) for p in HEADER_CHROME)


def clean_report(raw: RawReport) -> CleanReport:
    text = strip_spam(strip_pinyin(raw.text))
    lines = [ln.strip(_LINE_STRIP) for ln in text.split("\n")]
    lines = [ln for ln in lines if ln]
    kept: list[str] = []
    removed: list[str] = []
    in_footer = False
    first_line = normalize(lines[0]) if lines else ""
    for i, line in enumerate(lines):
        norm = normalize(line)
        if FOOTER_MARKER.match(norm) and i > 0:
            in_footer = True
        drop = (
            (i < HEADER_LINES and is_header_chrome(norm))
            or CHROME_LINE.match(norm) is not None
            or IMAGE_CAPTION.match(norm) is not None
            or (in_footer and (PAGE_COUNTER.match(norm) is not None or norm == first_line))
        )
        (removed if drop else kept).append(line)
    return CleanReport(raw=raw, text="\n".join(kept), removed=removed)
