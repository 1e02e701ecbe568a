"""The ``lback-migrations lint [PATHS]`` command: its arguments, its exit code and its output.

Lints the named revision files and directories (by default the environment's version
locations) with :func:`~lback_migrations.lint.files.lint_project`, which reuses cached results
for unchanged files and spreads the others over the cores. Exit codes follow ruff's
(:mod:`lback_migrations.file_commands`): ``0`` nothing at or above ``fail_on``, ``1`` findings
at or above it, ``2`` the linter could not run (bad option, missing path).
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import file_commands
from .errors import LbackError
from .file_commands import EXIT_ERROR, EXIT_FOUND, EXIT_OK, github_annotation
from .lint.files import baseline_path, lint_project
from .lint.findings import FAIL_ON, Finding, Severity

if TYPE_CHECKING:
    from alembic.config import Config

    from .lint.config import LintOptions

REPORT_FORMATS = ("sarif", "gitlab", "junit")
OUTPUT_FORMATS = (*file_commands.OUTPUT_FORMATS, *REPORT_FORMATS)


def add_arguments(parser: ArgumentParser) -> None:
    """Add the ``lint`` command's arguments to its sub-parser."""
    parser.add_argument(
        "paths", nargs="*", help="revision files or directories (default: the version locations)"
    )
    parser.add_argument("--output-format", choices=OUTPUT_FORMATS, default="text")
    parser.add_argument("--select", help="rule codes or prefixes to run (LB1,LB401)")
    parser.add_argument("--ignore", help="rule codes or prefixes not to run")
    parser.add_argument("--fail-on", choices=FAIL_ON, help="least severity that fails the run")
    parser.add_argument("--dialect", help="target dialect (default: from the database URL)")
    parser.add_argument(
        "--server-version",
        help="target server release, as 15 or 10.11 (default: asked of the database, else the "
        "oldest supported release)",
    )
    parser.add_argument(
        "--sql",
        action="store_true",
        help="lint the SQL `alembic upgrade --sql` renders for the configured database",
    )
    parser.add_argument(
        "--diff-base",
        metavar="GIT_REF",
        help="lint only the revision files added or changed since GIT_REF (a pull request's base)",
    )
    parser.add_argument(
        "--baseline",
        metavar="FILE",
        help="accepted findings: only others count (default: lint-baseline.json beside "
        "alembic.ini, when it exists)",
    )
    parser.add_argument(
        "--write-baseline",
        action="store_true",
        help="write every current finding to the baseline file and exit 0",
    )
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    parser.add_argument("--jobs", type=int, default=None, help="processes to use (default: all)")


def lint_command(config: Config, *, hook_type: str) -> int:
    """Run ``lback-migrations lint``; return the exit code.

    :param hook_type: the linting hook's type: the options of the hooks of that type the
        configuration declares apply, under the command line's.
    """
    arguments = config.cmd_opts
    writing = bool(getattr(arguments, "write_baseline", False))
    try:
        options, findings = lint_project(config, hook_type=hook_type, apply_baseline=not writing)
    except (LbackError, OSError) as error:
        sys.stderr.write(f"error: {error}\n")
        return EXIT_ERROR
    except Exception as error:  # 1 means findings: a lint that could not run is never 1
        sys.stderr.write(f"error: lint could not run: {type(error).__name__}: {error}\n")
        return EXIT_ERROR
    if writing:
        from .lint.baseline import write_baseline

        baseline = baseline_path(config, getattr(arguments, "baseline", None))
        count = write_baseline(baseline, findings)
        sys.stdout.write(f"Wrote {count} finding(s) to {baseline}.\n")
        return EXIT_OK
    _write(findings, options, getattr(arguments, "output_format", "text") or "text")
    failing = any(options.fails(finding.severity) for finding in findings)
    return EXIT_FOUND if failing else EXIT_OK


def _write(findings: Sequence[Finding], options: LintOptions, output_format: str) -> None:
    out = sys.stdout
    if output_format == "text":
        lines = [f"{finding.render()}\n" for finding in findings]
        out.write("".join(lines))
        if findings:
            failing = sum(options.fails(finding.severity) for finding in findings)
            out.write(
                f"Found {len(findings)} problem(s), {failing} at or above "
                f"fail_on = {options.fail_on}.\n"
            )
        return
    if output_format == "json":
        documents = [
            {**finding.as_dict(), "fails": options.fails(finding.severity)} for finding in findings
        ]
        json.dump(documents, out, indent=2)
        out.write("\n")
        return
    if output_format in REPORT_FORMATS:
        from .lint.reports import write_report

        write_report(output_format, findings, options, out)
        return
    for finding in findings:
        annotation = github_annotation(
            _GITHUB_LEVELS[finding.severity],
            finding.message,
            file=finding.path,
            line=finding.line,
            col=finding.column,
            title=f"{finding.code} {finding.name}",
        )
        out.write(f"{annotation}\n")


_GITHUB_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
