"""The keyword leg against its peers, and the keyword index's build (full, incremental), on one corpus.

    python bench/keyword_peers.py --passages 200000                  # kb, bm25s, tantivy, SQLite FTS5
    python bench/keyword_peers.py --passages 200000 --engines kb     # kb only
    python bench/keyword_peers.py --kb-before ../main/kb/indexes/keyword.py   # and main's keyword index too
    python bench/keyword_peers.py --passages 200000 --build full     # build time and peak RSS, own process
    python bench/keyword_peers.py --passages 200000 --build incremental --add 40 [--remove 40]

One corpus: bench/synth.py reports run through read -> clean -> sections -> chunks, tokenized once with
kb.text.tokenize (kb.indexes.build.keyword_rows) and cached as JSON lines under bench/out/. Every engine
gets the same tokens (a passage's body and context tokens; kb also has its bigram field) and the same
200 queries (bench/scale.py's questions, then windows of 1-4 consecutive tokens of random passages,
seed 12), run --rounds times with the engines taking turns on each query, each timed as one top-10
ranked query: kb's `KeywordIndex.search` (scores, the exact match
set, every match ranked), bm25s `retrieve(k=10)`, tantivy (pre-tokenized text, whitespace tokenizer,
OR of term queries, top 10 with the match count) and FTS5 (`MATCH` OR, `ORDER BY bm25 LIMIT 10`).
Prints numbers; nothing passes or fails.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing
import os
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import QUERIES, percentile
from synth import generate

from kb.indexes.build import keyword_rows
from kb.indexes.keyword import KeywordIndex, build_keyword_index
from kb.pipeline import process_report
from kb.settings import PROJECT_ROOT, load_settings
from kb.text import tokenize

OUT = PROJECT_ROOT / "bench" / "out"
CHUNK_CHARS = load_settings().chunk_chars


def rows_file(passages: int) -> Path:
    """The corpus's keyword rows as JSON lines (made once: synthesise, process, tokenize)."""
    path = OUT / f"keyword-rows-{passages}.jsonl"
    if path.exists():
        return path
    corpus = OUT / f"corpus-{passages}"
    if not corpus.exists():
        generate(corpus, passages)
    tmp = path.with_suffix(".partial")
    next_id = 0
    with open(tmp, "w", encoding="utf-8") as out:
        for report in sorted(corpus.glob("*.txt")):
            doc = process_report(report, CHUNK_CHARS)
            d = doc.description
            chunks = [{"chunk_id": next_id + i, "text": c.text, "section": c.section_path, "agency": d.agency,
                       "region": d.region, "year": d.year, "title": d.title} for i, c in enumerate(doc.chunks)]
            next_id += len(chunks)
            out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in keyword_rows(chunks))
    os.replace(tmp, path)
    return path


def read_rows(path: Path, start: int = 0, stop: int | None = None):
    """Rows start..stop-1, streamed."""
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if stop is not None and i >= stop:
                return
            if i >= start:
                yield json.loads(line)


def count_rows(path: Path) -> int:
    with open(path, encoding="utf-8") as f:
        return sum(1 for _ in f)


def make_queries(path: Path, n: int = 200, seed: int = 12) -> list[str]:
    rng = random.Random(seed)
    total = count_rows(path)
    picks = sorted(rng.sample(range(total), n - len(QUERIES)))
    queries = list(QUERIES)
    wanted = set(picks)
    for i, row in enumerate(read_rows(path)):
        if i in wanted and row["body_tokens"]:
            tokens = row["body_tokens"]
            at = rng.randrange(len(tokens))
            queries.append("".join(tokens[at:at + rng.randint(1, 4)]))
    return queries


