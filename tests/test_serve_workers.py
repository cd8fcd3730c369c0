"""`kb serve --workers 2` as a real process tree over the seed knowledge base: answers come from both
workers, a killed worker is replaced, SIGTERM leaves no process behind.

Which worker holds a connection is read from /proc (the server socket's inode among each worker's open
files), so no response carries a process id."""
from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kb.settings import PROJECT_ROOT

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads /proc (Linux)")
START_SECONDS = 180  # workers load the embedder; the machine is shared


def children(pid: int) -> set[int]:
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.add(int(stat.parent.name))
    return out


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def server_socket_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server's end of the connection from client_port (from /proc/net/tcp)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == client_port:
            return fields[9]
    return None


def worker_of(connection: http.client.HTTPConnection, port: int, workers: set[int]) -> int | None:
    inode = server_socket_inode(port, connection.sock.getsockname()[1])
    for pid in workers:
        try:
            if any(os.readlink(fd) == f"socket:[{inode}]" for fd in Path(f"/proc/{pid}/fd").iterdir()):
                return pid
        except OSError:
            continue
    return None


class Served:
    def __init__(self, process: subprocess.Popen, port: int):
        self.process, self.port = process, port

    def answered_by(self, workers: set[int], wanted, seconds: float = START_SECONDS) -> set[int]:
        """Open connections (each answers a search, all kept open) until wanted(pids seen) or time is up."""
        seen, connections = set(), []
        deadline = time.monotonic() + seconds
        try:
            while time.monotonic() < deadline and not wanted(seen):
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                c.request("GET", "/api/search?q=%E8%A1%8C%E6%94%BF%E5%A4%8D%E8%AE%AE&k=3")
                response = c.getresponse()
                assert response.status == 200 and json.loads(response.read())["results"]
                connections.append(c)
                pid = worker_of(c, self.port, workers)
                assert pid is not None, "the connection is held by none of the workers"
                seen.add(pid)
                if len(connections) > 16:  # keep a few open (a busy worker lets the other accept), then start over
                    connections.pop(0).close()
        finally:
            for c in connections:
                c.close()
        return seen


@pytest.fixture(scope="module")
def served(kb_settings):
    env = os.environ | {"KB_INDEX_DIR": str(kb_settings.index_dir), "PYTHONPATH": str(PROJECT_ROOT),
                        "KB_QUERY_THREADS": "1"}
    process = subprocess.Popen([sys.executable, "-m", "kb", "serve", "--port", "0", "--workers", "2", "--threads", "2"],
                               env=env, stderr=subprocess.PIPE, text=True)
    lines = []
    port = None
    while port is None:
        line = process.stderr.readline()
        assert line, f"kb serve ended: {''.join(lines)}"
        lines.append(line)
        if m := re.search(r"serving on http://127\.0\.0\.1:(\d+)", line):
            port = int(m[1])
    threading.Thread(target=lambda: [lines.append(x) for x in process.stderr], daemon=True).start()
    served = Served(process, port)
    served.log = lines
    yield served
    if process.poll() is None:
        process.kill()
        for pid in children(process.pid):
            os.kill(pid, signal.SIGKILL)
        process.wait()


def test_two_workers_answer_and_run_one_thread_per_query(served):
    workers = children(served.process.pid)
    assert len(workers) == 2
    seen = served.answered_by(workers, lambda s: len(s) >= 2)
    assert seen == workers, f"answers came only from {seen} of {workers}"
    for pid in workers:
        env = dict(v.split("=", 1) for v in Path(f"/proc/{pid}/environ").read_text().split("\0") if "=" in v)
        assert env["OMP_NUM_THREADS"] == env["OPENBLAS_NUM_THREADS"] == "1"


def test_a_killed_worker_is_replaced(served):
    before = children(served.process.pid)
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (len(children(served.process.pid)) < 2 or victim in
                                           children(served.process.pid)):
        time.sleep(0.1)
    after = children(served.process.pid)
    assert len(after) == 2 and victim not in after
    (new,) = after - before
    assert served.answered_by(after, lambda s: new in s) >= {new}, "the new worker never answered"
    assert any(f"worker {victim} ended (signal 9)" in line for line in served.log)


def test_sigterm_stops_every_process(served):
    workers = children(served.process.pid)
    assert workers
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(60) == 0
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in workers):
        time.sleep(0.1)
    assert not [pid for pid in workers if alive(pid)]
    with pytest.raises(OSError):
        http.client.HTTPConnection("127.0.0.1", served.port, timeout=5).request("GET", "/api/health")
