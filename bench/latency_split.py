"""Uncached hybrid latency and where it goes, at 1 and 2 threads per query, idle and with a core kept busy;
and embedder throughput for ingest at 1 and 2 threads.

    PYTHONPATH=$PWD python bench/latency_split.py [--index-dir bench/out/index-20000] [--queries 200]

Every query is a text not asked before and the engine's query-vector cache is cleared before each, so
every search embeds its query (bench/scale.py's latency is with that cache warm). The split times, one
after the other for each query, the functions the engine's hybrid search calls: the query embedding
(embedder.encode), the vector search (VectorIndex.search_rows), the keyword leg (match_mask + scores)
and the highlights of the 10 results (highlight); "rest" is the whole search minus those (question
understanding, fusion, ordering, reading the passages from SQLite, the answer from the figures).
Threads are set the way a server process sets them (web.server.serving_settings and limit_openmp).
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb.indexes.embed import load_embedder  # noqa: E402
from kb.questions import answer_question  # noqa: E402
from kb.search.engine import SearchEngine  # noqa: E402
from kb.search.highlight import highlight  # noqa: E402
from kb.settings import PROJECT_ROOT, load_settings  # noqa: E402
from kb.text import normalize  # noqa: E402
from kb.threads import limit_openmp, limit_threads  # noqa: E402
from web.server import serving_settings  # noqa: E402

TOPICS = ("政府信息公开", "行政复议", "依申请公开收费", "政务微博微信建设", "主动公开政府信息", "保密审查制度", "新闻发布会",
          "政策解读回应关切", "互联网+政务服务", "安全生产举报投诉", "人大代表建议办理", "门户网站栏目建设", "工作人员培训",
          "重点领域信息公开", "行政诉讼案件", "政务新媒体", "权力清单公开", "administrative lawsuits", "信息公开存在的问题")
ASPECTS = ("情况", "数量", "措施", "工作", "制度", "平台", "渠道", "统计", "年度报告", "收费减免", "申请办理", "改进")
PLACES = ("", "市", "区", "县", "省", "人民政府", "环境保护局", "教育局", "财政局", "交通运输局")


def distinct_queries(n: int, seed: int = 0) -> list[str]:
    """n different plausible queries (topic + aspect + year + place or bureau; at most ~32k), in random order,
    so that none is answered from a cache."""
    combos = list(itertools.product(TOPICS, ASPECTS, range(2010, 2024), PLACES))
    if n > len(combos):
        raise ValueError(f"at most {len(combos)} distinct queries")
    random.Random(seed).shuffle(combos)
    return [f"{topic}{aspect} {year}年{place}" for topic, aspect, year, place in combos[:n]]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def split_one(engine: SearchEngine, query: str) -> dict[str, float]:
    """Milliseconds of one uncached hybrid search and of its parts, each part timed on its own."""
    def ms(fn, *args):
        t = time.perf_counter()
        value = fn(*args)
        return value, (time.perf_counter() - t) * 1000

    engine.query_vector.cache_clear()
    response, total = ms(engine.search, query, "hybrid", 10)
    vector, embed = ms(engine.embedder.encode, [normalize(query)])
    _, vector_search = ms(engine.indexes.vector.search_rows, vector[0], engine.settings.candidates, None)
    keyword = engine.indexes.keyword
    _, match = ms(keyword.match_mask, query)
    _, scores = ms(keyword.scores, query)
    texts = [r["text"] for r in response["results"]]
    _, marks = ms(lambda: [highlight(t, query) for t in texts])
    parts = {"embedding": embed, "vector_search": vector_search, "keyword": match + scores, "highlight": marks}
    parts["rest"] = max(0.0, total - sum(parts.values()))
    return {"total": total, **parts}


def measure(engine: SearchEngine, queries: list[str]) -> dict:
    rows = [split_one(engine, q) for q in queries]
    totals = [r["total"] for r in rows]
    mean_total = statistics.fmean(totals)
    names = ("embedding", "vector_search", "keyword", "highlight", "rest")
    return {"n": len(rows), "p50_ms": round(statistics.median(totals), 1), "p95_ms": round(percentile(totals, 95), 1),
            "parts_p50_ms": {k: round(statistics.median(r[k] for r in rows), 2) for k in names},
            "parts_share_of_mean": {k: round(statistics.fmean(r[k] for r in rows) / mean_total, 3) for k in names}}


def busy_core() -> subprocess.Popen:
    """A process that keeps one core busy (a spin loop) until killed."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def embed_throughput(settings, texts: list[str], threads: int) -> float:
    """Passages per second of the ingest embedder at `threads` BLAS threads (main thread, as ingest runs)."""
    limit_threads(threads)
    embedder = load_embedder(settings.embed_model, threads)
    embedder.encode(texts[:64])
    t = time.perf_counter()
    embedder.encode(texts)
    return len(texts) / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path, default=PROJECT_ROOT / "bench" / "out" / "index-20000")
    ap.add_argument("--queries", type=int, default=200, help="distinct queries per condition")
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--embed-passages", type=int, default=1000, help="passages per embedder throughput run")
    ap.add_argument("--embed-runs", type=int, default=3, help="throughput runs per thread count (0: none)")
    args = ap.parse_args()
    base = load_settings(index_dir=args.index_dir)
    report: dict = {"index_dir": str(args.index_dir), "load_average_start": os.getloadavg()}
    queries = distinct_queries(args.queries * len(args.threads) * 2 + 10)
    latency, used = {}, 10
    for threads in args.threads:
        settings = serving_settings(base.with_(query_threads=threads))
        limit_openmp(threads)
        engine = SearchEngine(settings, answer=answer_question)
        engine.warm_up()
        report["chunks"] = engine.indexes.params["chunks"]
        report["vector_index"] = engine.indexes.params["vector_index"]
        for q in queries[:10]:  # first touches of the index files
            engine.search(q)
        for condition in ("idle", "other_core_busy"):
            spinner = busy_core() if condition == "other_core_busy" else None
            try:
                latency[f"{threads}_thread{'s' * (threads > 1)}_{condition}"] = \
                    measure(engine, queries[used:used + args.queries])
            finally:
                if spinner:
                    spinner.kill()
                    spinner.wait()
            used += args.queries
    report["uncached_hybrid"] = latency
    if args.embed_runs:
        engine = SearchEngine(base, answer=answer_question)
        texts = [c["text"] for c, _ in zip(engine.store.iter_chunks(), range(args.embed_passages))]
        runs: dict[str, list[float]] = {str(t): [] for t in args.threads}
        for _ in range(args.embed_runs):  # interleaved, so that a burst of load elsewhere hits both
            for threads in args.threads:
                runs[str(threads)].append(round(embed_throughput(base, texts, threads), 1))
        report["embed_passages_per_s"] = runs
    report["load_average_end"] = os.getloadavg()
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
