"""`docker events` in the session's view. The filters that name objects (container=, image=, network=,
volume=) are sent to the engine as the session's engine names and IDs, so a learner's name matches the
learner's object; a name or ID of another session or of the gateway's own objects becomes a value that
matches nothing. Whatever the filters say, the gateway passes on only the session's events
(`session_event`): those of objects carrying the session's labels (containers, images it made), and,
since the engine's network and volume events carry no labels, those of the session's networks and
volumes by engine name, ID and the container they concern. Events name objects as the learner does (the
session prefix is scrubbed from every line)."""

from __future__ import annotations

import json

import docker.errors

from .errors import HttpError, NoSuchObject
from .request import Request
from .session import Session, id_prefix, reserved, split_ref

# No event's object name or ID starts with "/" (events name containers without it): a filter value
# that matches no event. A filter is never dropped, since no value at all would match every event.
NOTHING = "/"


def resolve_event_filters(req: Request, sess: Session, handlers) -> None:
    """Rewrite the `filters` query of GET /events: object filters as the engine knows the session's
    objects (see the module docstring); other filters (type, event, label, since...) as they are.
    `handlers` is the gateway's Handlers (its image lookup and engine client)."""
    raw = req.arg("filters")
    if not raw:
        return
    try:
        filters = json.loads(raw) or {}
    except ValueError:
        raise HttpError(400, "the filters query parameter is not valid JSON") from None
    if not isinstance(filters, dict):
        raise HttpError(400, "the filters query parameter must be a JSON object")
    kinds = {"container": _container, "image": _image, "network": _network, "volume": _volume}
    for key, values in list(filters.items()):
        if key not in kinds:
            continue
        given = list(values) if isinstance(values, (list, dict)) else [values]
        engine: dict[str, bool] = {}
        for value in given:
            value = str(value)
            found = [] if reserved(value) else kinds[key](value, sess, handlers)
            engine.update({v: True for v in found} or {NOTHING: True})
        filters[key] = engine
    req.set_arg("filters", json.dumps(filters))


def _prefixed(hexid: str, ids: list[str]) -> list[str]:
    """The full IDs among `ids` that start with the hex ID prefix `hexid` ("" matches none)."""
    return [i for i in ids if hexid and i.removeprefix("sha256:").startswith(hexid)]


def _container(value: str, sess: Session, handlers) -> list[str]:
    """The engine name (matched as a prefix, as the engine matches names) and the session's container
    IDs that `value` begins."""
    name = value.removeprefix("/")
    out = [sess.prefix + name]
    if id_prefix(value):
        mine = handlers.api.containers(all=True, quiet=True, filters={"label": sess.label_filter})
        out += _prefixed(id_prefix(value), [c["Id"] for c in mine])
    return out


def _image(value: str, sess: Session, handlers) -> list[str]:
    """The forms the engine compares (exactly, with and without the tag): the session's own name for
    `value`, the shared name, and the image's ID when `value` is a visible image now (an ID is sent
    only then)."""
    out = []
    if not id_prefix(value) and "@" not in value:
        registry, repo, tag = split_ref(value)
        inner = f"{registry}/{sess.prefix}{repo}" if registry else f"{sess.prefix}{repo}"
        out += [value, inner, f"{inner}:{tag}"]
    try:
        info = handlers.image(sess, value)
        out += [info["Id"], info["_ref"]]
    except NoSuchObject:
        pass
    return list(dict.fromkeys(out))


def _network(value: str, sess: Session, handlers) -> list[str]:
    """The session's network of that name (by ID for its default network, whose engine name is a
    prefix of others' names) and the session's network IDs that `value` begins."""
    if value in {"bridge", "default"}:
        return [sess.network_id] if sess.network_id else []
    out = [sess.prefix + value]
    if id_prefix(value):
        mine = handlers.api.networks(filters={"label": sess.label_filter})
        out += _prefixed(id_prefix(value), [n["Id"] for n in mine])
    return out


def _volume(value: str, sess: Session, handlers) -> list[str]:
    """The session's volume of that name, and its anonymous volumes (named by ID) that `value` begins."""
    out = [sess.prefix + value]
    if id_prefix(value):
        mine = handlers.api.volumes(filters={"label": sess.label_filter}).get("Volumes") or []
        out += _prefixed(id_prefix(value), [v["Name"] for v in mine if not v["Name"].startswith("atlas-")])
    return out


def session_event(ev: dict, sess: Session, handlers, foreign: set[str]) -> bool:
    """True when the engine event `ev` is about the session's own objects; everything else (other
    sessions', the gateway's and the sandbox's own objects, the daemon, plugins) is dropped. `foreign`
    remembers, for one stream, the containers found not to be the session's (looked up once)."""
    actor = ev.get("Actor") if isinstance(ev.get("Actor"), dict) else {}
    attrs = actor.get("Attributes") if isinstance(actor.get("Attributes"), dict) else {}
    if sess.owns(attrs):  # containers and images the session made: their labels are the attributes
        return True
    kind, oid, name = ev.get("Type"), str(actor.get("ID") or ""), str(attrs.get("name") or "")
    if "container" in attrs and not _own_container(str(attrs["container"]), sess, handlers, foreign):
        return False  # a connect, disconnect, mount of a container that is not the session's
    if kind == "network":
        mine = (sess.network_id and oid == sess.network_id) or (sess.network and name == sess.network)
        return bool(mine or name.startswith(sess.prefix))
    if kind == "volume":  # named volumes by engine name; anonymous ones when a container of ours uses them
        return oid.startswith(sess.prefix) or bool(oid and "container" in attrs)
    return False


def _own_container(cid: str, sess: Session, handlers, foreign: set[str]) -> bool:
    """True when the full container ID `cid` is one of the session's (known, or labelled so)."""
    if cid in sess.containers:
        return True
    if cid in foreign:
        return False
    try:
        labels = handlers.api.inspect_container(cid)["Config"].get("Labels")
    except docker.errors.APIError:
        labels = None
    if sess.owns(labels):
        sess.containers.add(cid)
        return True
    foreign.add(cid)
    return False
