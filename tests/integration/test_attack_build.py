"""Attacks on `docker build` through the gateway, judged on the host through the engine.

The attacker is a learner: the docker CLI inside a real sandbox, or raw requests on the session's
gateway socket (what `curl --unix-socket /var/run/docker.sock` sends from inside). Every trick is
tried in several forms; the checks look at the engine (which images exist, what they descend from)
and at a server on the host's loopback (it must never see a request).
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import lzma
import re
import secrets
import tarfile
import threading

import docker
import docker.errors
import pytest
from gateway_harness import leftovers, make_manager, require_images, start_sandbox, stop_sandbox

from sandbox.gateway import lineage

pytestmark = [pytest.mark.docker]
PREFIX = "denied by the Container Atlas sandbox policy: "
HIDDEN = "container-atlas/docker:latest"  # the learner image itself: never a base image for learners
MiB = 1024 * 1024


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).hits.append(self.path)
        body = b"secret from the host\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def loopback():
    """A web server on the host's 127.0.0.1: what a build's ADD must never reach."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    assert _Counter.hits == [], f"the host's loopback server was reached: {_Counter.hits}"


@pytest.fixture(scope="module")
def gw(docker_client, tmp_path_factory):
    """A gateway with 8 MiB build contexts (64 MiB unpacked)."""
    require_images(docker_client, HIDDEN, "busybox")
    manager = make_manager(docker_client, tmp_path_factory, budget={"build_context": "8m", "images": 200})
    yield manager
    manager.shutdown()


@pytest.fixture(scope="module")
def pair(docker_client, gw):
    """Sandboxes A and B of the same gateway; both must leave nothing behind."""
    a = start_sandbox(docker_client, gw, "a" + secrets.token_hex(5))
    b = start_sandbox(docker_client, gw, "b" + secrets.token_hex(5))
    yield a, b
    assert stop_sandbox(docker_client, a) == []
    assert stop_sandbox(docker_client, b) == []


def learner_api(box) -> docker.APIClient:
    """A raw Engine API client on the session's gateway socket (what curl inside the sandbox reaches)."""
    sock = box.manager.state_dir / box.sid / "docker.sock"
    return docker.APIClient(base_url=f"unix://{sock}", version="1.41", timeout=120)


def tar_of(entries: list[tuple[str, bytes | tarfile.TarInfo]], mode: str = "w") -> bytes:
    """A tar (optionally compressed) of (name, data) files and ready-made TarInfo headers."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tar:
        for name, data in entries:
            if isinstance(data, tarfile.TarInfo):
                tar.addfile(data)
            else:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def build(box, body: bytes, **params) -> tuple[int, str]:
    """POST /build as a learner's raw request: (HTTP status, everything the gateway answered)."""
    query = {"t": params.pop("t", None), **params}
    with learner_api(box) as api:
        resp = api._post(
            api._url("/build"),
            params={k: v for k, v in query.items() if v is not None},
            data=body,
            headers={"Content-Type": "application/x-tar"},
            stream=True,
        )
        text = b"".join(resp.iter_content(65536)).decode("utf-8", "replace")
        resp.close()
    return resp.status_code, text


def images_from(client, ancestor: str) -> list[str]:
    """IDs of every image whose ParentId chain reaches `ancestor` (the image itself excluded)."""
    everything = {i["Id"]: i.get("ParentId") or "" for i in client.api.images(all=True)}
    out = []
    for image_id in everything:
        parent = everything[image_id]
        while parent:
            if parent == ancestor:
                out.append(image_id)
                break
            parent = everything.get(parent, "")
    return out


def ok_build(box, text: str, files: dict | None = None, **params) -> str:
    entries = [("Dockerfile", text.encode())] + [(k, v) for k, v in (files or {}).items()]
    status, out = build(box, tar_of(entries), **params)
    assert status == 200 and '"error"' not in out, out
    return out


