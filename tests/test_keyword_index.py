"""The BM25F impact index scores exactly like BM25F computed term by term."""
from __future__ import annotations

import math

import numpy as np
import pytest

from kb.indexes.keyword import (
    BM25_B,
    BM25_K1,
    FIELD_BOOSTS,
    KeywordIndex,
    build_keyword_index,
)

ROWS = [
    {"chunk_id": 3, "body_tokens": ["行政复议", "行政", "复议", "案件"], "context_tokens": ["罗庄区", "安监局"]},
    {"chunk_id": 7, "body_tokens": ["主动公开", "条", "条"], "context_tokens": ["罗庄区", "安监局", "主动公开"]},
    {"chunk_id": 9, "body_tokens": ["行政诉讼", "案件", "案件", "驳回"], "context_tokens": ["三门峡市", "人民政府"]},
]


def expected_score(query: list[str], row: dict) -> float:
    total = 0.0
    for field, boost in FIELD_BOOSTS.items():
        docs = [r[f"{field}_tokens"] for r in ROWS]
        avgdl = sum(map(len, docs)) / len(docs)
        tokens = row[f"{field}_tokens"]
        for term in set(query):
            tf = tokens.count(term)
            if not tf:
                continue
            df = sum(term in d for d in docs)
            idf = math.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
            total += boost * idf * tf * (BM25_K1 + 1) / (tf + BM25_K1 * (1 - BM25_B + BM25_B * len(tokens) / avgdl))
    return total


@pytest.fixture
def index(tmp_path):
    build_keyword_index(tmp_path, ROWS)
    return KeywordIndex(tmp_path)


@pytest.mark.parametrize("query", ["案件", "罗庄区主动公开", "行政复议案件", "安监局 驳回"])
def test_scores_match_bm25f(index, query):
    from kb.text import tokenize

    hits = index.search(query, 10)
    tokens = tokenize(query)
    expected = {r["chunk_id"]: expected_score(tokens, r) for r in ROWS if expected_score(tokens, r) > 0}
    assert {h.chunk_id: pytest.approx(h.score, rel=1e-5) for h in hits} == expected
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_limit_filter_and_unknown_terms(index):
    assert len(index.search("案件", 1)) == 1
    assert [h.chunk_id for h in index.search("案件", 10, np.array([9]))] == [9]
    assert index.search("案件", 10, np.array([], dtype=np.int64)) == []
    assert index.search("从未出现的词", 10) == []
