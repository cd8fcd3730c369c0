"""Counting questions over real reports, answered by kb and checked against the gold labels.

    python bench/real_questions.py [--manifest ../shared/real/manifest.jsonl ...] [--verbose]

The real reports are ingested into a temporary store (no index is needed to answer from figures). Each
question is asked as a researcher would; the expected set is computed from the gold figures and levels:
every labelled document whose gold figure meets the condition. Gold labels list the figures a report
states for the five metrics, so a document the answer adds that the gold has no figure for is shown apart
("unlabelled"), not counted wrong.
"""
from __future__ import annotations

import argparse
import operator
import sys
import tempfile
from pathlib import Path

from kb.ingest import ingest_paths
from kb.questions import answer_question
from kb.report.accuracy import load_labels
from kb.settings import PROJECT_ROOT
from kb.store import Store

DEFAULT_MANIFEST = PROJECT_ROOT.parent / "shared" / "real" / "manifest.jsonl"
OPS = {"==": operator.eq, ">": operator.gt, ">=": operator.ge, "<": operator.lt}
# (question, metric, operator, value, level or None)
QUESTIONS = (
    ("哪些机关没有收到政府信息公开申请", "requests_received", "==", 0, None),
    ("哪些单位收到的政府信息公开申请超过10件", "requests_received", ">", 10, None),
    ("乡镇级机关中哪些全年零申请", "requests_received", "==", 0, "乡镇级"),
    ("哪些机关依申请公开没有收取费用", "fees_charged", "==", 0, None),
    ("哪些机关主动公开政府信息超过1000条", "proactive_disclosed", ">", 1000, None),
    ("哪些机关发生了因政府信息公开引起的行政复议", "admin_reviews", ">", 0, None),
    ("哪些单位没有发生行政复议", "admin_reviews", "==", 0, None),
    ("哪些机关被提起过行政诉讼", "lawsuits", ">", 0, None),
    ("区县级单位里哪些主动公开政府信息不少于50条", "proactive_disclosed", ">=", 50, "区县级"),
)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", type=Path, action="append")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args()
    manifests = args.manifest or [DEFAULT_MANIFEST]
    exact = 0
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "kb.sqlite3")
        labels: dict[str, dict] = {}
        for i, manifest in enumerate(manifests):
            for label in load_labels(manifest):
                path = manifest.parent / label["file"]
                labels[path.stem] = label
            ingest_paths(store, [manifest.parent / "reports"], 160)
        for question, metric, op, value, level in QUESTIONS:
            expected = {doc for doc, lb in labels.items() if metric in lb["facts"]
                        and OPS[op](lb["facts"][metric]["value"], value) and (level is None or lb["level"] == level)}
            labelled = {doc for doc, lb in labels.items() if metric in lb["facts"]}
            answer = answer_question(question, store) or {"rows": []}
            got = {r["doc_id"] for r in answer.get("rows", []) if r.get("value") is not None}
            missed, wrong = expected - got, (got - expected) & labelled
            unlabelled = got - labelled
            ok = not missed and not wrong
            exact += ok
            print(f"{'ok  ' if ok else 'MISS'} {question}: {len(got & expected)}/{len(expected)} "
                  f"(missed {len(missed)}, wrong {len(wrong)}, unlabelled {len(unlabelled)})")
            if args.verbose:
                for doc in sorted(missed):
                    print(f"     missed {doc} {labels[doc]['agency']} {labels[doc]['facts'][metric]['value']}")
                for doc in sorted(wrong):
                    print(f"     wrong  {doc} {labels[doc]['agency']} gold {labels[doc]['facts'][metric]['value']}")
                for doc in sorted(unlabelled):
                    row = next(r for r in answer["rows"] if r["doc_id"] == doc)
                    print(f"     unlabelled {doc} {row['agency']} {row['value']} 「{row['text'][:50]}」")
        store.close()
    print(f"{exact}/{len(QUESTIONS)} questions answered exactly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
