"""Rules across keys of sandbox/config.yaml: values each fine alone but impossible together.

`cross_key_problems(cfg, where, fallback)` runs after the schema (sandbox/config.py) accepted every
value; each problem is located where the key at fault was written (file position or variable name).
"""

from __future__ import annotations

import ipaddress
from dataclasses import fields
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from atlas.kb.problems import did_you_mean

from sandbox.configschema import ConfigProblem, Located, Where, locate
from sandbox.limits import MIN_MEMORY, MIN_PIDS

if TYPE_CHECKING:
    from sandbox.config import Config


def cross_key_problems(cfg: Config, where: Located, fallback: Where) -> list[ConfigProblem]:
    """Every cross-key problem of a configuration whose values each passed the schema."""
    problems = []

    def bad(path: tuple[str, ...], message: str) -> None:
        problems.append(locate(where, path, fallback).problem(".".join(path), message))

    lim = cfg.limits
    if lim.memory < MIN_MEMORY:
        bad(("limits", "memory"), f"{lim.memory} bytes is less than a shell needs (at least 32m)")
    if lim.pids < MIN_PIDS:
        bad(("limits", "pids"), f"{lim.pids} processes are fewer than a shell needs (at least {MIN_PIDS})")
    for key in ("cpu", "session_cpus"):
        if getattr(lim, key) <= 0:
            bad(("limits", key), "expected a positive number of cores")
    for key in ("containers", "images", "volumes", "networks", "image_disk", "build_context"):
        if getattr(lim, key) < 0:
            bad(("limits", key), "cannot be negative")
    for key, each in (("session_memory", "memory"), ("session_pids", "pids"), ("session_cpus", "cpu")):
        if getattr(lim, key) < getattr(lim, each):
            bad(
                ("limits", key),
                f"the whole session gets less than one container ({each}: {getattr(lim, each)})",
            )
    if cfg.max_sessions_per_client > cfg.max_sessions:
        bad(("max_sessions_per_client",), f"larger than max_sessions ({cfg.max_sessions})")
    _check_serving(cfg, bad)
    if cfg.default_profile not in cfg.profiles:
        hint = _did_you_mean(cfg.default_profile, cfg.profiles)
        bad(("default_profile",), f"'{cfg.default_profile}' is not a profile{hint}")
    pooled = 0
    for name, prof in cfg.profiles.items():
        if prof.gateway and prof.pool_size:
            bad(
                ("profiles", name, "pool_size"),
                "a gateway profile cannot be pooled (its socket is per session); use 0",
            )
        pooled += _pool(cfg, prof)
        if not prof.command:
            bad(("profiles", name, "command"), "expected a command, e.g. [/bin/bash, -i]")
    if pooled > cfg.max_sessions:
        bad(
            ("pool_size",),
            f"the profiles' warm pools hold {pooled} containers, more than max_sessions ({cfg.max_sessions})",
        )
    gw = cfg.gateway
    try:
        pool = ipaddress.ip_network(gw.subnet_pool)
        if gw.subnet_prefix <= pool.prefixlen:
            bad(
                ("gateway", "subnet_prefix"),
                f"/{gw.subnet_prefix} does not fit in subnet_pool {gw.subnet_pool}",
            )
    except ValueError as exc:
        bad(("gateway", "subnet_pool"), f"not an address range: {exc}")
    problems += _check_http(gw.http, where, fallback)
    return problems


def _check_serving(cfg: Config, bad: Any) -> None:
    """server_threads, trusted_proxies, allowed_origins and the fair-use caps (reported through `bad`)."""
    if cfg.server_threads and cfg.server_threads < cfg.max_sessions + 16:
        bad(
            ("server_threads",),
            f"{cfg.server_threads} threads cannot serve max_sessions ({cfg.max_sessions}) terminals and "
            f"the API: use at least {cfg.max_sessions + 16}",
        )
    for i, net in enumerate(cfg.trusted_proxies):
        try:
            ipaddress.ip_network(net, strict=False)
        except ValueError:
            bad(("trusted_proxies", str(i)), f"'{net}' is not an address or network, e.g. 127.0.0.1/32")
    for i, origin in enumerate(cfg.allowed_origins):
        parts = urlsplit(origin)
        if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path not in {"", "/"}:
            bad(("allowed_origins", str(i)), f"'{origin}' is not an origin such as https://atlas.example")
    if cfg.max_docker_sessions_per_client > (cfg.max_docker_sessions or cfg.max_sessions):
        bad(
            ("max_docker_sessions_per_client",),
            f"larger than max_docker_sessions ({cfg.max_docker_sessions or cfg.max_sessions})",
        )


def _check_http(http: dict[str, float], where: Located, fallback: Where) -> list[ConfigProblem]:
    from sandbox.gateway.server import HttpLimits  # the gateway's own declaration

    known = [f.name for f in fields(HttpLimits)]
    problems = []
    for key, value in http.items():
        path = ("gateway", "http", key)
        if key not in known:
            hint = _did_you_mean(key, known) or f" (known: {', '.join(known)})"
            problems.append(locate(where, path, fallback).problem(".".join(path), "unknown key" + hint))
        elif value <= 0:
            problems.append(
                locate(where, path, fallback).problem(".".join(path), "expected a positive number")
            )
    return problems


def _did_you_mean(word: str, choices: Any) -> str:
    return did_you_mean(word, list(choices))


def _pool(cfg: Config, prof: Any) -> int:
    """Warm containers a profile keeps (its own pool_size, else the top-level one; gateway profiles none)."""
    if prof.pool_size is not None:
        return prof.pool_size
    return 0 if prof.gateway else cfg.pool_size
