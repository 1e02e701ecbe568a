"""Column type comparison: stock comparison plus named rules for known false positives."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.runtime.environment import CompareType

DEFAULT_TYPE_RULES: tuple[str, ...] = ()

_rules: dict[str, Callable[..., bool | None]] = {}


def register_type_rule(
    name: str,
) -> Callable[[Callable[..., bool | None]], Callable[..., bool | None]]:
    """Register a type rule under ``name``."""

    def decorate(rule: Callable[..., bool | None]) -> Callable[..., bool | None]:
        _rules[name] = rule
        return rule

    return decorate


def type_comparator(rules: Sequence[str | CompareType] | None = None) -> CompareType:
    """Build a ``compare_type`` callable."""

    def compare_type(*args: Any) -> bool | None:
        return None

    return compare_type
