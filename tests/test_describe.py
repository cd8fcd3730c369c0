"""Describe: the seeds' metadata, derived from the text by general rules."""
from __future__ import annotations

import pytest

from kb.readers import read_report
from kb.report.clean import clean_report
from kb.report.describe import describe

from .conftest import SEEDS

EXPECTED = {
    "000_596e1eebe5f5a48f": ("湖南省安全生產監督管理局", 2017, "annual_report", "省级", "湖南省", "2018-03-22",
                             "湖南省安全生產監督管理局2017年政府信息公開工作報告", False),
    "001_dd0aca17394d444a": ("罗庄区安全生产监督管理局", 2018, "annual_report", "区县级", "山东省 临沂市 罗庄区", None,
                             "罗庄区安全生产监督管理局2018年政府信息公开工作年度报告", True),
    "002_6eecb43df29e7b4f": ("三门峡市人民政府", 2017, "annual_report", "市级", "河南省 三门峡市", "2018-03-27",
                             "三门峡市2017年政府信息公开工作年度报告", False),
    "003_e30985a69ba7359e": ("哈尔滨市安全生产监督管理局", 2018, "annual_report", "市级", "黑龙江省 哈尔滨市", None,
                             "2018年哈尔滨市安全生产监督管理局政府信息公开工作年度报告", False),
    "004_54fc93b6680cde9e": ("珠海市安全生产监督管理局", 2017, "work_plan", "市级", "广东省 珠海市", "2017-06-23",
                             "珠海市安全生产监督管理局2017年政务公开工作方案", True),
}


@pytest.mark.parametrize("doc_id", sorted(EXPECTED))
def test_seed_metadata(doc_id):
    d = describe(clean_report(read_report(SEEDS / f"{doc_id}.txt")))
    agency, year, doc_type, level, region, published, title, composed = EXPECTED[doc_id]
    assert (d.agency, d.year, d.doc_type, d.level, d.region, d.published) == \
        (agency, year, doc_type, level, region, published)
    assert (d.title, d.title_composed) == (title, composed)


def test_rules_are_general_not_keyed_on_files(tmp_path):
    """A new agency, abbreviated in the text, with no title line: same rules, other answers."""
    path = tmp_path / "zz_new_report.txt"
    path.write_text(
        "本年度报告由兰山区环保局编制。本报告中所列数据的统计期限为2019年1月1日至12月31日。"
        "如有疑问请联系兰山区环境保护局办公室。\n一、概述\n2019年，兰山区环保局主动公开政府信息共12条。\n",
        encoding="utf-8")
    d = describe(clean_report(read_report(path)))
    assert (d.agency, d.year, d.doc_type, d.level) == ("兰山区环境保护局", 2019, "annual_report", "区县级")
    assert d.region == "山东省 临沂市 兰山区"
    assert d.title == "兰山区环境保护局2019年政府信息公开工作年度报告"
