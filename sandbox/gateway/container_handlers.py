"""Gateway handlers for containers and exec: create (checked, rebuilt, ports mapped), start, attach,
inspect, remove; exec create and start. The rules are asked of the policy package."""

from __future__ import annotations

import contextlib
import io
import json
import re
import socket
import time

import docker.errors
from atlas.localports import free_port

from . import policy
from .buildcontext import Bounds, check_upload
from .errors import HttpError, Malformed, NoSuchObject
from .objects import ObjectHandlers, add_label_filter
from .policy import container_create, jsondecode
from .policy import containers as container_rules
from .policy import exec as exec_policy
from .policy import ports as port_rules
from .request import Request
from .server import Forward
from .session import PortMap, Session

# The engine's name of an anonymous volume; a session's named volumes are `atlas-<session>.<name>`.
ANONYMOUS = re.compile(r"[0-9a-f]{64}")


class ContainerHandlers(ObjectHandlers):
    """Containers and exec instances of a session. Mixed into gateway.handlers.Handlers."""

    # -- containers ----------------------------------------------------------------------------
    def h_containers_list(self, req: Request, sess: Session) -> Forward:
        """GET /containers/json: the session's containers, ports as the learner published them."""
        add_label_filter(req, sess)
        return Forward(req, "json", on_json=lambda st, obj: self._list_out(sess, st, obj))

    def _list_out(self, sess: Session, status: int, obj: object) -> object:
        """The list's ports as the learner published them; an engine error is passed on as it is."""
        if status != 200 or not isinstance(obj, list):
            return obj
        return [self._ports_out(sess, c) for c in obj]

    def _ports_out(self, sess: Session, c: dict) -> dict:
        back = {pm.host_port: port for port, pm in sess.ports.items()}
        for p in c.get("Ports") or []:
            if p.get("PublicPort") in back:
                p["PublicPort"], p["IP"] = back[p["PublicPort"]], "0.0.0.0"
        return c

    def h_container_create(self, req: Request, sess: Session) -> Forward:
        """POST /containers/create: the policy's checks, then labels, budget, network and ports."""
        body = container_create.parse(req.body)  # canonical fields only: the learner's bytes stay here
        refs = policy.check_container_create(  # every container of the session under the session's cgroup
            body, self.budget, self.runtime, cgroup_parent=sess.cgroup_parent
        )
        image = self.image(sess, body.get("Image") or "")  # type: ignore[attr-defined]
        body["Image"] = image["_ref"]
        image_volumes = (image.get("Config") or {}).get("Volumes")
        container_create.check_anonymous_volumes(body, image_volumes, self.budget.volumes)
        hc = body["HostConfig"]
        name = req.arg("name").lstrip("/")
        if name:
            req.set_arg("name", sess.inner(name))
        mode = hc.get("NetworkMode") or "default"
        if mode in {"default", "bridge"}:
            hc["NetworkMode"] = mode = sess.network
        elif mode != "none" and not mode.startswith("container:"):
            hc["NetworkMode"] = mode = self.network(sess, mode)["Name"]
        nc = body.get("NetworkingConfig") or {}
        eps = nc.get("EndpointsConfig") or {}
        for key in list(eps):
            net = sess.network if key in {"bridge", "default"} else self.network(sess, key)["Name"]
            ep = eps.pop(key) or {}
            if ep.get("Links"):
                ep["Links"] = [self._link(sess, link) for link in ep["Links"]]
            eps[net] = ep
        if name and mode not in {"none"} and not mode.startswith("container:"):  # DNS: `web` finds `web`
            ep = eps.setdefault(mode, {})
            ep["Aliases"] = list(dict.fromkeys([*(ep.get("Aliases") or []), name]))
        body["NetworkingConfig"] = {**nc, "EndpointsConfig": eps}
        for key in ("PidMode", "IpcMode", "NetworkMode"):
            if str(hc.get(key) or "").startswith("container:"):
                hc[key] = "container:" + self.container(sess, hc[key].split(":", 1)[1])
        hc["Links"] = [self._link(sess, link) for link in hc.get("Links") or []] or None
        hc["VolumesFrom"] = [
            ":".join([self.container(sess, vf.split(":")[0]), *vf.split(":")[1:]])
            for vf in hc.get("VolumesFrom") or []
        ] or None
        for vol in refs.volumes:
            if self.volume(sess, vol) is None:
                self._limit("volumes", sess)
                self.api.create_volume(sess.inner(vol), labels=sess.labels)
        hc["Binds"] = [
            ":".join([sess.inner(b.split(":")[0]), *b.split(":")[1:]]) for b in hc.get("Binds") or []
        ] or None
        for mount in hc.get("Mounts") or []:
            if mount.get("Type", "volume") == "volume" and mount.get("Source"):
                mount["Source"] = sess.inner(mount["Source"])
        self._limit("containers", sess)
        body["Labels"] = {**(body.get("Labels") or {}), **sess.labels}
        pending = self._map_ports(sess, hc, refs.ports)
        req.body = json.dumps(body).encode()

        def created(status: int, obj: object) -> object:
            if status == 201 and isinstance(obj, dict):
                sess.containers.add(obj["Id"])
                with sess.lock:
                    for learner, cport, host in pending:
                        sess.ports[learner] = PortMap(obj["Id"], host, cport)
                if pending:
                    self.manager.ports_changed(sess)  # type: ignore[attr-defined]
            return obj

        return Forward(req, "json", on_json=created)

    def _link(self, sess: Session, link: str) -> str:
        """`--link name[:alias]` with the session's container ID for `name`."""
        return f"{self.container(sess, link.split(':')[0].lstrip('/'))}:{link.split(':')[-1].lstrip('/')}"

    def _map_ports(self, sess: Session, hc: dict, ports: list[tuple[str, str]]) -> list[tuple[int, str, int]]:
        pending: list[tuple[int, str, int]] = []
        bindings: dict[str, list[dict]] = {}
        for cport, asked in ports:
            host = free_port()
            learner = port_rules.check_host_port(asked, host)
            old = sess.ports.get(learner)
            if old is not None or any(p[0] == learner for p in pending):
                if old is None or self._running(old.container):
                    raise HttpError(409, f"Bind for 0.0.0.0:{learner} failed: port is already allocated")
            pending.append((learner, cport, host))
            port_rules.check_port_count(len(set(sess.ports) | {p[0] for p in pending}))
            bindings.setdefault(cport, []).append({"HostIp": "127.0.0.1", "HostPort": str(host)})
        hc["PortBindings"] = bindings
        return pending

    def _running(self, cid: str) -> bool:
        try:
            return bool(self.api.inspect_container(cid)["State"]["Running"])
        except docker.errors.NotFound:
            return False

    def h_container(self, req: Request, sess: Session) -> Forward:
        """Calls on one of the session's containers (inspect, logs, stop, archive, ...)."""
        cid = self.container(sess, req.params["container"])
        action = req.path[len(f"/containers/{req.params['container']}") :]
        req.path = f"/containers/{cid}{action}"
        if action == "/rename":
            name = req.arg("name").removeprefix("/")
            if not name:
                raise Malformed("query parameter name", "the new name of the container is missing")
            req.set_arg("name", sess.inner(name))
        if action == "/archive" and req.method == "PUT":  # `docker cp` into it: unpacked by the engine
            body = req.body_file if req.body_file is not None else io.BytesIO(req.body)
            check_upload(body, Bounds.for_upload(self.budget.build_context))
        if action == "/json":
            return Forward(req, "json", on_json=lambda st, obj: self._inspect_out(sess, st, obj))
        if action == "/stats":  # JSON objects naming the container: scrubbed like every JSON answer
            return Forward(req, "stream")
        return Forward(req)

    def _inspect_out(self, sess: Session, status: int, obj: object) -> object:
        if status != 200 or not isinstance(obj, dict):
            return obj
        back = {pm.host_port: port for port, pm in sess.ports.items()}
        for key in ("NetworkSettings", "HostConfig"):
            ports = (obj.get(key) or {}).get("Ports" if key == "NetworkSettings" else "PortBindings") or {}
            for bindings in ports.values():
                for b in bindings or []:
                    if b.get("HostPort", "").isdigit() and int(b["HostPort"]) in back:
                        b["HostIp"], b["HostPort"] = "0.0.0.0", str(back[int(b["HostPort"])])
        return obj

    def h_container_start(self, req: Request, sess: Session) -> Forward:
        """POST /containers/{id}/start: no host config; waits for published ports to listen."""
        container_rules.check_start_body(jsondecode.loads(req.body))
        req.body = b""
        fwd = self.h_container(req, sess)
        cid = self.container(sess, req.params["container"])
        ports = [pm.container_port for pm in sess.ports.values() if pm.container == cid]
        if not ports or self.port_wait <= 0:
            return fwd

        def started(status: int, obj: object) -> object:
            if status < 300:
                self._wait_listening(cid, ports)
            return obj

        fwd.mode, fwd.on_json = "json", started
        return fwd

    def _wait_listening(self, cid: str, ports: list[str]) -> None:
        """Return once a published port accepts connections (at most port_wait seconds), so that
        `docker run -d -p 8080:80 httpd && curl localhost:8080` does not race the server's start."""
        try:
            nets = self.api.inspect_container(cid)["NetworkSettings"]["Networks"] or {}
        except docker.errors.APIError:
            return
        ips = [n["IPAddress"] for n in nets.values() if n.get("IPAddress")]
        targets = [(ip, int(p.split("/")[0])) for ip in ips[:1] for p in ports if p.endswith("/tcp")]
        end = time.monotonic() + self.port_wait
        while targets and time.monotonic() < end:
            for target in targets:
                try:
                    with socket.create_connection(target, timeout=0.2):
                        return
                except OSError:
                    pass
            time.sleep(0.05)

    def h_container_attach(self, req: Request, sess: Session) -> Forward:
        """POST /containers/{id}/attach: the hijacked stream, relayed both ways."""
        fwd = self.h_container(req, sess)
        fwd.mode = "hijack"
        return fwd

    def h_container_delete(self, req: Request, sess: Session) -> Forward:
        """DELETE /containers/{id}: with its anonymous volumes; frees its published ports."""
        cid = self.container(sess, req.params["container"])
        req.path = f"/containers/{cid}"
        req.set_arg("v", "1")  # anonymous volumes go with their container

        def removed(status: int, obj: object) -> object:
            if status < 300:
                sess.containers.discard(cid)
                with sess.lock:
                    gone = [p for p, pm in sess.ports.items() if pm.container == cid]
                    for p in gone:
                        del sess.ports[p]
                if gone:
                    self.manager.ports_changed(sess)  # type: ignore[attr-defined]
            return obj

        return Forward(req, "json", on_json=removed)

    def prune_containers(self, req: Request, sess: Session) -> Forward:
        """POST /containers/prune (label filter already added): the anonymous volumes of the pruned
        containers go with them, as with `docker rm` (the engine's prune leaves them, and such volumes
        carry no session label: nothing would measure or remove them)."""
        anonymous = {
            c["Id"]: [m["Name"] for m in c.get("Mounts") or [] if ANONYMOUS.fullmatch(m.get("Name") or "")]
            for c in self.api.containers(all=True, filters={"label": sess.label_filter})
        }

        def pruned(status: int, obj: object) -> object:
            if status == 200 and isinstance(obj, dict):
                for cid in obj.get("ContainersDeleted") or []:
                    sess.containers.discard(cid)
                    for name in anonymous.get(cid, []):
                        with contextlib.suppress(docker.errors.APIError):  # still used (--volumes-from)
                            self.api.remove_volume(name)
            return obj

        return Forward(req, "json", on_json=pruned)

    # -- exec ----------------------------------------------------------------------------------
    def h_exec_create(self, req: Request, sess: Session) -> Forward:
        """POST /containers/{id}/exec: no privileged exec; the exec id becomes the session's."""
        cid = self.container(sess, req.params["container"])
        body = exec_policy.parse_create(req.body)
        policy.check_exec_create(body)
        listed = self.api.inspect_container(cid).get("ExecIDs") or []
        exec_policy.check_exec_room(len(sess.execs.intersection(listed)))  # not its health checks
        req.body = json.dumps(body).encode()
        req.path = f"/containers/{cid}/exec"

        def created(status: int, obj: object) -> object:
            if status == 201 and isinstance(obj, dict):
                sess.execs.add(obj["Id"])
            return obj

        return Forward(req, "json", on_json=created)

    def h_exec(self, req: Request, sess: Session) -> Forward:
        """Calls on one of the session's exec instances."""
        eid = req.params["exec"]
        if eid not in sess.execs:
            raise NoSuchObject(f"No such exec instance: {eid}")
        req.path = f"/exec/{eid}{req.path[len(f'/exec/{eid}') :]}"
        return Forward(req)

    def h_exec_start(self, req: Request, sess: Session) -> Forward:
        """POST /exec/{id}/start: the hijacked stream, relayed both ways."""
        req.body = json.dumps(exec_policy.parse_start(req.body)).encode()
        fwd = self.h_exec(req, sess)
        fwd.mode = "hijack"
        return fwd
