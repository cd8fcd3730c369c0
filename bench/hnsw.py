"""HNSW choice by measured recall at equal latency: FAISS IndexHNSWFlat vs hnswlib, on real USE embeddings.

    python bench/hnsw.py embed --passages 200000     # resumable; bench/out/hnsw/ (embeds ~150 passages/s)
    python bench/hnsw.py sweep [--passages N]        # recall@10, p50/p95 per efSearch and M, both libraries
    python bench/hnsw.py flat [--passages N]         # exact search latency: in memory vs memory-mapped
    python bench/hnsw.py incremental [--passages N]  # recall of an HNSW updated by kb's incremental path

Passages are synthetic reports (bench/synth.py) cut by the real sections and chunker, embedded as a build
embeds them (context line + passage). Queries are 200 held out of the index: 100 passages of reports
generated with another seed and 100 seed-like questions (a place, a bureau, a year and a topic of
bench/scale.py's queries). Ground truth is exact inner-product search. Every search runs one query at a
time on one thread. Prints one block of numbers; nothing here passes or fails.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # numpy's exact search at one thread, as FAISS's
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import BUREAUS, make_report, places, seed_sentences  # noqa: E402

from kb.report.chunks import chunk_sections  # noqa: E402
from kb.report.sections import split_sections  # noqa: E402
from kb.settings import PROJECT_ROOT  # noqa: E402
from kb.text import normalize  # noqa: E402

OUT = PROJECT_ROOT / "bench" / "out" / "hnsw"
PART = 4096
N_QUERIES = 200
K = 10
TOPICS = ("主动公开政府信息多少条", "依申请公开收费情况", "行政复议和行政诉讼", "政务微博微信建设", "保密审查制度",
          "新闻发布会", "政策解读回应关切", "信息公开工作存在的问题", "工作人员培训", "重点领域信息公开")


def passages(seed: int):
    """Embedding texts of synthetic reports, as kb.indexes.build.embedding_text makes them, endlessly."""
    rng = random.Random(seed)
    pool, sentences = places(), seed_sentences()
    while True:
        place, _ = rng.choice(pool)
        bureau = rng.choice(BUREAUS)
        text = make_report(rng, place, bureau, rng.randint(2015, 2023), sentences)
        sections = split_sections(text)
        for chunk in chunk_sections(text, sections, 160):
            title = sections[chunk.section_ordinal].path[-1] if sections[chunk.section_ordinal].path else ""
            yield normalize(f"{place}{bureau} {title}：{chunk.text}")


def query_texts() -> list[str]:
    rng = random.Random(99)
    # One passage in 50 of another seed's reports: spread over many reports, none of them indexed.
    texts = list(itertools.islice(passages(seed=1234), 0, 50 * (N_QUERIES // 2), 50))
    pool = places()
    for _ in range(N_QUERIES - len(texts)):
        place, _ = rng.choice(pool)
        texts.append(f"{place}{rng.choice(BUREAUS)}{rng.randint(2015, 2023)}年{rng.choice(TOPICS)}")
    return texts


def embed(n: int, threads: int) -> None:
    """Embed n passages into OUT/parts/, PART at a time, skipping parts already there; then queries."""
    from kb.indexes.embed import load_embedder

    embedder = load_embedder("use-multilingual-v3", threads)
    parts = OUT / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    queries = OUT / "queries.npy"
    if not queries.exists():
        np.save(queries, embedder.encode(query_texts()))
    source = passages(seed=7)
    t0, done = time.perf_counter(), 0
    for p in range((n + PART - 1) // PART):
        texts = [next(source) for _ in range(PART)]
        path = parts / f"part-{p:05d}.npy"
        if path.exists():
            continue
        vectors = embedder.encode(texts)
        np.save(parts / f"part-{p:05d}.tmp.npy", vectors)
        (parts / f"part-{p:05d}.tmp.npy").rename(path)
        done += len(texts)
        print(f"part {p}: {done / (time.perf_counter() - t0):.0f} passages/s", flush=True)


def load_vectors(n: int | None) -> tuple[np.ndarray, np.ndarray]:
    files = sorted((OUT / "parts").glob("part-?????.npy"))
    data = np.vstack([np.load(f) for f in files])
    if n is not None:
        if n > len(data):
            raise SystemExit(f"only {len(data)} passages embedded; run `embed` first")
        data = data[:n]
    return np.ascontiguousarray(data, dtype=np.float32), np.load(OUT / "queries.npy")


def rss_mb() -> float:
    return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) / 1024


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ground_truth(data: np.ndarray, queries: np.ndarray, k: int = K) -> np.ndarray:
    import faiss

    _, ids = faiss.knn(queries, data, k, metric=faiss.METRIC_INNER_PRODUCT)
    return ids


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(np.intersect1d(f[f >= 0], t)) / len(t) for f, t in zip(found, truth, strict=True)]))


def timed_queries(search, queries: np.ndarray) -> tuple[np.ndarray, float, float]:
    """One query at a time: (ids, p50 ms, p95 ms)."""
    for q in queries[:10]:
        search(q)
    out, times = [], []
    for q in queries:
        t = time.perf_counter()
        out.append(search(q))
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return np.array(out), statistics.median(times), times[int(round(0.95 * (len(times) - 1)))]


EF_SEARCH = (16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)


def faiss_hnsw(data, queries, truth, m: int, ef_construction: int, threads: int) -> list[dict]:
    import faiss

    faiss.omp_set_num_threads(threads)
    before = rss_mb()
    index = faiss.IndexHNSWFlat(data.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = ef_construction
    t = time.perf_counter()
    index.add(data)
    build = time.perf_counter() - t
    memory = rss_mb() - before
    faiss.omp_set_num_threads(1)
    rows = []
    for ef in EF_SEARCH:
        params = faiss.SearchParametersHNSW(efSearch=ef)
        ids, p50, p95 = timed_queries(lambda q: index.search(q[None], K, params=params)[1][0], queries)
        rows.append({"library": "faiss", "M": m, "efSearch": ef, "recall@10": round(recall(ids, truth), 4),
                     "p50_ms": round(p50, 3), "p95_ms": round(p95, 3), "build_s": round(build, 1),
                     "memory_mb": round(memory)})
    return rows


def hnswlib_hnsw(data, queries, truth, m: int, ef_construction: int, threads: int) -> list[dict]:
    import hnswlib

    before = rss_mb()
    index = hnswlib.Index(space="ip", dim=data.shape[1])
    index.init_index(max_elements=len(data), M=m, ef_construction=ef_construction, random_seed=1)
    t = time.perf_counter()
    index.add_items(data, np.arange(len(data)), num_threads=threads)
    build = time.perf_counter() - t
    memory = rss_mb() - before
    rows = []
    for ef in EF_SEARCH:
        index.set_ef(ef)
        ids, p50, p95 = timed_queries(lambda q: index.knn_query(q[None], k=K, num_threads=1)[0][0], queries)
        rows.append({"library": "hnswlib", "M": m, "efSearch": ef, "recall@10": round(recall(ids, truth), 4),
                     "p50_ms": round(p50, 3), "p95_ms": round(p95, 3), "build_s": round(build, 1),
                     "memory_mb": round(memory)})
    return rows


def sweep(n: int | None, ms: list[int], libraries: list[str], threads: int) -> None:
    data, queries = load_vectors(n)
    truth = ground_truth(data, queries)
    print(f"{len(data)} passages, {len(queries)} queries, efConstruction 80, build on {threads} threads, "
          f"search on 1; load {open('/proc/loadavg').read().split()[0]}", flush=True)
    rows = []
    for m in ms:
        for library in libraries:
            build = faiss_hnsw if library == "faiss" else hnswlib_hnsw
            for row in build(data, queries, truth, m, 80, threads):
                print(json.dumps(row), flush=True)
                rows.append(row)
    out = OUT / f"sweep-{len(data)}.jsonl"
    with out.open("a", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    for budget in (0.5, 1.0, 2.0):
        for library in libraries:
            within = [r for r in rows if r["library"] == library and r["p50_ms"] <= budget]
            best = max(within, key=lambda r: r["recall@10"], default=None)
            print(f"p50 <= {budget} ms, {library}: {best}")


class ArrayVectors:
    """A VectorSource over rows of an array: chunk id i is row i."""

    def __init__(self, data: np.ndarray):
        self.data, self.dim = data, data.shape[1]

    def get(self, chunk_ids: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(self.data[chunk_ids])


def incremental(n: int | None, steps: int, remove: float, add: float) -> None:
    """kb's incremental HNSW path on real vectors: start from a fresh graph of 90% of the passages, then
    each step removes `remove` of the live passages and adds `add` new ones (never rebuilding), and
    recall@10 at efSearch HNSW_EF_SEARCH is measured against exact search over the live passages; at
    the end a fresh graph of the same passages is measured too."""
    import shutil

    import faiss

    from kb.indexes import vector

    faiss.omp_set_num_threads(2)
    vector.TOMBSTONE_REBUILD_FRACTION = 1.0  # measure past the fraction kb rebuilds at
    data, queries = load_vectors(n)
    source = ArrayVectors(data)
    rng = np.random.default_rng(0)
    work = OUT / "incremental"
    shutil.rmtree(work, ignore_errors=True)
    next_id = int(0.9 * len(data))
    ids = np.arange(next_id)

    def measure(directory: Path, label: str, info: dict) -> None:
        index = vector.VectorIndex(directory)
        truth = ground_truth(data[ids], queries)
        faiss.omp_set_num_threads(1)
        rows, p50, p95 = timed_queries(lambda q: np.pad(index.search_rows(q, K)[0], (0, K))[:K], queries)
        faiss.omp_set_num_threads(2)
        print(json.dumps({"step": label, "live": len(ids), "tombstones": index.tombstones,
                          "tombstone_share": round(index.tombstones / index.index.ntotal, 3),
                          "recall@10": round(recall(rows, truth), 4), "p50_ms": round(p50, 3), "p95_ms": round(p95, 3),
                          "build_s": info["seconds"], "rebuilt": info["rebuilt"]}), flush=True)

    print(f"{len(data)} passages, M={vector.HNSW_M} efConstruction={vector.HNSW_EF_CONSTRUCTION} "
          f"efSearch={vector.HNSW_EF_SEARCH}; load {open('/proc/loadavg').read().split()[0]}", flush=True)
    previous = work / "0"
    measure(previous, "fresh", vector.build_vector_index(previous, ids, source, hnsw_threshold=0))
    for step in range(1, steps + 1):
        n_add = min(int(add * len(ids)), len(data) - next_id)
        ids = np.union1d(ids[rng.random(len(ids)) >= remove], np.arange(next_id, next_id + n_add))
        next_id += n_add
        target = work / str(step)
        measure(target, f"update {step}", vector.build_vector_index(target, ids, source, 0, previous=previous))
        shutil.rmtree(previous)
        previous = target
    vector.TOMBSTONE_REBUILD_FRACTION = 0.0
    measure(work / "fresh", "fresh, same passages", vector.build_vector_index(work / "fresh", ids, source, 0))


class RandomVectors:
    """A VectorSource of random unit vectors, chunk id i being row i of a raw float32 file written once:
    read a span at a time (no memory map), so that the source adds nothing to the build's peak RSS."""

    dim = 512

    def __init__(self, n: int):
        self.path = OUT / f"random-{n}.f32"
        if not self.path.exists():
            rng = np.random.default_rng(0)
            with open(str(self.path) + ".tmp", "wb") as f:
                for i in range(0, n, 8192):
                    v = rng.standard_normal((min(8192, n - i), self.dim), dtype=np.float32)
                    f.write((v / np.linalg.norm(v, axis=1, keepdims=True)).tobytes())
            Path(str(self.path) + ".tmp").rename(self.path)

    def get(self, chunk_ids: np.ndarray) -> np.ndarray:
        lo, hi = int(chunk_ids.min()), int(chunk_ids.max()) + 1
        span = np.fromfile(self.path, dtype=np.float32, count=(hi - lo) * self.dim, offset=lo * self.dim * 4)
        return span.reshape(hi - lo, self.dim)[chunk_ids - lo]


