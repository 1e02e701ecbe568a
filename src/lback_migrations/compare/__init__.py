"""Comparators for Alembic's ``compare_type`` and ``compare_server_default`` hooks."""

from __future__ import annotations

from .server_default import server_default_comparator
from .type import DEFAULT_TYPE_RULES, register_type_rule, type_comparator

__all__ = [
    "DEFAULT_TYPE_RULES",
    "register_type_rule",
    "server_default_comparator",
    "type_comparator",
]
