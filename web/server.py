"""The app under waitress, configured for a LAN: idle connections cannot starve the others, waitress's
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
    error_task_class = JsonErrorTask


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
                   channel_timeout=settings.channel_timeout, cleanup_interval=min(10, settings.channel_timeout),
                   asyncore_use_poll=True,  # select() fails past 1024 descriptors
                   max_request_header_size=MAX_HEADER_BYTES, ident="kb")
    options.update(adjustments)
    server = create_server(QueryThreads(app, settings.query_threads), map=servers, **options)
    for s in list(servers.values()) + [server]:
        if isinstance(s, BaseWSGIServer):
            s.channel_class = JsonErrorChannel
    return server
