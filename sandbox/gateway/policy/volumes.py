"""POST /volumes/create: the body's model and rules (the local driver, no options)."""

from __future__ import annotations

from ..errors import Denied
from .engine_types import STRMAP, S
from .jsondecode import loads
from .labels import check_labels
from .rules import rule
from .schema import Field, Struct, decode_body

VOLUME_CREATE = Struct(
    "VolumeCreateBody",
    {
        "Name": S,
        "Driver": S,
        "DriverOpts": STRMAP,
        "Labels": STRMAP,
        "ClusterVolumeSpec": Field(Struct("ClusterVolumeSpec", {}), deny="cluster volumes are not available"),
    },
)


def parse_create(body: bytes) -> dict:
    """The volume-create body as canonical fields."""
    return decode_body(VOLUME_CREATE, loads(body))


@rule("volumes.create")
def check_volume_create(body: dict) -> None:
    """Volumes: the local driver without options (options can bind a host path)."""
    if body.get("Driver") not in (None, "", "local"):
        raise Denied(f"volume driver {body['Driver']} is not allowed")
    if body.get("DriverOpts"):
        raise Denied("volume driver options are not allowed (they can mount host paths)")
    check_labels(body.get("Labels"))
    body["Driver"] = "local"
