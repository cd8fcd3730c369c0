"""Measure chunk size, fusion method and keyword weight on a query set (prints a table).

    python bench/tune.py ../shared/eval/dev.jsonl [--sizes 80,120,200,300]
    python bench/tune.py ../shared/eval/dev.jsonl --bm25     # BM25 B, K1 and the context-field boost

Each chunk size gets its own temporary store and index; numbers are R@5 / MRR@10 over passage queries.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import kb.indexes.keyword as keyword_index
from kb.indexes.build import keyword_rows
from kb.ingest import update_knowledge_base
from kb.questions import answer_question
from kb.search.engine import SearchEngine
from kb.search.evaluate import evaluate, first_hit_rank, load_queries
from kb.search.filters import Filters
from kb.settings import load_settings


def score(engine: SearchEngine, queries: list[dict], mode: str, method: str = "convex", weight: float = 0.5):
    r5 = mrr = 0.0
    for q in queries:
        ranking = engine.ranking(q["query"], mode, Filters(), method, weight)
        ids = [int(ranking.served.indexes.catalog.chunk_ids[ranking.fused.rows[i]]) for i in engine.order(ranking, stop=10)]
        texts = engine.store.chunks_by_id(ids)
        rank = first_hit_rank([texts[i] for i in ids], q["gold"])
        r5 += bool(rank and rank <= 5)
        mrr += 1 / rank if rank else 0
    return r5 / len(queries), mrr / len(queries)


def bm25_grid(queries_path: Path) -> None:
    """Keyword and hybrid numbers over B, K1 and the context boost, on the default index."""
    engine = SearchEngine(load_settings(), answer=answer_question)
    queries = load_queries(queries_path)
    rows = list(keyword_rows(engine.store.iter_chunks()))
    for b in (0.3, 0.5, 0.75):
        for k1 in (0.9, 1.2, 1.6):
            for boost in (0.2, 0.35, 0.5, 0.8):
                keyword_index.FIELD_BOOSTS["context"] = boost
                keyword_index.BM25_B, keyword_index.BM25_K1 = b, k1
                with tempfile.TemporaryDirectory() as tmp:
                    keyword_index.build_keyword_index(Path(tmp), rows)
                    engine.indexes.keyword = keyword_index.KeywordIndex(Path(tmp))
                rep = evaluate(engine, queries, modes=("keyword", "hybrid"))
                print(f"B={b} K1={k1} context={boost}  keyword {rep['keyword']['r5']:.3f}/{rep['keyword']['mrr10']:.3f}"
                      f"  hybrid {rep['hybrid']['r5']:.3f}/{rep['hybrid']['mrr10']:.3f}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("queries")
    ap.add_argument("--sizes", default="80,120,160,200,300")
    ap.add_argument("--weights", default="0.3,0.4,0.5,0.6,0.7,0.8")
    ap.add_argument("--bm25", action="store_true", help="tune BM25 parameters instead")
    a = ap.parse_args()
    if a.bm25:
        bm25_grid(Path(a.queries))
        return
    queries = [q for q in load_queries(Path(a.queries)) if "gold" in q]
    print(f"{len(queries)} passage queries")
    for size in (int(s) for s in a.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(index_dir=Path(tmp), chunk_chars=size)
            update_knowledge_base(settings)
            engine = SearchEngine(settings, answer=answer_question)
            row = [f"size={size:4d} chunks={engine.indexes.params['chunks']:4d}"]
            for mode in ("keyword", "semantic"):
                row.append(f"{mode} {score(engine, queries, mode)[0]:.3f}/{score(engine, queries, mode)[1]:.3f}")
            row.append(f"rrf {'/'.join(f'{x:.3f}' for x in score(engine, queries, 'hybrid', 'rrf'))}")
            for w in (float(x) for x in a.weights.split(",")):
                row.append(f"w{w:.1f} {'/'.join(f'{x:.3f}' for x in score(engine, queries, 'hybrid', 'convex', w))}")
            print("  ".join(row), flush=True)


if __name__ == "__main__":
    main()
