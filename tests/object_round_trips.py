"""The life of a database object through the stock ``alembic`` command, for the tests of
``lback_migrations.objects``: autogenerate it, upgrade, check clean, change it, autogenerate the
change, upgrade, then ``downgrade base`` and ``upgrade head`` again."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from tests.databases import Database
from tests.projects import AlembicProject


def project_with(root: Path, database: Database, models: str, **options: str) -> AlembicProject:
    """A project whose ``app/models.py`` defines ``metadata``, its first revision applied."""
    project = AlembicProject.create(
        root, database, models=models, options={"target_metadata": "app.models:metadata", **options}
    )
    assert project.autogenerate("create") is not None
    project.alembic("upgrade", "head")
    return project


def lint_never_fails(project: AlembicProject) -> None:
    """Keep revisions whose lint findings are intended (a deliberate ``drop_table``)."""
    hook = "lback_lint.type = lback_lint\n"
    text = project.ini_path.read_text()
    project.ini_path.write_text(text.replace(hook, hook + "lback_lint.fail_on = never\n"))


def assert_check_clean(project: AlembicProject) -> None:
    """``alembic check`` finds nothing to do."""
    result = project.alembic("check", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No new upgrade operations detected" in result.stdout


def change_models(project: AlembicProject, models: str) -> str:
    """Replace the models, autogenerate the change, upgrade, and return the revision's text."""
    project.write_models(models)
    revision = project.autogenerate("change")
    assert revision is not None, "autogenerate found no change"
    project.alembic("upgrade", "head")
    return revision.read_text()


def assert_rebuilds_from_base(project: AlembicProject) -> None:
    """``downgrade base`` then ``upgrade head`` both run, and leave nothing to do."""
    project.alembic("downgrade", "base")
    project.alembic("upgrade", "head")
    assert_check_clean(project)


def execute(database: Database, *statements: str) -> None:
    with database.connect() as connection:
        for statement in statements:
            connection.execute(sa.text(statement))


def rows(database: Database, query: str) -> list[tuple[object, ...]]:
    with database.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(query))]
