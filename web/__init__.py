"""The Flask app: a JSON API blueprint and a pages blueprint over one SearchEngine per process."""
from __future__ import annotations

from flask import Flask

from kb.questions import answer_question
from kb.search.engine import SearchEngine
from kb.settings import load_settings

from .errors import register_error_handlers
from .security import HostCheckedFlask, forbid_redirects, register_security


def create_app(config: dict | None = None) -> Flask:
    """config: KB_SETTINGS (default load_settings()), KB_BIND_HOST (the address served on, for the default
    allowed hosts), and any Flask setting."""
    # The static route is added by hand so that it, like every route, is bound without redirects.
    app = HostCheckedFlask(__name__, static_folder=None)
    forbid_redirects(app)
    app.static_folder, app.static_url_path = "static", "/static"
    app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=app.send_static_file)
    app.config.from_mapping(KB_SETTINGS=None, KB_BIND_HOST=None)
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    settings = app.config["KB_SETTINGS"] or load_settings()
    # The store and both indexes are opened once per process, here, not per request.
    app.extensions["kb_engine"] = SearchEngine(settings, answer=answer_question)
    app.extensions["kb_engine"].warm_up()
    register_security(app, settings)

    from .api import api
    from . import browse  # noqa: F401  (its routes join the pages blueprint)
    from .pages import pages

    app.register_blueprint(api, url_prefix="/api")
    app.register_blueprint(pages)
    register_error_handlers(app)
    return app
