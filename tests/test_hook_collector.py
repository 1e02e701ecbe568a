"""The post-write hooks pause Python's cyclic garbage collector while they run (in
``alembic revision`` every full collection walks Alembic's, SQLAlchemy's and the models'
objects again) and leave it as they found it, whether the hook succeeds or fails."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from lback_migrations.write_hooks import run_format_hook, run_lint_hook

Hook = Callable[[str, str, Mapping[str, str]], None]
HOOKS = {"lback_format": run_format_hook, "lback_lint": run_lint_hook}

REVISION = '''"""add a table"""
import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = None


def upgrade() -> None:
    op.create_table("item", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("item")
'''


@pytest.fixture
def revision(tmp_path: Path) -> Path:
    written = tmp_path / "a1_add_a_table.py"
    written.write_text(REVISION)
    return written


@pytest.fixture
def collector_enabled() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


@pytest.fixture
def collector_disabled() -> Iterator[None]:
    gc.disable()
    yield
    gc.enable()


@pytest.mark.parametrize("hook_type", HOOKS)
@pytest.mark.usefixtures("collector_enabled")
def test_a_hook_leaves_the_collector_enabled(revision: Path, hook_type: str) -> None:
    HOOKS[hook_type](hook_type, str(revision), {})
    assert gc.isenabled()


@pytest.mark.parametrize("hook_type", HOOKS)
@pytest.mark.usefixtures("collector_enabled")
def test_a_failing_hook_leaves_the_collector_enabled(revision: Path, hook_type: str) -> None:
    revision.write_text(REVISION.replace("def downgrade() -> None:", "def downgrade( -> None:"))
    with pytest.raises(Exception, match=r"a1_add_a_table\.py"):
        HOOKS[hook_type](hook_type, str(revision), {})
    assert gc.isenabled()


@pytest.mark.parametrize("hook_type", HOOKS)
@pytest.mark.usefixtures("collector_disabled")
def test_a_hook_leaves_a_disabled_collector_disabled(revision: Path, hook_type: str) -> None:
    HOOKS[hook_type](hook_type, str(revision), {})
    assert not gc.isenabled()
