"""Run the KB's `try.run` examples in real sandboxes (`./atlas kb try`, atlas.kb.try_command).

Examples run in sandbox sessions as a learner's would: docker-profile containers (the docker CLI
talking to a real, policed gateway — `sandbox.gateway.GatewayManager`, opened exactly as the service
opens it) and a shell-profile container, all created with the service's hardened options
(`sandbox.containers.create_kwargs`). Up to DOCKER_SESSIONS docker sessions run in parallel, each taking
the next example from a shared queue; each example is one `docker exec` of a small script (markers
around it; the example under `bash -e` with a time limit, stdin closed, in the learner's home). After
each docker example the script lists the containers, volumes and networks left in the session:
leftovers fail the example (examples clean up after themselves) and are removed, so the next example
starts clean. Python examples run in Pyodide: atlas.kb.try_python.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from atlas.errors import AtlasError

EXAMPLE_TIMEOUT = 90  # seconds per example (examples take seconds; the margin is for a loaded machine)
TAIL_LINES = 15
DOCKER_SESSIONS = 4  # docker-profile sessions in parallel (starting containers is mostly waiting)
PER_SESSION = 5  # fewer docker examples than this per session: fewer sessions
MARK = "@@ATLAS-TRY"
_BEGIN = re.compile(rf"^{MARK} (\d+) BEGIN (\d+)$")
_END = re.compile(rf"^{MARK} (\d+) END (\d+) (\d+)$")
_LEFT = re.compile(rf"^{MARK} (\d+) LEFT (.*)$")
# After an example: what it left in the session (shown, then removed so the next one starts clean).
_LEFTOVER_CHECK = """\
nets="$(docker network ls -q --filter type=custom | grep -vxF "$base_nets")"
left="$(docker ps -aq; docker volume ls -q)$nets"
if [ -n "$left" ]; then
  printf '%s %d LEFT %s\\n' "{mark}" {i} "$(docker ps -a --format '{{{{.Names}}}}' | tr '\\n' ' ')\
$(docker volume ls -q | sed 's/^/volume:/' | tr '\\n' ' ')\
$(for n in $nets; do docker network inspect -f 'network:{{{{.Name}}}}' $n; done | tr '\\n' ' ')"
  docker rm -f $(docker ps -aq) >/dev/null 2>&1
  docker volume rm -f $(docker volume ls -q) >/dev/null 2>&1
  docker network rm $nets >/dev/null 2>&1
