"""Scale benchmark: ingest time by stage, query latency per mode, peak memory, on a synthetic corpus.

    python bench/scale.py --chunks 20000          # one size per process, so peak RSS is its own
    python bench/scale.py --chunks 200000

Corpora and indexes are kept under bench/out/ (git-ignored) and reused when present
(--fresh to rebuild). Prints one block of numbers; nothing here passes or fails.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from synth import generate
from vectors import KINDS, prefill_vectors

from kb.indexes.builds import read_params
from kb.ingest import ingest_paths
from kb.questions import answer_question
from kb.search.engine import SearchEngine
from kb.settings import PROJECT_ROOT, load_settings
from kb.store import Store

OUT = PROJECT_ROOT / "bench" / "out"
QUERIES = ["政府信息公开", "行政复议", "依申请公开收费", "政务微博微信建设", "主动公开政府信息多少条", "保密审查制度",
           "新闻发布会", "政策解读回应关切", "互联网+政务服务", "安全生产举报投诉热线", "罗庄区安监局2018年主动公开了多少条",
           "administrative lawsuits dismissed", "人大代表建议和政协委员提案办理", "门户网站栏目建设", "信息公开工作存在的问题",
           "工作人员培训", "重点领域信息公开", "行政诉讼案件", "政务新媒体", "权力清单和责任清单公开"]
# The query language: phrases of common words, boolean, fields and ranges.
STRUCTURED = ['"政府信息公开"', '"主动公开政府信息"', "“依申请公开” AND year:[2018 TO 2020]", "行政复议 AND 行政诉讼",
              "微博 OR 微信", "政务公开 NOT 网站", "year:[2017 TO 2019] 公开", "agency:人民政府 \"新闻发布会\"",
              "(微博 OR 微信) -公众号", "level:区县级 培训", "section:保密审查 保密", '"政府信息公开" -"行政复议"',
              "type:年度报告 AND 收费", "年度:2020 政策解读", '"互联网+政务服务"', "region:广东 OR region:江苏"]


def measure_latency(engine: SearchEngine, modes, rounds: int, queries=QUERIES) -> dict:
    latency = {}
    for mode in modes:
        for q in queries[:3]:
            engine.search(q, mode=mode)  # warm caches
        times = []
        for _ in range(rounds):
            for q in queries:
                t = time.perf_counter()
                engine.search(q, mode=mode, k=10)
                times.append((time.perf_counter() - t) * 1000)
        latency[mode] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 95), 1),
                         "n": len(times)}
    return latency


def measure_parts(store: Store, out: Path) -> dict:
    """Build time and size of the parts this issue added: the bigram field of the keyword index (the index
    built with and without it) and the Whoosh document index."""
    from kb.indexes.build import keyword_rows
    from kb.indexes.keyword import FIELD_BOOSTS, build_keyword_index
    from kb.indexes.structured import build_doc_index
    from kb.report.agency import abbreviate

    chunks = list(store.iter_chunks())
    rows = list(keyword_rows(chunks))
    report = {}
    for name, boosts in (("with_bigrams", dict(FIELD_BOOSTS)), ("without_bigrams", {k: v for k, v in FIELD_BOOSTS.items()
                                                                                     if k != "grams"})):
        target = out / f"parts-{name}"
        shutil.rmtree(target, ignore_errors=True)
        saved = dict(FIELD_BOOSTS)
        FIELD_BOOSTS.clear()
        FIELD_BOOSTS.update(boosts)
        t = time.perf_counter()
        meta = build_keyword_index(target, rows)
        report[f"keyword_{name}_s"] = round(time.perf_counter() - t, 1)
        FIELD_BOOSTS.clear()
        FIELD_BOOSTS.update(saved)
        report[f"keyword_{name}_mb"] = round(sum(f.stat().st_size for f in target.iterdir()) / 1e6, 1)
        report[f"keyword_{name}_postings"] = meta["postings"]
        shutil.rmtree(target, ignore_errors=True)
    target = out / "parts-whoosh"
    t = time.perf_counter()
    build_doc_index(target, store.documents(), abbreviate)
    report["whoosh_documents_s"] = round(time.perf_counter() - t, 2)
    report["whoosh_documents_mb"] = round(sum(f.stat().st_size for f in (target / "whoosh").iterdir()) / 1e6, 2)
    shutil.rmtree(target, ignore_errors=True)
    return report


def build_sizes(index_dir: Path) -> dict[str, float]:
    """Size on disk of each part of the serving build, in MB."""
    from kb.indexes.builds import current_build

    build = current_build(index_dir)
    sizes: dict[str, float] = {}
    for f in build.rglob("*"):
        if f.is_file():
            part = f.relative_to(build).parts[0]
            sizes[part] = sizes.get(part, 0.0) + f.stat().st_size / 1e6
    return {k: round(v, 1) for k, v in sorted(sizes.items())}


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def rss_mb() -> dict[str, float]:
    """This process's resident memory: all of it, anonymous (its own) and file-backed (memory-mapped index
    files, shared with every other process serving the same build)."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            fields[name] = round(int(value.split()[0]) / 1024, 1)
    return fields


