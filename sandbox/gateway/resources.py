"""Gateway handlers for networks, volumes and system calls (info, events, df, prune)."""

from __future__ import annotations

import json

import docker

from . import network, policy
from .errors import NoSuchObject
from .event_filters import resolve_event_filters, session_event
from .objects import add_label_filter
from .policy import networks, volumes
from .request import Request
from .server import Forward, Reply
from .session import Session


class ResourceHandlers:
    """Networks, volumes, system. Mixed into gateway.handlers.Handlers (uses ObjectHandlers' lookups)."""

    api: docker.APIClient
    internal: bool
    manager: object

    # -- networks ------------------------------------------------------------------------------
    def h_networks_list(self, req: Request, sess: Session) -> Forward:
        """GET /networks: the session's networks only."""
        add_label_filter(req, sess)
        return Forward(req, "json")

    def h_network_create(self, req: Request, sess: Session) -> Forward:
        """POST /networks/create: a plain bridge with a range and bridge name of the gateway."""
        body = networks.parse_create(req.body)
        policy.check_network_create(body, self.internal)
        self._limit("networks", sess)
        body["Labels"] = {**(body.get("Labels") or {}), **sess.labels}
        body["Options"] = {network.BRIDGE_OPTION: network.bridge_name()}
        body["IPAM"] = self.manager.subnet()  # type: ignore[attr-defined]
        body["Name"] = sess.inner(str(body.get("Name") or ""))
        req.body = json.dumps(body).encode()
        return Forward(req, "json")

    def h_network(self, req: Request, sess: Session) -> Forward:
        """GET /networks/{id} of one of the session's networks."""
        info = self.network(sess, req.params["network"])
        req.path = f"/networks/{info['Id']}"
        return Forward(req, "json")

    def h_network_delete(self, req: Request, sess: Session) -> Forward:
        """DELETE /networks/{id}: the session's networks except its default one."""
        info = self.network(sess, req.params["network"])
        networks.check_network_delete(info["Id"] == sess.network_id)
        req.path = f"/networks/{info['Id']}"
        return Forward(req)

    def h_network_connect(self, req: Request, sess: Session) -> Forward:
        """POST /networks/{id}/connect|disconnect: the session's network and container."""
        info = self.network(sess, req.params["network"])
        body = networks.parse_connect(req.body, disconnect=req.path.endswith("/disconnect"))
        body["Container"] = cid = self.container(sess, str(body.get("Container") or ""))
        if req.path.endswith("/connect"):  # DNS on that network finds the container by its name
            name = self.api.inspect_container(cid)["Name"].lstrip("/").removeprefix(sess.prefix)
            ep = body.get("EndpointConfig") or {}
            if ep.get("Links"):
                ep["Links"] = [self._link(sess, link) for link in ep["Links"]]  # type: ignore[attr-defined]
            ep["Aliases"] = list(dict.fromkeys([*(ep.get("Aliases") or []), name]))
            body["EndpointConfig"] = ep
        req.body = json.dumps(body).encode()
        req.path = req.path.replace(f"/networks/{req.params['network']}/", f"/networks/{info['Id']}/", 1)
        return Forward(req)

    # -- volumes -------------------------------------------------------------------------------
    def h_volumes_list(self, req: Request, sess: Session) -> Forward:
        """GET /volumes: the session's volumes only."""
        add_label_filter(req, sess)
        return Forward(req, "json")

    def h_volume_create(self, req: Request, sess: Session) -> Forward:
        """POST /volumes/create: local driver, no options, a name no other session holds."""
        body = volumes.parse_create(req.body)
        policy.check_volume_create(body)
        if body.get("Name"):
            if self.volume(sess, body["Name"]) is None:
                self._limit("volumes", sess)
            body["Name"] = sess.inner(body["Name"])
        else:
            self._limit("volumes", sess)
        body["Labels"] = {**(body.get("Labels") or {}), **sess.labels}
        req.body = json.dumps(body).encode()
        return Forward(req, "json")

    def h_volume(self, req: Request, sess: Session) -> Forward:
        """GET or DELETE /volumes/{name} of one of the session's volumes."""
        info = self.volume(sess, req.params["volume"])
        if info is None:
            raise NoSuchObject(f"get {req.params['volume']}: no such volume")
        req.path = f"/volumes/{info['Name']}"
        return Forward(req, "json")

    h_volume_delete = h_volume

    # -- system --------------------------------------------------------------------------------
    def h_passthrough(self, req: Request, sess: Session) -> Forward:
        """Calls without objects (ping, version): forwarded as they are."""
        return Forward(req)

    def h_prune(self, req: Request, sess: Session) -> Forward:
        """POST /{containers,images,networks,volumes}/prune: limited to the session's objects."""
        add_label_filter(req, sess, exclude=policy.LABEL_DEFAULT if req.path.startswith("/networks") else "")
        if req.path.startswith("/containers"):
            return self.prune_containers(req, sess)  # type: ignore[attr-defined]
        if not req.path.startswith("/images"):
            return Forward(req, "json")

        def pruned(status: int, obj: object) -> object:
            if status == 200 and isinstance(obj, dict):
                gone = obj.get("ImagesDeleted") or []
                self.manager.drop_tags(sess, [e["Untagged"] for e in gone if e.get("Untagged")])  # type: ignore[attr-defined]
                sess.image_ids.difference_update(e["Deleted"] for e in gone if e.get("Deleted"))
            return obj

        return Forward(req, "json", on_json=pruned)

    def h_build_prune(self, req: Request, sess: Session) -> Reply:
        """POST /build/prune: the build cache is shared, so nothing is pruned."""
        return Reply(200, {"CachesDeleted": [], "SpaceReclaimed": 0})

    def h_events(self, req: Request, sess: Session) -> Forward:
        """GET /events: the session's objects only (see event_filters); filters in the session's names."""
        resolve_event_filters(req, sess, self)
        foreign: set[str] = set()
        return Forward(
            req,
            "stream",
            on_line=lambda ev: ev if session_event(ev, sess, self, foreign) else None,
            extra={"objects_only": True},  # a line that is not a JSON object is dropped, not relayed
        )

    def h_info(self, req: Request, sess: Session) -> Forward:
        """GET /info: counts of the session's containers and images, not the engine's."""

        def scrub(status: int, obj: object) -> object:
            if status == 200 and isinstance(obj, dict):
                mine = self.api.containers(all=True, filters={"label": sess.label_filter})
                running = sum(1 for c in mine if c.get("State") == "running")
                paused = sum(1 for c in mine if c.get("State") == "paused")
                obj.update(
                    Containers=len(mine),
                    ContainersRunning=running,
                    ContainersPaused=paused,
                    ContainersStopped=len(mine) - running - paused,
                    Name="container-atlas-sandbox",
                )
                obj["Images"] = len(self._visible_images(sess))  # type: ignore[attr-defined]
            return obj

        return Forward(req, "json", on_json=scrub)

    def h_system_df(self, req: Request, sess: Session) -> Forward:
        """GET /system/df: every list cut to the session's view as the list endpoints cut it (containers
        and volumes by the session's labels, images by ImageHandlers._filter_images), no build cache,
        and the totals recomputed from what remains (see `df_totals`)."""

        def scrub(status: int, obj: object) -> object:
            if status == 200 and isinstance(obj, dict):
                mine = [c for c in obj.get("Containers") or [] if sess.owns(c.get("Labels"))]
                obj["Containers"] = [self._ports_out(sess, c) for c in mine]  # type: ignore[attr-defined]
                obj["Volumes"] = [v for v in obj.get("Volumes") or [] if sess.owns(v.get("Labels"))]
                obj["Images"] = self._filter_images(sess, obj.get("Images") or [])  # type: ignore[attr-defined]
                obj["BuildCache"] = []
                df_totals(obj)
            return obj

        return Forward(req, "json", on_json=scrub)


def df_totals(df: dict) -> None:
    """The numbers of a /system/df answer recomputed from its (already cut) lists, never the engine's.

    Each image's `Containers` counts the session's containers using it. `LayersSize` (the images'
    total that `docker system df` prints) is what the listed images take: the part of each that it
    shares with no other image (Size - SharedSize), plus the shared part once, taken as the largest
    SharedSize listed. A shared base image (busybox, debian under the service images) is counted in
    full once, as on a machine that pulled it, however many listed images build on it; the API does not
    say which layers are shared with which image, so images that share different bases are
    undercounted rather than counted twice. Nothing of the engine's other images enters the sum.
    """
    images = df.get("Images") or []
    using: dict[str, int] = {}
    for c in df.get("Containers") or []:
        using[c.get("ImageID", "")] = using.get(c.get("ImageID", ""), 0) + 1
    for img in images:
        img["Containers"] = using.get(img["Id"], 0)
    shared = [max(i.get("SharedSize") or 0, 0) for i in images]
    unique = sum(max((i.get("Size") or 0) - s, 0) for i, s in zip(images, shared, strict=True))
    df["LayersSize"] = unique + max(shared, default=0)
    if "BuilderSize" in df:
        df["BuilderSize"] = 0
