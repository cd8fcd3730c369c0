"""One file's pipeline in a child process, so that a file over its time budget can be stopped.

A pathological file (one that some stage takes hours over, or that crashes a C extension) costs at
most the budget; the child is killed and replaced, and ingest goes on with the next file.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import traceback
from pathlib import Path

from kb.limits import Limits, OverMemory, limit_memory, over_memory_message
from kb.pipeline import process_report
from kb.readers import ReadError


class OverBudget(Exception):
    """Processing one file took longer than its time budget."""


class PipelineFailed(Exception):
    """The pipeline raised something other than ReadError on this file; the message names it."""


def _die_with_parent(parent_pid: int) -> None:
    """A forked child holds copies of the parent's descriptors (the writer lock among them): it must not
    outlive a parent that was killed."""
    if sys.platform.startswith("linux"):
        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:
        os._exit(0)


def unexpected_error(exc: BaseException) -> str:
    """A reason a person can act on for an exception no reader anticipated, with where it came from."""
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    place = f" (in {Path(where.filename).name}:{where.lineno})" if where else ""
    detail = str(exc).strip()[:200]
    return (f"the file could not be read: it is damaged or built in a way the reader does not handle "
            f"({type(exc).__name__}{': ' + detail if detail else ''}{place})")


def _serve(conn, chunk_chars: int, parent_pid: int, parent_end=None, limits: Limits = Limits()) -> None:
    """Child loop: (path, bytes) in, (status, payload, timings) out, until the pipe closes."""
    _die_with_parent(parent_pid)
    if parent_end is not None:
        parent_end.close()  # so that the parent's death closes the pipe for this child
    limit_memory(limits.memory_mb)

    while True:
        try:
            path, data = conn.recv()
        except (EOFError, OSError):
            return
        timings: dict[str, float] = {}
        try:
            conn.send(("ok", process_report(Path(path), chunk_chars, timings, data, limits), timings))
        except ReadError as exc:
            conn.send(("read_error", str(exc), timings))
        except MemoryError:
            data = None  # what the file took is freed before the answer is sent
            conn.send(("memory", "", timings))
        except Exception as exc:  # noqa: BLE001 - reported per file; the next file must still be processed
            conn.send(("error", unexpected_error(exc), timings))


class PipelineWorker:
    """process_report with a time and memory budget; seconds <= 0 runs in this process without either."""

    def __init__(self, chunk_chars: int, seconds: float, limits: Limits = Limits()):
        self.chunk_chars = chunk_chars
        self.seconds = seconds
        self.limits = limits
        self._proc = None
        self._conn = None

    def process(self, path: Path, data: bytes, timings: dict[str, float] | None = None):
        if self.seconds <= 0:
            try:
                return process_report(path, self.chunk_chars, timings, data, self.limits)
            except ReadError:
                raise
            except Exception as exc:  # noqa: BLE001 - reported per file like the child's
                raise PipelineFailed(unexpected_error(exc)) from None
        if self._proc is None:
            self._start()
        self._conn.send((str(path), data))
        if not self._conn.poll(self.seconds):
            self.close(kill=True)
            raise OverBudget(f"processing took longer than the {self.seconds:g} s budget per file "
                             "(KB_FILE_SECONDS); skipped")
        try:
            status, payload, child_timings = self._conn.recv()
        except EOFError:  # the child died (a crash in a C extension, out of memory)
            self._proc.join(1)
            code = self._proc.exitcode
            self.close(kill=True)
            budget = f"; it may have run out of the {self.limits.memory_mb} MB memory budget (KB_FILE_MEMORY_MB)" \
                if self.limits.memory_mb else ""
            raise PipelineFailed(f"the process reading this file died (exit code {code}){budget}") from None
        if timings is not None:
            for stage, seconds in child_timings.items():
                timings[stage] = timings.get(stage, 0.0) + seconds
        if status == "read_error":
            raise ReadError(payload)
        if status == "memory":
            self.close(kill=True)  # a process that ran out of memory is not trusted with the next file
            raise OverMemory(over_memory_message(self.limits.memory_mb))
        if status == "error":
            raise PipelineFailed(payload)
        return payload

    def _start(self) -> None:
        # fork: the child starts at once with everything imported; elsewhere spawn (slower start).
        fork = sys.platform.startswith("linux")
        ctx = multiprocessing.get_context("fork" if fork else "spawn")
        parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, self.chunk_chars, os.getpid(), parent if fork else None,
                                                            self.limits),
                                 daemon=True, name="kb-pipeline")
        self._proc.start()
        child.close()
        self._conn = parent

    def close(self, kill: bool = False) -> None:
        """Stop the child: it exits when its pipe closes; kill=True (or a child that does not) kills it."""
        if self._proc is not None and kill:
            self._proc.kill()
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            self._proc.join(2)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join()
            self._proc = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
