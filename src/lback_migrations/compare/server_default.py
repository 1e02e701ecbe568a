"""Server default comparison that normalises both sides before comparing.

A database hands back a default in its own spelling: PostgreSQL adds casts
(``'x'::character varying``), MariaDB and SQLite wrap expressions in parentheses, MariaDB
stores ``true`` as ``1`` and ``0`` as ``0.00`` in a ``DECIMAL(10, 2)``, every backend spells
``now()`` its own way. Stock Alembic compares the spellings and reports identical defaults as
changed. Here both sides are reduced to a :class:`NormalisedDefault` (a kind and a value, read
in the light of the column's type) and compared as values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal

from alembic.util import PriorityDispatchResult
from sqlalchemy import types as sqltypes
from sqlalchemy.schema import DefaultClause, Identity

from .server_evaluation import evaluated_equal, sql_literal

if TYPE_CHECKING:
    from alembic.autogenerate.api import AutogenContext
    from alembic.operations.ops import AlterColumnOp
    from alembic.runtime.environment import CompareServerDefault
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import Column
    from sqlalchemy.schema import FetchedValue

DefaultKind = Literal["null", "string", "number", "boolean", "expression"]

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_CASTS = re.compile(r'(?:\s*::\s*[\w."]+(?:\s+[\w."]+)*(?:\s*\([\d\s,]*\))?(?:\[\])*)+')
_TRUE = frozenset({"true", "1", "t", "yes", "y", "on"})
_FALSE = frozenset({"false", "0", "f", "no", "n", "off"})
_CURRENT_TIMESTAMP = re.compile(r"\b(?:now\s*\(\s*\)|current_timestamp(?:\s*\(\s*\))?)")
_SPACE_AROUND_PUNCTUATION = re.compile(r"\s*(\()\s*|\s*(\))|\s*(,)\s*")
# Float is not a Numeric subclass in SQLAlchemy 2.1
_NUMERIC_TYPES = (sqltypes.Integer, sqltypes.Numeric, sqltypes.Float)


@dataclass(frozen=True)
class NormalisedDefault:
    """A server default reduced to what it means.

    :param kind: ``null`` (no default), ``string``, ``number``, ``boolean`` or ``expression``.
    :param value: the string, the :class:`~decimal.Decimal`, the bool, or for an expression
        its canonical SQL text (lower case outside string literals, single spaces, ``now()``
        and ``CURRENT_TIMESTAMP()`` written ``current_timestamp``); ``None`` for ``null``.
    """

    kind: DefaultKind
    value: str | Decimal | bool | None


_NULL = NormalisedDefault("null", None)


def _string_literal_end(sql: str, start: int) -> int:
    """Index just past the quoted literal opening at ``start`` (``''`` is an escaped quote)."""
    index = start + 1
    while index < len(sql):
        if sql[index] == "'":
            if sql.startswith("''", index):
                index += 2
                continue
            return index + 1
        index += 1
    return -1


def _closing_parenthesis(sql: str, start: int) -> int:
    """Index of the parenthesis closing the one at ``start``, skipping string literals."""
    depth = 0
    index = start
    while index < len(sql):
        char = sql[index]
        if char == "'":
            index = _string_literal_end(sql, index)
            if index < 0:
                return -1
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    return -1


def _strip_outer_parentheses(sql: str) -> str:
    sql = sql.strip()
    while sql.startswith("(") and _closing_parenthesis(sql, 0) == len(sql) - 1:
        sql = sql[1:-1].strip()
    return sql


def _strip_trailing_casts(sql: str) -> str:
    """Remove PostgreSQL ``::type`` casts that end ``sql`` (outside string literals)."""
    index = 0
    while index < len(sql):
        char = sql[index]
        if char == "'":
            index = _string_literal_end(sql, index)
            if index < 0:
                return sql
            continue
        if char == "(":
            index = _closing_parenthesis(sql, index)
            if index < 0:
                return sql
        elif sql.startswith("::", index) and _CASTS.fullmatch(sql, index):
            return sql[:index].strip()
        index += 1
    return sql


def _canonical_expression(sql: str) -> str:
    """Lower-case and space ``sql`` uniformly, leaving string literals as written."""
    parts: list[str] = []
    index = 0
    while index < len(sql):
        quote = sql.find("'", index)
        if quote < 0:
            parts.append(_canonical_words(sql[index:]))
            break
        end = _string_literal_end(sql, quote)
        if end < 0:
            parts.append(_canonical_words(sql[index:]))
            break
        parts.append(_canonical_words(sql[index:quote]))
        parts.append(sql[quote:end])
        index = end
    return "".join(parts).strip()


def _canonical_words(sql: str) -> str:
    words = " ".join(sql.lower().split())
    words = _SPACE_AROUND_PUNCTUATION.sub(lambda match: match.group(0).strip(), words)
    words = words.replace(",", ", ")
    return _CURRENT_TIMESTAMP.sub("current_timestamp", words)


def parse_sql_default(sql: str | None) -> NormalisedDefault:
    """Read a server default written as SQL (as reflected, or as compiled from the model).

    :param sql: the SQL text of the default, or ``None`` for no default.
    :returns: the :class:`NormalisedDefault` it means, before the column type is considered.
    """
    if sql is None:
        return _NULL
    text = _strip_outer_parentheses(sql)
    uncast = _strip_outer_parentheses(_strip_trailing_casts(text))
    if uncast != text:
        return parse_sql_default(uncast)
    if not text or text.upper() == "NULL":
        return _NULL
    if text.startswith("'") and _string_literal_end(text, 0) == len(text):
        return NormalisedDefault("string", text[1:-1].replace("''", "'"))
    if _NUMBER.fullmatch(text):
        return NormalisedDefault("number", Decimal(text))
    if text.lower() in ("true", "false"):
        return NormalisedDefault("boolean", text.lower() == "true")
    return NormalisedDefault("expression", _canonical_expression(text))


def _as_number(default: NormalisedDefault) -> NormalisedDefault:
    if default.kind == "string" and isinstance(default.value, str):
        try:
            return NormalisedDefault("number", Decimal(default.value.strip()))
        except InvalidOperation:
            return default
    return default


def _as_boolean(default: NormalisedDefault) -> NormalisedDefault:
    if default.kind not in ("string", "number"):
        return default
    word = str(default.value).strip().lower()
    if default.kind == "number":
        word = str(Decimal(str(default.value)).normalize())
    if word in _TRUE:
        return NormalisedDefault("boolean", True)
    if word in _FALSE:
        return NormalisedDefault("boolean", False)
    return default


def _affinity(column: Column[Any]) -> type[Any] | None:
    return column.type._type_affinity


def coerce_to_column(default: NormalisedDefault, column: Column[Any]) -> NormalisedDefault:
    """Read ``default`` as the column's type would: ``'1'`` is true in a Boolean column and
    ``'0.0'`` is the number zero in a numeric one.

    :param default: a parsed default.
    :param column: the model's column.
    :returns: the default with string and number literals converted where the type says so.
    """
    affinity = _affinity(column)
    if affinity is not None and issubclass(affinity, sqltypes.Boolean):
        return _as_boolean(default)
    if affinity is not None and issubclass(affinity, _NUMERIC_TYPES):
        return _as_number(default)
    return default


def normalise_metadata_default(
    metadata_default: FetchedValue | None, rendered_metadata_default: str | None
) -> NormalisedDefault | None:
    """Read the model's server default.

    A plain string (``server_default="a"``) is a string value; a SQL expression
    (``text(...)``, ``func.now()``, ``true()``) is parsed from its compiled form.

    :returns: ``None`` when the default is not a plain ``DEFAULT`` clause
        (:class:`~sqlalchemy.schema.Computed`, :class:`~sqlalchemy.schema.Identity`, ...).
    """
    if metadata_default is None:
        return _NULL
    if not isinstance(metadata_default, DefaultClause):
        return None
    if isinstance(metadata_default.arg, str):
        return NormalisedDefault("string", metadata_default.arg)
    return parse_sql_default(rendered_metadata_default)


def server_default_comparator() -> CompareServerDefault:
    """Build a ``compare_server_default`` callable that compares normalised defaults.

    The callable answers ``False`` (same) when both defaults mean the same value, ``True``
    (changed) when they differ, and ``None`` (let Alembic decide) when the model's default is
    not a plain ``DEFAULT`` clause, or when only the database has a default that is not
    ``NULL`` (Alembic knows about PostgreSQL ``SERIAL`` sequences and MySQL's implicit
    defaults). When the normalised values differ on PostgreSQL, the server compares the two
    cast to the column's type (:func:`~lback_migrations.compare.server_evaluation.evaluated_equal`),
    so ``'0'`` and ``'00:00:00'::interval`` are one value; two SQL expressions the server
    cannot compare are left to Alembic.

    :returns: a callable with Alembic's ``compare_server_default`` signature.
    """

    def compare_server_default(
        context: MigrationContext,
        inspected_column: Column[Any],
        metadata_column: Column[Any],
        inspected_default: str | None,
        metadata_default: FetchedValue | None,
        rendered_metadata_default: str | None,
    ) -> bool | None:
        from_model = normalise_metadata_default(metadata_default, rendered_metadata_default)
        if from_model is None:
            return None
        from_database = parse_sql_default(inspected_default)
        if from_model == _NULL and from_database != _NULL:
            return None
        model_value = coerce_to_column(from_model, metadata_column)
        database_value = coerce_to_column(from_database, metadata_column)
        if model_value == database_value:
            return False
        if _NULL not in (from_model, from_database) and inspected_default is not None:
            model_sql = (
                sql_literal(metadata_default.arg)
                if isinstance(metadata_default, DefaultClause)
                and isinstance(metadata_default.arg, str)
                else rendered_metadata_default
            )
            if model_sql is not None:
                same = evaluated_equal(
                    context.connection, metadata_column, model_sql, inspected_default
                )
                if same is not None:
                    return not same
        if model_value.kind == database_value.kind == "expression":
            # two spellings of SQL may still mean the same: Alembic decides
            return None
        return True

    return compare_server_default


AUTOGENERATE_PLUGINS: tuple[str, ...] = ("alembic.autogenerate.*", "lback")
"""``autogenerate_plugins`` for ``context.configure``: Alembic's comparators plus ours."""

