"""Hostile clients: idle sockets, foreign Host headers, redirects, security headers, limits, CORS, waitress's errors."""
from __future__ import annotations

import http.client
import socket
import threading
import time
from urllib.parse import quote

import pytest

from web import create_app
from web.security import SECURITY_HEADERS, allowed_hosts, host_is_allowed
from web.server import make_server


def error_of(response):
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    return body["error"]


@pytest.fixture(scope="module")
def served(app, kb_settings):
    """The app under the same waitress configuration as `kb serve`, on a free port."""
    server = make_server(app, kb_settings, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield "127.0.0.1", server.effective_port
    server.close()


def get(address, path, headers=None, timeout=10.0):
    conn = http.client.HTTPConnection(*address, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def test_idle_and_half_sent_connections_do_not_starve_a_client(served):
    """Waitress's defaults (100 connections, 120 s idle timeout) made the 101st client wait two minutes."""
    sockets = []
    try:
        for i in range(250):
            s = socket.create_connection(served, timeout=5)
            if i % 2:  # slowloris: a request that never ends
                s.sendall(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
            sockets.append(s)
        time.sleep(0.2)
        t = time.perf_counter()
        status, _, body = get(served, "/api/health")
        elapsed = time.perf_counter() - t
        assert status == 200 and b'"status":"ok"' in body
        assert elapsed < 1.0, f"a normal client waited {elapsed:.2f} s behind {len(sockets)} idle sockets"
    finally:
        for s in sockets:
            s.close()


def test_idle_connections_are_closed_after_the_channel_timeout(app, kb_settings):
    server = make_server(app, kb_settings.with_(channel_timeout=1), host="127.0.0.1", port=0, threads=2)
    threading.Thread(target=server.run, daemon=True).start()
    try:
        s = socket.create_connection(("127.0.0.1", server.effective_port), timeout=10)
        t = time.perf_counter()
        assert s.recv(1) == b""  # the server hung up
        assert time.perf_counter() - t < 5
        s.close()
    finally:
        server.close()


def test_a_client_trickling_its_request_head_is_closed_at_the_request_deadline(app, kb_settings):
    """One header line every 0.5 s keeps a connection active for waitress's idle timeout (here 30 s);
    KB_REQUEST_SECONDS bounds the whole head."""
    server = make_server(app, kb_settings.with_(channel_timeout=30, request_seconds=2), host="127.0.0.1", port=0,
                         threads=2)
    threading.Thread(target=server.run, daemon=True).start()
    try:
        s = socket.create_connection(("127.0.0.1", server.effective_port), timeout=10)
        t = time.perf_counter()
        s.sendall(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n")
        closed = False
        for i in range(40):
            time.sleep(0.5)
            try:
                s.sendall(b"X-Slow-%d: 1\r\n" % i)
            except OSError:
                closed = True
                break
            s.settimeout(0.01)
            try:
                if s.recv(1) == b"":
                    closed = True
                    break
            except TimeoutError:
                pass
            s.settimeout(10)
        elapsed = time.perf_counter() - t
        assert closed, "a trickling client held its connection for 20 s"
        assert elapsed < 6, f"closed only after {elapsed:.1f} s"
        s.close()
        status, _, _ = get(("127.0.0.1", server.effective_port), "/api/health")
        assert status == 200  # a whole request in time is answered as before
    finally:
        server.close()


PAGES = ("/", "/?q=%E8%A1%8C%E6%94%BF%E5%A4%8D%E8%AE%AE", "/documents", "/documents/002_6eecb43df29e7b4f", "/facts",
         "/compare?q=x", "/static/style.css", "/api/health", "/api/search?q=x", "/api/openapi.json",
         "/api/nothing", "/nothing", "/api/search", "/api/documents/nope")


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_on_every_response(client, path):
    r = client.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert r.headers.get(name) == value, (path, name)
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_security_headers_on_waitress_own_errors_too(served):
    status, headers, body = get(served, "/api/search?q=" + "x" * 1_000_000)
    assert status == 431 and headers["Content-Type"] == "application/json"
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"


def test_a_1_mb_url_gets_the_json_error_shape(served, client):
    """Waitress refuses a header block over its limit itself; its error now has the API's JSON shape."""
    import json

    status, headers, body = get(served, "/api/search?q=" + "x" * 1_000_000)
    assert status == 431 and set(json.loads(body)["error"]) == {"code", "message"}
    # A URL under waitress's limit but over the app's gets the app's 414.
    r = client.get("/api/search?q=" + "x" * 20_000)
    assert r.status_code == 414 and error_of(r)["code"] == "request_uri_too_long"


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.nip.io", "localhost.evil.example:5000"])
def test_a_foreign_host_header_is_refused(client, host):
    for path in ("/api/health", "/", "/api//health", "/static/style.css"):
        r = client.get(path, headers={"Host": host})
        assert r.status_code == 400 and error_of(r)["code"] == "host_not_allowed", (path, r.status_code)
        assert "Location" not in r.headers


@pytest.mark.parametrize("host", ["localhost", "localhost:5000", "127.0.0.1:8080", "[::1]:5000"])
def test_localhost_names_are_answered(client, host):
    assert client.get("/api/health", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["[::2]:5000", "[::1]evil", "[::1", "localhost:5000:1", "", "a b"])
def test_malformed_or_other_ipv6_hosts_are_refused(client, host):
    # Set in the WSGI environ as a server would: Werkzeug's test client parses a Host header itself.
    r = client.get("/api/health", environ_overrides={"HTTP_HOST": host})
    assert r.status_code == 400 and error_of(r)["code"] == "host_not_allowed", host


def test_host_matching_takes_the_name_and_a_valid_port():
    local = allowed_hosts("", "127.0.0.1")
    assert host_is_allowed("[::1]:5000", local) and host_is_allowed("LOCALHOST:80", local)
    for host in ("[::1]:99999", "[::1]:0", "[::1]:", "[::1]x", "127.0.0.1:5000/x", "localhost."):
        assert not host_is_allowed(host, local), host
    assert host_is_allowed("a.b.research.example", [".research.example"])
    assert not host_is_allowed("evilresearch.example", [".research.example"])


def test_an_ipv6_address_in_the_setting_is_answered(kb_settings):
    for setting in ("::1", "[::1]", "[2001:db8::5]:8080, kb.lan"):
        app = create_app({"KB_SETTINGS": kb_settings.with_(allowed_hosts=setting), "TESTING": True})
        wanted = "[2001:db8::5]:5000" if "2001" in setting else "[::1]:5000"
        assert app.test_client().get("/api/health", headers={"Host": wanted}).status_code == 200, setting
        assert app.test_client().get("/api/health", headers={"Host": "[::3]"}).status_code == 400, setting


def test_allowed_hosts_setting_and_defaults(kb_settings):
    app = create_app({"KB_SETTINGS": kb_settings.with_(allowed_hosts="kb.lan, .research.example"), "TESTING": True})
    c = app.test_client()
    assert c.get("/api/health", headers={"Host": "kb.lan:5000"}).status_code == 200
    assert c.get("/api/health", headers={"Host": "a.research.example"}).status_code == 200
    assert c.get("/api/health", headers={"Host": "localhost"}).status_code == 400
    assert allowed_hosts("", "127.0.0.1") == ["localhost", "127.0.0.1", "[::1]"]
    lan = allowed_hosts("", "0.0.0.0")
    assert socket.gethostname().lower() in lan and "localhost" in lan
    assert allowed_hosts("*", "0.0.0.0") is None


def test_no_redirect_is_built_from_the_host_header(client):
    for host in ("evil.example", "localhost"):
        for path in ("/api//health", "//api/health", "/static//style.css", "/documents/"):
            r = client.get(path, headers={"Host": host})
            assert not 300 <= r.status_code < 400 and "Location" not in r.headers, (host, path, r.status_code)
    r = client.get("/api//health")
    assert r.status_code == 404 and error_of(r)["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/search", "/api/health", "/", "/documents"])
def test_405_says_which_methods_are_allowed(client, path):
    r = client.post(path, data={"q": "x"})
    assert r.status_code == 405
    assert {m.strip() for m in r.headers["Allow"].split(",")} >= {"GET", "HEAD"}
    if path.startswith("/api/"):
        assert error_of(r)["code"] == "method_not_allowed"


def test_parameter_limits_are_the_openapi_documents(client):
    spec = client.get("/api/openapi.json").get_json()
    checked = 0
    for path, item in spec["paths"].items():
        if "{" in path:
            continue
        for p in item["get"].get("parameters", []):
            name = p["name"]
            schema = p["schema"].get("items", p["schema"])  # a repeatable parameter: each value's limit
            base = {"q": "公开"} if name != "q" and any(x["name"] == "q" and x.get("required")
                                                       for x in item["get"]["parameters"]) else {}
            if "maxLength" in schema and "pattern" not in schema:  # a patterned value is not any text
                ok = client.get(path, query_string=base | {name: "公" * schema["maxLength"]})
                assert ok.status_code == 200, (path, name, ok.get_json())
                ok.close()  # a streamed export holds its request context until closed
                over = client.get(path, query_string=base | {name: "公" * (schema["maxLength"] + 1)})
                assert over.status_code == 400 and name in error_of(over)["message"], (path, name)
                checked += 1
            if "maximum" in schema:
                over = client.get(path, query_string=base | {name: schema["maximum"] + 1})
                assert over.status_code == 400, (path, name)
                checked += 1
    assert checked >= 10


def test_cors_only_for_configured_origins(kb_settings):
    one = create_app({"KB_SETTINGS": kb_settings.with_(cors_origins="https://tool.example"), "TESTING": True})
    c = one.test_client()
    assert c.get("/api/health", headers={"Origin": "https://tool.example"}).headers[
        "Access-Control-Allow-Origin"] == "https://tool.example"
    assert "Access-Control-Allow-Origin" not in c.get("/api/health", headers={"Origin": "https://evil.example"}).headers
    assert "Access-Control-Allow-Origin" not in c.get("/", headers={"Origin": "https://tool.example"}).headers
    anyone = create_app({"KB_SETTINGS": kb_settings.with_(cors_origins="*"), "TESTING": True}).test_client()
    r = anyone.get("/api/health", headers={"Origin": "https://x.example"})
    assert r.headers["Access-Control-Allow-Origin"] == "*" and "Access-Control-Allow-Credentials" not in r.headers


def test_a_document_id_with_url_characters_opens(client, engine):
    """An id with ? or # (a file named so) works when percent-encoded, as url_for encodes it."""
    doc_id = "002_6eecb43df29e7b4f"
    assert client.get("/documents/" + quote(doc_id, safe="")).status_code == 200


def test_citation_links_are_percent_encoded():
    from kb.urls import document_url

    assert document_url("报告?第1版#附件", 3, 9) == "/documents/" + quote("报告?第1版#附件", safe="") + \
        "?start=3&end=9#passage"
