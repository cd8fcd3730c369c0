"""The app under waitress, configured for a LAN: idle connections, and clients that trickle a request, cannot
hold a connection for long (KB_CHANNEL_TIMEOUT, KB_REQUEST_SECONDS), waitress's
own errors (a header block over its limit, a malformed request) take the API's JSON error shape and
the security headers, a busy queue is not logged once per request, and each request thread runs its
query with KB_QUERY_THREADS BLAS/OpenMP threads.
"""
from __future__ import annotations

import json
import logging
import resource
import socket
import threading
import time

from waitress.channel import HTTPChannel
from waitress.adjustments import Adjustments
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask

from kb.settings import Settings
from kb.threads import limit_openmp, limit_threads

from .security import SECURITY_HEADERS

# Largest request header block (request line + headers) waitress reads; beyond it the client gets a
# JSON 431 from waitress itself (the app sees URLs up to web.security.MAX_URL_BYTES and answers 414).
MAX_HEADER_BYTES = 65_536


class JsonErrorTask(ErrorTask):
    """Waitress's error responses (400, 431, ...) as {"error": {"code", "message"}} with our headers."""

    def execute(self):
        e = self.request.error
        body = json.dumps({"error": {"code": e.reason.lower().replace(" ", "_"), "message": e.body}},
                          ensure_ascii=False).encode("utf-8")
        self.status = f"{e.code} {e.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.response_headers.extend(SECURITY_HEADERS.items())
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class JsonErrorChannel(HTTPChannel):
    """A channel with waitress's errors as JSON and a deadline for reading each request: waitress closes a
    connection only after channel_timeout without any bytes, so a client sending one header line every few
    seconds would hold it for ever."""
    error_task_class = JsonErrorTask
    request_seconds = 0.0      # set per server by make_server; 0: no deadline
    request_started = None     # when the first bytes of the request being read arrived

    def received(self, data):
        if data and self.request is None:
            self.request_started = time.monotonic()
        out = super().received(data)
        if self.request is None:
            self.request_started = None  # read whole (or nothing pending)
        elif self.past_deadline(time.monotonic()):
            self.will_close = True
        return out

    def past_deadline(self, now: float) -> bool:
        return bool(self.request_seconds) and self.request_started is not None and \
            now - self.request_started > self.request_seconds


def _with_request_deadline(server) -> None:
    """Waitress's periodic clean-up (every cleanup_interval) also closes channels past their request deadline,
    for a client that stopped sending halfway."""
    idle_cleanup = server.maintenance

    def maintenance(now):
        idle_cleanup(now)
        for channel in list(server.active_channels.values()):
            if isinstance(channel, JsonErrorChannel) and channel.past_deadline(time.monotonic()):
                channel.will_close = True
    server.maintenance = maintenance


def raise_open_file_limit(wanted: int) -> None:
    """Room for `wanted` connections plus the index files: raise the soft limit toward the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted + 256 if hard == resource.RLIM_INFINITY else min(hard, wanted + 256)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


class QueryThreads:
    """WSGI wrapper: the first request a thread serves limits that thread's OpenMP (FAISS) to `threads`. An
    OpenMP limit holds per thread (kb/threads.py), and waitress's threads are its own."""

    def __init__(self, app, threads: int):
        self.app, self.threads, self._done = app, threads, threading.local()

    def __call__(self, environ, start_response):
        if not getattr(self._done, "limited", False):
            limit_openmp(self.threads)
            self._done.limited = True
        return self.app(environ, start_response)


def serving_settings(settings: Settings) -> Settings:
    """Settings of a serving process, whose BLAS is now limited to KB_QUERY_THREADS (call from the main
    thread): its embedder, like its FAISS, runs that many threads per query."""
    limit_threads(settings.query_threads)
    return settings.with_(embed_threads=settings.query_threads)


def listening_sockets(host: str, port: int) -> list[socket.socket]:
    """Sockets bound and listening as waitress would bind them itself (every address of `host`)."""
    adj = Adjustments(host=host, port=port)
    sockets = []
    for family, kind, proto, address in adj.listen:
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(adj.backlog)
        sockets.append(sock)
    return sockets


def make_server(app, settings, host: str = "127.0.0.1", port: int = 5000, threads: int = 8, **adjustments):
    """A waitress server for the app (server.run() serves; server.close() stops). With sockets=[...] among
    the adjustments it serves those (already listening) sockets instead of binding host:port."""
    # "Task queue depth is N" is logged per request whenever all threads are busy: normal under load.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    raise_open_file_limit(settings.connection_limit)
    servers: dict = {}
    where = {} if "sockets" in adjustments else dict(host=host, port=port)
    options = dict(where, threads=threads, connection_limit=settings.connection_limit,
                   channel_timeout=settings.channel_timeout,
                   cleanup_interval=max(1, min(10, settings.channel_timeout, settings.request_seconds or 10)),
                   asyncore_use_poll=True,  # select() fails past 1024 descriptors
                   max_request_header_size=MAX_HEADER_BYTES, ident="kb")
    options.update(adjustments)
    server = create_server(QueryThreads(app, settings.query_threads), map=servers, **options)
    channel_class = type("Channel", (JsonErrorChannel,), {"request_seconds": settings.request_seconds})
    for s in list(servers.values()) + [server]:
        if isinstance(s, BaseWSGIServer):
            s.channel_class = channel_class
            _with_request_deadline(s)
    return server
