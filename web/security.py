"""What every request and response goes through: the Host check, CORS, the security headers, URL limits.

- Host: only the names in KB_ALLOWED_HOSTS (checked on every request before routing), by
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
import re
import socket

from flask import Flask, request
from flask_cors import CORS
from werkzeug.exceptions import RequestURITooLarge, SecurityError
from werkzeug.wsgi import get_host

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


# A Host value: a name or IPv4 address, or a bracketed IPv6 address; then an optional port.
HOST_VALUE = re.compile(r"([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::([0-9]{1,5}))?")


def host_name(value: str) -> str | None:
    """The name part of a Host value or an allowed-host entry (an IPv6 address keeps its brackets); None
    when the value is not a host."""
    match = HOST_VALUE.fullmatch(value.strip().lower())
    if match is None or (match.group(2) and not 1 <= int(match.group(2)) <= 65535):
        return None
    return match.group(1)


def host_is_allowed(host: str, allowed: list[str]) -> bool:
    """Whether a Host value names one of the allowed hosts: the same name with any port, or, for an entry
    '.example.org', that domain and its subdomains. Kept here rather than in Flask's TRUSTED_HOSTS:
    Werkzeug 3.1.9 cuts every entry at its first colon, so '[::1]' can never match and a browser on
    http://[::1]:5000/ was refused."""
    name = host_name(host)
    if name is None:
        return False
    for entry in allowed:
        suffix = entry.startswith(".")
        wanted = host_name(entry[1:] if suffix else entry)
        if wanted is not None and (name == wanted or (suffix and name.endswith("." + wanted))):
            return True
    return False


class HostCheckedFlask(Flask):
    """Flask that refuses a request whose Host is not in KB_ALLOWED_HOSTS where Flask checks its own
    TRUSTED_HOSTS: before routing, so no URL, redirect or page is ever built for a foreign name."""

    def create_url_adapter(self, request):
        allowed = self.config.get("KB_ALLOWED_HOSTS")
        if request is not None and allowed is not None:
            host = get_host(request.environ)  # the Host header, else the server's address; '' if malformed
            if not host_is_allowed(host, allowed):
                raise SecurityError(f"Host {host!r} is not served here.")
        return super().create_url_adapter(request)


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
        # A bare IPv6 address ('::1') is written with brackets in a Host header.
        return None if "*" in names else [f"[{n}]" if n.count(":") > 1 and "[" not in n else n for n in names]
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
    # Checked by HostCheckedFlask; Flask's own TRUSTED_HOSTS stays unset (it cannot match IPv6 names).
    app.config["KB_ALLOWED_HOSTS"] = allowed_hosts(settings.allowed_hosts, app.config.get("KB_BIND_HOST"))
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