def build_timing(kind: str, n: int, add: int, threads: int) -> None:
    """One process per measurement, for its own peak RSS: a full build of n random passages, or (with
    add) the incremental build adding `add` passages to that full build."""
    import faiss

    from kb.indexes.vector import build_vector_index

    faiss.omp_set_num_threads(threads)
    source = RandomVectors(n + 40)
    full = OUT / f"build-{kind}-{n}"
    threshold = 0 if kind == "hnsw" else 10 ** 9
    base = rss_mb()
    if add:
        info = build_vector_index(OUT / f"build-{kind}-{n}+{add}", np.arange(n + add), source, threshold,
                                  previous=full)
    else:
        info = build_vector_index(full, np.arange(n), source, threshold)
    print(json.dumps({"kind": info["kind"], "passages": info["count"], "added": info["added"],
                      "reused": info["reused"], "seconds": info["seconds"], "rss_before_mb": round(base),
                      "peak_rss_mb": round(peak_mb()), "threads": threads,
                      "load": open("/proc/loadavg").read().split()[0]}), flush=True)


def serve_latency(kind: str, n: int) -> None:
    """Exact (flat) or HNSW search, one thread, one query at a time: the index read into memory vs
    memory-mapped (kb's VectorIndex), and for flat numpy over the memory-mapped vectors; unfiltered and
    with half the rows allowed. Needs `build --kind KIND` of the same size first."""
    import faiss

    from kb.indexes.vector import INDEX_FILE, VectorIndex

    faiss.omp_set_num_threads(1)
    directory = OUT / f"build-{kind}-{n}"
    queries = RandomVectors(n + 40).get(np.arange(n, n + 40))
    half = np.random.default_rng(1).random(n) < 0.5
    base = rss_mb()
    mapped = VectorIndex(directory)
    mapped_rss = rss_mb() - base
    loaded = faiss.read_index(str(directory / INDEX_FILE))
    loaded_rss = rss_mb() - base - mapped_rss
    if kind == "hnsw":
        loaded.hnsw.efSearch = mapped.index.hnsw.efSearch
    ways = {"in memory (faiss.read_index)": lambda q: loaded.search(q[None], K)[1][0],
            "memory-mapped (VectorIndex)": lambda q: mapped.search_rows(q, K)[0],
            "memory-mapped, half allowed": lambda q: mapped.search_rows(q, K, half)[0]}
    if kind == "flat":
        def numpy_exact(q):
            scores = mapped.vectors @ q
            top = np.argpartition(-scores, K)[:K]
            return top[np.argsort(-scores[top])]
        ways["numpy over the memory map"] = numpy_exact
    print(f"{kind}, {n} random passages; RSS after open: memory-mapped +{mapped_rss:.0f} MB, "
          f"read into memory +{loaded_rss:.0f} MB; load {open('/proc/loadavg').read().split()[0]}")
    for name, search in ways.items():
        _, p50, p95 = timed_queries(search, queries)
        print(f"  {name}: p50 {p50:.2f} ms, p95 {p95:.2f} ms", flush=True)
    if kind == "hnsw":
        filtered_latency(mapped, queries)


