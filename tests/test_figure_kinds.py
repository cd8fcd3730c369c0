"""What a figure measures, whose it is and where it is stated: one test per kind, on sentences written for the
test (issue 20). A figure is the reporting agency's count for the reporting year, or it says what else it is."""
from __future__ import annotations

import pytest

from kb.questions.figures import statements_agree
from kb.readers import read_report
from kb.report.clean import clean_report
from kb.report.describe import UNIDENTIFIED, describe
from kb.report.facts import answer_facts, extract_facts


def figures(text: str, year: int | None = None) -> dict[str, tuple[float, str]]:
    return {f.metric: (f.value, f.scope) for f in extract_facts(text, year)}


def test_a_part_after_qizhong_is_no_total():
    assert figures("本年度主动公开政府信息300条，其中政策文件40条，人事信息12条。") == {"proactive_disclosed": (300, "agency")}


def test_new_media_posts_are_their_own_metric_and_add_up():
    got = figures("全年主动公开政府信息500条。通过政务微博公开政府信息120条，通过政务微信公开政府信息80条。")
    assert got["proactive_disclosed"] == (500, "agency") and got["new_media_posts"] == (200, "agency")
    # one channel alone is never the proactive total
    alone = figures("二、主动公开情况\n本机关通过政务新媒体账号公开信息900条。")
    assert "proactive_disclosed" not in alone and alone["new_media_posts"] == (900, "agency")
    # a list of channels split by semicolons is one statement
    split = figures("通过网站公开信息400条；通过微博公开信息30条；通过微信公开信息20条。")
    assert split["new_media_posts"] == (50, "agency")
    # several channels together, the website among them, do state the total
    assert figures("通过门户网站、政务微博和政务微信主动公开政府信息700条。")["proactive_disclosed"] == (700, "agency")


def test_replies_to_deputies_suggestions_are_no_proactive_total():
    assert "proactive_disclosed" not in figures("主动公开人大代表建议和政协委员提案答复信息12条。")


def periods(text: str, year: int | None = None) -> list[tuple]:
    return [(f.metric, f.value, f.period) for f in extract_facts(text, year)]


def answered(text: str, year: int | None = None) -> dict:
    return {f.metric: f.value for f in answer_facts(extract_facts(text, year))}


def test_a_running_total_is_marked_and_never_answers_for_the_year():
    text = "截至2020年底，累计受理政府信息公开申请120件。2020年，本机关受理政府信息公开申请12件。"
    assert periods(text, 2020) == [("requests_received", 120, "cumulative"), ("requests_received", 12, "year")]
    assert answered(text, 2020) == {"requests_received": 12}
    # in one sentence the year's figure stands, whichever comes first
    for text in ("2020年受理政府信息公开申请12件，累计受理政府信息公开申请120件。",
                 "截至目前累计受理政府信息公开申请120件，2020年受理政府信息公开申请12件。"):
        assert periods(text, 2020) == [("requests_received", 12, "year")], text
    assert answered("自2008年以来累计主动公开政府信息3000条。") == {}


def test_part_of_the_year_is_marked_and_is_not_the_year():
    assert periods("2020年1-6月，本机关共受理政府信息公开申请5件。", 2020) == [("requests_received", 5, "part_year")]
    assert periods("上半年主动公开政府信息40条。") == [("proactive_disclosed", 40, "part_year")]
    assert answered("上半年主动公开政府信息40条。") == {}
    assert figures("2020年1-12月，本机关共受理政府信息公开申请9件。", 2020) == {"requests_received": (9, "agency")}


def test_another_years_figure_is_not_this_reports():
    assert figures("2020年本机关主动公开政府信息35条。此外，2021年本机关主动公开政府信息40条。", 2020) == \
        {"proactive_disclosed": (35, "agency")}
    # a report year the text never states (a wrong guess) drops nothing
    assert figures("此外，2021年本机关主动公开政府信息40条。", 2020) == {"proactive_disclosed": (40, "agency")}
    assert figures("2020年本机关主动公开政府信息40条，较2019年增加5条。", 2020) == {"proactive_disclosed": (40, "agency")}
    assert figures("2021年本机关主动公开政府信息40条。") == {"proactive_disclosed": (40, "agency")}  # no year known


def test_an_area_passage_makes_every_figure_in_it_area_wide():
    text = ("五、行政复议、诉讼和投诉情况\n全县政府系统因政府信息公开共发生行政复议3件。行政诉讼案件2件。举报投诉数量1起。\n"
            "六、机构和人员\n本机关配备工作人员2名。")
    got = figures(text)
    assert got["admin_reviews"] == (3, "area") and got["lawsuits"] == (2, "area") and got["complaints"] == (1, "area")
    assert got["staff"] == (2, "agency")   # another section
    # within the passage, a sentence naming the agency itself states its own figure
    own = extract_facts("三、依申请公开\n全市各部门共受理政府信息公开申请50件。本局受理政府信息公开申请3件。")
    assert [(f.value, f.scope) for f in own] == [(50, "area"), (3, "agency")]
    assert answer_facts(own)[0].value == 3
    # an area word earlier in the sentence scopes the figures after it
    assert figures("全市回应公众关注热点30次，举办新闻发布会5次。")["press_conferences"] == (5, "area")


