"""The Flask app: a JSON API blueprint and a pages blueprint over one SearchEngine per process."""
from __future__ import annotations

from flask import Flask
from flask_cors import CORS

from kb.search.engine import SearchEngine
from kb.settings import load_settings

from .errors import register_error_handlers


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(KB_SETTINGS=None)
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    settings = app.config["KB_SETTINGS"] or load_settings()
    # The store and both indexes are opened once per process, here, not per request.
    app.extensions["kb_engine"] = SearchEngine(settings)
    app.extensions["kb_engine"].warm_up()
    CORS(app, resources={r"/api/*": {"origins": "*", "methods": ["GET", "OPTIONS"]}})

    from .api import api
    from .pages import pages

    app.register_blueprint(api, url_prefix="/api")
    app.register_blueprint(pages)
    register_error_handlers(app)
    return app
