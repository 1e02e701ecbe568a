"""Linting revision files as the ``lint`` command does, in this process.

:func:`lint_project` lints what a command line names (by default the environment's version
locations); :func:`lint_files` lints given files, reusing the cached analysis of each unchanged
file and analysing the others on every core. The ``lint`` command
(:mod:`lback_migrations.lint_command`) and ``ci`` call them.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..options import Layer, layer, normalise
from ..result_cache import ResultCache, cache_directory, content_digest
from ..revision_files import display_path, revision_paths
from .findings import Finding, Severity

if TYPE_CHECKING:
    from alembic.config import Config

    from .conclusion import Analysis
    from .config import LintOptions


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
    baseline = baseline_path(config, named)
    accepted = None
    if apply_baseline and (baseline.is_file() or named):
        from .baseline import read_baseline

        accepted = read_baseline(baseline)
    if getattr(arguments, "sql", False):
        findings = _rendered_findings(config, options, set(paths))
    else:
        cache = not getattr(arguments, "no_cache", False)
        jobs = getattr(arguments, "jobs", None)
        findings = lint_files(config, paths, options, cache=cache, jobs=jobs)
    if accepted is not None:
        from .baseline import new_findings

        findings = new_findings(baseline, accepted, findings)
    return options, findings


def _rendered_findings(config: Config, options: LintOptions, paths: set[Path]) -> list[Finding]:
    """``lint --sql``: the findings on the SQL each of ``paths`` renders."""
    from .offline import lint_rendered, render_history

    wanted = {path.resolve() for path in paths}
    revisions = [item for item in render_history(config) if Path(item.path).resolve() in wanted]
    working_directory = os.getcwd()
    return [
        dataclasses.replace(finding, path=display_path(finding.path, working_directory))
        for finding in lint_rendered(revisions, options)
    ]


def _root(config: Config) -> Path:
    """The directory of ``alembic.ini``, else the working directory."""
    return Path(config.config_file_name).parent if config.config_file_name else Path.cwd()


def baseline_path(config: Config, named: str | None) -> Path:
    """The baseline file: ``named``, else ``lint-baseline.json`` beside ``alembic.ini``."""
    from .baseline import DEFAULT_NAME

    return Path(named) if named else _root(config) / DEFAULT_NAME


def lint_files(
    config: Config | None,
    paths: Sequence[Path],
    options: LintOptions,
    *,
    cache: bool = True,
    jobs: int | None = None,
) -> list[Finding]:
    """Lint the files at ``paths``; reuse and refresh the result cache.

    A file in the cache costs a ``stat`` (a read and a hash when its status changed, see
    :class:`~lback_migrations.result_cache.ResultCache`) and a look-up; the others are analysed
    on every core.

    :param cache: read and write ``.lback-cache/lint.json`` beside ``alembic.ini``.
    :param jobs: the most processes to use on the files not in the cache.
    :returns: the findings, file by file in the order of ``paths``, each file's in order; paths
        are shown as :func:`~lback_migrations.revision_files.display_path` shows them.
    :raises OSError: when a file cannot be read.
    """
    from .context import file_template

    if not cache:
        return _concluded(config, paths, options, _analysed(paths, options, None, jobs))
    store = ResultCache(cache_directory(config), "lint", options.fingerprint())
    places = _places(paths)
    working_directory = os.getcwd()
    digests = {path: store.digest(path) for path in paths}
    inputs = json.dumps(
        [
            file_template(config),
            [
                [directory, name, display_path(path, working_directory), digests[path]]
                for path, (directory, name) in places.items()
            ],
        ]
    )
    # the latest run's findings stand when nothing they depend on changed: the same files,
    # shown alike, with the same digests, and no unlinted file beside them whose ids count
    alone = not any(_unlinted_siblings(places).values())
    remembered = _findings_from_json(store.latest(inputs)) if alone else None
    if remembered is not None:
        return remembered
    findings = _concluded(config, paths, options, _analysed(paths, options, store, jobs, digests))
    if alone:
        store.keep_latest(inputs, [_finding_to_json(finding) for finding in findings])
    store.save()
    return findings


def _analysed(
    paths: Sequence[Path],
    options: LintOptions,
    store: ResultCache | None,
    jobs: int | None,
    digests: dict[Path, str] | None = None,
) -> dict[Path, Analysis]:
    """Each file's analysis: from the cache when it holds the file's digest, else made on every
    core (and cached)."""
    from .conclusion import Analysis

    analyses: dict[Path, Analysis] = {}
    missing: list[Path] = []
    for path in paths:
        cached = store.get(digests[path]) if store is not None and digests is not None else None
        try:
            analyses[path] = Analysis.from_json(cached)
        except ValueError:
            missing.append(path)
    if missing:
        # imported here: a run over unchanged files starts no process pool
        from ..parallel import run_parallel

        computed = run_parallel(functools.partial(_analyse_read, options), missing, jobs)
        for path, (digest, analysis) in zip(missing, computed, strict=True):
            analyses[path] = analysis
            if store is not None and digests is not None:
                store.put(digest, analysis.to_json())
                digests[path] = digest
    return analyses


def _concluded(
    config: Config | None,
    paths: Sequence[Path],
    options: LintOptions,
    analyses: dict[Path, Analysis],
) -> list[Finding]:
    from .conclusion import conclude
    from .context import file_template
    from .rule import RevisionContext

    template = file_template(config)
    places = _places(paths)
    known = _known_revisions(analyses, places)
    working_directory = os.getcwd()
    findings: list[Finding] = []
    for path, (directory, name) in places.items():
        context = RevisionContext(name, template, known[directory])
        findings += conclude(
            analyses[path], display_path(path, working_directory), options, context
        )
    return findings


def _finding_to_json(finding: Finding) -> list[Any]:
    return [
        finding.path,
        finding.line,
        finding.column,
        finding.code,
        finding.name,
        finding.message,
        finding.severity.value,
    ]


_FINDING_TYPES = (str, int, int, str, str, str, str)


def _findings_from_json(document: Any) -> list[Finding] | None:
    """The findings :func:`_finding_to_json` wrote, or ``None`` when ``document`` is not
    that (a cache file is anyone's to edit)."""
    if not isinstance(document, list):
        return None
    findings: list[Finding] = []
    for row in document:
        if not (
            isinstance(row, list)
            and len(row) == len(_FINDING_TYPES)
            and all(type(value) is kind for value, kind in zip(row, _FINDING_TYPES, strict=True))
        ):
            return None
        try:
            severity = Severity(row[6])
        except ValueError:
            return None
        findings.append(Finding(row[0], row[1], row[2], row[3], row[4], row[5], severity))
    return findings


def _unlinted_siblings(places: dict[Path, tuple[str, str]]) -> dict[str, list[str]]:
    """The ``*.py`` files beside the linted ones, not linted themselves, by directory."""
    linted: dict[str, set[str]] = {}
    for directory, name in places.values():
        linted.setdefault(directory, set()).add(name)
    siblings: dict[str, list[str]] = {}
    for directory, names in linted.items():
        try:
            found = os.listdir(directory)
        except OSError:
            found = []
        siblings[directory] = [
            other for other in found if other.endswith(".py") and other not in names
        ]
    return siblings


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


def _analyse_read(options: LintOptions, path: Path) -> tuple[str, Analysis]:
    """The digest of the file's bytes and their analysis (in a worker process): the cache
    keeps the analysis under the bytes it was made from, whatever happened to the file since."""
    content = path.read_bytes()
    return content_digest(content), _analyse_content(options, content)


def _analyse_content(options: LintOptions, content: bytes) -> Analysis:
    from .conclusion import Analysis
    from .engine import analyse
    from .rules.syntax_error import UnparsableRevision

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

    ids: dict[str, set[str]] = {}
    for path, (directory, _) in places.items():
        revision = analyses[path].facts.revision
        ids.setdefault(directory, set()).update(revision.values if revision is not None else ())
    for directory, others in _unlinted_siblings(places).items():
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
