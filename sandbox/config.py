"""Configuration of the sandbox service: `sandbox/config.yaml`, a `--config` file, `ATLAS_SANDBOX_*`.

The schema is declared here as dataclasses (`Config`, `Profile`, `GatewaySettings`; the `limits:`
section is `sandbox.limits.Limits`); the defaults are written only in sandbox/config.yaml.
`load_config(path)` lays the layers over each other and checks every value (types and ranges here,
rules across keys in sandbox/configrules.py): an unknown key (with a
"did you mean"), a wrong type or an impossible value raises `ConfigError`, whose lines read
`config.yaml:12:3: limits.memory: ...` or `ATLAS_SANDBOX_MAX_SESSIONS: max_sessions: ...`.
`validate_config(path)` returns the same problems as a list (for `./atlas build/up/test`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar

import yaml
from atlas.errors import AtlasError
from atlas.statedir import state_dir_path

from sandbox.configrules import cross_key_problems
from sandbox.configschema import ConfigProblem, Located, Where, build, merge, read_yaml
from sandbox.limits import Limits

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_PATH = HERE / "config.yaml"
ENV_PREFIX = "ATLAS_SANDBOX_"
#: Key paths whose mappings merge key by key when a layer is laid over another.
SECTIONS = {("limits",), ("gateway",), ("profiles",), ("profiles", "*")}
INTERNAL = {"internal": True}


def _positive(what: str = "a positive number") -> dict:
    return {"min": 1e-9, "why": f"expected {what}"}


@dataclass(frozen=True)
class Profile:
    """One sandbox profile: what a session of it runs (resources are `Config.limits`)."""

    image: str
    command: list[str]
    user: str
    hostname: str
    workdir: str
    environment: dict[str, str] = field(default_factory=dict)
    runtime: str | None = None
    gateway: bool = False
    pool_size: int | None = field(default=None, metadata={"min": 0})
    lifetime: float | None = field(default=None, metadata=_positive())
    idle_timeout: float | None = field(default=None, metadata=_positive())
    name: str = field(default="", metadata=INTERNAL)

    #: Keys profiles had before the limits were declared once (config.yaml `limits:`).
    MOVED: ClassVar[dict[str, str]] = {
        key: f"the same for every profile now: set limits.{new} in config.yaml"
        for key, new in (
            ("memory", "memory"),
            ("cpu", "cpu"),
            ("pids_limit", "pids"),
            ("tmpfs", "tmpfs"),
            ("log_max_size", "log_max_size"),
        )
    } | {
        key: "not configurable: every learner container has a read-only root and no network"
        for key in ("read_only", "network")
    }


@dataclass(frozen=True)
class GatewaySettings:
    """The `gateway:` section: how the Docker API gateway (sandbox/gateway) reaches the engine."""

    engine_socket: str
    state_dir: str
    mirror: str
    runtime: str
    network_internal: bool
    build_network: str
    port_wait: float = field(metadata={"min": 0})
    max_connections: int = field(metadata={"min": 1})
    block_host: bool
    subnet_pool: str
    subnet_prefix: int = field(metadata={"min": 8, "max": 30})
    sandbox_gid: int = field(metadata={"min": 0})
    session_cgroups: bool
    disk_interval: float = field(metadata=_positive())
    http: dict[str, float]
    instance: str = field(default="", metadata=INTERNAL)  # this server's instance id, set at start


@dataclass
class Config:
    """The validated service configuration."""

    max_sessions: int = field(metadata={"min": 1})
    max_sessions_per_client: int = field(metadata={"min": 1})
    lifetime: float = field(metadata=_positive())
    idle_timeout: float = field(metadata=_positive())
    reap_interval: float = field(metadata=_positive())
    pool_size: int = field(metadata={"min": 0})
    output_rate: int = field(metadata={"min": 1024, "why": "at least 1024 bytes per second"})
    output_burst: int = field(metadata={"min": 1024, "why": "at least 1024 bytes"})
    allowed_origins: list[str]
    docs_dir: str
    state_dir: str
    verify_timeout: float = field(metadata=_positive())
    docker_timeout: float = field(metadata=_positive())
    access_log: bool
    default_profile: str
    server_threads: int = field(metadata={"min": 0})
    trusted_proxies: list[str]
    session_creations_per_minute: int = field(metadata={"min": 0})
    max_docker_sessions: int = field(metadata={"min": 0})
    max_docker_sessions_per_client: int = field(metadata={"min": 0})
    limits: Limits
    gateway: GatewaySettings
    profiles: dict[str, Profile]
    source: str = field(default="", metadata=INTERNAL)
    instance_id: str = field(default="", metadata=INTERNAL)  # set by the app at start-up

    @property
    def threads(self) -> int:
        """Threads of the server process (`server_threads`, 0 = max_sessions + 64)."""
        return self.server_threads or self.max_sessions + 64

    @property
    def docs_path(self) -> Path:
        """The docs folder, relative paths taken from the repository root."""
        p = Path(self.docs_dir)
        return p if p.is_absolute() else ROOT / p

    @property
    def state_path(self) -> Path:
        """The state folder (instance lock files live in `<state>/sandbox-instances`)."""
        if self.state_dir:
            return Path(self.state_dir)
        return state_dir_path()  # the one rule: atlas.statedir


class ConfigError(AtlasError):
    """The sandbox configuration is invalid; carries every problem, one located line each."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("invalid sandbox configuration:\n" + "\n".join(str(p) for p in problems))


