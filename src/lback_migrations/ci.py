"""``lback-migrations ci``: every migration check a pipeline needs, in one run.

These checks, each reported on its own, and the run fails when any of them fails:

``heads``
    the revisions have one head (several heads need a ``merge``);
``heads_file``
    with ``lback.heads_file``: ``HEADS`` lists exactly the real heads;
``applied``
    with ``--require-applied``: every head is applied to the target database;
``checksums``
    no revision applied to the target database was edited since (see
    :mod:`lback_migrations.history.checksums`);
``drift``
    ``check``: the models match the migrations (with ``--upgrade`` the database is first
    upgraded to the head, as a fresh CI database needs);
``lint``
    ``lback-migrations lint`` finds nothing at or above its ``fail_on`` severity;
``verify``
    with ``--verify``: ``lback-migrations verify`` finds every revision reversible, restoring
    its schema, on a shadow database (see :doc:`/verify`).

``--json`` prints the report as one JSON object instead of text.

``heads`` and ``drift`` import the revision files (Alembic learns a revision's ids by running
its module). ``--static`` runs only what needs no execution, safe on an untrusted pull
request: ``heads`` and the shape of the history read from the files' syntax
(:mod:`lback_migrations.static_history`), and ``lint``, which never imports a revision.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from .ignored_tables import ignored_tables_in
from .signals import migration_check_completed

if TYPE_CHECKING:
    from argparse import ArgumentParser

    from alembic.config import Config

    from .commands import CommandResult, MigrationCommands

OK, FAILED, SKIPPED = "ok", "failed", "skipped"


@dataclass(frozen=True)
class CheckReport:
    """The outcome of one check.

    :param name: ``heads``, ``applied``, ``drift`` or ``lint``.
    :param status: ``ok``, ``failed`` or ``skipped``.
    :param summary: one line for people.
    :param details: the items found (heads, unapplied revisions, differences, findings).
    """

    name: str
    status: str
    summary: str
    details: list[Any] = field(default_factory=list)


def add_arguments(parser: ArgumentParser) -> None:
    """The arguments of ``ci``."""
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--require-applied",
        action="store_true",
        help="fail when a head revision is not applied to the target database",
    )
    parser.add_argument(
        "--upgrade",
        action="store_true",
        help="upgrade the target database to the head before checking for drift",
    )
    parser.add_argument("--no-lint", action="store_true", help="skip the lint check")
    parser.add_argument(
        "--static",
        action="store_true",
        help="run no revision code: heads and history shape from the files' syntax, and lint "
        "(safe on an untrusted pull request)",
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="also run every revision up, then down, on a shadow database (verify)",
    )


def _first_failure_line(result: CommandResult) -> str:
    for line in (result.stdout + result.stderr).splitlines():
        if line.startswith("FAILED:"):
            return line.removeprefix("FAILED:").strip()
    return f"exited {result.returncode} ({result.error_type})"


def check_heads(config: Config) -> CheckReport:
    """One head, or the list of heads."""
    from alembic.script import ScriptDirectory

    heads = list(ScriptDirectory.from_config(config).get_heads())
    if len(heads) > 1:
        return CheckReport(
            "heads", FAILED, f"{len(heads)} heads: merge them (lback-migrations merge heads)", heads
        )
    return CheckReport("heads", OK, f"{len(heads)} head", heads)


def check_heads_file(config: Config) -> CheckReport:
    """``HEADS`` lists the real heads, when ``lback.heads_file`` is on."""
    from alembic.script import ScriptDirectory

    from .history.heads_file import read_heads_file
    from .settings import load_settings

    if not load_settings(config).heads_file:
        return CheckReport("heads_file", SKIPPED, "lback.heads_file is off")
    state = read_heads_file(ScriptDirectory.from_config(config))
    actual = ", ".join(state.actual) or "no revision"
    if not state.exists and not state.actual:
        return CheckReport("heads_file", OK, "no revision yet: the first one writes HEADS")
    if not state.exists:
        return CheckReport(
            "heads_file", FAILED, f"{state.path} is missing: it should list {actual}"
        )
    if state.conflicted:
        return CheckReport(
            "heads_file",
            FAILED,
            f"{state.path} holds git conflict markers: run lback-migrations rebase REV",
            list(state.listed),
        )
    if not state.agrees:
        details = [
            f"{head}: listed in HEADS, not a head"
            for head in state.listed
            if head not in state.actual
        ] + [
            f"{head}: a head, not listed in HEADS"
            for head in state.actual
            if head not in state.listed
        ]
        return CheckReport(
            "heads_file", FAILED, f"{state.path} does not list the heads ({actual})", details
        )
    return CheckReport("heads_file", OK, f"HEADS lists the head ({actual})", list(state.listed))


def check_checksums(config: Config) -> CheckReport:
    """No applied revision edited since it was applied."""
    from alembic.util import CommandError

    from .history.checksums import edited_revisions

    try:
        edited = edited_revisions(config)
    except CommandError as error:
        return CheckReport("checksums", FAILED, f"could not read the checksums: {error}")
    if edited:
        return CheckReport(
            "checksums",
            FAILED,
            f"{len(edited)} applied revision(s) edited since they were applied: revert the "
            "edit, or record it with lback-migrations checksums --accept REV",
            [f"{revision.revision} ({revision.path})" for revision in edited],
        )
    return CheckReport("checksums", OK, "no applied revision was edited")


def check_applied(commands: MigrationCommands, heads: list[str]) -> CheckReport:
    """Every head applied to the target database."""
    current = commands.current()
    if not current.success:
        return CheckReport("applied", FAILED, _first_failure_line(current))
    missing = [head for head in heads if head not in current.revisions]
    if missing:
        return CheckReport("applied", FAILED, f"{len(missing)} head(s) not applied", missing)
    return CheckReport("applied", OK, "the database is at the head", list(current.revisions))


def check_drift(commands: MigrationCommands, upgrade: bool) -> CheckReport:
    """The models match the migrations."""
    if upgrade:
        migrated = commands.migrate("heads")
        if not migrated.success:
            return CheckReport("drift", FAILED, f"upgrade failed: {_first_failure_line(migrated)}")
    result = commands.check()
    outcomes = [kwargs for name, kwargs in result.events if name == migration_check_completed.name]
    ignored = ignored_tables_in(result.stdout)
    also = f"; {len(ignored)} table(s) ignored: {', '.join(ignored)}" if ignored else ""
    if result.success:
        return CheckReport("drift", OK, f"the models match the migrations{also}")
    if outcomes and outcomes[-1]["diffs_found"]:
        diffs = list(outcomes[-1]["diffs"])
        return CheckReport(
            "drift", FAILED, f"{len(diffs)} difference(s): run makemigrations{also}", diffs
        )
    return CheckReport("drift", FAILED, _first_failure_line(result))


def check_lint(config: Config) -> CheckReport:
    """No lint finding in the revision files, as ``lback-migrations lint`` finds them (run in
    this process: linting imports no revision)."""
    from .errors import LbackError
    from .file_commands import EXIT_ERROR
    from .lint.files import lint_project
    from .plugin import LINT_HOOK

    try:
        options, found = lint_project(config, hook_type=LINT_HOOK)
    except Exception as error:  # whatever stops it, the check fails and says why
        problem = error if isinstance(error, (LbackError, OSError)) else repr(error)
        summary = f"lint could not run (exit {EXIT_ERROR}): error: {problem}"
        return CheckReport("lint", FAILED, summary)
    findings = [
        {**finding.as_dict(), "fails": options.fails(finding.severity)} for finding in found
    ]
    failing = [finding for finding in findings if finding["fails"]]
    below = f"{len(findings) - len(failing)} finding(s) below fail_on"
    if failing:
        codes = ", ".join(sorted({str(finding["code"]) for finding in failing}))
        summary = f"{len(failing)} finding(s) at or above fail_on ({codes}), {below}"
        return CheckReport("lint", FAILED, summary, findings)
    return CheckReport("lint", OK, below, findings)


def check_static_history(config: Config) -> CheckReport:
    """One head and a well-formed history, read from the files' syntax: nothing is imported."""
    from .revision_files import revision_paths
    from .static_history import read_history

    history = read_history(revision_paths(config, []))
    if history.problems:
        return CheckReport(
            "heads",
            FAILED,
            f"{len(history.problems)} problem(s) in the history",
            list(history.problems),
        )
    heads = history.heads
    if len(heads) > 1:
        return CheckReport(
            "heads", FAILED, f"{len(heads)} heads: merge them (lback-migrations merge heads)", heads
        )
    return CheckReport("heads", OK, f"{len(heads)} head (read without importing)", heads)


