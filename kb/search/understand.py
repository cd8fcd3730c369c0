"""Query understanding: the names in a question pick the documents, the rest of it picks the passage.

"盐城市生态环境局2022年收到多少件依申请公开事项": 盐城市 / 生态环境 / 2022 name a report (its agency,
short name, region, level and year); "收到多少件依申请公开事项" says which passage of it answers. Ranked
on the whole question, the report's title or overview passage (which repeats the names) beat the
sentence with the figure. So the name tokens become a document prior (an idf-weighted share of the
question's name tokens that a document carries, scaled so the best document has 1) and leave the
text that ranks passages. Names come from the documents in the build, never from a list of our own.

Only real names count: a name is a token of some document's agency, short name, region or year that
is not a generic word of agency names (GENERIC_NAME_WORDS: 政府, 机关, 信息, 政务 …), that is in fewer
than half of the documents' names, and that the documents it names carry more than the others mention
it (NAMED_SHARE of the documents whose text holds it): 三门峡 or 安监局 name reports, 政务 in
九原区政务服务局 does not. A word of several agencies' names that is no place (安监局, 统计局) says what
kind of agency: it refines a prior that a place, one agency's word or a year starts, never starts one.
A query without a name of an agency or place is topical (kb.search.ranking).

A government level the query names (乡镇政务公开, 县级…, 国务院部门…: the words of kb.report.agency's
LEVEL_WORDS, as whole words of the query) picks the reports of that level the same way, as a prior and
for matching, and leaves the text; like a year, it does not make the query about one report.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from kb.report.agency import LEVEL_WORDS, abbreviate
from kb.text import compact, normalize, tokenize, word_boundaries

# A token in the names of at least this share of the documents describes nothing (e.g. 人民政府 in a
# corpus of city governments): it still counts for the prior, with its low idf, but stays in the text.
COMMON_NAME_SHARE = 0.5
# Words of agency names that never name one: what agencies are, not which.
GENERIC_NAME_WORDS = frozenset("""
机关 政府 人民 人民政府 单位 部门 信息 政务 机构 服务 政务服务 公开 工作 管理 管理局 监督 监督管理 中心 委员会 委员
办公 办公室 办公厅 办事 办事处 街道 街道办 街道办事处 乡 镇 乡镇 村 社区 省 市 县 区 州 局 厅 部 委 司 处 科 所 站
国家 全国 中华 中华人民共和国 总局 大数据 数据 资源 社会 保障 安全 生产 发展 改革 自然 统计 行政 审批 综合 执法
""".split())
# A token names documents when those it names are at least this share of the documents mentioning it.
NAMED_SHARE = 0.3
BOOST = 1.0  # weight of the document prior next to the fused passage score (in [0, 1]); bench/real.py
# A question about a quantity ("多少件", "几次", "是否收费") is answered by a passage stating a figure.
FIGURE_BOOST = 0.3
ASKS_QUANTITY = re.compile(r"多少|几[件条次个人起项场名]?|数量|数目|是否|有没有|有无|[了不]吗|how many|number of", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_LEVEL_WORDS = [(level, re.compile(words)) for level, words in LEVEL_WORDS.items()]


def name_tokens(doc: dict) -> set[str]:
    """The tokens that name a document in its metadata: agency and its short form, region, year."""
    text = " ".join(v for v in (doc["agency"], abbreviate(doc["agency"]), doc["region"]) if v)
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
    named_docs: list = field(default_factory=list)  # per name: the indexes of the documents it names
    boost_weight: float = field(default_factory=lambda: BOOST)
    figure_weight: float = field(default_factory=lambda: FIGURE_BOOST)
    levels: list[str] = field(default_factory=list)         # the levels named (乡镇级), in query order
    level_words: list[str] = field(default_factory=list)    # the words naming them (乡镇), one per level
    level_docs: list = field(default_factory=list)          # per level: the indexes of its documents

    @property
    def selectors(self) -> tuple[list[str], list]:
        """What picks documents, for matching: (names and level words, the documents of each)."""
        return self.names + self.level_words, self.named_docs + self.level_docs

    @property
    def topical(self) -> bool:
        """Names no agency or place (a year alone does not make a question about one report)."""
        return not any(not _YEAR.fullmatch(t) for t in self.names)

    def describe(self) -> dict:
        out = {"names": self.names, "rest": self.rest} if self.names or self.levels else {}
        out |= {"levels": self.levels} if self.levels else {}
        return out | ({"asks_quantity": True} if self.asks_quantity else {}) | {"topical": self.topical}


class Understander:
    def __init__(self, docs: list[dict], mentions=None):
        """mentions(token) -> how many documents' text contains the token (None: not checked)."""
        self.mentions = mentions
        self._specific: dict[str, bool] = {}
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
        # A word of the names of several agencies, and no place (安监局, 统计局, 安全生产), says what kind
        # of agency: it helps pick among the reports a place or agency names, but names none by itself.
        self.places = {t for d in docs for t in tokenize(d["region"] or "")}
        agencies: dict[str, set[str]] = {}
        for d, tokens in zip(docs, self.doc_tokens, strict=True):
            for t in tokens:
                agencies.setdefault(t, set()).add(d["agency"])
        self.kind = {t for t, names in agencies.items() if len(names) > 1 and t not in self.places}
        levels = np.array([d.get("level") or "" for d in docs], dtype=object)
        self.level_docs = {level: np.flatnonzero(levels == level) for level in LEVEL_WORDS}

    def idf(self, token: str) -> float:
        return self._idf(self.df.get(token, 0))

    def _idf(self, df: int) -> float:
        """BM25's idf of something `df` of the documents carry (a name token, a level)."""
        return math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5))

    @staticmethod
    def generic(token: str) -> bool:
        """A generic word of agency names, or a piece of one (民政 of 人民政府, 府 …)."""
        return token in GENERIC_NAME_WORDS or any(token in w for w in GENERIC_NAME_WORDS if len(w) > len(token))

    def is_specific(self, token: str) -> bool:
        """A name that picks reports by itself: a year, a place, or a word of one agency's names."""
        return self.is_name(token) and token not in self.kind

    def is_name(self, token: str) -> bool:
        """A year of some document, or a name (see the module's docstring)."""
        if token not in self.df:
            return False
        if _YEAR.fullmatch(token):
            return True
        if len(token) < 2 or self.generic(token) or self.df[token] >= COMMON_NAME_SHARE * self.n_docs:
            return False
        if token not in self._specific:
            if len(self._specific) > 100_000:
                self._specific.clear()
            mentioned = self.mentions(token) if self.mentions else 0
            self._specific[token] = self.df[token] >= NAMED_SHARE * max(mentioned, self.df[token])
        return self._specific[token]

    def levels(self, normalized_query: str) -> list[tuple[str, str]]:
        """(word, level) for each government level the query names as a whole word and the index holds."""
        bounds = None  # jieba's cut only for a query that holds a level word at all
        found: list[tuple[str, str]] = []
        for level, pattern in _LEVEL_WORDS:
            if not len(self.level_docs[level]):
                continue
            for m in pattern.finditer(normalized_query):
                bounds = word_boundaries(normalized_query) if bounds is None else bounds
                if m.start() in bounds and m.end() in bounds:
                    found.append((m.group(), level))
                    break
        return found

    def understand(self, query: str) -> Understood:
        tokens = list(dict.fromkeys(tokenize(query)))
        quantity = bool(ASKS_QUANTITY.search(query))
        names = [t for t in tokens if self.is_name(t)]
        specific = [t for t in names if self.is_specific(t)]
        levels = self.levels(normalize(query)) if self.n_docs else []
        if not (specific or levels) or not self.n_docs:
            return Understood(query, None, asks_quantity=quantity)
        if all(_YEAR.fullmatch(t) for t in specific):
            names = specific  # a year alone (or none): kind words stay topic words
        boost = np.zeros(self.n_docs)
        for t in names:
            boost[self.by_token[t]] += self.idf(t)
        for _, level in levels:
            boost[self.level_docs[level]] += self._idf(len(self.level_docs[level]))
        if boost.max() <= 0:
            return Understood(query, None, asks_quantity=quantity)
        boost /= boost.max()
        removed = list(names) + [word for word, _ in levels]
        if any(not _YEAR.fullmatch(t) for t in specific):
            # The question names a document: every other word of the names of the documents it names best
            # leaves the text too (安全生产监督管理局 in "湖南安全生产监督管理局…", 街道办事处 in "官洲街道办事处…");
            # the specific ones among them are names, generic ones are not.
            best = np.flatnonzero(boost >= 1.0 - 1e-9)
            carried = [t for t in tokens if t not in names and t in self.df and len(t) > 1
                       and all(t in self.doc_tokens[i] for i in best)]
            names += [t for t in carried if not self.generic(t)]
            removed += carried
        rest = normalize(query)
        for t in sorted(removed, key=len, reverse=True):
            rest = _remove(rest, t)
        rest = _YEAR.sub(" ", rest)
        rest = re.sub(r"\s*年度?(?=\s|$)", " ", rest).strip()
        named_docs = [self.by_token[t] for t in names]
        return Understood(rest if tokenize(rest) else "", boost, names, asks_quantity=quantity, named_docs=named_docs,
                          levels=[level for _, level in levels], level_words=[word for word, _ in levels],
                          level_docs=[self.level_docs[level] for _, level in levels])


def _remove(text: str, token: str) -> str:
    return re.sub(r"\s+", " ", text.replace(token, " ")).strip()


def understand(query: str, catalog, keyword=None) -> Understood:
    """Understanding with an Understander cached on the catalog object; keyword (the build's keyword
    index) counts the documents whose text mentions a token."""
    understander = getattr(catalog, "_understander", None)
    if understander is None:
        def mentions(token: str) -> int:
            return len(np.unique(catalog.row_doc[keyword.substring_mask(compact(token))]))
        understander = catalog._understander = Understander(catalog.docs, mentions if keyword is not None else None)
    return understander.understand(query)
