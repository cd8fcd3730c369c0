"""Hostile and oversized report files, for the linearity bench, the hardening tests and, run as a script, an
ingest of all of them beside the seeds that prints its peak memory, wall time and each file's outcome.

    PYTHONPATH=$PWD python bench/hostile.py [--out /tmp/hostile] [--keep]

The text generators of KINDS return UTF-8 bytes of about n bytes (cut at a character boundary); the
others (docx, PDF, PNG, HTML bombs, misleading names) build one crafted file each.
"""
from __future__ import annotations

import argparse
import codecs
import gc
import io
import json
import os
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb.readers import read_report
from kb.report.chunks import chunk_sections
from kb.report.clean import clean_report
from kb.report.describe import describe
from kb.report.facts import extract_facts
from kb.report.sections import split_sections
from kb.settings import PROJECT_ROOT, load_settings

SEEDS = PROJECT_ROOT / "data" / "reports"


def _cut(text: str, n: int) -> bytes:
    return text.encode("utf-8")[:n].decode("utf-8", "ignore").encode("utf-8")


def _repeat(unit: str, n: int) -> bytes:
    return _cut(unit * (n // max(1, len(unit.encode("utf-8"))) + 1), n)


def seed_text(n: int) -> bytes:
    """The five seed reports one after another, over and over: a long report shaped like real ones."""
    return _repeat("\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))) + "\n", n)


def no_punctuation(n: int) -> bytes:
    """One line of Chinese without a single punctuation mark or line break."""
    return _repeat("政府信息公开工作年度报告主动公开依申请公开", n)


def short_lines(n: int) -> bytes:
    return _cut("".join(f"第{i}行\n" for i in range(n // 8 + 1)), n)


def many_headings(n: int) -> bytes:
    """One chapter heading, then numbered sub-headings on every line."""
    return _cut("一、总则\n" + "".join(f"（{i % 99 + 1}）条目内容说明。\n" for i in range(n // 30 + 1)), n)


def html_page(n: int) -> bytes:
    """A saved web page of paragraphs (the seed sentences), one <p> per line, all in one <body>."""
    lines = [ln for p in sorted(SEEDS.glob("*.txt")) for ln in p.read_text(encoding="utf-8").splitlines() if ln]
    return _repeat("".join(f"<p>{ln}</p>\n" for ln in lines), n)


KINDS = {"seeds": seed_text, "no_punctuation": no_punctuation, "short_lines": short_lines,
         "many_headings": many_headings, "html": html_page}


STAGES = ("read", "clean", "describe", "sections", "chunks", "facts")


def stage_seconds(data: bytes, suffix: str = ".txt", chunk_chars: int = 160, repeats: int = 2,
                  upto: str = "facts") -> dict[str, float]:
    """CPU seconds of each pipeline stage on these bytes (the best of `repeats` runs), from read up to `upto`.

    Thread CPU time: the stages run in this thread, and idle BLAS or server threads of the process must not
    count (process_time did, and more so the longer a stage ran)."""
    path = Path("generated" + suffix)
    wanted = STAGES[: STAGES.index(upto) + 1]
    best: dict[str, float] = {}

    def timed(name, fn, *args):
        if name not in wanted:
            return None
        gc.collect()
        t = time.thread_time()
        out = fn(*args)
        best[name] = min(best.get(name, float("inf")), time.thread_time() - t)
        return out

    for _ in range(repeats):
        raw = timed("read", read_report, path, data)
        clean = timed("clean", clean_report, raw)
        timed("describe", describe, clean)
        text = clean.text if clean else None
        sections = timed("sections", split_sections, text)
        timed("chunks", chunk_sections, text, sections, chunk_chars)
        timed("facts", extract_facts, text)
    return best


# -- crafted files ------------------------------------------------------------------------------------
FIGURE_SENTENCE = "本年度主动公开政府信息350条，受理政府信息公开申请120件。"


def repeated_sentence(n: int) -> bytes:
    """One sentence stating two figures, over and over (the issue's 15 MB file: 473,163 figures before)."""
    return _repeat(FIGURE_SENTENCE + "\n", n)


def distinct_figures(n: int) -> bytes:
    """Sentences each stating two figures, every one different (no repeats to collapse): ~1 figure per 30 bytes."""
    lines, size, i = [], 0, 0
    while size < n:
        line = f"第{i}批主动公开政府信息{i % 997 + 1}条，受理政府信息公开申请{i % 991 + 1}件。\n"
        lines.append(line)
        size += len(line.encode("utf-8"))
        i += 1
    return _cut("".join(lines), n)


def bom_gb18030() -> bytes:
    """A UTF-8 byte order mark before GB18030 text (an editor's doing): decodable, was refused."""
    return codecs.BOM_UTF8 + (SEEDS / "002_6eecb43df29e7b4f.txt").read_text(encoding="utf-8").encode("gb18030")


_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                  b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                  b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                  b'<Default Extension="xml" ContentType="application/xml"/>'
                  b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                  b'officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         b'officeDocument" Target="word/document.xml"/></Relationships>')
_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_NUMBERING_TYPE = (b'<Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-'
                   b'officedocument.wordprocessingml.numbering+xml"/>')
_NUMBERING_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                   b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   b'relationships/numbering" Target="numbering.xml"/></Relationships>')


def numbering_xml(level: str = "0") -> bytes:
    """A numbering part: list 1, one level (`level` is its w:ilvl, a number in any real file)."""
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:numbering ' + _W + b">"
            b'<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="' + level.encode() + b'"><w:start w:val="1"/>'
            b'<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'
            b'<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>')


def docx_paragraphs(paragraph: str, count: int, numbering: bytes | None = None) -> bytes:
    """A .docx of `count` copies of one paragraph, its XML written in pieces (6 million one-letter paragraphs:
    a ~0.6 MB file whose XML is 210 MB, the issue's 3.6 GB ingest); with a numbering part when given, every
    paragraph numbered by its list 1."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES.replace(b"</Types>", _NUMBERING_TYPE + b"</Types>")
                   if numbering else _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        number = ""
        if numbering:
            z.writestr("word/_rels/document.xml.rels", _NUMBERING_RELS)
            z.writestr("word/numbering.xml", numbering)
            number = '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>'
        unit = f"<w:p>{number}<w:r><w:t>{paragraph}</w:t></w:r></w:p>".encode("utf-8")
        with z.open("word/document.xml", "w", force_zip64=True) as xml:
            xml.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ' + _W + b"><w:body>")
            for done in range(0, count, 10_000):
                xml.write(unit * min(10_000, count - done))
            xml.write(b"</w:body></w:document>")
    return out.getvalue()


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of these objects (numbered from 1, the catalog first) with a correct cross-reference table."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_page_count_bomb(count: int = 100_000) -> bytes:
    """A page tree declaring `count` pages with one page in it."""
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % count,
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"])


def pdf_page_tree_loop() -> bytes:
    """A page tree whose node lists itself as its kid."""
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 5 >>",
                 b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 4 >>"])


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A one-bit black PNG of width × height (20000×20000: 400 million pixels in ~60 KB)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", data) + chunk(b"IEND", b""))


def html_tag_bomb(tags: int = 1_000_000) -> bytes:
    return b"<html><body>" + b"<b>x</b>" * (tags // 2) + b"</body></html>"


def many_figures(count: int = 3_000) -> bytes:
    """A short report whose sentences state `count` different figures pairs (over KB_MAX_FIGURES, under
    KB_MAX_PASSAGES)."""
    return distinct_figures(count * 34)


def hostile_files() -> dict[str, bytes]:
    """File name -> bytes of every crafted file the script ingests beside the seeds."""
    seed = (SEEDS / "001_dd0aca17394d444a.txt").read_text(encoding="utf-8")
    return {
        "docx_bomb.docx": docx_paragraphs("a", 6_000_000),
        "docx_large.docx": docx_paragraphs("政府信息公开工作年度报告" * 5, 150_000),
        "repeated_15mb.txt": repeated_sentence(15_000_000),
        "bom_gb18030.txt": bom_gb18030(),
        "pdf_page_bomb.pdf": pdf_page_count_bomb(),
        "pdf_page_loop.pdf": pdf_page_tree_loop(),
        "png_bomb.png": png_bomb(),
        "html_tag_bomb.html": html_tag_bomb(),
        "many_figures.txt": many_figures(),
        "many_sections.txt": many_headings(80_000),
        "newline\nname.txt": (seed + "\n（换行文件名）").encode("utf-8"),
        "rtl\u202etxt.exe.txt": (seed + "\n（从右到左文件名）").encode("utf-8"),
    }


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KB."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            parents[int(status.parent.name)] = int(fields["PPid"])
            rss[int(status.parent.name)] = int(fields.get("VmRSS", "0 kB").split()[0])
        except (OSError, ValueError, KeyError):
            continue
    tree, frontier = {pid}, [pid]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parents.items() if pp == p and c not in tree]
        tree.update(kids)
        frontier.extend(kids)
    return sum(rss.get(p, 0) for p in tree)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, help="directory for the files and the index (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep --out afterwards")
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="kb-hostile-"))
    corpus = out / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in sorted(SEEDS.iterdir()):
        shutil.copy(seed, corpus / seed.name)
    started = time.perf_counter()
    for name, data in hostile_files().items():
        (corpus / name).write_bytes(data)
        print(f"built {name!r}: {len(data):,} bytes", flush=True)
    print(f"built in {time.perf_counter() - started:.1f} s", flush=True)
    settings = load_settings()
    env = os.environ | {"KB_INDEX_DIR": str(out / "index"), "PYTHONPATH": str(PROJECT_ROOT)}
    started = time.perf_counter()
    ingest = subprocess.Popen([sys.executable, "-m", "kb", "ingest", str(corpus), "--json"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=PROJECT_ROOT)
    peak = [0]

    def sample():
        while ingest.poll() is None:
            peak[0] = max(peak[0], _tree_rss_kb(ingest.pid))
            time.sleep(0.1)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = ingest.communicate()
    sampler.join()
    wall = time.perf_counter() - started
    report = json.loads(stdout)
    print(f"\ningest: exit {ingest.returncode}, wall {wall:.1f} s, peak memory {peak[0] / 1024:.0f} MB (all its "
          f"processes, sampled every 0.1 s), largest single process {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB; "
          f"budgets: KB_FILE_MEMORY_MB={settings.file_memory_mb}, KB_FILE_SECONDS={settings.file_seconds:g}")
    seeds = {p.stem for p in SEEDS.iterdir()}
    for r in report["files"]:
        print(f"  {r['status']:9} {json.dumps(r['doc_id'], ensure_ascii=True):32} {r['reason'] or r['source_type']}")
    stored = {r["doc_id"] for r in report["files"] if r["status"] in ("added", "updated", "unchanged")}
    unsafe = [r["doc_id"] for r in report["files"] if any(ord(c) < 32 or 0x202a <= ord(c) <= 0x202e or
                                                          0x2066 <= ord(c) <= 0x2069 for c in r["doc_id"])]
    bare = [r["reason"] for r in report["files"] if r["status"] == "failed" and
            (r["reason"].startswith("internal error") or ":" not in r["reason"] and " " not in r["reason"])]
    print(f"\nseeds stored: {len(seeds & stored)}/{len(seeds)}; ids with a control or bidi character: {unsafe or 'none'}; "
          f"refusals without a reason: {bare or 'none'}; summary: {report['summary']}")
    if not args.keep and not args.out:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
