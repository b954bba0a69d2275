"""Policy rules against hostile object options: how many anonymous volumes a container gets, how many
ports a session publishes (each a process on the host), which sandbox labels a pulled image may carry,
what the engine may unpack and copy for a build's ADD and COPY (outside any container), where a learner's
registry may redirect the engine (a real relay and a real HTTP server on the loopback)."""

from __future__ import annotations

import bz2
import http.client
import http.server
import io
import json
import lzma
import socket
import tarfile
import threading

import pytest

from sandbox.gateway.buildcontext import Bounds, check_upload, read_context
from sandbox.gateway.policy import Denied
from sandbox.gateway.policy.buildcontext import check_build_writes
from sandbox.gateway.policy.container_create import check_anonymous_volumes, parse
from sandbox.gateway.policy.labels import check_pulled_labels
from sandbox.gateway.policy.ports import MAX_PUBLISHED, check_port_count
from sandbox.gateway.registry_relay import RegistryRelay


def body(**fields) -> dict:
    """A create body decoded as the gateway decodes the learner's JSON."""
    return parse(json.dumps({"Image": "busybox", **fields}).encode())


PATHS = {f"/v{i}": {} for i in range(4)}


@pytest.mark.parametrize(
    ("fields", "image", "count"),
    [
        ({"Volumes": PATHS}, None, 4),  # -v /v0 -v /v1 ...
        ({}, PATHS, 4),  # the image's VOLUMEs
        ({"Volumes": {"/v0/": {}, "/v1": {}}}, {"/v0": {}, "/v2": {}}, 3),  # one path, two spellings
        ({"HostConfig": {"Mounts": [{"Type": "volume", "Target": f"/m{i}"} for i in range(4)]}}, None, 4),
        ({"HostConfig": {"Mounts": [{"Target": f"/m{i}"} for i in range(4)]}}, None, 4),  # Type defaults
    ],
)
def test_anonymous_volumes_over_the_limit_are_refused(fields, image, count):
    with pytest.raises(Denied, match=f"at most {count - 1} anonymous volumes per container \\({count} asked"):
        check_anonymous_volumes(body(**fields), image, count - 1)
    check_anonymous_volumes(body(**fields), image, count)


def test_volumes_covered_by_named_mounts_are_not_anonymous():
    hc = {
        "Binds": ["data:/v0", "more:/v1/:ro"],
        "Tmpfs": {"/v2": ""},
        "Mounts": [{"Type": "volume", "Source": "x", "Target": "/v3"}, {"Type": "tmpfs", "Target": "/v4"}],
    }
    image = {**PATHS, "/v4": {}}
    check_anonymous_volumes(body(HostConfig=hc), image, 0)
    with pytest.raises(Denied, match=r"\(1 asked"):
        check_anonymous_volumes(body(HostConfig=hc, Volumes={"/v5": {}}), image, 0)


def test_published_ports_are_counted_per_session():
    check_port_count(MAX_PUBLISHED)
    with pytest.raises(Denied, match=f"at most {MAX_PUBLISHED} published ports per sandbox"):
        check_port_count(MAX_PUBLISHED + 1)


@pytest.mark.parametrize(
    ("labels", "refused"),
    [
        ({"org.container-atlas.session": "other", "org.container-atlas.origin": "gateway"}, True),
        ({"org.container-atlas.lineage": "other", "org.container-atlas.lineage-base": "scratch"}, True),
        ({"org.container-atlas.session": "mine", "org.container-atlas.lineage": "mine"}, False),
        ({"org.container-atlas.build-hash": "ab12"}, False),  # every shared base image has it
        ({"Org.Container-Atlas.Session": "other"}, False),  # the gateway reads the exact key only
        (None, False),
    ],
)
def test_pulled_images_may_name_only_their_own_session(labels, refused):
    if refused:
        with pytest.raises(Denied, match="it names another sandbox"):
            check_pulled_labels(labels, "mine")
    else:
        check_pulled_labels(labels, "mine")


MiB = 2**20


def tar_bytes(*files: tuple[str, int]) -> bytes:
    """A plain tar of files of zero bytes: (name, size)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, size in files:
            info = tarfile.TarInfo(name)
            info.size = size
            tar.addfile(info, io.BytesIO(bytes(size)))
    return raw.getvalue()


def gz(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data)


def context(*files: tuple[str, bytes]):
    """A build context (read as the gateway reads uploads) with these files and a Dockerfile."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, data in (("Dockerfile", b"FROM busybox\n"), *files):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    raw.seek(0)
    return read_context(raw, "", Bounds(unpacked=MiB, entries=50))


NESTED = tar_bytes(("a", 300_000), ("b", 300_000))  # unpacks to 600,000 bytes


