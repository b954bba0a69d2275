"""Every in-browser Python example (```pyrun blocks in docs/python/) runs under Node with Pyodide.

No browser: `pyodide_node.mjs` loads the vendored Pyodide from site-src/assets/vendor/ (the same
files the site ships), installs the networkx and atlasgraph wheels from site-src/assets/wheels/ with
micropip, preloads the catalog exported from kb/ as `catalog`/`G`, and runs each page's blocks in
order through assets/py/atlas_runner.py, imported as the browser's worker (pyworker.js) imports it.
Outputs are checked against values computed here in CPython, and against the same blocks run in
CPython with the same runner.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from pyexamples import ASSETS, DOCS, ROOT, blocks_of, cpython_outputs, need, pages

HELPER = Path(__file__).resolve().parents[2] / "src" / "atlas" / "kb" / "pyodide_node.mjs"

#: Extra blocks that exercise what a learner sees when their code is wrong.
ERRORS = {
    "page": "<errors>",
    "blocks": [
        "print('before')\nprint(1 +\n",
        "def f(x):\n    return 10 / x\n\nprint('calling')\nf(0)\n",
        "import numpy\n",
        "import atlasgraph_does_not_exist.sub\n",
    ],
}


@pytest.fixture(scope="module")
def catalog() -> dict:
    """The catalog exported from kb/, as the site ships it in assets/graph.json."""
    from atlas.kb.export import catalog as export

    return export(ROOT / "kb")


@pytest.fixture(scope="module")
def results(catalog, tmp_path_factory) -> dict[str, list[dict]]:
    """Page name -> per-block {stdout, stderr, outcome} from Pyodide under Node."""
    node = shutil.which("node")
    need("Node.js", node is not None, "apt-get install nodejs")
    index = ASSETS / "wheels" / "wheels.json"
    need("Pyodide wheels", index.is_file(), "run `.venv/bin/python -m atlas.provision.wheels`")
    pyodide_dir = ASSETS / json.loads(index.read_text())["pyodide"]
    need("vendored Pyodide", (pyodide_dir / "pyodide.mjs").is_file(), "run the front-end set-up step")
    graph = tmp_path_factory.mktemp("pyodide") / "graph.json"
    graph.write_text(json.dumps(catalog, ensure_ascii=False))
    payload = [{"page": p.name, "blocks": blocks_of(p)} for p in pages()] + [ERRORS]
    proc = subprocess.run(
        [node, str(HELPER), str(ASSETS), str(graph)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = {page["page"]: page["blocks"] for page in json.loads(proc.stdout)}
    got["<start>"] = re.findall(r"^start: (\w+)$", proc.stderr, re.M)
    return got


def layer_digest() -> str:
    """The content-addressing page's layer digest, computed here with CPython's tarfile."""
    files = {"etc/motd": b"Hello from a container layer\n", "app/hello.sh": b"#!/bin/sh\necho hello\n"}
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode, info.uid, info.gid = len(data), 0, 0o644, 0, 0
            info.uname = info.gname = "root"
            tar.addfile(info, io.BytesIO(data))
    return "sha256:" + hashlib.sha256(buf.getvalue()).hexdigest()


def test_every_page_has_blocks_and_en_zh_pairs():
    names = {p.name for p in pages()}
    assert {"index.md", "graph-playground.md", "content-addressing.md", "oci-manifest.md"} <= names
    for name in names:
        twin = name.replace(".zh.md", ".md") if name.endswith(".zh.md") else name[:-3] + ".zh.md"
        assert twin in names, f"docs/python/{name} has no translation {twin}"
        assert len(blocks_of(DOCS / name)) == len(blocks_of(DOCS / twin)), f"{name}: block count differs"
        assert blocks_of(DOCS / name), f"docs/python/{name} has no pyrun block"


def test_every_block_runs_cleanly(results):
    for page in pages():
        got = results[page.name]
        assert len(got) == len(blocks_of(page))
        for i, block in enumerate(got, 1):
            assert block["outcome"] == "", f"{page.name} block {i}:\n{block['stderr']}"
            assert block["stderr"] == "", f"{page.name} block {i}:\n{block['stderr']}"
            assert block["stdout"].strip(), f"{page.name} block {i} printed nothing"


def test_pyodide_output_equals_cpython_output(results, catalog):
    for page in pages():
        if page.name.startswith("index"):
            continue  # prints the interpreter's version and platform
        expected = cpython_outputs(blocks_of(page), catalog)
        got = [b["stdout"] for b in results[page.name]]
        assert got == expected, page.name


def test_content_addressing_digest(results):
    digest = layer_digest()
    for name in ("content-addressing.md", "content-addressing.zh.md"):
        first, second, third = (b["stdout"] for b in results[name])
        assert first.splitlines() == ["10240 bytes of tar", digest]
        assert second.splitlines()[:3] == [
            "rebuilt, same files:    True",
            "one byte changed:       False",
            "same files, new mtime:  False",
        ]
        assert "digests equal: True | blobs stored: 2" in third
        assert f"read refused: blob {digest[:19]}… is corrupt" in third


def test_oci_manifest_lists_layers_and_verifies_config(results):
    page = (DOCS / "oci-manifest.md").read_text()
    manifest = json.loads(re.search(r"MANIFEST = r'''(.*?)'''", page, re.S).group(1))
    config_text = re.search(r"CONFIG = r'''(.*?)'''", page, re.S).group(1)
    first, second = (b["stdout"] for b in results["oci-manifest.md"])
    total = sum(layer["size"] for layer in manifest["layers"])
    assert f"3 layers, {total:,} bytes to download" in first
    for layer in manifest["layers"]:
        assert layer["digest"][:19] in first
    assert manifest["config"]["digest"] == "sha256:" + hashlib.sha256(config_text.encode()).hexdigest()
    assert f"config digest verified: {manifest['config']['digest'][:19]}" in second
    assert second.splitlines()[-3].startswith("ADD rootfs.tar.xz /")


def test_shared_layers_counts(results):
    first, second = (b["stdout"] for b in results["shared-layers.md"])
    assert "shared layers: 2" in first
    assert "hello-api: 4 layers, 2 of its own" in first
    assert re.search(r"saved by sharing\s+47,355,487 bytes", second)


def test_playground_answers_the_three_questions(results, catalog):
    import atlasgraph

    g = atlasgraph.load(catalog)
    console, path, impl, rkt, explore = (b["stdout"] for b in results["graph-playground.md"])
    assert console.startswith(f"MultiDiGraph with {g.number_of_nodes()} nodes")
    steps = atlasgraph.path(g, "kubectl", "runc", types=["manages", "uses", "implemented-by"])
    assert path.splitlines()[0] == atlasgraph.format_path(steps)
    assert path.startswith("kubectl —") and path.splitlines()[0].endswith("→ runc")
    names = [g.nodes[i]["name"] for i in atlasgraph.implementers(g, "oci-runtime-spec")]
    assert "runc" in names
    assert [line.split("  ")[0].strip() for line in impl.splitlines()] == names
    status = g.nodes["rkt"]["facts"]["status"]
    assert rkt.splitlines()[0] == f"rkt: {status} since {g.nodes['rkt']['facts']['status_since']}"
    successors = atlasgraph.successors_of(g, "rkt")
    if successors:
        assert "succeeded by:" in rkt
    else:
        assert "no direct successor" in rkt and "alternative to: Docker Engine" in rkt
    zh_path = results["graph-playground.zh.md"][1]["stdout"]
    assert zh_path.splitlines()[0] == atlasgraph.format_path(steps, "zh")


def test_python_is_restored_from_the_set_up_snapshot(results):
    """With Node at set-up there is a snapshot, and the examples above ran in a restored Python."""
    from atlas.provision import wheels

    index = wheels.read_index()
    assert index.get("snapshot"), "wheels.json names no Python snapshot although Node.js is here"
    snap = wheels.WHEELS / index["snapshot"]["file"]
    assert hashlib.sha256(snap.read_bytes()).hexdigest() == index["snapshot"]["sha256"]
    assert index["snapshot"]["key"] == wheels.snapshot_key(wheels.WHEELS.parent / index["pyodide"])
    assert results["<start>"] == ["snapshot"]
    assert index["wheels"]["micropip"]["precompiled"], "micropip is served without .pyc files"


def test_index_hello(results):
    for name in ("index.md", "index.zh.md"):
        out = results[name][0]["stdout"]
        assert re.match(r"Hello from CPython 3\.\d+\.\d+ on emscripten\n5050\n$", out), out


def test_errors_show_tracebacks_and_missing_packages(results):
    syntax, runtime, missing, missing_sub = results["<errors>"]
    assert syntax["outcome"] == "error"
    assert syntax["stdout"] == ""  # nothing ran: the block did not compile
    assert 'File "<block 1>", line 2' in syntax["stderr"]
    assert "SyntaxError" in syntax["stderr"]

    assert runtime["outcome"] == "error"
    assert runtime["stdout"] == "calling\n"
    assert runtime["stderr"].startswith("Traceback (most recent call last):")
    assert 'File "<block 2>", line 5, in <module>' in runtime["stderr"]
    assert "return 10 / x" in runtime["stderr"]  # the source line is shown
    assert runtime["stderr"].rstrip().endswith("ZeroDivisionError: division by zero")
    assert "atlas_runner" not in runtime["stderr"]  # the runner's own frame is hidden

    assert missing["outcome"] == "missing:numpy"
    assert "ModuleNotFoundError: No module named 'numpy'" in missing["stderr"]
    assert "Missing package: 'numpy' is not installed here" in missing["stderr"]
    assert "micropip.install" not in missing["stderr"]  # no advice that would need a CDN
    assert missing_sub["outcome"] == "missing:atlasgraph_does_not_exist"


def test_wheels_match_requirements_and_atlasgraph_sources():
    import zipfile

    from atlas.provision import wheels

    index = wheels.read_index()
    need("Pyodide wheels", bool(index), "run `.venv/bin/python -m atlas.provision.wheels`")
    assert wheels.is_current(), "assets/wheels/ is stale: rerun `python -m atlas.provision.wheels`"
    got = index["wheels"]
    assert got["networkx"]["file"] == f"networkx-{wheels.pinned_version('networkx')}-py3-none-any.whl"
    with zipfile.ZipFile(wheels.WHEELS / got["atlasgraph"]["file"]) as whl:
        for src in sorted(wheels.SOURCE.glob("*.py")):
            assert whl.read(f"atlasgraph/{src.name}") == src.read_bytes(), src.name
    tag = got["networkx"]["precompiled"]
    if tag:  # byte-compiled by the vendored Pyodide: a .pyc beside each module, the .py kept
        with zipfile.ZipFile(wheels.WHEELS / got["networkx"]["file"]) as whl:
            names = set(whl.namelist())
            record = whl.read(next(n for n in names if n.endswith(".dist-info/RECORD"))).decode()
        assert "networkx/__init__.py" in names
        assert f"networkx/__pycache__/__init__.{tag}.pyc" in names
        # networkx's own test suites are not shipped to browsers, and RECORD lists what is.
        assert not [n for n in names if "/tests/" in n]
        assert {line.rsplit(",", 2)[0] for line in record.splitlines() if line} == names
    for entry in got.values():
        data = (wheels.WHEELS / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]


def test_wheels_step_notices_a_stale_or_missing_snapshot(tmp_path):
    """`./atlas setup` redoes the wheels step when the snapshot no longer matches what it needs."""
    from atlas.provision import wheels

    need("Pyodide wheels", wheels.is_current(), "run `.venv/bin/python -m atlas.provision.wheels`")
    need("Node.js", shutil.which("node") is not None, "apt-get install nodejs")
    copy = tmp_path / "assets" / "wheels"
    shutil.copytree(wheels.WHEELS, copy)
    (tmp_path / "assets" / "vendor").symlink_to(wheels.WHEELS.parent / "vendor")
    assert wheels.is_current(copy)
    index = json.loads((copy / "wheels.json").read_text())

    def with_index(**changes) -> bool:
        (copy / "wheels.json").write_text(json.dumps({**index, **changes}))
        return wheels.is_current(copy)

    assert not with_index(snapshot={**index["snapshot"], "key": "0000000000"})  # other Pyodide/script
    assert not with_index(snapshot=None)  # made without Node, and Node is here now
    assert not with_index(
        snapshot=index["snapshot"], wheels={k: v for k, v in index["wheels"].items() if k != "micropip"}
    )
    assert with_index()
    (copy / index["snapshot"]["file"]).unlink()
    assert not wheels.is_current(copy)