# -- ADD from the host's network ---------------------------------------------------------------
URL_TRICKS = [
    "FROM busybox\nADD {url}/a /x\n",
    'FROM busybox\nADD ["{url}/b","/x"]\n',
    'FROM busybox\nADD [ "{url}/c" , "/x" ] and more words\n',
    "FROM busybox\nARG U={url}/d\nADD $U /x\n",
    "ARG U={url}/e\nFROM busybox\nARG U\nADD ${{U}} /x\n",
    "FROM busybox\nARG U\nADD ${{U:-{url}/f}} /x\n",
    "FROM busybox\nARG U=1\nADD ${{U:+{url}/g}} /x\n",
    "FROM busybox\nENV U={url}/h\nADD $U /x\n",
    'FROM busybox\nENV U {url}/i\nADD "$U" /x\n',
    "# escape=`\nFROM busybox\nADD `\n  {url}/j /x\n",
    "FROM busybox\nADD \\\n\n  {url}/k /x\n",
    "FROM busybox\nADD \\\n# comment\n  {url}/l /x\n",
    "from busybox\nadd {url}/m /x\n",
    "FROM busybox\nAdd --chown=1:1 {url}/n /x\n",
    "FROM busybox\nADD --chown=1:1 --chmod=644 {url}/o /x\n",
    "FROM busybox\nADD '{url}/p' /x\n",
    "FROM busybox\nADD local {url}/q /x/\n",
    'FROM busybox\nADD ["\'{url}/r\'","/x"]\n',
    "FROM busybox AS one\nFROM one\nADD {url}/s /x\n",
    "FROM busybox\nCOPY {url}/t /x\n",
    'FROM busybox\nADD ["\\u0068ttp{rest}/u", "/x"]\n',
    "# escape=`\nFROM busybox\nADD h`ttp{rest}/v /x\n",
    "FROM busybox\nADD h\\ttp{rest}/w /x\n",
    'FROM busybox\nADD h"tt"p{rest}/x /x\n',
    "FROM busybox\nARG P=tp\nADD ht${{P}}{rest}/y /x\n",
]


@pytest.mark.parametrize("trick", URL_TRICKS, ids=[str(i) for i in range(len(URL_TRICKS))])
def test_add_from_the_hosts_network_is_refused(docker_client, pair, loopback, trick):
    a, _ = pair
    before = set(i["Id"] for i in lineage.session_images(docker_client.api, a.sid))
    text = trick.format(url=loopback, rest=loopback.removeprefix("http"))
    status, out = build(a, tar_of([("Dockerfile", text.encode()), ("local", b"x")]))
    assert status == 403 and "from a URL is not available" in out, out
    assert set(i["Id"] for i in lineage.session_images(docker_client.api, a.sid)) <= before
    assert _Counter.hits == []


def test_add_url_through_a_build_arg_and_the_cli(pair, loopback):
    a, _ = pair
    a.sh("mkdir -p /tmp/u && printf 'FROM busybox\\nARG U\\nADD $U /x\\n' > /tmp/u/Dockerfile")
    code, out = a.sh(f"docker build --build-arg U={loopback}/cli /tmp/u")
    assert code != 0 and PREFIX + "ADD from a URL is not available" in out, out
    code, out = a.sh("docker build /tmp/u")
    assert code != 0 and "ADD depends on $U, which has no value" in out, out
    assert _Counter.hits == []


# -- base images the learner must not see -------------------------------------------------------
def _hidden_tricks(other_image: str) -> list[list[tuple[str, bytes | tarfile.TarInfo]]]:
    good = b"FROM busybox\n"
    bad = f"FROM {HIDDEN}\nRUN true\n".encode()
    link = tarfile.TarInfo("Dockerfile")
    link.type, link.linkname = tarfile.SYMTYPE, "evil"
    hard = tarfile.TarInfo("Dockerfile")
    hard.type, hard.linkname = tarfile.LNKTYPE, "evil"
    return [
        [("Dockerfile", bad)],
        [("Dockerfile", b"FROM \\\n\n" + HIDDEN.encode() + b"\n")],
        [("Dockerfile", b"FROM \\\n# x\n  " + HIDDEN.encode() + b"\n")],
        [("Dockerfile", f"ARG I={HIDDEN}\nFROM $I\n".encode())],
        [("Dockerfile", f"FROM busybox\nCOPY --from={HIDDEN} /etc/passwd /p\n".encode())],
        [("Dockerfile", f"FROM {other_image}\n".encode())],
        [("Dockerfile", f"FROM busybox\nCOPY --from={other_image} /secret /s\n".encode())],
        [("Dockerfile", good), ("Dockerfile", bad)],
        [("Dockerfile", bad), ("./Dockerfile", good)],
        [("./Dockerfile", good), ("Dockerfile", bad)],
        [("Dockerfile", good), ("x/../Dockerfile", bad)],
        [("evil", bad), ("Dockerfile", link)],
        [("evil", bad), ("Dockerfile", hard)],
        [("dockerfile", bad)],
    ]


