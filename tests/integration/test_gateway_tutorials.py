"""Every `docker` runnable block of the tutorials runs, in page order, in a real docker sandbox."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from gateway_harness import box, gateway, require_images  # noqa: F401 - fixtures
from realparts import ROOT

pytestmark = [pytest.mark.docker, pytest.mark.registry, pytest.mark.slow]
FENCE = re.compile(r"^(`{3,})run([^\n]*)\n(.*?)^\1", re.S | re.M)
TUTORIALS = sorted(p for p in (ROOT / "docs" / "tutorials").glob("*.md") if not p.name.endswith(".zh.md"))


def docker_blocks(path: Path) -> list[str]:
    """The bodies of the page's ```run blocks with profile="docker", in order."""
    return [m.group(3) for m in FENCE.finditer(path.read_text()) if 'profile="docker"' in m.group(2)]


@pytest.mark.parametrize("page", [p for p in TUTORIALS if docker_blocks(p)], ids=lambda p: p.stem)
def test_tutorial_runs_through_the_gateway(docker_client, local_registry, box, page):  # noqa: F811
    require_images(docker_client, "httpd", "registry", "debian:bookworm")
    # A learner presses ▶ block after block; a second between blocks lets servers started with -d listen
    # (on any host, `curl` right after `docker run -d registry` can meet an empty reply).
    script = "set -e\ncd ~\n" + "\nsleep 1\n".join(docker_blocks(page))
    code, out = box.sh(f"bash -c {_quote(script)}", timeout=600)
    assert code == 0, f"{page.name} failed in the docker sandbox:\n{out[-3000:]}"
    assert "denied by the Container Atlas sandbox policy" not in out
    box.sh("docker rm -f $(docker ps -aq) 2>/dev/null; docker system prune -af --volumes >/dev/null")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"