def _static_checks(config: Config) -> list[CheckReport]:
    reports = [check_static_history(config)]
    skipped = "--static: needs the database and the revision code"
    reports += [CheckReport("applied", SKIPPED, skipped), CheckReport("drift", SKIPPED, skipped)]
    if getattr(config.cmd_opts, "no_lint", False):
        reports.append(CheckReport("lint", SKIPPED, "--no-lint"))
    else:
        reports.append(check_lint(config))
    return reports


def check_verify(commands: MigrationCommands) -> CheckReport:
    """Every revision reversible and restoring its schema on a shadow database."""
    from .signals import migration_verify_completed

    result = commands.verify()
    completed = migration_verify_completed.name
    reports = [kwargs["report"] for name, kwargs in result.events if name == completed]
    if not reports:
        return CheckReport("verify", FAILED, f"verify could not run: {_first_failure_line(result)}")
    failed = [item["revision"] for item in reports[-1]["revisions"] if not item["ok"]]
    if not result.success:
        drift = reports[-1]["drift"]
        summary = f"{len(failed)} revision(s) failed" + (f", {len(drift)} drift" if drift else "")
        return CheckReport("verify", FAILED, summary, failed + list(drift))
    count = len(reports[-1]["revisions"])
    return CheckReport("verify", OK, f"{count} revision(s) reversible on a shadow database")


