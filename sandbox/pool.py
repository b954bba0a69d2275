"""Warm pools: started containers per profile, ready to become a session at once.

A pooled container is created with the session id it will carry (labels cannot change later). A
background thread refills each pool to its `pool_size` (0 disables it). Profiles with `gateway: true`
are never pooled: their per-session Docker socket is mounted when the container is created.
"""

from __future__ import annotations

import logging
import threading
import time

from sandbox.backend import Backend
from sandbox.config import Config
from sandbox.containers import new_session_id

log = logging.getLogger("sandbox")


class WarmPool:
    """Per-profile lists of (session id, container id) of started, unclaimed containers."""

    def __init__(self, backend: Backend, config: Config) -> None:
        self.backend = backend
        self.config = config
        self.ready: dict[str, list[tuple[str, str]]] = {name: [] for name in config.profiles}
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.failures: dict[str, str] = {}

    def target(self, profile: str) -> int:
        """How many warm containers `profile` should have."""
        p = self.config.profiles[profile]
        return 0 if p.gateway else max(0, int(p.pool_size))

    def start(self) -> None:
        """Start the background refill thread."""
        self.thread = threading.Thread(target=self._run, name="sandbox-pool", daemon=True)
        self.thread.start()

    def take(self, profile: str) -> tuple[str, str] | None:
        """Claim a warm (session id, container id) for `profile`, or None when the pool is empty."""
        with self.lock:
            items = self.ready.get(profile) or []
            item = items.pop(0) if items else None
        self.wake.set()
        return item

    def size(self, profile: str) -> int:
        """Current number of warm containers of `profile`."""
        with self.lock:
            return len(self.ready.get(profile, []))

    def _run(self) -> None:
        while not self.stopping.is_set():
            did = False
            for name in self.config.profiles:
                if self.stopping.is_set():
                    break
                if self.size(name) >= self.target(name):
                    continue
                did = True
                sid = new_session_id()
                try:
                    cid = self.backend.create(self.config.profiles[name], sid)
                except Exception as exc:  # noqa: BLE001 - keep the pool alive, report once
                    msg = str(exc)
                    if self.failures.get(name) != msg:
                        log.warning("warm pool for profile %s: cannot start a container: %s", name, msg)
                    self.failures[name] = msg
                    self.stopping.wait(5)
                    continue
                self.failures.pop(name, None)
                with self.lock:
                    if self.stopping.is_set():
                        self.backend.remove([cid])
                        return
                    self.ready[name].append((sid, cid))
            if not did:
                self.wake.wait(1.0)
                self.wake.clear()

    def stop(self) -> None:
        """Stop refilling and remove every warm container."""
        self.stopping.set()
        self.wake.set()
        if self.thread:
            self.thread.join(timeout=30)
        with self.lock:
            ids = [cid for items in self.ready.values() for _, cid in items]
            for items in self.ready.values():
                items.clear()
        self.backend.remove(ids)

    def wait_full(self, timeout: float = 30) -> bool:
        """Block until every pool is full (tests and benchmarks); True when it is."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if all(self.size(n) >= self.target(n) for n in self.config.profiles):
                return True
            time.sleep(0.05)
        return False
