"""The ``lback-migrations lint [PATHS]`` command.

Lints the named revision files and directories (by default the environment's version
locations), reusing cached results for unchanged files and spreading the others over the
cores. Exit codes follow ruff: ``0`` nothing at or above ``fail_on``, ``1`` findings at or
above it, ``2`` the linter could not run (bad option, missing path).
"""

from __future__ import annotations

import functools
import json
import os
import sys
from argparse import ArgumentParser
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..batch import CACHE_DIRECTORY, ResultCache, revision_paths, run_parallel
from ..errors import LbackError
from ..settings import RawOption
from .findings import FAIL_ON, Finding, Severity

if TYPE_CHECKING:
    from alembic.config import Config

    from .conclusion import Analysis
    from .config import LintOptions

OUTPUT_FORMATS = ("text", "json", "github")
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


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
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    parser.add_argument("--jobs", type=int, default=None, help="processes to use (default: all)")


def lint_command(config: Config) -> int:
    """Run ``lback-migrations lint``; return the exit code."""
    from .project import hook_options, lint_options

    arguments = config.cmd_opts
    try:
        options = lint_options(config, [*hook_options(config), _command_line_options(arguments)])
        paths = revision_paths(config, list(getattr(arguments, "paths", None) or []))
        contents = {path: path.read_bytes() for path in paths}
    except (LbackError, OSError) as error:
        sys.stderr.write(f"error: {error}\n")
        return EXIT_ERROR
    findings = lint_files(
        config,
        contents,
        options,
        cache=not getattr(arguments, "no_cache", False),
        jobs=getattr(arguments, "jobs", None),
    )
    _write(findings, getattr(arguments, "output_format", "text") or "text")
    return EXIT_FINDINGS if any(options.fails(item.severity) for item in findings) else EXIT_CLEAN


def lint_files(
    config: Config | None,
    contents: dict[Path, bytes],
    options: LintOptions,
    *,
    cache: bool = True,
    jobs: int | None = None,
) -> list[Finding]:
    """Lint the files whose bytes are ``contents``; reuse and refresh the result cache.

    :param cache: read and write ``.lback-cache/lint.json`` beside ``alembic.ini``.
    :param jobs: the most processes to use on the files not in the cache.
    """
    from .conclusion import Analysis, conclude
    from .project import file_template
    from .rule import RevisionContext

    store = None
    if cache:
        root = Path(config.config_file_name).parent if config and config.config_file_name else None
        store = ResultCache((root or Path.cwd()) / CACHE_DIRECTORY, "lint", options.fingerprint())
    analyses: dict[Path, Analysis] = {}
    missing: list[Path] = []
    for path, content in contents.items():
        cached = store.get(content) if store is not None else None
        if cached is None:
            missing.append(path)
        else:
            analyses[path] = Analysis.from_json(cached)
    computed = run_parallel(functools.partial(analyse_file, options), missing, jobs)
    for path, document in zip(missing, computed, strict=True):
        analyses[path] = Analysis.from_json(document)
        if store is not None:
            store.put(contents[path], document)
    if store is not None:
        store.save()
    template = file_template(config)
    known = {directory: frozenset(ids) for directory, ids in _known_revisions(analyses).items()}
    prefix = os.path.join(os.getcwd(), "")
    findings: list[Finding] = []
    for path in contents:
        context = RevisionContext(path.name, template, known[path.absolute().parent])
        findings.extend(conclude(analyses[path], _shown(path, prefix), options, context))
    return findings


def _shown(path: Path, prefix: str) -> str:
    """``path`` as shown: relative to the working directory (``prefix``) when inside it, as
    annotations in CI need, else as given."""
    text = str(path)
    return text[len(prefix) :] if text.startswith(prefix) else text


def analyse_file(options: LintOptions, path: Path) -> dict[str, Any]:
    """Analyse the file at ``path`` (in a worker process); return the JSON-able analysis."""
    from .conclusion import SYNTAX_ERROR, Analysis, RawFinding
    from .engine import analyse

    content = path.read_bytes()
    try:
        source = content.decode("utf-8")
    except UnicodeDecodeError as error:
        message = f"cannot parse the revision: it is not UTF-8 ({error.reason}); fix the syntax"
        finding = RawFinding(SYNTAX_ERROR, 1, 1, 1, 1, message)
        return Analysis(findings=(finding,)).to_json()
    return analyse(source, options).to_json()


def _known_revisions(analyses: dict[Path, Analysis]) -> dict[Path, set[str]]:
    """The revision ids of each directory: from the analyses, reading only unlinted siblings."""
    from .project import directory_revision_ids

    by_directory: dict[Path, dict[Path, Analysis]] = {}
    for path, analysis in analyses.items():
        absolute = path.absolute()
        by_directory.setdefault(absolute.parent, {})[absolute] = analysis
    known: dict[Path, set[str]] = {}
    for directory, linted in by_directory.items():
        ids = {
            value
            for analysis in linted.values()
            if analysis.facts.revision is not None
            for value in analysis.facts.revision.values
        }
        others = [path for path in directory.glob("*.py") if path not in linted]
        if others:
            ids |= directory_revision_ids(directory, skip=set(linted))
        known[directory] = ids
    return known


def _command_line_options(arguments: Any) -> dict[str, RawOption]:
    raw: dict[str, RawOption] = {}
    for name in ("select", "ignore", "fail_on", "dialect"):
        value = getattr(arguments, name, None)
        if value is not None:
            raw[name] = (f"--{name.replace('_', '-')}", value, None)
    return raw


def _write(findings: Sequence[Finding], output_format: str) -> None:
    out = sys.stdout
    if output_format == "json":
        json.dump([finding.as_dict() for finding in findings], out, indent=2)
        out.write("\n")
    elif output_format == "github":
        for finding in findings:
            level = "error" if finding.severity is Severity.ERROR else "warning"
            properties = ",".join(
                [
                    f"file={_escape_property(finding.path)}",
                    f"line={finding.line}",
                    f"col={finding.column}",
                    f"title={_escape_property(f'{finding.code} {finding.name}')}",
                ]
            )
            out.write(f"::{level} {properties}::{_escape_data(finding.message)}\n")
    else:
        for finding in findings:
            out.write(finding.render() + "\n")
        if findings:
            out.write(f"Found {len(findings)} problem(s).\n")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
