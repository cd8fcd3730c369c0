"""Read: encodings, HTML, and bad files reported by name without stopping the rest."""
from __future__ import annotations

import os

import pytest

from kb.ingest import ingest_paths
from kb.readers import ReadError, read_report
from kb.report.clean import strip_pinyin
from kb.store import Store

from .conftest import SEEDS

HUNAN = strip_pinyin((SEEDS / "000_596e1eebe5f5a48f.txt").read_text(encoding="utf-8"))
LUOZHUANG = (SEEDS / "001_dd0aca17394d444a.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding, text", [
    ("gb18030", LUOZHUANG),
    ("big5", "\n".join(HUNAN.split("\n")[:14])),
    ("utf-16", LUOZHUANG),
    ("utf-16-le", LUOZHUANG),
    ("utf-8-sig", LUOZHUANG),
])
def test_encodings_are_detected(tmp_path, encoding, text):
    path = tmp_path / f"report-{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    raw = read_report(path)
    assert raw.text == text


def test_html_drops_scripts_styles_and_navigation(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>某县2019年政府信息公开工作年度报告</title><style>p{color:red}</style>"
        "<script>var tracker = 'asia28365';</script></head><body><nav>首页 | 政务公开 | 互动交流</nav>"
        "<h1>某县2019年政府信息公开工作年度报告</h1><p>一、总体情况</p><p>2019年，本县主动公开政府信息120条。</p>"
        "<table><tr><th>指标</th><th>数量</th></tr><tr><td>本年新收政府信息公开申请数量</td><td>12</td></tr></table>"
        "<footer>版权所有</footer></body></html>", encoding="utf-8")
    text = read_report(path).text
    assert "tracker" not in text and "color" not in text and "首页" not in text and "版权所有" not in text
    assert text.split("\n")[0] == "某县2019年政府信息公开工作年度报告"
    assert "一、总体情况\n2019年，本县主动公开政府信息120条。" in text
    assert "| 本年新收政府信息公开申请数量 | 12 |" in text


@pytest.mark.parametrize("name, content, reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\n ", "empty file"),
    ("image.txt", bytes(range(256)) * 40 + b"\x00\x00\x01", "binary"),
    ("report.pdf", b"%PDF-1.4 ...", "truncated PDF"),
    ("report.xls", b"PK\x03\x04 ...", "unsupported file type"),
])
def test_bad_files_are_reported_with_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReadError, match=reason):
        read_report(path)


def test_bad_files_never_stop_the_corpus(tmp_path, corpus_copy):
    (corpus_copy / "empty.txt").write_bytes(b"")
    (corpus_copy / "binary.txt").write_bytes(os.urandom(4096))
    (corpus_copy / "gbk.txt").write_bytes(LUOZHUANG.replace("罗庄区", "兰山区").encode("gb18030"))
    (corpus_copy / "big5.txt").write_bytes("\n".join(HUNAN.split("\n")[:14]).encode("big5"))
    (corpus_copy / "utf16.txt").write_bytes(LUOZHUANG.encode("utf-16"))
    (corpus_copy / "script.html").write_text(
        "<html><body><script>alert(1)</script><p>某市2019年政务公开工作要点</p><p>一、工作目标</p>"
        "<p>本要点明确全年任务。</p></body></html>", encoding="utf-8")
    (corpus_copy / "noheading.txt").write_text("本报告说明本局2019年政府信息公开工作。全年主动公开信息12条。", encoding="utf-8")
    store = Store(tmp_path / "kb.sqlite3")
    results = {r.doc_id: r for r in ingest_paths(store, [corpus_copy], chunk_chars=160)}
    assert results["empty"].status == "failed" and "empty file" in results["empty"].reason
    assert results["binary"].status == "failed" and "binary" in results["binary"].reason
    for ok in ("000_596e1eebe5f5a48f", "004_54fc93b6680cde9e", "gbk", "big5", "utf16", "script", "noheading"):
        assert results[ok].status == "added", results[ok]
    docs = {d["doc_id"]: d for d in store.documents()}
    assert docs["gbk"]["agency"] == "兰山区安全生产监督管理局"
    assert "alert" not in store.document("script")["text"]
    assert docs["script"]["doc_type"] == "work_plan"
    no_heading = store.sections("noheading")
    assert [s["level"] for s in no_heading] == [0]
    assert store.document("noheading")["text"].startswith("本报告说明")
