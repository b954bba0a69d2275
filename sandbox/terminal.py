"""The terminal WebSocket: a session container's TTY bridged to xterm.js in the page.

`/api/sessions/<id>/terminal?token=...` (flask-sock). Before the upgrade the token (401/403) and the
`Origin` (the site's own origin or one of `allowed_origins`, else 403) are checked. The bridge attaches
to the sandbox's TTY through the session backend (sandbox.backend) and nudges the shell with Ctrl-L so the
prompt that was printed before anyone listened is drawn again. Output goes to the browser as binary
frames through a token bucket (`output_rate`, `output_burst`): when a session floods, its reader sleeps,
the pty fills and the program blocks (backpressure) — other sessions have their own threads and never
wait. Events are JSON text frames: `{"type":"exit","code":N}`, `{"type":"expired","reason":...}`,
`{"type":"error","message":...}`, `{"type":"restarting"}` (the service stops for a restart; the session
stays and the browser reconnects).
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, request
from flask_sock import Sock
from simple_websocket import ConnectionClosed

from sandbox.errors import Forbidden, ServiceError
from sandbox.sessions import SessionManager
from sandbox.sessionstore import Session

log = logging.getLogger("sandbox")

bp = Blueprint("terminal", __name__)
sock = Sock()  # flask-sock's route registry for this blueprint; it holds no per-request state

NUDGE = b"\x0c"  # Ctrl-L: readline redraws the prompt (and full-screen programs redraw themselves)
MAX_INPUT = 64 * 1024
#: Seconds between two resizes of a TTY: a page sending resize frames in a loop gets the engine asked
#: at most 1/RESIZE_EVERY times a second (the latest size wins, applied within RESIZE_EVERY).
RESIZE_EVERY = 0.1


def _token() -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.args.get("token")


def origin_allowed(origin: str | None, host: str, allowed: list[str]) -> bool:
    """True for no Origin (not a browser), the site's own origin, or one listed in `allowed`."""
    if not origin:
        return True
    if origin.rstrip("/") in {a.rstrip("/") for a in allowed}:
        return True
    parts = urlsplit(origin)
    return parts.scheme in {"http", "https"} and parts.netloc.lower() == host.lower()


@bp.before_request
def _check_before_upgrade():
    """Refuse a bad token or a foreign Origin with a JSON error before the WebSocket handshake."""
    cfg = current_app.extensions["atlas_config"]
    if not origin_allowed(request.headers.get("Origin"), request.host, cfg.allowed_origins):
        raise Forbidden("This page's origin may not open sandbox terminals.", field="Origin")
    sid = (request.view_args or {}).get("sid", "")
    current_app.extensions["atlas_sessions"].get(sid, _token())