def query_phase(settings, rounds: int, parts: bool) -> dict:
    """Latency per mode in a fresh process, as a server sees it: first uncached (each query embedded
    anew), then with the query-embedding cache warm; and the process's memory after."""
    engine = SearchEngine(settings, answer=answer_question)
    engine.warm_up()
    report: dict = {"chunks": engine.indexes.params["chunks"], "rss_after_open_mb": rss_mb()}
    t = time.perf_counter()
    for mode in ("keyword", "semantic", "hybrid"):  # the memory-mapped files into the page cache once
        for q in QUERIES + STRUCTURED:
            engine.search(q, mode=mode, k=10)
    report["warm_up_s"] = round(time.perf_counter() - t, 1)
    engine.query_vector.cache_clear()
    uncached = {}
    for mode in ("keyword", "semantic", "hybrid"):
        times = []
        for _ in range(rounds):
            for q in QUERIES:
                engine.query_vector.cache_clear()
                t = time.perf_counter()
                engine.search(q, mode=mode, k=10)
                times.append((time.perf_counter() - t) * 1000)
        uncached[mode] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 95), 1),
                          "n": len(times)}
    report["latency_uncached"] = uncached
    report["latency_cached"] = measure_latency(engine, ("keyword", "semantic", "hybrid"), rounds)
    report["latency_structured"] = measure_latency(engine, ("keyword", "hybrid"), rounds, STRUCTURED)
    report["totals"] = {q: engine.search(q, mode="keyword", k=1)["total"] for q in QUERIES[:5] + STRUCTURED[:5]}
    report["serve_rss_mb"] = rss_mb()
    if parts:
        report["parts"] = measure_parts(engine.store, OUT)
    return report


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chunks", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=5, help="passes over the query list per mode")
    ap.add_argument("--fresh", action="store_true", help="generate and ingest the corpus anew")
    ap.add_argument("--rebuild", action="store_true", help="build the indexes again from the kept store")
    ap.add_argument("--vectors", choices=("model",) + KINDS, default="model",
                    help="passage vectors: embedded by the model (default), or stand-ins (bench/vectors.py)")
    ap.add_argument("--parts", action="store_true",
                    help="also time and size the keyword index with and without bigrams, and the Whoosh index")
    ap.add_argument("--hnsw-threshold", type=int, help="override KB_HNSW_THRESHOLD for the build")
    ap.add_argument("--query-phase", action="store_true", help=argparse.SUPPRESS)  # the child measuring queries
    a = ap.parse_args()

    corpus = OUT / f"corpus-{a.chunks}"
    index_dir = OUT / (f"index-{a.chunks}" + ("" if a.vectors == "model" else "-rv"))
    settings = load_settings(index_dir=index_dir, reports_dir=corpus, hnsw_threshold=a.hnsw_threshold)
    if a.query_phase:
        print(json.dumps(query_phase(settings, a.rounds, a.parts), ensure_ascii=False))
        return
    if a.fresh:
        shutil.rmtree(corpus, ignore_errors=True)
        shutil.rmtree(index_dir, ignore_errors=True)
    report: dict = {"target_chunks": a.chunks, "vectors": a.vectors}
    if not corpus.exists():
        t = time.perf_counter()
        generate(corpus, a.chunks)
        report["generate_s"] = round(time.perf_counter() - t, 1)
    env = dict(os.environ, KB_INDEX_DIR=str(index_dir), KB_REPORTS_DIR=str(corpus), PYTHONPATH=str(PROJECT_ROOT))
    if a.hnsw_threshold:
        env["KB_HNSW_THRESHOLD"] = str(a.hnsw_threshold)
    if a.rebuild or not (index_dir / "CURRENT").exists():
        timings: dict[str, float] = {}
        t = time.perf_counter()
        store = Store(settings.db_path)
        results = ingest_paths(store, [corpus], settings.chunk_chars, timings=timings)
        report["store"] = {"files": len(results), "s": round(time.perf_counter() - t, 1),
                           "stages_s": {k: round(v, 1) for k, v in timings.items()}}
        if a.vectors != "model":
            t = time.perf_counter()
            report["stand_in_vectors"] = prefill_vectors(index_dir, store, settings.embed_model, a.vectors)
            report["stand_in_vectors"]["s"] = round(time.perf_counter() - t, 1)
        store.close()
        # The build alone, in its own process, so that its peak memory is its own.
        t = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        subprocess.run([sys.executable, "-m", "kb", "ingest", "--rebuild", "--json"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        params = read_params(index_dir)
        report["build"] = {"wall_s": round(time.perf_counter() - t, 1), "chunks": params["chunks"],
                           "stages_s": params["timings_s"], "vector_index": params["vector_index"],
                           "embedding": params["embedding"],
                           "peak_rss_mb": round(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
                                                / 1024), "index_sizes_mb": build_sizes(index_dir)}
    child = subprocess.run([sys.executable, __file__, "--chunks", str(a.chunks), "--rounds", str(a.rounds),
                            "--vectors", a.vectors, "--query-phase"] + (["--parts"] if a.parts else []),
                           env=env, check=True, capture_output=True, text=True)
    report["serve"] = json.loads(child.stdout.strip().splitlines()[-1])
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
