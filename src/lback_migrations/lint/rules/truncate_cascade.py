"""LB107 truncate-cascade."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, Operation, Rule, Valid
from ..sql import SqlStatement


class TruncateCascade(Rule):
    """``TRUNCATE ... CASCADE`` empties the named table and every table whose foreign keys
    reference it, and theirs in turn: one statement can empty half the database, and which
    tables it reaches changes as the schema grows.

    Name every table to empty in the ``TRUNCATE`` and drop ``CASCADE``: the database then
    refuses instead of emptying a table nobody named.
    """

    code = "LB107"
    name = "truncate-cascade"
    severity = Severity.ERROR
    message = (
        "TRUNCATE ... CASCADE also empties every table that references it: name the tables to "
        "empty and drop CASCADE"
    )
    VALID = (
        Valid(
            """
            def upgrade():
                op.execute("TRUNCATE session_cache, session_cache_entry")
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.execute("TRUNCATE account CASCADE")
            """,
            line=2,
        ),
    )

    def visit_statement(self, statement: SqlStatement, execute: Operation) -> None:
        if statement.kind == "TruncateTable" and "CASCADE" in statement.words:
            self.report(execute.call)
