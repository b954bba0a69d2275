"""Networks the gateway creates: small address ranges from a pool of their own, bridges named `atl-...`,
and one iptables rule that rejects new connections from those bridges to the host itself (INPUT chain).

Replies to the host's own connections (docker-proxy forwarding a published port) stay allowed, and so
does traffic routed elsewhere (FORWARD), which Docker's isolation rules already confine. Own /26
ranges (from 10.213.0.0/16 by default: 1024 networks) instead of Docker's default /16s, of which the
engine has about thirty, so the number of docker sandboxes is not capped by the engine's pools.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
import shutil
import subprocess

log = logging.getLogger(__name__)
BRIDGE_OPTION = "com.docker.network.bridge.name"
PREFIX = "atl-"
RULE = ["INPUT", "-i", PREFIX + "+", "-m", "conntrack", "--ctstate", "NEW", "-j", "REJECT"]


def bridge_name() -> str:
    """A fresh Linux interface name (at most 15 characters) for a gateway network's bridge."""
    return PREFIX + secrets.token_hex(5)


def ensure_rule() -> bool:
    """Install the INPUT rule once (idempotent); False (and a warning) when iptables is unusable."""
    iptables = shutil.which("iptables")
    if iptables is None:
        log.warning("gateway: iptables not found; learners' containers can reach host services")
        return False
    if subprocess.run([iptables, "-C", *RULE], capture_output=True).returncode == 0:
        return True
    proc = subprocess.run([iptables, "-I", *RULE], capture_output=True, text=True)
    if proc.returncode != 0:
        log.warning("gateway: could not add the iptables rule (%s): %s", " ".join(RULE), proc.stderr.strip())
        return False
    return True


def free_subnet(api, pool: str, prefix: int) -> dict:
    """IPAM settings with the first /prefix range of `pool` that no engine network uses."""
    used = [
        ipaddress.ip_network(cfg["Subnet"], strict=False)
        for net in api.networks()
        for cfg in (net.get("IPAM") or {}).get("Config") or []
        if cfg.get("Subnet")
    ]
    for candidate in ipaddress.ip_network(pool).subnets(new_prefix=prefix):
        if not any(candidate.overlaps(u) for u in used):
            gateway = str(next(candidate.hosts()))
            return {"Driver": "default", "Config": [{"Subnet": str(candidate), "Gateway": gateway}]}
    raise RuntimeError(f"no free /{prefix} address range left in {pool}")
