"""Accuracy of report understanding against gold labels (a manifest.jsonl like ../shared/real/'s).

Each label line: file, title, agency, level, region, year, doc_type, published, facts ({metric: {value,
evidence}}) and clutter (lines that are not part of the report). A processed Document is compared field by
field; agency names are compared in simplified script with the usual short forms expanded on both sides
(涵江区人社局 = 涵江区人力资源和社会保障局), regions by province. Figures: recall is the share of gold
figures the document states with the same value; precision is over the figure per (document, metric) that
answers use (kb.report.facts.answer_facts), for the metrics the gold states (labels list the figures of a
report, not every figure: a figure for a metric the gold leaves out cannot be judged and is listed apart).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from kb.records import Document
from kb.report.agency import expand_abbreviations
from kb.report.facts import answer_facts
from kb.text import compact, normalize

FIELDS = ("agency", "level", "region", "year", "doc_type", "published", "title")
# The figures every label states when the report does: the ones precision is measured on.
GOLD_METRICS = ("requests_received", "proactive_disclosed", "admin_reviews", "lawsuits", "fees_charged")


def load_labels(manifest: Path) -> list[dict]:
    return [json.loads(line) for line in Path(manifest).read_text(encoding="utf-8").splitlines() if line.strip()]


def _agency_key(name: str) -> str:
    """Simplified, short forms expanded, and a place's government named by the place alone (X人民政府 = X)."""
    return re.sub(r"人民政府$", "", compact(expand_abbreviations(normalize(name))))


def same_agency(found: str, gold: str) -> bool:
    return bool(found) and _agency_key(found) == _agency_key(gold)


def _province(region: str) -> str:
    """山东省 临沂市 罗庄区 -> 山东; 全国 -> 全国."""
    first = normalize(region).split()[0] if region.strip() else ""
    return re.sub(r"(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$", "", first)


@dataclass
class DocumentScore:
    file: str
    fields: dict[str, bool]
    found: dict[str, object]
    figures_found: list[str] = field(default_factory=list)      # gold metrics found with the gold value
    figures_missed: list[str] = field(default_factory=list)     # "metric gold=v got=[...]"
    figures_wrong: list[str] = field(default_factory=list)      # answer figures the gold states otherwise
    figures_extra: list[str] = field(default_factory=list)      # answer figures of metrics the gold leaves out
    figures_right: int = 0
    clutter_left: list[str] = field(default_factory=list)


def score_document(doc: Document, label: dict) -> DocumentScore:
    d = doc.description
    fields = {
        "agency": same_agency(d.agency, label["agency"]),
        "level": d.level == label["level"],
        "region": _province(d.region) == _province(label["region"]),
        "year": d.year == label["year"],
        "doc_type": d.doc_type == label["doc_type"],
    }
    if label.get("published"):
        fields["published"] = d.published == label["published"]
    if label.get("title"):
        fields["title"] = not d.title_composed and compact(d.title) == compact(label["title"])
    score = DocumentScore(label["file"], fields, {f: getattr(d, f) for f in FIELDS})
    gold = label.get("facts", {})
    for metric, g in gold.items():
        values = [f.value for f in doc.facts if f.metric == metric]
        if g["value"] in values:
            score.figures_found.append(metric)
        else:
            score.figures_missed.append(f"{metric} gold={g['value']:g} got={values}")
    for f in answer_facts(doc.facts):
        if f.metric not in GOLD_METRICS:
            continue
        described = f"{f.metric}={f.value:g}{' (area)' if f.scope == 'area' else ''} 「{f.text[:60]}」"
        if f.metric not in gold:
            score.figures_extra.append(described)
        elif gold[f.metric]["value"] == f.value:
            score.figures_right += 1
        else:
            score.figures_wrong.append(described)
    passage_lines = {compact(line) for c in doc.chunks for line in c.text.split("\n")}
    score.clutter_left = [c for c in label.get("clutter", []) if compact(c) and compact(c) in passage_lines]
    return score


@dataclass
class Summary:
    documents: int
    correct: dict[str, int]
    applicable: dict[str, int]
    recall: tuple[int, int]          # gold figures found, gold figures
    precision: tuple[int, int]       # answer figures right, answer figures
    clutter_left: int

    def rate(self, name: str) -> float:
        return self.correct[name] / self.applicable[name] if self.applicable[name] else 1.0


def summarize(scores: list[DocumentScore]) -> Summary:
    correct = {f: 0 for f in FIELDS}
    applicable = {f: 0 for f in FIELDS}
    for s in scores:
        for name, ok in s.fields.items():
            applicable[name] += 1
            correct[name] += ok
    found = sum(len(s.figures_found) for s in scores)
    gold = found + sum(len(s.figures_missed) for s in scores)
    right = sum(s.figures_right for s in scores)
    given = right + sum(len(s.figures_wrong) for s in scores)
    return Summary(len(scores), correct, applicable, (found, gold), (right, given),
                   sum(len(s.clutter_left) for s in scores))
