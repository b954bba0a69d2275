"""The Flask app factory of the sandbox service.

`create_app(config)` wires the blueprints (API, terminal WebSocket, built site), loads the tutorial
checks from `docs/`, connects to the Docker engine, plugs in the Docker API gateway when a profile needs
it, and starts the session manager (orphan clean-up, warm pools, reaper). Extensions:
`app.extensions["atlas_config"]`, `["atlas_sessions"]` (SessionManager), `["atlas_checks"]`,
`["atlas_gateway"]` (GatewayManager or absent).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from atlas.errors import AtlasError
from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from sandbox import api, httphardening, site, terminal
from sandbox.checks import load_checks
from sandbox.config import ROOT, Config, load_config
from sandbox.containers import docker_client
from sandbox.errors import ServiceError, to_response
from sandbox.sessions import SessionManager
from sandbox.sessionstore import InstanceIdentity

log = logging.getLogger("sandbox")


def _make_gateway(client: Any, config: Config) -> Any:
    """The Docker API gateway for `gateway: true` profiles; a failure stops the start (never hidden)."""
    needing = ", ".join(sorted(p.name for p in config.profiles.values() if p.gateway))
    try:
        from sandbox.gateway import GatewayManager
    except ImportError as exc:
        msg = f"profile(s) {needing} need sandbox.gateway, which cannot be imported: {exc}"
        raise AtlasError(msg) from exc
    try:
        state_dir = config.gateway.state_dir or str(config.state_path / "gateway")
        settings = replace(config.gateway, instance=config.instance_id, state_dir=state_dir)
        return GatewayManager(client, settings, config.limits)
    except Exception as exc:  # noqa: BLE001 - any cause stops the start, named (the traceback is chained)
        raise AtlasError(
            f"the Docker API gateway could not start ({type(exc).__name__}: {exc}); "
            f"profile(s) {needing} need it. "
            "Fix the gateway: section of the configuration, or set gateway: false on those profiles."
        ) from exc


def _map_errors(app: Flask) -> None:
    """The one place where errors become HTTP answers: JSON `{"error", "field"}` for the API."""

    app.register_error_handler(ServiceError, to_response)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if request.path.startswith("/api/") or request.path in {"/healthz", "/metrics"}:
            resp = jsonify({"error": exc.description, "field": None})
            resp.status_code = exc.code or 500
            return resp
        if exc.code == 404:
            return site.not_found_page()
        return exc

    @app.errorhandler(Exception)
    def _crash(exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return jsonify({"error": "Internal error in the sandbox service.", "field": None}), 500


def create_app(
    config: Config | dict | str | Path | None = None,
    *,
    site_dir: str | Path | None = None,
    start: bool = True,
    gateway: Any = None,
) -> Flask:
    """Build the app. `config`: a Config, overrides (dict), a config file path, or None for the defaults."""
    if isinstance(config, Config):
        cfg = config
    elif isinstance(config, dict):
        cfg = load_config(None, overrides=config)
    else:
        cfg = load_config(config)
    app = Flask(__name__, static_folder=None)
    app.config["ATLAS_SITE_DIR"] = str(Path(site_dir) if site_dir else ROOT / "site")
    app.config["SOCK_SERVER_OPTIONS"] = {"max_message_size": terminal.MAX_INPUT, "ping_interval": 25}
    app.extensions["atlas_config"] = cfg
    app.extensions["atlas_checks"] = load_checks(cfg.docs_path)

    identity = InstanceIdentity(cfg.state_path, cfg.instance_id)  # stable across restarts (adoption)
    cfg.instance_id = identity.id
    client = docker_client(cfg.docker_timeout)
    if gateway is None and any(p.gateway for p in cfg.profiles.values()):
        gateway = _make_gateway(client, cfg)
    manager = SessionManager(client, cfg, gateway=gateway, identity=identity)
    if gateway is not None:
        app.extensions["atlas_gateway"] = gateway
    app.extensions["atlas_sessions"] = manager

    app.register_blueprint(api.bp)
    app.register_blueprint(terminal.bp)
    if gateway is not None:  # /preview/<session>/<port>/ opens a port a docker sandbox published
        from sandbox.gateway.preview import create_preview_blueprint

        app.register_blueprint(create_preview_blueprint())
    app.register_blueprint(site.bp)

    httphardening.install(app)  # API body limit and safe headers, before any other request hook
    _map_errors(app)
    if start:
        manager.start()
    return app
