"""One writer at a time: an exclusive lock on `<index dir>/ingest.lock`, held from the first store write
to the index switch.

flock(2) locks belong to the open file, so the kernel releases them when the holder dies, even by
SIGKILL: there is never a stale lock to delete. The file itself stays (it holds the last holder's pid,
for the message a second writer shows). The lock is re-entrant within one thread of a process, so
build_indexes can take it whether or not its caller (ingest) already holds it.
"""
from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

LOCK_FILE = "ingest.lock"

_held: dict[Path, tuple[threading.RLock, list[int]]] = {}  # lock path -> (thread lock, [depth])
_registry_lock = threading.Lock()


class WriterBusy(Exception):
    """Another process is writing to this index directory."""


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="ascii").strip()
    except OSError:
        pid = ""
    return f"pid {pid}" if pid.isdigit() else "another process"


@contextmanager
def writer_lock(index_dir: Path, wait: bool = True, on_wait: Callable[[str], None] | None = None):
    """Hold the index directory's writer lock. wait=False raises WriterBusy at once when it is taken."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    path = (index_dir / LOCK_FILE).resolve()
    with _registry_lock:
        thread_lock, depth = _held.setdefault(path, (threading.RLock(), [0]))
    if not thread_lock.acquire(blocking=wait):
        raise WriterBusy(f"another writer in this process is updating {index_dir}")
    try:
        if depth[0]:
            depth[0] += 1
            try:
                yield
            finally:
                depth[0] -= 1
            return
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                who = _holder(path)
                if not wait:
                    raise WriterBusy(f"{index_dir} is being updated by another kb ingest ({who}); "
                                     "run again when it has finished, or pass --wait to queue behind it") from None
                if on_wait:
                    on_wait(f"waiting for the kb ingest that is updating {index_dir} ({who}) to finish …")
                fcntl.flock(fd, fcntl.LOCK_EX)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
            depth[0] = 1
            try:
                yield
            finally:
                depth[0] = 0
        finally:
            os.close(fd)  # releases the flock
    finally:
        thread_lock.release()