def test_base_images_the_learner_may_not_see(docker_client, pair):
    a, b = pair
    ok_build(b, "FROM busybox\nRUN echo b-secret > /secret\n", t="secret")
    with learner_api(b) as api:
        b_id = api.inspect_image("secret")["Id"]
    hidden_id = docker_client.api.inspect_image(HIDDEN)["Id"]
    before = set(images_from(docker_client, hidden_id)), set(images_from(docker_client, b_id))
    others = [f"atlas-{b.sid}.secret", f"atlas-{b.sid}.secret:latest", b_id, b_id[7:19]]
    tricks = [t for other in others for t in _hidden_tricks(other)[5:7]] + _hidden_tricks(HIDDEN)
    for entries in tricks:
        status, out = build(a, tar_of(entries), t="stolen")
        refused = ("No such image", "pull access denied", PREFIX)
        assert status in (400, 403, 404) and any(r in out for r in refused), (entries, out)
    after = set(images_from(docker_client, hidden_id)), set(images_from(docker_client, b_id))
    assert after == before, "no image was built on the hidden image or on B's image"
    assert "stolen" not in a.sh("docker images")[1]


def test_hidden_bases_through_the_cli(docker_client, pair):
    a, _ = pair
    hidden_id = docker_client.api.inspect_image(HIDDEN)["Id"]
    before = set(images_from(docker_client, hidden_id))
    setup = (
        "mkdir -p /tmp/h/one /tmp/h/two && cd /tmp/h && "
        "printf 'FROM busybox\\n' > one/Dockerfile && "
        f"printf 'FROM {HIDDEN}\\nRUN true\\n' > two/Dockerfile && "
        "tar -cf dup.tar -C one Dockerfile && tar -rf dup.tar -C two Dockerfile && "
        f"printf 'FROM \\\\\\n\\n{HIDDEN}\\n' > cont.Dockerfile"
    )
    code, out = a.sh(setup)
    assert code == 0, out
    assert a.sh("tar -tf /tmp/h/dup.tar")[1].split() == ["Dockerfile", "Dockerfile"], "control: two entries"
    for cmd in (
        "docker build -t stolen - < /tmp/h/dup.tar",
        "docker build -t stolen -f /tmp/h/cont.Dockerfile /tmp/h/one",
    ):
        code, out = a.sh(cmd)
        assert code != 0 and (
            "more than once" in out or "No such image" in out or "pull access denied" in out
        ), (
            cmd,
            out,
        )
    assert set(images_from(docker_client, hidden_id)) == before


def test_gzip_and_query_variants_of_the_context(pair):
    a, _ = pair
    df = b"FROM busybox\nCOPY f /f\n"
    for mode in ("w:gz", "w:bz2", "w:xz"):
        status, out = build(a, tar_of([("Dockerfile", df), ("f", b"hi")], mode))
        assert status == 200 and "Successfully built" in out, (mode, out)
    status, out = build(a, b"FROM busybox\nLABEL bare=1\n")  # a bare Dockerfile as the body
    assert status == 200 and "Successfully built" in out, out
    status, out = build(a, tar_of([("sub/Build.file", df), ("f", b"hi")]), dockerfile="./sub/Build.file")
    assert status == 200 and "Successfully built" in out, out
    code, out = a.sh("printf 'FROM busybox\\nRUN echo piped\\n' | docker build -q -")
    assert code == 0 and out.strip().startswith("sha256:"), out
    outside = "printf 'FROM busybox\\nLABEL f=outside\\n' > /tmp/outside.Dockerfile && mkdir -p /tmp/octx"
    code, out = a.sh(f"{outside} && docker build -q -f /tmp/outside.Dockerfile /tmp/octx")
    assert code == 0 and out.strip().startswith("sha256:"), out  # the CLI's tar ends without padding
    code, out = a.sh("docker build -q --compress -f /tmp/outside.Dockerfile /tmp/octx")
    assert code == 0 and out.strip().startswith("sha256:"), out


