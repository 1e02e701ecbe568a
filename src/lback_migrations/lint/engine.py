"""The rule engine: parse a revision once with Python's :mod:`ast`, walk it once, dispatch to
every rule.

The tree is the standard library's, not libcst's. A linter needs no concrete syntax tree: it
reports places, never rewrites, and :mod:`ast` gives every node its line and column. Measured
on the 2-core development machine, ``ast.parse`` reads a 127-line revision in about 1.5 ms
where ``libcst.parse_module`` needs about 18 ms: over a 2,000-revision history that is 18 s of
parsing on two cores before any rule runs, against under 2 s. Comments, which :mod:`ast` drops,
are read from the text: suppressions by :mod:`lback_migrations.lint.suppression` (with
:mod:`tokenize`), the comments on lines of their own (the autogenerate markers) by a line scan.

:func:`analyse` does the work that depends only on the file's text and the options; its
:class:`~lback_migrations.lint.conclusion.Analysis` is what the ``lint`` command caches.
:func:`lint_source` analyses and then concludes (:mod:`lback_migrations.lint.conclusion`).
Rules report through :meth:`~lback_migrations.lint.rule.Rule.report`; the walk turns each into
a :class:`~lback_migrations.lint.rule.RuleReport` at once.

The walk is not :class:`ast.NodeVisitor`: it follows statements, and expressions only inside
``upgrade()`` and ``downgrade()``, calling the rules subscribed to each ``op.<name>`` call it
meets.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import re
import warnings
from collections.abc import Iterator

from .conclusion import SYNTAX_ERROR, Analysis, conclude, lint_context, order, rule_classes
from .config import LintOptions
from .findings import Finding
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
    RuleReport,
    SourceComment,
)
from .rules.syntax_error import UnparsableRevision
from .sql import literal_sql, read_sql
from .suppression import parse_suppressions
from .syntax import dotted_name, keyword, string_value

_MIGRATION_FUNCTIONS = (UPGRADE, DOWNGRADE)
UNPARSABLE_SQL = "LB902"
_OWN_LINE_COMMENT = re.compile(r"^([ \t]*)(#[^\r\n]*)$|'''[\s\S]*?'''|\"\"\"[\s\S]*?\"\"\"", re.M)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
# try* (Python 3.11+) has the fields of try
_TRIES: tuple[type[ast.Try], ...] = (ast.Try, getattr(ast, "TryStar", ast.Try))
_COMPOUND = (
    *_TRIES,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Match,
)

Span = tuple[int, int]
"""The first and last line of the statement a finding is in (what a suppression may end)."""


def analyse(source: str, options: LintOptions) -> Analysis:
    """Run the rules that read the file itself over ``source``.

    Never raises on bad input: a file Python cannot parse yields one ``LB900`` report, at the
    place of the :class:`SyntaxError`.
    """
    suppressions = tuple(parse_suppressions(source))
    try:
        with warnings.catch_warnings():
            # The file's own oddities ("str"() and the like) are not the linter's to show.
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except SyntaxError as error:
        return Analysis(
            reports=_syntax_error(options, error.lineno, error.offset, error.msg),
            suppressions=suppressions,
        )
    except (ValueError, RecursionError, MemoryError) as error:
        # null bytes (before Python 3.12), or nesting deeper than the parser goes
        return Analysis(
            reports=_syntax_error(options, 1, 1, str(error) or type(error).__name__),
            suppressions=suppressions,
        )
    walker = _Walker(source, _dispatch(options))
    try:
        reports = walker.run(tree)
        return Analysis(
            reports=tuple(sorted(reports, key=order)),
            facts=walker.facts(),
            suppressions=suppressions,
        )
    finally:
        walker.close()


def _syntax_error(
    options: LintOptions, line: int | None, column: int | None, problem: str
) -> tuple[RuleReport, ...]:
    if not options.selects(SYNTAX_ERROR):
        return ()
    return (UnparsableRevision.report_at(max(line or 1, 1), max(column or 1, 1), problem),)


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


@dataclasses.dataclass(frozen=True)
class _Dispatch:
    """Which rule each hook of the walk calls, as positions in :attr:`rules`: worked out once
    per set of options, not once per file (a rule instance per file still keeps its state).

    The rules in :attr:`eager` hear of the whole file (comments, imports, the end of a function
    or of the module) and are made when the walk starts; the others only of operations and SQL
    statements, and are made at the first one they receive: most files give most rules none.
    """

    rules: tuple[type[Rule], ...]
    context: LintContext
    by_operation: dict[str, tuple[int, ...]]
    statement_rules: tuple[int, ...]
    comment_rules: tuple[int, ...]
    function_rules: tuple[int, ...]
    module_rules: tuple[int, ...]
    import_rules: tuple[int, ...]
    eager: tuple[int, ...]
    watched: frozenset[str]
    reads_sql: bool
    sql_problems: bool


@functools.cache
def _dispatch(options: LintOptions) -> _Dispatch:
    rules = tuple(rule_classes(options))
    by_operation: dict[str, list[int]] = {}
    for index, rule in enumerate(rules):
        for name in rule.operations:
            by_operation.setdefault(name, []).append(index)

    def overriding(method: str) -> tuple[int, ...]:
        return tuple(index for index, rule in enumerate(rules) if _overrides(rule, method))

    statement_rules = overriding("visit_statement")
    return _Dispatch(
        rules=rules,
        context=lint_context(options),
        by_operation={name: tuple(indices) for name, indices in by_operation.items()},
        statement_rules=statement_rules,
        comment_rules=overriding("visit_comment"),
        function_rules=overriding("leave_function"),
        module_rules=overriding("leave_module"),
        import_rules=overriding("visit_import"),
        eager=tuple(
            sorted(
                {
                    *overriding("visit_comment"),
                    *overriding("leave_function"),
                    *overriding("leave_module"),
                    *overriding("visit_import"),
                }
            )
        ),
        watched=frozenset({*by_operation, "create_table", "execute"}),
        reads_sql=bool(statement_rules or by_operation),
        sql_problems=UNPARSABLE_SQL in {rule.code for rule in rules},
    )


class _Walker:
    """One walk over one parsed file, dispatching to the rules."""

    def __init__(self, source: str, dispatch: _Dispatch) -> None:
        self.source = source
        self.context = dispatch.context
        self.classes = dispatch.rules
        self.rules: list[Rule | None] = [None] * len(dispatch.rules)
        for index in dispatch.eager:
            self._rule(index)
        self.by_operation = dispatch.by_operation
        self.statement_rules = dispatch.statement_rules
        self.reads_sql = dispatch.reads_sql
        self.watched = dispatch.watched
        self.dialect = dispatch.context.dialect
        self.sql_problems = dispatch.sql_problems
        self.comment_rules = [self._rule(index) for index in dispatch.comment_rules]
        self.function_rules = [self._rule(index) for index in dispatch.function_rules]
        self.module_rules = [self._rule(index) for index in dispatch.module_rules]
        self.import_rules = [self._rule(index) for index in dispatch.import_rules]
        self.span: Span = (1, 1)
        self.function: str | None = None
        self.batch_tables: dict[str, str] = {}
        self.autocommit = False
        self.new_tables: frozenset[str] = frozenset()
        self.functions: dict[str, MigrationFunction] = {}
        self.spans: dict[ast.AST, Span] = {}
        self.assignments: dict[str, tuple[ast.expr, ast.stmt]] = {}
        self.reports: list[RuleReport] = []
        self.ascii = source.isascii()
        self.lines: list[str] | None = None

    def _rule(self, index: int) -> Rule:
        """The file's instance of the rule at ``index``, made on first use."""
        rule = self.rules[index]
        if rule is None:
            rule = self.rules[index] = self.classes[index](self.context, self._report)
        return rule

    def run(self, tree: ast.Module) -> list[RuleReport]:
        self._block(tree.body, top=True)
        if self.comment_rules:
            for comment in self._comments():
                for rule in self.comment_rules:
                    rule.visit_comment(comment)
        for rule in self.module_rules:
            rule.leave_module(self.functions)
        return list(self.reports)

    def close(self) -> None:
        """Drop the rules, whose report callback points back here: no cycle outlives the walk."""
        self.rules.clear()
        for rules in (
            self.comment_rules,
            self.function_rules,
            self.module_rules,
            self.import_rules,
        ):
            rules.clear()
        self.reports.clear()
        self.spans.clear()

    def _report(self, rule: Rule, where: ast.AST | tuple[int, int], message: str) -> None:
        if isinstance(where, tuple):
            (line, column), (first, last) = where, (where[0], where[0])
        else:
            first, last = self.spans.get(where, self.span)
            line = getattr(where, "lineno", first)
            column = self._column(line, getattr(where, "col_offset", 0))
        self.reports.append(RuleReport(rule.code, line, column, message, first, last))

    def _column(self, line: int, offset: int) -> int:
        """The 1-based column, in characters, of the UTF-8 byte ``offset`` Python gives."""
        if self.ascii:
            return offset + 1
        if self.lines is None:
            self.lines = _LINE_BREAK.split(self.source)
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return len(text.encode()[:offset].decode(errors="ignore")) + 1

    def facts(self) -> RevisionFacts:
        return RevisionFacts(
            revision=self._assignment("revision"),
            down_revision=self._assignment("down_revision"),
        )

    def _assignment(self, name: str) -> Assignment | None:
        found = self.assignments.get(name)
        if found is None:
            return None
        value, statement = found
        if isinstance(value, (ast.Tuple, ast.List)):
            items = [string_value(element) for element in value.elts]
        elif isinstance(value, ast.Constant) and value.value is None:
            items = []
        else:
            items = [string_value(value)]
        values = tuple(item for item in items if item is not None)
        if len(values) != len(items):
            return None
        return Assignment(values, statement.lineno)

    def _comments(self) -> Iterator[SourceComment]:
        source = self.source
        line, counted = 1, 0  # the line number at offset ``counted``, counted once onwards
        for match in _OWN_LINE_COMMENT.finditer(source):
            if match.group(2) is None:
                continue
            start = match.start()
            line += source.count("\n", counted, start)
            counted = start
            yield SourceComment(match.group(2), line, len(match.group(1)) + 1)

    # statements -------------------------------------------------------------------------

    def _block(self, body: list[ast.stmt], top: bool = False) -> None:
        for statement, span in zip(body, _spans(body), strict=True):
            self.span = span
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                self.spans[statement] = span
                for rule in self.import_rules:
                    rule.visit_import(statement)
            elif isinstance(statement, _FUNCTIONS):
                self._function(statement, top)
            elif not isinstance(statement, _COMPOUND):
                if top:
                    self._module_level(statement)
                elif self.function is not None:
                    self._simple(statement)
            elif isinstance(statement, (ast.With, ast.AsyncWith)) and self.function is not None:
                self._with(statement)
            elif isinstance(statement, ast.If) and self.function is not None:
                runs_body, runs_orelse = _dialect_guard(statement.test, self.dialect)
                if runs_body:
                    self._block(statement.body)
                if runs_orelse:
                    self._block(statement.orelse)
            else:
                for block in _blocks(statement):
                    self._block(block)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, top: bool) -> None:
        name = node.name
        migration = top and name in _MIGRATION_FUNCTIONS
        outer_function, outer_tables = self.function, self.new_tables
        self.function = name if migration else None
        self.new_tables = frozenset()
        self._block(node.body)
        self.function = outer_function
        if not migration:
            self.new_tables = outer_tables
            return
        self.spans[node] = (node.lineno, node.lineno)
        function = MigrationFunction(
            name=name, node=node, empty=_is_empty(node.body), raises=_raises(node.body)
        )
        self.functions[name] = function
        for rule in self.function_rules:
            rule.leave_function(function)

    def _with(self, statement: ast.With | ast.AsyncWith) -> None:
        added: list[str] = []
        outer_autocommit = self.autocommit
        for item in statement.items:
            call = item.context_expr
            self._expression(call)
            if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
                continue
            if call.func.attr == "autocommit_block":
                self.autocommit = True
            elif dotted_name(call.func) == "op.batch_alter_table" and isinstance(
                item.optional_vars, ast.Name
            ):
                alias = item.optional_vars.id
                table = Operation("batch_alter_table", call, self.function).table
                self.batch_tables[alias] = table or ""
                added.append(alias)
        span = self.span
        self._block(statement.body)
        self.span = span
        self.autocommit = outer_autocommit
        for name in added:
            self.batch_tables.pop(name, None)

    def _module_level(self, statement: ast.stmt) -> None:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target: ast.expr = statement.targets[0]
            value: ast.expr | None = statement.value
        elif isinstance(statement, ast.AnnAssign):
            target, value = statement.target, statement.value
        else:
            return
        if isinstance(target, ast.Name) and value is not None:
            self.assignments[target.id] = (value, statement)

    def _simple(self, statement: ast.stmt) -> None:
        value: ast.expr | None = None
        if isinstance(statement, (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return)):
            value = statement.value
        elif isinstance(statement, ast.Raise):
            value = statement.exc
        if value is not None:
            self._expression(value)

    # expressions ------------------------------------------------------------------------

    def _expression(self, expression: ast.expr) -> None:
        # The hot loop of a cold run: every node of every operation's arguments passes here,
        # so node types are compared exactly (no subclasses exist) and calls that cannot be
        # operations are told apart without a method call.
        watched = self.watched
        stack: list[ast.AST] = [expression]
        pop, push, extend = stack.pop, stack.append, stack.extend
        while stack:
            node = pop()
            if type(node) is ast.Call:
                func = node.func
                if (
                    type(func) is ast.Attribute
                    and func.attr in watched
                    and type(func.value) is ast.Name
                ):
                    self._call(node, func.attr, func.value.id)
                if node.keywords:
                    extend([argument.value for argument in reversed(node.keywords)])
                extend(reversed(node.args))
                push(func)
            elif type(node) is ast.Attribute:
                push(node.value)
            elif type(node) is ast.Name or type(node) is ast.Constant:
                continue
            elif type(node) is ast.List or type(node) is ast.Tuple or type(node) is ast.Set:
                extend(reversed(node.elts))
            else:
                extend(reversed(list(ast.iter_child_nodes(node))))

    def _call(self, call: ast.Call, name: str, receiver: str, sql: str | None = None) -> None:
        if name == "execute" and sql is None and self.reads_sql:
            self._execute(call, receiver)
        if name == "create_table" and receiver == "op":
            first = call.args[0] if call.args else keyword(call, "table_name")
            table = string_value(first)
            if table is not None:
                self.new_tables = self.new_tables | {table}
        indices = self.by_operation.get(name)
        if not indices:
            return
        if receiver == "op":
            batch_table = None
        elif receiver in self.batch_tables:
            batch_table = self.batch_tables[receiver]
        else:
            return
        operation = Operation(
            name=name,
            call=call,
            function=self.function,
            batch_table=batch_table,
            autocommit=self.autocommit,
            new_tables=self.new_tables,
            sql=sql,
        )
        self.spans[call] = self.span
        for index in indices:
            self._rule(index).visit_operation(operation)

    def _execute(self, call: ast.Call, receiver: str) -> None:
        """Read the literal SQL of an ``op.execute`` call and dispatch what it does."""
        if receiver != "op" and receiver not in self.batch_tables:
            return
        text = literal_sql(call)
        if text is None:
            return
        read = read_sql(text, self.dialect)
        if read.problem is not None:
            if self.sql_problems:
                self.spans[call] = self.span
                self._report_code(UNPARSABLE_SQL, call, read.problem)
            return
        execute = Operation("execute", call, self.function, autocommit=self.autocommit)
        for statement, operations in read.statements:
            self.spans[call] = self.span
            for index in self.statement_rules:
                self._rule(index).visit_statement(
                    statement, dataclasses.replace(execute, new_tables=self.new_tables)
                )
            for source in operations:
                equivalent = _equivalent_call(source, call)
                if isinstance(equivalent.func, ast.Attribute):
                    self._call(equivalent, equivalent.func.attr, "op", statement.text)

    def _report_code(self, code: str, where: ast.AST, problem: str) -> None:
        index = next(index for index, rule in enumerate(self.classes) if rule.code == code)
        self._rule(index).report(where, problem=problem)


