"""``lback-migrations lint``, run as the installed command over a project's revision files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.databases import Database
from tests.projects import AlembicProject
from tests.revision_files import CLEAN_BODY, DROP_BODY, write_revision


@pytest.fixture
def project(tmp_path: Path, sqlite_database: Database) -> AlembicProject:
    created = AlembicProject.create(tmp_path / "project", sqlite_database)
    write_revision(created, "a1", None, CLEAN_BODY)
    return created


def test_a_clean_history_exits_zero_and_prints_nothing(project: AlembicProject) -> None:
    result = project.lback("lint")
    assert result.returncode == 0
    assert result.stdout == ""


def test_an_error_exits_one_and_prints_path_line_column_code_message(
    project: AlembicProject,
) -> None:
    path = write_revision(project, "b2", "a1", DROP_BODY)
    result = project.lback("lint", check=False)
    assert result.returncode == 1
    relative = path.relative_to(project.root)
    assert result.stdout.startswith(f"{relative}:9:5: LB101 op.drop_table('legacy')")


def test_findings_below_fail_on_are_printed_but_exit_zero(project: AlembicProject) -> None:
    write_revision(project, "b2", "a1", DROP_BODY)
    result = project.lback("lint", "--fail-on", "never")
    assert result.returncode == 0
    assert " LB101 " in result.stdout


def test_fail_on_warning_fails_on_a_warning(project: AlembicProject) -> None:
    marked = CLEAN_BODY.replace(
        "nullable=True))\n", "nullable=True))\n    # ### end Alembic commands ###\n", 1
    )
    write_revision(project, "b2", "a1", marked)
    assert project.lback("lint", "--select", "LB,LB403", check=False).returncode == 0
    failed = project.lback("lint", "--select", "LB,LB403", "--fail-on", "warning", check=False)
    assert failed.returncode == 1


def test_json_output_lists_every_finding_with_its_fields(project: AlembicProject) -> None:
    write_revision(project, "b2", "a1", DROP_BODY)
    result = project.lback("lint", "--output-format", "json", check=False)
    [finding] = json.loads(result.stdout)
    assert finding["code"] == "LB101"
    assert finding["name"] == "drop-table"
    assert finding["severity"] == "error"
    assert (finding["line"], finding["column"]) == (9, 5)
    assert finding["path"].endswith("b2_change.py")


def test_github_output_writes_workflow_annotations(project: AlembicProject) -> None:
    write_revision(project, "b2", "a1", DROP_BODY)
    result = project.lback("lint", "--output-format", "github", check=False)
    [line] = result.stdout.splitlines()
    assert line.startswith("::error file=migrations/versions/b2_change.py,line=9,col=5,")
    assert "title=LB101 drop-table::op.drop_table('legacy')" in line


def test_an_unknown_down_revision_is_reported_against_the_siblings(
    project: AlembicProject,
) -> None:
    write_revision(project, "b2", "zz9", CLEAN_BODY)
    result = project.lback("lint", check=False)
    assert result.returncode == 1
    assert "b2_change.py:6:1: LB405 down_revision 'zz9'" in result.stdout


def test_a_bad_option_exits_two_naming_the_key(project: AlembicProject) -> None:
    (project.root / "pyproject.toml").write_text('[tool.lback-migrations.lint]\nfail_on = "x"\n')
    result = project.lback("lint", check=False)
    assert result.returncode == 2
    assert "[tool.lback-migrations.lint] fail_on" in result.stderr


def test_a_missing_path_exits_two(project: AlembicProject) -> None:
    result = project.lback("lint", "no/such/dir", check=False)
    assert result.returncode == 2
    assert "no/such/dir does not exist" in result.stderr


def test_options_of_the_lint_hook_in_alembic_ini_apply(project: AlembicProject) -> None:
    write_revision(project, "b2", "a1", DROP_BODY)
    text = project.ini_path.read_text()
    project.ini_path.write_text(
        text.replace(
            "lback_lint.type = lback_lint",
            "lback_lint.type = lback_lint\nlback_lint.ignore = LB101",
        )
    )
    assert project.lback("lint").stdout == ""


def test_a_warm_run_reads_results_from_the_cache_and_relints_changed_files(
    project: AlembicProject,
) -> None:
    changed = write_revision(project, "b2", "a1", DROP_BODY)
    first = project.lback("lint", check=False)
    cache = project.root / ".lback-cache" / "lint.json"
    document = json.loads(cache.read_text())
    assert len(document["entries"]) == 2
    # Alter a cached message: a warm run shows it, which only reading the cache can do.
    cache.write_text(cache.read_text().replace("op.drop_table('legacy')", "FROM-THE-CACHE"))
    # without the latest run's findings, the run reads the entries
    (project.root / ".lback-cache" / "lint.files.json").unlink()
    warm = project.lback("lint", check=False)
    assert "FROM-THE-CACHE" in warm.stdout
    assert warm.stdout.replace("FROM-THE-CACHE", "op.drop_table('legacy')") == first.stdout

    changed.write_text(changed.read_text().replace('"legacy"', '"obsolete"', 1))
    relinted = project.lback("lint", check=False)
    assert "op.drop_table('obsolete')" in relinted.stdout
    assert "FROM-THE-CACHE" not in relinted.stdout


def test_no_cache_neither_reads_nor_writes_the_cache(project: AlembicProject) -> None:
    assert project.lback("lint", "--no-cache").returncode == 0
    assert not (project.root / ".lback-cache" / "lint.json").exists()


def test_a_warm_run_shows_what_a_cold_run_shows_with_suppressions_and_neighbours(
    project: AlembicProject,
) -> None:
    suppressed = DROP_BODY.replace(
        'op.drop_table("legacy")', 'op.drop_table("legacy")  # lback: ignore[LB101, LB102]'
    )
    write_revision(project, "b2", "a1", suppressed)
    write_revision(project, "c3", "zz9", CLEAN_BODY)
    runs = {
        output_format: [
            project.lback("lint", "--output-format", output_format, check=False)
            for _ in ("cold", "warm")
        ]
        for output_format in ("text", "json")
    }
    assert (project.root / ".lback-cache" / "lint.json").is_file()
    for cold, warm in runs.values():
        assert (warm.returncode, warm.stdout) == (cold.returncode, cold.stdout)
    [_, text] = runs["text"]
    assert text.returncode == 1
    assert "b2_change.py:9:30: LB901 unused suppression: suppresses LB102" in text.stdout
    assert "c3_change.py:6:1: LB405 " in text.stdout
    assert " LB101 " not in text.stdout


def test_a_down_revision_in_another_directory_of_the_history_is_known(
    project: AlembicProject,
) -> None:
    (project.versions / "expand").mkdir()
    (project.versions / "contract").mkdir()
    moved = write_revision(project, "e1", "a1", CLEAN_BODY)
    moved.rename(project.versions / "expand" / moved.name)
    other = write_revision(project, "c1", "e1", CLEAN_BODY)
    other.rename(project.versions / "contract" / other.name)
    result = project.lback("lint", str(project.versions))
    assert " LB405 " not in result.stdout
