"""Published ports (`-p`): single host ports the gateway maps to free loopback ports of the server."""

from __future__ import annotations

from ..errors import Denied
from .rules import rule


@rule("ports.single")
def check_host_port(asked: str, free: int) -> int:
    """The host port the learner sees for `-p asked:...` (`free` when none is asked): a single port
    number between 1 and 65535; ranges (`-p 8000-8010:80`) and host addresses are refused."""
    if asked and not asked.isdigit():
        raise Denied(f"host port {asked!r} is not available; publish single ports (-p 8080:80)")
    learner = int(asked) if asked else free
    if not 0 < learner < 65536:
        raise Denied(f"host port {learner} is out of range")
    return learner


# Each published port is a docker-proxy process on the host (about 3 MiB, outside the session's
# cgroup and budget), a socket of the gateway and a listener in the sandbox: a container publishing a
# thousand ports would take gigabytes of the host's memory.
MAX_PUBLISHED = 16


@rule("ports.count")
def check_port_count(published: int) -> None:
    """A session publishes at most MAX_PUBLISHED host ports at once (`published`: how many it would
    hold after the request), as each one runs a process on the host."""
    if published > MAX_PUBLISHED:
        raise Denied(
            f"at most {MAX_PUBLISHED} published ports per sandbox ({published} asked); "
            "remove containers that publish ports first"
        )
