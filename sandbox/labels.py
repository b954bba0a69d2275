"""The labels the sandbox service and its Docker API gateway put on engine objects (one home each).

Every object the service creates carries `MANAGED=true`, its server's `INSTANCE` and its `SESSION`;
orphan clean-up and the gateway's ownership checks select objects by these labels.
"""

from __future__ import annotations

PREFIX = "org.container-atlas."
MANAGED = PREFIX + "managed"  # "true" on every container, network, volume and image we create
INSTANCE = PREFIX + "instance"  # the server instance that owns the object
SESSION = PREFIX + "session"  # the learner session that owns the object
PROFILE = PREFIX + "profile"  # the profile of a learner's own sandbox container
ORIGIN = PREFIX + "origin"  # "gateway": created through the gateway (not the sandbox itself)
DEFAULT_NETWORK = PREFIX + "default-network"  # the session's own network (never pruned)
LINEAGE = PREFIX + "lineage"  # the session whose build lineage an image descends from (gateway builds)
LINEAGE_BASE = PREFIX + "lineage-base"  # the base image ID a lineage image wraps
BUILD_HASH = PREFIX + "build-hash"  # provisioning: hash of the folder an image of ours was built from