class Bridge:
    """Both directions between one WebSocket and one container TTY."""

    def __init__(self, manager: SessionManager, session: Session, ws) -> None:
        self.manager, self.session, self.ws = manager, session, ws
        self.cfg = manager.config
        self.send_lock = threading.Lock()
        self.closed = threading.Event()
        self.attach = None  # the backend's Attachment to the sandbox's TTY
        self.size: tuple[int, int] | None = None  # (rows, cols) the TTY was last given
        self.pending_size: tuple[int, int] | None = None
        self.resized_at = 0.0

    # -- sending ---------------------------------------------------------------------------------
    def _send(self, data: bytes | str, timeout: float | None = None) -> bool:
        if not self.send_lock.acquire(timeout=-1 if timeout is None else timeout):
            return False
        try:
            self.ws.send(data)
            return True
        except Exception:  # noqa: BLE001 - a closed socket is an ordinary end
            return False
        finally:
            self.send_lock.release()

    def close_with(self, event: dict) -> None:
        """Send a JSON event (best effort), then close the WebSocket and the attach stream."""
        if self.closed.is_set():
            return
        self.closed.set()
        self._send(json.dumps(event), timeout=2)
        try:
            self.ws.close(reason=1000, message=event.get("type", ""))
        except Exception:  # noqa: BLE001
            pass
        self._close_attach()

    def _close_attach(self) -> None:
        if self.attach is not None:
            self.attach.close()

    # -- container -> browser ----------------------------------------------------------------------
    def _reader(self) -> None:
        rate, burst = max(1, int(self.cfg.output_rate)), max(4096, int(self.cfg.output_burst))
        tokens, last = float(burst), time.monotonic()
        chunk = min(65536, burst)
        metrics = self.manager.metrics
        while not self.closed.is_set():
            data = self.attach.read(chunk)
            if not data:
                break
            now = time.monotonic()
            tokens = min(burst, tokens + (now - last) * rate)
            last = now
            tokens -= len(data)
            if tokens < 0:  # over the cap: stop reading for a while (backpressure on the pty)
                pause = -tokens / rate
                metrics.inc("atlas_sandbox_throttled_seconds_total", pause)
                if self.closed.wait(pause):
                    break
            if not self._send(data):
                break
            metrics.inc("atlas_sandbox_bytes_out_total", len(data))
        if not self.closed.is_set():
            self._container_ended()

    def _container_ended(self) -> None:
        code = self.manager.backend.wait(self.session.container_id, timeout=5)
        if code is None:  # the stream ended, but the sandbox still runs or is gone
            self.close_with({"type": "error", "message": "The terminal connection to the sandbox was lost."})
            return
        event = {"type": "exit", "code": code}
        if code == 137:
            event["message"] = "The shell was killed (out of memory or stopped)."
        self.manager.end(self.session, "exit", event)
        self.close_with(event)

    # -- browser -> container ----------------------------------------------------------------------
    def _handle(self, msg) -> None:
        if isinstance(msg, bytes):
            msg = msg.decode("utf-8", "replace")
        try:
            frame = json.loads(msg)
            kind = frame.get("type")
        except (ValueError, AttributeError):
            self._send(json.dumps({"type": "error", "message": "Frames must be JSON objects."}))
            return
        if kind == "input" and isinstance(frame.get("data"), str):
            data = frame["data"].encode("utf-8")
            self.manager.touch(self.session)
            self.manager.metrics.inc("atlas_sandbox_bytes_in_total", len(data))
            self.attach.write(data)
        elif kind == "resize":
            cols, rows = frame.get("cols"), frame.get("rows")
            if not (
                isinstance(cols, int) and isinstance(rows, int) and 1 <= cols <= 1000 and 1 <= rows <= 500
            ):
                self._send(json.dumps({"type": "error", "message": "resize needs integer cols and rows."}))
                return
            self.pending_size = (rows, cols)
            self._apply_resize()
        elif kind == "ping":
            self._send(json.dumps({"type": "pong"}))
        else:
            self._send(json.dumps({"type": "error", "message": f"Unknown frame type {kind!r}."}))

    def _apply_resize(self) -> None:
        """Give the TTY the latest size asked for, unless it has it or was resized under RESIZE_EVERY ago."""
        now = time.monotonic()
        if self.pending_size is None or now - self.resized_at < RESIZE_EVERY:
            return
        size, self.pending_size = self.pending_size, None
        if size == self.size:
            return
        self.size, self.resized_at = size, now
        try:
            self.manager.backend.resize(self.session.container_id, *size)
        except Exception as exc:  # noqa: BLE001
            log.debug("resize failed: %s", exc)

    def run(self) -> None:
        """Attach, bridge until either side ends, then detach (the session stays unless it ended)."""
        s = self.session
        old = s.terminal
        if old is not None:
            old.close_with({"type": "error", "message": "This sandbox was opened in another window."})
        s.terminal = self
        try:
            self.attach = self.manager.backend.attach(s.container_id)
            self.attach.write(NUDGE)
        except Exception as exc:  # noqa: BLE001
            log.warning("attach to %s failed: %s", s.container_id[:12], exc)
            self.close_with({"type": "error", "message": "The sandbox is not running any more."})
            self.manager.end(s, "error")
            return
        reader = threading.Thread(target=self._reader, name=f"tty-{s.id}", daemon=True)
        reader.start()
        try:
            while not self.closed.is_set():
                msg = self.ws.receive(timeout=RESIZE_EVERY if self.pending_size else 1)
                if msg is not None:
                    self._handle(msg)
                self._apply_resize()
        except (ConnectionClosed, OSError):
            pass
        finally:
            self.closed.set()
            self._close_attach()
            if s.terminal is self:
                s.terminal = None
            reader.join(timeout=5)


@sock.route("/api/sessions/<sid>/terminal", bp=bp)
def terminal(ws, sid: str) -> None:
    """The terminal WebSocket of session `sid` (token and Origin were checked before the upgrade)."""
    manager: SessionManager = current_app.extensions["atlas_sessions"]
    try:
        session = manager.get(sid, _token())
    except ServiceError as exc:
        ws.send(json.dumps({"type": "error", "message": exc.message}))
        finish(ws)
        return
    Bridge(manager, session, ws).run()
    finish(ws)


def finish(ws) -> None:
    """Complete the close handshake, then shut the TCP socket so nothing more is written on it.

    (Werkzeug would otherwise write an HTTP response after the WebSocket, which browsers report as
    "Invalid frame header".)
    """
    try:
        ws.close(reason=1000)
    except Exception:  # noqa: BLE001 - already closed
        pass
    thread = getattr(ws, "thread", None)
    if thread is not None:
        thread.join(timeout=2)
    try:
        ws.sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
