"""The words of questions over the figures: metrics, levels, agency types, conditions, kinds, connectors.

All patterns match the normalised question (NFKC, simplified script, lower case, numerals as digits).
Metric ids, labels and words are those of the metric registry (kb.report.metrics).
"""
from __future__ import annotations

import re

from kb.report.agency import LEVEL_WORDS
from kb.report.metrics import REGISTRY

# metric id -> (short Chinese label, words naming it), from the metric registry. Longer words win where two
# overlap ("行政复议申请" is a review, not a request; "办理结果总计" is a metric, not a total).
METRIC_VOCABULARY: dict[str, tuple[str, str]] = {m.id: (m.short, m.question_words) for m in REGISTRY.values()}
# A metric word that itself says "none": 免费 is fees = 0.
IMPLIED_ZERO = re.compile(r"^(?:免费|免收|free of charge)$")

# Agency levels (documents.level) and the words for them: kb.report.agency, which search reads too.
LEVELS = LEVEL_WORDS

# Agency types: id -> (label, words in a question, pattern over an agency's full name).
AGENCY_TYPES: dict[str, tuple[str, str, str]] = {
    "government": ("人民政府", r"人民政府|(?<![信息公开])政府(?!信息|网站|部门|公报|公开|采购|系统|工作|门户|办)"
                              r"|\bgovernments?\b", r"人民政府$|政府$"),
    "general_office": ("政府办公厅（室）", r"政府办公厅|政府办公室|办公厅|政府办|general offices?", r"办公厅$|办公室$"),
    "safety": ("安全生产监督管理部门", r"安全生产监督管理(?:局|部门)?|安监(?:局|部门)?|应急管理(?:局|部门)?|work safety",
               r"安全生产监督管理|应急管理"),
    "natural_resources": ("自然资源部门", r"自然资源(?:局|部门|厅)?|国土资源(?:局|部门|厅)?|国土局", r"自然资源|国土资源"),
    "statistics": ("统计部门", r"统计局|统计部门|statistics bureaus?", r"统计局$"),
    "public_security": ("公安部门", r"公安(?:局|厅|机关|部门)|police", r"公安"),
    "education": ("教育部门", r"教育(?:局|厅|部门)|education (?:bureaus?|departments?)", r"教育(?:局|厅|部|委员会)"),
    "health": ("卫生健康部门", r"卫生健康委员会|卫健委|卫生(?:局|厅|部门)|卫计委|health commissions?", r"卫生"),
    "environment": ("生态环境部门", r"生态环境(?:局|厅|部门)?|环保(?:局|部门)|环境保护(?:局|厅)",
                    r"生态环境|环境保护"),
    "finance": ("财政部门", r"财政(?:局|厅|部门)|finance (?:bureaus?|departments?)", r"财政"),
    "taxation": ("税务部门", r"税务(?:局|部门|机关)|tax (?:bureaus?|authorities)", r"税务"),
    "human_resources": ("人力资源和社会保障部门", r"人力资源和社会保障(?:局|厅|部门)?|人社(?:局|厅|部门)", r"人力资源和社会保障"),
    "housing": ("住房和城乡建设部门", r"住房和城乡建设(?:局|厅|部门)?|住建(?:局|厅|部门)", r"住房和城乡建设"),
    "transport": ("交通运输部门", r"交通运输(?:局|厅|部门)|交通(?:局|部门)", r"交通"),
    "water": ("水利部门", r"水利(?:局|厅|部门)|水务局", r"水利|水务"),
    "agriculture": ("农业农村部门", r"农业农村(?:局|厅|部门)|农业(?:局|厅|部门)", r"农业"),
    "commerce": ("商务部门", r"商务(?:局|厅|部门)|商务部", r"商务"),
    "market_regulation": ("市场监督管理部门", r"市场监督管理(?:局|部门)?|市场监管(?:局|部门)|工商(?:局|部门)|质监局"
                                            r"|食品药品监督管理(?:局)?|药品监督管理(?:局)?",
                          r"市场监督管理|工商行政管理|质量技术监督|食品药品监督管理|药品监督管理"),
    "civil_affairs": ("民政部门", r"民政(?:局|厅|部门)", r"民政"),
    "development_reform": ("发展和改革部门", r"发展和改革委员会|发改委|发展改革(?:委|部门)", r"发展和改革|发展改革"),
    "justice": ("司法行政部门", r"司法(?:局|厅)", r"司法(?:局|厅|部)"),
    "audit": ("审计部门", r"审计(?:局|厅|署)", r"审计"),
    "intellectual_property": ("知识产权部门", r"知识产权(?:局|部门)", r"知识产权"),
    "culture_tourism": ("文化和旅游部门", r"文化和旅游(?:局|厅)|文旅(?:局|厅)|文化(?:局|厅)", r"文化"),
    "data_services": ("政务服务和大数据部门", r"政务服务(?:和大数据)?(?:管理)?局|大数据(?:管理)?局", r"政务服务|大数据"),
}

