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
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..batch import CACHE_DIRECTORY, ResultCache, revision_paths, run_parallel
from ..errors import LbackError
from ..options import Layer, layer, normalise
from .findings import FAIL_ON, Finding, Severity

if TYPE_CHECKING:
    from alembic.config import Config

    from .conclusion import Shown
    from .config import LintOptions

REPORT_FORMATS = ("sarif", "gitlab", "junit")
OUTPUT_FORMATS = ("text", "json", "github", *REPORT_FORMATS)
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
    from .conclusion import failing_codes
    from .context import hook_options, lint_options

    arguments = config.cmd_opts
    baseline = _baseline_path(config, getattr(arguments, "baseline", None))
    writing = bool(getattr(arguments, "write_baseline", False))
    try:
        hooks = hook_options(config, hook_type)
        options = lint_options(config, [*hooks, _command_line_options(arguments)])
        paths = revision_paths(config, list(getattr(arguments, "paths", None) or []))
        reference = getattr(arguments, "diff_base", None)
        if reference:
            from .changed import changed_since

            paths = changed_since(reference, paths, _root(config))
        accepted = None
        if not writing and (baseline.is_file() or getattr(arguments, "baseline", None)):
            from .baseline import read_baseline

            accepted = read_baseline(baseline)
        contents = {path: _read(path) for path in paths}
    except (LbackError, OSError) as error:
        sys.stderr.write(f"error: {error}\n")
        return EXIT_ERROR
    try:
        if getattr(arguments, "sql", False):
            results = _rendered_rows(config, options, set(contents))
        else:
            results = lint_rows(
                config,
                contents,
                options,
                cache=not getattr(arguments, "no_cache", False),
                jobs=getattr(arguments, "jobs", None),
            )
    except LbackError as error:
        sys.stderr.write(f"error: {error}\n")
        return EXIT_ERROR
    except Exception as error:  # 1 means findings: a lint that could not run is never 1
        sys.stderr.write(f"error: lint could not run: {type(error).__name__}: {error}\n")
        return EXIT_ERROR
    if writing:
        from .baseline import write_baseline

        count = write_baseline(baseline, results)
        sys.stdout.write(f"Wrote {count} finding(s) to {baseline}.\n")
        return EXIT_CLEAN
    if accepted is not None:
        from .baseline import new_findings

        results = new_findings(baseline, accepted, results)
    _write(results, options, getattr(arguments, "output_format", "text") or "text")
    failing = failing_codes(options)
    found = any(not failing.isdisjoint(shown.codes) for _, shown in results)
    return EXIT_FINDINGS if found else EXIT_CLEAN


