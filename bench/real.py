"""Ranking on real reports: questions built from ../shared/real/manifest.jsonl's gold figures.

    python bench/real.py                    # the ingest as it is
    python bench/real.py --gold-agency      # the same, with each report's agency set to its gold label
    python bench/real.py --with-seeds       # the seeds in the corpus too

Each gold figure gives questions in several phrasings (kb.search.evaluate.QUESTION_TEMPLATES) from the
gold agency, year and metric; the figure's evidence is the gold passage. Nothing of the third-party
text is written outside bench/out/ (git-ignored). Prints R@5 / MRR@10 per mode; not a pass/fail test.
"""
from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from kb.indexes.build import build_indexes
from kb.indexes.embed import load_embedder
from kb.ingest import update_knowledge_base
from kb.readers import doc_id_for
from kb.questions import answer_question
from kb.search.engine import SearchEngine
from kb.search.evaluate import evaluate, questions_from_manifest
from kb.settings import PROJECT_ROOT, load_settings
from kb.store import Store
from kb.text import compact

REAL = PROJECT_ROOT.parent / "shared" / "real"
OUT = PROJECT_ROOT / "bench" / "out"


def build_real_kb(index_dir: Path, with_seeds: bool = False, gold_agency: bool = False) -> SearchEngine:
    """A knowledge base of the real reports (and the seeds) in index_dir; agencies from the gold labels
    when asked (a measuring device for ranking, independent of metadata extraction)."""
    shutil.rmtree(index_dir, ignore_errors=True)
    settings = load_settings(index_dir=index_dir)
    paths = [REAL / "reports"] + ([PROJECT_ROOT / "data" / "reports"] if with_seeds else [])
    update_knowledge_base(settings, paths)
    if gold_agency:
        store = Store(settings.db_path)
        with store.transaction():
            for line in (REAL / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
                rec = json.loads(line)
                store.db.execute("UPDATE documents SET agency = ? WHERE doc_id = ?",
                                 (rec["agency"], doc_id_for(REAL / rec["file"])))
        build_indexes(store, index_dir, load_embedder(settings.embed_model, settings.embed_threads),
                      settings.hnsw_threshold)
        store.close()
    return SearchEngine(settings, answer=answer_question)


def reachable(engine: SearchEngine, queries: list[dict]) -> list[dict]:
    """The queries whose gold evidence lies inside one passage (others cannot be found by any ranking)."""
    bodies = [compact(c["text"]) for c in engine.store.iter_chunks()]
    return [q for q in queries if any(compact(g) in b for g in q["gold"] for b in bodies)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold-agency", action="store_true")
    ap.add_argument("--with-seeds", action="store_true")
    ap.add_argument("--misses", action="store_true", help="list the questions ranked below 5")
    a = ap.parse_args()
    if not (REAL / "manifest.jsonl").exists():
        raise SystemExit(f"{REAL} is not there")
    engine = build_real_kb(OUT / "real-index", a.with_seeds, a.gold_agency)
    queries = questions_from_manifest(REAL / "manifest.jsonl")
    usable = reachable(engine, queries)
    report = evaluate(engine, usable)
    out = {"questions": len(queries), "reachable": len(usable), "gold_agency": a.gold_agency,
           "modes": {m: {"r5": round(r["r5"], 3), "mrr10": round(r["mrr10"], 3), "p50_ms": round(r["p50_ms"], 1)}
                     for m, r in report.items()}}
    if a.misses:
        out["misses"] = {m: r["misses"] for m, r in report.items()}
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
