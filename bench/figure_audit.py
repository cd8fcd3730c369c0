"""Audit of every figure kb extracts from the seeds and ../shared/real/reports against verdicts judged by hand.

    python bench/figure_audit.py [--verdicts bench/figure_audit.jsonl] [--verbose]

A verdict (one JSON line: doc, metric, value, scope, start, end, verdict "right"/"wrong", reason, runs) judges
one figure as extracted (a `period` other than "year" — a running total, part of a year — is part of what it
says): its value, metric, scope, year and evidence sentence (is it the agency's own yearly
count for that metric, stated by the cited span? an area-wide figure marked as such is right). The file holds
offsets, never the reports' text. `runs` names the audited code states the figure was extracted in
("before": the code before issue 20, "after": after it); their precision is printed from the file, then the
current code's, re-checked live. Figures the current code extracts that no verdict covers are listed so they
can be judged; a figure whose value, scope or span changed is a new figure.
`--verdicts bench/figure_audit_independent.jsonl`: the same figures judged by a second, independent judge (who
saw neither the rules' code nor the first verdicts), from the same written rules.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from kb.readers import read_report
from kb.report.clean import clean_report
from kb.report.describe import describe
from kb.report.facts import answer_facts, extract_facts
from kb.settings import PROJECT_ROOT

REAL = PROJECT_ROOT.parent / "shared" / "real" / "reports"
SEEDS = PROJECT_ROOT / "data" / "reports"
VERDICTS = Path(__file__).with_name("figure_audit.jsonl")
FIELDS = ("doc", "metric", "value", "scope", "start", "end", "period")  # what identifies a figure


def key(doc: str, metric: str, value: float, scope: str, start: int, end: int, period: str = "year") -> tuple:
    return doc, metric, float(value), scope, start, end, period


def current_figures() -> list[dict]:
    """Every figure the current code extracts from the seeds and the real reports, answer figures marked."""
    out = []
    for path in sorted(SEEDS.glob("*.txt")) + sorted(REAL.glob("*.txt")):
        clean = clean_report(read_report(path))
        facts = extract_facts(clean.text, describe(clean).year)
        answers = {(f.metric, f.start) for f in answer_facts(facts)}
        out += [dict(doc=path.stem, metric=f.metric, value=f.value, scope=f.scope, start=f.start, end=f.end,
                     period=f.period, answer=(f.metric, f.start) in answers) for f in facts]
    return out


def precision(rows: list[tuple[dict, dict]]) -> str:
    right = sum(v["verdict"] == "right" for _, v in rows)
    return f"{right}/{len(rows)} {right / max(len(rows), 1):.3f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verdicts", type=Path, default=VERDICTS)
    ap.add_argument("--verbose", "-v", action="store_true", help="list every wrong figure")
    args = ap.parse_args()
    if not REAL.exists():
        sys.exit(f"no real reports at {REAL}")
    verdicts = [json.loads(line) for line in args.verdicts.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_key = {key(v["doc"], v["metric"], v["value"], v["scope"], v["start"], v["end"], v.get("period", "year")): v
              for v in verdicts}
    for run in sorted({r for v in verdicts for r in v.get("runs", [])}):
        judged = [(v, v) for v in verdicts if run in v.get("runs", [])]
        answers = [(v, v) for v in verdicts if run in v.get("answer_in", [])]
        print(f"{run:8} (from the verdict file)   all figures {precision(judged):14} answer figures {precision(answers)}")
    figures = current_figures()
    judged = [(f, by_key[k]) for f in figures
              if (k := key(*(f[n] for n in FIELDS))) in by_key]
    unjudged = [f for f in figures if key(*(f[n] for n in FIELDS)) not in by_key]
    print(f"current  (re-checked live)         all figures {precision(judged):14} answer figures "
          f"{precision([(f, v) for f, v in judged if f['answer']])}   unjudged {len(unjudged)}")
    print("  by metric:", dict(Counter(f["metric"] for f in figures)))
    for f, v in judged:
        if args.verbose and v["verdict"] != "right":
            print(f"  wrong    {f['doc']} {f['metric']}={f['value']:g} {f['scope']} [{f['start']},{f['end']}]: {v['reason']}")
    for f in unjudged:
        print(f"  unjudged {json.dumps({k: f[k] for k in FIELDS})}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
