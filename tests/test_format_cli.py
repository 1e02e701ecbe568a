"""``lback-migrations format``, run as the installed command over a project's revisions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.databases import Database
from tests.projects import AlembicProject, command_path, set_hooks
from tests.revision_files import DROP_BODY, UNFORMATTED, write_revision


@pytest.fixture
def project(tmp_path: Path, sqlite_database: Database) -> AlembicProject:
    """A project whose versions directory holds two unformatted revisions."""
    created = AlembicProject.create(tmp_path / "project", sqlite_database)
    for name in ("first", "second"):
        (created.versions / f"{name}.py").write_text(UNFORMATTED.format(name=name))
    return created


def contents(project: AlembicProject) -> dict[str, str]:
    return {path.name: path.read_text() for path in project.revision_files()}


def test_check_exits_1_naming_the_files_and_writes_nothing(project: AlembicProject) -> None:
    before = contents(project)
    result = project.lback("format", "--check", check=False)
    assert result.returncode == 1
    assert "would reformat migrations/versions/first.py" in result.stdout
    assert "2 files would be reformatted" in result.stdout
    assert contents(project) == before


def test_diff_prints_the_changes_and_writes_nothing(project: AlembicProject) -> None:
    before = contents(project)
    result = project.lback("format", "--diff", "migrations/versions/first.py", check=False)
    assert result.returncode == 1
    assert "-    op.create_table('first'" in result.stdout
    assert '+    op.create_table("first", sa.Column("id", sa.Integer(), nullable=False))' in (
        result.stdout
    )
    assert contents(project) == before


def test_format_rewrites_the_files_then_check_passes(project: AlembicProject) -> None:
    result = project.lback("format")
    assert "2 files reformatted" in result.stdout
    assert "import sqlalchemy as sa\nfrom alembic import op\n" in contents(project)["first.py"]
    assert project.lback("format", "--check").returncode == 0


def test_a_file_that_does_not_parse_exits_2_and_is_untouched(project: AlembicProject) -> None:
    broken = project.versions / "broken.py"
    broken.write_text("def upgrade(:\n    pass\n")
    result = project.lback("format", check=False)
    assert result.returncode == 2
    assert "error: migrations/versions/broken.py:1: the file does not parse" in result.stderr
    assert broken.read_text() == "def upgrade(:\n    pass\n"
    assert "2 files reformatted" in result.stdout


def test_json_output_lists_every_file_with_its_status(project: AlembicProject) -> None:
    (project.versions / "first.py").write_text('x = "formatted"\n')
    result = project.lback("format", "--check", "--output-format", "json", check=False)
    assert result.returncode == 1
    report = {entry["path"]: entry["status"] for entry in json.loads(result.stdout)}
    assert report == {
        "migrations/versions/first.py": "unchanged",
        "migrations/versions/second.py": "would-reformat",
    }


def test_github_output_annotates_the_files_to_fix(project: AlembicProject) -> None:
    (project.versions / "broken.py").write_text("x = (\n")
    result = project.lback("format", "--check", "--output-format", "github", check=False)
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    assert (
        "::error file=migrations/versions/first.py,title=lback-migrations format::would reformat"
        in lines
    )
    assert any(
        line.startswith("::error file=migrations/versions/broken.py,line=1,") for line in lines
    )


def test_the_hooks_options_apply(project: AlembicProject) -> None:
    set_hooks(project, {"tidy": {"type": "lback_format", "skip_string_normalization": "true"}})
    project.lback("format")
    assert "op.create_table('first', sa.Column('id'" in contents(project)["first.py"]


def test_a_missing_path_is_an_error_exiting_2(project: AlembicProject) -> None:
    result = project.lback("format", "nowhere.py", check=False)
    assert result.returncode == 2
    assert "nowhere.py does not exist" in result.stderr


def test_a_warm_run_answers_from_the_cache_without_importing_black_or_libcst(
    project: AlembicProject,
) -> None:
    project.lback("format")
    assert (project.root / ".lback-cache" / "format.json").is_file()
    command = [command_path("python"), "-X", "importtime", "-m", "lback_migrations"]
    warm = project.run(*command, "format", "--check")
    imported = {line.rsplit("|", 1)[-1].strip() for line in warm.stderr.splitlines()}
    assert "2 files already formatted" in warm.stdout
    assert not imported & {"black", "libcst"}
    (project.versions / "first.py").write_text("x = 'changed'\n")
    cold = project.run(*command, "format", "--check", check=False)
    imported = {line.rsplit("|", 1)[-1].strip() for line in cold.stderr.splitlines()}
    assert cold.returncode == 1
    assert "black" in imported


@pytest.mark.parametrize("named", ["absolute", "relative"])
def test_format_and_lint_show_a_files_path_by_the_same_rule(
    project: AlembicProject, named: str
) -> None:
    write_revision(project, "b2", None, DROP_BODY)
    path = project.versions / "b2_change.py"
    argument = str(path) if named == "absolute" else "./migrations/../migrations/versions"
    formatted = project.lback("format", "--check", "--output-format", "json", argument, check=False)
    linted = project.lback("lint", "--output-format", "json", argument, check=False)
    format_paths = {entry["path"] for entry in json.loads(formatted.stdout)}
    lint_paths = {entry["path"] for entry in json.loads(linted.stdout)}
    shown = "migrations/versions/b2_change.py"
    assert shown in format_paths
    assert shown in lint_paths
    assert all(path.startswith("migrations/versions/") for path in format_paths | lint_paths)
