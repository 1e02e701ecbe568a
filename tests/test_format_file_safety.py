"""``format`` writes through symbolic and hard links, keeps the file's mode and BOM, and syncs
the new file and its directory before and after the rename."""

from __future__ import annotations

import codecs
import os
import re
import shutil
import stat
from pathlib import Path

import pytest

from tests.databases import Database
from tests.projects import AlembicProject, command_path
from tests.revision_files import UNFORMATTED

FORMATTED_LINE = 'op.create_table("first", sa.Column("id", sa.Integer(), nullable=False))'


@pytest.fixture
def project(tmp_path: Path, sqlite_database: Database) -> AlembicProject:
    return AlembicProject.create(tmp_path / "project", sqlite_database)


def test_a_symlinked_revision_has_its_target_formatted_and_stays_a_link(
    project: AlembicProject, tmp_path: Path
) -> None:
    target = tmp_path / "shared" / "first.py"
    target.parent.mkdir()
    target.write_text(UNFORMATTED.format(name="first"))
    link = project.versions / "first.py"
    link.symlink_to(target)
    project.lback("format", str(link))
    assert link.is_symlink()
    assert link.resolve() == target.resolve()
    assert FORMATTED_LINE in target.read_text()


def test_a_hard_linked_revision_stays_linked_and_both_names_read_the_new_text(
    project: AlembicProject, tmp_path: Path
) -> None:
    revision = project.versions / "first.py"
    revision.write_text(UNFORMATTED.format(name="first"))
    other = tmp_path / "other-name.py"
    os.link(revision, other)
    project.lback("format", str(revision))
    assert os.path.samefile(revision, other)
    assert revision.stat().st_nlink == 2
    assert FORMATTED_LINE in other.read_text()


def test_the_permission_bits_are_kept(project: AlembicProject) -> None:
    revision = project.versions / "first.py"
    revision.write_text(UNFORMATTED.format(name="first"))
    revision.chmod(0o640)
    project.lback("format", str(revision))
    assert FORMATTED_LINE in revision.read_text()
    assert stat.S_IMODE(revision.stat().st_mode) == 0o640


def test_a_revision_starting_with_a_bom_is_formatted_and_keeps_it(
    project: AlembicProject,
) -> None:
    revision = project.versions / "first.py"
    revision.write_bytes(codecs.BOM_UTF8 + UNFORMATTED.format(name="first").encode())
    project.lback("format", str(revision))
    content = revision.read_bytes()
    assert content.startswith(codecs.BOM_UTF8)
    assert content.count(codecs.BOM_UTF8) == 1
    assert FORMATTED_LINE in content.decode("utf-8-sig")
    project.lback("format", "--check", str(revision))


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace")
def test_the_new_file_is_synced_before_the_rename_and_the_directory_after(
    project: AlembicProject, tmp_path: Path
) -> None:
    revision = project.versions / "first.py"
    revision.write_text(UNFORMATTED.format(name="first"))
    log = tmp_path / "strace.log"
    project.run(
        "strace",
        "-f",
        "-e",
        "trace=openat,fsync,fdatasync,rename,renameat,renameat2",
        "-o",
        str(log),
        command_path("lback-migrations"),
        "format",
        str(revision),
    )
    calls = _calls_on(log.read_text(), revision)
    assert calls == ["open temporary", "fsync temporary", "rename", "open directory", "fsync dir"]


def _calls_on(log: str, revision: Path) -> list[str]:
    """The system calls on the revision's temporary file and directory, in order."""
    directory = str(revision.parent)
    descriptors: dict[str, str] = {}
    calls: list[str] = []
    for line in log.splitlines():
        opened = re.search(r'openat\(AT_FDCWD, "([^"]+)", [^)]*\) = (\d+)', line)
        if opened:
            name, descriptor = opened.groups()
            if name.startswith(f"{directory}/.{revision.name}.") and name.endswith(".tmp"):
                descriptors[descriptor] = "temporary"
                calls.append("open temporary")
            elif name == directory and "O_DIRECTORY" in line:
                descriptors[descriptor] = "dir"
                calls.append("open directory")
            continue
        synced = re.search(r"f(?:data)?sync\((\d+)\)", line)
        if synced and synced.group(1) in descriptors:
            calls.append(f"fsync {descriptors.pop(synced.group(1))}")
        elif re.search(r"rename(?:at2?)?\(.*\.tmp\", .*" + re.escape(revision.name), line):
            calls.append("rename")
    return calls


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to another user")
def test_the_owner_and_group_are_kept_where_the_process_may_set_them(
    project: AlembicProject,
) -> None:
    revision = project.versions / "first.py"
    revision.write_text(UNFORMATTED.format(name="first"))
    os.chown(revision, 4321, 4322)
    project.lback("format", str(revision))
    assert FORMATTED_LINE in revision.read_text()
    assert (revision.stat().st_uid, revision.stat().st_gid) == (4321, 4322)
