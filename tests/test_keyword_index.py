"""The BM25F impact index scores exactly like BM25F computed term by term; substring matches are exact."""
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
from kb.text import char_bigrams

ROWS = [
    {"chunk_id": 3, "body_tokens": ["行政复议", "行政", "复议", "案件"], "context_tokens": ["罗庄区", "安监局"],
     "compact": "行政复议案件"},
    {"chunk_id": 7, "body_tokens": ["主动公开", "条", "条"], "context_tokens": ["罗庄区", "安监局", "主动公开"],
     "compact": "主动公开条条"},
    {"chunk_id": 9, "body_tokens": ["行政诉讼", "案件", "案件", "驳回"], "context_tokens": ["三门峡市", "人民政府"],
     "compact": "行政诉讼案件案件驳回"},
]
for r in ROWS:
    r["grams_tokens"] = char_bigrams(r["compact"])


def expected_score(query: list[str], row: dict) -> float:
    total = 0.0
    for field, boost in FIELD_BOOSTS.items():
        docs = [r[f"{field}_tokens"] for r in ROWS]
        avgdl = sum(map(len, docs)) / len(docs)
        tokens = row[f"{field}_tokens"]
        terms = {g for t in query if len(t) > 1 for g in char_bigrams(t)} if field == "grams" else set(query)
        for term in terms:
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

    tokens = tokenize(query)
    scores, _ = index.scores(query)
    assert {int(index.chunk_ids[i]): pytest.approx(float(s), rel=1e-5) for i, s in enumerate(scores) if s} == \
        {r["chunk_id"]: expected_score(tokens, r) for r in ROWS if expected_score(tokens, r) > 0}
    # a match contains one of the query's words
    assert set(index.chunk_ids[index.match_mask(query)]) == {r["chunk_id"] for r in ROWS
                                                              if any(len(t) > 1 and t in r["compact"] for t in tokens)}


def test_unknown_terms_match_and_score_nothing(index):
    assert not index.match_mask("从未出现的词").any() and not index.scores("从未出现的词")[0].any()


@pytest.mark.parametrize("word", ["复议", "行政", "案件驳回", "诉讼案", "主动公开条", "政复", "案", "不在其中"])
def test_substring_mask_is_exact(index, word):
    expected = {r["chunk_id"] for r in ROWS if word in r["compact"]}
    assert set(index.chunk_ids[index.substring_mask(word)]) == expected
    within = np.array([True, False, True])
    assert set(index.chunk_ids[index.substring_mask(word, within)]) == expected - {7}


def test_a_word_inside_a_longer_token_matches(index):
    # 诉讼 is no token of chunk 9 (行政诉讼 is), yet the passage contains it
    assert "诉讼" not in ROWS[2]["body_tokens"]
    assert list(index.chunk_ids[index.match_mask("诉讼")]) == [9]
    # the context field ranks but does not make a match by itself
    assert index.scores("罗庄区")[0].any() and not index.match_mask("罗庄区").any()
