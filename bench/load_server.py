"""Load: N clients against a real `kb serve` for S seconds; errors, latency percentiles, server RSS growth
and how much the server logged.

    PYTHONPATH=$PWD python bench/load_server.py [--clients 32] [--seconds 60] [--idle 200]

The index is built from data/reports into a temporary directory. Each client keeps one connection and
cycles through searches (three modes, filters, counting questions), documents, facts and compare.
--idle opens that many idle sockets first (they must not slow anyone down).
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
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

from kb.ingest import update_knowledge_base  # noqa: E402
from kb.settings import PROJECT_ROOT, load_settings  # noqa: E402

QUERIES = ("行政复议", "政務微博微信建設", "哪些机关依申请公开没有收取费用", "主动公开政府信息", "保密审查",
           "administrative lawsuits", "依申请公开 收费", "政策解读")


def paths(doc_ids: list[str]) -> list[str]:
    out = []
    for q in QUERIES:
        for mode in ("hybrid", "keyword", "semantic"):
            out.append(f"/api/search?q={quote(q)}&mode={mode}&k=10")
        out.append(f"/?q={quote(q)}")
    out += [f"/api/search?q={quote('公开')}&agency={quote('哈尔滨')}&year=2018", "/api/health", "/api/documents",
            "/api/facts", "/api/facts?metric=lawsuits", f"/api/compare?q={quote('微信')}", "/facts"]
    out += [f"/api/documents/{quote(d, safe='')}" for d in doc_ids] + [f"/documents/{quote(d, safe='')}"
                                                                       for d in doc_ids]
    return out


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def client(port: int, urls: list[str], stop: threading.Event, latencies: list, errors: list, seed: int) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while not stop.is_set():
        url = rng.choice(urls)
        t = time.perf_counter()
        try:
            conn.request("GET", url)
            r = conn.getresponse()
            r.read()
            if r.status != 200:
                errors.append(f"{r.status} {url}")
            latencies.append(time.perf_counter() - t)
        except Exception as exc:  # noqa: BLE001 - every failure counts
            errors.append(f"{type(exc).__name__} {url}")
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.close()


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] if values else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--idle", type=int, default=0, help="idle sockets held open during the run")
    ap.add_argument("--threads", type=int, default=8, help="server worker threads")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(index_dir=Path(tmp) / "index")
        update_knowledge_base(settings)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        log = Path(tmp) / "server.log"
        env = os.environ | {"KB_INDEX_DIR": str(settings.index_dir), "PYTHONPATH": str(PROJECT_ROOT)}
        with open(log, "wb") as out:
            server = subprocess.Popen([sys.executable, "-m", "kb", "serve", "--port", str(port),
                                       "--threads", str(args.threads)], env=env, stdout=out, stderr=out)
        try:
            for _ in range(600):
                try:
                    docs = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/documents", timeout=5))
                    break
                except OSError:
                    time.sleep(0.2)
            urls = paths([d["doc_id"] for d in docs["documents"]])
            for url in urls:  # warm every page once
                urllib.request.urlopen(f"http://127.0.0.1:{port}{url}", timeout=30).read()
            idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(args.idle)]
            log_before, rss_before = log.stat().st_size, rss_kb(server.pid)
            stop, latencies, errors = threading.Event(), [], []
            threads = [threading.Thread(target=client, args=(port, urls, stop, latencies, errors, i))
                       for i in range(args.clients)]
            t = time.perf_counter()
            for th in threads:
                th.start()
            time.sleep(args.seconds)
            stop.set()
            for th in threads:
                th.join()
            elapsed = time.perf_counter() - t
            rss_after, rss_peak = rss_kb(server.pid), rss_kb(server.pid, "VmHWM")
            for s in idle:
                s.close()
        finally:
            server.terminate()
            server.wait(30)
        report = {
            "clients": args.clients, "seconds": round(elapsed, 1), "idle_sockets": args.idle,
            "requests": len(latencies) + len(errors), "errors": len(errors), "error_examples": errors[:5],
            "req_per_s": round(len(latencies) / elapsed, 1),
            "latency_ms": {f"p{p}": round(percentile(latencies, p) * 1000, 1) for p in (50, 95, 99)},
            "latency_max_ms": round(max(latencies, default=0) * 1000, 1),
            "server_rss_mb": {"before": round(rss_before / 1024, 1), "after": round(rss_after / 1024, 1),
                              "growth": round((rss_after - rss_before) / 1024, 1), "peak": round(rss_peak / 1024, 1)},
            "server_log_bytes_during_run": log.stat().st_size - log_before,
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
