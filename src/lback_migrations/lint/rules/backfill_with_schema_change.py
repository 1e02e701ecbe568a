"""LB108 backfill-with-schema-change."""

from __future__ import annotations

import ast

from ..findings import Severity
from ..rule import Invalid, LintContext, MigrationFunction, Operation, Report, Rule, Valid
from ..sql import SqlStatement

_SCHEMA_OPERATIONS = frozenset(
    {
        "add_column",
        "alter_column",
        "drop_column",
        "create_table",
        "drop_table",
        "rename_table",
        "create_index",
        "drop_index",
        "create_foreign_key",
        "create_unique_constraint",
        "create_check_constraint",
        "create_primary_key",
        "drop_constraint",
    }
)


class BackfillWithSchemaChange(Rule):
    """A backfill (``UPDATE``, or ``INSERT ... SELECT``) in the same revision as a schema
    change runs in the same transaction: the locks the schema change takes are held while
    every row is rewritten, and on a large table that blocks the application for the whole
    backfill. A backfill that fails also undoes the schema change with it.

    Put the backfill in a revision of its own (on PostgreSQL, in batches inside
    ``op.get_context().autocommit_block()``), after the revision that changes the schema.

    PostgreSQL only: MariaDB commits each DDL statement at once, so no lock outlives it. Claim:
    the schema change's locks held for the whole backfill.
    """

    code = "LB108"
    name = "backfill-with-schema-change"
    severity = Severity.WARNING
    message = (
        "{statement} backfills rows in the same revision as a schema change, holding its locks "
        "while every row is written: move the backfill to a revision of its own"
    )
    operations = _SCHEMA_OPERATIONS
    dialects = frozenset({"postgresql"})
    VALID = (
        Valid(
            """
            def upgrade():
                op.execute("UPDATE account SET plan = 'free' WHERE plan IS NULL")
            """,
            dialect="postgresql",
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.add_column("account", sa.Column("plan", sa.String(20), nullable=True))
                op.execute("UPDATE account SET plan = 'free'")
            """,
            dialect="postgresql",
            line=3,
        ),
        Invalid(
            """
            def upgrade():
                op.execute("INSERT INTO plan (name) SELECT DISTINCT plan FROM account")
                op.execute("ALTER TABLE account DROP COLUMN plan")
            """,
            dialect="postgresql",
            line=2,
        ),
    )

    def __init__(self, context: LintContext, reporter: Report) -> None:
        super().__init__(context, reporter)
        self.changes_schema = False
        self.backfills: list[tuple[ast.Call, str]] = []

    def visit_operation(self, operation: Operation) -> None:
        self.changes_schema = True

    def visit_statement(self, statement: SqlStatement, execute: Operation) -> None:
        if statement.kind == "Update" or (
            statement.kind == "Insert" and "SELECT" in statement.words
        ):
            self.backfills.append((execute.call, statement.kind.upper()))

    def leave_function(self, function: MigrationFunction) -> None:
        if self.changes_schema:
            for call, statement in self.backfills:
                self.report(call, statement=statement)
        self.changes_schema = False
        self.backfills.clear()