def rss_mb() -> float:
    """Peak RSS of this process so far, MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def timed(runs: dict, queries: list[str], rounds: int) -> dict[str, dict]:
    """p50/p95 per engine, the engines taking turns on each query so that the machine's load (shared
    cores) falls on all of them alike."""
    for q in queries[:20]:
        for run in runs.values():
            run(q)  # warm up
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for q in queries:
            for name, run in runs.items():
                t = time.perf_counter()
                run(q)
                times[name].append((time.perf_counter() - t) * 1000)
    return {name: {"p50_ms": round(statistics.median(v), 2), "p95_ms": round(percentile(v, 95), 2)}
            for name, v in times.items()}


def doc_tokens(row: dict) -> list[str]:
    return row["body_tokens"] + row["context_tokens"]


def engine_kb(path: Path, work: Path):
    t = time.perf_counter()
    build_keyword_index(work / "kb", read_rows(path))
    build = time.perf_counter() - t
    index = KeywordIndex(work / "kb")
    return build, lambda q: index.search(q, 10)


def engine_bm25s(path: Path, work: Path):
    import bm25s

    t = time.perf_counter()
    retriever = bm25s.BM25(k1=1.2, b=0.75)
    retriever.index([doc_tokens(r) for r in read_rows(path)], show_progress=False)
    build = time.perf_counter() - t
    vocab = retriever.vocab_dict

    def run(q):
        tokens = [t for t in tokenize(q) if t in vocab]
        if tokens:
            retriever.retrieve([tokens], k=10, show_progress=False, n_threads=0)
    return build, run


def engine_tantivy(path: Path, work: Path):
    import tantivy

    t = time.perf_counter()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("body", stored=False, tokenizer_name="whitespace", index_option="freq")
    schema = builder.build()
    (work / "tantivy").mkdir()
    index = tantivy.Index(schema, path=str(work / "tantivy"))
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    for r in read_rows(path):
        writer.add_document(tantivy.Document(body=" ".join(doc_tokens(r))))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    build = time.perf_counter() - t
    searcher = index.searcher()

    def run(q):
        terms = [tantivy.Query.term_query(schema, "body", t) for t in dict.fromkeys(tokenize(q))]
        if terms:
            searcher.search(tantivy.Query.boolean_query([(tantivy.Occur.Should, x) for x in terms]), 10, count=True)
    return build, run


def engine_fts5(path: Path, work: Path):
    t = time.perf_counter()
    db = sqlite3.connect(work / "fts.sqlite3")
    db.execute("CREATE VIRTUAL TABLE p USING fts5(body, tokenize = \"unicode61 separators ' '\")")
    db.executemany("INSERT INTO p(body) VALUES (?)", ((" ".join(doc_tokens(r)),) for r in read_rows(path)))
    db.commit()
    build = time.perf_counter() - t

    def run(q):
        tokens = list(dict.fromkeys(tokenize(q)))
        if tokens:
            match = " OR ".join('"' + t.replace('"', '""') + '"' for t in tokens)
            db.execute("SELECT rowid FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT 10", (match,)).fetchall()
    return build, run


def engine_kb_before(source: Path):
    """kb's keyword index as another version of kb/indexes/keyword.py builds and serves it (e.g. main's,
    for before/after numbers side by side); it is given the rows as a list, as such versions take them."""
    def build(path: Path, work: Path):
        spec = importlib.util.spec_from_file_location("keyword_before", source)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # (its dataclasses look themselves up there)
        spec.loader.exec_module(module)
        t = time.perf_counter()
        module.build_keyword_index(work / "kb", list(read_rows(path)))
        seconds = time.perf_counter() - t
        index = module.KeywordIndex(work / "kb")
        return seconds, lambda q: index.search(q, 10)
    return build


ENGINES = {"kb": engine_kb, "bm25s": engine_bm25s, "tantivy": engine_tantivy, "fts5": engine_fts5}


def peers(path: Path, engines: list[str], rounds: int) -> None:
    queries = make_queries(path)
    builds, runs = {}, {}
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        for name in engines:
            work = Path(tmp) / name
            work.mkdir()
            try:
                builds[name], runs[name] = ENGINES[name](path, work)
            except ImportError as exc:
                print(f"{name}: skipped, its package is not installed ({exc})")
                continue
            print(f"{name:8s} build {builds[name]:7.1f} s", flush=True)
        results = {name: {"build_s": round(builds[name], 1)} | r for name, r in timed(runs, queries, rounds).items()}
    for name, r in results.items():
        print(f"{name:8s} top-10 p50 {r['p50_ms']:7.2f} ms   p95 {r['p95_ms']:7.2f} ms")
    for name in ("kb-before", "kb"):
        if name in results and "bm25s" in results:
            kb, bm = results[name], results["bm25s"]
            print(f"{name} / bm25s: p50 {kb['p50_ms'] / bm['p50_ms']:.2f}x, p95 {kb['p95_ms'] / bm['p95_ms']:.2f}x")
    print(json.dumps({"queries": len(queries), "rounds": rounds, "load_avg": os.getloadavg()[0]} | results))


def build_only(path: Path, kind: str, add: int, remove: int) -> None:
    """Build time and peak RSS of the keyword index alone (rows streamed from the JSON lines)."""
    total = count_rows(path)
    work = OUT / f"keyword-build-{total}"
    previous = OUT / f"keyword-previous-{total}-{add}"
    if kind == "incremental" and not previous.exists():
        # in a child process, so that this one's peak RSS is the update's own
        child = multiprocessing.get_context("fork").Process(
            target=build_keyword_index, args=(previous, read_rows(path, 0, total - add)))
        child.start()
        child.join()
    shutil.rmtree(work, ignore_errors=True)
    base = current_rss_mb()
    t = time.perf_counter()
    if kind == "full":
        meta = build_keyword_index(work, read_rows(path))
    else:
        removed = KeywordIndex(previous).chunk_ids[::max(1, (total - add) // max(remove, 1))][:remove] if remove else None
        meta = build_keyword_index(work, read_rows(path, total - add), previous=previous, removed_chunk_ids=removed)
    seconds = time.perf_counter() - t
    print(json.dumps({"build": kind, "passages": meta["passages"], "added": meta["added"], "removed": meta["removed"],
                      "postings": meta["postings"], "seconds": round(seconds, 2), "rss_before_mb": round(base),
                      "peak_rss_mb": round(rss_mb()), "load_avg": os.getloadavg()[0]}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, default=200_000)
    ap.add_argument("--engines", default="kb,bm25s,tantivy,fts5")
    ap.add_argument("--build", choices=("full", "incremental"), help="measure the keyword index build only")
    ap.add_argument("--add", type=int, default=40)
    ap.add_argument("--remove", type=int, default=0)
    ap.add_argument("--rounds", type=int, default=3, help="times each query is run per engine")
    ap.add_argument("--kb-before", type=Path, help="another kb/indexes/keyword.py, timed alongside as kb-before")
    a = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    path = rows_file(a.passages)
    if a.build:
        build_only(path, a.build, a.add, a.remove)
    else:
        if a.kb_before:
            ENGINES["kb-before"] = engine_kb_before(a.kb_before)
        peers(path, (["kb-before"] if a.kb_before else []) + a.engines.split(","), a.rounds)


if __name__ == "__main__":
    main()
