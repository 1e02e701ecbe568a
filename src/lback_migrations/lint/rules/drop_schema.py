"""LB106 drop-schema."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, Operation, Rule, Valid
from ..sql import SqlStatement


class DropSchema(Rule):
    """``DROP SCHEMA`` and ``DROP DATABASE`` destroy every table, view and function in them at
    once, with their data; with ``CASCADE`` nothing stops them. No migration of an application
    that keeps running should do it.

    Drop the objects one by one in revisions of their own (each reported by the rules for its
    kind), or do it by hand outside the migration history. Suppress the finding on the line
    when the loss is intended (a schema that only ever held scratch data).
    """

    code = "LB106"
    name = "drop-schema"
    severity = Severity.ERROR
    message = "{statement} deletes everything in it: drop its objects one by one, or do it by hand"
    VALID = (
        Valid(
            """
            def upgrade():
                op.execute("CREATE SCHEMA IF NOT EXISTS reporting")

            def downgrade():
                op.execute("DROP SCHEMA reporting")
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.execute("DROP SCHEMA legacy CASCADE")
            """,
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.execute(sa.text("DROP DATABASE legacy"))
            """,
            dialect="mysql",
            line=2,
        ),
    )

    def visit_statement(self, statement: SqlStatement, execute: Operation) -> None:
        if execute.function == "downgrade" or statement.kind != "Drop":
            return
        kind = str(statement.tree.args.get("kind", "")).upper()
        if kind in {"SCHEMA", "DATABASE"}:
            self.report(execute.call, statement=f"DROP {kind}")
