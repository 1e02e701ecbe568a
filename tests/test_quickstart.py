"""The README's first command: the quickstart runs end to end on SQLite and shows each step."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

from tests.projects import EXAMPLES

if TYPE_CHECKING:
    from pathlib import Path


def test_quickstart_runs_every_step_and_leaves_a_clean_project(tmp_path: Path) -> None:
    project = tmp_path / "blog"
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "quickstart" / "run.py"), "--keep", str(project)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for step in ("init", "makemigrations", "migrate", "history", "check", "rollback", "current"):
        assert f"$ lback-migrations {step}" in output
    assert "No new upgrade operations detected." in output
    assert "No changes in schema detected: no revision file written" in output
    assert "Running upgrade" in output
    assert "Running downgrade" in output
    revisions = list((project / "migrations" / "versions").glob("*.py"))
    assert len(revisions) == 1
    text = revisions[0].read_text()
    assert 'op.create_table(\n        "authors"' in text
    assert "LB401" not in output, "the quickstart names its constraints"
    assert "$ lback-migrations makemigrations -m 'create blog'\n" in output
    assert f"The project is kept in {project.resolve()}." in output


def test_quickstart_in_a_temporary_directory_names_no_path_it_removed() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "quickstart" / "run.py")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "lback-quickstart-" not in result.stdout.splitlines()[-2]
    assert result.stdout.endswith(
        "The project was built in a temporary directory, now removed; --keep DIRECTORY keeps it.\n"
    )


def test_quickstart_refuses_a_directory_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "something").write_text("keep me")
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "quickstart" / "run.py"), "--keep", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "is not empty" in result.stderr
    assert [path.name for path in tmp_path.iterdir()] == ["something"]
