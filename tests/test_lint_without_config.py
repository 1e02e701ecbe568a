"""``lback-migrations lint PATHS`` needs no Alembic configuration: a history copied elsewhere
for review, a vendored one, a repository whose ``alembic.ini`` is in a subfolder (as
pre-commit runs the hooks of ``.pre-commit-hooks.yaml``, from the repository root)."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml

from tests.databases import Database
from tests.projects import BIN, REPOSITORY, AlembicProject, command_path
from tests.revision_files import CLEAN_BODY, DROP_BODY, write_revision

UNFORMATTED_BODY = """
    def upgrade() -> None:
        op.add_column('account', sa.Column('nickname', sa.String(50), nullable=True))


    def downgrade() -> None:
        op.drop_column('account',   'nickname')
"""


def lback(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "ALEMBIC_CONFIG"}
    return subprocess.run(
        [command_path("lback-migrations"), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def copied_history(tmp_path: Path, sqlite_database: Database) -> Path:
    """The versions directory of a project, copied to a directory with no alembic.ini above."""
    project = AlembicProject.create(tmp_path / "project", sqlite_database)
    write_revision(project, "a1", None, CLEAN_BODY)
    write_revision(project, "b2", "a1", DROP_BODY)
    review = tmp_path / "review"
    shutil.copytree(project.versions, review / "versions")
    return review


def test_lint_of_named_files_works_without_any_alembic_config(copied_history: Path) -> None:
    result = lback(copied_history, "lint", "versions")
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("versions/b2_change.py:9:5: LB101 op.drop_table('legacy')")
    assert "alembic.ini" not in result.stdout + result.stderr


def test_lint_without_config_reads_options_from_the_nearest_pyproject(
    copied_history: Path,
) -> None:
    (copied_history / "pyproject.toml").write_text(
        '[tool.lback-migrations.lint]\nignore = ["LB101"]\n'
    )
    result = lback(copied_history / "versions", "lint", ".")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "LB101" not in result.stdout


def test_lint_without_paths_and_without_config_exits_two_saying_what_to_pass(
    tmp_path: Path,
) -> None:
    result = lback(tmp_path, "lint")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: script_location: no Alembic environment is configured (no alembic.ini found); "
        "run from the directory holding alembic.ini, pass -c/--config, or name the files\n"
    )


# -- the hooks of .pre-commit-hooks.yaml, run by pre-commit ------------------------------------


def _local_hooks(versions: str) -> str:
    """A ``.pre-commit-config.yaml`` running this checkout's hooks as ``repo: local`` hooks:
    each entry, name and file types as ``.pre-commit-hooks.yaml`` declares them, the command
    taken from the environment running the tests (no download), narrowed to ``versions``."""
    declared = yaml.safe_load((REPOSITORY / ".pre-commit-hooks.yaml").read_text())
    hooks = [
        {**hook, "language": "system", "files": f"^{versions}/"}
        for hook in declared
        if hook["id"] in ("lback-format", "lback-lint")
    ]
    assert len(hooks) == 2
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]})


def _git(repository: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", *args],
        cwd=repository,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repository(tmp_path: Path, sqlite_database: Database) -> Path:
    """A git repository whose Alembic project lives in ``service/``, with pre-commit set up."""
    root = tmp_path / "repository"
    project = AlembicProject.create(root / "service", sqlite_database)
    write_revision(project, "a1", None, CLEAN_BODY)
    versions = project.versions.relative_to(root).as_posix()
    (root / ".pre-commit-config.yaml").write_text(_local_hooks(versions))
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "service")
    return root


def pre_commit(repository: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "ALEMBIC_CONFIG"}
    environment["PATH"] = f"{BIN}{os.pathsep}{environment.get('PATH', '')}"
    environment["PRE_COMMIT_HOME"] = str(repository.parent / "pre-commit-home")
    return subprocess.run(
        [str(BIN / "pre-commit"), *args],
        cwd=repository,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def _staged(repository: Path, revision: str, down_revision: str, body: str) -> None:
    path = repository / "service" / "migrations" / "versions" / f"{revision}_change.py"
    path.write_text(
        f'"""change"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
        f'revision = "{revision}"\ndown_revision = "{down_revision}"\n\n'
        + textwrap.dedent(body).lstrip("\n")
    )
    _git(repository, "add", "-A")


def test_pre_commit_lint_hook_fails_on_an_error_in_a_staged_revision(repository: Path) -> None:
    _staged(repository, "b2", "a1", DROP_BODY)
    result = pre_commit(repository, "run", "lback-lint")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "service/migrations/versions/b2_change.py:9:5: LB101" in result.stdout
    assert "No config file" not in result.stdout


def test_pre_commit_lint_hook_passes_a_clean_staged_revision(repository: Path) -> None:
    _staged(repository, "b2", "a1", CLEAN_BODY.replace("nickname", "motto"))
    result = pre_commit(repository, "run", "lback-lint")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_pre_commit_format_hook_reformats_a_staged_revision(repository: Path) -> None:
    _staged(repository, "b2", "a1", UNFORMATTED_BODY)
    result = pre_commit(repository, "run", "lback-format")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "files were modified by this hook" in result.stdout
    revision = repository / "service" / "migrations" / "versions" / "b2_change.py"
    assert 'op.drop_column("account", "nickname")' in revision.read_text()
