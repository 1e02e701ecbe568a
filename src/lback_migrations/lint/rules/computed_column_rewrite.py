"""LB250 computed-column-rewrite."""

from __future__ import annotations

import ast

from ..findings import Severity
from ..rule import UPGRADE, Invalid, Operation, Rule, Valid
from ..syntax import is_call_to, positional, string_value


class ComputedColumnRewrite(Rule):
    """Adding a generated column (``sa.Computed``) to a table that holds rows computes it for
    every row: a stored column rewrites the table under an exclusive lock (PostgreSQL stores
    every generated column). Autogenerate writes such an ``add_column`` after a
    ``drop_column`` when a generated column's expression changed, since no server alters the
    expression in place; between the two statements the column does not exist.

    Run it when the table is quiet, or add a plain column filled by the application or a
    trigger instead; suppress the finding once that is settled.
    """

    code = "LB250"
    name = "computed-column-rewrite"
    severity = Severity.WARNING
    message = (
        "add_column adds generated column {column} to {table}: computing it for every row "
        "rewrites the table under an exclusive lock"
    )
    operations = frozenset({"add_column"})
    VALID = (
        Valid(
            """
            def upgrade():
                op.create_table("item", sa.Column("price", sa.Numeric()))
                op.add_column("item", sa.Column("total", sa.Numeric(), sa.Computed("price * 2")))
            """
        ),
        Valid(
            """
            def downgrade():
                op.add_column("item", sa.Column("total", sa.Numeric(), sa.Computed("price * 2")))
            """
        ),
        Valid(
            """
            def upgrade():
                op.add_column("item", sa.Column("total", sa.Numeric()))
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.drop_column("item", "total")
                op.add_column("item", sa.Column("total", sa.Numeric(), sa.Computed("price * 3")))
            """,
            line=3,
        ),
        Invalid(
            """
            def upgrade():
                with op.batch_alter_table("item") as batch_op:
                    batch_op.add_column(sa.Column("total", sa.Numeric(), sa.Computed("price")))
            """,
            line=3,
        ),
    )

    def visit_operation(self, operation: Operation) -> None:
        if operation.function != UPGRADE or not operation.on_existing_table:
            return
        column = operation.argument("column")
        if not isinstance(column, ast.Call) or not is_call_to(column, "Column"):
            return
        arguments = positional(column)
        if not any(is_call_to(argument, "Computed") for argument in arguments):
            return
        name = string_value(arguments[0]) if arguments else None
        self.report(
            operation.call, column=repr(name or "..."), table=repr(operation.table or "...")
        )
