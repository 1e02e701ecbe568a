"""The ``lback-migrations format [--check] [--diff] [PATHS]`` command: format revisions in bulk.

The command formats like the ``lback_format`` hook configured in the Alembic configuration (its
options are read from there). Results are cached by file content, so a re-run over an unchanged
history reads the files and little else; a cold run uses every core.

Exit codes follow ruff's: 0 when everything is (now) formatted, 1 when ``--check`` or ``--diff``
finds a file to reformat, 2 on an error (a file that does not parse, a configuration error).

This module is imported when the command line is built: it imports libcst and black only
inside :func:`format_command`.
"""

from __future__ import annotations

import functools
import json
import sys
from argparse import Namespace
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .errors import ConfigurationError
from .file_commands import EXIT_ERROR, EXIT_FOUND, EXIT_OK, OUTPUT_FORMATS, github_annotation
from .result_cache import ResultCache, cache_directory
from .revision_files import display_path, revision_paths

if TYPE_CHECKING:
    from argparse import ArgumentParser

    from alembic.config import Config

    from .formatting.options import FormatOptions
    from .formatting.results import FormatResult

_UNCHANGED = "unchanged"
_REFORMATTED = "reformatted"
_WOULD_REFORMAT = "would-reformat"
_ERROR = "error"


def add_arguments(parser: ArgumentParser) -> None:
    """Add the ``format`` command's arguments to its sub-parser."""
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATHS",
        help="revision files or directories (default: the configured version locations)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when a file would be reformatted",
    )
    parser.add_argument(
        "--diff",
        action="store_true",
        help="write nothing; print the changes as a unified diff (exit 1 when there are any)",
    )
    parser.add_argument(
        "--output-format",
        choices=OUTPUT_FORMATS,
        default="text",
        help="text (default), json, or github (workflow command annotations)",
    )


def format_command(config: Config, *, hook_type: str) -> int:
    """Run ``lback-migrations format`` with the arguments parsed into ``config.cmd_opts``.

    :param hook_type: the formatting hook's type: the first hook of that type the configuration
        declares gives the options.
    :returns: the exit code: 0, 1 (would reformat) or 2 (error).
    """
    arguments = config.cmd_opts or Namespace(
        paths=[], check=False, diff=False, output_format="text"
    )
    write = not (arguments.check or arguments.diff)
    try:
        paths = revision_paths(config, arguments.paths)
        from .formatting.options import configured_hook, resolve_options

        hook_name, hook_options = configured_hook(config, hook_type)

        # a file's options depend only on its directory (the alembic.ini and pyproject.toml
        # nearest to it): resolved once per directory, not once per file of a long history
        by_directory: dict[Path, FormatOptions] = {}
        options: dict[Path, FormatOptions] = {}
        for path in paths:
            if path.parent not in by_directory:
                by_directory[path.parent] = resolve_options(path, hook_options, hook_name)
            options[path] = by_directory[path.parent]
    except ConfigurationError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    rows = _format_all(paths, options, cache_directory(config), write=write, diff=arguments.diff)
    _REPORTERS[arguments.output_format](rows, sys.stdout)
    return _exit_code(rows)


def _fingerprint(options: Mapping[Path, FormatOptions]) -> str:
    from .formatting.engines import EngineError, engine_version

    versions = set()
    for engine_options in {value.engine: value for value in options.values()}.values():
        try:
            versions.add(engine_version(engine_options))
        except EngineError:
            versions.add(f"{engine_options.engine} (missing)")
    return ", ".join(sorted(versions))


@dataclass(frozen=True)
class _Row:
    """One line of the report: a file, what happened to it, and why."""

    path: Path
    status: str
    message: str = ""
    line: int | None = None
    diff: str = ""


def _row(result: FormatResult, *, write: bool, diff: bool) -> _Row:
    from .formatting.results import Failed, Formatted

    if isinstance(result, Failed):
        return _Row(result.path, _ERROR, result.reason, result.line)
    if isinstance(result, Formatted):
        if write:
            return _Row(result.path, _REFORMATTED, "reformatted")
        return _Row(
            result.path, _WOULD_REFORMAT, "would reformat", diff=result.diff() if diff else ""
        )
    return _Row(result.path, _UNCHANGED)


