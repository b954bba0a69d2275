"""Attacks on the layer below the JSON policy: how the gateway reads and routes a request, as a hostile
learner with curl, python or nc on the session socket would send it (raw bytes, one real gateway and the
real engine). Each attack is answered as stated and leaves the engine as it was; the session keeps
working afterwards. Parser-only spellings are in tests/unit/test_gateway_http_attacks.py."""

from __future__ import annotations

import io
import json
import secrets
import socket
import struct
import tarfile
import time
from urllib.parse import quote

import pytest
from gateway_harness import leftovers, make_manager, session_containers

from sandbox.gateway.httpio import Buffered, Closed, read_body, read_headers
from sandbox.gateway.policy import LABEL_SESSION

pytestmark = [pytest.mark.docker]


@pytest.fixture(scope="module")
def gw(docker_client, tmp_path_factory):
    """One open session (no sandbox container: its socket is what curl in the sandbox reaches), with a
    running busybox container `busy` made through the gateway; (session id, socket path, busy's id,
    the manager)."""
    manager = make_manager(docker_client, tmp_path_factory)
    sid = "h" + secrets.token_hex(5)
    manager.open(sid)
    path = str(manager.state_dir / sid / "docker.sock")
    body = json.dumps({"Image": "busybox", "Cmd": ["sh", "-c", "echo up; exec sleep 300"]}).encode()
    (status, created), *_ = answers(path, post("/v1.41/containers/create?name=busy", body))
    assert status == 201, created
    cid = json.loads(created)["Id"]
    assert answers(path, post(f"/v1.41/containers/{cid}/start", b""))[0][0] == 204
    try:
        yield sid, path, cid, manager
    finally:
        manager.close(sid)
        manager.shutdown()
        assert leftovers(docker_client, sid) == []


def post(target: str, body: bytes, extra: str = "") -> bytes:
    """A POST with a JSON body (Content-Length)."""
    return (
        f"POST {target} HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\n{extra}"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def get(target: str, extra: str = "") -> bytes:
    return f"GET {target} HTTP/1.1\r\nHost: docker\r\n{extra}\r\n".encode()


def read_answer(buf: Buffered, deadline: float) -> tuple[int, bytes]:
    """One HTTP answer from `buf`: (status, body)."""
    start, headers = read_headers(buf, 1 << 20, deadline)
    status = int(start.split(" ")[1])
    if status in (101, 204, 304):
        return status, b""
    if "content-length" in headers or "transfer-encoding" in headers:
        return status, read_body(buf, headers, 64 << 20, deadline)
    while buf.fill(deadline):  # until the gateway closes
        pass
    return status, buf.take()


def answers(path: str, raw: bytes, count: int = 1, timeout: float = 30) -> list[tuple[int, bytes]]:
    """Send `raw` in one write on a new connection; up to `count` answers (fewer when it closes)."""
    out: list[tuple[int, bytes]] = []
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(path)
        try:
            s.sendall(raw)
        except BrokenPipeError:  # answered and closed before the whole request was read: the answer
            pass  # is still there to read
        buf, deadline = Buffered(s), time.monotonic() + timeout
        for _ in range(count):
            try:
                out.append(read_answer(buf, deadline))
            except Closed:
                break
    return out


def message(body: bytes) -> str:
    try:
        return json.loads(body).get("message", "")
    except (ValueError, AttributeError):
        return body.decode("latin-1")[:200]


PAD = 3 * 2**19  # 1.5 MiB of JSON whitespace: over the gateway's 1 MiB body limit
BIG_CREATE = b'{"Image": "busybox", "Cmd": ["true"]' + b" " * PAD + b"}"


def chunked(size_lines: list[bytes], data: bytes) -> bytes:
    """A chunked POST /containers/create?name=smuggled: the given size lines first, then `data`."""
    head = b"POST /v1.41/containers/create?name=smuggled HTTP/1.1\r\nHost: docker\r\n"
    head += b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    return head + b"".join(size_lines) + b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data)


