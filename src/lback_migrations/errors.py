"""Errors raised by lback-migrations.

Every error is an :class:`alembic.util.CommandError`, so the stock ``alembic`` command prints it
as one ``FAILED:`` line and exits non-zero. Each carries the data a caller needs to act on it.

One process is the exception: ``lback-migrations lint`` and ``format`` run without Alembic
when they can (importing it costs forty times an interpreter's start-up), and the launcher
declares so (:func:`lback_migrations.standalone.run_without_alembic`) before it imports this
module. There :class:`LbackError` derives from :class:`Exception` alone; that process runs no
Alembic command, and its launcher reports these errors itself. The base is chosen once, when
this module is imported, and never changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .standalone import runs_without_alembic

if TYPE_CHECKING:
    from alembic.util import CommandError as _Base
elif runs_without_alembic():
    _Base = Exception
else:
    from alembic.util import CommandError as _Base


class LbackError(_Base):
    """Base class of every error raised by lback-migrations."""


class ConfigurationError(LbackError):
    """A configuration value is missing, unknown or invalid.

    :param key: the configuration key to fix, as the user writes it (``lback.schemas``).
    :param source: the file the key was read from, or ``None`` when it came from code.
    :param problem: what is wrong, in one sentence.
    :param fix: what to change, in one sentence.
    """

    def __init__(self, key: str, problem: str, fix: str, source: str | None = None) -> None:
        self.key = key
        self.source = source
        self.problem = problem
        self.fix = fix
        where = f" in {source}" if source else ""
        super().__init__(f"{key}{where}: {problem}; {fix}")


class DuplicateTableError(LbackError):
    """Two target MetaData objects define the same table.

    :param table: the schema-qualified table key.
    :param first: where the first definition came from (an import path).
    :param second: where the second definition came from.
    """

    def __init__(self, table: str, first: str, second: str, key: str) -> None:
        self.table = table
        self.first = first
        self.second = second
        self.key = key
        super().__init__(
            f"{key}: table {table!r} is defined by both {first} and {second}; "
            "keep it in one MetaData or remove one of them from the list"
        )


class DatabaseConnectionError(LbackError):
    """The database of the run cannot be reached.

    :param backend: the backend name of the URL (``postgresql``, ``mysql``, ``sqlite``).
    :param host: the host connected to, ``None`` for a file or socket database.
    :param port: the port, ``None`` when the URL names none.
    :param database: the database name (the file, for SQLite).
    :param reason: the driver's message in one line, password masked.
    """

    def __init__(
        self,
        backend: str,
        host: str | None,
        port: int | None,
        database: str | None,
        reason: str,
    ) -> None:
        self.backend = backend
        self.host = host
        self.port = port
        self.database = database
        self.reason = reason
        where = f"{host}:{port}" if host and port else host or ""
        target = f"{where}/{database}" if where else database or "(no database named)"
        super().__init__(
            f"cannot connect to the {backend} database {target}: {reason}; check that the "
            "server runs and that sqlalchemy.url (or its environment variable) names it"
        )


class ModelImportError(LbackError):
    """Importing the module named by ``lback.target_metadata`` raised an ImportError inside the
    user's code: a missing module a few imports deep, a name a module does not define.

    :param path: the user's file holding the failing import.
    :param line: its line number.
    :param module: the module ``lback.target_metadata`` names.
    :param problem: the ImportError's message, in one line.
    :param key: the configuration key naming ``module``.
    :param source: the file ``key`` came from.
    """

    def __init__(
        self,
        path: str,
        line: int | None,
        module: str,
        problem: str,
        key: str,
        source: str | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.module = module
        self.problem = problem
        self.key = key
        self.source = source
        where = f" in {source}" if source else ""
        super().__init__(
            f"{path}, line {line}: {problem} (while importing {module!r}, named by "
            f"{key}{where}); fix that import or install the module it needs"
        )


class LintRuleError(LbackError):
    """An installed package's lint rule (entry-point group ``lback_migrations.lint_rules``)
    cannot be used.

    :param name: the entry point's name.
    :param value: what it points at (``package.module:Rule``).
    :param problem: what is wrong, in one sentence.
    """

    def __init__(self, name: str, value: str, problem: str) -> None:
        self.name = name
        self.value = value
        self.problem = problem
        super().__init__(
            f"lint rule entry point {name} = {value} (group lback_migrations.lint_rules): "
            f"{problem}; fix or uninstall the package that declares it"
        )