def _format_one(
    path: Path, *, options: Mapping[Path, FormatOptions], write: bool, verify: bool
) -> FormatResult:
    from .formatting.formatter import format_file

    return format_file(path, options[path], write=write, verify=verify)


def _format_all(
    paths: list[Path],
    options: Mapping[Path, FormatOptions],
    cache_directory: Path,
    *,
    write: bool,
    diff: bool,
) -> list[_Row]:
    """Format (or check) every file, answering from the cache what it knows.

    The cache remembers a file's content as formatted, and (for ``--check``) as needing a
    reformat; failures are never cached, their cause may lie outside the file.
    """
    cache = ResultCache(cache_directory, "format", _fingerprint(options))
    # one set of options per directory: each fingerprinted once
    contexts = {value: value.fingerprint() for value in set(options.values())}
    rows: dict[Path, _Row] = {}
    for path in paths:
        known = cache.get(cache.digest(path), contexts[options[path]])
        if known == _UNCHANGED or (known == _WOULD_REFORMAT and not write and not diff):
            rows[path] = _Row(path, known, "would reformat" if known == _WOULD_REFORMAT else "")
    pending = [path for path in paths if path not in rows]
    if pending:
        # imported here: a run over unchanged files starts no process pool
        from .parallel import run_parallel

        results = run_parallel(
            functools.partial(_format_one, options=options, write=write, verify=write or diff),
            pending,
        )
        for path, result in zip(pending, results, strict=True):
            row = rows[path] = _row(result, write=write, diff=diff)
            if row.status in (_UNCHANGED, _REFORMATTED, _WOULD_REFORMAT):
                status = _WOULD_REFORMAT if row.status == _WOULD_REFORMAT else _UNCHANGED
                cache.put(cache.digest(path), status, contexts[options[path]])
    cache.save()
    return [rows[path] for path in paths]


def _exit_code(rows: list[_Row]) -> int:
    statuses = {row.status for row in rows}
    if _ERROR in statuses:
        return EXIT_ERROR
    return EXIT_FOUND if _WOULD_REFORMAT in statuses else EXIT_OK


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _report_text(rows: list[_Row], out: TextIO) -> None:
    counts = {status: 0 for status in (_REFORMATTED, _WOULD_REFORMAT, _UNCHANGED, _ERROR)}
    for row in rows:
        counts[row.status] += 1
        if row.status == _ERROR:
            where = f"{display_path(row.path)}:{row.line}" if row.line else display_path(row.path)
            print(f"error: {where}: {row.message}", file=sys.stderr)
        elif row.status != _UNCHANGED:
            out.write(row.diff)
            print(f"{row.message} {display_path(row.path)}", file=out)
    parts = []
    if counts[_REFORMATTED]:
        parts.append(f"{_plural(counts[_REFORMATTED], 'file')} reformatted")
    if counts[_WOULD_REFORMAT]:
        parts.append(f"{_plural(counts[_WOULD_REFORMAT], 'file')} would be reformatted")
    if counts[_UNCHANGED]:
        parts.append(f"{_plural(counts[_UNCHANGED], 'file')} already formatted")
    if counts[_ERROR]:
        parts.append(f"{_plural(counts[_ERROR], 'file')} could not be formatted")
    print(", ".join(parts) or "no revision files found", file=out)


def _report_json(rows: list[_Row], out: TextIO) -> None:
    document = [
        {
            "path": display_path(row.path),
            "status": row.status,
            "message": row.message,
            "line": row.line,
            **({"diff": row.diff} if row.diff else {}),
        }
        for row in rows
    ]
    json.dump(document, out, indent=2)
    out.write("\n")


def _report_github(rows: list[_Row], out: TextIO) -> None:
    """GitHub Actions workflow commands: one annotation per file that fails or needs work."""
    for row in rows:
        if row.status == _UNCHANGED:
            continue
        level = "notice" if row.status == _REFORMATTED else "error"
        annotation = github_annotation(
            level,
            row.message,
            file=display_path(row.path),
            line=row.line or None,
            title="lback-migrations format",
        )
        print(annotation, file=out)


_REPORTERS = {"text": _report_text, "json": _report_json, "github": _report_github}