# -- tar tricks ---------------------------------------------------------------------------------
def _special(name: str, kind: bytes, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, linkname
    return info


DF = ("Dockerfile", b"FROM busybox\nCOPY . /ctx\n")
TAR_TRICKS = [
    ([DF, ("/etc/evil", b"x")], "absolute"),
    ([DF, ("../evil", b"x")], "'..'"),
    ([DF, ("a/../../evil", b"x")], "'..'"),
    ([DF, ("f", b"1"), ("./f", b"2")], "more than once"),
    ([DF, ("Dockerfile", b"FROM busybox\n")], "more than once"),
    ([DF, ("sda", _special("sda", tarfile.BLKTYPE))], "device, fifo"),
    ([DF, ("tty", _special("tty", tarfile.CHRTYPE))], "device, fifo"),
    ([DF, ("fifo", _special("fifo", tarfile.FIFOTYPE))], "device, fifo"),
    ([DF, ("h", _special("h", tarfile.LNKTYPE, "/etc/shadow"))], "absolute"),
    ([DF, ("h", _special("h", tarfile.LNKTYPE, "nothere"))], "not an earlier file"),
    ([DF, ("s", _special("s", tarfile.SYMTYPE, "../../etc"))], "leaving the context"),
    ([DF, ("d/s", _special("d/s", tarfile.SYMTYPE, "../../x"))], "leaving the context"),
    ([DF, ("l", _special("l", tarfile.SYMTYPE, "/")), ("l/etc/x", b"x")], "under the symbolic link"),
    ([DF, ("/".join(["d"] * 80) + "/f", b"x")], "deeper than"),
    ([DF, ("n" * 300, b"x")], "longer than"),
    ([("Build", b"FROM busybox\n")], "has no Dockerfile"),
]


@pytest.mark.parametrize(("entries", "reason"), TAR_TRICKS, ids=[r for _, r in TAR_TRICKS])
def test_tar_tricks_are_refused(docker_client, pair, entries, reason):
    a, _ = pair
    before = set(leftovers(docker_client, a.sid))
    status, out = build(a, tar_of(entries))
    assert status == 403 and reason in out, out
    assert set(leftovers(docker_client, a.sid)) == before


@functools.cache  # made once per test run (test_attack_build_memory uploads the same bombs)
def _zeros_tar(size: int, mode: str) -> bytes:
    """A compressed tar of one file of `size` zero bytes, made as a stream (never held unpacked).
    (xz preset 1 packs zeros as small as the default preset 6, several times faster.)"""
    raw = io.BytesIO()
    comp = (
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9)
        if mode == "gz"
        else lzma.LZMAFile(raw, "wb", preset=1)
    )
    with tarfile.open(fileobj=comp, mode="w|") as tar:
        tar.addfile(tarfile.TarInfo("Dockerfile"), io.BytesIO(b""))
        info = tarfile.TarInfo("zeros")
        info.size = size
        tar.addfile(info, _Zeros(size))
    comp.close()
    return raw.getvalue()


class _Zeros(io.RawIOBase):
    def __init__(self, n: int) -> None:
        self.left = n

    def readinto(self, b) -> int:
        n = min(len(b), self.left)
        b[:n] = bytes(n)
        self.left -= n
        return n


def many_entries_tar(n: int) -> bytes:
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb") as comp, tarfile.open(fileobj=comp, mode="w|") as tar:
        tar.addfile(tarfile.TarInfo("Dockerfile"), io.BytesIO(b""))
        for i in range(n):
            tar.addfile(tarfile.TarInfo(f"e{i}"), io.BytesIO(b""))
    return raw.getvalue()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (lambda: _zeros_tar(400 * MiB, "gz"), "unpacks to more than 64 MiB"),
        (lambda: _zeros_tar(400 * MiB, "xz"), "unpacks to more than 64 MiB"),
        (lambda: many_entries_tar(25_000), "more than 20000 entries"),
    ],
    ids=["gzip-bomb", "xz-bomb", "entries"],
)
def test_bombs_are_refused(pair, body, reason):
    a, _ = pair
    data = body()
    assert len(data) < 2 * MiB, "control: the upload itself is small"
    status, out = build(a, data)
    assert status == 403 and reason in out, out


