"""The registry of the sandbox policy's rules: every refusal the gateway can give is one of them.

A rule is a function of the policy package that raises `Denied` (or a 400/404 the policy decides)
when a request breaks it; `@rule("id")` registers it under a stable id. `RULES` maps each id to its
function and its docstring. docs/sandbox-policy.md and .zh.md list every id in their "Rules" tables,
and tests/unit/test_policy_rules.py checks that they do, so a new rule without documentation fails.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

F = TypeVar("F", bound=Callable)


@dataclass(frozen=True)
class Rule:
    """One registered rule: its id, the function deciding it, and what it refuses (its docstring)."""

    id: str
    func: Callable
    doc: str


RULES: dict[str, Rule] = {}


def rule(rule_id: str) -> Callable[[F], F]:
    """Register the decorated function as the policy rule `rule_id` (ids are unique)."""

    def register(func: F) -> F:
        if rule_id in RULES:
            raise ValueError(f"policy rule {rule_id!r} is registered twice")
        doc = inspect.getdoc(func)
        if not doc:
            raise ValueError(f"policy rule {rule_id!r} ({func.__qualname__}) has no docstring")
        RULES[rule_id] = Rule(rule_id, func, doc)
        func.rule_id = rule_id  # type: ignore[attr-defined]
        return func

    return register
