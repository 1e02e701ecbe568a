"""LB211 missing-lock-timeout."""

from __future__ import annotations

from ..findings import Severity
from ..rule import UPGRADE, Invalid, LintContext, MigrationFunction, Operation, Report, Rule, Valid
from ..sql import SqlStatement

_LOCKING_OPERATIONS = frozenset(
    {
        "add_column",
        "alter_column",
        "drop_column",
        "rename_table",
        "create_foreign_key",
        "create_unique_constraint",
        "create_check_constraint",
        "create_primary_key",
        "drop_constraint",
    }
)


class MissingLockTimeout(Rule):
    """On PostgreSQL, ``ALTER TABLE`` waits for an ``ACCESS EXCLUSIVE`` lock, and while it
    waits behind one long query every other query on the table queues behind it: a change that
    takes a millisecond stops the application for as long as the slowest transaction runs.

    Set ``lback.lock_timeout`` (the templates then run every migration with ``SET
    lock_timeout``), or start ``upgrade()`` with ``op.execute("SET lock_timeout = '5s'")``: the
    change then fails fast and can be retried instead of queueing the application. Tables
    created in the same function are not reported. Claim: the lock queue behind a waiting
    ``ACCESS EXCLUSIVE`` request.
    """

    code = "LB211"
    name = "missing-lock-timeout"
    severity = Severity.WARNING
    message = (
        "{operation} on existing table {table} waits for an exclusive lock with no "
        "lock_timeout, queueing every query behind it: set lback.lock_timeout, or SET "
        "lock_timeout first"
    )
    operations = _LOCKING_OPERATIONS
    dialects = frozenset({"postgresql"})
    VALID = (
        Valid(
            """
            def upgrade():
                op.execute("SET lock_timeout = '5s'")
                op.add_column("account", sa.Column("nickname", sa.String(50)))
            """,
            dialect="postgresql",
        ),
        Valid(
            """
            def upgrade():
                op.create_table("plan", sa.Column("id", sa.Integer(), primary_key=True))
                op.add_column("plan", sa.Column("name", sa.String(50)))
            """,
            dialect="postgresql",
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.add_column("account", sa.Column("nickname", sa.String(50)))
                op.drop_column("account", "age")
            """,
            dialect="postgresql",
            line=2,
        ),
    )

    def __init__(self, context: LintContext, reporter: Report) -> None:
        super().__init__(context, reporter)
        self.first: Operation | None = None
        self.timeout_set = context.lock_timeout

    def visit_operation(self, operation: Operation) -> None:
        if operation.function == UPGRADE and operation.on_existing_table and self.first is None:
            self.first = operation

    def visit_statement(self, statement: SqlStatement, execute: Operation) -> None:
        if statement.kind == "Set" and "LOCK_TIMEOUT" in statement.words:
            self.timeout_set = True

    def leave_function(self, function: MigrationFunction) -> None:
        if function.name == UPGRADE and self.first is not None and not self.timeout_set:
            operation = self.first
            self.report(
                operation.call,
                operation=f"op.{operation.name}",
                table=repr(operation.table or "..."),
            )
        self.first = None
