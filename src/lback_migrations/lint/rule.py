"""A lint rule: one small class with a code, a name, a severity, a message and examples.

Subclass :class:`Rule` in a module of :mod:`lback_migrations.lint.rules` (one rule per module).
The docstring explains why the rule exists and what to do instead; it becomes the rule's entry
in the documentation. ``VALID`` and ``INVALID`` are revision snippets that the test suite runs
through the linter: a valid example must produce no finding of the rule, an invalid one at least
one.

The engine parses each file once with Python's own :mod:`ast` (the nodes a rule sees are
``ast`` nodes: an operation's ``call`` is an :class:`ast.Call`), walks it once and calls the
hooks a rule overrides:

- :meth:`Rule.visit_operation` for each ``op.<name>(...)`` call (or call on the batch operations
  object of ``op.batch_alter_table``) whose name is in :attr:`Rule.operations`;
- :meth:`Rule.visit_statement` for each statement of the literal SQL of an ``op.execute``
  call (:mod:`lback_migrations.lint.sql`); the operations such a statement amounts to also
  reach :meth:`Rule.visit_operation`, as if written in Python;
- :meth:`Rule.visit_import` for each ``import`` statement, at module level or in any
  function;
- :meth:`Rule.leave_function` after the body of ``upgrade()`` and of ``downgrade()``;
- :meth:`Rule.visit_comment` for each comment on a line of its own, once the code is walked;
- :meth:`Rule.leave_module` once the whole file is read, comments included.

Rules that need to know more than the file itself (its name, the other revisions beside it)
override :meth:`Rule.check_revision` instead; it runs on the facts the engine extracted, so it
costs nothing on a cached file. Every hook reports the same way, through :meth:`Rule.report`;
what the engine keeps of it is a :class:`RuleReport`.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from .findings import Severity
from .syntax import keyword, positional, string_value

if TYPE_CHECKING:
    from .dependants import EntityDependants
    from .sql import SqlStatement

UPGRADE = "upgrade"
DOWNGRADE = "downgrade"
DEFAULT_FILE_TEMPLATE = "%(rev)s_%(slug)s"
EXAMPLE_FILE_NAME = "ae1027a6acf_example.py"
"""The file name an :class:`Example` is linted under unless it names another."""


@dataclass(frozen=True)
class LintContext:
    """What a rule may ask about the target of the migration.

    :param dialect: the target database's backend name (``postgresql``, ``sqlite``, ``mysql``),
        or ``None`` when unknown; rules tied to a dialect then stay silent.
    :param naming_convention: the project's MetaData has a naming convention, so constraints
        left unnamed in a revision are named by it.
    :param server_version: the target server's release, as ``(major, minor, ...)``, or
        ``None`` when unknown; a rule that depends on it says so in its documentation.
    :param lock_timeout: the environment sets a lock timeout for every migration
        (``lback.lock_timeout``).
    :param dependants: what depends on each view, materialized view and function, read from
        the database or the declared entities (:mod:`lback_migrations.lint.dependants`), or
        ``None`` when neither is known.
    """

    dialect: str | None = None
    naming_convention: bool = False
    server_version: tuple[int, ...] | None = None
    lock_timeout: bool = False
    dependants: tuple[EntityDependants, ...] | None = None

    def server_at_least(self, *release: int) -> bool:
        """Whether the target server is ``release`` or later (``False`` when unknown)."""
        return self.server_version is not None and self.server_version >= release


@dataclass(frozen=True)
class RevisionContext:
    """Where a revision file lives: what :meth:`Rule.check_revision` compares it with.

    :param file_name: the file's name (``ae1027a6acf_add_account.py``).
    :param file_template: Alembic's ``file_template`` for the environment.
    :param known_revisions: the revision ids of the files beside it, or ``None`` when unknown.
    """

    file_name: str
    file_template: str = DEFAULT_FILE_TEMPLATE
    known_revisions: frozenset[str] | None = None


@dataclass(frozen=True)
class Assignment:
    """A module-level ``name = <literal>`` the engine extracted, with its place."""

    values: tuple[str, ...]
    line: int
    column: int = 1


@dataclass(frozen=True)
class RevisionFacts:
    """What the engine learnt about a revision file from its identifiers.

    :param revision: ``revision = '...'``, when written as a string literal.
    :param down_revision: ``down_revision``'s ids (empty for the first revision).
    """

    revision: Assignment | None = None
    down_revision: Assignment | None = None


@dataclass(frozen=True)
class Operation:
    """One ``op.<name>(...)`` call, as a rule sees it.

    :param name: the operation (``add_column``).
    :param call: the call node.
    :param function: ``"upgrade"``, ``"downgrade"`` or ``None`` outside both.
    :param batch_table: the table of the enclosing ``op.batch_alter_table`` when the call is on
        its batch operations object, else ``None``.
    :param autocommit: the call is inside ``with op.get_context().autocommit_block():``.
    :param new_tables: the tables ``op.create_table`` created earlier in the same function.
    :param sql: the SQL statement the operation was read from, when it was written as
        ``op.execute("...")``; its ``call`` then is the equivalent Python call, placed at the
        ``op.execute`` call.
    """

    name: str
    call: ast.Call
    function: str | None
    batch_table: str | None = None
    autocommit: bool = False
    new_tables: frozenset[str] = frozenset()
    sql: str | None = None

    @property
    def in_batch(self) -> bool:
        """Whether the call is made on a batch operations object."""
        return self.batch_table is not None

    def argument(self, parameter: str) -> ast.expr | None:
        """Return the argument for ``parameter`` of ``op.<name>``, positional or keyword.

        Parameters are named as in Alembic's ``Operations`` (``table_name``, ``column``,
        ``column_name``, ``constraint_name``...). On a batch operations object the table
        parameter is implied and the other positions shift accordingly.
        """
        value = keyword(self.call, parameter)
        if value is not None:
            return value
        signature = _SIGNATURES.get(self.name, ())
        if self.in_batch:
            signature = tuple(name for name in signature if name not in _TABLE_PARAMETERS)
        if parameter not in signature:
            return None
        arguments = positional(self.call)
        index = signature.index(parameter)
        return arguments[index] if index < len(arguments) else None

    @property
    def on_existing_table(self) -> bool:
        """Whether the table already existed before this function (it may hold rows)."""
        return self.table not in self.new_tables

    @property
    def table(self) -> str | None:
        """The table the operation acts on, when written as a literal."""
        if self.batch_table is not None:
            return self.batch_table or None
        for parameter in _TABLE_PARAMETERS:
            value = string_value(self.argument(parameter))
            if value is not None:
                return value
        return None


_TABLE_PARAMETERS = ("table_name", "source_table")
_SIGNATURES: dict[str, tuple[str, ...]] = {
    "add_column": ("table_name", "column"),
    "alter_column": ("table_name", "column_name"),
    "batch_alter_table": ("table_name",),
    "create_check_constraint": ("constraint_name", "table_name", "condition"),
    "create_foreign_key": (
        "constraint_name",
        "source_table",
        "referent_table",
        "local_cols",
        "remote_cols",
    ),
    "create_index": ("index_name", "table_name", "columns"),
    "create_primary_key": ("constraint_name", "table_name", "columns"),
    "create_table": ("table_name",),
    "create_unique_constraint": ("constraint_name", "table_name", "columns"),
    "drop_column": ("table_name", "column_name"),
    "drop_constraint": ("constraint_name", "table_name", "type_"),
    "drop_index": ("index_name", "table_name"),
    "drop_table": ("table_name",),
    "execute": ("sqltext",),
    "rename_table": ("old_table_name", "new_table_name"),
}


@dataclass(frozen=True)
class MigrationFunction:
    """``upgrade()`` or ``downgrade()`` as a whole, given to :meth:`Rule.leave_function`.

    :param name: ``"upgrade"`` or ``"downgrade"``.
    :param node: the function definition.
    :param empty: the body holds nothing but a docstring, ``pass``, ``...`` or comments.
    :param raises: the body raises at its top level (``raise NotImplementedError``).
    """

    name: str
    node: ast.FunctionDef | ast.AsyncFunctionDef
    empty: bool
    raises: bool


@dataclass(frozen=True)
class SourceComment:
    """A comment on a line of its own, as given to :meth:`Rule.visit_comment`."""

    text: str
    line: int
    column: int


@dataclass(frozen=True)
class Example:
    """A revision snippet run through the linter by the test suite.

    :param code: the snippet; it is dedented.
    :param dialect: the target dialect the snippet is linted for.
    :param naming_convention: lint as if the MetaData had a naming convention.
    :param file_name: the file name, for rules that read it.
    :param siblings: revision ids of the files beside it, for rules that read them.
    :param server_version: the target server's release the snippet is linted for.
    :param dependants: what depends on what in the target database.
    """

    code: str
    dialect: str | None = None
    naming_convention: bool = False
    file_name: str = EXAMPLE_FILE_NAME
    siblings: tuple[str, ...] | None = None
    server_version: tuple[int, ...] | None = None
    dependants: tuple[EntityDependants, ...] | None = None

    @property
    def source(self) -> str:
        """The dedented snippet."""
        return textwrap.dedent(self.code).lstrip("\n")

    @property
    def context(self) -> LintContext:
        """The lint context the snippet is meant for."""
        return LintContext(
            dialect=self.dialect,
            naming_convention=self.naming_convention,
            server_version=self.server_version,
            dependants=self.dependants,
        )

    @property
    def revision_context(self) -> RevisionContext:
        """The revision context the snippet is meant for."""
        known = frozenset(self.siblings) if self.siblings is not None else None
        return RevisionContext(file_name=self.file_name, known_revisions=known)


@dataclass(frozen=True)
class Valid(Example):
    """A snippet the rule must accept."""


@dataclass(frozen=True)
class Invalid(Example):
    """A snippet the rule must report, at ``line`` when given.

    :param line: the line of the first finding of the rule.
    """

    line: int | None = None


@dataclass(frozen=True)
class RuleReport:
    """What a rule reported about a file's text, before suppression comments and severities.

    :param code: the rule's code.
    :param line: 1-based line.
    :param column: 1-based column, in characters.
    :param message: the rule's message, filled.
    :param first_line: the first line of the statement reported (a suppression comment at the
        end of it covers the report).
    :param last_line: its last line.
    """

    code: str
    line: int
    column: int
    message: str
    first_line: int
    last_line: int


Reporter = Callable[["Rule", "ast.AST | tuple[int, int]", str], None]
"""How a rule hands a report to the engine: the node (or ``(line, column)``) and message."""
Report = Reporter
"""The former name of :data:`Reporter`, which rules of other packages may still use."""


class Rule:
    """Base class of the lint rules. Subclasses set the class variables and override hooks.

    The engine makes one instance per file; a rule that keeps state across hooks sets it up
    in ``__init__`` after calling ``super().__init__(context, reporter)``.

    :param context: the target dialect and naming-convention facts.
    :param reporter: the engine's callback; use :meth:`report`.
    """

    code: ClassVar[str]
    """``LB`` and three digits; the first digit is the family (1 data, 2 locks, 3 renames,
    4 hygiene, 9 the linter itself)."""
    name: ClassVar[str]
    """kebab-case name."""
    severity: ClassVar[Severity]
    message: ClassVar[str]
    """What is wrong and what to do instead; ``{placeholders}`` are filled by the rule."""
    operations: ClassVar[frozenset[str]] = frozenset()
    """The ``op.<name>`` calls :meth:`visit_operation` receives."""
    dialects: ClassVar[frozenset[str]] = frozenset()
    """The dialects the rule applies to; empty means every dialect."""
    default: ClassVar[bool] = True
    """Whether the rule runs unless ignored; ``False``: only when ``select`` names its code."""
    VALID: ClassVar[Sequence[Valid]] = ()
    INVALID: ClassVar[Sequence[Invalid]] = ()

    def __init__(self, context: LintContext, reporter: Reporter) -> None:
        self.context = context
        self.reporter = reporter

    def report(self, where: ast.AST | tuple[int, int], **values: object) -> None:
        """Report a finding at a node (or a ``(line, column)``), filling :attr:`message`."""
        self.reporter(self, where, self.message.format(**values))

    def visit_operation(self, operation: Operation) -> None:
        """Called for each operation named in :attr:`operations`."""

    def visit_statement(self, statement: SqlStatement, execute: Operation) -> None:
        """Called for each statement of the literal SQL of ``execute``, an ``op.execute``."""

    def visit_import(self, statement: ast.Import | ast.ImportFrom) -> None:
        """Called for each ``import`` statement."""

    def visit_comment(self, comment: SourceComment) -> None:
        """Called for each comment on a line of its own."""

    def leave_function(self, function: MigrationFunction) -> None:
        """Called after the body of ``upgrade()`` and of ``downgrade()``."""

    def leave_module(self, functions: dict[str, MigrationFunction]) -> None:
        """Called at the end of the file with the migration functions it defines."""

    def check_revision(self, facts: RevisionFacts, revision: RevisionContext) -> None:
        """Called with what the engine learnt of the file and where it lives; report problems
        between the two at a ``(line, column)``."""

    @classmethod
    def applies_to(cls, dialect: str | None) -> bool:
        """Whether the rule runs for a target ``dialect`` (``None``: unknown)."""
        return not cls.dialects or dialect in cls.dialects

    @classmethod
    def documentation(cls) -> str:
        """The rule's docstring, dedented."""
        return inspect.cleandoc(cls.__doc__ or "")
