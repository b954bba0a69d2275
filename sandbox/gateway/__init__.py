"""Per-session Docker API gateway: the docker CLI inside a `docker` sandbox talks to its own Unix socket,
and the gateway forwards allowed Engine API calls to the host engine under the sandbox policy."""

from .manager import GatewayManager

__all__ = ["GatewayManager"]