# English names of the provincial-level divisions (the Chinese ones come from the place gazetteer).
PROVINCES_EN = {
    "beijing": "北京", "tianjin": "天津", "hebei": "河北", "shanxi": "山西", "inner mongolia": "内蒙古",
    "liaoning": "辽宁", "jilin": "吉林", "heilongjiang": "黑龙江", "shanghai": "上海", "jiangsu": "江苏",
    "zhejiang": "浙江", "anhui": "安徽", "fujian": "福建", "jiangxi": "江西", "shandong": "山东", "henan": "河南",
    "hubei": "湖北", "hunan": "湖南", "guangdong": "广东", "guangxi": "广西", "hainan": "海南", "chongqing": "重庆",
    "sichuan": "四川", "guizhou": "贵州", "yunnan": "云南", "tibet": "西藏", "xizang": "西藏", "shaanxi": "陕西",
    "gansu": "甘肃", "qinghai": "青海", "ningxia": "宁夏", "xinjiang": "新疆",
}

# Words for a set of agencies (what a list / count question asks for).
SET_NOUN = (r"(?:机关|单位|部门|机构|(?:人民)?政府(?!信息|网站|公开|部门|采购|系统|工作|门户)|局|委|厅|地方|地区|城市|省份"
            r"|\bagenc(?:y|ies)\b|\bbod(?:y|ies)\b|\bdepartments?\b|\bgovernments?\b|\boffices?\b|\bunits?\b"
            r"|\borgani[sz]ations?\b|\bauthorit(?:y|ies)\b|\bbureaus?\b|\bministr(?:y|ies)\b|\binstitutions?\b)")
# "哪些 …": asks for agencies when a set noun, a condition or a verb follows; not "哪些信息…".
ASK_WORD = r"哪(?:些|几个|几家|一些|一个|一家|个|家|位|类)|\bwhich\b|\bwhat\b"
ASK_VERB_AFTER = (r"\s*(?:§|没|未|无|不|有|被|收到|受理|发生|的|都|均|从|曾|在|是|全年|零|0|既|\d|超|多|少|至|"
                  r"◆|◇|had|has|have|did|do|does|received|reported|charged|were|was|got|faced|saw|disclosed|published"
                  r"|held|made|with|without)")
TRAILING_ASK = r"(?:有哪(?:些|几个|几家)|是哪(?:些|个|家|几个|几家|一个|一家)|是谁|有谁|包括哪些|都有哪些|都是哪些)"
LIST_VERBS = r"列出|列举|找出|筛选|查找|给出|显示|统计一下|\blist\b|\bshow\b|\bfind\b|\bname\b|\bidentify\b"
WHO = r"谁|\bwho\b"
WHETHER = r"有没有|有无|是否有|是不是有|\bare there\b|\bis there\b|\bany\b"

# A question about duties or procedure, not figures ("哪个部门负责受理申请", "如何申请行政复议").
NOT_ABOUT_FIGURES = (r"负责|主管|牵头|承担|职责|如何|怎样|怎么|流程|程序|渠道|办法|标准|期限|时限|材料|规定|要求|应当|原因|为什么"
                     r"|\bhow to\b|\bresponsible\b|\bprocedures?\b|\bwhy\b")

# Kinds of answer.
COUNT = (r"(?<!哪)(?:几|多少)\s*(?:个|家|所)\s*(?!◆|件|次|条|起|宗|项|人|名|元)|(?<!哪)多少\s*§+|有几\s*§+"
         r"|§+\s*(?:的)?(?:数量|数目|个数|总数)|§+\s*有(?:几|多少)|how many\s*§+|number of\s*§+|count of\s*§+")
TOP_DESC = r"(?<=◆)(?:更|较|比较)?多(?:一些|些)?\s*[?？]?\s*$|最多|最高|最大|最频繁|第1(?!季)|排名第1|排第1|\bmost\b|\bhighest\b|\blargest\b|\bbiggest\b|\bgreatest\b|\bmaximum\b|\btop\b"
TOP_ASC = r"(?<=◆)(?:更|较|比较)?少(?:一些|些)?\s*[?？]?\s*$|最少|最低|最小|倒数第1|\bleast\b|\bfewest\b|\blowest\b|\bsmallest\b|\bminimum\b|\bbottom\b"
TOP_LIMIT = (r"哪\s*(\d+)\s*(?:个|家)|(?:\bwhich|\bthe)\s+(\d+)\s*§+|(?:排名)?前\s*(\d+)\s*(?:名|位|个|家)?|后\s*(\d+)\s*(?:名|位|个|家)|\btop\s*(\d+)\b|\bbottom\s*(\d+)\b"
             r"|最(?:多|少|高|低|大|小)的\s*(\d+)\s*(?:个|家|名|位)|(\d+)\s*(?:个|家)\s*(?:§+\s*)?(?:中|里)?最(?:多|少|高|低)")
