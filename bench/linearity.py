"""Is every ingest stage linear in the file size? CPU seconds per stage at 1, 2, 4, 8 MB, and the growth
per doubling (linear: ~2.0; the acceptance line is 2.2; quadratic: ~4).

    PYTHONPATH=$PWD python bench/linearity.py [--kinds seeds,no_punctuation,...] [--sizes 1,2,4,8]
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.hostile import KINDS, STAGES, stage_seconds  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--sizes", default="1,2,4,8", help="MB")
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    for kind in args.kinds.split(","):
        rows = []
        for mb in sizes:
            data = KINDS[kind](int(mb * 1_000_000))
            rows.append(stage_seconds(data, ".html" if kind == "html" else ".txt", repeats=args.repeats))
            print(f"{kind:15} {mb:5g} MB  " + "  ".join(f"{s} {rows[-1][s]:7.3f}" for s in STAGES), flush=True)
        growth = {s: [b[s] / a[s] if a[s] > 0 else float("nan") for a, b in zip(rows, rows[1:])] for s in STAGES}
        # Over the whole range: (t_last / t_first) ** (1 / doublings), steadier than one doubling's noise.
        doublings = math.log2(sizes[-1] / sizes[0])
        overall = {s: (rows[-1][s] / rows[0][s]) ** (1 / doublings) if rows[0][s] > 0 else float("nan")
                   for s in STAGES}
        print(f"{kind:15} growth per doubling: " + "  ".join(
            f"{s} {'/'.join(f'{x:.2f}' for x in growth[s])}" for s in STAGES))
        print(f"{kind:15} over the range:      " + "  ".join(f"{s} {overall[s]:.2f}" for s in STAGES))
        print(f"{kind:15} over 2.2 per doubling: "
              f"{[s for s in STAGES if overall[s] > 2.2 and rows[-1][s] > 0.2] or 'none'}\n", flush=True)


if __name__ == "__main__":
    main()
