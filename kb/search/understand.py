"""Query understanding: the names in a question pick the documents, the rest of it picks the passage.

"盐城市生态环境局2022年收到多少件依申请公开事项": 盐城市 / 生态环境 / 2022 name a report (its agency,
short name, region, level and year); "收到多少件依申请公开事项" says which passage of it answers. Ranked
on the whole question, the report's title or overview passage (which repeats the names) beat the
sentence with the figure. So the name tokens become a document prior (an idf-weighted share of the
question's name tokens that a document carries, scaled so the best document has 1) and leave the
text that ranks passages. Names come from the documents in the build, never from a list of our own.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from kb.report.agency import abbreviate
from kb.text import normalize, tokenize

# A token in the names of at least this share of the documents describes nothing (e.g. 人民政府 in a
# corpus of city governments): it still counts for the prior, with its low idf, but stays in the text.
COMMON_NAME_SHARE = 0.5
BOOST = 1.0  # weight of the document prior next to the fused passage score (in [0, 1]); bench/real.py
# A question about a quantity ("多少件", "几次", "是否收费") is answered by a passage stating a figure.
FIGURE_BOOST = 0.3
ASKS_QUANTITY = re.compile(r"多少|几[件条次个人起项场名]?|数量|数目|是否|有没有|有无|[了不]吗|how many|number of", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def name_tokens(doc: dict) -> set[str]:
    """The tokens that name a document in its metadata: agency and its short form, region, level, year."""
    text = " ".join(v for v in (doc["agency"], abbreviate(doc["agency"]), doc["region"], doc.get("level") or "") if v)
    tokens = set(tokenize(text))
    if doc.get("year"):
        tokens.add(str(doc["year"]))
    return tokens


@dataclass
class Understood:
    rest: str                           # the question less the names (empty: use the whole question)
    doc_boost: np.ndarray | None        # per document, in [0, 1]; None when the question names nothing
    names: list[str] = field(default_factory=list)
    asks_quantity: bool = False
    boost_weight: float = field(default_factory=lambda: BOOST)
    figure_weight: float = field(default_factory=lambda: FIGURE_BOOST)

    def describe(self) -> dict:
        out = {"names": self.names, "rest": self.rest} if self.names else {}
        return out | ({"asks_quantity": True} if self.asks_quantity else {})


class Understander:
    def __init__(self, docs: list[dict]):
        self.n_docs = len(docs)
        self.doc_tokens = [name_tokens(d) for d in docs]
        df: dict[str, int] = {}
        for tokens in self.doc_tokens:
            for t in tokens:
                df[t] = df.get(t, 0) + 1
        self.df = df
        self.by_token: dict[str, np.ndarray] = {}
        for i, tokens in enumerate(self.doc_tokens):
            for t in tokens:
                self.by_token.setdefault(t, []).append(i)
        self.by_token = {t: np.array(v, dtype=np.int64) for t, v in self.by_token.items()}

    def idf(self, token: str) -> float:
        df = self.df.get(token, 0)
        return math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))

    def understand(self, query: str) -> Understood:
        tokens = list(dict.fromkeys(tokenize(query)))
        quantity = bool(ASKS_QUANTITY.search(query))
        names = [t for t in tokens if t in self.df and (len(t) > 1 or _YEAR.fullmatch(t))]
        if not names or not self.n_docs:
            return Understood(query, None, asks_quantity=quantity)
        boost = np.zeros(self.n_docs)
        for t in names:
            boost[self.by_token[t]] += self.idf(t)
        if boost.max() <= 0:
            return Understood(query, None, asks_quantity=quantity)
        boost /= boost.max()
        specific = [t for t in names if self.df[t] < COMMON_NAME_SHARE * self.n_docs or _YEAR.fullmatch(t)]
        if any(not _YEAR.fullmatch(t) for t in specific):
            # The question names a document: every name of the documents it names best leaves the text
            # (安全生产监督管理局 in "湖南安全生产监督管理局…", however many bureaus share it).
            best = np.flatnonzero(boost >= 1.0 - 1e-9)
            specific += [t for t in names if t not in specific and all(t in self.doc_tokens[i] for i in best)]
        rest = normalize(query)
        for t in sorted(specific, key=len, reverse=True):
            rest = _remove(rest, t)
        rest = _YEAR.sub(" ", rest)
        rest = re.sub(r"\s*年度?(?=\s|$)", " ", rest).strip()
        return Understood(rest if tokenize(rest) else "", boost, specific, asks_quantity=quantity)


def _remove(text: str, token: str) -> str:
    return re.sub(r"\s+", " ", text.replace(token, " ")).strip()


def understand(query: str, catalog) -> Understood:
    """Understanding with an Understander cached on the catalog object."""
    understander = getattr(catalog, "_understander", None)
    if understander is None:
        understander = catalog._understander = Understander(catalog.docs)
    return understander.understand(query)
