"""Readers: each seed (and the 2020 template) as PDF, .docx and a saved portal page reads as its .txt does;
page numbers survive cleaning; bad files are reported by name with the reason, the rest is ingested.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from kb.ingest import ingest_paths
from kb.pipeline import process_report
from kb.readers import ReadError, read_report
from kb.report.clean import strip_pinyin
from kb.settings import PROJECT_ROOT
from kb.store import Store

from .conftest import SEEDS
from .fixtures.formats import (SEPARATOR_ROW, docx_file, encrypted_pdf, pdf_without_pages, portal_html,
                               report_lines, scanned_pdf, text_pdf)

FIXTURES = Path(__file__).parent / "fixtures"
KINDS = ("pdf", "docx", "html")


def _title_lines(text: str) -> int:
    """How many of the first lines are the report's title (they go in the portal page's h1)."""
    lines = report_lines(text)
    n = 0
    while n < min(2, len(lines)) and len(lines[n]) <= 40 and "。" not in lines[n] and (
            "报告" in lines[n] or "報告" in lines[n] or n == 0 and "报告" in "".join(lines[:2])):
        n += 1
    return n


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """{name: {"txt": path, "pdf": ..., "docx": ..., "html": ...}} for the seeds and the template."""
    out = tmp_path_factory.mktemp("formats")
    sources = sorted(SEEDS.glob("*.txt")) + [FIXTURES / "template_2020.md"]
    files = {}
    for source in sources:
        text = source.read_text(encoding="utf-8")
        name = source.stem
        # The template's markdown separator rows are markup, not report text.
        txt = out / f"{name}.txt"
        txt.write_text("\n".join(ln for ln in text.splitlines() if not SEPARATOR_ROW.match(ln.strip())),
                       encoding="utf-8")
        # The page states the date the report itself gives (or one early in the next year, when annual
        # reports come out): a made-up 发布时间 would be evidence against the text.
        described = process_report(txt, 160).description
        published = described.published or f"{(described.year or 2018) + 1}-01-31"
        files[name] = {
            "txt": txt,
            "pdf": text_pdf(text, out / f"{name}.pdf"),
            "docx": docx_file(text, out / f"{name}.docx"),
            "html": portal_html(text, out / f"{name}.html", title_lines=_title_lines(text), published=published),
        }
    return files


@pytest.fixture(scope="module")
def processed(corpus):
    return {(name, kind): process_report(path, 160) for name, paths in corpus.items() for kind, path in paths.items()}


def _summary(doc):
    d = doc.description
    return {"agency": d.agency, "year": d.year, "doc_type": d.doc_type, "title": d.title,
            "sections": [(s.level, s.number, s.title) for s in doc.sections],
            "facts": sorted((f.metric, f.value, f.approx) for f in doc.facts)}


@pytest.mark.parametrize("kind", KINDS)
def test_every_format_reads_as_the_txt(corpus, processed, kind):
    """Agency, year, type, title, sections, figures and the passages themselves come out as from the .txt."""
    for name in corpus:
        txt, other = processed[(name, "txt")], processed[(name, kind)]
        assert _summary(other) == _summary(txt), (name, kind)
        assert [c.text for c in other.chunks] == [c.text for c in txt.chunks], (name, kind)
        assert other.raw.source_type == kind


def test_the_template_pdf_yields_every_table_row_and_figure(corpus, processed):
    doc = processed[("template_2020", "pdf")]
    rows = [ln for ln in corpus["template_2020"]["txt"].read_text(encoding="utf-8").splitlines() if ln.startswith("|")]
    text_rows = [ln for ln in doc.raw.text.splitlines() if ln.startswith("|")]
    assert text_rows == rows
    assert "| 一、本年新收政府信息公开申请数量 | | 31 | 6 | 0 | 1 | 2 | 0 | 40 |" in doc.text  # "4\n0" in its cell
    facts = {f.metric: f.value for f in doc.facts}
    assert facts == {f.metric: f.value for f in processed[("template_2020", "txt")].facts}
    assert {m: facts[m] for m in ("requests_received", "requests_granted", "admin_reviews", "lawsuits",
                                  "fees_charged")} == {"requests_received": 40, "requests_granted": 19,
                                                       "admin_reviews": 3, "lawsuits": 3, "fees_charged": 0}


def test_pdf_running_header_and_page_numbers_are_dropped(corpus, processed):
    for name in corpus:
        raw = processed[(name, "pdf")].raw
        assert raw.pages == len(pdfium.PdfDocument(corpus[name]["pdf"])) >= 2
        assert not re.search(r"^— \d+ —$", raw.text, re.M), name
        assert "政府信息公开\n" not in raw.text[:30] or name.startswith("003"), name
        assert raw.meta == {} and raw.ocr is False


def test_passages_know_their_page(corpus, processed):
    """A passage's page is the PDF page its first characters are printed on, through cleaning."""
    for name in corpus:
        doc = processed[(name, "pdf")]
        pdf = pdfium.PdfDocument(corpus[name]["pdf"])
        page_texts = [strip_pinyin("".join(page.get_textpage().get_text_range().split())) for page in pdf]
        pages = [c.page for c in doc.chunks]
        assert pages[0] == 1 and pages == sorted(pages) and pages[-1] == len(page_texts), (name, pages)
        for chunk in doc.chunks:
            head = "".join(chunk.text.split())[:6].strip("|")
            assert head in page_texts[chunk.page - 1], (name, chunk.page, chunk.text[:20])
        assert doc.page_starts[0] == 0 and len(doc.page_starts) == len(page_texts)
    # Cleaning removes the portal lines at the top of 002 and the pinyin of 000: pages still line up.
    assert processed[("000_596e1eebe5f5a48f", "pdf")].text == processed[("000_596e1eebe5f5a48f", "txt")].text


