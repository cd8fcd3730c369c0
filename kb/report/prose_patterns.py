"""The pieces prose patterns of figures are written with: a number, gaps within a clause, the words for a request,
a receipt, a case, a negation. The metric registry (kb.report.metrics) composes its patterns from these."""
from __future__ import annotations

NUM = (r"(?P<n>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]{1,6})\s*(?P<approx>余|多)?\s*(?P<wan>万)?\s*"
       r"(?P<approx2>余|多)?")
GAP = r"[^。；;，,\n]{0,24}?"           # within one clause
LONG_GAP = r"[^。；;，,\n]{0,40}?"      # 受理公民、法人和其他组织向市政府及市政府办公室提出的…申请
GAP_NO_DIGIT = r"[^。；;，,\n\d]{0,12}?"
LONG_GAP_NO_DIGIT = r"[^。；;，,\n\d]{0,60}?"  # 主动公开涉及疫情防控、社会救助…等方面信息423条
NEGATION = r"(?:未曾|未(?!经)|没有|无|不存在)"   # 未经复议直接起诉 is no statement of none

REQUEST = (r"(?:(?:公开)?(?:政府|政务)?信息(?:公开)?(?:的)?申请|公开申请|申请公开政府信息"
           r"|依申请公开(?:政府)?(?:信息)?(?:事项|申请|件)?|依申请(?:公开)?(?:事项)?)")
RECEIVE = r"(?:收到|受理|接到|接收|接受|办理|处理|新收|办结)"
REQUEST_UNIT = r"(?:件|个|条|宗|项|起|次|份|人次)"
PROACTIVE_OBJECT = r"(?:政府信息|政务信息|信息|资讯)"  # 主动公开…规范性文件42件 counts documents of one kind
PROACTIVE_UNIT = r"(?:条次|条|件|项|个|篇|份)"
CASE_UNIT = r"(?:件|起|宗|个|例)"
REVIEW = r"(?:行政复议|复议)"
SUIT = r"(?:行政诉讼|诉讼|起诉|应诉)"
ABOUT_CASES = r"复议|诉讼|投诉|举报|申诉|起诉"     # a clause about a case, not about a request
ABOUT_REQUESTS = r"依申请|申请"                   # a clause about requests, not about proactive disclosure
FEE = r"(?:信息处理费|费用|检索费|复制费|复印费|成本费)"
COMPLAINT = r"(?:举报投诉|投诉举报)"
NEW_MEDIA = r"(?:微博|微信|新媒体|公众号|客户端|抖音|头条号|视频号)"
CARRY_FORWARD = r"(?:结转(?:至|到)?下(?:一)?年度?|转入下(?:一)?年度?)"
CARRY_IN = r"(?:上(?:一)?年度?结转|结转自上(?:一)?年度?|上年度?遗留)"
