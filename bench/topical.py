"""Topical search against a plain BM25 peer, and the fact questions, in one run (prints numbers).

    KB_INDEX_DIR=/tmp/x/index python bench/topical.py          # kb over the seeds + ../shared/real (41 files)
    ... python bench/topical.py --grid                          # the topical ranking's grid on both dev sets
    ... python bench/topical.py --verbose                       # per-query figures
    ... python bench/topical.py --pool bench/out/pool.jsonl     # what nobody judged yet, for the judges
    python bench/topical.py --add bench/out/judged.jsonl        # their grades into bench/topical-qrels.jsonl

The index must hold exactly the 41 files of the topical dev set (`kb ingest` of the seeds and
../shared/real/reports). Scored by ../shared/eval/score_topical.py itself (nDCG@10, P@5, unjudged@10),
in process: its `rank` hook takes each system's results, and document texts for offset judgements come
from the store. Judgements: the shared file, then with ours added (bench/topical-qrels.jsonl: doc_id +
offsets + grade, no text). The BM25 peer: bm25s over jieba (rjieba) search-mode tokens of the same
passages' text, no fields, no priors. Fact questions: ../shared/eval/dev.jsonl, R@5 / MRR@10 per mode,
on an index of the seeds alone (as `kb eval` scores it; --facts-index to choose another).
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import itertools
import json
from pathlib import Path

import bm25s
import rjieba

import kb.search.ranking as ranking
from kb.ingest import update_knowledge_base
from kb.questions import answer_question
from kb.search.engine import SearchEngine
from kb.search.evaluate import evaluate, load_queries
from kb.settings import PROJECT_ROOT, load_settings
from kb.text import normalize

EVAL = PROJECT_ROOT.parent / "shared" / "eval"
SHARED_QRELS = EVAL / "topical-dev.jsonl"
OUR_QRELS = PROJECT_ROOT / "bench" / "topical-qrels.jsonl"


def seeds_index() -> Path:
    """An index of the seeds alone (what `kb eval ../shared/eval/dev.jsonl` scores), built once."""
    directory = PROJECT_ROOT / "bench" / "out" / "seeds"
    if not (directory / "kb.sqlite3").exists():
        update_knowledge_base(load_settings(index_dir=directory), [PROJECT_ROOT / "data" / "reports"])
    return directory


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

    def __call__(self, query: str, k: int = 10) -> list[dict]:
        vocab = self.retriever.vocab_dict
        tokens = [t for t in self.tokens(query) if t in vocab]
        if not tokens:
            return []
        ids = [vocab[t] for t in tokens]
        docs, _ = self.retriever.retrieve([ids], k=min(k, len(self.passages)), show_progress=False)
        return [self.passages[i] for i in docs[0]]


def kb_ranker(engine: SearchEngine, mode: str):
    return lambda q: engine.search(q, mode=mode, k=10)["results"]


def topical(engine, score, qrels, modes=("keyword", "semantic", "hybrid"), verbose=False, quiet=False) -> dict:
    out = {}
    for mode in modes:
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink) if quiet else contextlib.nullcontext():
            out[mode] = score.score("store", qrels, mode, verbose, rank=kb_ranker(engine, mode))
    return out


def facts(engine, modes=("hybrid",)) -> dict:
    return evaluate(engine, load_queries(EVAL / "dev.jsonl"), modes=modes)


GRID = {"TOPICAL_CONTEXT": (0.0, 0.25, 0.5), "TOPICAL_KEYWORD_WEIGHT": (0.7, 0.8, 0.9, 1.0),
        "SHORT_PENALTY": (0.1, 0.2, 0.4), "COVERAGE_WEIGHT": (0.2, 0.4, 0.8, 1.6)}


def grid(engine, facts_engine, score, qrels):
    """The topical ranking's constants (kb.search.ranking) over GRID, on both dev sets together: topical
    nDCG@10 + fact MRR@10 (dev.jsonl on facts_engine's index). Fact questions that name a report do
    not read these constants; dev.jsonl's topical questions (no agency named) do."""
    names = list(GRID)
    print("  ".join(f"{n:>22}" for n in names) + " | topical nDCG@10  P@5 | facts R@5 MRR@10 | sum", flush=True)
    results = []
    for values in itertools.product(*GRID.values()):
        for name, value in zip(names, values, strict=True):
            setattr(ranking, name, value)
        nd, p5, _ = topical(engine, score, qrels, ("hybrid",), quiet=True)["hybrid"]
        f = facts(facts_engine)["hybrid"]
        results.append((round(nd + f["mrr10"], 4), f["r5"], values))
        print("  ".join(f"{v:>22}" for v in values) + f" | {nd:15.3f} {p5:5.3f} | {f['r5']:9.3f} {f['mrr10']:6.3f} "
              f"| {nd + f['mrr10']:.3f}", flush=True)
    best = max(r for r in results if r[1] == max(x[1] for x in results))
    print("best (highest R@5 first, then the sum): " + ", ".join(f"{n}={v}" for n, v in zip(names, best[2], strict=True)))


def pool(engine, score, qrels, out: Path, depth: int) -> int:
    """Write the passages that kb's three modes and the BM25 peer put in their first `depth` and that no
    judgement covers (one line each: qid, query, doc_id, start, end and the text to judge; under
    bench/out/, which git ignores: the text is the reports'). Judges add "grade" by the rules at the
    top of score_topical.py; `--add` keeps their grades without the text."""
    queries, judged, ideal = score.load(qrels, "store")
    peer = BM25Peer(engine.store)
    found: dict = {}
    for qid, query in sorted(queries.items()):
        if not any(ideal[qid]):
            continue
        ranked = [engine.search(query, mode=m, k=depth)["results"] for m in ("hybrid", "keyword", "semantic")]
        ranked.append(peer(query, depth))
        for r in (r for results in ranked for r in results):
            if score.grade_of(r, judged[qid]) is None and (qid, r["chunk_id"]) not in found:
                found[(qid, r["chunk_id"])] = {"qid": qid, "query": query, "doc_id": r["doc_id"], "text": r["text"]}
    offsets = engine.store.chunks_by_id([chunk_id for _, chunk_id in found])
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for (_, chunk_id), line in found.items():
            place = {"start": offsets[chunk_id]["start"], "end": offsets[chunk_id]["end"]}
            f.write(json.dumps(line | place, ensure_ascii=False) + "\n")
    return len(found)


def add(judged: Path) -> int:
    """Append graded pool lines to bench/topical-qrels.jsonl as offsets (no text), once each."""
    def key(j):
        return j["qid"], j["doc_id"], j["start"], j["end"]
    have = {key(json.loads(line)) for line in OUR_QRELS.read_text(encoding="utf-8").splitlines() if line.strip()}
    added = 0
    with OUR_QRELS.open("a", encoding="utf-8") as f:
        for line in judged.read_text(encoding="utf-8").splitlines():
            j = json.loads(line) if line.strip() else None
            if j is None or key(j) in have or j.get("grade") not in (0, 1, 2):
                continue
            have.add(key(j))
            f.write(json.dumps({k: j[k] for k in ("qid", "query", "doc_id", "start", "end", "grade")},
                               ensure_ascii=False) + "\n")
            added += 1
    return added


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--grid", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--facts-index", type=Path, help="the index dev.jsonl is scored on (default: the seeds "
                    "alone, built here under bench/out/seeds on first use)")
    ap.add_argument("--pool", type=Path, help="write the unjudged passages of every system's first --depth here")
    ap.add_argument("--depth", type=int, default=20)
    ap.add_argument("--add", type=Path, help="append these graded pool lines to bench/topical-qrels.jsonl")
    a = ap.parse_args()
    if a.add:
        print(f"{add(a.add)} judgements added to {OUR_QRELS}")
        return
    engine = SearchEngine(load_settings(), answer=answer_question)
    facts_engine = SearchEngine(load_settings(index_dir=a.facts_index or seeds_index()), answer=answer_question)
    score = scorer(engine.store)
    with_ours = [str(SHARED_QRELS)] + ([str(OUR_QRELS)] if OUR_QRELS.exists() else [])
    if a.grid:
        grid(engine, facts_engine, score, with_ours)
        return
    if a.pool:
        print(f"{pool(engine, score, with_ours, a.pool, a.depth)} unjudged passages written to {a.pool}")
        return
    peer = BM25Peer(engine.store)
    for label, qrels in (("shared judgements", [str(SHARED_QRELS)]), ("shared + bench/topical-qrels.jsonl", with_ours)):
        print(f"-- topical dev set, {label}")
        topical(engine, score, qrels, verbose=a.verbose)
        score.score("store", qrels, "bm25", a.verbose, rank=peer)
    print(f"-- fact questions (../shared/eval/dev.jsonl on {facts_engine.settings.index_dir})")
    for mode, rep in facts(facts_engine, ("keyword", "semantic", "hybrid")).items():
        print(f"{mode:8} R@5={rep['r5']:.3f} MRR@10={rep['mrr10']:.3f} aggregate {rep['aggregate']}/{rep['aggregate_total']}")


if __name__ == "__main__":
    main()
