"""Gateway handlers for pull and push: Docker Hub names through the local mirror, `localhost:<port>`
to the session's own registry; where images may come from and go to is asked of policy/images.py."""

from __future__ import annotations

import json
import re
import urllib.request

import docker.errors

from .errors import Denied, NoSuchObject
from .images import ImageHandlers
from .policy import images as image_rules
from .policy.labels import check_pulled_labels
from .registry_relay import RegistryRelay
from .request import Request
from .server import Forward
from .session import Session, normalize, split_ref

MISSING = (
    "pull access denied for {repo}, repository does not exist or may require 'docker login': "
    "denied: requested access to the resource is denied"
)


class ImageTransferHandlers(ImageHandlers):
    """Pull and push. Mixed into gateway.handlers.Handlers."""

    # -- pull and push -------------------------------------------------------------------------
    def _source(self, sess: Session, registry: str, repo: str) -> tuple[str, str, RegistryRelay | None]:
        """(engine repository to pull/push, the prefix the learner sees instead, the relay to close
        when done: a learner's registry is reached through one, see registry_relay) for a reference."""
        if not registry:
            path = repo if "/" in repo else f"library/{repo}"
            return f"{self.mirror}/{path}", repo, None
        port = image_rules.registry_port(registry)
        pm = sess.ports.get(int(port)) if port is not None else None
        image_rules.check_pull_source(registry, published=pm is not None)
        assert pm is not None  # check_pull_source refused every other registry
        relay = RegistryRelay(pm.host_port)
        return f"127.0.0.1:{relay.port}/{repo}", f"{registry}/{repo}", relay

    def pull_quietly(self, sess: Session, ref: str) -> None:
        """Pull `ref` through the mirror (used for build base images); NoSuchObject like Docker Hub."""
        registry, repo, tag = split_ref(ref)
        source, shown, relay = self._source(sess, registry, repo)
        target = normalize(f"{shown}:{tag}")
        try:
            self.api.pull(source, tag=tag)
        except docker.errors.APIError:
            raise NoSuchObject(MISSING.format(repo=shown)) from None
        finally:
            if relay is not None:
                relay.close()
        self._finish_pull(sess, source, tag, target)

    def _finish_pull(self, sess: Session, source: str, tag: str, target: str) -> None:
        """Name the pulled image as the learner asked; a shared base image's name is never moved. An
        image from the learner's own registry may carry any labels: one naming another session in the
        labels that decide what a session owns and builds on is removed and refused."""
        info = self.api.inspect_image(f"{source}:{tag}")
        try:
            check_pulled_labels((info.get("Config") or {}).get("Labels"), sess.id)
        except Denied:
            self.api.remove_image(f"{source}:{tag}", force=True)
            raise
        pulled = info["Id"]
        inner = sess.inner_image(target)
        try:
            shared = self.api.inspect_image(target)["Id"] if self._is_shared_tag(target) else ""
        except docker.errors.NotFound:
            shared = ""
        if shared == pulled and inner not in self._mine(sess):  # the shared base image is that image
            self.api.remove_image(f"{source}:{tag}", noprune=True)
            return
        repo, _, t = inner.rpartition(":")
        self.api.tag(f"{source}:{tag}", repo, t)
        self.api.remove_image(f"{source}:{tag}", noprune=True)
        self._own(sess, [inner])

    def h_image_pull(self, req: Request, sess: Session) -> Forward:
        """POST /images/create: Hub names via the mirror; localhost:<port> to the session's registry."""
        name, tag = req.arg("fromImage"), req.arg("tag")
        image_rules.check_pull_request(req.arg("fromSrc"), name, tag)
        registry, repo, t = split_ref(f"{name}:{tag}" if tag else name)
        image_rules.check_not_buildkit(registry, repo)
        source, shown, relay = self._source(sess, registry, repo)
        target = normalize(f"{shown}:{t}")
        if sess.inner_image(target) not in self._mine(sess):
            try:
                self._room(sess)
            except BaseException:
                if relay is not None:
                    relay.close()
                raise
        req.query = [("fromImage", source), ("tag", t)] + [(k, v) for k, v in req.query if k == "platform"]
        prefix = source.rsplit("/", 1)[0] + "/" if not registry else source.rsplit("/", 1)[0]
        learner_prefix = "" if not registry else registry

        def rewrite(obj: dict) -> dict:
            text = json.dumps(obj).replace(prefix, learner_prefix)
            out = json.loads(text)
            msg = out.get("message") or out.get("error") or ""
            if msg and relay is not None and relay.refused:  # the engine says only "502 Bad Gateway"
                refused = relay.refused
                return (
                    {"message": refused}
                    if "message" in out
                    else {"error": refused, "errorDetail": {"message": refused}}
                )
            if not registry and re.search(r"not found|unknown|does not exist|denied", msg):
                missing = MISSING.format(repo=shown)
                if "manifest unknown" in msg and self._mirror_has(repo):
                    missing = f"manifest for {target} not found: manifest unknown: manifest unknown"
                out = (
                    {"message": missing}
                    if "message" in out
                    else {"error": missing, "errorDetail": {"message": missing}}
                )
            return out

        def done(ok: bool) -> list[dict]:
            if relay is not None:
                relay.close()
            if not ok:
                return []
            try:
                self._finish_pull(sess, source, t, target)
            except (docker.errors.APIError, Denied) as exc:
                msg = exc.message if isinstance(exc, Denied) else str(exc)
                return [{"error": msg, "errorDetail": {"message": msg}}]
            return []

        return Forward(req, "stream", on_line=rewrite, on_end=done)

    def _mirror_has(self, repo: str) -> bool:
        path = repo if "/" in repo else f"library/{repo}"
        try:
            with urllib.request.urlopen(f"http://{self.mirror}/v2/{path}/tags/list", timeout=3) as resp:
                return resp.status == 200
        except OSError:
            return False

    def h_image_push(self, req: Request, sess: Session) -> Forward:
        """POST /images/{name}/push: only to the session's own registry (localhost:<port>)."""
        name, tag = req.params["image"], req.arg("tag") or "latest"
        full = normalize(f"{name}:{tag}")
        registry, repo, t = split_ref(full)
        image_rules.check_push_target(registry)
        inner = sess.inner_image(full)
        if inner not in self._mine(sess):
            raise NoSuchObject(f"An image does not exist locally with the tag: {registry}/{repo}")
        source, shown, relay = self._source(sess, registry, repo)
        self.api.tag(inner, source, t)
        req.path = f"/images/{source}/push"
        req.set_arg("tag", t)
        host_prefix = source.rsplit("/", len(repo.split("/")))[0]

        def cleanup(ok: bool) -> list[dict]:
            if relay is not None:
                relay.close()
            try:
                self.api.remove_image(f"{source}:{t}", noprune=True)
            except docker.errors.APIError:
                pass
            return []

        def rewrite(obj: dict) -> dict:
            return json.loads(json.dumps(obj).replace(host_prefix, registry))

        return Forward(req, "stream", on_line=rewrite, on_end=cleanup)