def test_chunk_sizes_cannot_lift_the_body_limit(docker_client, gw):
    """A negative chunk size shrank the gateway's running total: a 1.5 MiB create passed the 1 MiB
    limit (the same trick lifts the build-context limit, on the gateway's disk). `0x`, `+`, `_` are
    other spellings int(x, 16) reads. Each is a 400 now and nothing is created."""
    sid, path, *_ = gw
    before = len(session_containers(docker_client, sid))
    attacks = {
        "negative": chunked([b"-200000\r\n\r\n"], BIG_CREATE),
        "0x": chunked([], b'{"Image":"busy"}').replace(b"\r\n10\r\n", b"\r\n0x10\r\n"),
        "plus": chunked([], b'{"Image":"busy"}').replace(b"\r\n10\r\n", b"\r\n+10\r\n"),
    }
    got = {name: answers(path, raw)[0] for name, raw in attacks.items()}
    with socket.socket(socket.AF_UNIX) as s:  # over the limit: read to its end, then answered (no EPIPE)
        s.connect(path)
        s.sendall(chunked([], BIG_CREATE))
        got["plain, over the limit"] = read_answer(Buffered(s), time.monotonic() + 30)
    for name in ("negative", "0x", "plus"):
        status, body = got[name]
        assert status == 400 and "bad chunk size" in message(body), (name, status, body[:200])
    assert got["plain, over the limit"][0] == 413
    assert len(session_containers(docker_client, sid)) == before


def test_bytes_sent_ahead_of_a_streaming_answer_close_the_connection(gw):
    """While `events` or `logs -f` stream, a client writing 64 MiB was buffered whole in the gateway
    (shared by every session); it is closed after a few MiB now, and the session works on."""
    _, path, cid, _ = gw
    for target in ("/v1.41/events", f"/v1.41/containers/{cid}/logs?follow=1&stdout=1"):
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(path)
            s.settimeout(20)
            s.sendall(get(target))
            start, _ = read_headers(Buffered(s), 1 << 20, time.monotonic() + 20)
            assert start.startswith("HTTP/1.1 200"), (target, start)
            sent = 0
            try:
                while sent < 64 * 2**20:
                    s.sendall(b"x" * 2**20)
                    sent += 2**20
            except OSError:
                pass
            assert sent <= 8 * 2**20, f"{target}: the gateway took in {sent >> 20} MiB ahead"
    assert answers(path, get("/v1.41/_ping"))[0] == (200, b"OK")


def demux(raw: bytes) -> bytes:
    """The payload of a multiplexed (non-tty) attach stream."""
    out, i = b"", 0
    while i + 8 <= len(raw):
        (size,) = struct.unpack(">I", raw[i + 4 : i + 8])
        out += raw[i + 8 : i + 8 + size]
        i += 8 + size
    return out


def test_a_request_sent_after_a_hijack_is_stdin_not_a_request(docker_client, gw):
    """`exec start` with `Upgrade: tcp` and, in the same write, a second HTTP request (a create): the
    second request reaches the exec's stdin (`cat` echoes it), never the engine as a request."""
    sid, path, cid, _ = gw
    before = len(session_containers(docker_client, sid))
    exec_body = json.dumps({"AttachStdin": True, "AttachStdout": True, "Cmd": ["cat"]}).encode()
    (status, made), *_ = answers(path, post(f"/v1.41/containers/{cid}/exec", exec_body))
    assert status == 201, made
    eid = json.loads(made)["Id"]
    smuggled = post("/v1.41/containers/create?name=hijacked", b'{"Image":"busybox"}')
    start = post(
        f"/v1.41/exec/{eid}/start", b'{"Detach":false,"Tty":false}', "Connection: Upgrade\r\nUpgrade: tcp\r\n"
    )
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(path)
        s.settimeout(20)
        s.sendall(start + smuggled)
        buf = Buffered(s)
        head, _ = read_headers(buf, 1 << 20, time.monotonic() + 20)
        assert head.startswith("HTTP/1.1 101"), head
        deadline = time.monotonic() + 20
        while smuggled not in demux(bytes(buf.buf)) and buf.fill(deadline):
            pass
        echoed = demux(buf.take())
    assert smuggled in echoed, echoed[:300]
    assert len(session_containers(docker_client, sid)) == before
    assert not any("hijacked" in n for c in session_containers(docker_client, sid) for n in c["Names"])


def test_pipelined_and_upgrade_requests_keep_their_boundaries(docker_client, gw):
    """Three requests in one write (a create with its body, a list asking to upgrade, a ping): three
    answers in order, the list a plain JSON answer (no upgrade), the create's container in it."""
    sid, path, *_ = gw
    raw = (
        post("/v1.41/containers/create?name=piped", b'{"Image":"busybox","Cmd":["true"]}')
        + get("/v1.41/containers/json?all=1", "Connection: Upgrade\r\nUpgrade: tcp\r\n")
        + get("/v1.41/_ping")
    )
    got = answers(path, raw, count=3)
    assert [status for status, _ in got] == [201, 200, 200], got
    names = [n for c in json.loads(got[1][1]) for n in c["Names"]]
    assert "/piped" in names and got[2][1] == b"OK", (names, got[2])
    piped = json.loads(got[0][1])["Id"]
    assert answers(path, f"DELETE /v1.41/containers/{piped} HTTP/1.1\r\n\r\n".encode())[0][0] == 204


