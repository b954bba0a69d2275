"""GatewayManager: one Docker API gateway socket per `docker` sandbox session (the socket is the identity)."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import docker
import docker.errors
from atlas.statedir import state_dir_path
from docker.types import Mount

from sandbox.limits import Budget, declared_limits

from . import cgroups, disk, lineage, network, policy, userns
from .acceptor import Acceptor
from .handlers import Handlers
from .ports import PortForwarder, listen_unix
from .server import HttpLimits, Proxy
from .session import SESSION_ID, Session, load_saved, restore_ports

if TYPE_CHECKING:
    from sandbox.config import GatewaySettings

log = logging.getLogger(__name__)
SANDBOX_DIR = "/run/atlas-gateway"


def default_state_dir() -> Path:
    """The project's state directory (the one rule: `atlas.statedir`)."""
    return state_dir_path()


class GatewayManager:
    """Opens, serves and closes per-session gateways.

    `settings` is the `gateway:` section of sandbox/config.yaml (sandbox.config.GatewaySettings, every key
    documented there); `limits` is its `limits:` section (the budget of each session; default: the
    declared one).
    """

    def __init__(
        self, docker_client: docker.DockerClient, settings: GatewaySettings, limits: Budget | None = None
    ) -> None:
        cfg = settings
        self.client = docker_client
        self.api = docker_client.api
        self.engine_socket = cfg.engine_socket
        self.state_dir = Path(cfg.state_dir or default_state_dir() / "gateway")
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.instance = cfg.instance
        self.internal = cfg.network_internal
        self.budget = limits or declared_limits()
        self.proxy = Proxy(self.engine_socket, HttpLimits(**cfg.http), self.budget.build_context)
        self.handlers = Handlers(self.api, self, cfg, self.budget)
        self.acceptor = Acceptor()
        self.ports = PortForwarder(self.acceptor)
        self.sessions: dict[str, Session] = {}
        self._lock = threading.RLock()
        # Address ranges handed to network creates that the engine may not list yet (network.free_subnet);
        # shared by every session's handler threads, guarded by _lock.
        self._reserved: dict[str, float] = {}
        self.max_connections = cfg.max_connections
        self.block_host = cfg.block_host
        self._firewall_ready = False
        self.subnet_pool = cfg.subnet_pool
        self.subnet_prefix = cfg.subnet_prefix
        self.sandbox_gid = cfg.sandbox_gid
        self._socket_gid: int | None = None
        self.cgroup_problem = cgroups.probe() if cfg.session_cgroups else "disabled in config"
        if self.cgroup_problem:
            log.error(
                "gateway: sessions run WITHOUT total memory/CPU/pids limits (each container is still "
                "limited): %s",
                self.cgroup_problem,
            )
        self.disk = disk.DiskWatcher(
            self.api,
            lambda: list(self.sessions.values()),
            self.budget.session_disk,
            self.session_images,
            cfg.disk_interval,
            lambda sess: (
                cgroups.SessionCgroup(sess.id, 0, 0, 0).container_ids() if sess.cgroup_parent else []
            ),
        )
        self.disk.start()

    def session_images(self, sess: Session) -> list[dict]:
        """Every image `sess` caused (tagged, untagged, failed builds), as /images/json entries."""
        own = getattr(self.handlers, "session_images", None)  # helper S1's, when it exists
        return own(sess) if own else disk.session_images(self.api, sess)

    def socket_gid(self) -> int:
        """The host group of the sandbox user (remapped when the engine uses userns-remap)."""
        if self._socket_gid is None:
            self._socket_gid = userns.host_gid(self.api.info(), self.sandbox_gid)
        return self._socket_gid

    # -- image names the session created (engine names, `atlas-<id>.` prefix; kept for crash clean-up) --
    def own_tags(self, sess: Session, tags: list[str]) -> None:
        """Record that `sess` created the image names `tags`."""
        with sess.lock:
            sess.tags.update(tags)
        sess.save()

    def drop_tags(self, sess: Session, tags: list[str]) -> None:
        """Forget image names of `sess` that were removed."""
        with sess.lock:
            sess.tags.difference_update(tags)
        sess.save()

    def subnet(self) -> dict:
        """IPAM settings (a free small range of the gateway's pool) for a new network."""
        with self._lock:  # one range per create, even when sessions create networks at once
            return network.free_subnet(self.api, self.subnet_pool, self.subnet_prefix, self._reserved)

    def ports_changed(self, sess: Session) -> None:
        """Published ports of `sess` changed: update the sandbox's forwarder (and the saved state)."""
        sess.save()
        self.ports.changed(sess)

    def host_port(self, session_id: str, port: int) -> int | None:
        """The real 127.0.0.1 port behind the sandbox's `localhost:<port>` (for the preview proxy)."""
        sess = self.sessions.get(session_id)
        pm = sess.ports.get(port) if sess else None
        return pm.host_port if pm else None

    # -- lifecycle -----------------------------------------------------------------------------
    def open(self, session_id: str) -> dict:
        """Start the gateway of a session; returns mounts and environment for the sandbox container."""
        if not SESSION_ID.match(session_id):
            raise ValueError(f"gateway: bad session id {session_id!r}")
        if session_id in self.sessions:
            raise ValueError(f"gateway: session {session_id} is already open")
        sess = Session(session_id, self.instance, self.state_dir / session_id)
        sess.dir.mkdir(mode=0o700, exist_ok=True)
        os.chmod(sess.dir, 0o700)  # until its sockets belong to the sandbox's group (userns.restrict)
        sandbox_cgroup = ""
        if not self.cgroup_problem:
            b = self.budget
            cg = cgroups.SessionCgroup(
                session_id, b.session_memory, b.session_cpus, b.session_pids, b.pids, b.memory
            )
            sandbox_cgroup = cg.create()
            sess.cgroup_parent = cg.run_parent
        sess.network = f"atlas-{session_id}"
        with contextlib.suppress(docker.errors.NotFound):  # a leftover of a crash with this id: start clean
            stale = self.api.inspect_network(sess.network)
            if (stale.get("Labels") or {}).get(policy.LABEL_SESSION) == session_id:
                self._remove_objects(session_id, [])
        if self.block_host and not self._firewall_ready:
            self._firewall_ready = network.ensure_rule()
        with self._lock:
            ipam = self.subnet()
            net = self.api.create_network(
                sess.network,
                driver="bridge",
                internal=self.internal,
                options={network.BRIDGE_OPTION: network.bridge_name()},
                ipam=ipam,
                labels={**sess.labels, policy.LABEL_DEFAULT: "true"},
                check_duplicate=True,
            )
        sess.network_id = net["Id"]
        sess.save()
        sock = listen_unix(str(sess.dir / "docker.sock"))
        sess.listeners.append(sock)
        self.sessions[session_id] = sess
        self.ports.open(sess)
        userns.restrict(sess.dir, [sess.dir / "docker.sock", sess.dir / "ctl.sock"], self.socket_gid())
        self.acceptor.add(sock, lambda conn: self._serve(sess, conn), f"atlas-gw-{session_id}")
        return {
            "mounts": [
                Mount(target=SANDBOX_DIR, source=str(sess.dir), type="bind", read_only=True),
                Mount(target="/var/run/docker.sock", source=str(sess.dir / "docker.sock"), type="bind"),
            ],
            # The CLI uses the socket inside the mounted FOLDER: a restarted service re-creates the
            # socket file, which a bind of the file itself (/var/run/docker.sock) would no longer reach.
            "environment": {
                "DOCKER_HOST": f"unix://{SANDBOX_DIR}/docker.sock",
                "ATLAS_GATEWAY_DIR": SANDBOX_DIR,
                # The path of this session's preview links (for servers that must know their external
                # URL, e.g. prometheus --web.external-url="$ATLAS_PREVIEW/9090"); not a secret.
                "ATLAS_PREVIEW": f"/preview/{session_id}",
            },
            # Lets the forwarder listen on ports below 1024 (docker run -p 80:80) as the learner.
            "sysctls": {"net.ipv4.ip_unprivileged_port_start": "0"},
            **({"cgroup_parent": sandbox_cgroup} if sess.cgroup_parent else {}),
        }

    def adopt(self, session_id: str) -> bool:
        """After a restart: serve a session again from its folder and the engine (False when its state
        is gone). Same socket paths, its network, its cgroup, its containers and published ports."""
        folder = self.state_dir / session_id
        if not SESSION_ID.match(session_id) or session_id in self.sessions or not folder.is_dir():
            return False
        sess = Session(session_id, self.instance, folder)
        saved = load_saved(folder)
        sess.tags = set(saved.get("tags", []))
        sess.image_ids = set(saved.get("image_ids", []))
        sess.network = f"atlas-{session_id}"
        try:
            sess.network_id = self.api.inspect_network(sess.network)["Id"]
        except docker.errors.NotFound:
            return False
        if not self.cgroup_problem:
            sess.cgroup_parent = cgroups.SessionCgroup(session_id, 0, 0, 0).run_parent
        flt = {"label": sess.label_filter}
        sess.containers = {c["Id"] for c in self.api.containers(all=True, filters=flt)}
        sess.ports = restore_ports(saved.get("ports", {}), sess.containers)
        sock = listen_unix(str(folder / "docker.sock"))
        sess.listeners.append(sock)
        self.sessions[session_id] = sess
        self.ports.open(sess)
        self.ports.changed(sess)  # per-port sockets; the sandbox's forwarder reconnects within a second
        userns.restrict(folder, [folder / "docker.sock", folder / "ctl.sock"], self.socket_gid())
        self.acceptor.add(sock, lambda conn: self._serve(sess, conn), f"atlas-gw-{session_id}")
        log.info("gateway: adopted session %s (%d container(s), %d port(s))", session_id,
                 len(sess.containers), len(sess.ports))  # fmt: skip
        return True

    def _serve(self, sess: Session, conn: socket.socket) -> None:
        if sess.closed or len(sess.conns) >= self.max_connections:
            from .httpio import json_response

            with contextlib.suppress(OSError):
                conn.sendall(
                    json_response(
                        429, {"message": "too many connections to the sandbox's Docker API"}, close=True
                    )
                )
            conn.close()
            return
        sess.conns.add(conn)
        try:
            self.proxy.serve(conn, lambda req: self._dispatch(req, sess), sess.big_slots)
        finally:
            sess.conns.discard(conn)

    def _dispatch(self, req, sess: Session):
        """The policy's answer to one request; requests that make a session grow while it is over its
        disk budget are refused (measured again first: the learner may have removed something)."""
        route, _ = policy.match(req.method, req.path)
        growing = disk.grows(route.handler, req.path, req.method)
        if growing and self.disk.refusal(sess.id):
            self.disk.check(sess)
            if self.disk.refusal(sess.id):
                policy.budget.check_disk(self.disk.refusal(sess.id))
        action = self.handlers.dispatch(req, sess)
        if growing:
            self.disk.poke()
        return action

    def close(self, session_id: str) -> None:
        """Stop serving a session and remove everything it created; shared images stay."""
        sess = self.sessions.pop(session_id, None)
        self.disk.forget(session_id)
        if sess is None:
            saved = load_saved(self.state_dir / session_id)
            self._remove_objects(session_id, saved.get("tags", []), set(saved.get("image_ids", [])))
            self._remove_cgroup(session_id)
            shutil.rmtree(self.state_dir / session_id, ignore_errors=True)
            return
        sess.closed = True
        for sock in sess.listeners:
            self.acceptor.remove(sock)
        self.ports.close(sess)
        for conn in list(sess.conns):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._remove_objects(session_id, list(sess.tags), sess.image_ids)
        self._remove_cgroup(session_id)
        shutil.rmtree(sess.dir, ignore_errors=True)

    def _remove_cgroup(self, session_id: str) -> None:
        """Remove the session's cgroup (its containers are gone by now; busy ones are logged)."""
        if self.cgroup_problem:
            return
        left = cgroups.SessionCgroup(session_id, 0, 0, 0).remove()
        if left:
            log.warning("gateway: cgroups of session %s still busy, not removed: %s", session_id, left)

    def _remove_objects(self, session_id: str, tags: list[str], image_ids: set[str] | None = None) -> None:
        flt = {"label": [f"{policy.LABEL_SESSION}={session_id}", f"{policy.LABEL_ORIGIN}=gateway"]}
        for c in self.api.containers(all=True, filters=flt):
            with contextlib.suppress(docker.errors.APIError):
                self.api.remove_container(c["Id"], force=True, v=True)
        for n in self.api.networks(filters=flt):
            with contextlib.suppress(docker.errors.APIError):
                self.api.remove_network(n["Id"])
        for v in self.api.volumes(filters=flt).get("Volumes") or []:
            with contextlib.suppress(docker.errors.APIError):
                self.api.remove_volume(v["Name"], force=True)
        # every image the session caused: names, tagged, untagged, failed builds (lineage.py)
        left = lineage.remove_session_images(self.api, session_id, tags, image_ids or ())
        if left:
            log.warning("gateway: images of session %s could not be removed: %s", session_id, left)

    def cleanup_orphans(self, live_session_ids: set[str]) -> None:
        """At start-up: remove gateway objects and state of sessions that no longer exist.

        A session is ours when its folder is in our state directory or its objects carry our instance
        label; objects of another server sharing the engine (other state dir and instance) stay.
        """
        live = set(live_session_ids) | set(self.sessions)
        dead: set[str] = set()
        flt = {"label": [f"{policy.LABEL_ORIGIN}=gateway"]}
        if self.instance:
            flt["label"].append(f"{policy.LABEL_INSTANCE}={self.instance}")
        for obj in (
            self.api.containers(all=True, filters=flt)
            + self.api.networks(filters=flt)
            + (self.api.volumes(filters=flt).get("Volumes") or [])
            + self.api.images(all=True, filters=flt)
        ):
            sid = (obj.get("Labels") or {}).get(policy.LABEL_SESSION)
            if sid and sid not in live:
                dead.add(sid)
        for path in self.state_dir.iterdir():
            if path.is_dir() and path.name not in live:
                dead.add(path.name)
        for sid in sorted(dead):
            log.info("gateway: removing leftovers of session %s", sid)
            self.close(sid)

    def detach(self) -> None:
        """Stop serving (a restart): sockets close, every session's objects and folder stay for adopt()."""
        self.disk.stop()
        for sess in list(self.sessions.values()):
            sess.save()
            for sock in sess.listeners:
                self.acceptor.remove(sock)
            self.ports.close(sess)
            for conn in list(sess.conns):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        self.sessions.clear()
        self.acceptor.stop()

    def shutdown(self) -> None:
        """Close every open session and stop the acceptor thread."""
        self.disk.stop()
        for sid in list(self.sessions):
            self.close(sid)
        self.acceptor.stop()
