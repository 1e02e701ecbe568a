"""LB201 not-null-without-default."""

from __future__ import annotations

import ast

from ..findings import Severity
from ..rule import Invalid, Operation, Rule, Valid
from ..syntax import is_call_to, is_constant, keyword, positional, string_value


class NotNullWithoutDefault(Rule):
    """Adding a ``NOT NULL`` column without a server default fails as soon as the table holds a
    row: the database has no value to put in the existing rows.

    Give the column a ``server_default`` (it can be dropped afterwards with
    ``op.alter_column(..., server_default=None)``), or add it nullable, backfill it, and set
    ``NOT NULL`` in a later revision.
    """

    code = "LB201"
    name = "not-null-without-default"
    severity = Severity.ERROR
    message = (
        "add_column adds NOT NULL column {column} to {table} without a server default, which "
        "fails on existing rows: add server_default=..., or add it nullable and backfill first"
    )
    operations = frozenset({"add_column"})
    VALID = (
        Valid(
            """
            def upgrade():
                op.add_column("account", sa.Column("active", sa.Boolean(), nullable=False,
                                                   server_default=sa.true()))
                op.add_column("account", sa.Column("nickname", sa.String(50), nullable=True))
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.add_column("account", sa.Column("active", sa.Boolean(), nullable=False))
            """,
            line=2,
        ),
    )

    def visit_operation(self, operation: Operation) -> None:
        column = operation.argument("column")
        if not isinstance(column, ast.Call) or not is_call_to(column, "Column"):
            return
        if not is_constant(keyword(column, "nullable"), False):
            return
        default = keyword(column, "server_default")
        if default is not None and not is_constant(default, None):
            return
        arguments = positional(column)
        name = string_value(arguments[0]) if arguments else None
        self.report(
            operation.call, column=repr(name or "..."), table=repr(operation.table or "...")
        )
