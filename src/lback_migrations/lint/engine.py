"""The rule engine: parse a revision once with libcst, walk it once, dispatch to every rule.

:func:`analyse` does the work that depends only on the file's text and the options; its
:class:`~lback_migrations.lint.conclusion.Analysis` is what the ``lint`` command caches.
:func:`lint_source` analyses and then concludes (:mod:`lback_migrations.lint.conclusion`).

The walk is not libcst's generic visitor, which visits every token and costs as much as the
parse: it follows statements, and expressions only inside ``upgrade()`` and ``downgrade()``,
calling the rules subscribed to each ``op.<name>`` call it meets.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator, Sequence

import libcst as cst

from .conclusion import SYNTAX_ERROR, Analysis, RawFinding, conclude, rule_classes
from .config import LintOptions
from .findings import Finding
from .locate import Anchor, Locator
from .rule import (
    DOWNGRADE,
    UPGRADE,
    Assignment,
    LintContext,
    MigrationFunction,
    Operation,
    RevisionContext,
    RevisionFacts,
    Rule,
    SourceComment,
)
from .rules import all_rules
from .suppression import parse_suppressions
from .syntax import dotted_name, string_value

_MIGRATION_FUNCTIONS = (UPGRADE, DOWNGRADE)
_OWN_LINE_COMMENT = re.compile(r"^([ \t]*)(#[^\r\n]*)$|'''[\s\S]*?'''|\"\"\"[\s\S]*?\"\"\"", re.M)


def analyse(source: str, options: LintOptions) -> Analysis:
    """Run the rules that read the file itself over ``source``.

    Never raises on bad input: a file libcst cannot parse yields one ``LB900`` finding.
    """
    collecting = gc.isenabled()
    # A parse allocates thousands of nodes and no reference cycles: the cyclic collector would
    # only rescan the heap over and over (about a sixth of the time). Refcounting frees them.
    gc.disable()
    try:
        return _analyse(source, options)
    finally:
        if collecting:
            gc.enable()


def _analyse(source: str, options: LintOptions) -> Analysis:
    context = LintContext(dialect=options.dialect, naming_convention=options.naming_convention)
    suppressions = tuple(parse_suppressions(source))
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        findings: tuple[RawFinding, ...] = ()
        if options.selects(SYNTAX_ERROR):
            line, column = error.raw_line, error.raw_column + 1
            rule = next(rule for rule in all_rules() if rule.code == SYNTAX_ERROR)
            message = rule.message.format(problem=error.message)
            findings = (RawFinding(SYNTAX_ERROR, line, column, line, line, message),)
        return Analysis(findings=findings, suppressions=suppressions)
    walker = _Walker(source, module, rule_classes(options), context)
    try:
        return Analysis(
            findings=tuple(walker.run()), facts=walker.facts(), suppressions=suppressions
        )
    finally:
        walker.close()


def lint_source(
    source: str,
    path: str,
    options: LintOptions,
    revision: RevisionContext | None = None,
) -> list[Finding]:
    """Lint one revision's text: :func:`analyse` then :func:`conclude`.

    :param path: the path shown in the findings; its name is the file name when ``revision``
        is not given.
    """
    if revision is None:
        revision = RevisionContext(file_name=path.replace("\\", "/").rpartition("/")[2])
    return conclude(analyse(source, options), path, options, revision)


class _Walker:
    """One walk over one parsed file, dispatching to the rules."""

    def __init__(
        self,
        source: str,
        module: cst.Module,
        rule_classes: list[type[Rule]],
        context: LintContext,
    ) -> None:
        self.source = source
        self.module = module
        self.rules = [rule_class(context, self._report) for rule_class in rule_classes]
        self.by_operation: dict[str, list[Rule]] = {}
        for rule in self.rules:
            for name in rule.operations:
                self.by_operation.setdefault(name, []).append(rule)
        self.comment_rules = [rule for rule in self.rules if _overrides(rule, "visit_comment")]
        self.index = 0
        self.anchor: Anchor | None = None
        self.function: str | None = None
        self.batch_tables: dict[str, str] = {}
        self.autocommit = False
        self.new_tables: frozenset[str] = frozenset()
        self.functions: dict[str, MigrationFunction] = {}
        self.node_anchors: dict[cst.CSTNode, Anchor] = {}
        self.assignments: dict[str, cst.BaseExpression] = {}
        self.reports: list[tuple[Rule, cst.CSTNode | tuple[int, int], str, Anchor | None]] = []

    def run(self) -> list[RawFinding]:
        for statement in self.module.body:
            self._statement(statement, top=True)
        for rule in self.rules:
            rule.leave_module(self.functions)
        if self.comment_rules:
            for comment in self._comments():
                for rule in self.comment_rules:
                    rule.visit_comment(comment)
        return self._findings()

    def close(self) -> None:
        """Drop the rules, whose report callback points back here: no cycle outlives the walk."""
        self.rules.clear()
        self.by_operation.clear()
        self.comment_rules.clear()
        self.reports.clear()

    def _report(self, rule: Rule, where: cst.CSTNode | tuple[int, int], message: str) -> None:
        anchor = self.node_anchors.get(where) if isinstance(where, cst.CSTNode) else None
        self.reports.append((rule, where, message, anchor or self.anchor))

    def _findings(self) -> list[RawFinding]:
        if not self.reports:
            return []
        locator = Locator(self.source, self.module, self.index)
        findings: list[RawFinding] = []
        for rule, where, message, anchor in self.reports:
            if isinstance(where, tuple) or anchor is None:
                line, column = where if isinstance(where, tuple) else (1, 1)
                findings.append(RawFinding(rule.code, line, column, line, line, message))
                continue
            place = locator.place(where, anchor)
            findings.append(
                RawFinding(
                    rule.code, place.line, place.column, place.first_line, place.last_line, message
                )
            )
        return findings

    def facts(self) -> RevisionFacts:
        return RevisionFacts(
            revision=self._assignment("revision"),
            down_revision=self._assignment("down_revision"),
        )

    def _assignment(self, name: str) -> Assignment | None:
        value = self.assignments.get(name)
        if value is None:
            return None
        if isinstance(value, (cst.Tuple, cst.List)):
            items = [string_value(element.value) for element in value.elements]
        elif isinstance(value, cst.Name) and value.value == "None":
            items = []
        else:
            items = [string_value(value)]
        if any(item is None for item in items):
            return None
        lines = [match.start() for match in re.finditer(rf"^{name}\b", self.source, re.M)]
        line = self.source.count("\n", 0, lines[-1]) + 1 if lines else 1
        return Assignment(tuple(item for item in items if item is not None), line)

    def _comments(self) -> Iterator[SourceComment]:
        for match in _OWN_LINE_COMMENT.finditer(self.source):
            if match.group(2) is None:
                continue
            line = self.source.count("\n", 0, match.start()) + 1
            yield SourceComment(match.group(2), line, len(match.group(1)) + 1)

    # statements -------------------------------------------------------------------------

    def _statement(self, statement: cst.BaseStatement, top: bool = False) -> None:
        anchor = Anchor(statement, self.index)
        self.anchor = anchor
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if top:
                    self._module_level(small)
                elif self.function is not None:
                    self.anchor = anchor
                    self._small(small)
                self.index += 1
            return
        self.index += 1
        if isinstance(statement, cst.FunctionDef):
            self._function(statement, anchor, top)
        elif isinstance(statement, cst.With) and self.function is not None:
            self._with(statement, anchor)
        elif isinstance(statement, cst.If):
            self._block(statement.body, anchor)
            if isinstance(statement.orelse, cst.If):
                self._statement(statement.orelse)
            elif statement.orelse is not None:
                self._block(statement.orelse.body, anchor)
        elif isinstance(statement, (cst.For, cst.While)):
            self._block(statement.body, anchor)
            if statement.orelse is not None:
                self._block(statement.orelse.body, anchor)
        elif isinstance(statement, (cst.Try, cst.TryStar)):
            self._block(statement.body, anchor)
            for handler in statement.handlers:
                self._block(handler.body, anchor)
            if statement.orelse is not None:
                self._block(statement.orelse.body, anchor)
            if statement.finalbody is not None:
                self._block(statement.finalbody.body, anchor)
        elif isinstance(statement, cst.Match):
            for case in statement.cases:
                self._block(case.body, anchor)
        elif isinstance(statement, (cst.ClassDef, cst.With)):
            self._block(statement.body, anchor)

    def _block(self, body: cst.BaseSuite, anchor: Anchor) -> None:
        if isinstance(body, cst.IndentedBlock):
            for statement in body.body:
                self._statement(statement)
            return
        if isinstance(body, cst.SimpleStatementSuite):
            for small in body.body:
                self.anchor = anchor
                if self.function is not None:
                    self._small(small)
                self.index += 1

    def _function(self, node: cst.FunctionDef, anchor: Anchor, top: bool) -> None:
        name = node.name.value
        outer = self.function
        self.function = name if top and name in _MIGRATION_FUNCTIONS else None
        self.new_tables = frozenset()
        self._block(node.body, anchor)
        self.function = outer
        if not (top and name in _MIGRATION_FUNCTIONS):
            return
        self.node_anchors[node] = anchor
        function = MigrationFunction(
            name=name, node=node, empty=_is_empty(node.body), raises=_raises(node.body)
        )
        self.functions[name] = function
        for rule in self.rules:
            rule.leave_function(function)

    def _with(self, statement: cst.With, anchor: Anchor) -> None:
        added: list[str] = []
        outer_autocommit = self.autocommit
        for item in statement.items:
            self._expression(item.item)
            call = item.item
            if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
                continue
            if call.func.attr.value == "autocommit_block":
                self.autocommit = True
            elif dotted_name(call.func) == "op.batch_alter_table" and item.asname is not None:
                alias = item.asname.name
                if isinstance(alias, cst.Name):
                    table = Operation("batch_alter_table", call, self.function).table
                    self.batch_tables[alias.value] = table or ""
                    added.append(alias.value)
        self._block(statement.body, anchor)
        self.autocommit = outer_autocommit
        for name in added:
            del self.batch_tables[name]

    def _module_level(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target: cst.BaseExpression = small.targets[0].target
            value: cst.BaseExpression | None = small.value
        elif isinstance(small, cst.AnnAssign):
            target, value = small.target, small.value
        else:
            return
        if isinstance(target, cst.Name) and value is not None:
            self.assignments[target.value] = value

    def _small(self, small: cst.BaseSmallStatement) -> None:
        value: cst.BaseExpression | None = None
        if isinstance(small, (cst.Expr, cst.Assign, cst.AugAssign, cst.AnnAssign, cst.Return)):
            value = small.value
        elif isinstance(small, cst.Raise):
            value = small.exc
        if value is not None:
            self._expression(value)

    # expressions ------------------------------------------------------------------------

    def _expression(self, expression: cst.CSTNode) -> None:
        stack: list[cst.CSTNode] = [expression]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.Call):
                self._call(node)
                stack.extend(argument.value for argument in reversed(node.args))
                stack.append(node.func)
            elif isinstance(node, cst.Attribute):
                stack.append(node.value)
            elif isinstance(node, (cst.Name, cst.SimpleString, cst.Integer, cst.Float)):
                continue
            elif isinstance(node, (cst.List, cst.Tuple, cst.Set)):
                stack.extend(element.value for element in reversed(node.elements))
            else:
                stack.extend(reversed(node.children))

    def _call(self, call: cst.Call) -> None:
        func = call.func
        if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name):
            return
        receiver = func.value.value
        if func.attr.value == "create_table" and receiver == "op" and call.args:
            table = string_value(call.args[0].value)
            if table is not None:
                self.new_tables = self.new_tables | {table}
        rules = self.by_operation.get(func.attr.value)
        if not rules:
            return
        if receiver == "op":
            batch_table = None
        elif receiver in self.batch_tables:
            batch_table = self.batch_tables[receiver]
        else:
            return
        operation = Operation(
            name=func.attr.value,
            call=call,
            function=self.function,
            batch_table=batch_table,
            autocommit=self.autocommit,
            new_tables=self.new_tables,
        )
        if self.anchor is not None:
            self.node_anchors[call] = self.anchor
        for rule in rules:
            rule.visit_operation(operation)


def _overrides(rule: Rule, method: str) -> bool:
    return getattr(type(rule), method) is not getattr(Rule, method)


def _is_empty(body: cst.BaseSuite) -> bool:
    statements: Sequence[cst.CSTNode]
    if isinstance(body, cst.SimpleStatementSuite):
        statements = body.body
    elif isinstance(body, cst.IndentedBlock):
        statements = [
            small
            for line in body.body
            if isinstance(line, cst.SimpleStatementLine)
            for small in line.body
        ]
        if len(statements) != sum(
            len(line.body) if isinstance(line, cst.SimpleStatementLine) else 1 for line in body.body
        ):
            return False
    else:
        return False
    return all(
        isinstance(small, cst.Pass)
        or (
            isinstance(small, cst.Expr)
            and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString, cst.Ellipsis))
        )
        for small in statements
    )


def _raises(body: cst.BaseSuite) -> bool:
    lines = body.body if isinstance(body, cst.IndentedBlock) else [body]
    return any(
        isinstance(small, cst.Raise)
        for line in lines
        if isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite))
        for small in line.body
    )
