"""Sessions: one sandbox container per learner, with a secret token, limits, lifetime and idle reaping.

The `SessionManager` owns every container of this server instance: it takes warm containers from the
pool (or starts one), asks the Docker API gateway for a socket when the profile has `gateway: true`,
reaps expired sessions in a background thread (the terminal receives `{"type":"expired",...}` first).
Sandboxes are reached only through a `sandbox.backend.Backend` (today `DockerBackend`).

Sessions survive a restart of the service: each has a durable record (sandbox.sessionstore) and the
instance id is stable, so a start (after `kill -9` or a clean stop) ADOPTS the sessions whose sandbox
still runs and whose deadlines have not passed, and removes the others. A clean stop (`shutdown()`)
detaches: terminals get `{"type":"restarting"}` and reconnect; `shutdown(remove=True)` (`./atlas down`)
removes everything. At start-up containers left by dead throw-away instances are removed.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import shutil
import threading
import time
from typing import Any

import docker
import docker.errors

from sandbox.backends.docker import DockerBackend
from sandbox.config import Config
from sandbox.containers import cleanup_orphans, new_session_id, own_containers
from sandbox.errors import BadRequest, Forbidden, NotFoundError, TooManyRequests, Unauthorized, Unavailable
from sandbox.metrics import Metrics
from sandbox.pool import WarmPool
from sandbox.sessionstore import InstanceIdentity, Session, SessionStore, token_hash

log = logging.getLogger("sandbox")
SAVE_EVERY = 10.0  # seconds of input after which a session's idle deadline is written again


class SessionManager:
    """Creates, finds, reaps and removes sessions of this server instance."""

    def __init__(
        self,
        client: docker.DockerClient,
        config: Config,
        gateway: Any = None,
        identity: InstanceIdentity | None = None,
    ) -> None:
        self.client = client
        self.config = config
        self.gateway = gateway
        self.identity = identity or InstanceIdentity(config.state_path, config.instance_id)
        self.instance_id = self.identity.id
        config.instance_id = self.instance_id
        self.backend = DockerBackend(client, config)
        self.store = SessionStore(config.state_path, self.instance_id)
        self.metrics = Metrics()
        self.pool = WarmPool(self.backend, config)
        self.sessions: dict[str, Session] = {}
        self.pending: dict[str, int] = {}  # client address -> sessions being created
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.reaper: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self, pool: bool = True) -> None:
        """Adopt the sessions that survived, remove orphans of dead instances, start the pool and reaper."""
        self.adopt()
        _, live = cleanup_orphans(self.client, self.identity, self.instance_id)
        if self.gateway is not None and hasattr(self.gateway, "cleanup_orphans"):
            try:
                self.gateway.cleanup_orphans(live)
            except Exception as exc:  # noqa: BLE001 - never block start-up on the gateway
                log.warning("gateway cleanup_orphans failed: %s", exc)
        if pool:
            self.pool.start()
        self.reaper = threading.Thread(target=self._reap_loop, name="sandbox-reaper", daemon=True)
        self.reaper.start()

    def adopt(self) -> None:
        """Take over the sessions a previous run of this instance left (restart, crash); remove those
        whose sandbox is gone or whose lifetime or idle deadline passed while the service was down."""
        if not self.identity.persistent:
            return
        sandboxes = {sb.session: sb for sb in self.backend.list(self.instance_id)}
        now = time.time()
        for rec in self.store.load():
            sb = sandboxes.pop(rec.id, None)
            alive = sb is not None and sb.running and sb.id == rec.container_id
            alive = alive and rec.profile in self.config.profiles  # (a profile removed from the config)
            expired = now >= rec.created + rec.lifetime or now >= rec.last_input + rec.idle_timeout
            if alive and not expired and rec.gateway and not self._gateway_adopt(rec.id):
                alive = False
            if not alive or expired:
                log.info("session %s: %s while the service was down; removed", rec.id,
                         "expired" if expired else "its sandbox ended")  # fmt: skip
                # Only a container labelled as this instance's sandbox of this session is removed: a
                # record is a file, and a file never gets to name any other container.
                self.backend.remove([sb.id] if sb is not None else [])
                self._gateway_close(rec.id, rec.gateway)
                self.store.delete(rec.id)
                reason = "expired-while-down" if expired else "ended-while-down"
                self.metrics.inc("atlas_sandbox_sessions_ended_total", reason=reason)
                continue
            with self.lock:
                self.sessions[rec.id] = Session.from_record(rec)
            self.metrics.inc("atlas_sandbox_sessions_adopted_total", profile=rec.profile)
        self.backend.remove([sb.id for sb in sandboxes.values()])  # warm pool leftovers, unclaimed
        if self.sessions:
            log.info("adopted %d session(s) of instance %s", len(self.sessions), self.instance_id)

    def _gateway_adopt(self, sid: str) -> bool:
        if self.gateway is None or not hasattr(self.gateway, "adopt"):
            return False
        try:
            return bool(self.gateway.adopt(sid))
        except Exception as exc:  # noqa: BLE001 - the session is removed instead
            log.warning("gateway adopt(%s) failed: %s", sid, exc)
            return False

    def shutdown(self, remove: bool = False) -> None:
        """Stop the service's threads. By default the sessions stay (records written, terminals told
        `restarting`) for the next start to adopt; with `remove` every session and container goes."""
        if self.stopping.is_set():
            return
        self.stopping.set()
        remove = remove or not self.identity.persistent  # a throw-away instance is never adopted
        with self.lock:
            sessions = list(self.sessions.values())
        if remove:
            threads = [threading.Thread(target=self.end, args=(s, "shutdown"), daemon=True) for s in sessions]
        else:
            threads = [threading.Thread(target=self._detach, args=(s,), daemon=True) for s in sessions]
        for t in threads:
            t.start()
        self.pool.stop()
        for t in threads:
            t.join(timeout=30)
        if self.gateway is not None:
            try:
                self.gateway.shutdown() if remove else self.gateway.detach()
            except Exception as exc:  # noqa: BLE001
                log.warning("gateway shutdown failed: %s", exc)
        if remove:
            self.backend.remove(own_containers(self.client, self.instance_id))
            if not self.identity.persistent:
                shutil.rmtree(self.store.dir, ignore_errors=True)
        self.identity.release()

    def _detach(self, s: Session) -> None:
        self.store.save(s.record())
        bridge = s.terminal
        if bridge is not None:
            msg = "The sandbox service is restarting; the terminal reconnects by itself."
            bridge.close_with({"type": "restarting", "message": msg})

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
        token = secrets.token_urlsafe(32)
        s = Session(
            id=sid,
            token_hash=token_hash(token),
            token=token,
            profile=profile,
            container_id=cid,
            client=client_addr,
            lifetime=float(prof.lifetime),
            idle_timeout=float(prof.idle_timeout),
            gateway=bool(prof.gateway and self.gateway is not None),
        )
        s.saved_input = s.last_input_wall
        self.store.save(s.record())
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
            return sid, self.backend.create(prof, sid, extra)
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
        if not hmac.compare_digest(token_hash(token), s.token_hash):
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
        self.backend.remove([s.container_id])
        self._gateway_close(s.id, s.gateway)
        self.store.delete(s.id)
        self.metrics.inc("atlas_sandbox_sessions_ended_total", reason=reason)

    def touch(self, s: Session) -> None:
        """Record input (resets the idle timer)."""
        s.last_input = time.monotonic()
        s.last_input_wall = time.time()

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
                elif s.last_input_wall - s.saved_input > SAVE_EVERY and not s.ended:
                    s.saved_input = s.last_input_wall  # the idle deadline moved: keep it for a restart
                    self.store.save(s.record())

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
