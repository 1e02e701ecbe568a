"""The ``lback_lint`` hook, configured in alembic.ini and run by the stock ``alembic revision``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.databases import Database
from tests.models import ACCOUNT_MODELS, TARGET_BASE_METADATA, account_column
from tests.projects import AlembicProject, set_hooks

ACCOUNT_WITH_NICKNAME = account_column("nickname: Mapped[str | None] = mapped_column(String(50))")


def create_project(root: Path, database: Database, **hook_options: str) -> AlembicProject:
    project = AlembicProject.create(
        root, database, models=ACCOUNT_WITH_NICKNAME, options=TARGET_BASE_METADATA
    )
    set_hooks(project, {"lint": {"type": "lback_lint", **hook_options}})
    return project


def drop_nickname(project: AlembicProject) -> None:
    project.write_models(
        ACCOUNT_WITH_NICKNAME.replace("        nickname: Mapped[str | None]", "        # gone:")
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_drop_column_revision_fails_the_command_and_keeps_the_file(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    database: Database = request.getfixturevalue(f"{backend}_database")
    project = create_project(tmp_path / "project", database, fail_on="warning", ignore="LB403")
    first = project.autogenerate("create account")
    assert first is not None
    project.alembic("upgrade", "head")
    drop_nickname(project)

    before = set(project.revision_files())
    result = project.alembic("revision", "--autogenerate", "-m", "drop nickname", check=False)
    [written] = set(project.revision_files()) - before

    assert result.returncode != 0
    assert "FAILED: " in result.stdout
    assert "LB102" in result.stderr
    assert re.search(rf"{re.escape(str(written))}:\d+:\d+: LB102 ", result.stdout)
    assert "drop_column" in written.read_text()


def test_findings_below_fail_on_are_printed_with_their_severity_and_pass(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = create_project(tmp_path / "project", sqlite_database, select="LB, LB403")
    result = project.alembic("revision", "--autogenerate", "-m", "create account")
    [written] = project.revision_files()
    assert re.search(
        rf"{re.escape(str(written))}:\d+:\d+: LB403 .* \[warning\]$", result.stdout, re.M
    )


def test_the_failure_counts_and_names_only_findings_at_or_above_fail_on(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = create_project(tmp_path / "project", sqlite_database, select="LB, LB403")
    project.autogenerate("create account")
    project.alembic("upgrade", "head")
    project.write_models(ACCOUNT_MODELS)
    result = project.alembic("revision", "--autogenerate", "-m", "drop nickname", check=False)
    assert " LB403 " in result.stdout
    assert "lint found 1 problem(s) (LB102) at or above fail_on = error" in result.stderr


def test_the_dialect_comes_from_the_configured_url(
    tmp_path: Path, postgresql_database: Database
) -> None:
    project = create_project(
        tmp_path / "project", postgresql_database, fail_on="warning", ignore="LB403"
    )
    project.autogenerate("create account")
    project.alembic("upgrade", "head")
    project.write_models(
        ACCOUNT_WITH_NICKNAME.replace(
            "mapped_column(String(50))\n        nickname",
            "mapped_column(String(50), index=True)\n        nickname",
        )
    )
    result = project.alembic("revision", "--autogenerate", "-m", "index name", check=False)
    assert result.returncode != 0
    assert " LB204 " in result.stdout
    assert postgresql_database.url.password is None or (
        postgresql_database.url.password not in result.stdout + result.stderr
    )


def test_a_bad_hook_option_fails_the_command_naming_the_key(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = create_project(tmp_path / "project", sqlite_database, select="LB7")
    result = project.alembic("revision", "-m", "empty", check=False)
    assert result.returncode != 0
    assert "FAILED: [post_write_hooks] lint.select in " in result.stdout


@pytest.mark.parametrize("file_template", ["%%(rev)s_%%(slug)s", "%%(slug)s"])
def test_the_down_revision_of_a_new_revision_is_found_among_its_siblings(
    tmp_path: Path, sqlite_database: Database, file_template: str
) -> None:
    project = create_project(tmp_path / "project", sqlite_database, select="LB405")
    project.set_main_option("file_template", file_template)
    project.alembic("revision", "-m", "first")
    [first] = project.revision_files()
    first_id = re.search(r"^revision[^=]*= ['\"](\w+)['\"]", first.read_text(), re.M)
    assert first_id is not None

    result = project.alembic("revision", "-m", "second")

    [second] = set(project.revision_files()) - {first}
    assert first_id.group(1) in second.read_text()
    assert "LB405" not in result.stdout
