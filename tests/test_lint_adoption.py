"""Adopting the linter on an existing history in one command: ``lint --diff-base GIT_REF`` (only
what a pull request adds or changes) or a baseline (``lint --write-baseline``, then only new
findings count)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.databases import Database
from tests.projects import AlembicProject
from tests.revision_files import CLEAN_BODY, DROP_BODY, write_revision

DROP_COLUMN_BODY = """
    def upgrade() -> None:
        op.drop_column("account", "nickname")


    def downgrade() -> None:
        op.add_column("account", sa.Column("nickname", sa.String(50), nullable=True))
"""


def git(project: AlembicProject, *arguments: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *arguments],
        cwd=project.root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def project(tmp_path: Path, sqlite_database: Database) -> AlembicProject:
    """A history of two revisions, one with an old LB101 finding, committed on ``main``."""
    created = AlembicProject.create(tmp_path / "project", sqlite_database)
    write_revision(created, "a1", None, CLEAN_BODY)
    write_revision(created, "b2", "a1", DROP_BODY)
    git(created, "init", "-q", "-b", "main")
    git(created, "add", ".")
    git(created, "commit", "-q", "-m", "history")
    git(created, "checkout", "-q", "-b", "feature")
    return created


def codes_shown(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line.split(" ")[1] for line in result.stdout.splitlines() if ": LB" in line]


def test_diff_base_lints_only_the_revisions_added_since_the_ref(project: AlembicProject) -> None:
    write_revision(project, "c3", "b2", DROP_COLUMN_BODY)
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "drop nickname")
    result = project.lback("lint", "--diff-base", "main", check=False)
    assert codes_shown(result) == ["LB102"]
    assert "c3_change.py" in result.stdout
    assert result.returncode == 1


def test_diff_base_includes_uncommitted_and_untracked_revisions(project: AlembicProject) -> None:
    write_revision(project, "c3", "b2", DROP_COLUMN_BODY)
    assert codes_shown(project.lback("lint", "--diff-base", "main", check=False)) == ["LB102"]


def test_diff_base_with_nothing_changed_passes(project: AlembicProject) -> None:
    result = project.lback("lint", "--diff-base", "main")
    assert (result.returncode, result.stdout) == (0, "")


def test_diff_base_still_knows_the_unchanged_revisions(project: AlembicProject) -> None:
    write_revision(project, "c3", "b2", CLEAN_BODY)
    result = project.lback("lint", "--diff-base", "main")
    assert " LB405 " not in result.stdout


def test_an_unknown_diff_base_is_one_line_naming_the_option(project: AlembicProject) -> None:
    result = project.lback("lint", "--diff-base", "no-such-branch", check=False)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("error: --diff-base: 'no-such-branch' names no commit")


def test_a_written_baseline_makes_the_history_pass(project: AlembicProject) -> None:
    written = project.lback("lint", "--write-baseline")
    assert written.stdout.startswith("Wrote 1 finding(s) to ")
    baseline = json.loads((project.root / "lint-baseline.json").read_text())
    assert [item["code"] for item in baseline["findings"]] == ["LB101"]
    result = project.lback("lint")
    assert (result.returncode, result.stdout) == (0, "")


def test_with_a_baseline_only_new_findings_count(project: AlembicProject) -> None:
    project.lback("lint", "--write-baseline")
    write_revision(project, "c3", "b2", DROP_COLUMN_BODY)
    result = project.lback("lint", check=False)
    assert codes_shown(result) == ["LB102"]
    assert result.returncode == 1


def test_a_baselined_finding_that_moves_to_another_line_stays_accepted(
    project: AlembicProject,
) -> None:
    project.lback("lint", "--write-baseline")
    revision = project.versions / "b2_change.py"
    revision.write_text(revision.read_text().replace('"""change"""', '"""change\n\nmore\n"""'))
    assert project.lback("lint").stdout == ""


def test_a_baseline_named_on_the_command_line_that_is_not_one_is_refused(
    project: AlembicProject,
) -> None:
    (project.root / "other.json").write_text("[]")
    result = project.lback("lint", "--baseline", "other.json", check=False)
    assert result.returncode == 2
    assert result.stderr.startswith(
        "error: --baseline in other.json: other.json is not a lint baseline"
    )
