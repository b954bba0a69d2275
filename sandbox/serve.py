"""`serve()`: the built site plus the sandbox API under gunicorn (`./atlas serve`, `./atlas up`).

Why gunicorn with the `gthread` worker: it is a production WSGI server that hands flask-sock the raw
socket (`gunicorn.socket`), so terminal WebSockets work unchanged; a thread per connection suits many
long-lived terminals; and bench/bench_server.py measures it against Werkzeug's development server
(numbers in README "Operate it"). The worker is gthread with a guard against slow clients
(sandbox.slowclients: a deadline for request heads, a cap per address). There is exactly ONE worker
process: sessions, warm pools and the per-session Docker API gateways live in that process.
`server_threads` (config.yaml) bounds the connections served at once (each open terminal holds one).

The app is created in the worker (never in the master before the fork: it starts threads and opens
the Docker connection). SIGTERM (and Ctrl-C) stop it cleanly: the worker stops accepting and runs the
session manager's shutdown, which tells every terminal (so its WebSocket closes) and keeps the sessions
for the next start to adopt (sandbox.sessions; `./atlas down` removes them).
Access logs (`access_log: true`) go to stderr, with the client address from sandbox.clientaddr.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from atlas.errors import AtlasError
from atlas.localports import check_port
from gunicorn.app.base import BaseApplication

from sandbox import cors, fairuse, slowclients
from sandbox.app import create_app
from sandbox.clientaddr import TrustedProxies, parse_networks
from sandbox.config import Config, load_config

#: Seconds the master waits for the worker to finish (ending sessions, removing containers).
GRACEFUL_TIMEOUT = 60
#: The request line is logged WITHOUT its query string: a terminal WebSocket and a preview link carry the
#: session token there (`?token=`), and a token in a log file is a token anyone with the log can use.
ACCESS_FORMAT = '%(h)s - - %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'


class _Server(BaseApplication):
    """gunicorn's application protocol around the sandbox app factory (one gthread worker)."""

    def __init__(self, options: dict[str, Any], factory) -> None:
        self.options, self.factory = options, factory
        self.flask_app = None
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        self.flask_app = self.factory()
        return self.flask_app


def _bind(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def server_options(host: str, port: int, cfg: Config) -> dict[str, Any]:
    """The gunicorn settings of `./atlas serve` (one gthread worker, `server_threads` threads)."""
    return {
        "bind": [_bind(host, port)],
        "workers": 1,
        "worker_class": "sandbox.slowclients.GuardedThreadWorker",  # gthread + slow-client guard
        "threads": cfg.threads,
        "worker_connections": cfg.threads * 2,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "timeout": 120,
        "keepalive": 5,
        "accesslog": "-" if cfg.access_log else None,
        "access_log_format": ACCESS_FORMAT,
        "errorlog": "-",
        "loglevel": "warning",
        "forwarded_allow_ips": "",  # one home for proxy trust: sandbox.clientaddr (trusted_proxies)
        "proc_name": "container-atlas",
        "preload_app": False,
    }


def build_app(cfg: Config, site_dir: Path):
    """The sandbox app as served: CORS for `allowed_origins`, fair use, client addresses from
    `trusted_proxies` (the manager is started by the server once it runs)."""
    app = create_app(cfg, site_dir=site_dir, start=False)
    cors.install(app)
    fairuse.install(app)
    app.wsgi_app = TrustedProxies(app.wsgi_app, cfg.trusted_proxies)
    return app


def serve(host: str, port: int, site_dir: Path, config_path: str | Path | None) -> int:
    """Serve `site_dir` and the sandbox API on host:port until SIGTERM/SIGINT; returns the exit code."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    site_dir = Path(site_dir)
    if not (site_dir / "index.html").is_file():
        logging.getLogger("sandbox").warning(
            "%s has no index.html (build the site with ./atlas build); serving the API anyway", site_dir
        )
    cfg = load_config(config_path)  # a bad configuration stops here, before anything listens
    check_port(host, port)
    slowclients.EXEMPT[:] = parse_networks(cfg.trusted_proxies)  # inherited by the forked worker
    server = _Server(server_options(host, port, cfg), lambda: build_app(cfg, site_dir))
    stopper: dict[str, threading.Thread] = {}

    def post_worker_init(worker) -> None:
        manager = server.flask_app.extensions["atlas_sessions"]
        manager.start()

        def on_term(_signum, _frame) -> None:  # stop accepting; end sessions so terminals close
            worker.alive = False
            if "t" not in stopper:
                print("Container Atlas: stopping ...", file=sys.stderr, flush=True)
                stopper["t"] = threading.Thread(target=manager.shutdown, name="sandbox-stop")
                stopper["t"].start()

        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
            signal.signal(sig, on_term)
        print(
            f"Container Atlas: serving {site_dir} and the sandbox API on http://{_bind(host, port)}/ "
            f"(gunicorn, 1 worker x {cfg.threads} threads; instance {manager.instance_id}, "
            f"profiles: {', '.join(sorted(cfg.profiles))}). Ctrl-C stops.",
            flush=True,
        )

    def worker_exit(_arbiter, _worker) -> None:
        if server.flask_app is None:
            return
        if "t" in stopper:
            stopper["t"].join(GRACEFUL_TIMEOUT)
        else:
            server.flask_app.extensions["atlas_sessions"].shutdown()

    server.cfg.set("post_worker_init", post_worker_init)
    server.cfg.set("worker_exit", worker_exit)
    master = os.getpid()
    try:
        server.run()
    except SystemExit as exc:
        if os.getpid() != master:  # the worker leaves through here after its worker_exit hook
            raise
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if code:
            raise AtlasError(f"the server on {host}:{port} stopped with status {code} (see above)") from None
    print("Container Atlas: stopped.", file=sys.stderr, flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m sandbox.serve [--host H] [--port P] [--site DIR] [--config FILE]`."""
    import argparse

    from sandbox.config import ROOT

    ap = argparse.ArgumentParser(prog="python -m sandbox.serve", description=__doc__)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--site", default=str(ROOT / "site"))
    ap.add_argument("--config", default=None)
    args = ap.parse_args(argv)
    try:
        return serve(args.host, args.port, Path(args.site), args.config)
    except AtlasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
