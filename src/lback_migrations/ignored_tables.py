"""The database tables autogenerate did not compare, said once per run.

``include_name`` keeps other applications' tables (and those ``lback.exclude_tables`` names)
out of reflection, so autogenerate neither proposes to drop them nor says they exist. So that
nothing disappears silently, the filter notes each table it hides in an
:class:`IgnoredTables`, and :func:`ignored_tables_reporter` prints them in one line when the
comparison is done: ``alembic check``, ``revision --autogenerate`` and ``lback-migrations ci``
show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.operations.ops import MigrationScript
    from alembic.runtime.environment import ProcessRevisionDirectiveFn
    from alembic.runtime.migration import MigrationContext
    from alembic.script.revision import _GetRevArg

IGNORED_PREFIX = "Ignored tables, not compared: "
"""How the line listing the ignored tables starts."""


@dataclass
class IgnoredTables:
    """The tables one run's ``include_name`` filter hid, schema-qualified where not default."""

    names: set[str] = field(default_factory=set)

    def add(self, name: str) -> None:
        """Note that table ``name`` is not compared."""
        self.names.add(name)

    def line(self) -> str | None:
        """The line saying which tables were ignored (``None`` when there were none)."""
        if not self.names:
            return None
        return f"{IGNORED_PREFIX}{', '.join(sorted(self.names))}"


def ignored_tables_reporter(ignored: IgnoredTables) -> ProcessRevisionDirectiveFn:
    """A ``process_revision_directives`` step that prints :meth:`IgnoredTables.line` once."""

    def report_ignored_tables(
        context: MigrationContext, revision: _GetRevArg, directives: list[MigrationScript]
    ) -> None:
        line = ignored.line()
        if line is not None and context.config is not None:
            context.config.print_stdout(line)

    return report_ignored_tables


def ignored_tables_in(output: str) -> list[str]:
    """The ignored tables an ``alembic check`` printed (empty when it printed none)."""
    for line in output.splitlines():
        if line.startswith(IGNORED_PREFIX):
            return [name.strip() for name in line[len(IGNORED_PREFIX) :].split(",") if name.strip()]
    return []
