"""Column types of the shop: thin TypeDecorators over SQLAlchemy's own types."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class Sku(TypeDecorator[str]):
    """A stock keeping unit: upper-case text of at most 20 characters."""

    impl = sa.String(20)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: sa.Dialect) -> str | None:
        return value.upper() if value is not None else None


class Flag(TypeDecorator[bool]):
    """A Boolean stored the way each backend stores Booleans."""

    impl = sa.Boolean
    cache_ok = True
