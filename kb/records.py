"""The records passed between stages: read -> clean -> describe -> sections -> chunks -> facts."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RawReport:
    """A report file decoded to text, with where the text came from."""
    doc_id: str
    path: str
    sha256: str
    encoding: str
    text: str
    source_type: str = "txt"          # txt / html / pdf / docx / doc / wps / image
    pages: int | None = None          # page count of a paged file (PDF, image)
    ocr: bool = False                 # some or all of the text was recognised from page images
    page_starts: list[int] = field(default_factory=list)  # offset in text where each page starts
    meta: dict[str, str] = field(default_factory=dict)    # found outside the body: title, published, source, url
    name: str = ""                    # the file's name relative to the corpus folder it was found in


@dataclass
class CleanReport:
    """The report's own text in its original script; every offset in the system refers to `text`."""
    raw: RawReport
    text: str
    removed: list[str] = field(default_factory=list)     # clutter lines dropped, in order
    meta: dict[str, str] = field(default_factory=dict)   # portal metadata read before dropping (发布机构, 发布日期 ...)


@dataclass
class Description:
    title: str
    title_composed: bool
    agency: str
    region: str          # "河南省 三门峡市" style, province first; 全国 for a national body
    province: str
    city: str
    district: str
    level: str           # 国家级 / 省级 / 市级 / 区县级 / 乡镇级 / ""
    year: int | None     # the statistics year
    published: str | None  # ISO date when stated
    doc_type: str        # annual_report / work_plan / guide / other
    source_url: str | None = None  # the report's canonical address, when its page named one


@dataclass
class Section:
    ordinal: int
    level: int            # 1: 一、  2: （一）  3: 1.  4: （1）  0: preamble
    number: str           # "二、", "（三）", "" for the preamble
    title: str
    start: int
    end: int              # end of the whole section including children
    body_end: int         # end of the section's own text (first child heading or end)
    parent: int | None    # ordinal of the parent section
    path: list[str] = field(default_factory=list)


@dataclass
class Chunk:
    ordinal: int
    section_ordinal: int
    start: int
    end: int
    text: str
    section_path: list[str]
    page: int | None = None   # 1-based page of the passage's start, in a paged file


@dataclass
class Fact:
    metric: str
    value: float
    unit: str
    approx: bool
    start: int            # evidence span in the document text
    end: int
    text: str
    scope: str = "agency"  # "agency": the reporting agency's own figure; "area": a whole area's (全市, 各部门)
    origin: str = "text"   # "text": a sentence states it; "table": a row of the template's tables
    in_section: bool = True  # stated in the section about its metric (a heading naming it, or a table row)
    # "year": the count for the report's year; "cumulative": a running total (截至…累计); "part_year": part
    # of the year (上半年). Only a year's figure answers a question (answer_facts).
    period: str = "year"


@dataclass
class Document:
    """Everything ingest derives from one file, ready for the store."""
    raw: RawReport
    text: str
    description: Description
    sections: list[Section]
    chunks: list[Chunk]
    facts: list[Fact]
    pipeline: str = ""    # version of the code that derived it: a new version re-ingests unchanged files
    page_starts: list[int] = field(default_factory=list)  # offsets in text where each page starts (paged files)
