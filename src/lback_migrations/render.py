"""``render_item``: how user-defined types are written into revisions, with their imports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from alembic.runtime.environment import RenderItemFn


def type_renderer(type_modules: Mapping[str, str] | None = None) -> RenderItemFn:
    """Build a ``render_item`` callable."""

    def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
        return False

    return render_item
