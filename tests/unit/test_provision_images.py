"""Dockerfile discovery: header convention, FROM parsing (ARG defaults, stages), build order."""

from __future__ import annotations

import pytest
from atlas.errors import AtlasError
from atlas.provision import images


def _write(root, name, text):
    folder = root / name
    folder.mkdir()
    (folder / "Dockerfile").write_text(text)
    return folder


def test_header_and_from_parsing(tmp_path):
    text = (
        "# image: registry:2 registry:latest\n# mirror: library/registry\n# a comment\n"
        "ARG BASE=container-atlas/shell\nFROM debian:bookworm AS cli\nRUN true\n"
        "FROM ${BASE}\nCOPY --from=cli /x /x\n"
    )
    spec = images.parse(_write(tmp_path, "reg", text))
    assert spec.tags == ["registry:2", "registry:latest"]
    assert spec.mirror == "library/registry"
    assert spec.parents == ["debian:bookworm", "container-atlas/shell:latest"]


def test_default_tag_is_container_atlas_name(tmp_path):
    spec = images.parse(_write(tmp_path, "tool", "FROM busybox\n"))
    assert spec.tags == ["container-atlas/tool:latest"] and spec.parents == ["busybox:latest"]


def test_build_order_puts_parents_first(tmp_path):
    _write(tmp_path, "a-child", "# image: child:1\nFROM mid:1\n")
    _write(tmp_path, "b-mid", "# image: mid:1\nFROM base:1\n")
    _write(tmp_path, "c-base", "# image: base:1\nFROM debian:bookworm\n")
    assert [s.name for s in images.discover(tmp_path)] == ["c-base", "b-mid", "a-child"]


def test_cycle_is_reported(tmp_path):
    _write(tmp_path, "x", "# image: x:1\nFROM y:1\n")
    _write(tmp_path, "y", "# image: y:1\nFROM x:1\n")
    with pytest.raises(AtlasError, match="FROM cycle"):
        images.discover(tmp_path)


def test_bad_mirror_header_names_file_and_line(tmp_path):
    _write(tmp_path, "bad", "# image: bad:1\n# mirror: library/bad:1\nFROM busybox\n")
    with pytest.raises(AtlasError, match=r"bad/Dockerfile:2: `# mirror:`"):
        images.discover(tmp_path)


def test_the_repository_images_parse_and_include_httpd_and_registry():
    specs = {s.name: s for s in images.discover()}
    assert specs["httpd"].tags == ["httpd:latest"] and specs["httpd"].mirror == "library/httpd"
    assert "registry:2" in specs["registry"].tags and specs["registry"].mirror == "library/registry"
    assert all(s.parents for s in specs.values())
