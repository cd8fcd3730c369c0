"""Scale benchmark: ingest time by stage, query latency per mode, peak memory, on a synthetic corpus.

    python bench/scale.py --chunks 20000          # one size per process, so peak RSS is its own
    python bench/scale.py --chunks 200000

Corpora and indexes are kept under bench/out/ (git-ignored) and reused when present
(--fresh to rebuild). Prints one block of numbers; nothing here passes or fails.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import statistics
import time
from pathlib import Path

import numpy as np
from synth import generate

from kb.indexes.build import build_indexes
from kb.indexes.embed import load_embedder
from kb.ingest import ingest_paths
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


class CachedEmbedder:
    """The real embedder behind a disk cache keyed by text, so that rebuilding a bench index after a
    change to the keyword or Whoosh parts does not embed 200k passages again (877 s on 2 cores)."""

    def __init__(self, inner, path: Path):
        self.inner, self.path, self.name, self.dim = inner, path, inner.name, inner.dim
        self.rows: dict[bytes, int] = {}
        self.vectors = np.zeros((0, inner.dim), dtype=np.float32)
        if path.exists():
            data = np.load(path)
            self.vectors = data["vectors"]
            self.rows = {k.tobytes(): i for i, k in enumerate(data["keys"])}
        self.dirty = False

    @staticmethod
    def key(text: str) -> bytes:
        return hashlib.sha1(text.encode("utf-8")).digest()

    def encode(self, texts: list[str]) -> np.ndarray:
        keys = [self.key(t) for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in self.rows]
        if missing:
            fresh = self.inner.encode([texts[i] for i in missing])
            base = len(self.vectors)
            self.vectors = np.vstack([self.vectors, fresh])
            for j, i in enumerate(missing):
                self.rows.setdefault(keys[i], base + j)
            self.dirty = True
        return self.vectors[[self.rows[k] for k in keys]]

    def save(self) -> None:
        if self.dirty:
            keys = sorted(self.rows, key=self.rows.get)
            np.savez(self.path, keys=np.frombuffer(b"".join(keys), dtype="S20"),
                     vectors=self.vectors[[self.rows[k] for k in keys]])
            self.dirty = False


class RandomPassageEmbedder:
    """Random unit vectors for the passages (the real model still embeds the queries): for measuring the
    keyword, Whoosh and search-time costs at scale when there is no time to embed 200k passages. Vector
    search costs the same on these vectors; semantic results are meaningless."""

    def __init__(self, inner):
        self.name, self.dim = inner.name, inner.dim

    def encode(self, texts: list[str]) -> np.ndarray:
        rng = np.random.default_rng(len(texts) + sum(map(len, texts[:3])))
        v = rng.standard_normal((len(texts), self.dim)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def save(self) -> None:
        pass


def compare_vector_indexes(engine: SearchEngine, queries: list[str]) -> dict:
    """Exact (flat) vs HNSW on this corpus's vectors: build time, query time, recall@10 of HNSW."""
    import faiss
    import numpy as np

    from kb.indexes.vector import HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH, HNSW_M

    index = engine.indexes.vector.index
    vectors = index.reconstruct_n(0, index.ntotal) if isinstance(index, faiss.IndexFlat) else None
    if vectors is None:
        return {"skipped": "the built index is not flat"}, None
    flat = faiss.IndexFlatIP(vectors.shape[1])
    t = time.perf_counter()
    flat.add(vectors)
    flat_build = time.perf_counter() - t
    hnsw = faiss.IndexHNSWFlat(vectors.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    t = time.perf_counter()
    hnsw.add(vectors)
    hnsw_build = time.perf_counter() - t
    hnsw.hnsw.efSearch = HNSW_EF_SEARCH
    qv = np.vstack([engine.query_vector(q) for q in queries]).astype(np.float32)
    out = {"flat_build_s": round(flat_build, 2), "hnsw_build_s": round(hnsw_build, 1)}
    results = {}
    for name, idx in (("flat", flat), ("hnsw", hnsw)):
        times = []
        for row in qv:
            t = time.perf_counter()
            _, ids = idx.search(row[None, :], 100)
            times.append((time.perf_counter() - t) * 1000)
            results.setdefault(name, []).append(set(ids[0][:10]))
        out[f"{name}_search_p50_ms"] = round(statistics.median(times), 2)
    out["hnsw_recall_at_10"] = round(np.mean([len(a & b) / 10 for a, b in zip(results["flat"], results["hnsw"], strict=True)]), 3)
    return out, hnsw


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
    rows = keyword_rows(chunks)
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
    from kb.indexes.build import current_build

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=5, help="passes over the query list per mode")
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--rebuild", action="store_true",
                    help="rebuild the indexes from the kept store (embeddings come from the bench cache)")
    ap.add_argument("--vectors", action="store_true", help="also compare flat and HNSW search on these vectors")
    ap.add_argument("--random-vectors", action="store_true",
                    help="random passage vectors (queries still embedded by the model): latency and build costs only")
    ap.add_argument("--parts", action="store_true",
                    help="also time and size the keyword index with and without bigrams, and the Whoosh index")
    ap.add_argument("--hnsw-threshold", type=int, help="override KB_HNSW_THRESHOLD for the build")
    a = ap.parse_args()

    corpus = OUT / f"corpus-{a.chunks}"
    index_dir = OUT / (f"index-{a.chunks}" + ("-rv" if a.random_vectors else ""))
    if a.fresh:
        shutil.rmtree(corpus, ignore_errors=True)
        shutil.rmtree(index_dir, ignore_errors=True)
    if not corpus.exists():
        generate(corpus, a.chunks)
    settings = load_settings(index_dir=index_dir, reports_dir=corpus, hnsw_threshold=a.hnsw_threshold)

    report: dict = {"target_chunks": a.chunks}
    if a.rebuild or not (index_dir / "CURRENT").exists():
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        store = Store(settings.db_path)
        results = ingest_paths(store, [corpus], settings.chunk_chars, timings=timings)
        t_store = time.perf_counter() - t0
        model = load_embedder(settings.embed_model, settings.embed_threads)
        embedder = RandomPassageEmbedder(model) if a.random_vectors else \
            CachedEmbedder(model, OUT / f"embeddings-{a.chunks}.npz")
        t1 = time.perf_counter()
        params = build_indexes(store, index_dir, embedder, settings.hnsw_threshold)
        t_index = time.perf_counter() - t1
        embedder.save()
        total = t_store + t_index
        stages = {k: round(v, 1) for k, v in timings.items()}
        stages.update({k: round(v, 1) for k, v in params["timings_s"].items()})
        report["ingest"] = {"files": len(results), "chunks": params["chunks"], "total_s": round(total, 1),
                            "stages_s": stages, "embed_share": round(params["timings_s"]["embed"] / total, 3),
                            "vector_index": params["vector_index"], "index_sizes_mb": build_sizes(index_dir)}
        store.close()

    engine = SearchEngine(settings)
    engine.warm_up()
    report["chunks"] = engine.indexes.params["chunks"]
    report["latency"] = measure_latency(engine, ("keyword", "semantic", "hybrid"), a.rounds)
    report["latency_structured"] = measure_latency(engine, ("keyword", "hybrid"), a.rounds, STRUCTURED)
    totals = {q: engine.search(q, mode="keyword", k=1)["total"] for q in QUERIES[:5] + STRUCTURED[:5]}
    report["totals"] = totals
    report["index_sizes_mb"] = build_sizes(index_dir)
    if a.parts:
        report["parts"] = measure_parts(engine.store, OUT)
    if a.vectors:
        report["vector_index_comparison"], hnsw = compare_vector_indexes(engine, QUERIES)
        if hnsw is not None:  # the same searches with HNSW in place of the exact index
            engine.indexes.vector.index = hnsw
            engine.query_vector.cache_clear()
            report["latency_with_hnsw"] = measure_latency(engine, ("semantic", "hybrid"), a.rounds)
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
