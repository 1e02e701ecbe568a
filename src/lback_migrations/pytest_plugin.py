"""The pytest plugin of lback-migrations (entry point ``pytest11``), loaded whenever it is
installed: fixtures for a project's migrations, and ready-made tests a project turns on.

Fixtures (read the Alembic configuration named by the ``lback_migrations_config`` ini option,
default ``alembic.ini`` in the root directory):

``lback_alembic_config``
    the :class:`~alembic.config.Config`;
``lback_shadow_url``
    a new shadow database on the server of the configured URL (a temporary file for SQLite),
    dropped after the test; ``LBACK_VERIFY_SHADOW_URL`` names an empty one to use instead;
``lback_verify_report``
    the :class:`~lback_migrations.verify.report.VerifyReport` of ``verify`` over the whole
    history, run once per session.

The ready-made tests (:mod:`lback_migrations.pytest_tests`) are collected when the root
``conftest.py`` says ``pytest_plugins = ["lback_migrations.pytest_tests"]``, or the ini file
(``[tool.pytest.ini_options]`` in ``pyproject.toml``) says ``lback_migrations_tests = true``.

Importing this module imports neither Alembic nor SQLAlchemy: every pytest run pays for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from alembic.config import Config

    from .verify.report import VerifyReport

TESTS_MODULE = "lback_migrations.pytest_tests"
"""The module of the ready-made tests, also the plugin name that turns them on."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """The ini options ``lback_migrations_config`` and ``lback_migrations_tests``."""
    parser.addini(
        "lback_migrations_config",
        "the Alembic ini file of the project's migrations (lback-migrations)",
        default="alembic.ini",
    )
    parser.addini(
        "lback_migrations_tests",
        "collect lback-migrations' ready-made migration tests",
        type="bool",
        default=False,
    )


class _ReadyMadeTests(pytest.Module):
    """The ready-made tests, collected from the installed module rather than a file of the
    project."""

    def _getobj(self) -> ModuleType:
        from importlib import import_module

        return import_module(TESTS_MODULE)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Add the ready-made tests when the project turned them on (before ``-k`` and marks
    choose among the items)."""
    if not (
        config.pluginmanager.has_plugin(TESTS_MODULE) or config.getini("lback_migrations_tests")
    ):
        return
    from importlib import import_module

    path = Path(str(import_module(TESTS_MODULE).__file__))
    module = _ReadyMadeTests.from_parent(session, path=path, nodeid="lback-migrations")
    items.extend(item for item in module.collect() if isinstance(item, pytest.Item))


@pytest.fixture(scope="session")
def lback_alembic_config(pytestconfig: pytest.Config) -> Config:
    """The Alembic configuration of the project (``lback_migrations_config``)."""
    from alembic.config import Config

    path = Path(pytestconfig.rootpath) / str(pytestconfig.getini("lback_migrations_config"))
    if not path.is_file():
        raise pytest.UsageError(
            f"lback_migrations_config: {path} does not exist; set the option to the project's "
            "alembic.ini"
        )
    return Config(str(path))


@pytest.fixture
def lback_shadow_url(lback_alembic_config: Config) -> Iterator[Any]:
    """A new shadow database for one test: its SQLAlchemy URL. Dropped after the test."""
    import os

    from .verify.shadow import parse_shadow_url, shadow_database
    from .verify.stairway import SHADOW_URL_VARIABLE, configured_url

    given = parse_shadow_url(os.environ.get(SHADOW_URL_VARIABLE))
    with shadow_database(configured_url(lback_alembic_config), given) as url:
        yield url


@pytest.fixture(scope="session")
def lback_verify_report(lback_alembic_config: Config) -> VerifyReport:
    """``verify`` over the whole history on a shadow database, once per session."""
    from .verify.stairway import VerifyOptions, verify

    return verify(lback_alembic_config, VerifyOptions())