RANK = r"排名|排序|排行|\brank(?:ed|ing|s)?\b|\bsort(?:ed)? by\b|\border(?:ed)? by\b"
RANK_ASC = r"从少到多|从低到高|升序|\bascending\b|\blowest first\b|\bfewest first\b"
TOTAL = (r"一共|合计|总共|总计|共计|加起来|累计|总和|汇总|总数|总量|总额|总金额|\bin total\b|\baltogether\b|\bcombined\b|\bsum\b|\btotal\b"
         r"|\boverall\b|all together")
QUANTITY = r"多少|几\s*(?:件|次|条|起|宗|项|人|名|元|场)|\bhow many\b|\bhow much\b|what is the (?:number|total)"
PLURAL_SET = r"(?:所有|全部|这些|全体|\d+\s*(?:个|家))\s*§+|\ball\s*§+|\bevery\s*§+|\bthese\s*§+"
EACH = r"分别|各(?:是|有|为)多少|各自|逐一|\beach\b|\brespectively\b"
COMPARE_STRONG = (r"对比|比较(?!多|少|高|低|大|小)|相比|相较|比起|同比|环比|较上年|比上年|逐年|\bvs\.?\b|\bversus\b"
                  r"|\bcompar(?:e|ed|ing|ison)\b|year[- ]over[- ]year|year[- ]on[- ]year|\byoy\b")
COMPARE_WEAK = r"变化|增减|增长|增加|减少|下降|升降|增幅|降幅|趋势|\bchanges?\b|\bchanged\b|\btrends?\b|\bgrew\b|\bfell\b"
COMPARE_PREVIOUS = r"较上年|比上年|同比|year[- ]over[- ]year|year[- ]on[- ]year|\byoy\b|上一年|前一年"

# Conditions. N is a number (numerals are digits by now); U an optional unit.
N = r"(\d+(?:\.\d+)?)"
U = r"\s*(?:件|条|次|个|起|宗|项|人|名|元|场|期|篇|家)?"
COMPARATORS = (  # (op, pattern): checked in this order; "不少于" before "少于", "最多5件" before a top 最多
    (">=", rf"(?:至少|最少)[\u4e00-\u9fff]{{0,3}}?{N}{U}|(?:不少于|不低于|不小于|大于等于|大于或等于|≥|>=|at least"
           rf"|no (?:less|fewer) than|not (?:less|fewer) than|a minimum of|minimum of)\s*{N}{U}|{N}{U}\s*(?:及以上|或以上|以上|或更多|"
           rf"(?:or|and) (?:more|above|over|greater)|\+)"),
    ("<=", rf"(?:至多|最多)[\u4e00-\u9fff]{{0,3}}?{N}{U}|(?:不超过|不多于|不高于|不大于|小于等于|小于或等于|≤|<=|at most|no more than|not more than"
           rf"|up to|a maximum of|maximum of)\s*{N}{U}|{N}{U}\s*(?:及以下|或以下|以下|以内|之内|或更少"
           rf"|(?:or|and) (?:less|fewer|below|under))"),
    (">", rf"(?:超过|多于|大于|高于|超出|逾|>|more than|over|above|greater than|higher than|exceed(?:ed|s|ing)?)\s*{N}{U}"),
    ("<", rf"(?:少于|不到|不足|低于|小于|未满|未达到?|<|fewer than|less than|under|below|lower than)\s*{N}{U}"),
    ("=", rf"(?:等于|恰好|正好|刚好|为|是|达|=|exactly|equal to|equals?|of)\s*{N}{U}|{N}\s*(?:件|条|次|起|宗|项|人|名|元|场)"),
)
# "一件申请都没收到", "not a single request": none at all.
NONE_AT_ALL = (r"(?<![\d.])1\s*(?:件|个|条|次|起|宗|项|人|名|元|家)?[^,，。;；]{0,8}?(?:都|也)(?:没|未|不|无)"
               r"|\bnot (?:a single|one|any)\b|\bat all\b")
