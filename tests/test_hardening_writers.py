"""One writer at a time: the writer lock, the generation check at the switch, leftovers of killed builds,
and a short crash loop (bench/crash_ingest.py runs the long one)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.crash_ingest import crash_loop
from kb.indexes.builds import PARTIAL, current_build, kept_builds, read_params
from kb.ingest import ingest_paths, update_knowledge_base
from kb.lock import LOCK_FILE, WriterBusy, writer_lock
from kb.search.engine import SearchEngine
from kb.settings import PROJECT_ROOT, load_settings
from kb.store import Store


@pytest.fixture
def small(tmp_path, corpus_copy):
    """Two seed reports, their own store and index (built in this process: the embedder is loaded once)."""
    for p in sorted(corpus_copy.glob("*.txt"))[2:]:
        p.unlink()
    settings = load_settings(index_dir=tmp_path / "index", reports_dir=corpus_copy)
    update_knowledge_base(settings)
    env = os.environ | {"KB_INDEX_DIR": str(settings.index_dir), "KB_REPORTS_DIR": str(corpus_copy),
                        "PYTHONPATH": str(PROJECT_ROOT)}
    return settings, env, sorted(corpus_copy.glob("*.txt"))


def kb_ingest(env, *args, **popen):
    return subprocess.Popen([sys.executable, "-m", "kb", "ingest", *args], env=env, text=True, **popen)


def wait_for(predicate, timeout=120.0, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def append(path: Path, token: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"\n补充说明：{token} 。\n")


def test_a_second_ingest_exits_with_a_clear_message_or_queues_with_wait(tmp_path, small):
    settings, env, files = small
    with writer_lock(settings.index_dir):
        busy = kb_ingest(env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = busy.communicate(timeout=120)
        assert busy.returncode == 75, (out, err)
        assert f"being updated by another kb ingest (pid {os.getpid()})" in err and "--wait" in err
        log = tmp_path / "waiting.log"
        with open(log, "w") as stderr:
            queued = kb_ingest(env, "--wait", stdout=subprocess.DEVNULL, stderr=stderr)
            wait_for(lambda: "waiting for the kb ingest" in log.read_text(), what="the waiting message")
            time.sleep(0.5)
            assert queued.poll() is None  # still queued behind this process
    assert queued.wait(timeout=180) == 0


def test_writer_lock_is_reentrant_in_one_thread_and_exclusive_across_threads(tmp_path):
    import threading

    got = []
    with writer_lock(tmp_path):
        with writer_lock(tmp_path):  # build_indexes inside ingest
            pass
        t = threading.Thread(target=lambda: got.append(_try_lock(tmp_path)))
        t.start()
        t.join()
    assert got == [False] and (tmp_path / LOCK_FILE).read_text().strip() == str(os.getpid())


def _try_lock(path) -> bool:
    try:
        with writer_lock(path, wait=False):
            return True
    except WriterBusy:
        return False


def test_two_concurrent_ingests_end_with_the_newest_generation_served(small):
    settings, env, files = small
    append(files[0], "kbfirstedit")
    first = kb_ingest(env, "--wait", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lock = settings.index_dir / LOCK_FILE
    wait_for(lambda: lock.read_text().strip() == str(first.pid), what="the first ingest to hold the lock")
    append(files[1], "kbsecondedit")  # changed while the first ingest runs
    second = kb_ingest(env, "--wait", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert first.wait(timeout=180) == 0 and second.wait(timeout=180) == 0
    store = Store(settings.db_path)
    assert read_params(settings.index_dir)["store_generation"] == store.generation
    engine = SearchEngine(settings)
    for token, doc in (("kbfirstedit", files[0].stem), ("kbsecondedit", files[1].stem)):
        assert [r["doc_id"] for r in engine.search(token, mode="keyword", k=1)["results"]] == [doc], token


def test_a_build_is_never_switched_in_when_the_store_moved_on(small):
    """A writer that does not take the lock changes the store mid-build: that build must not serve."""
    settings, env, files = small
    served_before = current_build(settings.index_dir)
    writes = []

    def write_during_build(stage, total):
        if stage == "embeddings" and not writes:
            append(files[0], "kbwrittenduringbuild")
            other = Store(settings.db_path)
            writes.append(ingest_paths(other, [files[0]], settings.chunk_chars))
            other.close()
        return None

    _, params = update_knowledge_base(settings, rebuild=True, stage_progress=write_during_build)
    assert writes and writes[0][0].status == "updated"
    store = Store(settings.db_path)
    # The first build (from before the write) was thrown away; the one serving is built from the newest store.
    assert params["store_generation"] == store.generation == read_params(settings.index_dir)["store_generation"]
    assert current_build(settings.index_dir) != served_before
    assert SearchEngine(settings).search("kbwrittenduringbuild", mode="keyword", k=1)["results"]
    assert {p.name for p in (settings.index_dir / "builds").iterdir()} == {b.name for b in kept_builds(settings.index_dir)}


def test_leftovers_of_killed_builds_are_removed_by_the_next_ingest(small):
    settings, env, files = small
    kept = {b.name for b in kept_builds(settings.index_dir)}
    dead = 4_194_304 + 12345  # above Linux's pid_max: no such process
    (settings.index_dir / "builds" / f"20240101-000000-{dead}{PARTIAL}").mkdir()
    (settings.index_dir / "builds" / f"20240101-000001-{dead}").mkdir()  # finished, never switched in
    (settings.index_dir / f"CURRENT.{dead}.tmp").write_text("x")
    results, params = update_knowledge_base(settings)
    assert params is None and {r.status for r in results} == {"unchanged"}  # nothing to build ...
    assert {p.name for p in (settings.index_dir / "builds").iterdir()} == kept  # ... still cleaned
    assert not list(settings.index_dir.glob("CURRENT.*.tmp"))


def test_sigkills_during_ingest_and_switch_never_break_the_served_index(tmp_path):
    """Three kills, one per risky phase (bench/crash_ingest.py: 20, at random moments too)."""
    report = crash_loop(tmp_path, kills=3, seed=7, phases=("store", "build", "switch"), log=lambda *_: None)
    assert report["always_answered"] and report["always_complete"], report
    assert report["final_exit"] == 0 and report["index_generation"] == report["store_generation"], report
    assert report["index_matches_store"] and not report["tokens_missing"], report
    assert not report["leftovers_after"] and not report["orphan_processes"], report
