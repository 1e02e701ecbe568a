"""LB407 imports-application-models."""

from __future__ import annotations

import ast

from ..findings import Severity
from ..rule import Invalid, Rule, Valid

_MODEL_PACKAGES = frozenset({"models", "dbmodels"})
"""The names an application gives the package of its models, anywhere in a dotted path."""
_LIBRARIES = frozenset(
    {
        "alembic",
        "django",
        "flask_appbuilder",
        "flask_sqlalchemy",
        "geoalchemy2",
        "sqlalchemy",
        "sqlalchemy_utils",
        "sqlmodel",
    }
)
"""Libraries with ``models`` modules of their own: classes to build models from, versioned
with the library, not the application's models."""


class ImportsApplicationModels(Rule):
    """A revision that imports the application's models (``from app.models import User``,
    ``import ckan.model``) runs whatever the models say on the day it runs, not what they said
    when it was written. A later change to the models (a column renamed, a table split)
    silently changes what this old revision does, or breaks it: databases migrated before and
    after the change end up different, and a fresh database can no longer be built from the
    history.

    Write into the revision what it needs: ``sa.table("user", sa.column("id"), ...)`` for the
    data it moves, literal types for the columns it adds.

    The application's models are a module whose dotted path has a part named ``models`` or
    ``dbmodels``, or ends in ``model`` (``ckan.model``), outside the libraries that ship
    ``models`` modules of their own (``sqlalchemy``, ``alembic``, ``sqlalchemy_utils``,
    ``sqlmodel``, ``flask_sqlalchemy``, ``flask_appbuilder``, ``geoalchemy2``, ``django``).
    Helpers a project keeps in a package under its model module (``app.model.migrations``)
    are not models and are not reported. A relative import (``from .models import ...``) is not
    judged.
    """

    code = "LB407"
    name = "imports-application-models"
    severity = Severity.WARNING
    message = (
        "the revision imports {module}, the application's models: a later change to the models "
        "changes what this revision does; write the tables and columns it needs into it "
        "(sa.table(...), sa.column(...))"
    )
    VALID = (
        Valid(
            """
            import sqlalchemy as sa
            from alembic import op
            from sqlalchemy.orm import declarative_base
            from sqlalchemy_utils.types import UUIDType
            from app.migrations.util import has_table
            from app.model.migrations.util import drop_index
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            import sqlalchemy as sa
            from app.models import Account
            """,
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                import ckan.model
            """,
            line=2,
        ),
        Invalid(
            """
            from airflow.models.base import StringID
            """,
            line=1,
        ),
    )

    def visit_import(self, statement: ast.Import | ast.ImportFrom) -> None:
        if isinstance(statement, ast.ImportFrom):
            modules = [statement.module or ""] if statement.level == 0 else []
        else:
            modules = [alias.name for alias in statement.names]
        for module in modules:
            if _is_models(module):
                self.report(statement, module=module)
                return


def _is_models(module: str) -> bool:
    parts = module.split(".")
    if parts[0] in _LIBRARIES:
        return False
    return parts[-1] == "model" or not _MODEL_PACKAGES.isdisjoint(parts)
