"""The SQL a revision passes to ``op.execute``, read with sqlglot.

A revision does with ``op.execute("...")`` what autogenerate cannot, and that SQL is where the
operations that hurt most in production hide. The engine hands the literal SQL of each
``op.execute`` call (a string, ``sa.text("...")``, adjacent literals) to :func:`read_sql`,
which parses it for the target dialect and returns, per statement:

- the Alembic operations it amounts to, as Python source (``ALTER TABLE account ADD COLUMN
  active boolean NOT NULL`` is ``op.add_column("account", sa.Column("active", ...,
  nullable=False))``): the engine parses that source and gives it to the rules subscribed to
  the operation, so every rule judges raw SQL as it judges the Python call;
- a :class:`SqlStatement` for the rules that read SQL itself
  (:meth:`~lback_migrations.lint.rule.Rule.visit_statement`): statements with no Alembic
  operation (``TRUNCATE``, ``REINDEX``, ``DROP SCHEMA``, ``UPDATE``).

The parser is sqlglot: one parser for the three target dialects (PostgreSQL, MariaDB,
SQLite), a pure-Python wheel, and a tokenizer that still reads a statement sqlglot cannot
build a tree for (``REINDEX``, ``ALTER TYPE ... RENAME VALUE``): such a statement is a
``Command`` whose words the rules read. pglast parses PostgreSQL exactly but refuses MariaDB's
syntax; :doc:`/lint-rules` gives the measurements. sqlglot is imported only when a revision
has literal SQL in ``op.execute``, so revisions without it cost nothing more.
"""

from __future__ import annotations

import ast
import logging
from typing import TYPE_CHECKING, Any, NamedTuple

from .syntax import is_call_to, positional

if TYPE_CHECKING:
    from sqlglot import exp

_READERS = {"postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite"}
_DEFAULT_READER = "postgres"
"""Raw SQL in migrations is mostly PostgreSQL's: read it so when the dialect is unknown."""
_WORD_TYPES_SKIPPED = frozenset({"STRING", "NUMBER", "NATIONAL_STRING", "RAW_STRING"})


class SqlStatement(NamedTuple):
    """One statement of the SQL of an ``op.execute`` call.

    :param kind: the statement's class in sqlglot (``Alter``, ``Drop``, ``TruncateTable``,
        ``Update``, ``Insert``, ``Command`` for one it has no tree for).
    :param words: the statement's keywords and names, upper-cased, without its literals.
    :param tree: sqlglot's expression for the statement.
    :param text: the SQL of the statement, as written (rendering it again from the tree
        cost a cold lint about 4% for a text no rule reads).
    """

    kind: str
    words: tuple[str, ...]
    tree: Any
    text: str

    def has_words(self, *words: str) -> bool:
        """Whether ``words`` appear one after the other in the statement."""
        count = len(words)
        return any(
            self.words[start : start + count] == words
            for start in range(len(self.words) - count + 1)
        )


class ReadSql(NamedTuple):
    """What :func:`read_sql` found: per statement, its operations' source and the statement.

    :param problem: why the SQL could not be parsed, else ``None`` (then nothing else is set).
    """

    statements: tuple[tuple[SqlStatement, tuple[str, ...]], ...] = ()
    problem: str | None = None


def literal_sql(call: ast.Call) -> str | None:
    """The SQL of an ``op.execute(...)`` call when it is written as a literal, else ``None``.

    Accepts a string constant (adjacent literals are one constant to Python) and
    ``sa.text("...")`` / ``text("...")``, with or without ``.bindparams(...)`` and the like.
    """
    argument = positional(call)[0] if positional(call) else None
    if argument is None:
        for keyword in call.keywords:
            if keyword.arg == "sqltext":
                argument = keyword.value
    while (
        isinstance(argument, ast.Call)
        and isinstance(argument.func, ast.Attribute)
        and not is_call_to(argument, "text")
    ):
        argument = argument.func.value
    if isinstance(argument, ast.Call) and is_call_to(argument, "text"):
        arguments = positional(argument)
        argument = arguments[0] if arguments else None
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return argument.value
    return None


def read_sql(text: str, dialect: str | None) -> ReadSql:
    """Parse ``text`` for ``dialect``; never raises.

    :returns: the statements with the Python source of the operations each amounts to, or a
        :class:`ReadSql` whose ``problem`` says why the SQL could not be parsed.
    """
    from sqlglot.dialects.dialect import Dialect

    logging.getLogger("sqlglot").setLevel(logging.CRITICAL)
    reader = Dialect.get_or_raise(_READERS.get(dialect or "", _DEFAULT_READER))
    try:
        return ReadSql(statements=_statements(text, reader))
    except Exception as error:  # sqlglot raises more than its own errors on some inputs
        return ReadSql(problem=_first_line(str(error)) or type(error).__name__)


