"""`remove_all()`: end every session a stopped service left for adoption (`./atlas down`).

A clean stop of the service keeps its sessions so that the next start adopts them; "down" means the
opposite, so it adopts them here (same state folder, same instance id) and removes them with their
containers, gateway objects and records.
"""

from __future__ import annotations

from pathlib import Path


def remove_all(config_path: str | Path | None = None) -> int:
    """Remove the sessions of the (stopped) service of `config_path`; how many there were."""
    from sandbox.app import create_app

    app = create_app(config_path, start=False)
    manager = app.extensions["atlas_sessions"]
    manager.start(pool=False)
    count = len(manager.sessions)
    manager.shutdown(remove=True)
    return count


if __name__ == "__main__":
    import sys

    print(f"removed {remove_all(sys.argv[1] if len(sys.argv) > 1 else None)} session(s)")
