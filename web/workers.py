"""`kb serve --workers N`: one parent binds the listening socket(s), N worker processes serve them.

One Python process is GIL-bound at ~1.3 cores, so a machine's cores are used by processes. The parent
only supervises: it starts each worker as a fresh interpreter (`python -m web.workers`) that inherits the
listening sockets, so no thread, FAISS/OpenMP or embedder state crosses into a worker, and the worker's
OMP_NUM_THREADS / OPENBLAS_NUM_THREADS are KB_QUERY_THREADS before any library loads. Each worker opens
the store and the memory-mapped indexes itself and, like a single process, switches to a new build on
its next search (SearchEngine.refresh). The kernel hands each new connection to one worker that is
waiting in accept; a worker at its share of KB_CONNECTION_LIMIT stops accepting and leaves the
connection to the others.

The parent restarts a worker that dies, stops all of them on SIGTERM or SIGINT, and a worker whose parent
is gone ends too (PR_SET_PDEATHSIG). A worker that cannot open the knowledge base says why and exits with
EXIT_CONFIG; the parent then stops everything instead of restarting it in a loop.
"""
from __future__ import annotations

import argparse
import ctypes
import math
import os
import signal
import socket
import subprocess
import sys
import time

from kb.indexes.builds import IndexMissing
from kb.indexes.embed import EmbedderError
from kb.settings import Settings, load_settings
from kb.threads import thread_env
from web import create_app
from web.server import listening_sockets, make_server, serving_settings

EXIT_CONFIG = 78          # EX_CONFIG: the worker cannot open the knowledge base; restarting will not help
STOP_SECONDS = 10.0       # after SIGTERM, a worker gets this long to finish its requests before SIGKILL
QUICK_DEATHS = 5          # this many deaths in a row, each within QUICK_SECONDS of its start: give up
QUICK_SECONDS = 10.0
PR_SET_PDEATHSIG = 1


class WorkersFailed(RuntimeError):
    """The workers cannot be kept running (a configuration error, or each one dies at once)."""


def log(message: str) -> None:
    print(f"kb serve [{os.getpid()}]: {message}", file=sys.stderr, flush=True)


class Supervisor:
    """Keeps `count` workers serving `sockets`; run() returns when told to stop (SIGTERM/SIGINT)."""

    def __init__(self, sockets: list[socket.socket], count: int, bind_host: str, threads: int, env: dict):
        self.sockets, self.count, self.bind_host, self.threads = sockets, count, bind_host, threads
        self.env = env
        self.workers: dict[int, tuple[subprocess.Popen, float]] = {}
        self.stopping = False
        self.quick_deaths = 0

    def start_worker(self) -> None:
        fds = [s.fileno() for s in self.sockets]
        command = [sys.executable, "-m", "web.workers", "--parent", str(os.getpid()), "--bind-host",
                   self.bind_host, "--threads", str(self.threads)] + [a for fd in fds for a in ("--fd", str(fd))]
        process = subprocess.Popen(command, pass_fds=fds, env=self.env, stdin=subprocess.DEVNULL)
        self.workers[process.pid] = (process, time.monotonic())

    def _stop(self, signum, frame) -> None:
        self.stopping = True

    def run(self, started=lambda: None) -> None:
        """Start the workers, call started(), then keep them running until SIGTERM/SIGINT."""
        previous = {s: signal.signal(s, self._stop) for s in (signal.SIGTERM, signal.SIGINT)}
        try:
            for _ in range(self.count):
                self.start_worker()
            started()  # announced once the worker processes exist
            while not self.stopping:
                self.replace_dead()
                time.sleep(0.1)
        finally:
            self.stop_all()
            for s, handler in previous.items():
                signal.signal(s, handler)

    def replace_dead(self) -> None:
        for pid, (process, started) in list(self.workers.items()):
            code = process.poll()
            if code is None:
                continue
            del self.workers[pid]
            if self.stopping:
                continue
            if code == EXIT_CONFIG:
                raise WorkersFailed("a worker could not open the knowledge base (its message is above)")
            self.quick_deaths = self.quick_deaths + 1 if time.monotonic() - started < QUICK_SECONDS else 0
            if self.quick_deaths >= QUICK_DEATHS:
                raise WorkersFailed(f"{QUICK_DEATHS} workers in a row died within {QUICK_SECONDS:g} s of starting")
            how = f"signal {-code}" if code < 0 else f"exit code {code}"
            log(f"worker {pid} ended ({how}); starting another")
            self.start_worker()

    def stop_all(self) -> None:
        for process, _ in self.workers.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for process, _ in self.workers.values():
            try:
                process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.workers.clear()


def serve_workers(settings: Settings, host: str, port: int, threads: int,
                  announce=lambda sockets: None) -> None:
    """Bind host:port, call announce(sockets), keep settings.workers workers serving until SIGTERM/SIGINT."""
    sockets = listening_sockets(host, port)
    try:
        env = os.environ | thread_env(settings.query_threads) | {
            "KB_WORKERS": str(settings.workers), "KB_EMBED_MODEL": settings.embed_model,
            "KB_INDEX_DIR": str(settings.index_dir), "PYTHONUNBUFFERED": "1"}
        Supervisor(sockets, settings.workers, host, threads, env).run(lambda: announce(sockets))
    finally:
        for s in sockets:
            s.close()


# -- the worker process ------------------------------------------------------------------------------
def _end_with_parent(parent: int) -> None:
    """SIGTERM this process when the parent ends (Linux); exit now if it already has."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        sys.exit(0)


def worker_main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m web.workers", description="one worker of `kb serve --workers N`")
    ap.add_argument("--parent", type=int, required=True)
    ap.add_argument("--fd", type=int, action="append", required=True, help="an inherited listening socket")
    ap.add_argument("--bind-host", required=True)
    ap.add_argument("--threads", type=int, required=True, help="waitress threads")
    args = ap.parse_args(argv)
    _end_with_parent(args.parent)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent stops everyone

    settings = load_settings()
    # The connection limit is the whole server's: each worker takes its share.
    settings = serving_settings(settings.with_(connection_limit=math.ceil(settings.connection_limit
                                                                          / settings.workers)))
    sockets = [socket.socket(fileno=fd) for fd in args.fd]
    try:
        app = create_app({"KB_SETTINGS": settings, "KB_BIND_HOST": args.bind_host})
    except (IndexMissing, EmbedderError) as exc:
        print(f"Error: {exc}", file=sys.stderr, flush=True)
        sys.exit(EXIT_CONFIG)
    server = make_server(app, settings, threads=args.threads, sockets=sockets)
    try:
        server.run()
    finally:
        server.close()


if __name__ == "__main__":
    worker_main()
