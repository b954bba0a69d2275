"""`serve()`: the built site plus the sandbox API in one threaded server (`./atlas serve`).

Werkzeug's threaded WSGI server gives every connection its own thread, which suits many long-lived
terminal WebSockets. SIGTERM and SIGINT stop it cleanly: sessions get an `expired` event and every
container of this instance is removed.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path

from atlas.errors import AtlasError
from atlas.localports import check_port
from werkzeug.serving import make_server

from sandbox.app import create_app


def serve(host: str, port: int, site_dir: Path, config_path: str | Path | None) -> int:
    """Serve `site_dir` and the sandbox API on host:port until SIGTERM/SIGINT; returns the exit code."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    site_dir = Path(site_dir)
    if not (site_dir / "index.html").is_file():
        logging.getLogger("sandbox").warning(
            "%s has no index.html (build the site with ./atlas build); serving the API anyway", site_dir
        )
    check_port(host, port)
    app = create_app(config_path, site_dir=site_dir, start=False)
    cfg = app.extensions["atlas_config"]
    manager = app.extensions["atlas_sessions"]
    logging.getLogger("werkzeug").setLevel(logging.INFO if cfg.access_log else logging.WARNING)
    try:
        server = make_server(host, port, app, threaded=True)
    except (OSError, SystemExit) as exc:  # werkzeug prints and exits on a busy port
        raise AtlasError(f"cannot listen on {host}:{port}: {exc}; choose another port with --port") from exc
    server.daemon_threads = True
    manager.start()

    def stop(signum, _frame) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    old = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    url = f"http://{host}:{server.port}/"
    print(
        f"Container Atlas: serving {site_dir} and the sandbox API on {url} "
        f"(instance {manager.instance_id}, profiles: {', '.join(sorted(cfg.profiles))}). Ctrl-C stops.",
        flush=True,
    )
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        print("Container Atlas: stopping, removing sandboxes ...", file=sys.stderr, flush=True)
        manager.shutdown()
        server.server_close()
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
