"""Sections (pinned in tests/golden/sections.txt) and chunks (exact offsets, inside one section)."""
from __future__ import annotations

import os
from pathlib import Path

from kb.pipeline import process_report
from kb.report.chunks import chunk_sections
from kb.report.sections import split_sections
from kb.store import Store

from .conftest import SEEDS

GOLDEN = Path(__file__).parent / "golden" / "sections.txt"


def section_tree_text() -> str:
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        doc = process_report(path, 160)
        out.append(path.stem)
        for s in doc.sections:
            out.append(f"{'  ' * (s.level + 1)}{s.number}{s.title}  [{s.start}:{s.end}]")
        out.append("")
    return "\n".join(out)


def test_section_trees_match_golden_file():
    text = section_tree_text()
    if os.environ.get("KB_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_heading_forms_full_and_half_width():
    text = "前言一句。\n一、总体情况\n（一）主动公开\n1．网站\n（1）栏目\n(二)依申请公开\n２、办理\n二、问题"
    sections = split_sections(text)
    assert [(s.level, s.number) for s in sections] == [
        (0, ""), (1, "一、"), (2, "（一）"), (3, "1．"), (4, "（1）"), (2, "(二)"), (3, "２、"), (1, "二、")]
    assert sections[4].path == ["一、总体情况", "（一）主动公开", "1．网站", "（1）栏目"]
    assert sections[6].parent == 5 and sections[7].parent is None
    for s in sections:
        assert text[s.start:s.end].startswith(s.number)


def test_run_in_heading_title_is_its_first_sentence():
    sections = split_sections("(一)加强组织领导,严格落实责任。按照要求层层抓落实。")
    assert sections[0].title == "加强组织领导,严格落实责任"


def test_every_chunk_round_trips_and_stays_in_its_section(kb_settings):
    store = Store(kb_settings.db_path)
    for doc in store.documents():
        text = store.document(doc["doc_id"])["text"]
        sections = {s["ordinal"]: s for s in store.sections(doc["doc_id"])}
        rows = store.db.execute('SELECT start, "end", text, section_ordinal FROM chunks WHERE doc_id = ?',
                                (doc["doc_id"],)).fetchall()
        assert rows
        for start, end, chunk_text, ordinal in rows:
            assert text[start:end] == chunk_text
            s = sections[ordinal]
            assert s["start"] <= start and end <= s["body_end"], (doc["doc_id"], chunk_text)


def test_chunks_pack_sentences_to_the_target():
    doc = process_report(SEEDS / "002_6eecb43df29e7b4f.txt", 160)
    sizes = [c.end - c.start for c in doc.chunks]
    assert max(sizes) <= 3 * 160
    assert sum(sizes) / len(sizes) > 80
    # a chunk ends at a sentence end or the end of its section
    for c in doc.chunks:
        section = doc.sections[c.section_ordinal]
        assert doc.text[c.end - 1] in "。；！？;!?”’」』）)" or c.end == section.body_end or doc.text[c.end] == "\n"


def test_document_without_headings_is_one_preamble_section():
    text = "本报告说明本局工作。" * 40
    sections = split_sections(text)
    assert len(sections) == 1 and sections[0].level == 0 and sections[0].end == len(text)
    chunks = chunk_sections(text, sections, 160)
    assert "".join(c.text for c in chunks) == text