# -- the build query ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("params", "status", "reason"),
    [
        ({"nosuchparam": "1"}, 400, "query parameter nosuchparam: not accepted by POST /build"),
        ({"cgroupparent": "/"}, 403, "--cgroup-parent is not allowed"),
        ({"remote": "http://127.0.0.1:1/x.tar"}, 403, "building from a URL is not available"),
        ({"cachefrom": '["busybox"]'}, 403, "--cache-from is not available"),
        ({"buildargs": '{"U": null}'}, 403, "--build-arg U has no value"),
        ({"buildargs": '{"U": "1", "U": "2"}'}, 400, "given more than once"),
        ({"labels": '{"org.container-atlas.session": "x"}'}, 403, "reserved for the sandbox"),
        ({"networkmode": "host"}, 403, "--network host is not available for builds"),
        ({"extrahosts": "h:127.0.0.1"}, 403, "--add-host is not available"),
        ({"version": "2"}, 403, "BuildKit is not available"),
        ({"platform": "linux/arm64"}, 403, "--platform linux/arm64 is not available"),
        ({"memory": "lots"}, 400, "expected an integer"),
    ],
)
def test_build_query_is_typed(pair, params, status, reason):
    a, _ = pair
    got, out = build(a, tar_of([("Dockerfile", b"FROM busybox\n")]), **params)
    assert got == status and reason in out, out


def test_forced_build_settings(docker_client, pair):
    a, _ = pair
    probe = (
        "FROM busybox\nRUN echo mem=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes) "
        "shm=$(df -k /dev/shm | tail -1 | awk '{print $2}')\n"
    )
    out = ok_build(a, probe, shmsize=str(2**30), memory=str(2**40), nocache="1")
    found = re.search(r"mem=(\d+) shm=(\d+)", out)
    assert found, out
    assert int(found.group(1)) <= a.manager.budget.memory, out
    assert int(found.group(2)) <= 65536, f"/dev/shm is at most 64 MiB: {out}"
    parent = a.manager.sessions[a.sid].cgroup_parent
    if parent:  # the session has its own cgroup (root, cgroup v1): build steps run inside it
        out = ok_build(a, "FROM busybox\nRUN echo cg=$(grep memory /proc/self/cgroup)\n", nocache="1")
        assert re.search(r"cg=\S*" + re.escape(parent), out), (parent, out)


def test_scratch_and_multi_stage_builds(pair):
    a, _ = pair
    ok_build(a, "FROM scratch\nCOPY f /f\n", {"f": b"scratch-file"}, t="fromscratch")
    ok_build(
        a,
        "FROM busybox AS make\nRUN echo made > /m\n"
        "FROM busybox\nCOPY --from=make /m /m\nCOPY --from=0 /m /n\n",
        t="multi",
    )
    assert a.sh("docker run --rm multi cat /m /n")[1] == "made\nmade\n"
    assert (
        "scratch-file" in a.sh("docker save fromscratch | tar -xO --wildcards '*/layer.tar' | tar -xO f")[1]
    )


def test_onbuild_triggers_never_run(pair, loopback):
    a, _ = pair
    a.sh("docker run --name onb busybox true")
    a.sh(f"docker commit --change 'ONBUILD ADD {loopback}/onbuild /x' onb onbuild-base")
    status, out = build(a, tar_of([("Dockerfile", b"FROM onbuild-base\nRUN true\n")]))
    assert status in (403, 404) and ("ONBUILD" in out or "No such image" in out), out
    a.sh("docker rm onb; docker rmi onbuild-base")
    assert _Counter.hits == []


# -- cache lineage ------------------------------------------------------------------------------
KEYED = "FROM busybox\nRUN head -c 16 /dev/urandom | od -x > /key\nCMD cat /key\n"


