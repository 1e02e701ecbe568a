"""Deeply nested valid code is a per-file error, the same in ``--check`` and write modes, and
the file is kept as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from lback_migrations.formatting.hook import format_revision
from lback_migrations.formatting.results import FormatError
from tests.databases import Database
from tests.projects import AlembicProject

HEADER = '"""deep"""\nrevision = "deep"\ndown_revision = None\n\n'
DEEP = {
    "a 200-deep list": HEADER + "VALUE = " + "[" * 200 + "]" * 200 + "\n",
    "a sum of 20,000 terms": HEADER + "VALUE = " + " + ".join(["1"] * 20_000) + "\n",
}
NOT_SO_DEEP = HEADER + "VALUE = " + "[ " * 60 + " ]" * 60 + "\n"


@pytest.fixture
def project(tmp_path: Path, sqlite_database: Database) -> AlembicProject:
    return AlembicProject.create(tmp_path / "project", sqlite_database)


@pytest.mark.parametrize("shape", DEEP)
@pytest.mark.parametrize("mode", [["--check"], [], ["--diff"]], ids=["check", "write", "diff"])
def test_deeply_nested_code_is_an_error_in_every_mode_and_the_file_is_kept(
    project: AlembicProject, shape: str, mode: list[str]
) -> None:
    revision = project.versions / "deep.py"
    revision.write_text(DEEP[shape])
    done = project.lback("format", *mode, str(revision), check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "nests more than 100 levels deep" in done.stderr
    assert revision.read_text() == DEEP[shape]


@pytest.mark.parametrize("shape", DEEP)
def test_the_hook_reports_deeply_nested_code_and_keeps_the_file(tmp_path: Path, shape: str) -> None:
    revision = tmp_path / "deep.py"
    revision.write_text(DEEP[shape])
    with pytest.raises(FormatError, match="nests more than 100 levels deep"):
        format_revision(str(revision), {})
    assert revision.read_text() == DEEP[shape]


def test_nesting_below_the_limit_is_formatted(project: AlembicProject) -> None:
    revision = project.versions / "deep.py"
    revision.write_text(NOT_SO_DEEP)
    project.lback("format", str(revision))
    assert revision.read_text() != NOT_SO_DEEP
    project.lback("format", "--check", str(revision))
