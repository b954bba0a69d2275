"""Fair use: how fast one client may create sessions, and how many Docker-capable sessions run at once.

Checked before `POST /api/sessions` runs, keyed on the real client address (sandbox.clientaddr; behind
a trusted proxy that is the learner, not the proxy). Each refusal is a 429 with `Retry-After` and is
counted in /metrics as `atlas_sandbox_sessions_rejected_total{status="429",reason=...}`:
- `session_creations_per_minute`: creations per client in a sliding minute (Retry-After: when the
  oldest one leaves the minute);
- `max_docker_sessions`: docker-profile (gateway) sessions alive at once over all clients;
- `max_docker_sessions_per_client`: the same per client.
The cap on all sessions per client (`max_sessions_per_client`) stays in sandbox.sessions. 0 = no limit.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque

from flask import Flask, g, request

from sandbox.clientaddr import client_key
from sandbox.config import Config
from sandbox.errors import TooManyRequests

WINDOW = 60.0
DOCKER_RETRY = 60  # seconds: a docker session usually lasts longer than that


class FairUse:
    """The counters behind the fair-use limits of one server (thread-safe)."""

    def __init__(self, config: Config, manager) -> None:
        self.config, self.manager = config, manager
        self.lock = threading.Lock()
        self.recent: dict[str, deque[float]] = defaultdict(deque)  # client -> creation times (monotonic)
        self.pending: dict[str, int] = defaultdict(int)  # client -> docker sessions being created

    def _docker_sessions(self, client: str | None = None) -> int:
        profiles = self.config.profiles
        with self.manager.lock:
            live = [
                s
                for s in self.manager.sessions.values()
                if profiles.get(s.profile) and profiles[s.profile].gateway
            ]
        if client is None:
            return len(live) + sum(self.pending.values())
        return sum(1 for s in live if s.client == client) + self.pending.get(client, 0)

    def _refuse(self, reason: str, message: str, retry_after: int) -> None:
        self.manager.metrics.inc("atlas_sandbox_sessions_rejected_total", status="429", reason=reason)
        raise TooManyRequests(message, retry_after=max(1, retry_after))

    def admit(self, client: str, docker: bool, now: float | None = None) -> None:
        """Count a creation by `client` (of a docker-profile session if `docker`) or raise TooManyRequests;
        an admitted docker creation stays pending until `release()`."""
        cfg = self.config
        now = time.monotonic() if now is None else now
        with self.lock:
            recent = self.recent[client]
            while recent and recent[0] <= now - WINDOW:
                recent.popleft()
            rate = cfg.session_creations_per_minute
            if rate and len(recent) >= rate:
                wait = math.ceil(recent[0] + WINDOW - now)
                self._refuse(
                    "creation_rate",
                    f"Too many new sandboxes from your address ({rate} a minute); try again in {wait} s.",
                    wait,
                )
            if docker:
                cap_all, cap_mine = cfg.max_docker_sessions, cfg.max_docker_sessions_per_client
                if cap_mine and self._docker_sessions(client) >= cap_mine:
                    self._refuse(
                        "docker_per_client",
                        f"You already have {cap_mine} Docker sandbox(es) open; close one to open another.",
                        DOCKER_RETRY,
                    )
                if cap_all and self._docker_sessions() >= cap_all:
                    self._refuse(
                        "docker_total",
                        f"All {cap_all} Docker sandboxes are in use. Please try again in a few minutes.",
                        DOCKER_RETRY,
                    )
                self.pending[client] += 1
            recent.append(now)

    def release(self, client: str) -> None:
        """The docker creation admitted for `client` finished (the session now counts, or it failed)."""
        with self.lock:
            self.pending[client] -= 1
            if self.pending[client] <= 0:
                del self.pending[client]


def install(app: Flask) -> FairUse:
    """Check the fair-use limits before every `POST /api/sessions` of `app`."""
    cfg, manager = app.extensions["atlas_config"], app.extensions["atlas_sessions"]
    fair = FairUse(cfg, manager)
    app.extensions["atlas_fairuse"] = fair

    @app.before_request
    def _admit():
        if request.endpoint != "api.create_session":
            return
        body = request.get_json(silent=True)
        name = body.get("profile", cfg.default_profile) if isinstance(body, dict) else cfg.default_profile
        prof = cfg.profiles.get(name) if isinstance(name, str) else None
        docker = bool(prof and prof.gateway)
        client = client_key(request.remote_addr)
        fair.admit(client, docker)
        if docker:
            g.atlas_fair_pending = client

    @app.teardown_request
    def _release(_exc):
        client = g.pop("atlas_fair_pending", None)
        if client is not None:
            fair.release(client)

    return fair
