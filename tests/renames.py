"""The ``renames`` example as the rename tests drive it: a project at its first revision with
rows in every table, its model variants, and the stock command run on a real pseudo-terminal
that answers the rename questions."""

from __future__ import annotations

import os
import pty
import select
import shutil
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from tests.databases import Database
from tests.projects import URL_ENVIRONMENT_VARIABLES, AlembicProject, command_path

QUESTION_END = "[y/N] "
COLUMN_QUESTION = "Did you rename author.name to author.full_name (VARCHAR(50))?"
TABLE_QUESTION = "Did you rename table book to publication?"
FOREIGN_KEY_QUESTION = "Did you rename review.author_id to review.reviewer_id (INTEGER)?"


@dataclass
class TerminalRun:
    """What a command run on a pseudo-terminal printed, and the questions it asked."""

    returncode: int
    transcript: str
    questions: list[str] = field(default_factory=list)


def run_on_terminal(
    project: AlembicProject,
    *args: str,
    answers: Mapping[str, str],
    program: str = "alembic",
    timeout: float = 120,
) -> TerminalRun:
    """Run ``program`` (the stock ``alembic`` by default, or ``lback-migrations``) with a
    pseudo-terminal as its stdin, stdout and stderr.

    Each question (a line ending in ``[y/N]``) is answered with the value of the first key of
    ``answers`` it contains; a question no key matches is answered with an empty line (No).
    """
    environment = {k: v for k, v in os.environ.items() if k not in URL_ENVIRONMENT_VARIABLES}
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [command_path(program), *args],
        cwd=project.root,
        env=environment,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        start_new_session=True,
    )
    os.close(secondary)
    run = TerminalRun(returncode=-1, transcript="")
    received = b""
    answered = 0
    deadline = time.monotonic() + timeout
    try:
        while True:
            if time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"{program} {' '.join(args)} timed out:\n{received.decode()}")
            ready, _, _ = select.select([primary], [], [], 0.2)
            if not ready:
                continue
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # EIO: the command ended and closed the terminal
                chunk = b""
            if not chunk:
                break
            received += chunk
            text = received.decode(errors="replace")
            while (end := text.find(QUESTION_END, answered)) != -1:
                question = text[text.rfind("\n", 0, end) + 1 : end].strip()
                run.questions.append(question)
                answer = next((a for key, a in answers.items() if key in question), "")
                os.write(primary, f"{answer}\n".encode())
                answered = end + len(QUESTION_END)
        run.returncode = process.wait(timeout=timeout)
    finally:
        os.close(primary)
        if process.poll() is None:
            process.kill()
            process.wait()
    run.transcript = received.decode(errors="replace").replace("\r\n", "\n")
    return run


def without_lint_hook(project: AlembicProject) -> None:
    """Keep the template's ``lback_format`` hook but not ``lback_lint``, which fails the command
    on any dropped column: these tests look at the revision, the lint tests at the linter."""
    text = project.ini_path.read_text()
    assert "hooks = lback_format, lback_lint\n" in text
    project.ini_path.write_text(
        text.replace("hooks = lback_format, lback_lint\n", "hooks = lback_format\n")
    )


def library_project(root: Path, database: Database, *, lint: bool = False) -> AlembicProject:
    """The ``renames`` example at its first revision, applied, with one row in each table."""
    project = AlembicProject.create(root, database, example="renames")
    if not lint:
        without_lint_hook(project)
    assert project.autogenerate("library") is not None
    project.alembic("upgrade", "head")
    with database.connect() as connection:
        connection.execute(sa.text("INSERT INTO author (id, name) VALUES (1, 'Ann Smith')"))
        connection.execute(
            sa.text("INSERT INTO book (id, title, author_id) VALUES (10, 'Tides', 1)")
        )
        connection.execute(
            sa.text(
                "INSERT INTO review (id, author_id, book_id, body) VALUES (20, 1, 10, 'Moving')"
            )
        )
    return project


def use_models(project: AlembicProject, variant: str) -> None:
    """Replace the project's models with ``app/<variant>.py`` of the example."""
    shutil.copy(project.root / "app" / f"{variant}.py", project.root / "app" / "models.py")
    shutil.rmtree(project.root / "app" / "__pycache__", ignore_errors=True)


def rows(database: Database, query: str) -> list[tuple[object, ...]]:
    with database.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(query))]


def code(source: str) -> str:
    """``source`` without whitespace and with single quotes, whatever black made of it."""
    return "".join(source.split()).replace('"', "'")