_DIALECT_WORDS = {
    "postgresql": ("postgres",),
    "mysql": ("mysql", "mariadb"),
    "mariadb": ("mysql", "mariadb"),
    "sqlite": ("sqlite",),
    "mssql": ("mssql",),
    "oracle": ("oracle",),
}
_EVERY_DIALECT_WORD = frozenset(word for words in _DIALECT_WORDS.values() for word in words)


def _dialect_guard(test: ast.expr, dialect: str | None) -> tuple[bool, bool]:
    """Whether the body and the ``else`` of an ``if`` on ``test`` can run on ``dialect``.

    Revisions shared by several databases branch on the dialect (``if dialect == "sqlite":``,
    ``if is_mysql():``, ``if bind.dialect.name != "postgresql":``); the operations of the
    branch for another database never reach the target and are not judged. ``and`` and ``or``
    combine what their operands say (``if bind and bind.engine.name == "mysql":`` cannot run
    its body on PostgreSQL); any test it cannot read this way (several dialects named) keeps
    both branches.
    """
    if dialect not in _DIALECT_WORDS:
        return True, True
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        body, orelse = _dialect_guard(test.operand, dialect)
        return orelse, body
    if isinstance(test, ast.BoolOp):
        guards = [_dialect_guard(value, dialect) for value in test.values]
        bodies, orelses = [body for body, _ in guards], [orelse for _, orelse in guards]
        if isinstance(test.op, ast.And):
            # the body needs every operand true; any operand false takes the else
            return all(bodies), any(orelses)
        return any(bodies), all(orelses)
    negated = False
    if isinstance(test, ast.Compare):
        if len(test.ops) != 1:
            return True, True
        operator = test.ops[0]
        # "sqlite" in bind.dialect.name: the dialect named on the left of `in`
        named_left = isinstance(test.left, ast.Constant) and isinstance(test.left.value, str)
        if not isinstance(operator, (ast.Eq, ast.NotEq)) and not (
            named_left and isinstance(operator, (ast.In, ast.NotIn))
        ):
            return True, True
        if isinstance(operator, (ast.NotEq, ast.NotIn)):
            negated = not negated
    elif not isinstance(test, (ast.Name, ast.Attribute, ast.Call)):
        return True, True
    text = ast.unparse(test).lower()
    named = {word for word in _EVERY_DIALECT_WORD if word in text}
    if not named or len(named - set(_DIALECT_WORDS[dialect])) > 1:
        return True, True
    target = not named.isdisjoint(_DIALECT_WORDS[dialect])
    matches = target != negated
    return matches, not matches