# "行政诉讼多于行政复议": one metric against another, which the model does not hold.
METRIC_VERSUS_METRIC = r"◆\s*(?:的)?(?:数量|件数|次数)?\s*(?:多于|少于|超过|高于|低于|大于|小于|more than|fewer than|less than|exceed\w*)\s*◆"
NOT_STATED = (r"(?:未|没有|没|尚未|并未|未曾|从未|不)(?:有)?(?:披露|公布|公开|报告|报送|提及|提到|说明|列明|写明|注明|给出|提供|填报"
              r"|载明|列出|统计|涉及)|不详|空缺|缺失|缺少|未知|不明|空白|无数据|没有数据|没数据|未见|不清楚"
              r"|(?:did not|didn't|does not|doesn't|do not|don't|never|not|failed to|fail to|without)\s+(?:disclos|report|stat"
              r"|mention|giv|provid|publish|list|includ)\w*(?!\s+any\b)|not (?:stated|disclosed|reported|given|mentioned|published"
              r"|provided|listed|available)|\bundisclosed\b|\bunreported\b|\bunstated\b|\bmissing\b"
              r"|\bno (?:figures?|numbers?|data|counts?)\b|without (?:a |any )?(?:figures?|numbers?|data)")
STATED = (r"披露|公布|报告|提及|提到|列明|给出|报送|填报|载明|数据|\bdisclos(?:ed|es|e|ing)\b|\breport(?:ed|s|ing)?\b"
          r"|\bstat(?:ed|es|ing)\b|\bmention\w*|\bpublish\w*")
ZERO = (r"(?<![\d.])0(?![\d.])|没有|没|未|无|(?<!是)不(?!但|仅|只|是|同)|从未|均未|零|免费|免收|\bnever\b|\bno\b|\bnone\b"
        r"|\bnot\b|n't\b|\bzero\b|\bwithout\b|\bnil\b|\bfree\b")
OCCURRED = (r"有|发生|收到|受理|被|出现|存在|涉及|遭|过|\bhad\b|\bhas\b|\bhave\b|\breceived\b|\breceiving\b|\bwith\b"
            r"|\bfaced\b|\bgot\b|\bany\b|\bsaw\b|\bcharged\b|\bheld\b")

# Connectors between two conditions: (combine, pattern), strongest first.
CONNECTORS = (
    ("but", r"却|但是|但|然而|而是|不过|可是|只是|(?<![而从])而(?!且)|\bbut\b|\byet\b|\bwhile\b|\bwhereas\b|\bhowever\b"),
    ("or", r"或者|或是|或|还是|要么|\bor\b|\beither\b"),
    ("nor", r"\bnor\b|\bneither\b"),
    ("and", r"并且|而且|以及|同时|并|且|和|与|及|跟|又|也|、|，|,|；|;|\band\b|as well as|\bboth\b|§"),
)
LIST_CONNECTORS = r"^(?:和|与|及|以及|跟|、|,|，|或者|或是|或|还是|\band\b|\bor\b|\bnor\b|as well as)$"
NOT_BUT = r"不但|不仅|不只|\bnot only\b"

# Numerals: Chinese runs before a unit or after a comparator become digits.
CN_NUMERAL = r"[零〇一二两三四五六七八九十百千万]+"
NUMERAL_UNITS = r"件|条|次|个|家|人|名|元|起|宗|项|位|场|期|篇|所|万|年|以上|以下|及以上|及以下"
NUMERAL_BEFORE = (r"超过|多于|大于|高于|少于|不到|不足|低于|小于|至少|至多|不少于|不超过|不多于|不低于|最多|最少|等于|为|是|前|后"
                  r"|排名第|第|逾|达")
EN_NUMBERS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
              "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
              "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
              "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
EN_MULTIPLIERS = {"hundred": 100, "thousand": 1000}

# Years and ranges.
YEAR = r"((?:19|20)\d\d)"
YEAR_RANGES = (  # (kind, pattern): "range" takes two years, "from" / "to" / "before" one
    ("range", rf"(?:从|自)?{YEAR}\s*年?度?\s*(?:-|–|—|~|～|至|到|\bto\b|\bthrough\b|\band\b(?=\s*(?:19|20)\d\d\s*(?:年|$|\b)))"
              rf"\s*{YEAR}\s*(?:年度?|年)?(?:之间|期间|间)?"),
    ("range", rf"\bbetween\s+{YEAR}\s+and\s+{YEAR}\b|\bfrom\s+{YEAR}\s+(?:to|through|until)\s+{YEAR}\b"),
    ("from", rf"{YEAR}\s*年度?(?:以来|之后|以后|后|起)|\bsince\s+{YEAR}\b|\bafter\s+{YEAR}\b|\bfrom\s+{YEAR}\b"),
    ("to", rf"{YEAR}\s*年度?(?:以前|之前|前|为止)|\buntil\s+{YEAR}\b|\bup to\s+{YEAR}\b|\bthrough\s+{YEAR}\b"),
    ("before", rf"\bbefore\s+{YEAR}\b"),
    ("one", rf"{YEAR}\s*(?:年度|年)|\b(?:in|for|of|during)\s+{YEAR}\b"),
    ("bare", rf"(?<![\d.]){YEAR}(?![\d.])"),
)


def compile_all(pattern: str) -> re.Pattern:
    return re.compile(pattern)
