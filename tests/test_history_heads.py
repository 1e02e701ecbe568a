"""``HEADS`` and ``rebase``: two branches that each add a revision conflict in git, not in
production, and ``lback-migrations rebase`` puts one after the other."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.databases import Database
from tests.git_repository import GitRepository
from tests.history_revisions import (
    create_table_revision,
    down_revision,
    heads_listed,
    revision_id,
)
from tests.projects import AlembicProject


def ci_checks(project: AlembicProject) -> dict[str, dict[str, Any]]:
    done = project.lback("ci", "--json", "--no-lint", check=False)
    return {check["name"]: check for check in json.loads(done.stdout)["checks"]}


def diverged_branches(
    root: Path, database: Database, **options: str
) -> tuple[AlembicProject, GitRepository, Path, Path]:
    """A project on ``main`` with one revision, and branches ``first`` and ``second`` that each
    add a revision after it; ``main`` is checked out and has ``first`` merged."""
    project = AlembicProject.create(root, database, options=options)
    create_table_revision(project, "account")
    repository = GitRepository.init(root)
    repository.commit_all("account")
    repository.git("checkout", "--quiet", "-b", "first")
    first = create_table_revision(project, "invoice")
    repository.commit_all("invoice")
    repository.git("checkout", "--quiet", "main")
    repository.git("checkout", "--quiet", "-b", "second")
    second = create_table_revision(project, "payment")
    repository.commit_all("payment")
    repository.git("checkout", "--quiet", "main")
    repository.git("merge", "--quiet", "first")
    return project, repository, first, second


def test_a_new_revision_rewrites_heads_with_its_id(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(tmp_path, sqlite_database)
    first = create_table_revision(project, "account")
    assert heads_listed(project) == [revision_id(first)]
    second = create_table_revision(project, "invoice")
    assert heads_listed(project) == [revision_id(second)]


def test_heads_lists_every_head_of_a_branched_history(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(tmp_path, sqlite_database)
    root = revision_id(create_table_revision(project, "account"))
    create_table_revision(project, "invoice", "--rev-id", "b1")
    create_table_revision(project, "payment", "--head", root, "--splice", "--rev-id", "b2")
    assert heads_listed(project) == ["b1", "b2"]


def test_merging_two_branches_that_each_add_a_revision_conflicts_on_heads(
    tmp_path: Path, database: Database
) -> None:
    project, repository, _, _ = diverged_branches(tmp_path, database)
    merged = repository.git("merge", "second", check=False)
    assert merged.returncode != 0
    assert repository.conflicted_files() == ["migrations/versions/HEADS"]
    checks = ci_checks(project)
    assert checks["heads"]["status"] == "failed"
    assert checks["heads_file"]["status"] == "failed"
    assert "conflict markers" in checks["heads_file"]["summary"]


def test_rebase_resolves_the_conflict_and_upgrade_head_works(
    tmp_path: Path, database: Database
) -> None:
    project, repository, first, second = diverged_branches(tmp_path, database)
    repository.git("merge", "second", check=False)
    done = project.lback("rebase", revision_id(second))
    assert f"now after {revision_id(first)}" in done.stdout
    assert down_revision(second) == repr(revision_id(first)).replace("'", '"')
    assert f"Revises: {revision_id(first)}\n" in second.read_text()
    assert heads_listed(project) == [revision_id(second)]
    repository.git("add", "migrations/versions/HEADS", "migrations/versions")
    repository.git("commit", "--quiet", "--no-edit")
    project.alembic("upgrade", "head")
    assert {"account", "invoice", "payment"} <= database.table_names()
    checks = ci_checks(project)
    assert checks["heads"]["status"] == "ok"
    assert checks["heads_file"]["status"] == "ok"


def test_rebase_refuses_a_revision_applied_to_the_configured_database(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project, repository, _, second = diverged_branches(tmp_path, sqlite_database)
    repository.git("checkout", "--quiet", "second")
    project.alembic("upgrade", "head")
    repository.git("checkout", "--quiet", "main")
    repository.git("merge", "second", check=False)
    before = second.read_text()
    done = project.lback("rebase", revision_id(second), check=False)
    assert done.returncode != 0
    assert (
        f"{revision_id(second)} is applied to the configured database" in done.stdout + done.stderr
    )
    assert "Traceback" not in done.stderr
    assert second.read_text() == before


def test_rebase_with_sequential_ids_renumbers_and_renames_the_moved_revision(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project, repository, first, second = diverged_branches(
        tmp_path, sqlite_database, revision_ids="sequential"
    )
    assert first.name.startswith("0002_")
    assert second.name.startswith("0002_")
    repository.git("merge", "second", check=False)
    ambiguous = project.lback("rebase", "0002", check=False)
    assert ambiguous.returncode != 0
    assert "names several revision files" in ambiguous.stdout + ambiguous.stderr
    project.lback("rebase", str(second.relative_to(tmp_path)))
    names = [path.name for path in project.revision_files()]
    assert names == ["0001_create_account.py", "0002_create_invoice.py", "0003_create_payment.py"]
    moved = project.versions / "0003_create_payment.py"
    assert revision_id(moved) == "0003"
    assert down_revision(moved) == '"0002"'
    assert heads_listed(project) == ["0003"]
    project.alembic("upgrade", "head")


def test_rebase_formats_the_moved_revision_like_the_format_hook(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project, repository, _, second = diverged_branches(tmp_path, sqlite_database)
    repository.git("merge", "second", check=False)
    unformatted = project.lback("format", "--check", str(second), check=False)
    assert unformatted.returncode == 1
    project.lback("rebase", revision_id(second))
    project.lback("format", "--check", str(second))


def test_ci_names_the_revisions_when_heads_disagrees_with_the_history(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(tmp_path, sqlite_database)
    first = revision_id(create_table_revision(project, "account"))
    second = revision_id(create_table_revision(project, "invoice"))
    (project.versions / "HEADS").write_text(f"{first}\n")
    checks = ci_checks(project)
    assert checks["heads_file"]["status"] == "failed"
    assert checks["heads_file"]["details"] == [
        f"{first}: listed in HEADS, not a head",
        f"{second}: a head, not listed in HEADS",
    ]


def test_ci_leaves_heads_alone_when_it_checks_for_drift(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(tmp_path, sqlite_database)
    first = revision_id(create_table_revision(project, "account"))
    project.lback("ci", "--no-lint", "--upgrade", check=False)
    assert heads_listed(project) == [first]


def test_ci_accepts_a_project_without_revisions_or_heads(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(tmp_path, sqlite_database)
    assert ci_checks(project)["heads_file"]["status"] == "ok"


def test_ci_names_the_heads_a_missing_heads_file_should_list(
    tmp_path: Path, sqlite_database: Database
) -> None:
    project = AlembicProject.create(tmp_path, sqlite_database)
    first = revision_id(create_table_revision(project, "account"))
    (project.versions / "HEADS").unlink()
    check = ci_checks(project)["heads_file"]
    assert check["status"] == "failed"
    assert check["summary"].endswith(f"HEADS is missing: it should list {first}")
