"""Load: N clients against a real `kb serve` for S seconds; errors, latency percentiles, server CPU and
RSS (all its processes) and how much the server logged.

    PYTHONPATH=$PWD python bench/load_server.py [--clients 32] [--seconds 60] [--idle 200]
        [--workers 2] [--index-dir bench/out/index-20000] [--uncached 0.25] [--project DIR]

The index is built from data/reports into a temporary directory, or --index-dir names a built one. Each
client keeps one connection and picks at random among searches (three modes, filters, counting
questions), documents, facts and compare, all asked once before the run (so their query vectors are
cached); --uncached makes that share of the requests hybrid searches for a text never asked before (the
query is embedded). --idle opens that many idle sockets first (they must not slow anyone down).
--project runs the server from another checkout (e.g. an older commit, for before/after).
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
from latency_split import distinct_queries  # noqa: E402

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


def process_tree(pid: int) -> list[int]:
    """The server's pid and its children's (the workers of `kb serve --workers N`)."""
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return [pid] + sorted(kids)


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def client(port: int, urls: list[str], stop: threading.Event, latencies: list, errors: list, seed: int,
           uncached: float = 0.0, fresh=None) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while not stop.is_set():
        url = f"/api/search?q={quote(next(fresh))}&mode=hybrid&k=10" if rng.random() < uncached else rng.choice(urls)
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
    ap.add_argument("--threads", type=int, default=8, help="server threads (per worker process)")
    ap.add_argument("--workers", type=int, help="kb serve --workers (default: the server's own default)")
    ap.add_argument("--index-dir", type=Path, help="a built index to serve (default: build data/reports)")
    ap.add_argument("--uncached", type=float, default=0.0, help="share of requests that are never-asked searches")
    ap.add_argument("--project", type=Path, default=PROJECT_ROOT, help="checkout whose `kb serve` runs")
    ap.add_argument("--env", action="append", default=[], help="NAME=VALUE for the server (repeatable)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.index_dir:
            settings = load_settings(index_dir=args.index_dir.resolve())
        else:
            settings = load_settings(index_dir=Path(tmp) / "index")
            update_knowledge_base(settings)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        log = Path(tmp) / "server.log"
        env = os.environ | {"KB_INDEX_DIR": str(settings.index_dir), "PYTHONPATH": str(args.project)} | \
            dict(e.split("=", 1) for e in args.env)
        command = [sys.executable, "-m", "kb", "serve", "--port", str(port), "--threads", str(args.threads)]
        if args.workers:
            command += ["--workers", str(args.workers)]
        with open(log, "wb") as out:
            server = subprocess.Popen(command, env=env, stdout=out, stderr=out, cwd=args.project)
        try:
            for _ in range(1200):
                try:
                    docs = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/documents", timeout=30))
                    break
                except OSError:
                    time.sleep(0.2)
            urls = paths([d["doc_id"] for d in docs["documents"]][:20])
            for _ in range(2 * (args.workers or 1)):  # warm every page once in each worker (connections spread)
                for url in urls:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{url}", timeout=60).read()
            idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(args.idle)]
            pids = process_tree(server.pid)
            log_before, rss_before = log.stat().st_size, sum(rss_kb(p) for p in pids)
            stop, latencies, errors = threading.Event(), [], []
            fresh = iter(distinct_queries(30_000 if args.uncached else 0, seed=7))
            threads = [threading.Thread(target=client, args=(port, urls, stop, latencies, errors, i, args.uncached,
                                                             fresh)) for i in range(args.clients)]
            cpu_before, load_before = cpu_seconds(pids), os.getloadavg()[0]
            t = time.perf_counter()
            for th in threads:
                th.start()
            time.sleep(args.seconds)
            stop.set()
            for th in threads:
                th.join()
            elapsed = time.perf_counter() - t
            cpu = cpu_seconds(pids) - cpu_before
            rss = {p: (rss_kb(p), rss_kb(p, "VmHWM")) for p in pids}
            for s in idle:
                s.close()
        finally:
            server.terminate()  # the parent stops its workers
            server.wait(60)
        report = {
            "clients": args.clients, "workers": args.workers, "uncached_share": args.uncached,
            "seconds": round(elapsed, 1), "idle_sockets": args.idle,
            "requests": len(latencies) + len(errors), "errors": len(errors), "error_examples": errors[:5],
            "req_per_s": round(len(latencies) / elapsed, 1),
            "latency_ms": {f"p{p}": round(percentile(latencies, p) * 1000, 1) for p in (50, 95, 99)},
            "latency_max_ms": round(max(latencies, default=0) * 1000, 1),
            "server_cpu_percent": round(100 * cpu / elapsed), "load_average_1m": [round(load_before, 1),
                                                                                   round(os.getloadavg()[0], 1)],
            "server_rss_mb": {"processes": len(pids), "before": round(rss_before / 1024, 1),
                              "after": round(sum(r for r, _ in rss.values()) / 1024, 1),
                              "peak_per_process": [round(h / 1024, 1) for _, h in rss.values()]},
            "server_log_bytes_during_run": log.stat().st_size - log_before,
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
