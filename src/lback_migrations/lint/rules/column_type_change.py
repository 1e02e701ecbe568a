"""LB203 column-type-change."""

from __future__ import annotations

import ast

from ..column_types import TypeKey, type_key
from ..findings import Severity
from ..rule import (
    DOWNGRADE,
    UPGRADE,
    Invalid,
    LintContext,
    MigrationFunction,
    Operation,
    Report,
    Rule,
    Valid,
)
from ..syntax import dotted_name, is_constant, keyword, positional, string_value

_MARIADB_ONE_LENGTH_BYTE = 63
"""The longest ``VARCHAR`` (in utf8mb4 characters) whose length MariaDB stores in one byte."""


class ColumnTypeChange(Rule):
    """Changing a column's type usually rewrites the whole table under an exclusive lock, may
    truncate or reject existing values, and breaks code that still expects the old type.

    Add a column of the new type, write to both, backfill, switch the readers, and drop the
    old column later.

    The rule judges the type as the target database sees it: a type written
    ``sa.Text().with_variant(LONGTEXT, "mysql")`` is ``TEXT`` on PostgreSQL, and an
    ``alter_column`` whose old and new types are then the same changes nothing and is not
    reported. The old type is the ``existing_type`` (autogenerate writes it), else the type the
    other function of the revision gives the same column (the downgrade puts back the type the
    upgrade changed, and the other way round): that is how a change written as raw SQL
    (``ALTER COLUMN ... TYPE text``) is judged. Changes the database makes in place, with no
    rewrite, are not reported:

    - PostgreSQL: a longer ``VARCHAR``, any ``VARCHAR`` made unbounded or ``TEXT``, ``TEXT``
      made an unbounded ``VARCHAR`` (the same storage, no value to check), and a ``NUMERIC``
      given more precision with the same scale; but never a change with ``USING``
      (``postgresql_using``), which computes every row again;
    - MariaDB (10.2.2 and later, judged by the server release): a longer ``VARCHAR`` whose
      length still takes as many bytes to store (up to 63 characters, or from 64 on, in
      utf8mb4). ``VARCHAR`` to ``TEXT`` copies the table there and is reported.

    A type imported from outside SQLAlchemy (the project's own ``TypeDecorator``, another
    library's type) may be stored as anything: a change to or from one is not reported, since
    the revision does not say whether the table is rewritten.

    Claim: a table rewrite (PostgreSQL) or copy (MariaDB) holding a lock that blocks writes.
    """

    code = "LB203"
    name = "column-type-change"
    severity = Severity.WARNING
    message = (
        "alter_column changes the type of {column}, which can rewrite the table under a lock "
        "and lose data: add a new column, backfill it, and switch over"
    )
    operations = frozenset({"alter_column"})
    VALID = (
        Valid(
            """
            def upgrade():
                op.alter_column("account", "email", existing_type=sa.String(100), nullable=True)
            """
        ),
        Valid(
            """
            def upgrade():
                op.alter_column("account", "email", existing_type=sa.VARCHAR(length=100),
                                type_=sa.String(length=200))
                op.alter_column("account", "bio", existing_type=sa.VARCHAR(length=100),
                                type_=sa.Text())
            """,
            dialect="postgresql",
        ),
        Valid(
            """
            def upgrade():
                op.alter_column("account", "email", existing_type=mysql.VARCHAR(length=100),
                                type_=sa.String(length=200))
            """,
            dialect="mysql",
        ),
        Valid(
            """
            def upgrade():
                op.alter_column("account", "bio", existing_type=sa.VARCHAR(), type_=sa.Text())
                op.alter_column("account", "note", existing_type=sa.Text(), type_=sa.String())
                op.alter_column("account", "body", existing_type=sa.Text(),
                                type_=sa.Text().with_variant(LONGTEXT, "mysql"))
                op.alter_column("account", "balance", existing_type=sa.Numeric(10, 2),
                                type_=sa.Numeric(12, 2))
            """,
            dialect="postgresql",
        ),
        Valid(
            """
            def upgrade():
                op.execute("ALTER TABLE account ALTER COLUMN bio TYPE text")


            def downgrade():
                op.execute("ALTER TABLE account ALTER COLUMN bio TYPE varchar")
            """,
            dialect="postgresql",
        ),
        Valid(
            """
            from myapp.types import MediumText


            def upgrade():
                op.alter_column("account", "bio", existing_type=sa.Text(), type_=MediumText())
            """,
            dialect="postgresql",
        ),
        Valid(
            """
            import myapp.types


            def upgrade():
                op.alter_column("account", "id", type_=myapp.types.UUIDType(binary=True))
            """,
            dialect="postgresql",
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                op.alter_column("account", "age", existing_type=sa.Integer(), type_=sa.String())
            """,
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.alter_column("account", "email", existing_type=sa.VARCHAR(length=200),
                                type_=sa.String(length=100))
            """,
            dialect="postgresql",
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.alter_column("account", "email", existing_type=mysql.VARCHAR(length=50),
                                type_=sa.String(length=200))
            """,
            dialect="mysql",
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.alter_column("account", "bio", existing_type=mysql.VARCHAR(length=100),
                                type_=sa.Text())
            """,
            dialect="mysql",
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.execute("ALTER TABLE account ALTER COLUMN age TYPE bigint")
            """,
            dialect="postgresql",
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.alter_column("account", "bio", existing_type=sa.Text(),
                                type_=sa.Text().with_variant(LONGTEXT, "mysql"))
            """,
            dialect="mysql",
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.alter_column("account", "bio", existing_type=sa.Text(), type_=sa.String(200),
                                postgresql_using="left(bio, 200)")
                op.alter_column("account", "seen", existing_type=sa.DateTime(),
                                type_=sa.DateTime(timezone=True))
            """,
            dialect="postgresql",
            line=2,
        ),
        Invalid(
            """
            def upgrade():
                op.alter_column("account", "bio", type_=sa.Text())


            def downgrade():
                op.execute("ALTER TABLE account ALTER COLUMN bio TYPE varchar(250) USING bio")
            """,
            dialect="postgresql",
            line=6,
        ),
        Invalid(
            """
            def upgrade():
                op.alter_column("account", "seen", existing_type=sa.DateTime(),
                                type_=sa.DateTime(timezone=True))
            """,
            dialect="postgresql",
            line=2,
        ),
    )

    def __init__(self, context: LintContext, reporter: Report) -> None:
        super().__init__(context, reporter)
        self.changes: list[tuple[Operation, _Place]] = []
        self.new_types: dict[tuple[str | None, _Place], ast.expr] = {}
        self.foreign_names: set[str] = set()

    def visit_import(self, statement: ast.Import | ast.ImportFrom) -> None:
        if isinstance(statement, ast.ImportFrom):
            if not _from_sqlalchemy(statement.module or ""):
                self.foreign_names.update(alias.asname or alias.name for alias in statement.names)
            return
        for alias in statement.names:
            if not _from_sqlalchemy(alias.name):
                self.foreign_names.add(alias.asname or alias.name.partition(".")[0])

    def _foreign(self, node: ast.expr | None) -> bool:
        """Whether ``node`` is a type imported from outside SQLAlchemy (the project's own, or
        another library's): what it is stored as, and so whether the table is rewritten,
        cannot be read from the revision."""
        call = node if isinstance(node, ast.Call) else None
        name = dotted_name(call.func if call is not None else node) if node is not None else None
        return name is not None and name.partition(".")[0] in self.foreign_names

    def visit_operation(self, operation: Operation) -> None:
        new = keyword(operation.call, "type_")
        if new is None:
            return
        old_name = string_value(operation.argument("column_name"))
        new_name = string_value(keyword(operation.call, "new_column_name")) or old_name
        place = (operation.table, old_name, new_name)
        self.changes.append((operation, place))
        self.new_types[(operation.function, place)] = new

    def leave_module(self, functions: dict[str, MigrationFunction]) -> None:
        dialect = self.context.dialect
        for operation, place in self.changes:
            new_node = _node_on(keyword(operation.call, "type_"), dialect)
            old_node = _node_on(self._old_type(operation, place), dialect)
            if self._foreign(new_node) or self._foreign(old_node):
                continue
            new, old = _type_key(new_node), _type_key(old_node)
            using = keyword(operation.call, "postgresql_using") is not None
            if _unchanged_or_in_place(old, new, self.context, using):
                continue
            column = place[1] or "..."
            self.report(operation.call, column=repr(column))

    def _old_type(self, operation: Operation, place: _Place) -> ast.expr | None:
        """The ``existing_type``, else the type the other migration function gives the column
        (the downgrade of a rename acts on the new name and renames back)."""
        existing = keyword(operation.call, "existing_type")
        if existing is not None:
            return existing
        other = {UPGRADE: DOWNGRADE, DOWNGRADE: UPGRADE}.get(operation.function or "")
        table, old_name, new_name = place
        found = self.new_types.get((other, (table, new_name, old_name)))
        if found is not None or old_name == new_name:
            return found
        # a table renamed in the same revision: the column renamed back in any table, when
        # every such rename gives it the same type
        back = [
            node
            for (function, (_, before, after)), node in self.new_types.items()
            if function == other and (before, after) == (new_name, old_name)
        ]
        keys = {type_key(node) for node in back}
        return back[0] if len(keys) == 1 else None


_Place = tuple[str | None, str | None, str | None]
"""The table, the column's name before the operation and after it."""


def _node_on(node: ast.expr | None, dialect: str | None) -> ast.expr | None:
    """The type ``node`` is on ``dialect``: ``T.with_variant(V, "mysql")`` is ``V`` on MySQL
    and MariaDB, ``T`` elsewhere."""
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "with_variant"
    ):
        arguments = positional(node)
        variant = arguments[0] if arguments else keyword(node, "type_")
        names = arguments[1:] or [value for value in (keyword(node, "dialect_names"),) if value]
        base: ast.expr = node.func.value
        node = variant if dialect is not None and _names_dialect(names, dialect) else base
    return node


def _type_key(node: ast.expr | None) -> TypeKey | None:
    key = type_key(node)
    if key == ("datetime",):
        # a time zone is a different type on PostgreSQL, whose conversion can rewrite the table
        zoned = isinstance(node, ast.Call) and is_constant(keyword(node, "timezone"), True)
        return (*key, zoned)
    return key


def _names_dialect(names: list[ast.expr], dialect: str) -> bool:
    targets = {dialect, "mysql", "mariadb"} if dialect in _MYSQL else {dialect}
    for name in names:
        items = name.elts if isinstance(name, (ast.Tuple, ast.List)) else [name]
        if any(string_value(item) in targets for item in items):
            return True
    return False


_MYSQL = frozenset({"mysql", "mariadb"})


def _from_sqlalchemy(module: str) -> bool:
    return module == "sqlalchemy" or module.startswith("sqlalchemy.")


def _unchanged_or_in_place(
    old: TypeKey | None, new: TypeKey | None, context: LintContext, using: bool
) -> bool:
    """Whether the change leaves the table as it is: no ``USING`` on PostgreSQL (which
    computes every row again), a known old type, and the same type or one done in place."""
    if old is None or (using and context.dialect == "postgresql"):
        return False
    return old == new or _in_place(old, new, context)


def _in_place(old: TypeKey, new: TypeKey | None, context: LintContext) -> bool:
    if new is None:
        return False
    old_length = old[1] if len(old) > 1 else None
    new_length = new[1] if len(new) > 1 else None
    if context.dialect == "postgresql":
        if old[0] == "numeric" and new[0] == "numeric":
            return _more_precision(old, new)
        if old[0] not in {"string", "text"}:
            return False
        if new[0] == "text" or (new[0] == "string" and new_length is None):
            # the same storage as the old type, and no length to check
            return True
        return (
            old[0] == "string"
            and isinstance(old_length, int)
            and isinstance(new_length, int)
            and new_length >= old_length
        )
    if context.dialect in _MYSQL and context.server_at_least(10, 2, 2):
        return (
            old[0] == "string"
            and new[0] == "string"
            and isinstance(old_length, int)
            and isinstance(new_length, int)
            and new_length >= old_length
            and (old_length <= _MARIADB_ONE_LENGTH_BYTE) == (new_length <= _MARIADB_ONE_LENGTH_BYTE)
        )
    return False


def _more_precision(old: TypeKey, new: TypeKey) -> bool:
    """``NUMERIC(p, s)`` to ``NUMERIC(p2, s)`` with ``p2 >= p``: PostgreSQL keeps every value."""
    old_precision, old_scale = old[1], old[2]
    new_precision, new_scale = new[1], new[2]
    return (
        isinstance(old_precision, int)
        and isinstance(new_precision, int)
        and new_precision >= old_precision
        and old_scale == new_scale
    )
