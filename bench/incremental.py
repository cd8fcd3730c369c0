"""A growing corpus at scale: add, edit and delete one report in a large knowledge base under query load.

    PYTHONPATH=$PWD python bench/incremental.py --chunks 200000 [--clients 8]

The synthetic corpus (bench/synth.py) is ingested once into bench/out/incr-<chunks>/ and its passages'
vectors put in kb's embedding cache as random unit vectors (embedding 200k passages takes ~15 minutes on
this machine; say so when quoting): the full build then embeds nothing, and every passage added
afterwards is embedded by the real model. Then, with a real `kb serve` answering N clients all along:

1. an unchanged corpus re-ingested (`kb ingest`, wall time);
2. one new report added: `kb ingest` wall time, and the time until the server finds it;
3. that report edited (one sentence changed): wall time and the embedding summary line;
4. that report deleted: wall time, until the server no longer finds it.

Every response is checked: `total` equals the passages returned, and the report's passages are all of one
version (old marker or new, never both, never missing while the report exists). Prints one JSON report.
"""
from __future__ import annotations

import argparse
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from load_server import percentile  # noqa: E402
from synth import BUREAUS, generate, make_report, places, seed_sentences  # noqa: E402
from vectors import prefill_vectors  # noqa: E402

from kb.ingest import ingest_paths  # noqa: E402
from kb.settings import PROJECT_ROOT, load_settings  # noqa: E402
from kb.store import Store  # noqa: E402

OUT = PROJECT_ROOT / "bench" / "out"
OLD, NEW = "kbmarkerold", "kbmarkernew"
QUERIES = ("政府信息公开", "行政复议", "依申请公开收费", "主动公开政府信息多少条", "政策解读回应关切", "新闻发布会")


def kb_ingest(env: dict, *args: str) -> tuple[float, str, int]:
    """(wall seconds, the index summary line, peak RSS MB of this `kb ingest` process)."""
    t = time.perf_counter()
    with tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        proc = subprocess.Popen([sys.executable, "-m", "kb", "ingest", "--wait", *args], env=env,
                                stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - t
        err.seek(0)
        stderr = err.read()
    if proc.returncode != 0:
        raise RuntimeError(f"kb ingest failed ({proc.returncode}): {stderr[-2000:]}")
    summary = next((line for line in stderr.splitlines() if line.startswith("index ")), "no index change")
    return seconds, summary, round(usage.ru_maxrss / 1024)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port: int, timeout: float = 300) -> None:
    deadline = time.time() + timeout
    while True:
        try:
            get(port, "/api/health")
            return
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.3)


def get(port: int, path: str) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as r:
        return json.load(r)


class Load:
    """N clients: search queries, plus the watched report's markers, each response checked."""

    def __init__(self, port: int, clients: int):
        self.port, self.clients = port, clients
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.violations: list[str] = []
        self.expect = {"exists": False}  # the report's state as the operations go (set by the main thread)
        self.seen: list[tuple[float, str]] = []  # (time, version seen) of the watched report
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True) for i in range(clients)]

    def run(self, seed: int) -> None:
        rng = random.Random(seed)
        watch = f"/api/search?q={quote(f'{OLD} OR {NEW}')}&mode=keyword&k=100"
        while not self.stop.is_set():
            path = watch if rng.random() < 0.3 else \
                f"/api/search?q={quote(rng.choice(QUERIES))}&mode={rng.choice(('hybrid', 'keyword'))}&k=10"
            t = time.perf_counter()
            try:
                r = get(self.port, path)
            except Exception as exc:  # noqa: BLE001 - every failure counts
                self.errors.append(repr(exc)[:200])
                continue
            self.latencies.append((time.perf_counter() - t) * 1000)
            if len(r["results"]) != min(r["k"], r["total"]):
                self.violations.append(f"{path}: total {r['total']} but {len(r['results'])} results")
            if path == watch:
                texts = [x["text"] for x in r["results"]]
                versions = {v for v in (OLD, NEW) if any(v in x for x in texts)}
                if len(versions) > 1:
                    self.violations.append("old and new passages of the report in one response")
                self.seen.append((time.time(), next(iter(versions), "none")))

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(70)