fi
"""


@dataclass
class Example:
    """One `try.run` example as written: whose, where, what, and in which profile."""

    entry: str
    path: str
    line: int
    code: str
    profile: str = "docker"  # docker or shell (a sandbox session); pyodide for a python example
    key: str = "run"  # the try: key it was written under (run or python)


@dataclass
class Outcome:
    """What running one example gave."""

    example: Example
    exit_code: int | None  # None: the script never reached its end (timeout, sandbox died)
    output: str
    seconds: float
    leftovers: str = ""

    @property
    def ok(self) -> bool:
        """Exit code 0 and nothing left behind."""
        return self.exit_code == 0 and not self.leftovers

    def failure(self) -> str:
        """`path:line: try.run: why`, then the tail of the output, indented."""
        e = self.example
        if self.exit_code is None:
            why = "did not finish (the sandbox stopped or the run timed out)"
        elif self.exit_code == 124:
            why = f"timed out after {EXAMPLE_TIMEOUT}s"
        elif self.exit_code and self.example.key == "python":
            why = "raised an exception"
        elif self.exit_code:
            why = f"exit code {self.exit_code} (every command must succeed; show one with `cmd || echo $?`)"
        else:
            why = f"left behind {self.leftovers.strip()} (remove what the example creates at its end)"
        tail = self.output.rstrip("\n").splitlines()[-TAIL_LINES:]
        body = "".join(f"    | {line}\n" for line in tail) or "    | (no output)\n"
        return f"{e.path}:{e.line}: try.{e.key}: {why}\n{body}"


def driver_script(examples: list[Example], docker: bool) -> str:
    """The one script a session runs: each example in its own `bash -e`, between markers."""
    parts = ['cd "$HOME"\n']
    if docker:  # the session's own network is there from the start; only new ones are leftovers
        parts.append('base_nets="$(docker network ls -q --filter type=custom)"\n')
    for i, ex in enumerate(examples):
        tag = f"__ATLAS_TRY_{i}_{secrets.token_hex(4)}__"
        code = ex.code if ex.code.endswith("\n") else ex.code + "\n"
        parts.append(
            f"printf '\\n%s %d BEGIN %s\\n' '{MARK}' {i} \"$(date +%s%N)\"\n"
            f"cat > /tmp/.atlas-try.sh <<'{tag}'\n{code}{tag}\n"
            f'(cd "$HOME" && timeout -k 5 {EXAMPLE_TIMEOUT} bash -e /tmp/.atlas-try.sh </dev/null 2>&1)\n'
            f"printf '\\n%s %d END %d %s\\n' '{MARK}' {i} $? \"$(date +%s%N)\"\n"
        )
        if docker:
            parts.append(_LEFTOVER_CHECK.format(mark=MARK, i=i))
    return "".join(parts)


def parse_output(examples: list[Example], text: str) -> list[Outcome]:
    """Split the session's output at the markers into one Outcome per example."""
    outputs: dict[int, list[str]] = {}
    codes: dict[int, int] = {}
    began: dict[int, int] = {}
    took: dict[int, float] = {}
    left: dict[int, str] = {}
    current = None
    for line in text.splitlines():
        if line.startswith(MARK):
            m = _BEGIN.match(line)
            if m:
                current = int(m.group(1))
                outputs[current], began[current] = [], int(m.group(2))
                continue
            m = _END.match(line)
            if m:
                i = int(m.group(1))
                codes[i] = int(m.group(2))
                took[i] = (int(m.group(3)) - began.get(i, int(m.group(3)))) / 1e9
                current = None
                continue
            m = _LEFT.match(line)
            if m:
                left[int(m.group(1))] = m.group(2)
                continue
        if current is not None:
            outputs[current].append(line)
    return [
        Outcome(
            ex,
            codes.get(i),
            "\n".join(outputs.get(i, [])).strip("\n") + "\n",
            took.get(i, 0.0),
            left.get(i, ""),
        )
        for i, ex in enumerate(examples)
    ]


class Gateway:
    """One GatewayManager (its own instance and state folder) for every docker session of a run:
    one manager hands out the sessions' subnets, so parallel sessions never overlap."""

    def __init__(self, client) -> None:
        from sandbox.config import gateway_settings
        from sandbox.gateway import GatewayManager

        self.state = tempfile.mkdtemp(prefix="atlas-kb-try-")
        self.instance = "kbtry-" + secrets.token_hex(5)
        settings, self.budget = gateway_settings({"state_dir": self.state}, None, instance=self.instance)
        self.manager = GatewayManager(client, settings, self.budget)

    def close(self) -> None:
        """Close every session (removing what each created) and the state folder."""
        self.manager.shutdown()
        shutil.rmtree(self.state, ignore_errors=True)


