"""The ``lback_lint`` post-write hook: lint the revision Alembic just wrote.

Findings are printed as ``path:line:col: CODE message``. When one reaches ``fail_on``, the
hook raises :class:`LintFailedError`; Alembic prints it as ``FAILED:`` and exits non-zero,
and the revision file stays where it was written for the user to fix.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..errors import LbackError
from ..options import hook_layer
from .conclusion import conclude
from .context import file_template, find_config, lint_options, sibling_revision_ids
from .context import revision_context as make_revision_context
from .engine import analyse
from .findings import Finding


class LintFailedError(LbackError):
    """The linter found problems at or above ``fail_on`` in a revision.

    :param path: the revision file, which is kept as written.
    :param findings: the findings at or above ``fail_on`` (the others are only shown).
    :param fail_on: the configured threshold.
    """

    def __init__(self, path: str, findings: Sequence[Finding], fail_on: str) -> None:
        self.path = path
        self.findings = tuple(findings)
        self.fail_on = fail_on
        codes = sorted({finding.code for finding in findings})
        super().__init__(
            f"{path}: lint found {len(findings)} problem(s) ({', '.join(codes)}) at or above "
            f"fail_on = {fail_on}; the revision file is kept: fix it, or suppress a finding "
            "with # lback: ignore[CODE]"
        )


def lint_revision(path: str, options: Mapping[str, str]) -> None:
    """Lint the revision at ``path``; the ``lback_lint`` hook type.

    :param options: the hook's keys (``select``, ``ignore``, ``severity``, ``fail_on``,
        ``dialect``, ``naming_convention``), over ``[tool.lback-migrations.lint]``.
    :raises ConfigurationError: on an unknown option, code or value.
    :raises LintFailedError: when a finding reaches ``fail_on``.
    """
    revision = Path(path)
    config = find_config(revision)
    name = options.get("_hook_name", "lint")
    source_file = config.config_file_name if config is not None else None
    settings = lint_options(config, [hook_layer(options, name, source_file)])
    source = revision.read_text(encoding="utf-8")
    analysis = analyse(source, settings)
    down_revisions = analysis.facts.down_revision
    known = sibling_revision_ids(revision, down_revisions.values if down_revisions else ())
    context = make_revision_context(revision, file_template(config), known)
    findings = conclude(analysis, path, settings, context)
    for finding in findings:
        sys.stdout.write(f"{finding.render()}\n")
    failing = [finding for finding in findings if settings.fails(finding.severity)]
    if failing:
        raise LintFailedError(path, failing, settings.fail_on)