_compare_normalised = server_default_comparator()


def _sql_text(default: FetchedValue | None, autogen_context: AutogenContext) -> str | None:
    if not isinstance(default, DefaultClause):
        return None
    if isinstance(default.arg, str):
        return default.arg
    if not hasattr(default.arg, "compile"):
        return str(default.arg)
    return str(
        default.arg.compile(dialect=autogen_context.dialect, compile_kwargs={"literal_binds": True})
    )


def compare_column_server_default(
    autogen_context: AutogenContext,
    alter_column_op: AlterColumnOp,
    schema: str | None,
    table_name: str,
    column_name: str,
    inspected_column: Column[Any],
    metadata_column: Column[Any],
) -> PriorityDispatchResult:
    """The ``lback`` plugin's server default comparator (registered by the plugin's ``setup``).

    It compares with :func:`server_default_comparator` when the environment was configured
    with ``compare_server_default=True``, and leaves columns whose database or model default
    is not a plain ``DEFAULT`` clause (``Computed``, ``Identity``) to Alembic's own
    comparators, except an ``Identity`` on a dialect without identity columns (SQLite,
    MariaDB): ``create_all`` makes a plain autoincrement column there, and Alembic would
    report the identity as a change on every run. Alembic 1.20 cannot hand ``Computed`` and
    ``Identity`` columns to a ``compare_server_default`` callable (it fails with
    ``AttributeError: 'Computed' object has no attribute 'arg'``), which is why the ``lback``
    environment installs this comparator instead of the callable.

    :returns: ``STOP`` once it has decided, ``CONTINUE`` to let Alembic decide.
    """
    context = autogen_context.migration_context
    inspected = inspected_column.server_default
    modelled = metadata_column.server_default
    if context.opts.get("compare_server_default") is not True:
        return PriorityDispatchResult.CONTINUE
    if inspected is None and modelled is None:
        return PriorityDispatchResult.CONTINUE
    if isinstance(modelled, Identity) and not autogen_context.dialect.supports_identity_columns:
        # SQLite and MariaDB create no identity: the column is a plain autoincrement there
        return PriorityDispatchResult.STOP
    if not isinstance(inspected, (DefaultClause, type(None))) or not isinstance(
        modelled, (DefaultClause, type(None))
    ):
        return PriorityDispatchResult.CONTINUE
    alter_column_op.existing_server_default = inspected
    changed = _compare_normalised(
        context,
        inspected_column,
        metadata_column,
        _sql_text(inspected, autogen_context),
        modelled,
        _sql_text(modelled, autogen_context),
    )
    if changed is None:
        return PriorityDispatchResult.CONTINUE
    if changed:
        alter_column_op.modify_server_default = modelled
    return PriorityDispatchResult.STOP
