"""What every request and response goes through: the Host check, CORS, the security headers, URL limits.

- Host: only the names in KB_ALLOWED_HOSTS (Flask's TRUSTED_HOSTS, checked on every request), by
  default the localhost names, plus this machine's names and addresses when serving on a non-loopback
  address. A page on another site that rebinds its DNS name to 127.0.0.1 then gets a 400.
- CORS: none unless KB_CORS_ORIGINS names origins (or '*'). The pages call the API from their own
  origin, and tools (curl, scripts) need no CORS; with '*' any web page a user opens could read a
  server on their machine or LAN, so that is something to switch on, not the default.
- Headers on every response: a CSP allowing only this origin's scripts, style sheets and forms (and style
  attributes, which the bar charts use), framing refused (frame-ancestors and X-Frame-Options), nosniff,
  no Referer sent.
"""
from __future__ import annotations

import ipaddress
import socket

from flask import Flask, request
from flask_cors import CORS
from werkzeug.exceptions import RequestURITooLarge

LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")
# Longest URL (path + query) answered: q is at most 500 characters (4.5 KB percent-encoded) plus filters.
MAX_URL_BYTES = 16_384

SECURITY_HEADERS = {
    # style-src-attr: the bar charts set each bar's width in a style attribute; <style> elements stay refused.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "style-src-attr 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
                               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def allowed_hosts(setting: str, bind_host: str | None = None) -> list[str] | None:
    """Host header values to answer (werkzeug's host_is_trusted patterns); None: any host."""
    if setting.strip():
        names = _split(setting)
        return None if "*" in names else names
    names = list(LOCAL_HOSTS)
    if bind_host and not is_loopback(bind_host):
        names += machine_names(bind_host)
    return list(dict.fromkeys(names))


def machine_names(bind_host: str) -> list[str]:
    """Names and addresses a LAN client may use for this machine."""
    names = [socket.gethostname(), socket.getfqdn()]
    if bind_host in ("0.0.0.0", "::", ""):
        try:
            names += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)]
        except OSError:
            pass
        try:  # the address of the default route (connect on UDP sends nothing)
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect(("192.0.2.1", 9))
                names.append(s.getsockname()[0])
        except OSError:
            pass
    else:
        names.append(bind_host)
    return [f"[{n}]" if ":" in n else n.lower() for n in names if n]


def cors_origins(setting: str) -> list[str] | str | None:
    names = _split(setting)
    if not names:
        return None
    return "*" if "*" in names else names


def forbid_redirects(app: Flask) -> None:
    """Werkzeug answers //x and /x/ with a redirect whose Location is built from the Host header: no such
    redirects for the routes added after this (a path with // is a 404)."""
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False


def register_security(app: Flask, settings) -> None:
    """Host check, CORS, URL limit and security headers on the app."""
    hosts = allowed_hosts(settings.allowed_hosts, app.config.get("KB_BIND_HOST"))
    app.config["TRUSTED_HOSTS"] = hosts
    app.config["KB_ALLOWED_HOSTS"] = hosts
    origins = cors_origins(settings.cors_origins)
    if origins:
        CORS(app, resources={r"/api/*": {"origins": origins, "methods": ["GET", "HEAD", "OPTIONS"]}},
             supports_credentials=False, send_wildcard=origins == "*")

    @app.before_request
    def limit_url():
        size = len(request.environ.get("REQUEST_URI") or request.environ.get("RAW_URI") or request.full_path)
        if size > MAX_URL_BYTES:
            raise RequestURITooLarge(f"the URL is {size} bytes; at most {MAX_URL_BYTES} are answered")

    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response
