"""What a plain query matches: passages that contain every one of its terms.

A term is a space-separated part of the query, found as written (compacted, in any script, as a
substring: 微博 inside 政务微博, 公众号 never through 公众 alone). A part that is a question or a long
phrase is reduced to its content words (kb.text.content_words), each of which must be found. The names
the query understanding took out (kb.search.understand) are found either in the passage's text or as
a name of its document (三门峡市 matches every passage of 三门峡市's report). `OR` and the rest of the
query language are kb.search.query's.
"""
from __future__ import annotations

import re

import numpy as np

from kb.text import compact, content_words, normalize, tokenize

AS_WRITTEN_CHARS = 5  # a part of at most this many characters is one term (新闻发布会, 微信公众号) unless it asks something
QUESTION = re.compile(r"多少|几|哪些|哪个|什么|如何|怎么|怎样|是否|有没有|有无|吗|[?？]")


def match_terms(text: str) -> list[str]:
    """The compacted terms a passage must contain, in query order."""
    terms: list[str] = []
    for part in normalize(text).split():
        if not tokenize(part):
            continue  # punctuation or stop words alone
        whole = compact(part)
        if len(whole) <= AS_WRITTEN_CHARS and not QUESTION.search(part):
            terms.append(whole)
        else:
            terms.extend(compact(w) for w in content_words(QUESTION.sub(" ", part)))
    return list(dict.fromkeys(t for t in terms if t))


def match_mask(keyword, catalog, text: str, named_docs: list | None = None,
               names: list[str] | None = None) -> np.ndarray:
    """Rows that contain every term of text, and carry every name (in their text or their document)."""
    mask = None
    for term in sorted(match_terms(text), key=len, reverse=True):  # the longest narrows the search first
        mask = keyword.substring_mask(term, mask)
    for name, docs in zip(names or [], named_docs or [], strict=True):
        doc_mask = np.zeros(len(catalog.docs), dtype=bool)
        doc_mask[docs] = True
        carried = catalog.rows_of_docs(doc_mask) | keyword.substring_mask(compact(name))
        mask = carried if mask is None else mask & carried
    return np.zeros(keyword.size, dtype=bool) if mask is None else mask  # nothing to look for


def any_term_mask(keyword, text: str) -> np.ndarray:
    """Rows that contain at least one term of text (a comparison's fallback when none has them all)."""
    mask = np.zeros(keyword.size, dtype=bool)
    for term in match_terms(text):
        mask |= keyword.substring_mask(term)
    return mask
