"""A live session (`Session`) and what a restarted service needs to adopt it: a stable instance
identity and one small record per session, kept in the state folder.

Why not only in the engine: a container's labels are fixed when it is created, and a warm pool creates
containers before anyone claims them, so the token hash, the client address and the deadlines (the idle
deadline moves with every keystroke) cannot be labels. The labels keep what never changes (instance,
session, profile); `<state>/sandbox-sessions/<instance>/<id>.json` keeps the rest, written atomically
(temporary file + rename), so a `kill -9` at any moment leaves the old record or the new one, never half.

The instance id lives in `<state>/sandbox-instance`; a running server holds an exclusive `flock` on
`<state>/sandbox-instances/<id>.lock`. When a second server starts on the same state folder while the
first runs, it gets a fresh, throw-away id: it adopts nothing and removes its sessions when it stops.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("sandbox")


def token_hash(token: str) -> str:
    """The stored form of a session token (sha256 hex); the token itself is never written down."""
    return hashlib.sha256(token.encode()).hexdigest()


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` in one step (a crash leaves the old or the new file); owner-only (0600)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)  # a leftover (or planted) temporary file is never written through
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with open(fd, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@dataclass
class Record:
    """The durable part of a session (epoch seconds for times: monotonic clocks restart with us)."""

    id: str
    container_id: str
    profile: str
    token_hash: str
    client: str
    created: float
    lifetime: float
    idle_timeout: float
    last_input: float
    gateway: bool

    @classmethod
    def from_json(cls, data: Any, sid: str) -> Record:
        """The record stored in `<sid>.json`, every field checked (ValueError naming the field): a
        record is trusted to name the session's container, which a restart may remove."""
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        names = [f for f in cls.__dataclass_fields__]
        unknown = sorted(set(data) - set(names))
        if unknown or set(names) - set(data):
            raise ValueError(f"fields must be exactly {', '.join(names)} (unknown: {unknown or '-'})")
        for name, pattern in _RECORD_TEXT.items():
            if not isinstance(data[name], str) or not re.fullmatch(pattern, data[name]):
                raise ValueError(f"{name}: not a valid value ({data[name]!r:.80})")
        for name in ("created", "lifetime", "idle_timeout", "last_input"):
            value = data[name]
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1e11:
                raise ValueError(f"{name}: expected a number of seconds, got {value!r:.80}")
        if not isinstance(data["gateway"], bool):
            raise ValueError(f"gateway: expected true or false, got {data['gateway']!r:.80}")
        if data["id"] != sid:
            raise ValueError(f"id: {data['id']!r} is not the file's name")
        return cls(**data)


#: The text fields of a Record and the form each must have.
_RECORD_TEXT = {
    "id": r"[A-Za-z0-9_-]{1,64}",  # a file name of its own (sandbox.containers.new_session_id: 16 hex)
    "container_id": r"[0-9a-f]{64}",  # an engine's full container id
    "profile": r"[^\x00-\x1f]{1,200}",  # a profile's name (sandbox.sessions.adopt: one configured now)
    "token_hash": r"[0-9a-f]{64}",  # token_hash(): sha256 hex
    "client": r"[0-9A-Fa-f.:/?]{1,64}",  # sandbox.clientaddr.client_key: an address, a /64 or "?"
}


