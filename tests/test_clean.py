"""Clean: pinyin, chrome, captions and spam go; every line of the report's own text stays."""
from __future__ import annotations

import re

import pytest

from kb.readers import read_report
from kb.report.clean import clean_report, strip_pinyin, strip_spam
from kb.store import Store

from .conftest import SEEDS

# What each seed loses, line by line (read them: none is report content).
EXPECTED_REMOVED = {
    "000_596e1eebe5f5a48f": [
        "索引號:430S00043/2018-79271 公開方式:政府網站 發文日期:2018-03-22 00:00:00",
        "2018-03-22 00:00", "打印", "收藏", "關閉本頁",
        "湖南省安全生產監督管理局2017年政府信息公開工作報告",  # the title repeated in the page footer
        "7511769",  # page view counter
    ],
    "001_dd0aca17394d444a": [],
    "002_6eecb43df29e7b4f": [
        "河南省人民政府门户网站 m.soulrig.com 时间:2018-03-27 11:09 来源:三门峡市政府",
        "(市政府门户网站“重点领域政府信息公开”专栏截图)", "(全市政府信息主动公开方式比例图)",
        "(全市政府互动回应政策解读方式比例图)", "(全市受理各类政府信息公开申请方式比例图)", "(全市办理各类申请答复比例图)",
        "责任编辑:刘成", "扫一扫在手机打开当前页", "相关阅读:", "Baidu", "map",
    ],
    "003_e30985a69ba7359e": [],
    "004_54fc93b6680cde9e": [],  # the spam token goes, its line "asia28365" then is empty
}
PINYIN = re.compile(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}[)）]")
CHROME = ("打印", "收藏", "关闭本页", "關閉本頁", "责任编辑", "扫一扫在手机打开当前页", "相关阅读", "Baidu", "asia28365",
          "m.soulrig.com", "比例图", "截图")


@pytest.mark.parametrize("doc_id", sorted(EXPECTED_REMOVED))
def test_exactly_the_chrome_is_removed(doc_id):
    raw = read_report(SEEDS / f"{doc_id}.txt")
    clean = clean_report(raw)
    assert clean.removed == EXPECTED_REMOVED[doc_id]
    # Every other line of the file (pinyin and spam stripped) survives whole, in order: so every
    # sentence of the report body does. Removed lines are matched from the end (the footer repeats the title).
    lines = [ln.strip() for ln in strip_spam(strip_pinyin(raw.text)).split("\n")]
    to_remove = list(EXPECTED_REMOVED[doc_id])
    kept = []
    for line in reversed([ln for ln in lines if ln]):
        if to_remove and line == to_remove[-1]:
            to_remove.pop()
        else:
            kept.append(line)
    assert not to_remove
    assert clean.text.split("\n") == kept[::-1]


def test_pinyin_ruby_is_removed_and_real_brackets_stay():
    assert strip_pinyin("安全生產(chǎn)監(jiān)督") == "安全生產監督"
    assert strip_pinyin("(國辦發(fā)〔2017〕24號(hào))") == "(國辦發〔2017〕24號)"
    assert strip_pinyin("(駁回原告訴訟請(qǐng)求)") == "(駁回原告訴訟請求)"
    assert strip_pinyin("网站(http://www.luozhuang.gov.cn)") == "网站(http://www.luozhuang.gov.cn)"
    assert strip_pinyin("公号(map)") == "公号(map)"


def test_spam_tokens_are_removed_but_not_addresses():
    assert strip_spam("附:asia283652017年政务公开工作责任分工表") == "附:2017年政务公开工作责任分工表"
    kept = "电子邮箱:smxzwgkb@163.com 网址 http://x.cn/abcd12345 编号 ab12345@qq.com"
    assert strip_spam(kept) == kept


def test_no_stored_passage_has_pinyin_chrome_spam_or_caption(kb_settings):
    store = Store(kb_settings.db_path)
    chunks = store.db.execute("SELECT text FROM chunks").fetchall()
    assert len(chunks) > 100
    for (text,) in chunks:
        assert not PINYIN.search(text), text
        for c in CHROME:
            assert c not in text, (c, text)