def _equivalent_call(source: str, execute: ast.Call) -> ast.Call:
    """The Python call ``source``, every node placed where ``execute`` is."""
    call = ast.parse(source, mode="eval").body
    assert isinstance(call, ast.Call)
    for node in ast.walk(call):
        ast.copy_location(node, execute)
    return call


def _spans(body: list[ast.stmt]) -> list[Span]:
    """The span of each statement of ``body``: a compound statement's first line; for simple
    statements sharing lines through ``;``, the first and last line of them all."""
    spans: list[Span] = []
    first = last = size = 0  # the lines of the open group of simple statements, and its size
    for statement in body:
        if isinstance(statement, _COMPOUND):
            if size:
                spans += [(first, last)] * size
                size = 0
            spans.append((statement.lineno, statement.lineno))
            continue
        if size and statement.lineno != last:
            spans += [(first, last)] * size
            size = 0
        if not size:
            first = statement.lineno
        last = statement.end_lineno or statement.lineno
        size += 1
    if size:
        spans += [(first, last)] * size
    return spans


def _blocks(statement: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The blocks of statements a compound statement holds, in source order."""
    if isinstance(statement, (ast.If, ast.For, ast.AsyncFor, ast.While)):
        yield statement.body
        yield statement.orelse
    elif isinstance(statement, ast.Match):
        for case in statement.cases:
            yield case.body
    elif isinstance(statement, (ast.ClassDef, ast.With, ast.AsyncWith)):
        yield statement.body
    elif isinstance(statement, _TRIES):
        yield statement.body
        for handler in statement.handlers:
            yield handler.body
        yield statement.orelse
        yield statement.finalbody


def _overrides(rule: type[Rule], method: str) -> bool:
    return getattr(rule, method) is not getattr(Rule, method)


def _is_empty(body: list[ast.stmt]) -> bool:
    return all(
        isinstance(statement, ast.Pass)
        or (
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
            and (isinstance(statement.value.value, (str, bytes)) or statement.value.value is ...)
        )
        for statement in body
    )


def _raises(body: list[ast.stmt]) -> bool:
    return any(isinstance(statement, ast.Raise) for statement in body)
