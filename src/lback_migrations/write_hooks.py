"""The ``lback_format`` and ``lback_lint`` post-write hook types.

The ``lback`` plugin registers its wrappers with Alembic's
:func:`alembic.script.write_hooks.register` under the hook type names it holds
(:data:`~lback_migrations.plugin.FORMAT_HOOK`, :data:`~lback_migrations.plugin.LINT_HOOK`); each
wrapper imports this module, and these functions import the formatter and the linter, only when
a hook runs, so that the plugin (imported by every ``import alembic``) stays light.

A hook runs with Python's cyclic garbage collector paused (:func:`_collector_paused`): it runs
inside ``alembic revision``, whose heap holds Alembic, SQLAlchemy and the user's models, and
every full collection black's and the linter's allocations trigger walks all of it again.
Measured in that process on a 40-table revision, the collections took a fifth of black's time
(``docs/benchmarks.rst``). What a hook leaves behind is collected once the collector resumes.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from .json_values import jsonable
from .signals import (
    migration_hook_completed,
    migration_hook_failed,
    migration_hook_started,
    send_from_run,
)

__all__ = ["run_format_hook", "run_lint_hook"]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, then restore it as it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _signalled(hook_type: str, path: str, options: Mapping[str, str]) -> Iterator[list[object]]:
    """Send the hook started / completed / failed signals around one hook run.

    The block may append the hook's findings to the list it is given; a failing hook's
    exception may carry its findings in a ``findings`` attribute.
    """
    about = {"hook": options.get("_hook_name", hook_type), "hook_type": hook_type, "path": path}
    send_from_run(migration_hook_started, **about)
    findings: list[object] = []
    start = time.perf_counter()
    try:
        yield findings
    except Exception as error:
        duration = time.perf_counter() - start
        problem = f"{type(error).__name__}: {error}"
        found = jsonable(getattr(error, "findings", findings))
        send_from_run(
            migration_hook_failed, **about, duration=duration, error=problem, findings=found
        )
        raise
    duration = time.perf_counter() - start
    send_from_run(migration_hook_completed, **about, duration=duration, findings=jsonable(findings))


def run_format_hook(hook_type: str, path: str, options: Mapping[str, str]) -> None:
    """Format the revision at ``path``: the ``lback_format`` hook type.

    :param hook_type: the type the hook is registered as, sent with its signals.
    :param options: the hook's own configuration keys (``NAME.key = value``).
    """
    with _collector_paused():
        from .formatting.hook import format_revision

    with _signalled(hook_type, path, options), _collector_paused():
        format_revision(path, options)


def run_lint_hook(hook_type: str, path: str, options: Mapping[str, str]) -> None:
    """Lint the revision at ``path``: the ``lback_lint`` hook type.

    :param hook_type: the type the hook is registered as, sent with its signals.
    :param options: the hook's own configuration keys (``NAME.key = value``).
    """
    with _collector_paused():
        from .lint.hook import lint_revision

    with _signalled(hook_type, path, options), _collector_paused():
        lint_revision(path, options)
