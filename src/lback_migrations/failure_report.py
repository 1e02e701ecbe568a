"""What a failed or interrupted migration run did, told truthfully.

A :class:`FailureReport` names the revision and the statement that failed, the error, the
statements of that revision that had already run and whether they were rolled back, and what
the version table says afterwards. On MariaDB / MySQL, where DDL commits on its own, it lists
the statements that stay applied and the SQL the revision's downgrade would run.
:class:`MigrationFailed` carries it as a one-error-per-run :class:`~alembic.util.CommandError`.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from .errors import LbackError

DDL_KEYWORDS = frozenset({"CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "COMMENT"})
DML_KEYWORDS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE"})
_STRING_LITERAL = re.compile(r"'(?:[^']|'')*'")
_FIRST_WORD = re.compile(r"^\s*(?:--[^\n]*\n\s*)*(\w+)")


def masked_sql(statement: str) -> str:
    """``statement`` with its string literals replaced by ``'***'`` and its lines joined.

    Bound parameters never appear in a statement; literals written into it (a data migration's
    ``op.execute("UPDATE ... SET token = 'abc'")``) may hold what no report should show.
    """
    return " ".join(_STRING_LITERAL.sub("'***'", statement).split())


def statement_keyword(statement: str) -> str:
    """The first keyword of ``statement``, upper case (``CREATE``, ``INSERT``, ...)."""
    match = _FIRST_WORD.match(statement)
    return match.group(1).upper() if match else ""


def changes_schema_or_data(statement: str) -> bool:
    """Whether ``statement`` is DDL or DML, as opposed to a query or a session setting."""
    return statement_keyword(statement) in DDL_KEYWORDS | DML_KEYWORDS


def committed_without_transaction(statements: list[str]) -> list[str]:
    """The ``statements`` that stay applied after a rollback on MariaDB / MySQL.

    Each DDL statement commits on its own and commits whatever ran before it; only the data
    changes after the last DDL statement are rolled back.
    """
    last_ddl = max(
        (i for i, sql in enumerate(statements) if statement_keyword(sql) in DDL_KEYWORDS),
        default=-1,
    )
    return statements[: last_ddl + 1]


@dataclass(frozen=True)
class FailureReport:
    """What a failed migration run did.

    :param target: the database, password masked.
    :param revision: the revision that failed, ``None`` when no revision was running (the
        version table could not be read or written).
    :param direction: ``upgrade`` or ``downgrade``.
    :param statement: the statement that failed, literals masked; ``None`` when the error was
        not a statement's (an exception of the migration's Python code, an interrupt between
        statements).
    :param error: the error, one line.
    :param statements_run: the revision's statements that had completed before, masked.
    :param rolled_back: whether those statements were rolled back.
    :param statements_applied: the statements that stay applied although the revision failed
        (MariaDB / MySQL), masked.
    :param downgrade_sql: what the revision's downgrade would run (when some statements stay
        applied), one statement each.
    :param rolled_back_revisions: revisions reported as completed by ``migration_step_completed``
        earlier in the run and rolled back with the failed one (one transaction for the run).
    :param version_table: the version table, schema-qualified when it has a schema.
    :param versions: what the version table says now; ``None`` when it does not exist.
    :param interrupted: the run was stopped by SIGINT or SIGTERM.
    :param concurrent: the failure is the mark of another run applying the same revisions at
        the same time (only possible with ``lback.migration_lock = false``).
    """

    target: str
    revision: str | None
    direction: str | None
    statement: str | None
    error: str
    statements_run: tuple[str, ...]
    rolled_back: bool
    statements_applied: tuple[str, ...]
    downgrade_sql: tuple[str, ...]
    rolled_back_revisions: tuple[str, ...]
    version_table: str
    versions: tuple[str, ...] | None
    interrupted: bool = False
    concurrent: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON values: the payload of ``migration_step_failed``."""
        return {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in asdict(self).items()
        }

    @property
    def summary(self) -> str:
        """The report's first line."""
        if self.concurrent:
            return (
                f"another run applied the same migrations at the same time on {self.target}: "
                f"{self.error}; the version table says {self._versions_text()}; run migrate "
                "again to finish, and set lback.migration_lock = true so that runs wait for "
                "each other"
            )
        what = "interrupted" if self.interrupted else "failed"
        revision = f"revision {self.revision} ({self.direction})" if self.revision else "the run"
        return f"{revision} {what} on {self.target}: {self.error}"

    def lines(self) -> list[str]:
        """The whole report, one line per fact."""
        if self.concurrent:
            return [self.summary]
        lines = [self.summary]
        if self.statement is not None:
            lines.append(f"  failing statement: {self.statement}")
        if self.statements_run:
            fate = "rolled back" if self.rolled_back else "NOT rolled back"
            lines.append(f"  statements of this revision that had run ({fate}):")
            lines.extend(f"    {sql}" for sql in self.statements_run)
        else:
            lines.append("  no statement of this revision had run")
        if self.statements_applied:
            lines.append("  these statements stay applied (DDL commits on its own here):")
            lines.extend(f"    {sql}" for sql in self.statements_applied)
            if self.downgrade_sql:
                lines.append(f"  the downgrade of {self.revision} would run:")
                lines.extend(f"    {sql}" for sql in self.downgrade_sql)
            lines.append(
                "  undo them by hand or finish the revision by hand, then stamp the version "
                "table; the downgrade above expects the whole revision applied"
            )
        if self.rolled_back_revisions:
            lines.append(
                "  rolled back with it (reported done earlier in this run): "
                + ", ".join(self.rolled_back_revisions)
            )
        lines.append(f"  version table {self.version_table} now says: {self._versions_text()}")
        return lines

    def text(self) -> str:
        """The whole report as text."""
        return "\n".join(self.lines())

    def _versions_text(self) -> str:
        if self.versions is None:
            return "nothing (the table does not exist)"
        return ", ".join(self.versions) if self.versions else "nothing (no revision applied)"


class MigrationFailed(LbackError):
    """A migration run failed; :attr:`report` says what it did.

    :param report: the :class:`FailureReport`.
    """

    def __init__(self, report: FailureReport) -> None:
        self.report = report
        super().__init__(report.text())