def _statements(text: str, reader: Any) -> tuple[tuple[SqlStatement, tuple[str, ...]], ...]:
    from sqlglot import exp

    tokens = reader.tokenize(text)
    trees = reader.parser().parse(tokens, text)
    found: list[tuple[SqlStatement, tuple[str, ...]]] = []
    statements = zip(_statement_words(tokens), _statement_texts(tokens, text), strict=True)
    for tree, (words, written) in zip(trees, statements, strict=False):
        if tree is None:
            continue
        if isinstance(tree, exp.Command):
            words = _command_words(tree, words, reader)
        statement = SqlStatement(type(tree).__name__, words, tree, written)
        found.append((statement, tuple(_operations(tree, reader))))
    return tuple(found)


def _statement_texts(tokens: list[Any], text: str) -> list[str]:
    """The text of each statement as written, from its first token to its last (the
    statements as :func:`_statement_words` splits them)."""
    texts: list[str] = []
    first: Any = None
    last: Any = None
    for token in tokens:
        if token.token_type.name == "SEMICOLON":
            texts.append(text[first.start : last.end + 1] if first is not None else "")
            first = last = None
        else:
            first = first or token
            last = token
    texts.append(text[first.start : last.end + 1] if first is not None else "")
    return texts


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else ""


def _command_words(tree: exp.Command, words: tuple[str, ...], reader: Any) -> tuple[str, ...]:
    """A statement sqlglot has no tree for keeps its text after the first keyword as one
    literal: read the words of that text too."""
    rest = tree.expression
    text = rest if isinstance(rest, str) else getattr(rest, "this", None)
    if not isinstance(text, str):
        return words
    try:
        more = _statement_words(reader.tokenize(text))[0]
    except Exception:  # the text was read once already; a second reading adds nothing then
        return words
    return (words[0], *more) if words else more


def _statement_words(tokens: list[Any]) -> list[tuple[str, ...]]:
    """The words of each statement: the tokens between semicolons, less the literals."""
    statements: list[tuple[str, ...]] = []
    words: list[str] = []
    for token in tokens:
        kind = token.token_type.name
        if kind == "SEMICOLON":
            statements.append(tuple(words))
            words = []
        elif kind not in _WORD_TYPES_SKIPPED:
            words.append(token.text.upper())
    statements.append(tuple(words))
    return statements


# from a statement to Alembic operations -----------------------------------------------------


def _operations(tree: exp.Expression, reader: Any) -> list[str]:
    from sqlglot import exp

    if isinstance(tree, exp.Alter) and str(tree.args.get("kind", "")).upper() == "TABLE":
        table = tree.this.name
        not_valid = bool(tree.args.get("not_valid"))
        return [
            source
            for action in tree.args.get("actions") or ()
            for source in _alter_action(table, action, not_valid, reader)
        ]
    if isinstance(tree, exp.Create):
        return _create(tree)
    if isinstance(tree, exp.Drop):
        return _drop(tree)
    return []


def _alter_action(table: str, action: exp.Expression, not_valid: bool, reader: Any) -> list[str]:
    from sqlglot import exp

    if isinstance(action, exp.ColumnDef):
        return [f"op.add_column({table!r}, {_column(action, reader)})"]
    if isinstance(action, exp.Drop) and str(action.args.get("kind", "")).upper() == "COLUMN":
        return [f"op.drop_column({table!r}, {name!r})" for name in _names(action)]
    if isinstance(action, exp.AlterColumn):
        return [_alter_column(table, action)]
    if isinstance(action, exp.RenameColumn):
        old, new = action.this.name, action.args["to"].name
        return [f"op.alter_column({table!r}, {old!r}, new_column_name={new!r})"]
    if isinstance(action, exp.AlterRename):
        return [f"op.rename_table({table!r}, {action.this.name!r})"]
    if isinstance(action, exp.AddConstraint):
        return [
            source
            for constraint in action.expressions
            for source in _constraint(table, constraint, not_valid, reader)
        ]
    return []


def _column(definition: exp.ColumnDef, reader: Any) -> str:
    from sqlglot import exp

    nullable = True
    default: str | None = None
    for constraint in definition.args.get("constraints") or ():
        kind = constraint.args.get("kind")
        if isinstance(kind, exp.NotNullColumnConstraint):
            nullable = bool(kind.args.get("allow_null"))
        elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
            nullable = False
        elif isinstance(kind, exp.DefaultColumnConstraint):
            default = kind.this.sql(dialect=reader)
    arguments = [repr(definition.name), _type(definition.args.get("kind"))]
    arguments.append(f"nullable={nullable}")
    if default is not None:
        arguments.append(f"server_default=sa.text({default!r})")
    return f"sa.Column({', '.join(arguments)})"


