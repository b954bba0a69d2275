"""Keep learners' containers away from the host: every bridge the gateway creates is named `atl-...`,
and one iptables rule rejects new connections from those bridges to the host itself (INPUT chain).

Replies to the host's own connections (docker-proxy forwarding a published port) stay allowed, and so
does traffic routed elsewhere (FORWARD), which Docker's isolation rules already confine.
"""

from __future__ import annotations

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
