"""Pages that scale with what they show: a real `kb serve` on the seeds plus one 15 MB file of ~500k distinct
figures (stored with the plausibility limits raised for it), 500 requests spread over /facts, /api/facts,
/api/export, /api/search and /; latency percentiles per route and the server's RSS before and after.

    PYTHONPATH=$PWD python bench/bounded_server.py [--mb 15] [--requests 500] [--clients 4] [--index-dir DIR]

--index-dir keeps (and reuses) the ingested corpus. A broad export (every passage of the big file) is timed
apart: its size is the answer's, so the bench prints its time to the first byte and to the last.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile import SEEDS, distinct_figures  # noqa: E402
from load_server import percentile, process_tree, rss_kb  # noqa: E402

from kb.ingest import update_knowledge_base  # noqa: E402
from kb.settings import PROJECT_ROOT, load_settings  # noqa: E402
from kb.store import Store  # noqa: E402

ROUTES = {"/facts": "/facts", "/api/facts": "/api/facts",
          "/api/export": f"/api/export?q={quote('行政复议')}&format=csv",
          "/api/search": f"/api/search?q={quote('主动公开政府信息')}&k=10", "/": f"/?q={quote('依申请公开')}"}
BROAD_EXPORT = f"/api/export?q={quote('主动公开')}&mode=keyword&format=json"


def build(index_dir: Path, mb: float) -> None:
    corpus = index_dir.parent / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in SEEDS.iterdir():
        shutil.copy(seed, corpus / seed.name)
    (corpus / "figures_15mb.txt").write_bytes(distinct_figures(int(mb * 1_000_000)))
    settings = load_settings(index_dir=index_dir, max_passages=1_000_000, max_figures=2_000_000,
                             file_seconds=1800.0, file_memory_mb=4096)
    t = time.perf_counter()
    results, _ = update_knowledge_base(settings, [corpus])
    print(f"ingested in {time.perf_counter() - t:.0f} s: " + ", ".join(f"{r.doc_id} {r.status} {r.reason}".strip()
                                                                  for r in results), flush=True)


def timed_get(conn: http.client.HTTPConnection, url: str) -> tuple[int, float, float]:
    """(status, seconds to the first body byte, seconds to the last)."""
    t = time.perf_counter()
    conn.request("GET", url)
    r = conn.getresponse()
    r.read(1)
    first = time.perf_counter() - t
    while r.read(1 << 16):
        pass
    return r.status, first, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=15)
    ap.add_argument("--requests", type=int, default=500)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--index-dir", type=Path)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kb-bounded-"))
    index_dir = (args.index_dir or tmp / "index").resolve()
    if not (index_dir / "kb.sqlite3").exists():
        build(index_dir, args.mb)
    store = Store(index_dir / "kb.sqlite3")
    print(f"corpus: {store.counts()}", flush=True)
    store.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = os.environ | {"KB_INDEX_DIR": str(index_dir), "PYTHONPATH": str(PROJECT_ROOT)}
    log = open(tmp / "server.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "kb", "serve", "--port", str(port), "--workers", "1"],
                              env=env, stdout=log, stderr=log, cwd=PROJECT_ROOT)
    try:
        for _ in range(1200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=30).read()
                break
            except OSError:
                time.sleep(0.2)
        for url in ROUTES.values():  # warm: each route once
            urllib.request.urlopen(f"http://127.0.0.1:{port}{url}", timeout=120).read()
        pids = process_tree(server.pid)
        rss_before = sum(rss_kb(p) for p in pids)
        plan = [route for _ in range(args.requests // len(ROUTES) + 1) for route in ROUTES][:args.requests]
        random.Random(7).shuffle(plan)
        results: dict[str, list[float]] = {r: [] for r in ROUTES}
        errors: list[str] = []
        lock = threading.Lock()

        def client(mine: list[str]) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            for route in mine:
                try:
                    status, _, total = timed_get(conn, ROUTES[route])
                except Exception as exc:  # noqa: BLE001 - every failure counts
                    errors.append(f"{type(exc).__name__} {route}")
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                    continue
                with lock:
                    (results[route] if status == 200 else errors).append(total if status == 200 else f"{status} {route}")
            conn.close()

        t = time.perf_counter()
        threads = [threading.Thread(target=client, args=(plan[i::args.clients],)) for i in range(args.clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t
        rss_after = sum(rss_kb(p) for p in pids)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        broad = [timed_get(conn, BROAD_EXPORT) for _ in range(3)]
        conn.close()
        rss_end = sum(rss_kb(p) for p in pids)
    finally:
        server.terminate()
        server.wait(60)
        log.close()
    report = {
        "requests": sum(map(len, results.values())) + len(errors), "errors": errors[:5], "clients": args.clients,
        "seconds": round(wall, 1), "load_average_1m": round(os.getloadavg()[0], 1),
        "latency_s": {r: {"p50": round(percentile(v, 50), 3), "p90": round(percentile(v, 90), 3),
                          "max": round(max(v, default=0), 3), "n": len(v)} for r, v in results.items()},
        "server_rss_mb": {"before": round(rss_before / 1024), "after_requests": round(rss_after / 1024),
                          "growth": round((rss_after - rss_before) / 1024), "after_broad_exports": round(rss_end / 1024)},
        "broad_export": {"url": BROAD_EXPORT, "first_byte_s": [round(b[1], 3) for b in broad],
                         "whole_s": [round(b[2], 2) for b in broad]},
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if not args.index_dir:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
