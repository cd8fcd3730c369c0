"""Counting questions over real reports, answered by kb and checked against the gold labels.

    python bench/real_questions.py [--manifest ../shared/real/manifest.jsonl ...] [--verbose]

The real reports are ingested into a temporary store (answers come from figures: no index is needed). The
expected set of each question is computed from the gold figures and levels (kb.report.accuracy); a
document the answer lists for a figure the gold does not state is shown apart ("unlabelled"), not judged.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from kb.ingest import ingest_paths
from kb.questions import answer_question
from kb.report.accuracy import check_counting_questions, load_labels
from kb.settings import PROJECT_ROOT
from kb.store import Store

DEFAULT_MANIFEST = PROJECT_ROOT.parent / "shared" / "real" / "manifest.jsonl"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", type=Path, action="append", help="repeatable; default ../shared/real")
    ap.add_argument("--verbose", "-v", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "kb.sqlite3")
        labels: dict[str, dict] = {}
        for manifest in args.manifest or [DEFAULT_MANIFEST]:
            labels |= {(manifest.parent / lb["file"]).stem: lb for lb in load_labels(manifest)}
            ingest_paths(store, [manifest.parent / "reports"], 160)
        checks = check_counting_questions(labels, lambda q: answer_question(q, store))
        store.close()
    for c in checks:
        print(f"{'ok  ' if c.exact else 'MISS'} {c.question}: {len(c.found & c.expected)}/{len(c.expected)} "
              f"(missed {len(c.missed)}, wrong {len(c.wrong)}, unlabelled {len(c.unlabelled)})")
        if args.verbose:
            for kind, docs in (("missed", c.missed), ("wrong", c.wrong), ("unlabelled", c.unlabelled)):
                for doc in sorted(docs):
                    print(f"     {kind:10} {doc} {labels[doc]['agency']}")
    print(f"{sum(c.exact for c in checks)}/{len(checks)} questions answered exactly")
    return 0


if __name__ == "__main__":
    sys.exit(main())
