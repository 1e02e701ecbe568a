"""LB109 replaced-entity-drops-dependants."""

from __future__ import annotations

import ast
from typing import NamedTuple

from ..dependants import FUNCTION, MATERIALIZED_VIEW, VIEW, EntityDependants
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
from ..syntax import called_name, is_constant, keyword, positional, string_value

_KINDS = {"PGView": VIEW, "PGMaterializedView": MATERIALIZED_VIEW, "PGFunction": FUNCTION}
_DESCRIBED = {VIEW: "view", MATERIALIZED_VIEW: "materialized view", FUNCTION: "function"}


class _Entity(NamedTuple):
    kind: str
    schema: str
    name: str
    definition: str | None


def _entity(call: ast.expr) -> _Entity | None:
    """The entity a ``PGView(schema=..., signature=..., definition=...)`` call builds."""
    if not isinstance(call, ast.Call):
        return None
    kind = _KINDS.get(called_name(call) or "")
    if kind is None:
        return None
    arguments = positional(call)
    values = [
        string_value(keyword(call, name) or (arguments[at] if at < len(arguments) else None))
        for at, name in enumerate(("schema", "signature", "definition"))
    ]
    schema, signature, definition = values
    if schema is None or signature is None:
        return None
    return _Entity(kind, schema, signature.partition("(")[0].strip().strip('"'), definition)


def _entities(node: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, _Entity]:
    """The entities a migration function assigns to names: ``public_x = PGView(...)``."""
    found: dict[str, _Entity] = {}
    for statement in ast.walk(node):
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            entity = _entity(statement.value)
            if isinstance(target, ast.Name) and entity is not None:
                found[target.id] = entity
    return found


def _columns(definition: str | None) -> tuple[str, ...] | None:
    """The names of the columns a view's query gives, in order; ``None`` when one is not
    written (``*``, an expression without ``AS``) or the query cannot be read."""
    if definition is None:
        return None
    from sqlglot import exp, parse_one
    from sqlglot.errors import SqlglotError

    try:
        query = parse_one(definition, read="postgres")
    except SqlglotError:
        return None
    if not isinstance(query, exp.Select):
        return None
    names = tuple(select.alias_or_name for select in query.selects)
    if not all(names) or "*" in names:
        return None
    return names


