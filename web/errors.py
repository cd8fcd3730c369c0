"""One error shape for the API: {"error": {"code", "message"}} with a 4xx status.

Every error the app sees (its own, routing, method, Host, URL length, unexpected) takes this shape under
/api/ and the Chinese error page elsewhere; the exception's own headers (Allow on a 405) are kept.
"""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException, SecurityError

from kb.search.params import MAX_QUERY_CHARS, SearchError


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


# What to change, in Chinese, for each kind of error a person meets on a page (the JSON facts follow it).
ADVICE = {
    "q_too_long": "检索词有 {n} 个字，太长了：最多 {max} 个字。请缩短检索词后再检索。",
    "missing_parameter": "缺少必填的参数。请在下面的检索框输入检索词。",
    "invalid_query": "检索式有语法错误：请检查引号是否成对、AND / OR / NOT 两边是否都有词、字段值是否正确。",
    "invalid_parameter": "参数 {param} 的值不对。请按下面的说明修改地址中的这个参数，或重新检索。",
    400: "请求有误。请修改地址或重新检索。",
    404: "没有这个页面或文档。请检查地址，或在上面的检索框检索。",
    405: "这个地址不接受这种请求方式（只接受 GET）。请直接在浏览器中打开页面。",
    410: "原文件已不在导入时的状态。请管理员重新导入报告。",
    414: "地址太长：检索词或筛选条件太多。请缩短检索词或去掉一些筛选条件。",
    500: "服务器内部错误。请稍后再试；如果反复出现，请告诉管理员。",
}


def advice(status: int, code: str, param: str | None = None) -> str:
    if param == "q" and code == "invalid_parameter" and status == 400:
        return ADVICE["q_too_long"].format(n=len(request.args.get("q", "")), max=MAX_QUERY_CHARS)
    if status == 400 and code in ADVICE:
        return ADVICE[code].format(param=param or "")
    return ADVICE.get(status, ADVICE[400] if status < 500 else ADVICE[500])


def error_page(status: int, code: str, message: str, param: str | None = None):
    """The site's page for an error: the search box, what to change in Chinese, and the JSON error's facts."""
    query = request.args.get("q", "")[:MAX_QUERY_CHARS] if request_ctx.url_adapter is not None else ""
    return render_template("error.html", status=status, code=code, message=message, query=query,
                           advice=advice(status, code, param)), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError, param: str | None = None):
        if _wants_json():
            return error_response(exc.status, exc.code, exc.message)
        return error_page(exc.status, exc.code, exc.message, param)

    @app.errorhandler(SearchError)
    def search_error(exc: SearchError):
        return api_error(ApiError(400, exc.code, str(exc)), exc.param)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        code, message = _code_and_message(exc)
        # Allow (405) and the like; the body's own Content-Type is ours.
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        if _wants_json():
            return error_response(status, code, message, headers)
        body, status = error_page(status, code, message)
        return body, status, headers

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        if _wants_json():
            return error_response(500, "internal_error", "internal error; see the server log")
        return error_page(500, "internal_error", "internal error; see the server log")
