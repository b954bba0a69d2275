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


CLI_SWEEP = [
    "docker run -d --name w busybox sleep 300",
    "docker ps -n 3 -s",
    "docker ps -a --filter name=w -q",
    "docker inspect -s w",
    "docker top w aux",
    "docker logs --details --since 1m -t --tail 5 w",
    "docker stats --no-stream w",
    "docker diff w",
    "docker port w",
    "docker pause w",
    "docker unpause w",
    "docker restart -t 1 w",
    "docker kill -s KILL w",
    "docker wait w",
    "docker rename w w2",
    "docker start w2",
    "docker stop -t 1 w2",
    "docker rm -fv w2",
    "docker images --digests -a -f dangling=false",
    "docker history busybox",
    "docker network ls -f driver=bridge",
    "docker network create nn",
    "docker network inspect -v nn",
    "docker network rm nn",
    "docker volume create vv",
    "docker volume ls -f dangling=true",
    "docker volume rm -f vv",
    "docker system df -v",
    "docker system prune -f",
    "docker image prune -a -f",
    "docker builder prune -f",
    "docker volume prune -f",
    "timeout 5 docker events --since 1m --until 1s",
    "docker run --rm -i busybox echo ok",
    "docker run --rm -t busybox echo ok",
    "docker network create an",  # CLI 25+ refuses --network-alias on the default network itself
    "docker create --name c1 -e A=1 -l x=y --restart on-failure:3 -w / -u 0 --init --read-only --tmpfs /t "
    "--shm-size 8m --cpus 0.2 --cpu-shares 100 -m 32m --memory-reservation 16m --pids-limit 20 --dns 1.1.1.1 "
    "--add-host a:1.2.3.4 --group-add 10 --cap-drop ALL --cap-add CHOWN --security-opt no-new-privileges "
    "--health-cmd true --health-interval 5s --stop-signal SIGINT --stop-timeout 3 --hostname h --expose 99 "
    "-v vol1:/v --mount type=volume,src=vol2,dst=/v2 --network an --network-alias al --oom-score-adj 10 "
    "--entrypoint sh busybox -c true",
    "docker start -a c1",
    "docker commit -c 'ENV Z=1' -m msg -a me c1 snap:1",
    "docker rmi snap:1",
]


def test_docker_cli_options_pass_the_typed_queries_and_bodies(docker_client, box):  # noqa: F811
    """The docker CLI's options, each as the CLI sends it (query parameters, body fields), are accepted
    by the typed models, and what the learner asked for within the budget reaches the engine."""
    script = "\n".join(
        f'{cmd} >/dev/null 2>/tmp/err || {{ echo "FAIL: {cmd[:60]}"; cat /tmp/err; }}' for cmd in CLI_SWEEP
    )
    code, out = box.sh(script + "\necho DONE", timeout=300)
    assert out.strip().endswith("DONE") and "FAIL" not in out, out
    try:
        info = docker_client.api.inspect_container(f"atlas-{box.sid}.c1")
        hc, cfg = info["HostConfig"], info["Config"]
        assert (hc["CpuShares"], hc["Memory"], hc["MemoryReservation"], hc["PidsLimit"]) == (
            100,
            32 * 2**20,
            16 * 2**20,
            20,
        )
        assert hc["NanoCpus"] == 200_000_000 and hc["ShmSize"] == 8 * 2**20 and hc["Init"] is True
        assert hc["Tmpfs"] == {"/t": f"size={64 * 2**20}"} and hc["RestartPolicy"]["MaximumRetryCount"] == 3
        assert hc["Dns"] == ["1.1.1.1"] and hc["ExtraHosts"] == ["a:1.2.3.4"] and hc["OomScoreAdj"] == 10
        assert (
            cfg["Healthcheck"]["Interval"] == 5 * 10**9
            and cfg["StopSignal"] == "SIGINT"
            and cfg["User"] == "0"
        )
    finally:
        box.sh("docker rm -fv c1; docker volume rm vol1 vol2; docker network rm an")
