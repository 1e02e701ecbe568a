"""``lback-migrations verify``: the command line of
:func:`~lback_migrations.verify.stairway.verify`.

Exit codes: 0 when every revision is reversible, restores its schema, meets no ``--fail-on``
level and nothing drifts at head; 1 otherwise; 2 when the run could not happen (no shadow
database, a bad option), with one line saying what to change.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from alembic.util import CommandError

from .report import FAIL_ON_LEVELS
from .stairway import DEFAULT_ROWS, VerifyOptions, verify

if TYPE_CHECKING:
    from argparse import ArgumentParser

    from alembic.config import Config

COULD_NOT_RUN = 2


def add_arguments(parser: ArgumentParser) -> None:
    """The arguments of ``verify``."""
    parser.add_argument("--from", dest="from_revision", metavar="REV", help="first revision")
    parser.add_argument("--to", dest="to_revision", metavar="REV", help="last revision")
    parser.add_argument(
        "--since-git", metavar="REF", help="verify only the revision files added since REF"
    )
    parser.add_argument(
        "--shadow-url",
        metavar="URL",
        help="an empty database to run on instead of a new one on the configured server "
        "(also LBACK_VERIFY_SHADOW_URL)",
    )
    parser.add_argument("--no-data", action="store_true", help="seed no rows, check no data")
    parser.add_argument(
        "--rows",
        type=_positive,
        default=DEFAULT_ROWS,
        metavar="N",
        help=f"rows generated per table, at most (default: {DEFAULT_ROWS})",
    )
    parser.add_argument(
        "--output-format", choices=("text", "json"), default="text", help="text or json"
    )
    parser.add_argument(
        "--fail-on",
        action="append",
        choices=FAIL_ON_LEVELS,
        default=[],
        help="also fail on data lost or changed, or on a table rewritten (repeatable)",
    )


def _positive(text: str) -> int:
    from argparse import ArgumentTypeError

    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ArgumentTypeError(f"--rows must be a whole number above 0, not {text!r}")
    return value


def options_from(arguments: object) -> VerifyOptions:
    """The :class:`VerifyOptions` of parsed ``verify`` arguments."""
    return VerifyOptions(
        from_revision=getattr(arguments, "from_revision", None),
        to_revision=getattr(arguments, "to_revision", None),
        since_git=getattr(arguments, "since_git", None),
        shadow_url=getattr(arguments, "shadow_url", None),
        data=not getattr(arguments, "no_data", False),
        rows=getattr(arguments, "rows", DEFAULT_ROWS),
        fail_on=tuple(dict.fromkeys(getattr(arguments, "fail_on", None) or ())),
    )


def verify_command(config: Config) -> int:
    """``lback-migrations verify``: report, and exit 0, 1 or 2."""
    try:
        report = verify(config, options_from(config.cmd_opts))
    except CommandError as error:
        sys.stderr.write(f"FAILED: {error}\n")
        return COULD_NOT_RUN
    if getattr(config.cmd_opts, "output_format", "text") == "json":
        sys.stdout.write(json.dumps(report.as_dict(), indent=2) + "\n")
    else:
        sys.stdout.write(report.text())
    return 0 if report.ok else 1
