"""Clients other than the docker CLI keep working through the rebuilt requests: the Docker SDK for Python
(docker-py) from the host, on a session's own gateway socket. docker-py sends other field sets than
the CLI (null for everything unset, `Runtime` at the top level, `CPURealtimePeriod` spellings,
`trunc_cmd`/`only_ids`/`force` query parameters); every one must be accepted, and refusals must still
arrive as the SDK's APIError with the policy's reason.
"""

from __future__ import annotations

import pytest
from gateway_harness import box, gateway  # noqa: F401 - fixtures

pytestmark = [pytest.mark.docker]


@pytest.fixture
def sdk(gateway, box):  # noqa: F811
    """A docker-py client on the sandbox's gateway socket (API 1.41, as the CLI negotiates)."""
    import docker

    sock = gateway.sessions[box.sid].dir / "docker.sock"
    client = docker.DockerClient(base_url=f"unix://{sock}", version="1.41", timeout=60)
    yield client
    client.close()


def test_docker_py_round_trip(docker_client, sdk, box):  # noqa: F811
    import docker.errors

    assert sdk.ping() and sdk.version()["ApiVersion"]
    vol = sdk.volumes.create("pyvol", labels={"by": "sdk"})
    net = sdk.networks.create("pynet", labels={"by": "sdk"})
    c = sdk.containers.run(
        "busybox",
        ["sh", "-c", "echo hi > /data/x && cat /data/x && sleep 30"],
        name="pyc",
        detach=True,
        environment={"A": "1"},
        labels={"app": "py"},
        volumes={"pyvol": {"bind": "/data", "mode": "rw"}},
        tmpfs={"/scratch": "size=1m"},
        mem_limit="64m",
        cpu_shares=512,
        network="pynet",
        healthcheck={"test": ["CMD", "true"], "interval": 1_000_000_000},
        stop_signal="SIGTERM",
        working_dir="/",
        init=True,
    )
    try:
        assert c.exec_run(["cat", "/data/x"]).output == b"hi\n"
        assert any(x.name == "pyc" for x in sdk.containers.list(all=True))
        assert b"hi" in c.logs(tail=5, timestamps=False)
        c.reload()
        assert c.attrs["Config"]["Labels"]["app"] == "py"
        image = c.commit(repository="pysnap", tag="v1", changes=["ENV B=2"])
        assert "pysnap:v1" in [t for i in sdk.images.list() for t in i.tags]
        # on the host, through the engine: canonical, clamped, the session's
        hc = docker_client.api.inspect_container(f"atlas-{box.sid}.pyc")["HostConfig"]
        assert hc["Memory"] == 64 * 2**20 and hc["CpuShares"] == 512 and hc["Init"] is True
        assert hc["Tmpfs"] == {"/scratch": "size=1048576"} and hc["ShmSize"] == 64 * 2**20
        assert hc["Binds"] == [f"atlas-{box.sid}.pyvol:/data:rw"]
        with pytest.raises(docker.errors.APIError) as err:
            sdk.containers.create("busybox", "true", privileged=True)
        assert err.value.status_code == 403 and "privileged containers are not allowed" in str(err.value)
        with pytest.raises(docker.errors.APIError) as err:
            sdk.containers.create("busybox", "true", volumes={"/": {"bind": "/host"}})
        assert err.value.status_code == 403 and "bind mounts of host paths" in str(err.value)
        with pytest.raises(docker.errors.APIError) as err:
            sdk.containers.create("busybox", "true", cpu_quota=1000)
        assert err.value.status_code == 403 and "CPU quotas" in str(err.value)
        sdk.images.remove(image.id, force=True)
    finally:
        c.remove(force=True)
        net.remove()
        vol.remove()
    sdk.containers.prune()
    assert not [x for x in sdk.containers.list(all=True) if x.name == "pyc"]