def _env_layer(environ: dict[str, str]) -> tuple[dict, Located]:
    layer: dict = {}
    where: Located = {}
    for name, text in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX):
            continue
        path = tuple(p.lower() for p in name[len(ENV_PREFIX) :].split("__"))
        try:
            value = yaml.safe_load(text) if text != "" else ""
        except yaml.YAMLError:
            value = text
        node = layer
        for i, part in enumerate(path[:-1]):
            node = node.setdefault(part, {})
            where.setdefault(path[: i + 1], Where(name))
        node[path[-1]] = value
        where[path] = Where(name)
    return layer, where


def _layers(path: str | os.PathLike | None, overrides: dict | None, environ: dict[str, str]):
    raw, where, problems = read_yaml(DEFAULT_PATH, str(DEFAULT_PATH))
    source = str(DEFAULT_PATH)
    if path is not None and Path(path).resolve() != DEFAULT_PATH:
        source = str(path)
        layer, layer_where, more = read_yaml(Path(path), source)
        problems += more
        merge(raw, where, layer, layer_where, SECTIONS)
    layer, layer_where = _env_layer(environ)
    merge(raw, where, layer, layer_where, SECTIONS)
    if overrides:
        merge(raw, where, overrides, {(k,): Where("overrides") for k in overrides}, SECTIONS)
    return raw, where, problems, source


def _resolved(cfg: Config, prof: Profile, name: str) -> Profile:
    """The profile with its name and the top-level values it inherits (gateway profiles: no pool)."""
    pool = prof.pool_size if prof.pool_size is not None else (0 if prof.gateway else cfg.pool_size)
    lifetime = cfg.lifetime if prof.lifetime is None else prof.lifetime
    idle = cfg.idle_timeout if prof.idle_timeout is None else prof.idle_timeout
    return replace(prof, name=name, pool_size=pool, lifetime=lifetime, idle_timeout=idle)


def check_config(
    path: str | os.PathLike | None = None,
    overrides: dict | None = None,
    environ: dict[str, str] | None = None,
) -> tuple[Config | None, list[ConfigProblem]]:
    """The configuration and every problem found (the Config is None when there are problems)."""
    env = dict(os.environ if environ is None else environ)
    raw, where, problems, source = _layers(path, overrides, env)
    fallback = Where(source)
    cfg = build(Config, raw, where, fallback, problems) if not problems else None
    if cfg is None:
        return None, sorted(problems, key=lambda p: p.sort_key)
    cfg.source = source
    problems += cross_key_problems(cfg, where, fallback)
    cfg.profiles = {name: _resolved(cfg, prof, name) for name, prof in cfg.profiles.items()}
    return (None if problems else cfg), sorted(problems, key=lambda p: p.sort_key)


def load_config(
    path: str | os.PathLike | None = None,
    overrides: dict | None = None,
    environ: dict[str, str] | None = None,
) -> Config:
    """Load the configuration: config.yaml, then `path` (if given), the environment, then overrides."""
    cfg, problems = check_config(path, overrides, environ)
    if cfg is None:
        raise ConfigError(problems)
    return cfg


def gateway_settings(
    gateway: dict | None = None, limits: dict | None = None, instance: str = ""
) -> tuple[GatewaySettings, Limits]:
    """The declared gateway settings and limits with `gateway`/`limits` keys changed (checked like the
    file); for tools and tests that run a GatewayManager without the service."""
    cfg = load_config(None, overrides={"gateway": gateway or {}, "limits": limits or {}})
    return replace(cfg.gateway, instance=instance), cfg.limits


def validate_config(path: str | os.PathLike | None = None) -> list[ConfigProblem]:
    """Every problem of the configuration `./atlas serve` would load (config.yaml, `path`, environment)."""
    return check_config(path)[1]


def require_valid_config(path: str | os.PathLike | None = None) -> str:
    """A one-line summary of a valid configuration; ConfigError listing every problem otherwise
    (the `config` step of `./atlas setup`, `up` and `test`)."""
    cfg = load_config(path)
    lim = cfg.limits
    return (
        f"profiles {', '.join(sorted(cfg.profiles))}; each container {lim.memory // 2**20} MiB, "
        f"{lim.cpu:g} CPU, {lim.pids} processes"
    )
