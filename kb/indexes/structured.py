"""The Whoosh part: the query language's schema and parser, and an index of the documents' fields.

Whoosh reads the researcher's syntax (`"…"`, AND / OR / NOT, `-term`, `field:value`, `year:[2017 TO 2019]`)
and resolves the document fields (agency, title, region, level, year, type, doc id) through its own
index: one Whoosh document per report. Words and phrases are resolved per passage by the keyword
index's bigram postings and a substring check of the compacted passage (kb.search.query): measured
at 50k passages, reading one common term's postings out of Whoosh costs 0.8 µs a passage (40 ms for
one bigram, five for a phrase) and indexing 80 terms a passage 4.4 ms a passage, which at 200k
passages would be 15 minutes of build and seconds per query (bench/RESULTS.md).
"""
from __future__ import annotations

import shutil
from pathlib import Path

from whoosh import fields, index, qparser, query
from whoosh.analysis import Token, Tokenizer

from kb.text import compact, tokenize

DIRECTORY = "whoosh"
DOC_FIELDS = ("doc", "agency", "title", "region", "level", "year", "type")
PASSAGE_FIELDS = ("text", "section")
# Chinese names for the fields (and a few English synonyms); `机关:罗庄 年度:[2017 TO 2019]`.
FIELD_ALIASES = {"agency": ["机关", "单位", "部门", "org"], "title": ["标题"], "region": ["地区", "区域"],
                 "level": ["层级", "级别"], "year": ["年度", "年份"], "type": ["类型", "doc_type", "文种"],
                 "section": ["章节", "栏目"], "doc": ["doc_id", "文档"], "text": ["正文", "全文"]}
DOC_TYPE_LABELS = {"annual_report": "年度报告", "work_plan": "工作方案", "guide": "公开指南", "catalogue": "公开目录",
                   "other": "其他"}


class KbTokenizer(Tokenizer):
    """kb.text.tokenize as a Whoosh tokenizer: the query words the parser sees are the index's tokens."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize_mode="", mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, word in enumerate(tokenize(value)):
            t.original = t.text = word
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t


class WholeValue(Tokenizer):
    """The value as one term (field values are compared as substrings later, in either script)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        t.original = t.text = value
        t.boost, t.stopped = 1.0, False
        if positions:
            t.pos = start_pos
        if chars:
            t.startchar, t.endchar = start_char, start_char + len(value)
        yield t


def _keyword() -> fields.KEYWORD:
    field = fields.KEYWORD(scorable=False)
    field.analyzer = WholeValue()
    return field


def doc_schema() -> fields.Schema:
    return fields.Schema(doc=fields.ID(stored=True), agency=_keyword(), title=_keyword(), region=_keyword(),
                         level=_keyword(), year=fields.NUMERIC(int, bits=32, signed=True), type=_keyword())


def parser_schema() -> fields.Schema:
    schema = doc_schema()
    schema.add("text", fields.TEXT(analyzer=KbTokenizer(), phrase=False))
    schema.add("section", _keyword())
    return schema


class SubstringPhrase(query.Phrase):
    """A quoted phrase that keeps the text as written: it is matched as a substring, not by positions."""

    def __init__(self, fieldname, words, raw: str, **kwargs):
        super().__init__(fieldname, words or [raw], **kwargs)
        self.raw = raw

    def normalize(self):
        return self

    def __repr__(self):
        return f"SubstringPhrase({self.fieldname!r}, {self.raw!r})"


class RawPhraseNode(qparser.PhrasePlugin.PhraseNode):
    def query(self, parser):
        q = super().query(parser)
        return SubstringPhrase(self.fieldname or parser.fieldname, list(getattr(q, "words", []) or []), raw=self.text)


class RawPhrasePlugin(qparser.PhrasePlugin):
    """Quoted text becomes a SubstringPhrase carrying the text as written."""

    class PhraseTagger(qparser.PhrasePlugin.PhraseTagger):
        def create(self, parser, match):
            return RawPhraseNode(match.group("text"), match.start("text"), 1)


def query_parser() -> qparser.QueryParser:
    parser = qparser.QueryParser("text", parser_schema(), group=qparser.AndGroup)
    parser.remove_plugin_class(qparser.PhrasePlugin)
    parser.add_plugin(RawPhrasePlugin())
    parser.remove_plugin_class(qparser.SingleQuotePlugin)  # an apostrophe is text, not syntax
    parser.remove_plugin_class(qparser.BoostPlugin)
    parser.add_plugin(qparser.PlusMinusPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    return parser


def _terms(*values: str) -> str:
    return " ".join(dict.fromkeys(compact(v).replace(" ", "") for v in values if v))


def build_doc_index(directory: Path, docs: list[dict], short_name) -> dict:
    """One Whoosh document per report, in catalog order (Whoosh doc number == catalog document index)."""
    path = Path(directory) / DIRECTORY
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    ix = index.create_in(str(path), doc_schema())
    writer = ix.writer()
    for d in docs:
        fields_ = {"doc": d["doc_id"], "agency": _terms(d["agency"], short_name(d["agency"])),
                   "title": _terms(d["title"]), "region": _terms(*(d["region"] or "").split()),
                   "level": _terms(d["level"]), "type": _terms(d["doc_type"], DOC_TYPE_LABELS.get(d["doc_type"], ""))}
        if d["year"] is not None:
            fields_["year"] = int(d["year"])
        writer.add_document(**{k: v for k, v in fields_.items() if v != ""})
    writer.commit()
    return {"engine": "whoosh", "documents": len(docs)}


class DocIndex:
    def __init__(self, directory: Path):
        self.index = index.open_dir(str(Path(directory) / DIRECTORY))
        self.searcher = self.index.searcher()
        self.doc_numbers = {fields_["doc"]: n for n, fields_ in self.searcher.iter_docs()}

    def field_terms(self, field: str) -> list[str]:
        return list(self.searcher.reader().field_terms(field))

    def docs_with_terms(self, field: str, terms: list[str]) -> list[int]:
        reader = self.searcher.reader()
        out: set[int] = set()
        for t in terms:
            if reader.doc_frequency(field, t):
                out.update(reader.postings(field, t).all_ids())
        return sorted(out)

    def docs_for_query(self, q) -> list[int]:
        return list(self.searcher.docs_for_query(q))
