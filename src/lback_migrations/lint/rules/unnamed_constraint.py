"""LB401 unnamed-constraint."""

from __future__ import annotations

import ast

from ..findings import Severity
from ..rule import Invalid, Operation, Rule, Valid
from ..syntax import dotted_name, is_call_to, is_constant, keyword

_CONSTRAINTS = ("UniqueConstraint", "ForeignKeyConstraint", "CheckConstraint")


class UnnamedConstraint(Rule):
    """A constraint created without a name gets one the database makes up, different on each
    backend (and none at all on SQLite). A later migration must name a constraint to drop or
    alter it, so it cannot be written portably. This is what Alembic's documentation calls
    "the importance of naming constraints".

    Pass ``name=...``, or give the MetaData a ``naming_convention`` (autogenerate then writes
    the names as ``op.f(...)``) and set ``naming_convention = true`` in the lint options so
    that this rule knows unnamed constraints get a name.

    A constraint written inside ``op.create_table`` is reported only on SQLite, which leaves it
    without any name (even batch mode cannot drop it then). PostgreSQL and MariaDB name it by a
    fixed pattern (``account_email_key``, ``post_ibfk_1``) that reflection reads back, so a
    later autogenerate can drop it on the same backend.
    """

    code = "LB401"
    name = "unnamed-constraint"
    severity = Severity.WARNING
    message = (
        "unnamed {kind}: its name would differ between databases, so no later migration can "
        "drop it portably; pass name=... or configure a naming convention"
    )
    operations = frozenset(
        {
            "create_table",
            "create_unique_constraint",
            "create_foreign_key",
            "create_check_constraint",
        }
    )
    VALID = (
        Valid(
            """
            def upgrade():
                op.create_unique_constraint("uq_account_email", "account", ["email"])
                op.create_table("account", sa.Column("email", sa.String()),
                                sa.UniqueConstraint("email", name="uq_account_email"))
            """
        ),
        Valid(
            """
            def upgrade():
                op.create_unique_constraint(None, "account", ["email"])
            """,
            naming_convention=True,
        ),
        Valid(
            """
            def upgrade():
                op.create_table("account", sa.Column("email", sa.String()),
                                sa.UniqueConstraint("email"))
            """,
            dialect="postgresql",
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.create_unique_constraint(None, "account", ["email"])
            """,
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.create_table(
                    "account",
                    sa.Column("email", sa.String()),
                    sa.UniqueConstraint("email"),
                )
            """,
            dialect="sqlite",
            line=5,
        ),
    )

    def visit_operation(self, operation: Operation) -> None:
        if self.context.naming_convention:
            return
        if operation.name == "create_table":
            if self.context.dialect != "sqlite":
                return
            for value in operation.call.args[1:]:
                if isinstance(value, ast.Call) and is_call_to(value, *_CONSTRAINTS):
                    name = keyword(value, "name")
                    if name is None or is_constant(name, None):
                        kind = (dotted_name(value.func) or "").rpartition(".")[2]
                        self.report(value, kind=kind)
            return
        name = operation.argument("constraint_name")
        if name is None or is_constant(name, None):
            self.report(operation.call, kind=operation.name.removeprefix("create_"))