def _type(data_type: exp.Expression | None) -> str:
    """The SQLAlchemy type an SQL type reads as, for the rules that compare types."""
    if data_type is None:
        return "sa.types.NullType()"
    name = str(data_type.args.get("this", "")).rpartition(".")[2].upper()
    parameters = [param.sql() for param in data_type.expressions]
    if name in {"VARCHAR", "NVARCHAR", "CHAR"} and parameters:
        return f"sa.String(length={parameters[0]})"
    if name in {"VARCHAR", "NVARCHAR"}:
        return "sa.String()"
    if name == "TEXT":
        return "sa.Text()"
    return "sa.types.NullType()"


def _alter_column(table: str, action: exp.AlterColumn) -> str:
    from sqlglot import exp

    arguments = [repr(table), repr(action.name)]
    allow_null = action.args.get("allow_null")
    if allow_null is not None:
        arguments.append(f"nullable={bool(allow_null)}")
    if action.args.get("dtype") is not None:
        arguments.append(f"type_={_type(action.args['dtype'])}")
    using = action.args.get("using")
    if isinstance(using, exp.Expression):
        arguments.append(f"postgresql_using={using.sql()!r}")
    return f"op.alter_column({', '.join(arguments)})"


def _constraint(table: str, constraint: exp.Expression, not_valid: bool, reader: Any) -> list[str]:
    from sqlglot import exp

    name = constraint.name if isinstance(constraint, exp.Constraint) else None
    kinds = constraint.expressions if isinstance(constraint, exp.Constraint) else [constraint]
    sources: list[str] = []
    valid = ", postgresql_not_valid=True" if not_valid else ""
    for kind in kinds:
        if isinstance(kind, exp.ForeignKey):
            columns = [column.name for column in kind.expressions]
            reference = kind.args.get("reference")
            target = reference.find(exp.Table) if reference is not None else None
            referent = target.name if target is not None else ""
            sources.append(
                f"op.create_foreign_key({name!r}, {table!r}, {referent!r}, {columns!r}, []{valid})"
            )
        elif isinstance(kind, exp.CheckColumnConstraint):
            condition = kind.this.sql(dialect=reader)
            sources.append(f"op.create_check_constraint({name!r}, {table!r}, {condition!r}{valid})")
        elif isinstance(kind, exp.UniqueColumnConstraint):
            columns = [column.name for column in kind.find_all(exp.Identifier)]
            sources.append(f"op.create_unique_constraint({name!r}, {table!r}, {columns!r})")
        elif isinstance(kind, (exp.PrimaryKey, exp.PrimaryKeyColumnConstraint)):
            columns = [column.name for column in kind.expressions]
            sources.append(f"op.create_primary_key({name!r}, {table!r}, {columns!r})")
    return sources


def _create(tree: exp.Create) -> list[str]:
    from sqlglot import exp

    kind = str(tree.args.get("kind", "")).upper()
    if kind == "TABLE":
        table = tree.find(exp.Table)
        return [f"op.create_table({table.name!r})"] if table is not None else []
    if kind != "INDEX" or not isinstance(tree.this, exp.Index):
        return []
    index = tree.this
    table = index.args.get("table")
    parameters = index.args.get("params")
    found = parameters.args.get("columns") if parameters is not None else None
    columns = [column.name for column in found or ()]
    options = [repr(index.name), repr(table.name if table is not None else ""), repr(columns)]
    if tree.args.get("unique"):
        options.append("unique=True")
    if tree.args.get("concurrently"):
        options.append("postgresql_concurrently=True")
    return [f"op.create_index({', '.join(options)})"]


def _drop(tree: exp.Drop) -> list[str]:
    kind = str(tree.args.get("kind", "")).upper()
    if kind == "TABLE":
        return [f"op.drop_table({name!r})" for name in _names(tree)]
    if kind == "INDEX":
        concurrently = ", postgresql_concurrently=True" if tree.args.get("concurrently") else ""
        return [f"op.drop_index({name!r}{concurrently})" for name in _names(tree)]
    return []


def _names(tree: exp.Expression) -> list[str]:
    tables = tree.args.get("tables")
    if tables:
        return [table.name for table in tables]
    return [tree.this.name] if tree.this is not None else []