@pytest.mark.parametrize(
    "packed",
    [NESTED, gz(NESTED), bz2.compress(NESTED), lzma.compress(NESTED)],
    ids=["tar", "gz", "bz2", "xz"],
)
def test_archives_add_would_unpack_are_measured(packed):
    ctx = context(("one.tgz", packed), ("plain.txt", b"x" * 100), ("text.gz", gz(b"not a tar" * 1000)))
    files, unpacked = ctx.measure(archives=True)
    assert (files, unpacked) == (len(packed) + 100 + len(gz(b"not a tar" * 1000)), 600_000)
    assert ctx.measure(archives=False) == (files, 0)  # no ADD in the Dockerfile: nothing unpacks
    ctx.close()


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ([("a.tgz", gz(NESTED)), ("b.tgz", gz(NESTED))], "and its other archives unpack to more than 1 MiB"),
        ([("many.tar", tar_bytes(*((f"f{i}", 0) for i in range(60))))], "or 50 entries"),
        ([("z.tar.zst", b"\x28\xb5\x2f\xfd" + bytes(100))], "z.tar.zst cannot be checked (zstd compression)"),
        ([("cut.tgz", gz(NESTED)[: len(gz(NESTED)) // 2])], "cut.tgz cannot be checked"),
    ],
    ids=["together", "entries", "zstd", "truncated"],
)
def test_archives_past_the_bounds_are_refused(files, reason):
    ctx = context(*files)
    with pytest.raises(Denied, match=reason.replace("(", r"\(").replace(")", r"\)")):
        ctx.measure(archives=True)
    ctx.close()


def test_the_context_tar_is_left_where_it_was_being_written():
    ctx = context(("one.tgz", gz(NESTED)))
    ctx.measure(archives=True)
    with ctx.finish("FROM busybox\n") as done, tarfile.open(fileobj=done, mode="r:") as tar:
        assert tar.getnames() == ["one.tgz", "Dockerfile"]


def test_what_copy_and_add_may_write_is_bounded_by_the_disk_budget():
    check_build_writes(copies=20, adds=1, files=10 * MiB, archives=50 * MiB, limit=2048 * MiB)
    with pytest.raises(Denied, match="this build could write 2100 MiB with COPY and ADD"):
        check_build_writes(copies=30, adds=0, files=70 * MiB, archives=0, limit=2048 * MiB)
    with pytest.raises(Denied, match="could write 2560 MiB"):
        check_build_writes(copies=0, adds=10, files=0, archives=256 * MiB, limit=2048 * MiB)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (gz(tar_bytes(("big", 2 * MiB))), "the upload unpacks to more than 1 MiB"),
        (lzma.compress(tar_bytes(("big", 2 * MiB))), "the upload unpacks to more than 1 MiB"),
        (tar_bytes(*((f"f{i}", 0) for i in range(60))), "or 50 entries"),
        (b"\x28\xb5\x2f\xfd" + bytes(600), "the upload cannot be checked"),
        (bz2.compress(tar_bytes(("ok", 1000))), ""),
        (b"not an archive", ""),  # the engine's own error
    ],
    ids=["gz", "xz", "entries", "zstd", "small-bz2", "other"],
)
def test_uploads_into_containers_are_measured_as_the_engine_unpacks_them(body, reason):
    stream = io.BytesIO(body)
    if reason:
        with pytest.raises(Denied, match=reason):
            check_upload(stream, Bounds(unpacked=MiB, entries=50))
    else:
        check_upload(stream, Bounds(unpacked=MiB, entries=50))
    assert stream.tell() == 0  # sent to the engine from its start


class _Registry(http.server.BaseHTTPRequestHandler):
    """A learner's registry: /v2/ answers, /same redirects within itself, /away to another port."""

    def do_GET(self):  # noqa: N802 - http.server's name
        host = self.headers["Host"]
        where = {"/same": "/v2/", "/absolute": f"http://{host}/v2/", "/away": "http://127.0.0.1:1/v2/"}
        if self.path in where:
            self.send_response(307)
            self.send_header("Location", where[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        layer = {"digest": "sha256:" + "a" * 64, "size": 1}
        if self.path.endswith("foreign"):  # a foreign layer; `URLs`: Go matches keys in any case
            layer["URLs"] = ["http://127.0.0.1:1/blob"]
        manifest = {"schemaVersion": 2, "layers": [layer]}  # as plain JSON: the engine sniffs the type
        body = json.dumps(manifest).encode() if "/manifests/" in self.path else b"{}"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture
def relay():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    relay = RegistryRelay(server.server_address[1])
    yield relay
    relay.close()
    server.shutdown()
    server.server_close()


def _get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path)
    resp = conn.getresponse()
    return resp.status, resp.read().decode()


def test_the_relay_follows_redirects_only_within_the_registry(relay):
    assert _get(relay.port, "/v2/") == (200, "{}")
    assert _get(relay.port, "/same")[0] == 307
    assert _get(relay.port, "/absolute")[0] == 307  # the registry's own address is the relay's
    assert relay.refused == ""
    status, body = _get(relay.port, "/away")
    assert status == 502 and "your registry redirected to 127.0.0.1:1" in body
    assert "127.0.0.1:1" in relay.refused


def test_manifests_naming_layer_urls_are_refused(relay):
    status, body = _get(relay.port, "/v2/x/manifests/ok")
    assert status == 200 and json.loads(body)["layers"]
    status, body = _get(relay.port, "/v2/x/manifests/foreign")
    assert status == 502 and "manifest names layer URLs (http://127.0.0.1:1/blob)" in body


def test_the_relay_refuses_what_is_not_plain_http(relay):
    with socket.create_connection(("127.0.0.1", relay.port), timeout=5) as sock:
        sock.sendall(b"\x16\x03\x01\x02\x00\x01\x00")  # a TLS hello: the engine falls back to HTTP
        assert sock.recv(100) == b""
