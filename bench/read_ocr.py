"""OCR throughput and character accuracy: each seed as a scanned PDF (its text PDF rendered to page images
and wrapped again, no text layer), read by kb's PDF reader with OCR, compared with the seed .txt.

    PYTHONPATH=$PWD python bench/read_ocr.py [--dpi 200] [--seeds 000,002] [--pages N]

Accuracy = 1 - edit distance / length, over the cleaned texts with whitespace removed, in NFKC form (so
a full-width ： read as : is no error) and as written. Prints pages/s of OCR on this machine.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from kb.pipeline import process_report  # noqa: E402
from kb.report.clean import strip_pinyin  # noqa: E402
from kb.settings import PROJECT_ROOT  # noqa: E402
from tests.fixtures.formats import scanned_pdf, text_pdf  # noqa: E402


def squeeze(text: str, nfkc: bool) -> str:
    text = "".join(text.split())
    return unicodedata.normalize("NFKC", text) if nfkc else text


def accuracy(reference: str, got: str, nfkc: bool = True) -> float:
    a, b = squeeze(reference, nfkc), squeeze(got, nfkc)
    return 1 - Levenshtein.distance(a, b) / max(len(a), 1)


def sections(doc) -> list[tuple[int, str]]:
    return [(s.level, unicodedata.normalize("NFKC", s.number + s.title)) for s in doc.sections]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dpi", type=int, default=200, help="resolution of the simulated scan")
    parser.add_argument("--seeds", default="", help="comma-separated seed prefixes (default: all)")
    parser.add_argument("--strip-pinyin", action="store_true",
                        help="print the seeds without inline pinyin (000's 生產(chǎn) ruby comes from a web page, not paper)")
    parser.add_argument("--out", type=Path, help="write each OCR'd cleaned text here, for a look at the errors")
    args = parser.parse_args()
    seeds = sorted((PROJECT_ROOT / "data" / "reports").glob("*.txt"))
    if args.seeds:
        seeds = [s for s in seeds if s.name[:3] in args.seeds.split(",")]
    total_pages = total_seconds = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            reference = process_report(seed, 160)
            text = seed.read_text(encoding="utf-8")
            pdf = text_pdf(strip_pinyin(text) if args.strip_pinyin else text, Path(tmp) / f"{seed.stem}.text.pdf")
            scan = scanned_pdf(pdf, Path(tmp) / f"{seed.stem}.pdf", dpi=args.dpi)
            started = time.perf_counter()
            doc = process_report(scan, 160)
            seconds = time.perf_counter() - started
            if args.out:
                args.out.mkdir(parents=True, exist_ok=True)
                (args.out / f"{seed.stem}.ocr.txt").write_text(doc.text, encoding="utf-8")
            total_pages += doc.raw.pages
            total_seconds += seconds
            d, r = doc.description, reference.description
            same = {k: getattr(d, k) == getattr(r, k) for k in ("agency", "year", "doc_type")}
            # Section numbers compared in NFKC: OCR reads a half-width (一) as full-width （一）.
            same["sections"] = sections(doc) == sections(reference)
            same["facts"] = sorted((f.metric, f.value) for f in doc.facts) == sorted(
                (f.metric, f.value) for f in reference.facts)
            print(f"{seed.name[:3]}  {doc.raw.pages} pages  {seconds:6.1f} s  {doc.raw.pages / seconds:.3f} pages/s  "
                  f"chars kept {accuracy(reference.text, doc.text):.4f} (NFKC)  "
                  f"{accuracy(reference.text, doc.text, nfkc=False):.4f} (as written)  "
                  + "  ".join(f"{k} {'same' if v else 'DIFFERS'}" for k, v in same.items()), flush=True)
    print(f"OCR: {total_pages:.0f} pages in {total_seconds:.1f} s = {total_pages / total_seconds:.3f} pages/s "
          f"(scan {args.dpi} dpi, OCR render 200 dpi)")


if __name__ == "__main__":
    main()