@dataclass
class Session:
    """One live sandbox session."""

    id: str
    token_hash: str
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
    token: str = ""  # only on the object returned by create(); never stored
    last_input_wall: float = field(default_factory=time.time)
    saved_input: float = 0.0  # last_input_wall when the record was last written
    checking: bool = False  # a verify check runs now (one at a time per session: sandbox.api.verify)

    def record(self) -> Record:
        """The durable part of the session (see sandbox.sessionstore)."""
        return Record(
            self.id, self.container_id, self.profile, self.token_hash, self.client, self.created,
            self.lifetime, self.idle_timeout, self.last_input_wall, self.gateway,
        )  # fmt: skip

    @classmethod
    def from_record(cls, rec: Record) -> Session:
        """A session adopted after a restart: monotonic clocks rebuilt from the stored wall-clock times."""
        now, mono = time.time(), time.monotonic()
        return cls(
            id=rec.id, token_hash=rec.token_hash, profile=rec.profile, container_id=rec.container_id,
            client=rec.client, lifetime=rec.lifetime, idle_timeout=rec.idle_timeout, created=rec.created,
            last_input=mono - (now - rec.last_input), started=mono - (now - rec.created), gateway=rec.gateway,
            last_input_wall=rec.last_input, saved_input=rec.last_input,
        )  # fmt: skip

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


class SessionStore:
    """One JSON file per session under `<state>/sandbox-sessions/<instance>/`."""

    def __init__(self, state_dir: Path, instance: str) -> None:
        self.dir = state_dir / "sandbox-sessions" / instance
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.dir.chmod(0o700)  # records name clients and containers: the service's user only

    def save(self, rec: Record) -> None:
        """Write (or replace) the record of a session."""
        write_atomic(self.dir / f"{rec.id}.json", json.dumps(asdict(rec)))

    def delete(self, sid: str) -> None:
        """Forget a session."""
        (self.dir / f"{sid}.json").unlink(missing_ok=True)

    def load(self) -> list[Record]:
        """Every readable record; an unreadable one is logged (with its file) and removed."""
        out = []
        for path in sorted(self.dir.glob("*.json")):
            try:
                out.append(Record.from_json(json.loads(path.read_text(encoding="utf-8")), path.stem))
            except (OSError, ValueError, TypeError) as exc:
                log.warning("%s: unreadable session record (%s); its session is removed", path, exc)
                path.unlink(missing_ok=True)
        return out


class InstanceIdentity:
    """This server's instance id, stable across restarts, and the lock that says it is running."""

    def __init__(self, state_dir: Path, wanted: str = "", wait: float = 15.0) -> None:
        self.locks = state_dir / "sandbox-instances"
        self.locks.mkdir(parents=True, exist_ok=True)
        id_file = state_dir / "sandbox-instance"
        stable = wanted or _read(id_file)
        if not stable:
            stable = uuid.uuid4().hex[:12]
            write_atomic(id_file, stable + "\n")
        self.stable = stable
        self.fd = self._lock(stable)
        end = time.monotonic() + wait  # a stopping predecessor (gunicorn worker) may still hold it
        while self.fd is None and time.monotonic() < end:
            time.sleep(0.2)
            self.fd = self._lock(stable)
        self.persistent = self.fd is not None
        if self.fd is None:  # another live server holds our id: run under a throw-away one
            self.id = uuid.uuid4().hex[:12]
            self.fd = self._lock(self.id)
            log.warning("instance %s is held by another running server; running as %s", stable, self.id)
        else:
            self.id = stable
        self.path = self.locks / f"{self.id}.lock"

    def _lock(self, instance: str) -> int | None:
        fd = os.open(self.locks / f"{instance}.lock", os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return fd

    def release(self) -> None:
        """Let go of the lock; a throw-away id's lock file is deleted (its sessions are not adopted)."""
        if self.fd is None:
            return
        if not self.persistent:
            self.path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            os.close(self.fd)
        self.fd = None

    def is_dead(self, instance_id: str) -> bool:
        """True when `instance_id` (not our stable one) has a lock file that no live process holds."""
        path = self.locks / f"{instance_id}.lock"
        if instance_id == self.stable or not path.exists():
            return False
        fd = os.open(path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        finally:
            os.close(fd)
        return True

    @property
    def dir(self) -> Path:
        """The folder of the lock files (cleanup_orphans deletes those of dead instances)."""
        return self.locks


def _read(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        return ""
    return text if text.isalnum() and len(text) <= 40 else ""
