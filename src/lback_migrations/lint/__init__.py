"""The ``lback_lint`` linter: a small rule engine on libcst for Alembic revision files.

:func:`~lback_migrations.lint.engine.lint_source` lints a revision's text;
:func:`~lback_migrations.lint.hook.lint_revision` is the post-write hook and
:mod:`~lback_migrations.lint.command` the ``lback-migrations lint`` command. The rules live
in :mod:`lback_migrations.lint.rules`, one per module.
"""
