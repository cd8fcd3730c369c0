"""One error shape for the API: {"error": {"code", "message"}} with a 4xx status.

Every error the app sees (its own, routing, method, Host, URL length, unexpected) takes this shape under
/api/ and the Chinese error page elsewhere; the exception's own headers (Allow on a 405) are kept.
"""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException, SecurityError

from kb.search.params import SearchError


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str, headers=None):
    return jsonify({"error": {"code": code, "message": message}}), status, headers or {}


def _wants_json() -> bool:
    # Without a URL adapter (a Host refused before routing) no page can be rendered: the JSON error it is.
    return request.path.startswith("/api/") or request.path == "/api" or request_ctx.url_adapter is None


def _code_and_message(exc: HTTPException) -> tuple[str, str]:
    if isinstance(exc, SecurityError):  # HostCheckedFlask: the Host header is not one this server answers
        host = request.environ.get("HTTP_HOST", "")[:100]
        return "host_not_allowed", (f"此服务器不接受主机名 {host!r} (Host {host!r} is not served here; "
                                    "KB_ALLOWED_HOSTS lists the names that are)")
    return (exc.name or "error").lower().replace(" ", "_"), exc.description or exc.name


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        if _wants_json():
            return error_response(exc.status, exc.code, exc.message)
        return render_template("error.html", status=exc.status, message=exc.message), exc.status

    @app.errorhandler(SearchError)
    def search_error(exc: SearchError):
        return api_error(ApiError(400, exc.code, str(exc)))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        code, message = _code_and_message(exc)
        # Allow (405) and the like; the body's own Content-Type is ours.
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        if _wants_json():
            return error_response(status, code, message, headers)
        return render_template("error.html", status=status, message=message), status, headers

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        if _wants_json():
            return error_response(500, "internal_error", "internal error; see the server log")
        return render_template("error.html", status=500, message="服务器内部错误"), 500
