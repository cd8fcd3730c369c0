"""Evaluation: R@5 and MRR@10 per mode, and aggregate questions, scored like ../shared/eval/score.py."""
from __future__ import annotations

import json
import time
from pathlib import Path

from kb.report.metrics import REGISTRY
from kb.search.engine import SearchEngine
from kb.search.params import MODES
from kb.text import compact


def load_queries(path: Path) -> list[dict]:
    queries = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            q = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from None
        if "query" not in q or not ("gold" in q or "agencies" in q):
            raise ValueError(f"{path}:{n}: needs 'query' and either 'gold' or 'agencies'")
        queries.append(q)
    return queries


def first_hit_rank(results: list[dict], gold: list[str], depth: int = 10) -> int | None:
    gold_norm = [compact(g) for g in gold]
    for i, r in enumerate(results[:depth]):
        if any(g in compact(r["text"]) for g in gold_norm):
            return i + 1
    return None


def aggregate_ok(answer: dict | None, agencies: list[str], not_agencies: list[str]) -> bool:
    names = [compact(r["agency"]) for r in (answer or {}).get("rows", [])]
    return all(any(compact(a) in n for n in names) for a in agencies) and \
        not any(any(compact(a) in n for n in names) for a in not_agencies)


def evaluate(engine: SearchEngine, queries: list[dict], modes=MODES, **search_options) -> dict:
    """{mode: {"r5", "mrr10", "aggregate", "aggregate_total", "p50_ms", "misses"}}."""
    report = {}
    for mode in modes:
        passage = [q for q in queries if "gold" in q]
        agg = [q for q in queries if "agencies" in q]
        r5 = mrr = 0.0
        latencies = []
        misses = []
        for q in passage:
            t = time.perf_counter()
            res = engine.search(q["query"], mode=mode, k=10, **search_options)
            latencies.append((time.perf_counter() - t) * 1000)
            rank = first_hit_rank(res["results"], q["gold"])
            r5 += bool(rank and rank <= 5)
            mrr += 1 / rank if rank else 0.0
            if not rank or rank > 5:
                misses.append({"id": q.get("id"), "query": q["query"], "rank": rank})
        agg_ok = sum(aggregate_ok(engine.search(q["query"], mode=mode)["answer"], q["agencies"],
                                  q.get("not_agencies", [])) for q in agg)
        n = max(len(passage), 1)
        latencies.sort()
        report[mode] = {"r5": r5 / n, "mrr10": mrr / n, "aggregate": agg_ok, "aggregate_total": len(agg),
                        "p50_ms": latencies[len(latencies) // 2] if latencies else 0.0, "misses": misses}
    return report


# Question phrasings per metric, for query sets built from gold labels ({a}: agency, {y}: year).
QUESTION_TEMPLATES = {m.id: m.questions for m in REGISTRY.values() if m.questions}


def questions_from_manifest(manifest: Path, agency_of=None) -> list[dict]:
    """A passage query set from gold labels (../shared/real/manifest.jsonl style): for every stated figure,
    questions in several phrasings from the gold agency, year and metric; its evidence is the gold.

    agency_of(record) may give the name to ask with (default: the gold agency).
    """
    queries = []
    for line in Path(manifest).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        agency = agency_of(rec) if agency_of else rec["agency"]
        for metric, fact in rec.get("facts", {}).items():
            for i, template in enumerate(QUESTION_TEMPLATES.get(metric, ())):
                queries.append({"id": f"{Path(rec['file']).stem}:{metric}:{i}", "type": "fact", "file": rec["file"],
                                "query": template.format(a=agency, y=rec["year"] or ""),
                                "gold": [fact["evidence"]]})
    return queries
