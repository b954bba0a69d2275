"""Networks the gateway creates: small address ranges from a pool of their own, bridges named `atl-...`,
and two iptables rules: one rejects new connections from those bridges to the host itself (INPUT
chain), the other rejects traffic routed from those bridges to anywhere but another gateway bridge
(DOCKER-USER, which Docker consults first in FORWARD), so learners' containers never reach a network
outside this machine. Replies to the host's own connections (docker-proxy forwarding a published
port) stay allowed; traffic between two sessions' bridges is dropped by Docker's isolation rules. Own /26
ranges (from 10.213.0.0/16 by default: 1024 networks) instead of Docker's default /16s, of which the
engine has about thirty, so the number of docker sandboxes is not capped by the engine's pools.
"""

from __future__ import annotations

import ipaddress
import logging
import secrets
import shutil
import subprocess
import time

log = logging.getLogger(__name__)
BRIDGE_OPTION = "com.docker.network.bridge.name"
PREFIX = "atl-"
RULE = ["INPUT", "-i", PREFIX + "+", "-m", "conntrack", "--ctstate", "NEW", "-j", "REJECT"]
EGRESS_RULE = ["DOCKER-USER", "-i", PREFIX + "+", "!", "-o", PREFIX + "+", "-j", "REJECT"]
RULES = (RULE, EGRESS_RULE)
RESERVE_SECONDS = 60.0  # how long a range handed to a create stays taken before the engine shows it


def bridge_name() -> str:
    """A fresh Linux interface name (at most 15 characters) for a gateway network's bridge."""
    return PREFIX + secrets.token_hex(5)


def ensure_rule() -> bool:
    """Install the host and egress rules once (idempotent); False (and a warning) when iptables is
    unusable."""
    iptables = shutil.which("iptables")
    if iptables is None:
        log.warning("gateway: iptables not found; learners' containers can reach host services")
        return False
    ok = True
    for rule in RULES:
        if subprocess.run([iptables, "-C", *rule], capture_output=True).returncode == 0:
            continue
        proc = subprocess.run([iptables, "-I", *rule], capture_output=True, text=True)
        if proc.returncode != 0:
            log.warning(
                "gateway: could not add the iptables rule (%s): %s", " ".join(rule), proc.stderr.strip()
            )
            ok = False
    return ok


def free_subnet(api, pool: str, prefix: int, reserved: dict[str, float] | None = None) -> dict:
    """IPAM settings with the first /prefix range of `pool` that no engine network uses.

    `reserved` (range -> monotonic time it was handed out) holds ranges given to creates that may not
    have reached the engine yet: two sessions creating networks at once must not get the same range
    (the engine would refuse the second with "Pool overlaps"). Entries older than a minute expire.
    """
    used = [
        ipaddress.ip_network(cfg["Subnet"], strict=False)
        for net in api.networks()
        for cfg in (net.get("IPAM") or {}).get("Config") or []
        if cfg.get("Subnet")
    ]
    now = time.monotonic()
    if reserved is not None:
        for key in [k for k, t in reserved.items() if now - t > RESERVE_SECONDS]:
            del reserved[key]
        used += [ipaddress.ip_network(k) for k in reserved]
    for candidate in ipaddress.ip_network(pool).subnets(new_prefix=prefix):
        if not any(candidate.overlaps(u) for u in used):
            if reserved is not None:
                reserved[str(candidate)] = now
            gateway = str(next(candidate.hosts()))
            return {"Driver": "default", "Config": [{"Subnet": str(candidate), "Gateway": gateway}]}
    raise RuntimeError(f"no free /{prefix} address range left in {pool}")
