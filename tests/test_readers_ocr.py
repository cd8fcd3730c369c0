"""OCR (kb[ocr]): a scanned page of a seed, read with RapidOCR, keeps >= 98 % of its characters; the document
page marks OCR text and a cited passage's page. OCR costs ~20-50 s a page on 2 cores, so the tests OCR one
page of one seed and a strip of another as an image; bench/read_ocr.py measures all five seeds.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from kb.ingest import update_knowledge_base
from kb.pipeline import process_report
from kb.settings import load_settings

from .conftest import SEEDS
from .fixtures.formats import page_image, scanned_pdf, text_pdf

pytest.importorskip("rapidocr_onnxruntime", reason="OCR needs the [ocr] extra: pip install -e '.[ocr]'")
Levenshtein = pytest.importorskip("rapidfuzz.distance").Levenshtein

SANMENXIA = SEEDS / "002_6eecb43df29e7b4f.txt"


def chars_kept(reference: str, got: str) -> float:
    """1 - edit distance / length over the texts without whitespace, NFKC (full- and half-width alike)."""
    a, b = (unicodedata.normalize("NFKC", "".join(t.split())) for t in (reference, got))
    return 1 - Levenshtein.distance(a, b) / len(a)


def _first_page_of(seed: Path, folder: Path, lines: int) -> tuple[Path, Path]:
    """The seed's first `lines` lines as a text PDF (.txt beside it, for reference)."""
    text = "\n".join(seed.read_text(encoding="utf-8").splitlines()[:lines])
    txt = folder / f"{seed.stem}.txt"
    txt.write_text(text, encoding="utf-8")
    return txt, text_pdf(text, folder / f"{seed.stem}.text.pdf")


@pytest.fixture(scope="module")
def scanned_kb(tmp_path_factory):
    """A knowledge base holding one scanned page (no text layer) of the Sanmenxia seed."""
    folder = tmp_path_factory.mktemp("scans")
    reports = folder / "reports"
    reports.mkdir()
    txt, pdf = _first_page_of(SANMENXIA, folder, 7)
    scanned_pdf(pdf, reports / "sanmenxia_scan.pdf", dpi=200)
    settings = load_settings(index_dir=folder / "index", reports_dir=reports)
    results, _ = update_knowledge_base(settings)
    return settings, results, txt


def test_scanned_pdf_is_ocrd_with_provenance(scanned_kb):
    settings, results, txt = scanned_kb
    (result,) = results
    assert result.status == "added" and result.source_type == "pdf" and result.ocr and result.pages == 1
    assert result.provenance().startswith("pdf, 1 page, OCR ") and result.seconds > 0
    print(f"\nOCR of one page: {result.seconds:.1f} s")
    from kb.store import Store

    store = Store(settings.db_path)
    doc = store.document("sanmenxia_scan")
    reference = process_report(txt, 160)
    kept = chars_kept(reference.text, doc["text"])
    print(f"characters kept: {kept:.4f}")
    assert kept >= 0.98
    assert (doc["source_type"], doc["pages"], doc["ocr"], doc["page_starts"]) == ("pdf", 1, True, [0])
    assert doc["year"] == reference.description.year and doc["doc_type"] == reference.description.doc_type
    assert [r[0] for r in store.db.execute("SELECT DISTINCT page FROM chunks WHERE doc_id = 'sanmenxia_scan'")] == [1]


def test_document_page_marks_ocr_text_and_the_cited_page(scanned_kb):
    from web import create_app

    settings, _, _ = scanned_kb
    client = create_app({"KB_SETTINGS": settings, "TESTING": True}).test_client()
    api = client.get("/api/documents/sanmenxia_scan").get_json()
    assert (api["source_type"], api["pages"], api["ocr"], api["page_starts"]) == ("pdf", 1, True, [0])
    page = client.get("/documents/sanmenxia_scan?start=10&end=40").get_data(as_text=True)
    assert "OCR 识别文本" in page and "共 1 页" in page and "第 1 页，第 10–40 字" in page


def test_an_image_is_ocrd(tmp_path):
    """A photographed strip of a page (.png): lines grouped into paragraphs as in the .txt."""
    txt, pdf = _first_page_of(SEEDS / "003_e30985a69ba7359e.txt", tmp_path, 3)
    image = page_image(pdf, tmp_path / "strip.png", dpi=200)
    from PIL import Image

    with Image.open(image) as im:  # the three lines, below the running header (one page: no repeats to see)
        im.crop((0, im.height * 6 // 100, im.width, im.height // 3)).save(image)
    doc = process_report(image, 160)
    reference = process_report(txt, 160)
    assert (doc.raw.source_type, doc.raw.pages, doc.raw.ocr) == ("image", 1, True)
    assert len(doc.text.split("\n")) == len(reference.text.split("\n")) == 3
    assert chars_kept(reference.text, doc.text) >= 0.98
    assert doc.description.agency == reference.description.agency and doc.description.year == 2018
