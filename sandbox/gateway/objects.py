"""The gateway's lookups: a learner's name or ID -> the session's own engine object (or NoSuchObject),
object counts against the budget, and the label filter that limits lists to the session's objects.
The handlers of containers (container_handlers.py), networks and volumes (resources.py) and images
build on them."""

from __future__ import annotations

import json
import re

import docker.errors

from . import policy
from .errors import HttpError, NoSuchObject
from .policy import budget as budget_rules
from .request import Request
from .session import Session, id_prefix, reserved


def add_label_filter(req: Request, sess: Session, exclude: str = "") -> None:
    """Restrict a list/prune/events call to the session's objects (engine-side label filter).

    Filters are sent in the engine's map form {"label": {"k=v": true}}, which every endpoint accepts.
    """
    try:
        filters = json.loads(req.arg("filters") or "{}") or {}
    except ValueError:
        raise HttpError(400, "the filters query parameter is not valid JSON") from None
    if not isinstance(filters, dict):
        raise HttpError(400, "the filters query parameter must be a JSON object")
    norm = {k: ({str(x): True for x in v} if isinstance(v, list) else dict(v)) for k, v in filters.items()}
    norm.setdefault("label", {}).update({f: True for f in sess.label_filter})
    if exclude:
        norm.setdefault("label!", {})[exclude] = True
    req.set_arg("filters", json.dumps(norm))


class ObjectHandlers:
    """Lookups and counts of the session's containers, networks and volumes. Mixed into
    gateway.handlers.Handlers, under the handlers that use them."""

    api: docker.APIClient
    budget: policy.Budget
    runtime: str
    internal: bool
    port_wait: float
    manager: object

    # -- lookups: a learner's name or ID -> the session's own engine object, or NoSuchObject ----------
    # The engine is only ever asked for a name the gateway computed (`atlas-<session>.<name>`) or for a
    # full ID it listed under the session's labels; the learner's string is never sent, so no spelling
    # (another session's engine name, a leading `/`, an ID prefix) reaches another session's object.
    def container(self, sess: Session, ref: str) -> str:
        """The full ID of the session's container `ref` (name, `/name`, ID or unique ID prefix)."""
        if ref in sess.containers:
            return ref
        name = ref[1:] if ref.startswith("/") else ref
        info = None
        if name and not reserved(name):
            info = self._inspect(self.api.inspect_container, sess.inner(name))
            if info is not None and info.get("Name") != "/" + sess.inner(name):
                info = None
        if info is None and id_prefix(ref):
            mine = self.api.containers(all=True, quiet=True, filters={"label": sess.label_filter})
            cid = self._unique(id_prefix(ref), [c["Id"] for c in mine])
            info = self._inspect(self.api.inspect_container, cid) if cid else None
        if info is None or not sess.owns(info["Config"].get("Labels")):
            raise NoSuchObject(f"No such container: {ref}")
        sess.containers.add(info["Id"])
        return info["Id"]

    @staticmethod
    def _unique(prefix: str, ids: list[str]) -> str:
        """The one full ID among `ids` that starts with `prefix` ("" when none or several)."""
        found = {i for i in ids if i.removeprefix("sha256:").startswith(prefix)}
        return found.pop() if len(found) == 1 else ""

    @staticmethod
    def _inspect(inspect, ref: str) -> dict | None:
        """What the engine knows as `ref` (a name the gateway computed or a full ID), None if nothing."""
        try:
            return inspect(ref)
        except docker.errors.NotFound:
            return None
        except docker.errors.APIError as exc:  # e.g. an invalid name
            if exc.status_code not in (400, 404):
                raise
        return None

    def network(self, sess: Session, ref: str) -> dict:
        """The session's network `ref` (name, ID or unique ID prefix; `bridge`, `default` and the
        default network's own name are the session's default network)."""
        info = None
        if ref in {"bridge", "default", sess.network, sess.network_id}:
            info = self._inspect(self.api.inspect_network, sess.network_id or sess.network)
        elif ref and not reserved(ref):
            info = self._inspect(self.api.inspect_network, sess.inner(ref))
            if info is not None and info.get("Name") != sess.inner(ref):
                info = None
        if info is None and id_prefix(ref):
            mine = self.api.networks(filters={"label": sess.label_filter})
            nid = self._unique(id_prefix(ref), [n["Id"] for n in mine])
            info = self._inspect(self.api.inspect_network, nid) if nid else None
        if info is None or not sess.owns(info.get("Labels")):
            raise NoSuchObject(f"network {ref} not found")
        return info

    def volume(self, sess: Session, name: str) -> dict | None:
        """The session's volume `name` (engine name in ["Name"]), None when the session has none.

        Named volumes live as `atlas-<session>.<name>`; anonymous ones keep their engine id (64 hex).
        """
        if not name or reserved(name):
            return None
        info = self._inspect(self.api.inspect_volume, sess.inner(name))
        if info is None and re.fullmatch(r"[0-9a-f]{64}", name):
            info = self._inspect(self.api.inspect_volume, name)
        if info is None:
            return None
        if not sess.owns(info.get("Labels")):
            raise NoSuchObject(f"get {name}: no such volume")
        return info

    def _count(self, kind: str, sess: Session) -> int:
        flt = {"label": sess.label_filter}
        if kind == "containers":
            return len(self.api.containers(all=True, filters=flt))
        if kind == "networks":
            return len(self.api.networks(filters=flt))
        return len(self.api.volumes(filters=flt).get("Volumes") or [])

    def _limit(self, kind: str, sess: Session, extra: int = 1) -> None:
        budget_rules.check_room(kind, self._count(kind, sess), getattr(self.budget, kind), extra)
