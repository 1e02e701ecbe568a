"""A broken alembic.ini or pyproject.toml is one line naming the file, the line and the fix,
and exit code 2, from every command of ``lback-migrations``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.databases import Database
from tests.projects import AlembicProject

COMMANDS = [
    ["format"],
    ["lint"],
    ["makemigrations", "-m", "change"],
    ["migrate"],
    ["ci"],
    ["upgrade", "head"],
    ["history"],
]
COMMAND_IDS = [command[0] for command in COMMANDS]


@pytest.fixture
def project(tmp_path: Path, sqlite_database: Database) -> AlembicProject:
    return AlembicProject.create(tmp_path / "project", sqlite_database)


def assert_one_line(done: object, *expected: str) -> None:
    stderr: str = done.stderr  # type: ignore[attr-defined]
    assert done.returncode == 2, stderr  # type: ignore[attr-defined]
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    for text in expected:
        assert text in lines[0]


@pytest.mark.parametrize("command", COMMANDS, ids=COMMAND_IDS)
def test_invalid_toml_in_pyproject_names_the_file_and_line(
    project: AlembicProject, command: list[str]
) -> None:
    (project.root / "pyproject.toml").write_text('[tool.lback-migrations]\nschemas = ["a",\nb=\n')
    done = project.lback(*command, check=False)
    assert_one_line(done, "pyproject.toml", "line 3", "fix the TOML syntax")


BROKEN_INI = {
    # name: (what replaces the [alembic] header, problem named, line of the error after it)
    "a section header missing its ]": ("[alembic\n", "']' missing", 0),
    "a line without =": ("[alembic]\njust some words\n", "key = value", 1),
    "a key set twice": ("[alembic]\nscript_location = elsewhere\n", "set a second time", None),
}


@pytest.mark.parametrize("command", COMMANDS, ids=COMMAND_IDS)
@pytest.mark.parametrize("broken", BROKEN_INI)
def test_a_broken_alembic_ini_names_the_file_and_line(
    project: AlembicProject, command: list[str], broken: str
) -> None:
    replacement, problem, offset = BROKEN_INI[broken]
    text = project.ini_path.read_text()
    header_line = text[: text.index("[alembic]\n")].count("\n") + 1
    project.ini_path.write_text(text.replace("[alembic]\n", replacement, 1))
    done = project.lback(*command, check=False)
    assert_one_line(done, "alembic.ini", problem, "line ")
    if offset is not None:
        assert f"line {header_line + offset} " in done.stderr


def test_an_ini_line_is_never_quoted_in_the_error(project: AlembicProject) -> None:
    text = project.ini_path.read_text()
    project.ini_path.write_text(
        text.replace("[alembic]\n", "[alembic]\nconnect as app with Very-s3cret\n")
    )
    done = project.lback("migrate", check=False)
    assert_one_line(done, "alembic.ini")
    assert "Very-s3cret" not in done.stderr