def test_the_evidence_is_a_sentence_about_the_metric():
    assert "fees_charged" not in figures("三、行政管理公开\n本局公开了收费项目清单。本局没有收费项目。")
    assert figures("四、政府信息公开的收费情况\n本局没有收费项目。")["fees_charged"] == (0, "agency")
    assert "lawsuits" not in figures("本年度未产生诉讼费用。")
    # stated twice: the statement in the section about the metric answers
    text = "一、概述\n全年受理依申请公开5件，均已办结。\n三、依申请公开情况\n2020年，本机关收到政府信息公开申请5件。"
    facts = extract_facts(text)
    assert [f.value for f in facts if f.metric == "requests_received"] == [5, 5]
    assert "三、" in text[:answer_facts(facts)[0].start] and answer_facts(facts)[0].text.startswith("2020年")


@pytest.mark.parametrize("sentence, metric, value", [
    ("上年结转政府信息公开申请2件。", "requests_carried_in", 2),
    ("全年接受政府信息公开申请98件（当年办结97件，结转下年度1件）。", "requests_carried_forward", 1),
    ("本年度无上年结转的申请。", "requests_carried_in", 0),
    ("本机关配备了3名兼职工作人员负责此项工作。", "staff", 3),
    ("两次举办政府信息公开业务培训。", "training_sessions", 2),
    ("全年组织政务公开培训班三期。", "training_sessions", 3),
    ("全年发生申诉1件。", "appeals", 1),
    ("本年度受理政府信息公开申请12宗。", "requests_received", 12),
    ("因政府信息公开引起行政复议1宗。", "admin_reviews", 1),
    ("在办理依申请公开工作中未收过任何费用。", "fees_charged", 0),
    ("本年度未受理过任何政府信息公开申请。", "requests_received", 0),
])
def test_phrasings_once_missed(sentence, metric, value):
    assert figures(sentence)[metric] == (value, "agency")


def test_an_appeal_is_no_complaint():
    got = figures("本年度没有发生因政府信息公开引起的申诉。")
    assert got == {"appeals": (0, "agency")}
    assert figures("本年度无举报投诉。") == {"complaints": (0, "agency")}


def test_a_table_group_cut_off_by_the_end_of_the_text_states_no_sum():
    rows = ("三、本年度办理结果 | (一)予以公开 | 3\n(三)不予公开 | 1.属于国家秘密 | 0\n2.其他法律行政法规禁止公开 | 1\n"
            "3.危及“三安全一稳定” | 0\n")
    whole = figures(rows + "(四)无法提供 | 1.本机关不掌握相关政府信息 | 2\n四、结转下年度继续办理 | 0\n")
    assert whole["requests_denied"] == (1, "agency")
    assert "requests_denied" not in figures(rows + "4.保护第三方合法权益 | 0 | 0")


def test_statements_agree_when_a_total_is_the_sum_of_its_parts():
    assert statements_agree([172, 73, 99]) and statements_agree([5, 5]) and statements_agree([8, 5, 1, 2])
    assert not statements_agree([5, 6]) and not statements_agree([10, 3, 4])


@pytest.mark.parametrize("text, agency, level, region", [
    ("郑州市金水区人民政府关于\n2020年政府信息公开工作年度报告\n一、总体情况\n2020年，本机关主动公开政府信息120条。",
     "郑州市金水区人民政府", "区县级", "河南省 郑州市 金水区"),
    ("苏州市公安局工业园区分局2020年政府信息公开工作年度报告\n一、总体情况\n2020年，我分局主动公开政府信息120条。",
     "苏州市公安局工业园区分局", "区县级", "江苏省 苏州市"),
    ("国家税务总局南京市鼓楼区税务局2020年政府信息公开工作年度报告\n一、总体情况\n2020年，我局主动公开政府信息80条。",
     "国家税务总局南京市鼓楼区税务局", "区县级", "江苏省 南京市 鼓楼区"),
    ("国家税务总局宁波市税务局2019年政府信息公开工作年度报告\n一、总体情况\n2019年，我局主动公开政府信息80条。",
     "国家税务总局宁波市税务局", "市级", "浙江省 宁波市"),
    ("城关镇人民政府2020年政府信息公开工作年度报告\n一、总体情况\n2020年，城关镇按照岷县人民政府的部署做好政务公开。"
     "本镇主动公开政府信息80条。", "岷县城关镇人民政府", "乡镇级", "甘肃省 定西市 岷县"),
    ("区政府办公室2020年政府信息公开工作年度报告\n一、总体情况\n2020年，衢州市柯城区人民政府办公室主动公开政府信息80条。",
     "柯城区人民政府办公室", "区县级", "浙江省 衢州市 柯城区"),   # a district's office, not the city government
    ("2020年政府信息公开工作年度报告\n本报告由柯城区人民政府办公室编制。一、总体情况\n2020年，衢州市柯城区主动公开政府信息80条。",
     "柯城区人民政府", "区县级", "浙江省 衢州市 柯城区"),         # the office compiles its government's report
    ("2020年政府信息公开工作年度报告\n一、总体情况\n2020年，我单位主动公开政府信息80条。", UNIDENTIFIED, "", ""),
])
def test_metadata_long_tail(tmp_path, text, agency, level, region):
    path = tmp_path / "report.txt"
    path.write_text(text, encoding="utf-8")
    d = describe(clean_report(read_report(path)))
    assert (d.agency, d.level, d.region) == (agency, level, region)
    assert d.agency.startswith("未识别（") or "未识别" not in d.agency  # an unknown agency says why
