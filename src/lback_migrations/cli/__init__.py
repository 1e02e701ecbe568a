"""The ``lback-migrations`` command line (the ``lback-migrations`` script and
``python -m lback_migrations``).

:mod:`~lback_migrations.cli.command_line` extends Alembic's command line and lists the
sub-commands; :mod:`~lback_migrations.cli.migration_commands` holds ``makemigrations``,
``migrate`` and ``rollback``.
"""

from __future__ import annotations

from .command_line import LbackCommandLine, main

__all__ = ["LbackCommandLine", "main"]