def _rendered_rows(
    config: Config, options: LintOptions, paths: set[Path]
) -> list[tuple[str, Shown]]:
    """``lint --sql``: the findings on the SQL each of ``paths`` renders, as rows to show."""
    from .conclusion import Shown
    from .offline import lint_rendered, render_history

    wanted = {path.resolve() for path in paths}
    revisions = [item for item in render_history(config) if Path(item.path).resolve() in wanted]
    prefix = os.path.join(os.getcwd(), "")
    rows: dict[str, list[str]] = {}
    for finding in lint_rendered(revisions, options):
        shown = _shown(Path(finding.path), prefix)
        rows.setdefault(shown, []).append(
            f"{finding.line}:{finding.column}: {finding.code} {finding.message}"
        )
    return [
        (path, Shown(texts, {text.split(" ", 2)[1] for text in texts}))
        for path, texts in rows.items()
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

    :param cache: read and write ``.lback-cache/lint.json`` beside ``alembic.ini``.
    :param jobs: the most processes to use on the files not in the cache.
    :returns: the findings, file by file in the order of ``contents``, each file's in order.
    """
    from .conclusion import findings_of

    results = lint_rows(config, contents, options, cache=cache, jobs=jobs)
    return [finding for path, shown in results for finding in findings_of(path, shown, options)]


def lint_rows(
    config: Config | None,
    contents: dict[Path, bytes],
    options: LintOptions,
    *,
    cache: bool = True,
    jobs: int | None = None,
) -> list[tuple[str, Shown]]:
    """:func:`lint_files`, with each file's findings left as the texts to show: a list of
    ``(path shown, findings shown)``.

    A warm run over a long history spends its time here; a cached file costs a hash and a
    dictionary look-up, and its findings are written out as the cache holds them.
    """
    from .conclusion import concluded_document, is_analysis_document
    from .context import file_template
    from .rule import RevisionContext

    store = None
    if cache:
        root = Path(config.config_file_name).parent if config and config.config_file_name else None
        store = ResultCache((root or Path.cwd()) / CACHE_DIRECTORY, "lint", options.fingerprint())
    documents: dict[Path, dict[str, Any]] = {}
    missing: list[Path] = []
    for path, content in contents.items():
        cached = store.get(content) if store is not None else None
        if cached is None or not is_analysis_document(cached):
            missing.append(path)
        else:
            documents[path] = cached
    computed = run_parallel(functools.partial(analyse_file, options), missing, jobs)
    for path, document in zip(missing, computed, strict=True):
        documents[path] = document
        if store is not None:
            store.put(contents[path], document)
    if store is not None:
        store.save()
    template = file_template(config)
    places = _places(contents)
    known = _known_revisions(documents, places)
    prefix = os.path.join(os.getcwd(), "")
    results: list[tuple[str, Shown]] = []
    for path, (directory, name) in places.items():
        context = RevisionContext(name, template, known[directory])
        shown = concluded_document(documents[path], options, context)
        results.append((_shown(path, prefix), shown))
    return results


def _read(path: Path) -> bytes:
    """The bytes of ``path``: a warm run reads thousands of files, and the plain system calls
    take two thirds of the time of :meth:`Path.read_bytes`."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        chunks = [os.read(descriptor, os.fstat(descriptor).st_size + 1)]
        while chunks[-1]:
            chunks.append(os.read(descriptor, 1 << 16))
        return b"".join(chunks)
    finally:
        os.close(descriptor)


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


def _known_revisions(
    documents: dict[Path, dict[str, Any]], places: dict[Path, tuple[str, str]]
) -> dict[str, frozenset[str]]:
    """The revision ids each directory's files may name: those of every linted directory, from
    the analyses, reading only the unlinted siblings."""
    from .context import revision_ids

    linted: dict[str, set[str]] = {}
    ids: dict[str, set[str]] = {}
    for path, (directory, name) in places.items():
        linted.setdefault(directory, set()).add(name)
        revision = documents[path]["revision"]
        ids.setdefault(directory, set()).update(revision[0] if revision is not None else ())
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


def _write(results: Sequence[tuple[str, Shown]], options: LintOptions, output_format: str) -> None:
    out = sys.stdout
    if output_format == "text":
        _write_text(results, options)
        return
    from .conclusion import findings_of

    findings = [finding for path, shown in results for finding in findings_of(path, shown, options)]
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
        level = _GITHUB_LEVELS[finding.severity]
        properties = ",".join(
            [
                f"file={_escape_property(finding.path)}",
                f"line={finding.line}",
                f"col={finding.column}",
                f"title={_escape_property(f'{finding.code} {finding.name}')}",
            ]
        )
        out.write(f"::{level} {properties}::{_escape_data(finding.message)}\n")


def _write_text(results: Sequence[tuple[str, Shown]], options: LintOptions) -> None:
    """:meth:`Finding.render`'s format, written without building a Finding for each finding."""
    from .conclusion import severities

    levels = severities(options)
    lines: list[str] = []
    failing = 0
    for path, shown in results:
        for text in shown.texts:
            level = levels[text.split(" ", 2)[1]]
            failing += options.fails(level)
            lines.append(f"{path}:{text} [{level.value}]\n")
    sys.stdout.write("".join(lines))
    if lines:
        sys.stdout.write(
            f"Found {len(lines)} problem(s), {failing} at or above fail_on = {options.fail_on}.\n"
        )


_GITHUB_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
