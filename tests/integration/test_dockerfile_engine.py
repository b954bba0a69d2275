"""The gateway's Dockerfile reader against the real engine (classic builder of Docker 20.10).

Each tricky Dockerfile of the corpus is built by the plain engine in a throwaway context (no gateway):
the base image the engine used and the labels it set must be what the reader decided, and the
Dockerfile the reader writes for the engine must build the same. Each URL trick the reader refuses is
shown to be real: the plain engine does fetch it from a server on the host's loopback.
"""

from __future__ import annotations

import http.server
import io
import re
import tarfile
import threading

import docker.errors
import pytest
from gateway_harness import require_images

from sandbox.gateway.policy import dockerfile as df

pytestmark = [pytest.mark.docker]
B, D = "busybox:latest", "debian:bookworm"

# (Dockerfile, build args): the engine decides the base image and the labels; the reader must agree.
CORPUS = [
    ("FROM busybox\nLABEL a=1\n", {}),
    ("FROM \\\n\nbusybox\nLABEL a=empty-line-in-continuation\n", {}),
    ("FROM \\\n# a comment\n  busybox\nLABEL a=comment-in-continuation\n", {}),
    ("FROM \\\n   \\\n debian:bookworm\nLABEL a=b\n", {}),
    ("# escape=`\nFROM busybox\nLABEL a=x\\y b=`\n  c=d\n", {}),
    ("# Escape = `\nFROM busybox\nLABEL a=`$x\n", {}),
    ("# a comment\n# escape=`\nFROM busybox\nLABEL a=x\\\n", {}),
    ("\n# escape=`\nFROM busybox\nLABEL a=\\`x\n", {}),
    ("#escape=\\\nFROM busybox\nLABEL a=\\`x\n", {}),
    ("# foo=bar\n# escape=`\nFROM busybox\nLABEL a=`x\n", {}),
    ("ARG IMG=busybox\nFROM $IMG\nLABEL a=$IMG\n", {}),
    ("ARG IMG=busybox\nFROM ${IMG}\nARG IMG\nLABEL a=$IMG\n", {"IMG": D}),
    ("ARG IMG\nFROM ${IMG:-busybox}\nLABEL a=${IMG:+set}\n", {}),
    ("ARG IMG\nFROM ${IMG:-busybox}\nLABEL a=${IMG:+set}\n", {"IMG": D}),
    ("ARG A=debian B=bookworm\nFROM $A:$B\n", {}),
    ("ARG A=deb\nARG B=${A}ian:bookworm\nFROM $B\n", {}),
    ("FROM busybox\nARG X=1\nENV X=2\nLABEL a=$X\n", {"X": "3"}),
    ("FROM busybox\nENV A=1 B=$A\nLABEL a=$B b=\"$A\" c='$A' d=\\$A\n", {}),
    ('FROM busybox\nENV A 1 2  3\nLABEL a="$A"\n', {}),
    ("ARG M=meta\nFROM busybox\nLABEL a=${M}x\n", {}),
    ("ARG M=meta\nFROM busybox\nARG M\nLABEL a=${M}x\n", {}),
    ("FROM busybox AS one\nFROM debian:bookworm\nFROM one\nLABEL a=one\n", {}),
    ("FROM busybox AS Debian\nFROM debian\nLABEL a=stage-name-matches-case-insensitively\n", {}),
    ("from busybox\nlabel a=lowercase\n", {}),
    ("FROM busybox\nHEALTHCHECK --interval=5s --retries=2 CMD true\nLABEL a=healthcheck\n", {}),
    ("FROM busybox\r\nLABEL a=crlf\r\n", {}),
    ("\ufeffFROM busybox\nLABEL a=bom\n", {}),
    ('FROM busybox\nLABEL a="x y" \'b\'="${HOME:-h}"\n', {}),
    ("FROM busybox\nLABEL a=$HTTP_PROXY b=${no_proxy}\n", {"HTTP_PROXY": "p1", "no_proxy": "p2"}),
    ("ARG X=1\nFROM ${HTTPS_PROXY:-busybox}\nLABEL a=$X\n", {"HTTPS_PROXY": "debian:bookworm"}),
    ('FROM busybox\nENV A=1\nCOPY --chown=$A:$A f "/$A"\nLABEL "k k"=$A\n', {}),
]
URL_TRICKS = [
    'FROM busybox\nADD ["{url}","/x"]\n',
    "FROM busybox\nARG U={url}\nADD $U /x\n",
    "ARG U={url}\nFROM busybox\nARG U\nADD ${{U}} /x\n",
    "FROM busybox\nARG U\nADD ${{U:-{url}}} /x\n",
    "FROM busybox\nENV U={url}\nADD $U /x\n",
    "# escape=`\nFROM busybox\nADD `\n\n  {url} /x\n",
    "FROM busybox\nADD \\\n# comment\n  {url} /x\n",
    "FROM busybox\nadd --chown=1:1 {url} /x\n",
    'FROM busybox\nADD [ "{url}" , "/x" ] trailing\n',
    "FROM busybox\nADD '{url}' /x\n",
    'FROM busybox\nADD ["\\u0068ttp{rest}", "/x"]\n',
    "FROM busybox\nADD h\\ttp{rest} /x\n",
    "FROM busybox\nARG P=tp\nADD ht${{P}}{rest} /x\n",
    "FROM busybox\nENV H=http://127.0.0.1 P=:{port}\nADD $H$P/secret /x\n",
]