def filtered_latency(index, queries: np.ndarray) -> None:
    """A filter allowing few rows: the graph walk with a selector vs exact search over the allowed rows."""
    from kb.indexes import vector

    rng = np.random.default_rng(2)
    exact_below = vector.EXACT_FILTER_ROWS
    for n_allowed in (500, 2000, 4096, 16000, 64000):
        allowed = np.zeros(index.size, dtype=bool)
        allowed[rng.choice(index.size, n_allowed, replace=False)] = True
        line = []
        for name, limit in (("graph", 0), ("exact", 10 ** 9)):
            vector.EXACT_FILTER_ROWS = limit
            _, p50, p95 = timed_queries(lambda q: np.pad(index.search_rows(q, K, allowed)[0], (0, K))[:K], queries)
            line.append(f"{name} p50 {p50:.2f} / p95 {p95:.2f} ms")
        print(f"  {n_allowed} rows allowed: " + ", ".join(line), flush=True)
    vector.EXACT_FILTER_ROWS = exact_below


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=("embed", "sweep", "incremental", "build", "serve"))
    ap.add_argument("--passages", type=int, default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--m", type=int, nargs="+", default=[32])
    ap.add_argument("--libraries", nargs="+", default=["faiss", "hnswlib"])
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--kind", choices=("flat", "hnsw"), default="flat")
    ap.add_argument("--add", type=int, default=0)
    a = ap.parse_args()
    if a.command == "embed":
        embed(a.passages or 200_000, a.threads)
    elif a.command == "sweep":
        sweep(a.passages, a.m, a.libraries, a.threads)
    elif a.command == "incremental":
        incremental(a.passages, a.steps, remove=0.05, add=0.02)
    elif a.command == "build":
        build_timing(a.kind, a.passages or 200_000, a.add, a.threads)
    else:
        serve_latency(a.kind, a.passages or 200_000)


if __name__ == "__main__":
    main()