def wait_for(load: Load, version: str, since: float, timeout: float = 600) -> float:
    """Seconds from `since` until a client saw the watched report in `version`."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        hit = next((t for t, v in list(load.seen) if t >= since and v == version), None)
        if hit is not None:
            return round(hit - since, 1)
        time.sleep(0.05)
    raise TimeoutError(f"the server did not show version {version!r} within {timeout} s")


def vanished(load: Load, start: float, end: float, allowed: set[str]) -> int:
    """Responses in [start, end] whose version was not one of `allowed`."""
    return sum(1 for t, v in list(load.seen) if start <= t <= end and v not in allowed)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chunks", type=int, default=200_000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--full-build", action="store_true", help="measure a full build (kb ingest --rebuild) first "
                    "even when the knowledge base exists")
    a = ap.parse_args()
    corpus, index_dir = OUT / f"corpus-{a.chunks}", OUT / f"incr-{a.chunks}"
    if not corpus.exists():
        generate(corpus, a.chunks)
    env = dict(os.environ, KB_INDEX_DIR=str(index_dir), KB_REPORTS_DIR=str(corpus),
               PYTHONPATH=str(PROJECT_ROOT))
    settings = load_settings(index_dir=index_dir, reports_dir=corpus)
    report: dict = {"target_chunks": a.chunks, "clients": a.clients}
    watched = corpus / "watched_report.txt"
    watched.unlink(missing_ok=True)
    if not (index_dir / "CURRENT").exists():
        store = Store(settings.db_path)
        t = time.perf_counter()
        ingest_paths(store, [corpus], settings.chunk_chars)
        report["first_ingest_store_s"] = round(time.perf_counter() - t, 1)
        t = time.perf_counter()
        report["stand_in_vectors"] = prefill_vectors(index_dir, store, settings.embed_model, "random")
        report["prefill_s"] = round(time.perf_counter() - t, 1)
        store.close()
    else:
        kb_ingest(env)  # back to the corpus as generated (a previous run's report removed)
    if a.full_build or "first_ingest_store_s" in report:
        seconds, summary, peak = kb_ingest(env, "--rebuild")
        report["full_build"] = {"wall_s": round(seconds, 1), "summary": summary, "peak_rss_mb": peak}

    port = free_port()
    log = open(index_dir / "server.log", "w", encoding="utf-8")  # noqa: SIM115 - open for the server's life
    server = subprocess.Popen([sys.executable, "-m", "kb", "serve", "--port", str(port)], env=env,
                              stdout=log, stderr=log)
    try:
        wait_ready(port)
        ops = {}
        with Load(port, a.clients) as load:
            time.sleep(5)
            seconds, summary, _ = kb_ingest(env)
            ops["unchanged"] = {"wall_s": round(seconds, 1), "summary": summary}

            rng = random.Random()  # a report of its own each run: its passages are new to the embedding cache
            text = make_report(rng, places()[100][0], BUREAUS[1], 2021, seed_sentences())
            watched.write_text(text.replace("。", f"。{OLD} ", 1), encoding="utf-8")
            start = time.time()
            seconds, summary, peak = kb_ingest(env)
            ops["add"] = {"wall_s": round(seconds, 1), "summary": summary, "peak_rss_mb": peak,
                          "searchable_after_s": wait_for(load, OLD, start)}

            start = time.time()
            watched.write_text(watched.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
            seconds, summary, _ = kb_ingest(env)
            ops["edit"] = {"wall_s": round(seconds, 1), "summary": summary,
                           "new_version_after_s": wait_for(load, NEW, start),
                           "vanished_responses": vanished(load, start, time.time(), {OLD, NEW})}

            start = time.time()
            watched.unlink()
            seconds, summary, _ = kb_ingest(env)
            ops["delete"] = {"wall_s": round(seconds, 1), "summary": summary,
                             "gone_after_s": wait_for(load, "none", start)}
            time.sleep(3)
        report["operations"] = ops
        report["load"] = {"requests": len(load.latencies) + len(load.errors), "errors": len(load.errors),
                          "error_examples": load.errors[:3], "inconsistent_responses": len(load.violations),
                          "violation_examples": load.violations[:3],
                          "p50_ms": round(percentile(load.latencies, 50), 1),
                          "p95_ms": round(percentile(load.latencies, 95), 1)}
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    logged = (index_dir / "server.log").read_text(encoding="utf-8")
    report["server_tracebacks"] = logged.count("Traceback")
    if "Traceback" in logged:
        report["first_traceback"] = logged[logged.index("Traceback"):][:3000]
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
