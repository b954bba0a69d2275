"""The HTTP API: sessions, verify, health and metrics. Every error is JSON `{"error", "field"}`."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from sandbox.checks import run_check
from sandbox.clientaddr import client_key
from sandbox.errors import BadRequest, NotFoundError, TooManyRequests
from sandbox.metrics import render
from sandbox.sessions import SessionManager
from sandbox.terminal import _token

bp = Blueprint("api", __name__)


def _manager() -> SessionManager:
    return current_app.extensions["atlas_sessions"]


def _json_body() -> dict:
    if not request.data:
        return {}
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.", field="body")
    return body


@bp.post("/api/sessions")
def create_session():
    """Create a session: `{"profile": "shell"}` -> 201 `{"id","token","profile","expires_at"}`."""
    body = _json_body()
    manager = _manager()
    profile = body.get("profile", manager.config.default_profile)
    if not isinstance(profile, str):
        raise BadRequest("profile must be a string.", field="profile")
    s = manager.create(profile, client_key(request.remote_addr))
    return jsonify(s.public(with_token=True)), 201


@bp.get("/api/sessions/<sid>")
def get_session(sid: str):
    """The session's public state (token required)."""
    return jsonify(_manager().get(sid, _token()).public())


@bp.delete("/api/sessions/<sid>")
def delete_session(sid: str):
    """End the session and remove its sandbox."""
    manager = _manager()
    manager.end(manager.get(sid, _token()), "deleted")
    return "", 204


@bp.post("/api/sessions/<sid>/verify")
def verify(sid: str):
    """Run a repository-defined check in the session: `{"check": "<tutorial>/<step>"}`."""
    manager = _manager()
    s = manager.get(sid, _token())
    body = _json_body()
    name = body.get("check")
    if not isinstance(name, str) or not name:
        raise BadRequest('Name the check to run, e.g. {"check": "first-container/run-httpd"}.', field="check")
    check = current_app.extensions["atlas_checks"].get(name)
    if check is None:
        raise NotFoundError(f"Unknown check '{name}'.", field="check")
    prof = manager.config.profiles[s.profile]
    with manager.lock:  # one check at a time per session: a learner cannot park the server's threads
        busy, s.checking = s.checking, True  # in checks they made hang (a FIFO, a sleeping command)
    if busy:
        raise TooManyRequests(
            "A check is already running in this sandbox; wait for its answer.", field="check", retry_after=1
        )
    try:
        result = run_check(manager.backend, s.container_id, check, prof.user, manager.config.verify_timeout)
    finally:
        s.checking = False
    manager.metrics.inc("atlas_sandbox_verify_total", result="ok" if result["ok"] else "fail")
    return jsonify(result)


@bp.get("/healthz")
def healthz():
    """Liveness and a summary: `{"ok": true, "sessions": N, "pool": {...}, "instance": "..."}`."""
    manager = _manager()
    try:
        manager.client.ping()
        engine = True
    except Exception:  # noqa: BLE001
        engine = False
    body = {
        "ok": engine and not manager.stopping.is_set(),
        "engine": engine,
        "instance": manager.instance_id,
        "sessions": len(manager.sessions),
        "max_sessions": manager.config.max_sessions,
        "pool": {name: manager.pool.size(name) for name in manager.config.profiles},
        "profiles": sorted(manager.config.profiles),
    }
    return jsonify(body), 200 if body["ok"] else 503


@bp.get("/metrics")
def metrics():
    """Prometheus text exposition."""
    manager = _manager()
    return Response(render(manager.metrics, manager.gauges()), mimetype="text/plain; version=0.0.4")
