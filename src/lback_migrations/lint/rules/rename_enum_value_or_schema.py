"""LB304 rename-enum-value-or-schema."""

from __future__ import annotations

from ..findings import Severity
from ..rule import UPGRADE, Invalid, Operation, Rule, Valid
from ..sql import SqlStatement


class RenameEnumValueOrSchema(Rule):
    """Renaming an enum value (``ALTER TYPE ... RENAME VALUE``) or a schema (``ALTER SCHEMA
    ... RENAME TO``) is instant and keeps the data, but every instance of the application still
    running the previous release writes the old value, or names the old schema, and fails.

    Add the new enum value, move the rows and the code to it, and drop the old value later; for
    a schema, create the new one and move the objects, or rename during downtime and suppress
    the finding on the line.
    """

    code = "LB304"
    name = "rename-enum-value-or-schema"
    severity = Severity.WARNING
    message = (
        "{statement} breaks code that still uses the old name: add the new one and migrate in steps"
    )
    VALID = (
        Valid(
            """
            def upgrade():
                op.execute("ALTER TYPE mood ADD VALUE 'unhappy'")
            """
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.execute("ALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy'")
            """,
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.execute("ALTER SCHEMA app RENAME TO application")
            """,
            line=2,
        ),
    )

    def visit_statement(self, statement: SqlStatement, execute: Operation) -> None:
        if execute.function != UPGRADE or statement.words[:1] != ("ALTER",):
            return
        if statement.words[1:2] == ("TYPE",) and statement.has_words("RENAME", "VALUE"):
            self.report(execute.call, statement="ALTER TYPE ... RENAME VALUE")
        elif statement.words[1:2] == ("SCHEMA",) and statement.has_words("RENAME", "TO"):
            self.report(execute.call, statement="ALTER SCHEMA ... RENAME TO")
