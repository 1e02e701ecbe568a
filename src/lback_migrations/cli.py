"""The ``lback-migrations`` command line: Alembic's own, extended.

Every Alembic command and option works unchanged; ``init`` defaults to the ``lback`` template.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic.config import CommandLine

DEFAULT_TEMPLATE = "lback"


class LbackCommandLine(CommandLine):
    """Alembic's :class:`~alembic.config.CommandLine` with lback-migrations' commands added."""

    def __init__(self, prog: str | None = "lback-migrations") -> None:
        super().__init__(prog=prog)
        self.subparsers.choices["init"].set_defaults(template=DEFAULT_TEMPLATE)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``lback-migrations`` command line.

    :param argv: the arguments, without the program name; defaults to ``sys.argv[1:]``.
    """
    LbackCommandLine().main(argv)