# (request bytes, status, a fragment of the answer's message): each on its own connection.
SPELLINGS = [
    (get("/v1.41/containers/json%0A"), 400, "bad request path"),  # a route's `$` matched before \n
    (get("/v1.41/containers/x%09y/json"), 400, "bad request path"),
    (get("/v%D9%A1.%D9%A4%D9%A1/containers/json"), 400, "API version"),  # Arabic-Indic 1.41
    (post("/v1.41/containers/create", b"{}").replace(b"Length: 2", b"Length: \xb2"), 400, "Content-Length"),
    (get("http://docker/v1.41/containers/json"), 400, "bad request target"),
    (get("//docker/v1.41/containers/json"), 400, "bad request target"),
    (get("/v1.41/containers/%2e%2e/%2e%2e/info"), 400, "bad request path"),
    (b"get /v1.41/containers/json HTTP/1.1\r\n\r\n", 403, "is not available"),
    (get("/v1.41/Containers/json"), 403, "is not available"),
    (get("/v1.41/containers/json/"), 403, "is not available"),
    (get("/v1.41/containers/json;x=1"), 403, "is not available"),
    (get("/v1/containers/json"), 403, "is not available"),
    (get("/v1.29/containers/json"), 403, "too old"),
    (get("/v1.99/containers/json"), 400, "too new"),  # the engine's error, not the gateway's 500
    (get('/v1.41/containers/json?filters={"status":["bogus"]}'), 400, "Invalid filter"),
    (get("/v1.41/containers/%252e%252e/json"), 404, "No such container"),
    (get("/v1.41/containers/json", "X-A: 1\r\n folded\r\n"), 400, "malformed header"),
    (get("/v1.41/containers/json", "X-A: 1\x00\r\n"), 400, "malformed header"),
    (get("/v1.41/info", "Transfer-Encoding: chunked, identity\r\n"), 400, "Transfer-Encoding"),
    (
        post("/v1.41/containers/create", b"{}").replace(
            b"Content-Length: 2", b"Content-Length: 2\r\nTransfer-Encoding: chunked"
        ),
        400,
        "both",
    ),
    (b"GET  /v1.41/_ping HTTP/1.1\r\n\r\n", 400, "malformed request line"),
    (
        post("/v1.41/session", b"", "Connection: Upgrade\r\nUpgrade: h2c\r\n"),
        403,
        "BuildKit is not available",
    ),
    (post("/v1.41/grpc", b"", "Connection: Upgrade\r\nUpgrade: h2c\r\n"), 403, "BuildKit is not available"),
    (get("/v1.41/distribution/busybox/json"), 403, "is not available"),
    (get("/v1.41/plugins"), 403, "is not available"),
    (post("/v1.41/plugins/pull?remote=x", b"[]"), 403, "is not available"),
    (get("/v1.41/nodes"), 403, "is not available"),
    (post("/v1.41/services/create", b"{}"), 403, "is not available"),
    (get("/v1.41/secrets"), 403, "is not available"),
    (get("/v1.41/configs/x"), 404, "No such object"),
]


def test_request_spellings(docker_client, gw):
    """Every spelling of SPELLINGS gets its answer; nothing is created; the session works on."""
    sid, path, *_ = gw
    before = len(session_containers(docker_client, sid))
    wrong = []
    for raw, status, fragment in SPELLINGS:
        got = answers(path, raw)
        if not got or got[0][0] != status or fragment not in message(got[0][1]):
            wrong.append(
                (raw[:70], status, fragment, got[0][0] if got else None, got[0][1][:150] if got else b"")
            )
    assert wrong == []
    assert len(session_containers(docker_client, sid)) == before
    assert answers(path, b"GET /v1.41/_ping HTTP/1.0\r\n\r\n")[0] == (200, b"OK")


def test_expect_100_continue(gw):
    """curl sends `Expect: 100-continue` before a large body and waits a second for the go-ahead: the
    gateway gives it at once, reads the body, then answers (here the policy's refusal of the body); a
    request refused from its head alone is answered at once, without waiting for a body."""
    _, path, *_ = gw
    body = b'{"Image":"busybox","HostConfig":{"Privileged":true}}'
    head = post("/v1.41/containers/create", body, "Expect: 100-continue\r\n")[: -len(body)]
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(path)
        s.sendall(head)
        buf = Buffered(s)
        start, _ = read_headers(buf, 1 << 20, time.monotonic() + 0.8)  # TimeoutError: no go-ahead
        assert start.startswith("HTTP/1.1 100 "), start
        s.sendall(body)
        status, answer = read_answer(buf, time.monotonic() + 20)
        assert status == 403 and "privileged containers" in message(answer), (status, answer)
    refused = (
        b"POST /v1.41/containers/x/update HTTP/1.1\r\nContent-Length: 30\r\nExpect: 100-continue\r\n\r\n"
    )
    started = time.monotonic()
    status, answer = answers(path, refused, timeout=5)[0]
    assert status == 403 and "docker update is not available" in message(answer)
    assert time.monotonic() - started < 1, "the refusal waited for a body the client will not send"