STEP_ID = re.compile(r"^ ---> ([0-9a-f]{12})\s*$")
STEPS: set[str] = set()  # every image ID a build printed (step results, other stages' images)


def _build(client, text: str, buildargs: dict) -> dict:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        data = text.encode()
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        tar.addfile(tarfile.TarInfo("f"), io.BytesIO(b""))
    buf.seek(0)
    out = list(
        client.api.build(
            fileobj=buf, custom_context=True, buildargs=buildargs, rm=True, forcerm=True, decode=True
        )
    )
    STEPS.update(m.group(1) for o in out for m in [STEP_ID.match(str(o.get("stream", "")))] if m)
    errors = [o["error"] for o in out if "error" in o]
    assert not errors, (text, errors)
    image_id = [o["aux"]["ID"] for o in out if isinstance(o.get("aux"), dict) and "ID" in o["aux"]][-1]
    return client.api.inspect_image(image_id)


@pytest.fixture(scope="module")
def engine(docker_client):
    require_images(docker_client, B, D)
    created: list[str] = []
    existing = {i["Id"] for i in docker_client.api.images(all=True)}
    yield docker_client, created
    for short in STEPS:  # other stages' images and steps: only what the module made
        try:
            image_id = docker_client.api.inspect_image(short)["Id"]
        except docker.errors.NotFound:
            continue
        if image_id not in existing:
            created.append(image_id)
    pending = set(created)
    for _ in range(4):  # children first: a parent goes on a later pass
        for image_id in sorted(pending):
            try:
                docker_client.api.remove_image(image_id, force=True)
                pending.discard(image_id)
            except docker.errors.NotFound:
                pending.discard(image_id)
            except docker.errors.APIError:
                pass


def _base(client):
    def base(ref: str, line: int) -> tuple[str, list[str]]:
        info = client.api.inspect_image(ref)
        return info["Id"], info["Config"].get("Env") or []

    return base


@pytest.mark.parametrize(("text", "buildargs"), CORPUS, ids=[str(i) for i in range(len(CORPUS))])
def test_reader_matches_the_engine(engine, text, buildargs):
    client, created = engine
    plan = df.read(text, buildargs, _base(client))
    bases = {client.api.inspect_image(i)["RootFS"]["Layers"][0]: i for i in (B, D)}
    for source in (text, plan.render()):
        built = _build(client, source, buildargs)
        created.append(built["Id"])
        used = bases[built["RootFS"]["Layers"][0]]
        last = plan.stages[-1]
        while last.stage >= 0:
            last = plan.stages[last.stage]
        assert client.api.inspect_image(used)["Id"] == last.image_id, (source, used)
        labels = built["Config"].get("Labels") or {}
        assert {k: labels.get(k) for k in plan.labels} == plan.labels, source


class _Counter(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).hits += 1
        body = b"secret from the host\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def loopback():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("trick", URL_TRICKS, ids=[str(i) for i in range(len(URL_TRICKS))])
def test_url_tricks_are_real_and_refused(engine, loopback, trick):
    client, created = engine
    url = f"http://127.0.0.1:{loopback.server_port}/secret"
    text = trick.format(url=url, rest=url.removeprefix("http"), port=loopback.server_port)
    with pytest.raises(df.DockerfileError, match="from a URL"):
        df.read(text, {}, _base(client))
    before = _Counter.hits
    built = _build(client, text, {})
    created.append(built["Id"])
    assert _Counter.hits > before, "control: the plain engine fetches this ADD from the host's loopback"
