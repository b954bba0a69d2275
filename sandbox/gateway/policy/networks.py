"""POST /networks/create and /networks/{id}/connect|disconnect: the bodies' models and rules."""

from __future__ import annotations

from ..errors import Denied
from .engine_types import ENDPOINT_SETTINGS, STRMAP, B, S
from .jsondecode import loads
from .labels import check_labels
from .rules import rule
from .schema import Field, ListOf, Struct, decode_body

SWARM = "swarm networks are not available"
IPAM_CONFIG = Struct("IPAMConfig", {"Subnet": S, "IPRange": S, "Gateway": S, "AuxiliaryAddresses": STRMAP})
NETWORK_CREATE = Struct(
    "NetworkCreateRequest",
    {
        "Name": S,
        "CheckDuplicate": B,
        "Driver": S,
        "Scope": S,
        "EnableIPv6": Field(B, deny="IPv6 networks are not available in the sandbox"),
        "IPAM": Struct("IPAM", {"Driver": S, "Config": ListOf(IPAM_CONFIG), "Options": STRMAP}),
        "Internal": B,
        "Attachable": B,
        "Ingress": Field(B, deny=SWARM),
        "ConfigOnly": Field(B, deny=SWARM),
        "ConfigFrom": Field(Struct("ConfigReference", {"Network": S}), deny=SWARM),
        "Options": STRMAP,
        "Labels": STRMAP,
    },
)
NETWORK_CONNECT = Struct("NetworkConnect", {"Container": S, "EndpointConfig": ENDPOINT_SETTINGS})
NETWORK_DISCONNECT = Struct("NetworkDisconnect", {"Container": S, "Force": B})


def parse_create(body: bytes) -> dict:
    """The network-create body as canonical fields."""
    return decode_body(NETWORK_CREATE, loads(body))


def parse_connect(body: bytes, disconnect: bool = False) -> dict:
    """The connect (or disconnect) body as canonical fields."""
    return decode_body(NETWORK_DISCONNECT if disconnect else NETWORK_CONNECT, loads(body))


@rule("networks.create")
def check_network_create(body: dict, internal: bool) -> None:
    """Networks: plain bridge networks without driver options; the gateway picks the range."""
    if body.get("Driver") not in (None, "", "bridge"):
        raise Denied(f"network driver {body['Driver']} is not allowed; use bridge")
    if body.get("Options"):
        raise Denied("network driver options are not allowed")
    if body.get("Scope") not in (None, "", "local"):
        raise Denied(SWARM)
    ipam = body.get("IPAM") or {}
    if ipam.get("Driver") not in (None, "", "default") or ipam.get("Options"):
        raise Denied("IPAM drivers are not allowed")
    if ipam.get("Config"):
        raise Denied("--subnet, --ip-range and --gateway are not available; each network gets its own range")
    check_labels(body.get("Labels"))
    body.pop("Scope", None)
    body["Driver"] = "bridge"
    body["CheckDuplicate"] = True
    if internal:
        body["Internal"] = True


@rule("networks.default")
def check_network_delete(is_default: bool) -> None:
    """The session's own default network (`bridge` for the learner) cannot be removed."""
    if is_default:
        raise Denied("the sandbox's own default network cannot be removed")