class Session:
    """One sandbox container of `profile`, created as the service creates it (its gateway session
    opened on `gateway` when the profile has one)."""

    def __init__(self, client, profile: str, gateway: Gateway | None) -> None:
        from sandbox.config import load_config
        from sandbox.containers import apply_gateway, create_kwargs

        self.sid = "kbtry" + secrets.token_hex(5)
        self.name = f"atlas-kbtry-{self.sid}"
        self.client = client
        self.manager = None
        cfg = load_config(None)
        prof = cfg.profiles[profile]
        instance, budget, extra = "kbtry-" + self.sid[5:], cfg.limits, None
        try:
            if prof.gateway:
                if gateway is None:
                    raise AtlasError(f"profile {profile} needs a gateway")
                self.manager, instance, budget = gateway.manager, gateway.instance, gateway.budget
                extra = self.manager.open(self.sid)
            kw = create_kwargs(prof, budget, instance, self.sid)
            if extra:
                apply_gateway(kw, extra)
            image, _ = kw.pop("image"), kw.pop("command")
            client.containers.run(image, ["sleep", "infinity"], name=self.name, **kw)
        except Exception:
            self.close()
            raise

    def run(self, script: str, timeout: float) -> str:
        """Run `script` with bash as the learner; its output (stdout and stderr)."""
        proc = subprocess.run(
            ["docker", "exec", "-i", self.name, "bash", "-s"],
            input=script,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return proc.stdout + proc.stderr

    def close(self) -> None:
        """Remove the container, then close its gateway session (which removes what it created)."""
        import docker.errors

        try:
            self.client.api.remove_container(self.name, force=True)
        except docker.errors.NotFound:
            pass
        if self.manager is not None:
            self.manager.close(self.sid)


def open_session(client, profile: str, gateway: Gateway | None, attempts: int = 3) -> Session:
    """A Session; an engine error while opening it (another program on the engine took the subnet the
    gateway chose, or removed the container) is retried with a fresh session id."""
    import docker.errors

    for attempt in range(attempts):
        try:
            return Session(client, profile, gateway)
        except docker.errors.APIError:
            if attempt == attempts - 1:
                raise
            time.sleep(1 + attempt)
    raise AssertionError("unreachable")


def run_examples(
    examples: list[Example], client=None, sessions: int = DOCKER_SESSIONS, started: list[str] | None = None
) -> list[Outcome]:
    """Run every `run` example, one Outcome each in input order: shell-profile ones in one session, docker
    ones in up to `sessions` docker-profile sessions that take the next example from a shared queue.
    `started` gets the id of every session (container `atlas-kbtry-<id>`), for leak checks."""
    examples = [ex for ex in examples if ex.key == "run"]
    if not examples:
        return []
    if shutil.which("docker") is None:
        raise AtlasError(
            "kb try needs the docker CLI on this machine (it drives the sandboxes with docker exec)"
        )
    if client is None:
        from sandbox.containers import docker_client

        client = docker_client()
    shell = [ex for ex in examples if ex.profile == "shell"]
    docker = [ex for ex in examples if ex.profile != "shell"]
    n = max(1, min(sessions, (len(docker) + PER_SESSION - 1) // PER_SESSION)) if docker else 0
    lock = threading.Lock()
    groups = ([("shell", shell)] if shell else []) + [("docker", docker)] * n
    gateway = Gateway(client) if docker else None
    try:
        with ThreadPoolExecutor(max_workers=len(groups)) as pool:
            futures = [
                pool.submit(_run_group, client, p, queue, lock, gateway, started) for p, queue in groups
            ]
            outcomes = [o for f in futures for o in f.result()]
    finally:
        if gateway is not None:
            gateway.close()
    by_example = {id(o.example): o for o in outcomes}
    return [by_example[id(ex)] for ex in examples]


def _run_group(client, profile: str, queue: list[Example], lock, gateway, started) -> list[Outcome]:
    """One session: run examples taken from `queue` (shared with the other sessions) until it is empty."""
    session = open_session(client, profile, gateway)
    if started is not None:
        started.append(session.sid)
    outcomes = []
    try:
        while True:
            with lock:
                if not queue:
                    break
                example = queue.pop(0)
            try:
                text = session.run(driver_script([example], profile == "docker"), EXAMPLE_TIMEOUT + 60)
            except subprocess.TimeoutExpired as exc:
                text = (
                    exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout or ""
                )
            outcomes += parse_output([example], text)
    finally:
        session.close()
    return outcomes
