"""The service's one error hierarchy and its one mapping to HTTP (Flask app, no engine needed)."""

from __future__ import annotations

import docker.errors
import pytest
from atlas.errors import AtlasError

from sandbox import errors, sessions
from sandbox.app import create_app


@pytest.fixture(autouse=True)
def own_state_dir(tmp_path, monkeypatch):
    """Each app gets its own state folder: never the machine's, and never an instance lock that an
    earlier test's app (same process, never stopped) still holds (InstanceIdentity would wait 15 s)."""
    monkeypatch.setenv("ATLAS_STATE_DIR", str(tmp_path / "state"))


@pytest.fixture
def app(tmp_path):
    return create_app({"docs_dir": str(tmp_path / "docs")}, site_dir=tmp_path, start=False)


def _raise(exc: Exception):
    def view():
        raise exc

    return view


@pytest.mark.parametrize(
    ("exc", "status", "headers"),
    [
        (errors.BadRequest("profile must be a string.", field="profile"), 400, {}),
        (errors.Unauthorized("A session token is required.", field="token"), 401, {}),
        (errors.Forbidden("Wrong token for this session.", field="token"), 403, {}),
        (errors.NotFoundError("No such session.", field="id"), 404, {}),
        (errors.TooManyRequests("Too many sandboxes.", retry_after=30), 429, {"Retry-After": "30"}),
        (errors.Unavailable("The sandbox is full.", retry_after=7), 503, {"Retry-After": "7"}),
        (errors.ServiceError("teapot", status=418), 418, {}),
    ],
)
def test_every_service_error_becomes_its_json_answer(app, exc, status, headers):
    app.add_url_rule("/api/boom", "boom", _raise(exc))
    r = app.test_client().get("/api/boom")
    assert r.status_code == status
    assert r.get_json() == {"error": exc.message, "field": exc.field, **exc.extra}
    for name, value in headers.items():
        assert r.headers[name] == value
    assert isinstance(exc, AtlasError)


def test_unexpected_exception_is_a_500_without_its_text(app):
    app.add_url_rule("/api/crash", "crash", _raise(RuntimeError("secret internals /etc/x")))
    r = app.test_client().get("/api/crash")
    assert r.status_code == 500 and "secret" not in r.get_data(as_text=True)


def test_no_service_module_shadows_the_docker_sdk_not_found():
    assert sessions.docker.errors.NotFound is docker.errors.NotFound
    assert not hasattr(sessions, "NotFound") and not hasattr(sessions, "ApiError")


def test_a_gateway_that_cannot_start_stops_the_service(tmp_path):
    """Profiles with `gateway: true` need the gateway: its failure is an error naming them, not a warning."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    config = {"docs_dir": str(tmp_path / "docs"), "gateway": {"state_dir": str(blocker / "gateway")}}
    with pytest.raises(AtlasError, match=r"gateway could not start .*profile\(s\) docker need it"):
        create_app(config, site_dir=tmp_path, start=False)
