"""Images: where pulls come from, where pushes go, what may be removed, which bases a build may use.

The handlers (gateway/images.py, image_transfer.py, build.py, lineage.py) look the facts up in the
engine and the session (its published ports, its own tags) and ask these rules.
"""

from __future__ import annotations

from ..errors import Denied
from .buildquery import BUILDKIT_IMAGE, BUILDKIT_REFUSED
from .rules import rule

LOOPBACK = {"localhost", "127.0.0.1"}


IMPORT_REFUSED = "docker import is not available: images come from the mirror, builds and commits"


def check_not_import(from_src: str) -> None:
    """`docker import` (POST /images/create with `fromSrc`) is refused (part of rule images.pull);
    the gateway asks this before reading the body, so the answer does not depend on its size."""
    if from_src:
        raise Denied(IMPORT_REFUSED)


@rule("images.pull")
def check_pull_request(from_src: str, name: str, tag: str) -> None:
    """`docker import` (`fromSrc`), pulling every tag of a repository and pulling by digest are
    refused: a pull names one tag of one image."""
    check_not_import(from_src)
    if not tag and ":" not in name.rsplit("/", 1)[-1]:
        raise Denied("pulling all tags is not available; name one tag")
    if "@" in name or tag.startswith("sha256:"):
        raise Denied("pulling by digest is not available; pull by tag")


@rule("images.buildkit")
def check_not_buildkit(registry: str, repo: str) -> None:
    """The BuildKit image (`docker buildx` booting its docker-container builder) is not pulled:
    BuildKit is not available in the sandbox."""
    if not registry and repo == BUILDKIT_IMAGE:
        raise Denied(BUILDKIT_REFUSED)


def registry_port(registry: str) -> str | None:
    """The port of a `localhost:<port>` / `127.0.0.1:<port>` registry, None for any other registry."""
    host, _, port = registry.partition(":")
    return port if host in LOOPBACK and port.isdigit() else None


@rule("images.source")
def check_pull_source(registry: str, published: bool) -> None:
    """Images come from the local mirror (no registry in the name) or from `localhost:<port>`, where
    `published` tells whether the session publishes that port (its own registry); any other registry
    (`quay.io/...`) is refused."""
    if not registry:
        return
    port = registry_port(registry)
    if port is None:
        raise Denied(
            f"images come only from the local mirror (Docker Hub names such as httpd) or from a "
            f"registry you started in this sandbox (localhost:<port>/...), not from {registry}"
        )
    if not published:
        raise Denied(
            f"nothing in this sandbox publishes port {port}; start your registry first "
            f"(docker run -d -p {port}:5000 registry)"
        )


@rule("images.push")
def check_push_target(registry: str) -> None:
    """`docker push` goes only to `localhost:<port>` (the session's own registry), never the mirror."""
    if not registry.startswith(("localhost:", "127.0.0.1:")):
        raise Denied(
            "push is only available to a registry you started in this sandbox (localhost:<port>); "
            "nobody can push to the mirror"
        )


@rule("images.shared")
def check_removable(own: bool, shown: str) -> None:
    """`docker rmi` removes the session's own names and images; a shared base image (`shown`: the
    names it is known by) is refused, as other learners use it."""
    if not own:
        raise Denied(f"shared base images cannot be removed ({shown})")


@rule("images.onbuild-base")
def check_no_triggers(ref: str, config: dict) -> None:
    """A build may not start from an image with ONBUILD triggers (the sandbox does not run them)."""
    if config.get("OnBuild"):
        raise Denied(f"the image {ref} has ONBUILD triggers, which builds in the sandbox do not run")


@rule("images.lineage")
def check_base_prepared(base_id: str, image_id: str, error: str = "") -> None:
    """A build's base image must be wrapped in the session's own lineage image first (its build cache
    is the session's alone); when the engine cannot make it (`error`, no `image_id`) the build is refused."""
    if error:
        raise Denied(f"the base image {base_id[:19]} cannot be prepared for building: {error}")
    if not image_id:
        raise Denied(f"the base image {base_id[:19]} cannot be prepared for building")


@rule("images.redirect")
def check_registry_redirect(netloc: str, relay_port: int) -> None:
    """A registry the learner runs may redirect the engine only within itself (a relative Location, or
    the relay's own address `127.0.0.1:<relay_port>`): a redirect elsewhere (another session's
    registry, any address the host reaches) is not followed."""
    if netloc and netloc.lower() not in {f"127.0.0.1:{relay_port}", f"localhost:{relay_port}"}:
        raise Denied(
            f"your registry redirected to {netloc}; the sandbox follows a registry's redirects only "
            "within that registry"
        )


@rule("images.foreign-urls")
def check_manifest_urls(urls: list[str]) -> None:
    """A manifest from a learner's registry may not name layer URLs (`urls`, foreign layers): the
    engine would fetch them itself, from the host, past the relay that keeps it within the registry."""
    if urls:
        raise Denied(f"your registry's manifest names layer URLs ({urls[0][:80]}); they are not fetched")
