"""ACME101 delete-without-where."""

from __future__ import annotations

from lback_migrations.lint.findings import Severity
from lback_migrations.lint.rule import Invalid, Operation, Rule, Valid
from lback_migrations.lint.sql import SqlStatement


class DeleteWithoutWhere(Rule):
    """A ``DELETE`` without ``WHERE`` in a migration empties the table: at Acme, data is only
    ever removed by the retention jobs.

    Add the ``WHERE`` clause that names the rows, or leave the deletion to the retention jobs.
    """

    code = "ACME101"
    name = "delete-without-where"
    severity = Severity.ERROR
    message = "DELETE without WHERE empties {table}: name the rows to delete"
    VALID = (
        Valid(
            """
            def upgrade():
                op.execute("DELETE FROM session WHERE expires < now()")
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.execute("DELETE FROM session")
            """,
            line=2,
        ),
    )

    def visit_statement(self, statement: SqlStatement, execute: Operation) -> None:
        if statement.kind == "Delete" and "WHERE" not in statement.words:
            table = statement.tree.this.name if statement.tree.this is not None else "..."
            self.report(execute.call, table=repr(table))
