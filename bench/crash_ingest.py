"""Crash loop: SIGKILL `kb ingest` at random moments and at the risky ones (store writes, index build,
index switch); the served index must always answer, match the store after the next ingest, and no
temporary file may remain.

    PYTHONPATH=$PWD python bench/crash_ingest.py [--kills 20] [--seed 1] [--server]

Each round edits a report (a new token per round), starts `kb ingest --wait`, and kills it: at a uniform
random moment of a full run, or as soon as a phase is seen (store generation moved, a .partial build,
a finished build not yet CURRENT / CURRENT just replaced). After every kill an engine opened before the
loop (as a server holds one) must answer with a complete generation (every passage it counts is
returned); with --server a real `kb serve` is polled all along.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb.indexes.builds import PARTIAL, current_build, kept_builds, read_params  # noqa: E402
from kb.indexes.catalog import Catalog  # noqa: E402
from kb.ingest import update_knowledge_base  # noqa: E402
from kb.questions import answer_question  # noqa: E402
from kb.search.engine import SearchEngine  # noqa: E402
from kb.settings import PROJECT_ROOT, load_settings  # noqa: E402

SEEDS = PROJECT_ROOT / "data" / "reports"
PHASES = ("random", "store", "build", "switch")


def _token(rng: random.Random) -> str:
    return "kbcrash" + "".join(rng.choice(string.ascii_lowercase) for _ in range(6))


def _generation(db: Path) -> int | None:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return int(conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
    except (sqlite3.Error, TypeError):
        return None


def _leftovers(index_dir: Path) -> list[str]:
    builds = index_dir / "builds"
    kept = set(kept_builds(index_dir))  # the serving build and the one it replaced
    out = [p.name for p in index_dir.glob("CURRENT.*.tmp")] + [p.name for p in index_dir.glob("PREVIOUS.*.tmp")]
    out += [p.name for p in builds.iterdir() if p.name.endswith(PARTIAL) or p not in kept]
    return out


def _orphans(index_dir: Path) -> list[int]:
    """Processes (other than this one) whose environment names this index directory: killed ingests'
    pipeline children that outlived them."""
    needle = f"KB_INDEX_DIR={index_dir}".encode()
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                if needle in (proc / "environ").read_bytes().split(b"\0"):
                    pids.append(int(proc.name))
            except OSError:
                pass
    return pids


def _ingest(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kb", "ingest", "--wait", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_at(proc: subprocess.Popen, phase: str, index_dir: Path, full_run_s: float, rng: random.Random) -> str:
    """Kill proc at the phase; returns what was seen when it was killed."""
    db = index_dir / "kb.sqlite3"
    builds = index_dir / "builds"
    start_gen, start_build = _generation(db), current_build(index_dir)
    deadline = time.time() + (rng.uniform(0.2, full_run_s) if phase == "random" else full_run_s * 3)
    seen = "timeout"
    while proc.poll() is None and time.time() < deadline:
        if phase == "store" and _generation(db) not in (None, start_gen):
            seen = "store written"
            break
        if phase == "build" and any(p.name.endswith(PARTIAL) for p in builds.iterdir()):
            seen = "building"
            break
        if phase == "switch":
            finished = [p for p in builds.iterdir() if not p.name.endswith(PARTIAL)
                        and p.name != (start_build.name if start_build else None)]
            if finished:
                seen = "switched" if current_build(index_dir) in finished else "finished, not switched"
                break
        time.sleep(0.002)
    else:
        seen = "random" if proc.poll() is None else "finished first"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return seen


def crash_loop(workdir: Path, kills: int = 20, seed: int = 1, server: bool = False, log=print,
               phases: tuple[str, ...] = PHASES) -> dict:
    rng = random.Random(seed)
    corpus, index_dir = workdir / "corpus", workdir / "index"
    shutil.copytree(SEEDS, corpus)
    env = os.environ | {"KB_INDEX_DIR": str(index_dir), "KB_REPORTS_DIR": str(corpus),
                        "PYTHONPATH": str(PROJECT_ROOT)}
    settings = load_settings(index_dir=index_dir, reports_dir=corpus)
    files = sorted(corpus.glob("*.txt"))

    def edit() -> str:
        token = _token(rng)
        with open(rng.choice(files), "a", encoding="utf-8") as f:
            f.write(f"\n本段为测试追加内容，标记 {token} 。\n")
        return token

    update_knowledge_base(settings)
    tokens = [edit()]
    full_run_s = 60.0  # the phases are waited for; only random kills need the length of a round
    if "random" in phases:
        t = time.perf_counter()
        assert _ingest(env).wait() == 0
        full_run_s = time.perf_counter() - t  # one round: re-ingest the edited file and re-index
    engine = SearchEngine(settings, answer=answer_question)  # opened once, as a server holds it

    # errors: no answer or not a 200; empty: a 200 without passages (the index still names passages of a
    # document the killed ingest had already re-written in the store, until the next ingest re-indexes).
    served = {"requests": 0, "errors": 0, "empty": 0, "error_examples": []}
    stop = threading.Event()
    srv = None
    if server:
        port = 5900 + rng.randrange(90)
        srv = subprocess.Popen([sys.executable, "-m", "kb", "serve", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/api/search?q=%E8%A1%8C%E6%94%BF%E5%A4%8D%E8%AE%AE&k=3"
        for _ in range(300):
            try:
                urllib.request.urlopen(url, timeout=5)
                break
            except OSError:
                time.sleep(0.2)

        def poll():
            while not stop.is_set():
                served["requests"] += 1
                try:
                    with urllib.request.urlopen(url, timeout=10) as r:
                        if not json.load(r)["results"]:
                            served["empty"] += 1
                except Exception as exc:  # noqa: BLE001 - every failure counts
                    served["errors"] += 1
                    if len(served["error_examples"]) < 5:
                        served["error_examples"].append(repr(exc)[:200])
                time.sleep(0.05)

        threading.Thread(target=poll, daemon=True).start()

    moments = []
    try:
        for i in range(kills):
            phase = phases[i % len(phases)]
            tokens.append(edit())
            proc = _ingest(env, *(["--rebuild"] if rng.random() < 0.25 else []))
            seen = _kill_at(proc, phase, index_dir, full_run_s, rng)
            response = engine.search("行政复议", k=100)  # raises if the served index cannot be opened or read
            answered = response["total"] > 0
            # Complete: every passage the served generation counts is returned (none vanished mid-update).
            complete = all(sum(x["match"] for x in r["results"]) == min(100, r["total"]) for r in
                           (response, engine.search(tokens[-2], mode="keyword", k=100),
                            engine.search("政府信息公开", k=100, offset=max(0, response["total"] - 100))))
            moments.append({"round": i, "phase": phase, "seen": seen, "answered": answered, "complete": complete,
                            "passages": sum(x["match"] for x in response["results"]), "total": response["total"],
                            "leftovers": _leftovers(index_dir)})
            log(f"kill {i + 1:2}/{kills}: {phase:6} -> {seen:22} served index answers: {answered}, complete: "
                f"{complete} ({moments[-1]['passages']} of {response['total']} passages); "
                f"left behind: {moments[-1]['leftovers'] or 'nothing'}")
        final = _ingest(env).wait()
    finally:
        stop.set()
        if srv:
            srv.send_signal(signal.SIGINT)
            srv.wait(30)
    time.sleep(0.5)
    params = read_params(index_dir)
    gen = _generation(index_dir / "kb.sqlite3")
    with sqlite3.connect(index_dir / "kb.sqlite3") as conn:
        store_chunks = {r[0] for r in conn.execute("SELECT chunk_id FROM chunks WHERE died IS NULL")}
    index_chunks = set(Catalog.open(current_build(index_dir)).chunk_ids.tolist())
    fresh = SearchEngine(settings, answer=answer_question)
    missing = [tok for tok in tokens if not fresh.search(tok, mode="keyword", k=1)["results"]]
    report = {
        "kills": kills, "final_exit": final, "always_answered": all(m["answered"] for m in moments),
        "always_complete": all(m["complete"] for m in moments),
        "index_generation": params["store_generation"], "store_generation": gen,
        "index_matches_store": index_chunks == store_chunks, "tokens_missing": missing,
        "leftovers_after": _leftovers(index_dir), "orphan_processes": _orphans(index_dir),
        "moments": {s: sum(m["seen"] == s for m in moments) for s in sorted({m["seen"] for m in moments})},
        "full_run_s": round(full_run_s, 1),
    }
    if server:
        report["server"] = served
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--server", action="store_true", help="also poll a real `kb serve` all through the loop")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        report = crash_loop(Path(tmp), args.kills, args.seed, args.server)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
