"""``kill -9`` of a ``format`` or ``lint`` run leaves no worker running or writing, and every
file old or new, never partial."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.databases import Database
from tests.projects import AlembicProject, command_path
from tests.revision_files import UNFORMATTED

FILES = 240


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # the command name, in parentheses, may hold spaces: the fields after it are fixed
        parent = int(stat.rpartition(")")[2].split()[1])
        if parent == pid:
            found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def project(tmp_path: Path, sqlite_database: Database) -> AlembicProject:
    created = AlembicProject.create(tmp_path / "project", sqlite_database)
    for number in range(FILES):
        name = f"rev{number:04d}"
        (created.versions / f"{name}.py").write_text(UNFORMATTED.format(name=name))
    return created


def start_and_kill(project: AlembicProject, *command: str) -> list[int]:
    """Start ``lback-migrations COMMAND``, wait for its pool, ``kill -9`` it; its workers."""
    process = subprocess.Popen(
        [command_path("lback-migrations"), *command],
        cwd=project.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2:
        time.sleep(0.05)
        workers = children_of(process.pid)
    assert len(workers) >= 2, "the run never started its pool"
    time.sleep(0.5)  # let the workers get going
    process.send_signal(signal.SIGKILL)
    process.wait()
    return workers


def wait_gone(pids: list[int], seconds: float = 5) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(pid) for pid in pids):
        time.sleep(0.05)
    return [pid for pid in pids if alive(pid)]


def test_killing_format_kills_its_workers_and_nothing_is_written_after(
    project: AlembicProject, tmp_path: Path
) -> None:
    reference = tmp_path / "reference"
    reference.mkdir()
    (reference / "rev0000.py").write_text(UNFORMATTED.format(name="rev0000"))
    project.lback("format", str(reference))
    formatted = (reference / "rev0000.py").read_text()
    shutil.rmtree(project.root / ".lback-cache")

    workers = start_and_kill(project, "format")
    assert wait_gone(workers) == []
    after_kill = {path: path.read_text() for path in project.revision_files()}
    time.sleep(2)
    assert {path: path.read_text() for path in project.revision_files()} == after_kill
    old = [path for path, text in after_kill.items() if text == UNFORMATTED.format(name=path.stem)]
    new = [
        path for path, text in after_kill.items() if text == formatted.replace("rev0000", path.stem)
    ]
    assert len(old) + len(new) == FILES
    assert old, "the run finished before the kill: nothing was tested"
    assert not (project.root / ".lback-cache" / "format.json").exists()


def test_killing_lint_kills_its_workers(project: AlembicProject) -> None:
    workers = start_and_kill(project, "lint", "--no-cache")
    assert wait_gone(workers) == []
