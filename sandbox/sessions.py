"""Sessions: one sandbox container per learner, with a secret token, limits, lifetime and idle reaping.

The `SessionManager` owns every container of this server instance: it takes warm containers from the
pool (or starts one), asks the Docker API gateway for a socket when the profile has `gateway: true`,
reaps expired sessions in a background thread (the terminal receives `{"type":"expired",...}` first),
and removes everything on shutdown. At start-up it removes containers left by dead instances.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import docker
import docker.errors

from sandbox.config import Config
from sandbox.containers import (
    InstanceLock,
    cleanup_orphans,
    new_session_id,
    own_containers,
    remove_many,
    remove_quietly,
    start_container,
)
from sandbox.errors import BadRequest, Forbidden, NotFoundError, TooManyRequests, Unauthorized, Unavailable
from sandbox.metrics import Metrics
from sandbox.pool import WarmPool

log = logging.getLogger("sandbox")


@dataclass
class Session:
    """One live sandbox session."""

    id: str
    token: str
    profile: str
    container_id: str
    client: str
    lifetime: float
    idle_timeout: float
    created: float = field(default_factory=time.time)
    last_input: float = field(default_factory=time.monotonic)
    started: float = field(default_factory=time.monotonic)
    terminal: Any = None  # the attached sandbox.terminal.Bridge, if any
    gateway: bool = False
    ended: str | None = None

    @property
    def expires_at(self) -> float:
        """Wall-clock time (epoch seconds) when the lifetime ends."""
        return self.created + self.lifetime

    def public(self, with_token: bool = False) -> dict:
        """The JSON view of the session."""
        now = time.monotonic()
        d = {
            "id": self.id,
            "profile": self.profile,
            "expires_at": round(self.expires_at, 3),
            "seconds_left": max(0, round(self.started + self.lifetime - now)),
            "idle_seconds_left": max(0, round(self.last_input + self.idle_timeout - now)),
        }
        if with_token:
            d["token"] = self.token
        return d


class SessionManager:
    """Creates, finds, reaps and removes sessions of this server instance."""

    def __init__(self, client: docker.DockerClient, config: Config, gateway: Any = None) -> None:
        self.client = client
        self.config = config
        self.gateway = gateway
        self.instance_id = config.instance_id or uuid.uuid4().hex[:12]
        config.instance_id = self.instance_id
        self.metrics = Metrics()
        self.pool = WarmPool(client, config)
        self.sessions: dict[str, Session] = {}
        self.pending: dict[str, int] = {}  # client address -> sessions being created
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.reaper: threading.Thread | None = None
        self.instance_lock: InstanceLock | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Register the instance, remove orphans of dead instances, start the pool and the reaper."""
        self.instance_lock = InstanceLock(self.config.state_path, self.instance_id)
        _, live = cleanup_orphans(self.client, self.instance_lock, self.instance_id)
        if self.gateway is not None and hasattr(self.gateway, "cleanup_orphans"):
            try:
                self.gateway.cleanup_orphans(live)
            except Exception as exc:  # noqa: BLE001 - never block start-up on the gateway
                log.warning("gateway cleanup_orphans failed: %s", exc)
        self.pool.start()
        self.reaper = threading.Thread(target=self._reap_loop, name="sandbox-reaper", daemon=True)
        self.reaper.start()

    def shutdown(self) -> None:
        """End every session, empty the pool, remove every container of this instance."""
        if self.stopping.is_set():
            return
        self.stopping.set()
        with self.lock:
            sessions = list(self.sessions.values())
        threads = [threading.Thread(target=self.end, args=(s, "shutdown"), daemon=True) for s in sessions]
        for t in threads:
            t.start()
        self.pool.stop()
        for t in threads:
            t.join(timeout=30)
        if self.gateway is not None and hasattr(self.gateway, "shutdown"):
            try:
                self.gateway.shutdown()
            except Exception as exc:  # noqa: BLE001
                log.warning("gateway shutdown failed: %s", exc)
        remove_many(self.client, own_containers(self.client, self.instance_id))
        if self.instance_lock:
            self.instance_lock.release()
            self.instance_lock = None

    # -- sessions --------------------------------------------------------------------------------
    def create(self, profile: str, client_addr: str) -> Session:
        """Start a session of `profile` for `client_addr` (BadRequest, TooManyRequests, Unavailable)."""
        if self.stopping.is_set():
            raise Unavailable("The sandbox service is shutting down.")
        prof = self.config.profiles.get(profile)
        if prof is None:
            known = ", ".join(sorted(self.config.profiles))
            raise BadRequest(f"Unknown profile '{profile}' (known: {known}).", field="profile")
        with self.lock:
            total = len(self.sessions) + sum(self.pending.values())
            mine = sum(1 for s in self.sessions.values() if s.client == client_addr)
            mine += self.pending.get(client_addr, 0)
            if total >= self.config.max_sessions:
                self.metrics.inc("atlas_sandbox_sessions_rejected_total", status="503")
                raise Unavailable(
                    "The sandbox is full: every seat is taken. Please try again in a few minutes.",
                    retry_after=30,
                )
            if mine >= self.config.max_sessions_per_client:
                self.metrics.inc("atlas_sandbox_sessions_rejected_total", status="429")
                raise TooManyRequests(
                    f"Too many sandboxes from your address ({mine}); close one before opening another.",
                    retry_after=30,
                )
            self.pending[client_addr] = self.pending.get(client_addr, 0) + 1
        t0 = time.monotonic()
        try:
            sid, cid = self._container_for(prof)
        finally:
            with self.lock:
                self.pending[client_addr] -= 1
                if not self.pending[client_addr]:
                    del self.pending[client_addr]
        s = Session(
            id=sid,
            token=secrets.token_urlsafe(32),
            profile=profile,
            container_id=cid,
            client=client_addr,
            lifetime=float(prof.lifetime),
            idle_timeout=float(prof.idle_timeout),
            gateway=bool(prof.gateway and self.gateway is not None),
        )
        with self.lock:
            self.sessions[sid] = s
        self.metrics.inc("atlas_sandbox_sessions_created_total", profile=profile)
        self.metrics.inc("atlas_sandbox_session_start_seconds_total", time.monotonic() - t0)
        return s

    def _container_for(self, prof) -> tuple[str, str]:
        warm = None if prof.gateway else self.pool.take(prof.name)
        if warm:
            self.metrics.inc("atlas_sandbox_pool_hits_total", profile=prof.name)
            return warm
        self.metrics.inc("atlas_sandbox_pool_misses_total", profile=prof.name)
        sid = new_session_id()
        extra = None
        if prof.gateway:
            if self.gateway is None:
                raise Unavailable(
                    f"Profile '{prof.name}' needs the Docker API gateway, which is not running."
                )
            try:
                extra = self.gateway.open(sid)
            except Exception as exc:  # noqa: BLE001 - report, never crash the request
                log.warning("gateway open(%s) failed: %s", sid, exc)
                self._gateway_close(sid, True)
                raise Unavailable(f"The Docker API gateway could not open a socket: {exc}") from exc
        try:
            return sid, start_container(self.client, self.config, prof, sid, extra)
        except docker.errors.ImageNotFound as exc:
            self._gateway_close(sid, prof.gateway)
            raise Unavailable(f"The sandbox image '{prof.image}' is not built on this machine.") from exc
        except docker.errors.APIError as exc:
            self._gateway_close(sid, prof.gateway)
            log.warning("cannot start a %s sandbox: %s", prof.name, exc)
            raise Unavailable(f"The sandbox could not start: {exc.explanation or exc}") from exc

    def _gateway_close(self, sid: str, used: bool) -> None:
        if used and self.gateway is not None:
            try:
                self.gateway.close(sid)
            except Exception as exc:  # noqa: BLE001
                log.warning("gateway close(%s) failed: %s", sid, exc)

    def get(self, sid: str, token: str | None) -> Session:
        """The session `sid` if `token` is its token (404 unknown, 401 no token, 403 wrong token)."""
        with self.lock:
            s = self.sessions.get(sid)
        if s is None:
            raise NotFoundError("No such session (it may have expired).", field="id")
        if not token:
            raise Unauthorized("A session token is required (Authorization: Bearer <token>).", field="token")
        if not hmac.compare_digest(token.encode(), s.token.encode()):
            raise Forbidden("Wrong token for this session.", field="token")
        return s

    def end(self, s: Session, reason: str, event: dict | None = None) -> None:
        """End a session: tell its terminal why, remove its container and gateway objects."""
        with self.lock:
            if s.ended:
                return
            s.ended = reason
            self.sessions.pop(s.id, None)
        messages = {
            "lifetime": "The session reached its time limit; the sandbox was removed.",
            "idle": "The session was idle too long; the sandbox was removed.",
            "shutdown": "The sandbox service is shutting down.",
            "deleted": "The session was closed.",
        }
        bridge = s.terminal
        if bridge is not None:
            ev = event or {"type": "expired", "reason": reason, "message": messages.get(reason, reason)}
            bridge.close_with(ev)
        remove_quietly(self.client, s.container_id)
        self._gateway_close(s.id, s.gateway)
        self.metrics.inc("atlas_sandbox_sessions_ended_total", reason=reason)

    def touch(self, s: Session) -> None:
        """Record input (resets the idle timer)."""
        s.last_input = time.monotonic()

    def _reap_loop(self) -> None:
        while not self.stopping.wait(float(self.config.reap_interval)):
            now = time.monotonic()
            with self.lock:
                sessions = list(self.sessions.values())
            for s in sessions:
                if now - s.started >= s.lifetime:
                    self.end(s, "lifetime")
                elif now - s.last_input >= s.idle_timeout:
                    self.end(s, "idle")

    def gauges(self) -> dict[tuple[str, tuple], float]:
        """Gauge values for /metrics."""
        g: dict[tuple[str, tuple], float] = {}
        with self.lock:
            sessions = list(self.sessions.values())
        for name in self.config.profiles:
            g[("atlas_sandbox_sessions_active", (("profile", name),))] = sum(
                1 for s in sessions if s.profile == name
            )
            g[("atlas_sandbox_pool_ready", (("profile", name),))] = self.pool.size(name)
            g[("atlas_sandbox_pool_target", (("profile", name),))] = self.pool.target(name)
        g[("atlas_sandbox_terminals_active", ())] = sum(1 for s in sessions if s.terminal is not None)
        return g