def test_lists_and_prunes_filtered_by_another_sessions_labels(docker_client, gw):
    """Session V has a stopped container, an unused volume and network (all prunable). From this
    session, lists, prunes and df asked with V's session label, V's IDs and names, or `label!` of its
    own label show and remove nothing of V."""
    sid, path, _, manager = gw
    victim = "v" + secrets.token_hex(5)
    manager.open(victim)
    vpath = str(manager.state_dir / victim / "docker.sock")
    made = answers(vpath, post("/v1.41/containers/create?name=prey", b'{"Image":"busybox","Cmd":["true"]}'))
    made += answers(vpath, post("/v1.41/volumes/create", b'{"Name":"prey"}'))
    made += answers(vpath, post("/v1.41/networks/create", b'{"Name":"prey"}'))
    assert [st for st, _ in made] == [201, 201, 201], made
    vcid = json.loads(made[0][1])["Id"]

    def victim_objects() -> list[str]:
        flt = {"label": [f"{LABEL_SESSION}={victim}"]}
        api = docker_client.api
        return sorted(
            [c["Id"] for c in api.containers(all=True, filters=flt)]
            + [v["Name"] for v in api.volumes(filters=flt).get("Volumes") or []]
            + [n["Name"] for n in api.networks(filters=flt)]
        )

    before = victim_objects()
    assert vcid in before and len(before) >= 4, before  # with V's default network
    spellings = [
        {"label": [f"{LABEL_SESSION}={victim}"]},
        {"label": {f"{LABEL_SESSION}={victim}": True}},
        {"label!": [f"{LABEL_SESSION}={sid}"]},
        {"id": [vcid]},
        {"name": [f"atlas-{victim}.prey", "prey"]},
    ]
    lists = ("/v1.41/containers/json?all=1&filters=", "/v1.41/volumes?filters=", "/v1.41/networks?filters=")
    prunes = (
        "/v1.41/containers/prune?filters=",
        "/v1.41/volumes/prune?filters=",
        "/v1.41/networks/prune?filters=",
    )
    raw = b""
    for flt in spellings:
        q = quote(json.dumps(flt))
        raw += b"".join(get(target + q) for target in lists)
        raw += b"".join(post(target + q, b"") for target in prunes)
    raw += get("/v1.41/system/df")
    got = answers(path, raw, count=len(spellings) * 6 + 1)
    assert len(got) == len(spellings) * 6 + 1, got
    bad = [(i, st, body[:200]) for i, (st, body) in enumerate(got) if st != 200]
    assert all(st == 400 and b"Invalid filter" in body for _, st, body in bad), bad  # e.g. label! on lists
    seen = [part for _, body in got for part in (vcid[:12], victim, "prey") if part.encode() in body]
    assert seen == [], seen
    assert victim_objects() == before
    manager.close(victim)


def test_a_dockerfile_variable_bomb_is_refused_by_the_gateway(docker_client, gw):
    """A 1 KB Dockerfile whose ENV lines each repeat the last value tenfold (12 such lines: 10^15 bytes)
    filled the gateway's memory as it expanded them; refused naming the line (here 5 such lines,
    100 MB, should the limit ever go), at once, and the session works on."""
    _, path, *_ = gw
    bomb = "FROM busybox\nENV A=" + "x" * 1000 + "\n" + ("ENV A=" + "$A" * 10 + "\n") * 5 + "LABEL a=$A\n"
    data = bomb.encode()
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w") as tf:
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    body = tar.getvalue()
    head = (
        "POST /v1.41/build?t=bomb HTTP/1.1\r\nContent-Type: application/x-tar\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    started = time.monotonic()
    status, answer = answers(path, head.encode() + body, timeout=20)[0]
    assert time.monotonic() - started < 5
    assert "(Dockerfile line 6)" in answer.decode() and "variables expand to more than" in answer.decode(), (
        status,
        answer[:300],
    )
    assert answers(path, get("/v1.41/_ping"))[0] == (200, b"OK")
