"""Thread counts of the numeric libraries, in one place: BLAS (numpy's OpenBLAS, used by the embedder),
OpenMP (FAISS) and torch when it is loaded.

Why two functions: OpenBLAS's pthread pool is one per process, so its limit holds for every thread (set it
from the main thread: OpenBLAS 0.3.31 can keep a count set from another thread against later changes); an
OpenMP limit (omp_set_num_threads, which threadpoolctl and faiss.omp_set_num_threads both call) holds only
for the thread that sets it, and every other thread keeps the count libgomp read from OMP_NUM_THREADS when
it was loaded. So a server calls `limit_threads` at start and `limit_openmp` in each request thread
(web/server.py), and a process started for serving gets `thread_env` before anything is imported.
"""
from __future__ import annotations

import os
import sys
import threading

# Environment variables the libraries read once, when they are loaded.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
# OpenBLAS resizes its pool when its count changes, and two threads doing that at once leave it wrong.
_setting = threading.Lock()


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity, which a container or taskset narrows)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def thread_env(threads: int) -> dict[str, str]:
    """Environment for a child process whose libraries should start with `threads` threads."""
    return {name: str(max(1, threads)) for name in THREAD_VARIABLES}


def limit_threads(threads: int) -> None:
    """At most `threads` threads per BLAS call and in torch (whole process; call it from the main thread)
    and per OpenMP region (this thread)."""
    from threadpoolctl import threadpool_limits

    threads = max(1, threads)
    with _setting:
        threadpool_limits(limits=threads, user_api="blas")
        if "torch" in sys.modules:
            sys.modules["torch"].set_num_threads(threads)
    limit_openmp(threads)


def limit_openmp(threads: int) -> None:
    """At most `threads` threads per OpenMP region (FAISS, and BLAS built on OpenMP) in the calling thread."""
    from threadpoolctl import threadpool_limits

    import faiss  # loads libgomp, so that threadpoolctl finds it

    threads = max(1, threads)
    threadpool_limits(limits=threads, user_api="openmp")
    faiss.omp_set_num_threads(threads)


def thread_counts() -> dict[str, int]:
    """What the calling thread would use now: {"faiss_openmp": n, "<library file>": n, ...}."""
    import faiss
    from threadpoolctl import threadpool_info

    counts = {"faiss_openmp": faiss.omp_get_max_threads()}
    for lib in threadpool_info():
        counts[f"{lib['internal_api']}:{os.path.basename(lib['filepath'])}"] = lib["num_threads"]
    return counts
