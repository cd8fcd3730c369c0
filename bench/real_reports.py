"""Report understanding on real reports: per-field accuracy, figure recall/precision, clutter left.

    python bench/real_reports.py [--manifest ../shared/real/manifest.jsonl] [--verbose]

Runs the whole pipeline (read -> clean -> describe -> sections -> chunks -> facts) on every labelled file.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from kb.pipeline import process_report
from kb.report.accuracy import FIELDS, load_labels, score_document, summarize
from kb.settings import PROJECT_ROOT, load_settings

DEFAULT_MANIFEST = PROJECT_ROOT.parent / "shared" / "real" / "manifest.jsonl"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    ap.add_argument("--verbose", "-v", action="store_true", help="print every miss")
    args = ap.parse_args()
    if not args.manifest.exists():
        sys.exit(f"no manifest at {args.manifest}")
    labels = load_labels(args.manifest)
    chunk_chars = load_settings().chunk_chars
    t = time.perf_counter()
    scores = []
    for label in labels:
        doc = process_report(args.manifest.parent / label["file"], chunk_chars)
        s = score_document(doc, label)
        scores.append(s)
        bad = [f for f, ok in s.fields.items() if not ok]
        if args.verbose and (bad or s.figures_missed or s.figures_wrong or s.figures_extra or s.clutter_left):
            print(f"{label['file']}:")
            for f in bad:
                print(f"   {f:9} got {s.found[f]!r:40} gold {label.get(f)!r}")
            for m in s.figures_missed:
                print(f"   missed   {m}")
            for m in s.figures_wrong:
                print(f"   wrong    {m}")
            for m in s.figures_extra:
                print(f"   extra    {m}")
            for c in s.clutter_left:
                print(f"   clutter  {c!r}")
    took = time.perf_counter() - t
    summary = summarize(scores)
    print(f"{summary.documents} documents in {took:.1f} s")
    for f in FIELDS:
        print(f"  {f:10} {summary.correct[f]:3}/{summary.applicable[f]:<3} {summary.rate(f):6.1%}")
    (found, gold), (right, given) = summary.recall, summary.precision
    print(f"  figures    recall {found}/{gold} {found / max(gold, 1):.1%}   precision {right}/{given} "
          f"{right / max(given, 1):.1%}")
    print(f"  clutter lines left in passages: {summary.clutter_left}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