def test_build_cache_never_crosses_sessions(docker_client, pair):
    a, b = pair
    ok_build(a, KEYED, t="keyed")
    ok_build(b, KEYED, t="keyed")
    again = ok_build(a, KEYED, t="keyed")
    assert again.count("Using cache") == 2, again
    key_a = a.sh("docker run --rm keyed")[1]
    key_b = b.sh("docker run --rm keyed")[1]
    assert key_a.strip() and key_a != key_b, (key_a, key_b)
    assert "Step 1/3 : FROM busybox" in again, "the learner sees their own Dockerfile's steps"
    with learner_api(a) as api:
        listed = [i["Id"] for i in api.images(all=True)]
    for img in lineage.session_images(docker_client.api, a.sid):
        if lineage.is_lineage(img):
            assert img["Id"] not in listed, "lineage images are not in the learner's list"


# -- every image counts and goes ----------------------------------------------------------------
def test_untagged_and_failed_builds_count_and_go(docker_client, tmp_path_factory):
    manager = make_manager(docker_client, tmp_path_factory, budget={"images": 3})
    box = start_sandbox(docker_client, manager, "f" + secrets.token_hex(5))
    try:
        for i in range(3):
            ok_build(box, f"FROM busybox\nRUN echo {i} > /n\n")  # untagged
        status, out = build(box, tar_of([("Dockerfile", b"FROM busybox\nRUN echo 4 > /n\n")]))
        assert status == 403 and "at most 3 images" in out, out
        made = lineage.session_images(docker_client.api, box.sid)
        assert len([i for i in made if i["_owned"]]) >= 3
    finally:
        left = stop_sandbox(docker_client, box)
        manager.shutdown()
    assert left == []
    assert lineage.session_images(docker_client.api, box.sid) == []


def test_untagged_images_count_against_the_image_disk(docker_client, tmp_path_factory):
    manager = make_manager(docker_client, tmp_path_factory, budget={"image_disk": "8m"})
    box = start_sandbox(docker_client, manager, "k" + secrets.token_hex(5))
    try:
        ok_build(box, "FROM busybox\nRUN head -c 9000000 /dev/urandom > /blob\n")  # untagged, 11 MiB
        status, out = build(box, tar_of([("Dockerfile", b"FROM busybox\n")]), t="more")
        assert status == 403 and "over the 8 MiB limit" in out, out
    finally:
        left = stop_sandbox(docker_client, box)
        manager.shutdown()
    assert left == []


def test_a_failed_build_leaves_nothing_after_the_session(docker_client, tmp_path_factory):
    manager = make_manager(docker_client, tmp_path_factory)
    box = start_sandbox(docker_client, manager, "g" + secrets.token_hex(5))
    try:
        status, out = build(
            box, tar_of([("Dockerfile", b"FROM busybox\nRUN echo 1 > /a\nRUN echo 2 > /b\nRUN false\n")])
        )
        assert status == 200 and "returned a non-zero code" in out, out
        made = lineage.session_images(docker_client.api, box.sid)
        assert len(made) >= 3, "control: the lineage image and the two steps exist while the session runs"
    finally:
        left = stop_sandbox(docker_client, box)
        manager.shutdown()
    assert left == []
    ids = {i["Id"] for i in made}
    assert ids.isdisjoint(i["Id"] for i in docker_client.api.images(all=True))


def test_docker_sdk_for_python_builds_through_the_gateway(pair, tmp_path):
    a, _ = pair
    (tmp_path / "Dockerfile").write_text("FROM busybox\nARG A\nRUN echo $A > /a\nCOPY f /f\n")
    (tmp_path / "f").write_text("sdk\n")
    sock = a.manager.state_dir / a.sid / "docker.sock"
    sdk = docker.DockerClient(base_url=f"unix://{sock}", version="1.41")
    try:
        image, logs = sdk.images.build(
            path=str(tmp_path), tag="sdkbuilt", buildargs={"A": "from-sdk"}, labels={"x": "y"}, rm=True
        )
        assert image.labels["x"] == "y" and "sdkbuilt:latest" in image.tags
        assert sdk.containers.run("sdkbuilt", ["cat", "/a", "/f"], remove=True) == b"from-sdk\nsdk\n"
        assert any("Step 3/4 : RUN echo $A > /a" in str(line.get("stream", "")) for line in logs)
    finally:
        sdk.close()
