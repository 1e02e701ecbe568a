"""Every lback-migrations error is an Alembic ``CommandError`` wherever Alembic runs, whatever
was imported first; only the stand-alone ``lint`` and ``format`` run, which never hands an
error to Alembic, builds them without Alembic."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.databases import Database
from tests.projects import AlembicProject
from tests.revision_files import CLEAN_BODY, write_revision

ERROR_BASE = """
import sys
print("alembic imported:", "alembic.util.exc" in sys.modules)
from alembic.util import CommandError
errors = sys.modules["lback_migrations.errors"]
print("CommandError:", issubclass(errors.ConfigurationError, CommandError))
"""


@pytest.fixture
def project(tmp_path: Path, sqlite_database: Database) -> AlembicProject:
    created = AlembicProject.create(tmp_path / "project", sqlite_database)
    write_revision(created, "a1", None, CLEAN_BODY)
    return created


def run_launcher(project: AlembicProject, *arguments: str) -> list[str]:
    """Run the launcher in a fresh interpreter, then report what its errors derive from."""
    program = (
        "import sys\n"
        "from lback_migrations.launcher import main\n"
        "try:\n"
        f"    main({list(arguments)!r})\n"
        "except SystemExit:\n"
        "    pass\n" + ERROR_BASE
    )
    return project.run(sys.executable, "-c", program).stdout.splitlines()[-2:]


def test_a_program_importing_the_errors_before_alembic_gets_command_errors(
    project: AlembicProject,
) -> None:
    program = "import lback_migrations.errors\n" + ERROR_BASE
    lines = project.run(sys.executable, "-c", program).stdout.splitlines()
    assert lines == ["alembic imported: True", "CommandError: True"]


def test_a_stand_alone_lint_builds_its_errors_without_alembic(project: AlembicProject) -> None:
    assert run_launcher(project, "lint") == ["alembic imported: False", "CommandError: False"]


def test_a_lint_handed_to_alembics_command_line_late_still_raises_command_errors(
    project: AlembicProject,
) -> None:
    # the launcher learns only after importing the lint command (and so the errors) that
    # pyproject.toml configures Alembic, and hands the command line over
    (project.root / "pyproject.toml").write_text('[tool.alembic]\nscript_location = "migrations"\n')
    assert run_launcher(project, "lint") == ["alembic imported: True", "CommandError: True"]
