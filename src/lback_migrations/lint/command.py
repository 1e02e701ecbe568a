"""The ``lback-migrations lint [PATHS]`` command.

Lints the named revision files and directories (by default the environment's version
locations), reusing cached results for unchanged files and spreading the others over the
cores. Exit codes follow ruff: ``0`` nothing at or above ``fail_on``, ``1`` findings at or
above it, ``2`` the linter could not run (bad option, missing path).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import sys
from argparse import ArgumentParser
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import file_commands
from ..errors import LbackError
from ..file_commands import EXIT_ERROR, EXIT_FOUND, EXIT_OK, cache_directory, github_annotation
from ..options import Layer, layer, normalise
from ..parallel import run_parallel
from ..result_cache import ResultCache
from ..revision_files import revision_paths
from .findings import FAIL_ON, Finding, Severity

if TYPE_CHECKING:
    from alembic.config import Config

    from .conclusion import Analysis
    from .config import LintOptions

REPORT_FORMATS = ("sarif", "gitlab", "junit")
OUTPUT_FORMATS = (*file_commands.OUTPUT_FORMATS, *REPORT_FORMATS)
EXIT_CLEAN, EXIT_FINDINGS = EXIT_OK, EXIT_FOUND


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
        from .baseline import write_baseline

        baseline = _baseline_path(config, getattr(arguments, "baseline", None))
        count = write_baseline(baseline, findings)
        sys.stdout.write(f"Wrote {count} finding(s) to {baseline}.\n")
        return EXIT_CLEAN
    _write(findings, options, getattr(arguments, "output_format", "text") or "text")
    failing = any(options.fails(finding.severity) for finding in findings)
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def lint_project(
    config: Config, *, hook_type: str, apply_baseline: bool = True
) -> tuple[LintOptions, list[Finding]]:
    """Lint what ``config.cmd_opts`` names (by default the version locations), as the ``lint``
    command does, in this process: the options and the findings to show.

    :param hook_type: the linting hook's type (see :func:`lint_command`).
    :param apply_baseline: leave out the findings the baseline file accepts.
    :raises LbackError: on a bad option, path or baseline.
    :raises OSError: when a revision file cannot be read.
    """
    from .context import hook_options, lint_options

    arguments = config.cmd_opts
    hooks = hook_options(config, hook_type)
    options = lint_options(config, [*hooks, _command_line_options(arguments)])
    paths = revision_paths(config, list(getattr(arguments, "paths", None) or []))
    reference = getattr(arguments, "diff_base", None)
    if reference:
        from .changed import changed_since

        paths = changed_since(reference, paths, _root(config))
    named = getattr(arguments, "baseline", None)
    baseline = _baseline_path(config, named)
    accepted = None
    if apply_baseline and (baseline.is_file() or named):
        from .baseline import read_baseline

        accepted = read_baseline(baseline)
    contents = {path: path.read_bytes() for path in paths}
    if getattr(arguments, "sql", False):
        findings = _rendered_findings(config, options, set(contents))
    else:
        cache = not getattr(arguments, "no_cache", False)
        jobs = getattr(arguments, "jobs", None)
        findings = lint_files(config, contents, options, cache=cache, jobs=jobs)
    if accepted is not None:
        from .baseline import new_findings

        findings = new_findings(baseline, accepted, findings)
    return options, findings


def _rendered_findings(config: Config, options: LintOptions, paths: set[Path]) -> list[Finding]:
    """``lint --sql``: the findings on the SQL each of ``paths`` renders."""
    from .offline import lint_rendered, render_history

    wanted = {path.resolve() for path in paths}
    revisions = [item for item in render_history(config) if Path(item.path).resolve() in wanted]
    prefix = os.path.join(os.getcwd(), "")
    return [
        dataclasses.replace(finding, path=_shown(Path(finding.path), prefix))
        for finding in lint_rendered(revisions, options)
    ]


def _root(config: Config) -> Path:
    """The directory of ``alembic.ini``, else the working directory."""
    return Path(config.config_file_name).parent if config.config_file_name else Path.cwd()


def _baseline_path(config: Config, named: str | None) -> Path:
    from .baseline import DEFAULT_NAME

    return Path(named) if named else _root(config) / DEFAULT_NAME


def lint_files(
    config: Config | None,
    contents: dict[Path, bytes],
    options: LintOptions,
    *,
    cache: bool = True,
    jobs: int | None = None,
) -> list[Finding]:
    """Lint the files whose bytes are ``contents``; reuse and refresh the result cache.

    A file in the cache costs a hash and a look-up; the others are analysed on every core.

    :param cache: read and write ``.lback-cache/lint.json`` beside ``alembic.ini``.
    :param jobs: the most processes to use on the files not in the cache.
    :returns: the findings, file by file in the order of ``contents``, each file's in order;
        paths are shown relative to the working directory when inside it.
    """
    from .conclusion import Analysis, conclude
    from .context import file_template
    from .rule import RevisionContext

    store = ResultCache(cache_directory(config), "lint", options.fingerprint()) if cache else None
    analyses: dict[Path, Analysis] = {}
    missing: list[Path] = []
    for path, content in contents.items():
        cached = store.get(content) if store is not None else None
        try:
            analyses[path] = Analysis.from_json(cached)
        except ValueError:
            missing.append(path)
    computed = run_parallel(functools.partial(analyse_file, options), missing, jobs)
    for path, analysis in zip(missing, computed, strict=True):
        analyses[path] = analysis
        if store is not None:
            store.put(contents[path], analysis.to_json())
    if store is not None:
        store.save()
    template = file_template(config)
    places = _places(contents)
    known = _known_revisions(analyses, places)
    prefix = os.path.join(os.getcwd(), "")
    findings: list[Finding] = []
    for path, (directory, name) in places.items():
        context = RevisionContext(name, template, known[directory])
        findings += conclude(analyses[path], _shown(path, prefix), options, context)
    return findings


def _places(paths: Iterable[Path]) -> dict[Path, tuple[str, str]]:
    """The absolute directory and the name of each path (each directory made absolute once)."""
    directories: dict[str, str] = {}
    places: dict[Path, tuple[str, str]] = {}
    for path in paths:
        directory, name = os.path.split(path)
        absolute = directories.get(directory)
        if absolute is None:
            absolute = directories[directory] = os.path.abspath(directory or os.curdir)
        places[path] = (absolute, name)
    return places


def _shown(path: Path, prefix: str) -> str:
    """``path`` as shown: relative to the working directory (``prefix``) when inside it, as
    annotations in CI need, else as given."""
    text = str(path)
    return text[len(prefix) :] if text.startswith(prefix) else text


def analyse_file(options: LintOptions, path: Path) -> Analysis:
    """Analyse the file at ``path`` (in a worker process)."""
    from .conclusion import Analysis
    from .engine import analyse
    from .rules.syntax_error import UnparsableRevision

    content = path.read_bytes()
    try:
        source = content.decode("utf-8")
    except UnicodeDecodeError as error:
        if not options.selects(UnparsableRevision.code):
            return Analysis()
        report = UnparsableRevision.report_at(1, 1, f"it is not UTF-8 ({error.reason})")
        return Analysis(reports=(report,))
    return analyse(source, options)


def _known_revisions(
    analyses: dict[Path, Analysis], places: dict[Path, tuple[str, str]]
) -> dict[str, frozenset[str]]:
    """The revision ids each directory's files may name: those of every linted directory, from
    the analyses, reading only the unlinted siblings."""
    from .context import revision_ids

    linted: dict[str, set[str]] = {}
    ids: dict[str, set[str]] = {}
    for path, (directory, name) in places.items():
        linted.setdefault(directory, set()).add(name)
        revision = analyses[path].facts.revision
        ids.setdefault(directory, set()).update(revision.values if revision is not None else ())
    for directory, names in linted.items():
        try:
            others = [
                other
                for other in os.listdir(directory)
                if other.endswith(".py") and other not in names
            ]
        except OSError:
            others = []
        texts: list[str] = []
        for other in others:
            try:
                with open(
                    os.path.join(directory, other), encoding="utf-8", errors="replace"
                ) as file:
                    texts.append(file.read())
            except OSError:
                continue
        ids[directory] |= revision_ids(texts)
    # One history may span directories (several version_locations, or recursive ones with
    # expand/contract branches): a down_revision may name a revision of any of them.
    history = frozenset(identifier for found in ids.values() for identifier in found)
    return dict.fromkeys(ids, history)


def _command_line_options(arguments: Any) -> Layer:
    names = ("select", "ignore", "fail-on", "dialect", "server-version")
    given = ((name, getattr(arguments, normalise(name), None)) for name in names)
    return layer(((name, value) for name, value in given if value is not None), "--", None)


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
        from .reports import write_report

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
