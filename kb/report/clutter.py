"""What on a saved page is not the report: a line classifier, and the metadata reader that runs before it.

Every test runs on the normalised line (simplified, NFKC), so 當前位置 and 当前位置 are the same chrome.
The kinds of clutter, each a general rule rather than a list of pages:
- metadata lines: `key: value` pairs of a portal's document header (索引号, 发布机构, 发布日期, 来源, 浏览次数,
  字体 ...) or a table row of such keys and its value row; their values are read first (`read_metadata`);
- breadcrumbs (当前位置 / 首页 > … > …) and runs of menu words (登录 | 注册, 无障碍 | 长者版, 设为首页, 【打印】);
- portal stamps: a site name, domain or date on a line without a sentence;
- lines of symbols only (`??`, `|`), page counters after a footer, pictures' captions;
- spam: gambling tokens of Latin letters and digits glued into Chinese text (asia28365, bet 365亚洲版官网),
  matched on the original text (case matters: GB18030 is no spam).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kb.report.dates import DATE

# Keys of portal metadata, most specific first. The generic ones (来源, 时间 ...) count only in a page's
# header or footer, where no report sentence stands.
SPECIFIC_KEYS = (
    "索引号", "主题分类", "组配分类", "体裁分类", "信息分类", "内容分类", "服务对象", "公开方式", "公开范围", "公开时限",
    "公开形式", "公开属性", "发布机构", "发文机关", "发文单位", "发布单位", "发布部门", "信息来源", "文章来源", "发布日期",
    "发布时间", "发文日期", "成文日期", "印发日期", "生效日期", "废止日期", "有效性", "时效性", "发文字号", "文件编号",
    "统一编号", "文号", "所属主题", "主题词", "关键词", "浏览次数", "点击数", "点击率", "点击量", "访问量", "访问次数",
    "阅读次数", "阅读量", "浏览量", "字体大小", "字体", "字号", "分享到", "分享", "责任编辑", "供稿单位", "效力属性",
    "公开目录", "所属机构", "发布机关", "文种", "分类", "内容概述", "发布来源", "印发时间", "中文名")
GENERIC_KEYS = ("来源", "时间", "日期", "标题", "名称", "主题", "编辑", "作者", "审核", "校对", "打印")
_SPACED = lambda key: r"\s*".join(key)  # noqa: E731  "索 引 号" and "標  題" are keys too
_KEY_ALT = "|".join(_SPACED(k) for k in sorted(SPECIFIC_KEYS + GENERIC_KEYS, key=len, reverse=True))
KEY_VALUE = re.compile(rf"(?:^|(?<=[\s【\[〖(（|\-•·*]))(?P<key>{_KEY_ALT})\s*[:：]\s*")
# Keys followed by spaces instead of a colon (索 引 号 0160…/2021-02 发布机构 市政府办), at a line's start.
KEY_SPACE = re.compile(rf"^[\s【\[〖(（|]*(?:{_KEY_ALT})\s+\S")
SENTENCE = re.compile(r"[。！？!?]|[，,；;].{20,}")
# A portal's column label above or below a report (政府信息公开年报, 通知公告), a site banner in English,
# a saved file's name.
COLUMN_LABEL = re.compile(r"^[\u4e00-\u9fff]{2,10}$")
COLUMN_WORDS = re.compile(r"公开|年报|公告|动态|专栏|目录|导航|频道|栏目")
BANNER = re.compile(r"(?:[A-Za-z][A-Za-z'’.-]*\s+){3,}")
FILE_NAME = re.compile(r"\.(?:docx?|pdf|wps|xlsx?|et|txt|html?)$", re.IGNORECASE)

BREADCRUMB = re.compile(r"当前位置|您现在的位置|您的位置|现在的位置|所在位置|^首页\s*(?:>|»|/|›|→)|(?:>|»|›).*(?:>|»|›)")
# Words that make up menus, toolbars and footers; a line of nothing but these (and separators) is chrome.
MENU_WORDS = (
    "首页", "登录", "注册", "退出", "无障碍", "无障碍浏览", "长者版", "长辈版", "关怀版", "老年版", "适老版", "手机版", "移动版",
    "简体", "繁体", "简体版", "繁体版", "简", "繁", "english", "英文版", "加入收藏", "设为首页", "收藏本站", "站群导航",
    "网站导航", "网站地图", "导航", "全文检索", "高级检索", "站内搜索", "搜索", "检索", "请输入搜索", "请输入关键词",
    "请输入关键字", "请输入搜索内容", "选择特殊符号", "选择搜索类型", "打印", "打印本页", "打印此页", "关闭", "关闭窗口",
    "关闭本页", "返回顶部", "返回", "回到顶部", "收藏", "分享", "分享到", "微信", "微博", "qq空间", "字体", "大", "中", "小",
    "默认", "扫一扫", "扫一扫在手机打开当前页", "相关阅读", "相关链接", "相关文章", "相关信息", "上一篇", "下一篇",
    "baidu", "map", "百度", "地图", "视力保护色", "护眼模式", "朗读", "语音播报", "在线访谈", "纠错", "我要纠错",
    "相关文档", "相关附件", "附件下载", "基本介绍", "用微信扫描二维码分享至好友和朋友圈", "扫描二维码", "分享至")
_MENU_SEPARATORS = re.compile(r"[\s|｜·•/\\、,，:：\[\]【】〖〗()（）<>《》\-—_*]+")
FOOTER_WORDS = re.compile(r"^(?:produced\s*by|powered\s*by|技术支持|版权所有|copyright|©|主办单位|承办单位|主办|承办"
                          r"|网站标识码|网站声明|联系我们|icp备|.*icp备\d|.*公网安备)", re.IGNORECASE)
FOOTER_MARKER = re.compile(r"^(?:【?打印(?:本页)?】?|收藏|关闭本页|关闭窗口|【关闭(?:窗口)?】|〖打印〗|〖关闭窗口〗"
                           r"|责任编辑\s*[:：].*|扫一扫在手机打开当前页|相关阅读\s*[:：]?|上一篇\s*[:：].*|下一篇\s*[:：].*)$")
DOMAIN = re.compile(r"(?:https?://|www\.)\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:gov\.cn|com\.cn|org\.cn|cn|com|net|org)\b")
PORTAL = re.compile(r"门户网站|政府网站?[-_|]|网[-_|]|[-_|]\s*\S*(?:门户网站|政府网)$|^欢迎(?:浏览|访问|光临|您)")
PAGE_COUNTER = re.compile(r"^\d{1,12}$")
# "(全市政府信息主动公开方式比例图)", "(…专栏截图)": a bracketed line naming a picture.
IMAGE_CAPTION = re.compile(r"^[(（【\[][^()（）]{1,80}(?:图|截图|图片|照片|示意图)[)）】\]]$")
SYMBOLS_ONLY = re.compile(r"^[^\w\u3400-\u9fff]*$")
# A page label of a flipbook or a PDF viewer (P. 8, Page 8, 第8页, - 8 -).
PAGE_PREFIX = re.compile(r"^page\s*\d{1,4}\s*[-–—]\s*(?=\S)", re.IGNORECASE)
PAGE_LABEL = re.compile(r"^(?:p\.?\s*\d{1,4}|page\s*\d{1,4}(?:\s*/\s*\d{1,4})?|第\s*\d{1,4}\s*页(?:\s*共\s*\d{1,4}\s*页)?|[-—]\s*\d{1,4}\s*[-—])$",
                        re.IGNORECASE)
# A table of contents run into one line: short headings, each closed by a comma (概述,主动公开情况,…,).
TOC_LINE = re.compile(r"^(?:[^，,。；;]{2,24}[，,]){3,}$")

# Gambling spam glued into pages: a lowercase word and digits (asia28365, bet 365, 365bet), with the
# usual tail (亚洲版官网, 官方网站, app ...); and the Chinese kind (足彩app哪个是正规的).
_SPAM_TAIL = r"(?:亚洲版|中文版|官网|官方网站|官方|网址|平台|娱乐|体育|开户|注册|下载|入口|(?i:app)|手机版|登录|首页)"
_NOT_AFTER = r"(?<![A-Za-z0-9@./_=?&%-])"
SPAM_TOKEN = re.compile(
    _NOT_AFTER + r"[a-z]{3,8}\d{5}(?![A-Za-z@._/-])" + _SPAM_TAIL + "{0,4}"
    + "|" + _NOT_AFTER + r"(?:[a-z]{2,10}\s?\d{3,4}|\d{3,4}[a-z]{2,10})" + _SPAM_TAIL + "{1,4}"
    # a bare domain glued to Chinese text (puroview.com沙头镇…): a spam mirror's mark, no link
    + "|" + _NOT_AFTER + r"[a-z0-9-]{2,30}\.(?:com|net|cc|top|vip|xyz|info|me|co|club|site)(?=[\u4e00-\u9fff])"
    + r"|(?:足彩|彩票|博彩|时时彩|六合彩|百家乐|真人娱乐|棋牌|娱乐城|赌场)(?:(?i:app)|官网|平台|网址|开户|注册|下载|入口)"
      r"(?:哪个是正规的|哪个正规|是正规的吗|靠谱吗|推荐)?")


@dataclass(frozen=True)
class Field:
    key: str      # the key, spaces removed (索引号)
    value: str    # as written on the line, stripped
    start: int = 0


def strip_spam(text: str) -> str:
    return SPAM_TOKEN.sub("", text)


def key_of(raw: str) -> str:
    return re.sub(r"\s+", "", raw).rstrip(":：")


def key_values(norm_line: str, generic: bool = True) -> list[Field]:
    """The `key: value` pairs of a line (a value runs to the next key); generic keys only when asked."""
    marks = [m for m in KEY_VALUE.finditer(norm_line) if generic or key_of(m.group("key")) in SPECIFIC_KEYS]
    fields = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(norm_line)
        value = norm_line[m.end():end].strip(" \t\u3000[]【】〖〗()（）|")
        fields.append(Field(key_of(m.group("key")), value, m.start()))
    return fields


def is_metadata_line(norm_line: str, in_header: bool) -> bool:
    """Portal metadata: starts with a key, or holds two of them, and says no sentence."""
    if len(norm_line) > 200 or "。" in norm_line:
        return False
    fields = key_values(norm_line, generic=in_header)
    if not fields:
        return False
    starts = not norm_line[:fields[0].start].strip(" \t\u3000【[〖(（|-•·*")
    return starts or len(fields) >= 2


def is_key(cell: str) -> bool:
    return key_of(cell) in SPECIFIC_KEYS or key_of(cell) in GENERIC_KEYS


def metadata_table(cells_rows: list[list[str]]) -> list[Field]:
    """A header row of keys and the value row under it (`索引号 | 公开方式 | 发布机构 |`), or rows of keys each
    followed by its value (`发布机构 | 市政府办 | 发文日期 | 2018-02-28 |`)."""
    fields: list[Field] = []
    for i, cells in enumerate(cells_rows):
        cells = [c for c in cells if c]
        if cells and all(is_key(c) for c in cells):
            if i + 1 < len(cells_rows):
                fields += [Field(key_of(k), v) for k, v in zip(cells, cells_rows[i + 1]) if v and not is_key(v)]
            continue
        for k, v in zip(cells, cells[1:]):
            if is_key(k) and not is_key(v):
                fields.append(Field(key_of(k), v))
    return fields


def table_cells(norm_line: str) -> list[str] | None:
    if "|" not in norm_line:
        return None
    return [c.strip() for c in norm_line.strip().strip("|").split("|")]


def is_metadata_row(norm_line: str, in_header: bool = False) -> bool:
    """A table row of metadata: keys (`索引号 | 公开方式 | 发布机构 |`), or keys with their values, at least half
    of its cells keys and, but in a page header (标 题 | …), one of them specific (`发布机构 | 市政府办 |`)."""
    cells = [c for c in (table_cells(norm_line) or []) if c]
    keys = [c for c in cells if is_key(c)]
    return bool(keys) and (in_header or any(key_of(c) in SPECIFIC_KEYS for c in keys)) and 2 * len(keys) >= len(cells)


def is_key_row(norm_line: str) -> bool:
    """A table row of nothing but keys: the values are in the row under it."""
    cells = [c for c in (table_cells(norm_line) or []) if c]
    return bool(cells) and all(is_key(c) for c in cells)


def is_column_label(norm_line: str) -> bool:
    c = re.sub(r"\s+", "", norm_line)
    return COLUMN_LABEL.match(c) is not None and COLUMN_WORDS.search(c) is not None


def is_menu_line(norm_line: str) -> bool:
    words = [w for w in _MENU_SEPARATORS.split(norm_line.lower()) if w]
    return bool(words) and all(w in MENU_WORDS for w in words)


def is_breadcrumb(norm_line: str) -> bool:
    return len(norm_line) < 160 and "。" not in norm_line and BREADCRUMB.search(norm_line) is not None


def is_portal_stamp(norm_line: str) -> bool:
    """A site name, a domain or a date on a line that says nothing else (河南省人民政府门户网站 m.x.com 时间:…)."""
    if len(norm_line) > 120 or SENTENCE.search(norm_line):
        return False
    return DOMAIN.search(norm_line) is not None or PORTAL.search(norm_line) is not None


def is_dated_stamp(norm_line: str) -> bool:
    """A short line with a date and no sentence (安徽省政务公开办  2018/3/26, 2021-03-2918:26)."""
    return len(norm_line) <= 60 and not SENTENCE.search(norm_line) and DATE.search(norm_line) is not None \
        and not re.search(r"[，,;；]", norm_line)


def is_chrome_anywhere(norm_line: str) -> bool:
    """Clutter wherever it stands: menus, breadcrumbs, symbol lines, footer lines, captions."""
    return (is_menu_line(norm_line) or is_breadcrumb(norm_line) or SYMBOLS_ONLY.match(norm_line) is not None
            or PAGE_LABEL.match(norm_line.strip()) is not None or TOC_LINE.match(norm_line.strip()) is not None
            or (len(norm_line) < 80 and FOOTER_WORDS.match(norm_line) is not None)
            or IMAGE_CAPTION.match(norm_line) is not None or is_metadata_line(norm_line, in_header=False)
            or is_metadata_row(norm_line) or (len(norm_line) < 120 and FILE_NAME.search(norm_line) is not None))


def is_chrome_in_header(norm_line: str) -> bool:
    """Clutter in a page's header (above the report's first sentence)."""
    return (is_metadata_line(norm_line, in_header=True) or is_portal_stamp(norm_line) or is_dated_stamp(norm_line)
            or (KEY_SPACE.match(norm_line) is not None and not SENTENCE.search(norm_line)) or is_column_label(norm_line)
            or (BANNER.search(norm_line) is not None and not SENTENCE.search(norm_line)))


def is_chrome_in_trailer(norm_line: str) -> bool:
    """Clutter below a report's last sentence or a footer marker."""
    return (is_metadata_line(norm_line, in_header=True) or is_portal_stamp(norm_line) or is_column_label(norm_line)
            or FOOTER_WORDS.match(norm_line) is not None)
