"""The gateway's one mapping from exceptions to Docker-style answers, and the rules for learner names."""

from __future__ import annotations

import logging
import socket
import threading

import docker
import docker.errors
import pytest
import requests

from sandbox.config import gateway_settings
from sandbox.errors import BadRequest, Forbidden, NotFoundError, ServiceError
from sandbox.gateway import errors
from sandbox.gateway.errors import FAILED, PREFIX, Denied, GatewayError, HttpError, Malformed, NoSuchObject
from sandbox.gateway.handlers import Handlers
from sandbox.gateway.objects import ObjectHandlers
from sandbox.gateway.request import Request
from sandbox.gateway.session import Session, id_prefix, reserved


def engine_error(cls, status: int, explanation: str):
    """A docker-py error as docker-py raises it for an engine answer `status` with `explanation`."""
    response = requests.Response()
    response.status_code = status
    return cls(f"{status} Client Error for http+docker://localhost/v1.41/x", response, explanation)


def test_one_hierarchy_under_the_service_error():
    for exc in (Denied("x"), NoSuchObject("x"), HttpError(400, "x"), Malformed("query parameter x", "bad")):
        assert isinstance(exc, GatewayError) and isinstance(exc, ServiceError)
    assert isinstance(Denied("x"), Forbidden) and isinstance(NoSuchObject("x"), NotFoundError)
    assert isinstance(Malformed("x", "y"), BadRequest) and Malformed("x", "y").field == "x"
    assert not issubclass(NoSuchObject, docker.errors.NotFound)


@pytest.mark.parametrize(
    ("exc", "status", "message"),
    [
        (
            Denied("privileged containers are not allowed"),
            403,
            PREFIX + "privileged containers are not allowed",
        ),
        (NoSuchObject("No such container: web"), 404, "No such container: web"),
        (HttpError(413, "the body is too large"), 413, "the body is too large"),
        (Forbidden("the service refuses", field="x"), 403, "the service refuses"),
        (
            Malformed("query parameter repo", "the new image name is missing"),
            400,
            "query parameter repo: the new image name is missing",
        ),
    ],
)
def test_gateway_errors_answer_their_status_and_message(exc, status, message):
    assert errors.answer(exc) == (status, {"message": message})


def test_engine_errors_keep_the_engine_status_and_message_scrubbed():
    exc = engine_error(
        docker.errors.APIError, 409, 'Conflict. The container name "/atlas-s1.web" is already in use'
    )
    status, body = errors.answer(exc, lambda text: text.replace("atlas-s1.", ""))
    assert status == 409 and body == {"message": 'Conflict. The container name "/web" is already in use'}
    status, body = errors.answer(engine_error(docker.errors.NotFound, 404, "No such image: x:latest"))
    assert (status, body) == (404, {"message": "No such image: x:latest"})
    assert "http+docker" not in body["message"]


@pytest.mark.parametrize(
    "exc",
    [
        KeyError("Config"),
        ValueError("secret internals /srv/state/sess"),
        requests.exceptions.ConnectionError("socket /var/run/docker.sock"),
        docker.errors.DockerException("engine gone"),
    ],
)
def test_unexpected_exceptions_are_logged_never_shown(exc, caplog):
    with caplog.at_level(logging.ERROR, logger="sandbox.gateway.errors"):
        status, body = errors.answer(exc)
    assert (status, body) == (500, {"message": FAILED})
    assert str(exc) not in body["message"]
    assert any(rec.exc_info and rec.exc_info[1] is exc for rec in caplog.records), "the traceback is logged"


@pytest.fixture
def broken_engine(tmp_path):
    """A unix socket that answers every request with a 200 whose JSON body is broken."""
    path = str(tmp_path / "engine.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(4)

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n"
                    b"Connection: close\r\n\r\n{broken"
                )

    threading.Thread(target=serve, daemon=True).start()
    yield path
    server.close()


def test_dispatch_answers_a_failing_handler_with_the_mapping(tmp_path, broken_engine):
    """A handler fails on what the engine sent: a 500 with the fixed message, not the exception's text."""
    api = docker.APIClient(base_url=f"unix://{broken_engine}", version="1.41", timeout=5)
    settings, limits = gateway_settings()
    handlers = Handlers(api, None, settings, limits)
    sess = Session(id="s1", instance="", dir=tmp_path, network="atlas-s1", network_id="")
    try:
        reply = handlers.dispatch(Request("GET", "/networks/anet", "1.41", [], {}, b"", {}), sess)
        assert (reply.status, reply.obj) == (500, {"message": FAILED})
        req = Request("GET", "/networks/atlas-s2.anet", "1.41", [], {}, b"", {})
        reply = handlers.dispatch(req, sess)  # a reserved name is missing without asking the engine
        assert (reply.status, reply.obj) == (404, {"message": "network atlas-s2.anet not found"})
    finally:
        api.close()


@pytest.mark.parametrize(
    "name",
    [
        "atlas-abc.db",
        "/atlas-abc.db",
        "ATLAS-abc.db",
        "Atlas-X1.img",
        "localhost:5000/atlas-x.y",
        "a/atlas-.b",
    ],
)
def test_engine_like_names_are_reserved(name):
    assert reserved(name)
    with pytest.raises(Denied, match="reserved"):
        Session(id="s1", instance="", dir=None).inner(name)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["db", "web-1", "atlas", "atlas-db", "my.atlas", "localhost:5000/mine"])
def test_ordinary_names_are_not(name):
    assert not reserved(name)
    assert Session(id="s1", instance="", dir=None).inner(name) == "atlas-s1." + name  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("ref", "hexid"),
    [("abc123", "abc123"), ("sha256:abc", "abc"), ("ABC", ""), ("sha256:", ""), ("web", ""), ("a" * 65, "")],
)
def test_id_prefix(ref, hexid):
    assert id_prefix(ref) == hexid


@pytest.mark.parametrize(
    ("prefix", "found"),
    [("ab", ""), ("abc", "sha256:abc1"), ("abd", "abd2"), ("f", ""), ("", "")],
)
def test_an_id_prefix_resolves_only_when_unique(prefix, found):
    """Among the session's own IDs: one match resolves, several (ambiguous) or none are missing."""
    ids = ["sha256:abc1", "abd2", "abd2"]
    assert ObjectHandlers._unique(prefix, ids) == (found if prefix else "")
