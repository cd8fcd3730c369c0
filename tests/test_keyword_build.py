"""The keyword index on the seed passages: an updated index equals a full build over the same passages after
any sequence of updates; a streamed build equals a one-batch build; substring matches are exact."""
from __future__ import annotations

import json
import random

import numpy as np
import pytest

from kb.indexes.build import keyword_rows
from kb.indexes.keyword import (
    KeywordIndex,
    KeywordIndexIncompatible,
    build_keyword_index,
)
from kb.indexes.keyword_files import FILES
from kb.pipeline import process_report
from kb.settings import PROJECT_ROOT

QUERIES = ["政府信息公开", "行政复议", "依申请公开", "微博", "政务微博", "主动公开政府信息多少条", "保密审查",
           "新闻发布会", "罗庄区安监局", "三门峡", "administrative", "2018年", "公开", "网", "从未出现的词"]


@pytest.fixture(scope="module")
def seed_rows() -> list[dict]:
    """Keyword rows of every passage of the seed reports (chunk ids are reassigned by the tests)."""
    chunks = []
    for path in sorted((PROJECT_ROOT / "data" / "reports").glob("*.txt")):
        doc = process_report(path, 120)
        d = doc.description
        for c in doc.chunks:
            chunks.append({"chunk_id": len(chunks), "text": c.text, "section": c.section_path, "agency": d.agency,
                           "region": d.region, "year": d.year, "title": d.title})
    return list(keyword_rows(chunks))


def with_id(row: dict, chunk_id: int) -> dict:
    return row | {"chunk_id": chunk_id}


def assert_same_index(updated_dir, full_dir):
    """Same files (the arrays bit for bit) and the same answers to every query."""
    for name in ("indptr", "rows", "impacts", "word_tfs", "gram_tfs", "grams", "lengths", "chunk_ids", "text_offsets"):
        a, b = np.load(updated_dir / FILES[name]), np.load(full_dir / FILES[name])
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    for name in ("words", "texts"):
        assert (updated_dir / FILES[name]).read_bytes() == (full_dir / FILES[name]).read_bytes(), name
    meta = {k: v for k, v in json.loads((updated_dir / FILES["meta"]).read_text()).items()
            if k not in ("update", "added", "removed", "seconds")}
    assert meta == {k: v for k, v in json.loads((full_dir / FILES["meta"]).read_text()).items()
                    if k not in ("update", "added", "removed", "seconds")}
    up, full = KeywordIndex(updated_dir), KeywordIndex(full_dir)
    assert up.size == full.size and list(up.texts) == list(full.texts) and up.vocab == full.vocab
    assert np.array_equal(up.chunk_ids, full.chunk_ids)
    for q in QUERIES:
        assert np.array_equal(up.scores(q)[0], full.scores(q)[0]), q
        assert np.array_equal(up.match_mask(q), full.match_mask(q)), q
        assert np.array_equal(up.substring_mask(q), full.substring_mask(q)), q


def test_random_updates_equal_full_builds(tmp_path, seed_rows):
    rng = random.Random(12)
    live: list[dict] = []  # the index's passages, in chunk id order
    next_id = 0
    previous = None
    steps = ["add", "remove", "both", "remove_all", "add", "both", "add", "remove", "both", "add", "remove_all",
             "add", "both"]
    for step, kind in enumerate(steps):
        removed = []
        if kind in ("remove", "both") and live:
            removed = rng.sample(live, rng.randint(1, max(1, len(live) // 3)))
        elif kind == "remove_all":
            removed = list(live)
        added = []
        if kind in ("add", "both"):
            for row in rng.sample(seed_rows, rng.randint(1, 60)):
                next_id += rng.randint(1, 3)  # gaps, as deleted passages leave
                added.append(with_id(row, next_id))
        gone = {r["chunk_id"] for r in removed}
        live = [r for r in live if r["chunk_id"] not in gone] + added
        target = tmp_path / f"step{step}"
        if previous is None:
            meta = build_keyword_index(target, iter(added))
            assert meta["update"] == "full"
        else:
            meta = build_keyword_index(target, iter(added), previous=previous,
                                       removed_chunk_ids=np.array(sorted(gone), dtype=np.int64))
            assert meta["update"] == "incremental" and meta["added"] == len(added) and meta["removed"] == len(gone)
        full = tmp_path / f"full{step}"
        build_keyword_index(full, iter(live))
        assert meta["passages"] == len(live)
        assert_same_index(target, full)
        previous = target


def test_update_rejects_old_chunk_ids_and_other_params(tmp_path, seed_rows):
    first = tmp_path / "a"
    build_keyword_index(first, [with_id(r, i + 10) for i, r in enumerate(seed_rows[:5])])
    with pytest.raises(ValueError, match="ascending chunk id"):
        build_keyword_index(tmp_path / "b", [with_id(seed_rows[6], 12)], previous=first)
    with pytest.raises(ValueError, match="ascending chunk id"):
        build_keyword_index(tmp_path / "c", [with_id(seed_rows[6], 30), with_id(seed_rows[7], 30)])
    meta_file = first / FILES["meta"]
    meta = json.loads(meta_file.read_text())
    meta_file.write_text(json.dumps(meta | {"b": 0.75}))
    with pytest.raises(KeywordIndexIncompatible, match="b 0.75"):
        build_keyword_index(tmp_path / "d", [], previous=first)


def test_full_build_streams_in_batches(tmp_path, seed_rows, monkeypatch):
    """A generator over more passages than one batch gives the same index as one batch."""
    from kb.indexes import keyword

    rows = [with_id(r, i) for i, r in enumerate(seed_rows)]
    build_keyword_index(tmp_path / "one", iter(rows))
    monkeypatch.setattr(keyword, "BATCH", 7)
    build_keyword_index(tmp_path / "many", (r for r in rows))
    assert_same_index(tmp_path / "many", tmp_path / "one")


def test_substring_masks_equal_brute_force(tmp_path, seed_rows):
    """Every path of substring_mask (one character, bigrams, a word proven by its own postings, a word
    searched in the text, a row whose tokens are not spelled in its text) against `in` on the texts."""
    rows = [with_id(r, i) for i, r in enumerate(seed_rows)]
    # a passage whose body tokens are not in its text: its tokens prove nothing
    rows.append({"chunk_id": len(rows), "body_tokens": ["行政复议", "主动公开"], "context_tokens": [], "compact": "其他"})
    rows.append({"chunk_id": len(rows), "body_tokens": ["网"], "context_tokens": [], "compact": "网"})
    build_keyword_index(tmp_path, rows)
    index = KeywordIndex(tmp_path)
    texts = [r["compact"] for r in rows]
    rng = random.Random(3)
    words = ["行政复议", "主动公开", "网", "其", "政府信息公开", "不存在的词语", "x"]
    words += [t for r in rng.sample(seed_rows, 20) for t in r["body_tokens"] if len(t) > 2][:40]
    for _ in range(60):
        text = rng.choice(texts)
        at = rng.randrange(max(1, len(text) - 1))
        words.append(text[at:at + rng.randint(1, 6)])
    within = np.array([rng.random() < 0.5 for _ in rows])
    for w in words:
        assert np.array_equal(index.substring_mask(w), np.array([w in t for t in texts])), w
        assert np.array_equal(index.substring_mask(w, within), np.array([w in t for t in texts]) & within), w
    assert not index.substring_mask("行政复议")[len(rows) - 2]
