"""Server default comparison that normalises before comparing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.runtime.environment import CompareServerDefault


def server_default_comparator() -> CompareServerDefault:
    """Build a ``compare_server_default`` callable."""

    def compare_server_default(*args: Any) -> bool | None:
        return None

    return compare_server_default
