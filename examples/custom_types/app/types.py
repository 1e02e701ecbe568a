"""Column types defined by the application, not by SQLAlchemy."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import CHAR, Dialect
from sqlalchemy.types import TypeDecorator, UserDefinedType


class GUID(TypeDecorator[uuid.UUID]):
    """A UUID stored as its 36-character text form, on every database."""

    impl = CHAR(36)
    cache_ok = True

    def process_bind_param(self, value: uuid.UUID | None, dialect: Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> uuid.UUID | None:
        return None if value is None else uuid.UUID(value)


class Slug(UserDefinedType[str]):
    """A URL slug: lower-case text of a bounded length."""

    cache_ok = True

    def __init__(self, length: int = 80) -> None:
        self.length = length

    def get_col_spec(self, **kw: Any) -> str:
        return f"VARCHAR({self.length})"
