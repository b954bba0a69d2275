"""Configuration of the sandbox service: `sandbox/config.yaml` overridden by `ATLAS_SANDBOX_*` variables.

`load_config(path)` reads the YAML file (every key documented there with its default), applies the
environment (`ATLAS_SANDBOX_MAX_SESSIONS=20`, nested keys with `__`:
`ATLAS_SANDBOX_PROFILES__SHELL__RUNTIME=runsc`) and checks every value, naming the file and key of
each problem.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import yaml
from atlas.errors import AtlasError

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_PATH = HERE / "config.yaml"
ENV_PREFIX = "ATLAS_SANDBOX_"

#: Top-level keys and their types (the defaults live in config.yaml).
TOP_TYPES: dict[str, type | tuple] = {
    "max_sessions": int,
    "max_sessions_per_client": int,
    "lifetime": (int, float),
    "idle_timeout": (int, float),
    "reap_interval": (int, float),
    "pool_size": int,
    "output_rate": int,
    "output_burst": int,
    "allowed_origins": list,
    "docs_dir": str,
    "state_dir": str,
    "verify_timeout": (int, float),
    "docker_timeout": (int, float),
    "access_log": bool,
    "default_profile": str,
    "profiles": dict,
    "gateway": dict,
}
PROFILE_TYPES: dict[str, type | tuple] = {
    "image": str,
    "command": list,
    "user": str,
    "hostname": str,
    "workdir": str,
    "environment": dict,
    "runtime": (str, type(None)),
    "network": str,
    "pids_limit": int,
    "memory": (str, int),
    "cpu": (int, float),
    "read_only": bool,
    "tmpfs": dict,
    "log_max_size": str,
    "gateway": bool,
    "pool_size": int,
    "lifetime": (int, float),
    "idle_timeout": (int, float),
}
PROFILE_REQUIRED = ("image", "command")


class Profile(dict):
    """One sandbox profile (a dict with attribute access and inherited defaults filled in)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


class Config:
    """The validated service configuration; `raw` is the merged dict, `profiles` the Profile objects."""

    def __init__(self, raw: dict, source: str) -> None:
        self.raw = raw
        self.source = source
        self.instance_id = ""  # set by the app at start-up
        self.profiles: dict[str, Profile] = {}
        for name, prof in raw["profiles"].items():
            p = Profile(
                user="1000:1000",
                hostname="sandbox",
                workdir="/home/learner",
                environment={},
                runtime=None,
                network="none",
                pids_limit=128,
                memory="256m",
                cpu=0.5,
                read_only=True,
                tmpfs={},
                log_max_size="1m",
                gateway=False,
            )
            p.update(prof)
            p.setdefault("pool_size", raw["pool_size"])
            p.setdefault("lifetime", raw["lifetime"])
            p.setdefault("idle_timeout", raw["idle_timeout"])
            p["name"] = name
            self.profiles[name] = p

    def __getattr__(self, name: str) -> Any:
        raw = self.__dict__.get("raw", {})
        if name in raw:
            return raw[name]
        raise AttributeError(name)

    @property
    def docs_path(self) -> Path:
        """The docs folder, relative paths taken from the repository root."""
        p = Path(self.raw["docs_dir"])
        return p if p.is_absolute() else ROOT / p

    @property
    def state_path(self) -> Path:
        """The state folder (instance lock files live in `<state>/sandbox-instances`)."""
        if self.raw["state_dir"]:
            return Path(self.raw["state_dir"])
        if os.environ.get("ATLAS_STATE_DIR"):
            return Path(os.environ["ATLAS_STATE_DIR"])
        if os.geteuid() == 0:
            return Path("/var/lib/container-atlas")
        xdg = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        return Path(xdg) / "container-atlas"


def _parse_env_value(text: str) -> Any:
    try:
        return yaml.safe_load(text) if text != "" else ""
    except yaml.YAMLError:
        return text


def _apply_env(raw: dict, environ: dict[str, str]) -> None:
    for key, value in sorted(environ.items()):
        if not key.startswith(ENV_PREFIX):
            continue
        path = [p.lower() for p in key[len(ENV_PREFIX) :].split("__")]
        node = raw
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise AtlasError(f"environment {key}: '{part}' is not a section")
        node[path[-1]] = _parse_env_value(value)


def _type_name(t: type | tuple) -> str:
    types = t if isinstance(t, tuple) else (t,)
    return " or ".join("null" if x is type(None) else x.__name__ for x in types)


def _check(raw: dict, source: str) -> list[str]:
    problems = []

    def bad_type(where: str, value: Any, t: type | tuple) -> bool:
        types = t if isinstance(t, tuple) else (t,)
        if isinstance(value, bool) and bool not in types:
            return True
        return not isinstance(value, types)

    for key, value in raw.items():
        if key not in TOP_TYPES:
            problems.append(f"{source}: {key}: unknown key (known: {', '.join(sorted(TOP_TYPES))})")
        elif bad_type(key, value, TOP_TYPES[key]):
            problems.append(f"{source}: {key}: expected {_type_name(TOP_TYPES[key])}, got {value!r}")
    for name, prof in (raw.get("profiles") or {}).items():
        if not isinstance(prof, dict):
            problems.append(f"{source}: profiles.{name}: expected a mapping")
            continue
        for key in PROFILE_REQUIRED:
            if key not in prof:
                problems.append(f"{source}: profiles.{name}.{key}: missing")
        for key, value in prof.items():
            where = f"profiles.{name}.{key}"
            if key not in PROFILE_TYPES:
                problems.append(f"{source}: {where}: unknown key (known: {', '.join(sorted(PROFILE_TYPES))})")
            elif bad_type(where, value, PROFILE_TYPES[key]):
                problems.append(
                    f"{source}: {where}: expected {_type_name(PROFILE_TYPES[key])}, got {value!r}"
                )
    if not problems and raw.get("default_profile") not in raw.get("profiles", {}):
        problems.append(f"{source}: default_profile: '{raw.get('default_profile')}' is not a profile")
    return problems


def load_config(
    path: str | os.PathLike | None = None,
    overrides: dict | None = None,
    environ: dict[str, str] | None = None,
) -> Config:
    """Load the configuration: defaults file, then `path` (if given), then environment, then overrides."""
    defaults = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    raw = copy.deepcopy(defaults)
    source = str(DEFAULT_PATH)
    if path is not None and Path(path).resolve() != DEFAULT_PATH:
        source = str(path)
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise AtlasError(f"{path}: cannot read the sandbox configuration: {exc}") from exc
        except yaml.YAMLError as exc:
            raise AtlasError(f"{path}: invalid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise AtlasError(f"{path}: the sandbox configuration must be a mapping")
        profiles = data.pop("profiles", None)
        raw.update(data)
        if profiles is not None:
            if not isinstance(profiles, dict):
                raise AtlasError(f"{path}: profiles: expected a mapping")
            for name, prof in profiles.items():
                base = raw["profiles"].get(name, {})
                raw["profiles"][name] = {**base, **(prof or {})}
    _apply_env(raw, dict(os.environ if environ is None else environ))
    for key, value in (overrides or {}).items():
        if key == "profiles":
            for name, prof in value.items():
                raw["profiles"][name] = {**raw["profiles"].get(name, {}), **prof}
        else:
            raw[key] = value
    problems = _check(raw, source)
    if problems:
        raise AtlasError("invalid sandbox configuration:\n" + "\n".join(problems))
    return Config(raw, source)
