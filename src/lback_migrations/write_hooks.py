"""The ``lback_format`` and ``lback_lint`` post-write hook types.

These functions are what the ``lback`` plugin registers with Alembic's
:func:`alembic.script.write_hooks.register`. They import the formatter and the linter only when
a hook runs, so that the plugin (imported by every ``import alembic``) stays light.
"""

from __future__ import annotations

from collections.abc import Mapping

FORMAT_HOOK = "lback_format"
LINT_HOOK = "lback_lint"


def run_format_hook(path: str, options: Mapping[str, str]) -> None:
    """Format the revision at ``path``: the ``lback_format`` hook type.

    :param options: the hook's own configuration keys (``NAME.key = value``).
    """
    from .formatting.hook import format_revision

    format_revision(path, options)


def run_lint_hook(path: str, options: Mapping[str, str]) -> None:
    """Lint the revision at ``path``: the ``lback_lint`` hook type.

    :param options: the hook's own configuration keys (``NAME.key = value``).
    """
    from .lint.hook import lint_revision

    lint_revision(path, options)
