"""Fixtures shared by the whole suite: databases on every backend, and a clean module table
after in-process runs."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import BACKENDS, Database, fresh_database
from tests.migration_commands import forget_app_modules


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the ``slow`` tests first: the workers share them out and the quick tests fill in around
    them, instead of one worker finishing a slow test alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


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


@pytest.fixture
def forget_project_modules() -> Iterator[None]:
    """In-process runs import each project's ``app`` package: forget it, and restore
    ``sys.path``, after the test (modules use it with ``pytest.mark.usefixtures``)."""
    path = list(sys.path)
    yield
    sys.path[:] = path
    forget_app_modules()