def run_checks(config: Config) -> list[CheckReport]:
    """Run every check ``config.cmd_opts`` asks for."""
    from .commands import MigrationCommands

    options = config.cmd_opts
    if getattr(options, "static", False):
        return _static_checks(config)
    commands = MigrationCommands.from_config(config, runner="inprocess")
    heads = check_heads(config)
    reports = [heads, check_heads_file(config)]
    if getattr(options, "require_applied", False):
        reports.append(check_applied(commands, heads.details))
    else:
        reports.append(CheckReport("applied", SKIPPED, "pass --require-applied to check"))
    reports.append(check_checksums(config))
    reports.append(check_drift(commands, bool(getattr(options, "upgrade", False))))
    if getattr(options, "no_lint", False):
        reports.append(CheckReport("lint", SKIPPED, "--no-lint"))
    else:
        reports.append(check_lint(config))
    if getattr(options, "verify", False):
        reports.append(check_verify(commands))
    return reports


def ci_command(config: Config) -> int:
    """``lback-migrations ci``: exit 1 when a check fails, after reporting every check."""
    reports = run_checks(config)
    failed = any(report.status == FAILED for report in reports)
    if getattr(config.cmd_opts, "json", False):
        document = {"ok": not failed, "checks": [asdict(report) for report in reports]}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        for report in reports:
            sys.stdout.write(f"{report.name:<8} {report.status.upper():<8} {report.summary}\n")
            for detail in report.details if report.status == FAILED else []:
                sys.stdout.write(f"    {detail}\n")
    return 1 if failed else 0
