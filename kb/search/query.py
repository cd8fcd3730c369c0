"""The query language: `"exact phrase"`, AND / OR / NOT / -term, field:value, year:[2017 TO 2019].

Whoosh's QueryParser (kb.indexes.structured) turns the text into a query tree; this module checks the
text first (so that a malformed query gets a message, not a guess), then evaluates the tree to the
exact set of matching passages as a boolean row mask:
- a word or phrase in the text matches a passage whose compacted, normalised text contains it
  (a word the tokenizer splits, such as 行政复议案件, needs each of its tokens); candidates come from
  the bigram postings of the keyword index, and the substring check makes the set exact;
- document fields (agency, title, region, level, type, doc, year) go to the Whoosh document index;
  agency / title / region / level / type match as substrings of the indexed values in either script;
- section: matches the passage's section path.
A plain query (no syntax) never comes here.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq

from kb.indexes.structured import FIELD_ALIASES, query_parser
from kb.text import compact

QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "『": '"', "』": '"', "＂": '"'})
_FIELD_NAMES = sorted({*FIELD_ALIASES, *(a for names in FIELD_ALIASES.values() for a in names)}, key=len, reverse=True)
_FIELD = re.compile(r"(?:^|[\s(（+\-])(" + "|".join(map(re.escape, _FIELD_NAMES)) + r")\s*[:：]")
_OPERATOR = re.compile(r"(?:^|\s)(AND|OR|NOT)(?=\s|$)")
_SYNTAX = re.compile(r'["“”「」『』＂]|(?:^|\s)[-－+]\S|\[[^\]]*\bTO\b')


class QueryError(ValueError):
    """A query whose syntax cannot be read; the message says what is wrong (in Chinese and English)."""


def has_syntax(query: str) -> bool:
    """Whether the text uses the query language at all (otherwise it is a plain question or words)."""
    return bool(_SYNTAX.search(query) or _OPERATOR.search(query) or _FIELD.search(query))


def prepare(query: str) -> str:
    """Full-width forms and Chinese quotes to the parser's ASCII syntax, without changing the words' case."""
    text = unicodedata.normalize("NFKC", query.translate(QUOTES))
    return _FIELD.sub(lambda m: m.group(0).replace(m.group(1), _canonical(m.group(1))).rstrip(" :") + ":", text)


def _canonical(name: str) -> str:
    for field, aliases in FIELD_ALIASES.items():
        if name == field or name in aliases:
            return field
    return name


def check(text: str) -> None:
    if text.count('"') % 2:
        raise QueryError('引号不成对：短语要用一对引号括起，如 "政府信息公开" (unbalanced quote)')
    for open_, close in ("()", "[]", "{}"):
        depth = 0
        for ch in text:
            depth += (ch == open_) - (ch == close)
            if depth < 0:
                break
        if depth != 0:
            raise QueryError(f"括号不成对：{open_} 与 {close} 数量不一致 (unbalanced {open_}{close})")
    outside = re.sub(r'"[^"]*"', "Q", text)
    words = outside.split()
    for i, w in enumerate(words):
        if w in ("AND", "OR") and (i == 0 or i == len(words) - 1 or words[i - 1] in ("AND", "OR", "NOT")
                                   or words[i + 1] in ("AND", "OR")):
            raise QueryError(f"{w} 两边都要有检索词，如 行政复议 {w} 行政诉讼 ({w} needs a term on each side)")
        if w == "NOT" and (i == len(words) - 1 or words[i + 1] in ("AND", "OR", "NOT")):
            raise QueryError("NOT 后面要有检索词，如 行政复议 NOT 诉讼 (NOT needs a term after it)")
        if w in ("-", "+"):
            raise QueryError(f"{w} 要紧跟检索词，如 -诉讼 ({w} must be followed by a term)")
    for value in re.findall(r"(?:^|[\s(+\-])year:(\S*)", outside):
        if not re.fullmatch(r"(?:\d{4}|[\[{]\d{0,4}|[<>]=?\d{4}|\*)\)*", value):
            raise QueryError(f"年度要写成 year:2018、year:[2017 TO 2019] 或 year:>=2018；不是 year:{value} "
                             "(year must be a year or a range)")
    empty = re.search(r"(?:^|[\s(])([a-z_]+):(?=\s|$|\))", outside)
    if empty:
        raise QueryError(f"{empty.group(1)}: 后面缺少要检索的值，如 {empty.group(1)}:… ({empty.group(1)}: needs a value)")


@dataclass
class ParsedQuery:
    text: str            # the query as the user wrote it
    tree: wq.Query       # Whoosh's query tree
    ranking_text: str    # the words and phrases that must be present, for ranking inside the set


_parser = None


def parse(query: str) -> ParsedQuery:
    global _parser
    text = prepare(query)
    check(text)
    if _parser is None:
        _parser = query_parser()
    try:
        tree = _parser.parse(text).normalize()
    except Exception as exc:  # noqa: BLE001 -- Whoosh raises several kinds for odd input
        raise QueryError(f"无法解析检索式：{exc} (cannot parse the query)") from None
    _check_tree(tree)
    if isinstance(tree, wq.qcore._NullQuery) and re.search(r"(?:^|\s)(?:NOT\s|-)", text):
        raise QueryError("只有排除条件：请加上要检索的词，如 行政复议 -诉讼 (a query needs a term to search for)")
    return ParsedQuery(query, tree, " ".join(dict.fromkeys(_positive_text(tree))))


def _check_tree(q: wq.Query) -> None:
    if isinstance(q, wq.qcore._NullQuery):
        return
    if type(q).__name__ == "ErrorQuery":
        raise QueryError(f"检索式有误：{q.message} (bad query)")
    if isinstance(q, wq.TermRange) and q.fieldname != "year":
        raise QueryError(f"范围检索只用于年度，如 year:[2017 TO 2019]；{q.fieldname}: 不能用范围 (ranges are for year only)")
    if isinstance(q, wq.NumericRange) and q.fieldname != "year":
        raise QueryError("范围检索只用于年度 (ranges are for year only)")
    for child in q.children():
        _check_tree(child)


def _leaf_text(q: wq.Query) -> str:
    raw = getattr(q, "raw", None)
    if raw is not None:
        return raw
    if isinstance(q, wq.Phrase):
        return "".join(q.words)
    return str(getattr(q, "text", "") or "").strip("*?")


def _positive_text(q: wq.Query):
    if isinstance(q, wq.Not):
        return
    if isinstance(q, (wq.AndNot, wq.AndMaybe, wq.Require)):
        yield from _positive_text(q.a)
        if isinstance(q, wq.Require):
            yield from _positive_text(q.b)
        return
    if getattr(q, "fieldname", None) == "text":
        yield _leaf_text(q)
        return
    for child in q.children():
        yield from _positive_text(child)


class Evaluator:
    """Evaluates a parsed query over one build: keyword index (passages), catalog, Whoosh document index."""

    def __init__(self, keyword, catalog, doc_index):
        self.keyword, self.catalog, self.docs = keyword, catalog, doc_index
        self._sections = [compact(s) for s in catalog.sections]
        self._field_terms: dict[str, list[str]] = {}

    def mask(self, parsed: ParsedQuery, within: np.ndarray | None = None) -> np.ndarray:
        universe = np.ones(self.catalog.size, dtype=bool) if within is None else within
        return self._eval(parsed.tree, universe)

    # within: the rows still possible; every result is a subset of it
    def _eval(self, q: wq.Query, within: np.ndarray) -> np.ndarray:
        if isinstance(q, wq.qcore._NullQuery):
            return np.zeros_like(within)
        if isinstance(q, wq.Every):
            return within.copy()
        if isinstance(q, wq.And):
            result = within
            for child in sorted(q.children(), key=lambda c: isinstance(c, wq.Not)):
                result = self._eval(child, result)
                if not result.any():
                    break
            return result
        if isinstance(q, wq.Or):
            result = np.zeros_like(within)
            for child in q.children():
                result |= self._eval(child, within & ~result)
            return result
        if isinstance(q, wq.Not):
            return within & ~self._eval(q.query, within)
        if isinstance(q, wq.AndNot):
            a = self._eval(q.a, within)
            return a & ~self._eval(q.b, a)
        if isinstance(q, wq.AndMaybe):
            return self._eval(q.a, within)
        if isinstance(q, wq.Require):
            return self._eval(q.b, self._eval(q.a, within))
        return self._leaf(q, within)

    def _leaf(self, q: wq.Query, within: np.ndarray) -> np.ndarray:
        field = getattr(q, "fieldname", "text")
        if field == "text":
            return self.keyword.substring_mask(compact(_leaf_text(q)), within)
        if field == "section":
            value = compact(_leaf_text(q))
            ids = [i for i, s in enumerate(self._sections) if value in s]
            return within & np.isin(self.catalog.row_section, ids)
        if field == "year":
            if getattr(q, "raw", None) is not None:
                try:
                    year = int(q.raw.strip())
                except ValueError:
                    raise QueryError(f"年度要写数字，如 year:2018；不是 {q.raw!r} (year must be a number)") from None
                q = wq.NumericRange("year", year, year)
            docs = self.docs.docs_for_query(q)
        elif field == "doc":
            docs = self.docs.docs_for_query(wq.Term("doc", _leaf_text(q)))
        else:
            value = compact(_leaf_text(q)).replace(" ", "")
            if field not in self._field_terms:
                self._field_terms[field] = self.docs.field_terms(field)
            docs = self.docs.docs_with_terms(field, [t for t in self._field_terms[field] if value in t])
        doc_mask = np.zeros(len(self.catalog.docs), dtype=bool)
        doc_mask[np.asarray(docs, dtype=np.int64)] = True
        return within & self.catalog.rows_of_docs(doc_mask)
