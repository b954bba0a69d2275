"""The Jinja environment of the site build: a per-build cache for repeated page parts, and compiled
templates kept across the two languages' builds (hooked in by `hooks.on_env`)."""

from __future__ import annotations

from typing import Any

from jinja2.bccache import Bucket, BytecodeCache
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files


class _MemoryBytecodeCache(BytecodeCache):
    """Compiled Jinja templates kept in memory across the per-language builds of one process."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


# Process-wide on purpose: compiled templates depend only on the theme files, so the second
# language's build (and the next build in the same process) reuses them.
_BYTECODE = _MemoryBytecodeCache()


def on_env(env: Any, config: MkDocsConfig, files: Files) -> Any:
    """Give templates a per-build cache for page parts that are identical across generated pages."""
    cache: dict[str, Any] = {}

    def cache_get(key: str) -> Any:
        return cache.get(key)

    def cache_set(key: str, value: Any) -> Any:
        cache[key] = value
        return value

    env.globals["atlas_cache_get"] = cache_get
    env.globals["atlas_cache_set"] = cache_set
    env.bytecode_cache = _BYTECODE  # the second language's build reuses compiled templates
    return env
