"""Topical search against a plain BM25 peer, and the fact questions, in one run (prints numbers).

    KB_INDEX_DIR=/tmp/x/index python bench/topical.py          # kb over the seeds + ../shared/real (41 files)
    ... python bench/topical.py --grid                          # the fusion / field-weight grid on both dev sets
    ... python bench/topical.py --verbose                       # per-query figures

The index must hold exactly the 41 files of the topical dev set (`kb ingest` of the seeds and
../shared/real/reports). Scored by ../shared/eval/score_topical.py itself (nDCG@10, P@5, unjudged@10),
in process: its `rank` hook takes each system's results, and document texts for offset judgements come
from the store. Judgements: the shared file, then with ours added (bench/topical-qrels.jsonl: doc_id +
offsets + grade, no text). The BM25 peer: bm25s over jieba (rjieba) search-mode tokens of the same
passages' text, no fields, no priors. Fact questions: ../shared/eval/dev.jsonl, R@5 / MRR@10 per mode.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import itertools
from pathlib import Path

import bm25s
import numpy as np
import rjieba

import kb.indexes.keyword as keyword_index
import kb.search.ranking as ranking
from kb.indexes.build import keyword_rows
from kb.search.engine import SearchEngine
from kb.search.evaluate import evaluate, load_queries
from kb.settings import PROJECT_ROOT, load_settings
from kb.text import normalize

EVAL = PROJECT_ROOT.parent / "shared" / "eval"
SHARED_QRELS = EVAL / "topical-dev.jsonl"
OUR_QRELS = PROJECT_ROOT / "bench" / "topical-qrels.jsonl"


def scorer(store):
    spec = importlib.util.spec_from_file_location("score_topical", EVAL / "score_topical.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.doc_text = lambda _url, doc_id: (store.document(doc_id) or {}).get("text", "")
    return module


class BM25Peer:
    """bm25s over jieba search-mode tokens of every passage's text."""

    def __init__(self, store):
        self.passages = list(store.iter_chunks())
        self.jieba = rjieba.Jieba()
        self.retriever = bm25s.BM25()
        self.retriever.index([self.tokens(p["text"]) for p in self.passages], show_progress=False)

    def tokens(self, text: str) -> list[str]:
        return [w for w in self.jieba.cut_for_search(normalize(text), True) if w.strip() and any(c.isalnum() for c in w)]

    def __call__(self, query: str) -> list[dict]:
        vocab = self.retriever.vocab_dict
        tokens = [t for t in self.tokens(query) if t in vocab]
        if not tokens:
            return []
        ids = [vocab[t] for t in tokens]
        docs, _ = self.retriever.retrieve([ids], k=10, show_progress=False)
        return [self.passages[i] for i in docs[0]]


def kb_ranker(engine: SearchEngine, mode: str):
    return lambda q: engine.search(q, mode=mode, k=10)["results"]


def topical(engine, score, qrels, modes=("keyword", "semantic", "hybrid"), verbose=False, quiet=False) -> dict:
    out = {}
    for mode in modes:
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink) if quiet else contextlib.nullcontext():
            out[mode] = score.score(None, qrels, mode, verbose, rank=kb_ranker(engine, mode))
    return out


def facts(engine, modes=("hybrid",)) -> dict:
    return evaluate(engine, load_queries(EVAL / "dev.jsonl"), modes=modes)


def grid(engine, score, qrels):
    """Fusion weight x context-field boost x document-prior weight, on both dev sets together."""
    rows = list(keyword_rows(engine.store.iter_chunks()))
    import tempfile
    print("context  w_kw  prior  | topical nDCG@10  P@5 | facts R@5  MRR@10 | sum", flush=True)
    results = []
    for context in (0.1, 0.3, 0.5):
        keyword_index.FIELD_BOOSTS["context"] = context
        with tempfile.TemporaryDirectory() as tmp:
            keyword_index.build_keyword_index(Path(tmp), rows)
            engine.served.indexes.keyword = keyword_index.KeywordIndex(Path(tmp))
            engine.served.evaluator.keyword = engine.served.indexes.keyword
            for w, prior in itertools.product((0.5, 0.6, 0.7, 0.8), (0.5, 1.0)):
                engine.settings.keyword_weight = w
                ranking.PRIOR_WEIGHT_OVERRIDE = prior
                nd, p5, _ = topical(engine, score, qrels, ("hybrid",), quiet=True)["hybrid"]
                f = facts(engine)["hybrid"]
                results.append((nd + f["mrr10"], context, w, prior))
                print(f"{context:7.1f}  {w:4.1f}  {prior:5.1f}  | {nd:15.3f} {p5:5.3f} | {f['r5']:9.3f} {f['mrr10']:7.3f} "
                      f"| {nd + f['mrr10']:.3f}", flush=True)
    best = max(results)
    print(f"best: context={best[1]} keyword_weight={best[2]} prior={best[3]} (topical nDCG@10 + facts MRR@10 = {best[0]:.3f})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--grid", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    engine = SearchEngine(load_settings())
    score = scorer(engine.store)
    with_ours = [str(SHARED_QRELS)] + ([str(OUR_QRELS)] if OUR_QRELS.exists() else [])
    if a.grid:
        grid(engine, score, with_ours)
        return
    peer = BM25Peer(engine.store)
    for label, qrels in (("shared judgements", [str(SHARED_QRELS)]), ("shared + bench/topical-qrels.jsonl", with_ours)):
        print(f"-- topical dev set, {label}")
        topical(engine, score, qrels, verbose=a.verbose)
        score.score(None, qrels, "bm25", a.verbose, rank=peer)
    print("-- fact questions (../shared/eval/dev.jsonl)")
    for mode, rep in facts(engine, ("keyword", "semantic", "hybrid")).items():
        print(f"{mode:8} R@5={rep['r5']:.3f} MRR@10={rep['mrr10']:.3f} aggregate {rep['aggregate']}/{rep['aggregate_total']}")
    np.seterr(all="ignore")


if __name__ == "__main__":
    main()
