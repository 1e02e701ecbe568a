"""Whether this process runs ``lint`` or ``format`` without Alembic.

The ``lback-migrations`` executable (:mod:`lback_migrations.launcher`) runs these two commands
without importing Alembic when the command line allows it: importing Alembic costs forty times
an interpreter's start-up, most of a warm run. It says so here, once it has decided and before
it imports anything else of the package; :mod:`lback_migrations.errors` reads it to choose the
base of its errors. Every other process (the stock ``alembic`` command, the other
``lback-migrations`` commands, a program using the API) never sets it.
"""

from __future__ import annotations

_without_alembic = False


def run_without_alembic() -> None:
    """Declare that this process runs a stand-alone command and hands no error to Alembic."""
    global _without_alembic
    _without_alembic = True


def run_with_alembic() -> None:
    """Withdraw :func:`run_without_alembic`: the launcher hands the command line to Alembic's
    before running anything (and forgets the modules it imported meanwhile)."""
    global _without_alembic
    _without_alembic = False


def runs_without_alembic() -> bool:
    """Whether :func:`run_without_alembic` was called in this process."""
    return _without_alembic