def test_portal_page_metadata(corpus, processed):
    raw = processed[("003_e30985a69ba7359e", "html")].raw
    assert raw.meta == {"title": "2018年哈尔滨市安全生产监督管理局政府信息公开工作年度报告", "published": "2019-01-31",
                        "source": "市政府办公室", "url": "http://www.example.gov.cn/art/2018/3/27/art_1.html"}
    text = raw.text
    for chrome in ("无障碍", "当前位置", "相关阅读", "网站标识码", "打印本页", "关于做好政务公开工作的通知", "_hmt"):
        assert chrome not in text, chrome
    assert text.startswith("2018年哈尔滨市安全生产监督管理局\n政府信息公开工作年度报告\n本年度报告依据")
    # A page with no visible title: the <title> is metadata only, never text.
    raw = processed[("001_dd0aca17394d444a", "html")].raw
    assert raw.meta["title"] == "政府信息公开_市人民政府门户网站" and "门户网站\n" not in raw.text[:80]


def test_docx_list_numbers_and_merged_cells(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("某区2021年政府信息公开工作年度报告", style="Title")
    document.add_paragraph("总体情况", style="List Number")
    document.add_paragraph("本区全年主动公开政府信息120条。")
    document.add_paragraph("存在问题", style="List Number")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "申请人情况"
    table.cell(0, 2).text = "总计"
    for i, value in enumerate(("自然人", "3", "3")):
        table.cell(1, i).text = value
    document.save(tmp_path / "numbered.docx")
    lines = read_report(tmp_path / "numbered.docx").text.split("\n")
    assert lines == ["某区2021年政府信息公开工作年度报告", "1.总体情况", "本区全年主动公开政府信息120条。", "2.存在问题",
                     "| 申请人情况 | | 总计 |", "| 自然人 | 3 | 3 |"]


def test_legacy_word_without_libreoffice_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice on it
    (tmp_path / "report.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    (tmp_path / "report.wps").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    for name in ("report.doc", "report.wps"):
        with pytest.raises(ReadError, match=r"needs LibreOffice .*apt-get install libreoffice-writer.*or save .* as \.docx"):
            read_report(tmp_path / name)


@pytest.mark.skipif(not (os.path.exists("/usr/bin/soffice") or os.path.exists("/usr/bin/libreoffice")),
                    reason="LibreOffice is not installed (apt-get install libreoffice-writer)")
def test_doc_converted_by_libreoffice(tmp_path, corpus, processed):
    source = corpus["002_6eecb43df29e7b4f"]["docx"]
    subprocess.run(["soffice", "--headless", "--convert-to", "doc", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    doc = process_report(tmp_path / f"{source.stem}.doc", 160)
    assert doc.raw.source_type == "doc"
    assert _summary(doc) == _summary(processed[("002_6eecb43df29e7b4f", "txt")])


def test_bad_files_are_reported_by_name_and_the_rest_ingested(tmp_path, corpus):
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("001_dd0aca17394d444a", "003_e30985a69ba7359e"):
        for kind in ("pdf", "docx", "html"):
            target = folder / f"{name}_{kind}.{kind}"
            target.write_bytes(corpus[name][kind].read_bytes())
    full = corpus["002_6eecb43df29e7b4f"]["pdf"].read_bytes()
    encrypted_pdf("某县2019年政府信息公开工作年度报告", folder / "encrypted.pdf")
    pdf_without_pages(folder / "nopages.pdf")
    (folder / "truncated.pdf").write_bytes(full[:len(full) // 2])
    (folder / "notapdf.pdf").write_bytes(b"<html><body>404 Not Found</body></html>")
    with zipfile.ZipFile(folder / "renamed.docx", "w") as z:
        z.writestr("data.csv", "a,b\n1,2\n")
        z.writestr("image.png", b"\x89PNG")
    (folder / "plain.docx").write_text("这不是Word文件", encoding="utf-8")
    store = Store(tmp_path / "kb.sqlite3")
    results = {r.doc_id: r for r in ingest_paths(store, [folder], chunk_chars=160)}
    reasons = {doc_id: r.reason for doc_id, r in results.items() if r.status == "failed"}
    assert reasons == {
        "encrypted": "encrypted PDF: it needs a password to open",
        "nopages": "PDF has no pages",
        "truncated": "truncated PDF (no %%EOF end marker): the file is incomplete, download it again",
        "notapdf": "not a PDF file (no %PDF header)",
        "renamed": "not a Word document: the zip has no word/document.xml (it holds data.csv, image.png)",
        "plain": "not a Word document (.docx is a zip package; this file is not one)",
    }
    added = {doc_id: r for doc_id, r in results.items() if r.status == "added"}
    assert len(added) == 6
    assert added["003_e30985a69ba7359e_pdf"].pages == 3 and added["003_e30985a69ba7359e_pdf"].source_type == "pdf"
    assert added["003_e30985a69ba7359e_pdf"].provenance() == "pdf, 3 pages"
    stored = store.document("003_e30985a69ba7359e_pdf")
    assert (stored["source_type"], stored["pages"], stored["ocr"]) == ("pdf", 3, False)
    assert len(stored["page_starts"]) == 3 and stored["page_starts"][0] == 0
    pages = [r[0] for r in store.db.execute("SELECT page FROM chunks WHERE doc_id = ? ORDER BY ordinal",
                                            ("003_e30985a69ba7359e_pdf",))]
    assert pages[0] == 1 and pages[-1] == 3
    assert store.document("003_e30985a69ba7359e_html")["pages"] is None


def test_a_200_page_pdf_time_and_memory(tmp_path):
    """Read in a child process so its peak memory is its own; the numbers are printed (pytest -s)."""
    text = (SEEDS / "002_6eecb43df29e7b4f.txt").read_text(encoding="utf-8")
    path = text_pdf(text, tmp_path / "long.pdf", pages=200)
    # Reading only: the whole pipeline on it is measured by bench/read_pdf.py.
    # Peak memory from VmHWM: ru_maxrss would count the parent's memory at fork (it survives exec).
    code = ("import json, re, sys, time; from kb.readers import read_report; t = time.perf_counter(); "
            "r = read_report(sys.argv[1]); s = time.perf_counter() - t; "
            "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1); "
            "print(json.dumps({'pages': r.pages, 'page_starts': len(r.page_starts), "
            "'chars': len(r.text), 'seconds': s, 'peak_mb': int(hwm) / 1024}))")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True,
                         env=os.environ | {"PYTHONPATH": str(PROJECT_ROOT)}, timeout=300)
    numbers = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"\n200-page PDF: {numbers}")
    assert numbers["pages"] >= 200 and numbers["page_starts"] == numbers["pages"] and numbers["chars"] > 200_000
    assert numbers["seconds"] < 120 and numbers["peak_mb"] < 1000


def test_ingest_without_ocr_says_what_to_install(tmp_path, corpus):
    """`kb ingest` on a folder with a scanned PDF, where rapidocr is not installed (hidden from the import)."""
    folder = tmp_path / "reports"
    folder.mkdir()
    scanned_pdf(corpus["004_54fc93b6680cde9e"]["pdf"], folder / "scan.pdf", dpi=50)
    (folder / "001.txt").write_bytes(corpus["001_dd0aca17394d444a"]["txt"].read_bytes())
    code = ("import sys; sys.modules['rapidocr_onnxruntime'] = None; from kb.cli import main; "
            "main(['ingest', sys.argv[1]])")
    out = subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True, text=True, timeout=300,
                         env=os.environ | {"PYTHONPATH": str(PROJECT_ROOT), "KB_INDEX_DIR": str(tmp_path / "index")})
    assert out.returncode == 1, out.stderr
    assert "failed    scan  (no text layer (a scanned PDF, 4 pages): install kb[ocr] (pip install 'kb[ocr]'))" \
        in out.stdout
    assert "added     001  (txt)" in out.stdout
