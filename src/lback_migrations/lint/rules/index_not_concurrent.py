"""LB204 index-not-concurrent."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, LintContext, MigrationFunction, Operation, Report, Rule, Valid
from ..syntax import is_constant, keyword, string_value


class IndexNotConcurrent(Rule):
    """On PostgreSQL, ``CREATE INDEX`` and ``DROP INDEX`` block every write to the table
    until they finish, which on a large table is an outage.

    Pass ``postgresql_concurrently=True`` and run the call inside
    ``with op.get_context().autocommit_block():`` (a concurrent build cannot run in a
    transaction, see LB205). Indexes on a table created earlier in the same function (still
    empty) or dropped later in it are not reported.
    """

    code = "LB204"
    name = "index-not-concurrent"
    severity = Severity.WARNING
    message = (
        "{operation} on {table} blocks writes while it runs: pass postgresql_concurrently=True "
        "inside op.get_context().autocommit_block()"
    )
    operations = frozenset({"create_index", "drop_index", "drop_table"})
    dialects = frozenset({"postgresql"})
    VALID = (
        Valid(
            """
            def upgrade():
                with op.get_context().autocommit_block():
                    op.create_index("ix_account_email", "account", ["email"],
                                    postgresql_concurrently=True)
            """,
            dialect="postgresql",
        ),
        Valid(
            """
            def upgrade():
                op.create_table("account", sa.Column("id", sa.Integer(), primary_key=True),
                                sa.Column("email", sa.String()))
                op.create_index("ix_account_email", "account", ["email"])
            """,
            dialect="postgresql",
        ),
        Valid(
            """
            def upgrade():
                op.create_index("ix_account_email", "account", ["email"])
            """,
            dialect="sqlite",
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.create_index("ix_account_email", "account", ["email"])
            """,
            dialect="postgresql",
            line=2,
        ),
        Invalid(
            """
            def downgrade():
                op.drop_index("ix_account_email", table_name="account")
            """,
            dialect="postgresql",
            line=2,
        ),
    )

    def __init__(self, context: LintContext, reporter: Report) -> None:
        super().__init__(context, reporter)
        self.pending: list[tuple[Operation, str | None]] = []
        self.dropped: set[str] = set()

    def visit_operation(self, operation: Operation) -> None:
        if operation.name == "drop_table":
            table = string_value(operation.argument("table_name"))
            if table is not None:
                self.dropped.add(table)
            return
        if not operation.on_existing_table:
            return
        if is_constant(keyword(operation.call, "postgresql_concurrently"), True):
            return
        self.pending.append((operation, operation.table))

    def leave_function(self, function: MigrationFunction) -> None:
        for operation, table in self.pending:
            if table is None or table not in self.dropped:
                self.report(operation.call, operation=f"op.{operation.name}", table=repr(table))
        self.pending.clear()
        self.dropped.clear()
