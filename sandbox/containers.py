"""Sandbox containers through the Docker SDK: hardened create options, labels, and orphan clean-up.

Every container carries `org.container-atlas.managed=true`, `org.container-atlas.instance=<id>` and
`org.container-atlas.session=<id>`. A running server holds an exclusive `flock` on
`<state>/sandbox-instances/<instance>.lock` (sandbox.sessionstore.InstanceIdentity; the instance id is
stable, so a restarted server adopts its own containers); at start-up a server removes labelled
containers of OTHER instances whose lock exists and is free (a throw-away instance that died). Containers
of instances with no lock file (other tools, tests of other components) are left alone.
"""

from __future__ import annotations

import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import docker
import docker.errors

from sandbox.config import Config, Profile
from sandbox.labels import INSTANCE, MANAGED, PROFILE, SESSION
from sandbox.limits import HARDENING, Limits
from sandbox.sessionstore import InstanceIdentity

log = logging.getLogger("sandbox")


#: Keys a gateway's open() may add to the container create call, besides mounts/binds/environment.
GATEWAY_PASSTHROUGH = ("network_mode", "extra_hosts", "group_add", "dns", "sysctls", "cgroup_parent")


def new_session_id() -> str:
    """A fresh session id (URL-safe, 16 characters; not a secret — the token is)."""
    return secrets.token_hex(8)


def docker_client(timeout: float = 60) -> docker.DockerClient:
    """A Docker SDK client for the engine named by the environment (DOCKER_HOST or the local socket)."""
    return docker.from_env(timeout=int(timeout), max_pool_size=64)


def create_kwargs(profile: Profile, limits: Limits, instance_id: str, session_id: str) -> dict[str, Any]:
    """The hardened keyword arguments of `containers.create` for one session of `profile`.

    Resources come from `limits` (config.yaml `limits:`), the lock-down from `limits.HARDENING`. Tests
    that need a learner's container build it with this function too, so they test what learners get.
    """
    kw: dict[str, Any] = dict(
        image=profile.image,
        command=list(profile.command),
        user=profile.user,
        hostname=profile.hostname,
        working_dir=profile.workdir,
        environment=dict(profile.environment),
        tty=True,
        stdin_open=True,
        detach=True,
        labels={MANAGED: "true", INSTANCE: instance_id, SESSION: session_id, PROFILE: profile.name},
        tmpfs=limits.tmpfs_mounts(),
        pids_limit=limits.pids,
        mem_limit=limits.memory,
        memswap_limit=limits.memory,
        nano_cpus=limits.nano_cpus,
        log_config=limits.docker_log_config(),
        **{key: list(v) if isinstance(v, tuple) else v for key, v in HARDENING.items()},
    )
    if profile.runtime:
        kw["runtime"] = profile.runtime
    return kw


def apply_gateway(kw: dict[str, Any], opened: dict[str, Any]) -> None:
    """Merge what `GatewayManager.open()` returned (mounts/binds/environment/...) into create kwargs."""
    if opened.get("mounts"):
        kw["mounts"] = list(opened["mounts"])
    if opened.get("binds"):
        kw["volumes"] = opened["binds"]
    kw["environment"] = {**kw.get("environment", {}), **(opened.get("environment") or {})}
    for key in GATEWAY_PASSTHROUGH:
        if key in opened:
            kw[key] = opened[key]


def remove_quietly(client: docker.DockerClient, container_id: str) -> None:
    """Force-remove a container; a container that is already gone is fine."""
    try:
        client.api.remove_container(container_id, force=True, v=True)
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as exc:
        if "already in progress" not in str(exc):
            log.warning("could not remove container %s: %s", container_id[:12], exc)


def remove_many(client: docker.DockerClient, ids: list[str]) -> None:
    """Remove containers in parallel (shutdown and clean-up must be quick)."""
    if not ids:
        return
    with ThreadPoolExecutor(max_workers=min(8, len(ids))) as ex:
        list(ex.map(lambda cid: remove_quietly(client, cid), ids))


def cleanup_orphans(
    client: docker.DockerClient, lock: InstanceIdentity, own: str
) -> tuple[list[str], set[str]]:
    """Remove labelled containers of dead instances; return (removed ids, live session ids of others)."""
    dead: dict[str, bool] = {}
    remove, live_sessions = [], set()
    for c in client.api.containers(all=True, filters={"label": f"{MANAGED}=true"}):
        labels = c.get("Labels") or {}
        inst = labels.get(INSTANCE)
        if not inst or inst == own:
            if labels.get(SESSION):
                live_sessions.add(labels[SESSION])
            continue
        if inst not in dead:
            dead[inst] = lock.is_dead(inst)
        if dead[inst]:
            remove.append(c["Id"])
        elif labels.get(SESSION):
            live_sessions.add(labels[SESSION])
    remove_many(client, remove)
    for inst, is_dead in dead.items():
        if is_dead:
            (lock.dir / f"{inst}.lock").unlink(missing_ok=True)
    if remove:
        log.info("removed %d orphan container(s) of dead server instance(s)", len(remove))
    return remove, live_sessions


def own_containers(client: docker.DockerClient, instance_id: str) -> list[str]:
    """Ids of every container labelled with this instance."""
    flt = {"label": [f"{MANAGED}=true", f"{INSTANCE}={instance_id}"]}
    return [c["Id"] for c in client.api.containers(all=True, filters=flt)]


def start_container(
    client: docker.DockerClient,
    config: Config,
    profile: Profile,
    session_id: str,
    extra: dict[str, Any] | None = None,
) -> str:
    """Create and start one sandbox container; returns its id (removed again if start fails)."""
    kw = create_kwargs(profile, config.limits, config.instance_id, session_id)
    if extra:
        apply_gateway(kw, extra)
    kw.pop("detach")
    image = kw.pop("image")
    command = kw.pop("command")
    ctr = client.containers.create(image, command, **kw)
    try:
        ctr.start()
        client.api.resize(ctr.id, height=24, width=80)
    except Exception:
        remove_quietly(client, ctr.id)
        raise
    return ctr.id