class ReplacedEntityDependants(Rule):
    """Some replacements of an alembic-utils entity drop it first: a materialized view is always
    dropped and created again (PostgreSQL has no ``CREATE OR REPLACE`` for it); a view is when
    its columns change (``CREATE OR REPLACE VIEW`` keeps them and only adds new ones at the end,
    so alembic-utils falls back to ``DROP VIEW`` and ``CREATE VIEW``); and ``op.drop_entity``
    followed by ``op.create_entity`` always is. When other objects depend on the dropped one
    (views reading it, triggers calling it, column defaults), the ``DROP`` fails; with
    ``cascade=True`` it drops them too, and nothing recreates them. What it owns (a
    materialized view's indexes, a view's triggers) goes with it in any case.

    What depends on what is read from the database when it answers (``pg_depend``), else
    worked out from the entities ``lback.entities`` declares; with neither, the rule is silent.
    Drop and recreate the dependants in the same revision, around the replacement (or wrap the
    operations in ``alembic_utils.depends.recreate_dropped``). A view's replacement is judged by
    the column names of its old definition (the one ``downgrade()`` restores) and its new one;
    a column whose type alone changes is not seen. ``downgrade()`` is not judged: the facts
    describe the database before the upgrade.
    """

    code = "LB109"
    name = "replaced-entity-drops-dependants"
    severity = Severity.ERROR
    message = (
        "{operation} drops {entity} first, and {dependants} depend(s) on it: {outcome}; drop "
        "and recreate them around it in this revision"
    )
    operations = frozenset({"replace_entity", "drop_entity"})
    dialects = frozenset({"postgresql"})
    _PRICES = EntityDependants(VIEW, "public", "cheap_item", ("view cheap_item_ids",))
    _TOTALS = EntityDependants(
        MATERIALIZED_VIEW, "public", "daily_total", (), ("index daily_total_day",)
    )
    _DOUBLE = EntityDependants(
        FUNCTION, "public", "double_price", ("trigger double_it on table item",)
    )
    VALID = (
        Valid(
            """
            def upgrade():
                public_cheap_item = PGView(
                    schema="public",
                    signature="cheap_item",
                    definition="SELECT id, price FROM item WHERE price < 100",
                )
                op.replace_entity(public_cheap_item)

            def downgrade():
                public_cheap_item = PGView(
                    schema="public",
                    signature="cheap_item",
                    definition="SELECT id, price FROM item WHERE price < 10",
                )
                op.replace_entity(public_cheap_item)
            """,
            dialect="postgresql",
            dependants=(_PRICES,),
        ),
        Valid(
            """
            def upgrade():
                public_double_price = PGFunction(
                    schema="public",
                    signature="double_price(p numeric)",
                    definition="RETURNS numeric LANGUAGE sql AS $$ SELECT p * 2 $$",
                )
                op.replace_entity(public_double_price)
            """,
            dialect="postgresql",
            dependants=(_DOUBLE,),
        ),
        Valid(
            """
            def upgrade():
                public_daily_total = PGMaterializedView(
                    schema="public",
                    signature="daily_total",
                    definition="SELECT day, sum(price) AS total FROM item GROUP BY day",
                )
                op.replace_entity(public_daily_total)
            """,
            dialect="postgresql",
            dependants=(),
        ),
    )
    INVALID = (
        Invalid(
            """
            def upgrade():
                public_cheap_item = PGView(
                    schema="public",
                    signature="cheap_item",
                    definition="SELECT id FROM item WHERE price < 10",
                )
                op.replace_entity(public_cheap_item)

            def downgrade():
                public_cheap_item = PGView(
                    schema="public",
                    signature="cheap_item",
                    definition="SELECT id, price FROM item WHERE price < 10",
                )
                op.replace_entity(public_cheap_item)
            """,
            dialect="postgresql",
            dependants=(_PRICES,),
            line=7,
        ),
        Invalid(
            """
            def upgrade():
                public_daily_total = PGMaterializedView(
                    schema="public",
                    signature="daily_total",
                    definition="SELECT day, sum(price) AS total FROM item GROUP BY day",
                )
                op.replace_entity(public_daily_total)
            """,
            dialect="postgresql",
            dependants=(_TOTALS,),
            line=7,
        ),
        Invalid(
            """
            def upgrade():
                public_double_price = PGFunction(
                    schema="public",
                    signature="double_price(p numeric)",
                    definition="RETURNS numeric LANGUAGE sql AS $$ SELECT p * 2 $$",
                )
                op.drop_entity(public_double_price, cascade=True)
                op.create_entity(public_double_price)
            """,
            dialect="postgresql",
            dependants=(_DOUBLE,),
            line=7,
        ),
    )

    def __init__(self, context: LintContext, reporter: Report) -> None:
        super().__init__(context, reporter)
        self.calls: list[Operation] = []

    def visit_operation(self, operation: Operation) -> None:
        if operation.function == UPGRADE:
            self.calls.append(operation)

    def leave_module(self, functions: dict[str, MigrationFunction]) -> None:
        known = self.context.dependants
        upgrade = functions.get(UPGRADE)
        if not known or upgrade is None or not self.calls:
            return
        by_identity = {(entry.kind, entry.schema, entry.name): entry for entry in known}
        built = _entities(upgrade.node)
        downgrade = functions.get(DOWNGRADE)
        restored = {
            entity[:3]: entity
            for entity in (_entities(downgrade.node) if downgrade else {}).values()
        }
        for operation in self.calls:
            call = operation.call
            argument = keyword(call, "target") or next(iter(positional(call)), None)
            entity = built.get(argument.id) if isinstance(argument, ast.Name) else None
            if entity is None:
                continue
            dependants = by_identity.get(entity[:3])
            if dependants is None:
                continue
            self._judge(operation, entity, dependants, restored.get(entity[:3]))

    def _judge(
        self,
        operation: Operation,
        entity: _Entity,
        dependants: EntityDependants,
        old: _Entity | None,
    ) -> None:
        described = f"{_DESCRIBED[entity.kind]} {entity.schema}.{entity.name}"
        cascade = is_constant(keyword(operation.call, "cascade"), True)
        if operation.name == "replace_entity":
            if entity.kind == FUNCTION:
                return  # CREATE OR REPLACE FUNCTION: refused, never dropped, on a signature change
            if entity.kind == VIEW:
                before = _columns(old.definition if old else None)
                after = _columns(entity.definition)
                if before is None or after is None or after[: len(before)] == before:
                    return
                described += f" (its columns change from {', '.join(before)})"
            cascade = False
        lost = dependants.blocking + dependants.owned
        if not lost:
            return
        if dependants.blocking and not cascade:
            outcome = "the DROP fails (with CASCADE it drops them, and nothing recreates them)"
        elif dependants.blocking:
            outcome = "CASCADE drops them, and nothing recreates them"
        else:
            outcome = "they are dropped with it, and nothing recreates them"
        self.report(
            operation.call,
            operation=f"op.{operation.name}",
            entity=described,
            dependants=", ".join(lost),
            outcome=outcome,
        )
