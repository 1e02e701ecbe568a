"""Comparators for Alembic's ``compare_type`` and ``compare_server_default`` hooks."""

from __future__ import annotations

from .server_default import (
    AUTOGENERATE_PLUGINS,
    NormalisedDefault,
    parse_sql_default,
    server_default_comparator,
)
from .type import DEFAULT_TYPE_RULES, register_type_rule, type_comparator, type_rule_names

__all__ = [
    "AUTOGENERATE_PLUGINS",
    "DEFAULT_TYPE_RULES",
    "NormalisedDefault",
    "parse_sql_default",
    "register_type_rule",
    "server_default_comparator",
    "type_comparator",
    "type_rule_names",
]
