"""Fixtures shared by the whole suite: databases on every backend and copied example projects."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import BACKENDS, Database, fresh_database


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A new, empty database, once per backend: SQLite, PostgreSQL and MariaDB."""
    with fresh_database(request.param, tmp_path) as created:
        yield created


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    """A new, empty SQLite database."""
    with fresh_database("sqlite", tmp_path) as created:
        yield created


@pytest.fixture
def postgresql_database(tmp_path: Path) -> Iterator[Database]:
    """A new, empty PostgreSQL database."""
    with fresh_database("postgresql", tmp_path) as created:
        yield created


@pytest.fixture
def mariadb_database(tmp_path: Path) -> Iterator[Database]:
    """A new, empty MariaDB database."""
    with fresh_database("mariadb", tmp_path) as created:
        yield created
