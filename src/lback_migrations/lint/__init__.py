"""The ``lback_lint`` linter: a small rule engine on Python's :mod:`ast` for Alembic revisions.

The engine parses with the standard library rather than libcst, whose parser costs about ten
times more per file (see :mod:`lback_migrations.lint.engine`); the linter imports no libcst.

:func:`~lback_migrations.lint.engine.lint_source` lints a revision's text;
:func:`~lback_migrations.lint.hook.lint_revision` is the post-write hook and
:func:`~lback_migrations.lint.files.lint_files` lints files with the result cache, for the
``lback-migrations lint`` command (:mod:`lback_migrations.lint_command`). The rules live
in :mod:`lback_migrations.lint.rules`, one per module.
"""
