"""``ci --static``, ``lint`` and ``format`` run no revision code; ``ci`` does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.databases import Database
from tests.projects import AlembicProject


def write_revision(project: AlembicProject, revision: str, down: str | None, marker: Path) -> None:
    (project.versions / f"{revision}_step.py").write_text(
        f'"""step {revision}"""\n'
        "import pathlib\n\n"
        "from alembic import op\n\n"
        f"pathlib.Path({str(marker)!r}).write_text('imported')\n\n"
        f"revision = {revision!r}\n"
        f"down_revision = {down!r}\n"
        "branch_labels = None\n"
        "depends_on = None\n\n\n"
        "def upgrade() -> None:\n    pass\n\n\n"
        "def downgrade() -> None:\n    pass\n"
    )


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / "revision-code-ran"


@pytest.fixture
def project(tmp_path: Path, sqlite_database: Database, marker: Path) -> AlembicProject:
    created = AlembicProject.create(tmp_path / "project", sqlite_database)
    write_revision(created, "a1", None, marker)
    write_revision(created, "b2", "a1", marker)
    return created


def test_ci_static_imports_no_revision(project: AlembicProject, marker: Path) -> None:
    done = project.lback("ci", "--static", "--json")
    report = json.loads(done.stdout)
    statuses = {check["name"]: check["status"] for check in report["checks"]}
    assert statuses == {"heads": "ok", "applied": "skipped", "drift": "skipped", "lint": "ok"}
    assert report["checks"][0]["details"] == ["b2"]
    assert not marker.exists()


def test_ci_without_static_runs_the_revision_code(project: AlembicProject, marker: Path) -> None:
    project.lback("ci", "--no-lint", check=False)
    assert marker.read_text() == "imported"


@pytest.mark.parametrize("command", [["lint"], ["format", "--check"], ["format"]])
def test_lint_and_format_import_no_revision(
    project: AlembicProject, marker: Path, command: list[str]
) -> None:
    project.lback(*command, check=False)
    assert not marker.exists()


def test_ci_static_fails_on_two_heads(project: AlembicProject, marker: Path) -> None:
    write_revision(project, "c3", "a1", marker)
    done = project.lback("ci", "--static", "--json", check=False)
    assert done.returncode == 1
    heads = json.loads(done.stdout)["checks"][0]
    assert (heads["status"], heads["details"]) == ("failed", ["b2", "c3"])
    assert not marker.exists()


def test_ci_static_fails_on_a_down_revision_naming_no_file(
    project: AlembicProject, marker: Path
) -> None:
    write_revision(project, "c3", "zz", marker)
    done = project.lback("ci", "--static", check=False)
    assert done.returncode == 1
    assert "down_revision 'zz' names no revision file" in done.stdout
    assert not marker.exists()
