"""Query strings and bodies the engine receives: allow-listed, typed, rebuilt (policy/query.py, bodies.py)."""

from __future__ import annotations

import json

import pytest

from sandbox.gateway.errors import Malformed
from sandbox.gateway.policy import ROUTES, bodies, match, query
from sandbox.gateway.request import Request


@pytest.mark.parametrize(
    ("method", "path", "q", "field", "problem"),
    [
        ("POST", "/containers/create", [("Name", "x")], "query parameter Name", "not accepted by"),
        (
            "POST",
            "/containers/create",
            [("name", "a"), ("name", "b")],
            "query parameter name",
            "more than once",
        ),
        (
            "POST",
            "/images/busybox/tag",
            [("repo", "a"), ("repo", "b")],
            "query parameter repo",
            "more than once",
        ),
        ("GET", "/containers/json", [("limit", "1e3")], "query parameter limit", "expected an integer"),
        ("GET", "/containers/json", [("limit", "5_0")], "query parameter limit", "expected an integer"),
        (
            "GET",
            "/containers/json",
            [("filters", '{"a":1}')],
            "query parameter filters.a",
            "expected an array",
        ),
        (
            "GET",
            "/containers/json",
            [("filters", '{"a":[],"a":[]}')],
            "query parameter filters.a",
            "given twice",
        ),
        ("GET", "/containers/json", [("filters", "[1]")], "query parameter filters", "a JSON object"),
        ("POST", "/containers/x/wait", [("condition", "always")], "query parameter condition", "one of"),
        ("POST", "/commit", [("container", "a\nb")], "query parameter container", "control characters"),
        ("GET", "/_ping", [("x", "1")], "query parameter x", "accepted: none"),
        ("POST", "/containers/x/kill", [("signal", "KILL"), ("t", "1")], "query parameter t", "not accepted"),
    ],
)
def test_refused_parameters_are_named(method, path, q, field, problem):
    with pytest.raises(Malformed) as err:
        query.rebuild(method, path, q)
    assert err.value.status == 400
    assert err.value.message.startswith(f"{field}: ") and problem in err.value.message, err.value.message


def test_values_are_typed_and_rebuilt():
    got = query.rebuild(
        "GET",
        "/containers/json",
        [
            ("all", "True"),
            ("size", "no"),
            ("limit", "+7"),
            ("filters", '{"name":["web"]}'),
            ("trunc_cmd", "0"),
        ],
    )
    assert got == [("all", "1"), ("size", "0"), ("limit", "7"), ("filters", '{"name": {"web": true}}')]
    assert query.rebuild("GET", "/containers/x/logs", [("tail", "all"), ("follow", "1")]) == [
        ("tail", "all"),
        ("follow", "1"),
    ]
    assert query.rebuild("GET", "/images/get", [("names", "a"), ("names", "b")]) == [
        ("names", "a"),
        ("names", "b"),
    ]
    build = [("t", "x"), ("anything", "S1 checks it")]
    assert query.rebuild("POST", "/build", build) == build


def test_every_route_has_a_query_spec():
    """A route without an entry would accept no parameter at all: each allowed endpoint is declared."""
    samples = {"{c}": "c1", "{i}": "busybox", "{n}": "n1", "{v}": "v1", "{e}": "e1"}
    for route in ROUTES:
        path = route.pattern
        for k, v in samples.items():
            path = path.replace(k, v)
        path = path.split("(")[0] + (path.split("(")[1].split("|")[0] if "(" in path else "")
        for method in route.methods.split():
            assert match(method, path)[0] == route, path
            spec = query.spec_for(method, path)
            declared = any(method in m and rx.fullmatch(path) for m, rx, _ in query._COMPILED)
            assert declared or spec is None, f"{method} {path} has no query spec"


def _req(method: str, path: str, body: bytes, ctype: str) -> Request:
    return Request(method, path, "1.41", [], {"content-type": ctype}, body)


def test_form_bodies_never_reach_the_engine():
    """The engine reads r.Form, where a urlencoded body overrides the query (repo= on tag)."""
    route, _ = match("POST", "/images/busybox/tag")
    req = _req(
        "POST", "/images/busybox/tag", b"repo=atlas-other.img&tag=latest", "application/x-www-form-urlencoded"
    )
    bodies.seal(route, req, req.body)
    assert req.body == b"" and "content-type" not in req.headers


def test_json_bodies_must_be_rebuilt():
    route, _ = match("POST", "/containers/create")
    raw = b'{"Image":"busybox"}'
    req = _req("POST", "/containers/create", raw, "application/x-www-form-urlencoded")
    with pytest.raises(RuntimeError, match="did not rebuild"):
        bodies.seal(route, req, raw)
    req.body = json.dumps({"Image": "busybox"}).encode()
    bodies.seal(route, req, raw)
    assert req.headers["content-type"] == "application/json"
    route, _ = match("PUT", "/containers/c1/archive")
    req = _req("PUT", "/containers/c1/archive", b"tar", "application/x-www-form-urlencoded")
    bodies.seal(route, req, req.body)
    assert req.headers["content-type"] == "application/x-tar" and req.body == b"tar"


def test_any_value_of_any_parameter_is_a_clear_answer():
    """Every declared parameter of every endpoint with odd values: typed and kept, or a 400 naming it."""
    odd = ["", "x", "-1", "1e3", "{", "[]", '{"a":["b"]}', "\x00", "é" * 300, "true", "none"]
    seen = 0
    for methods, rx, spec in query._COMPILED:
        path = rx.pattern.replace("[^/]+", "x1").replace(".+", "busybox").split("|")[0]
        path = path.replace("(", "").replace(")", "")
        for name in spec:
            for value in odd:
                try:
                    out = query.rebuild(methods[0], path, [(name, value)])
                except Malformed as exc:
                    assert exc.message.startswith(f"query parameter {name}"), exc.message
                else:
                    assert all(k == name for k, _ in out)
                seen += 1
    assert seen > 500
