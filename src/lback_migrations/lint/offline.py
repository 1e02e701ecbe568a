"""``lback-migrations lint --sql``: lint the SQL Alembic renders, not the Python that makes it.

Alembic's offline mode (``alembic upgrade --sql``) writes the SQL each revision sends to the
configured database, with its dialect's DDL, server defaults and transaction control. The
``lint --sql`` command runs that in-process for the whole history (``base`` to ``heads``), cuts
the script at Alembic's ``-- Running upgrade A -> B`` comments, and judges each revision's
statements by the rules that read operations and SQL, as if each statement were written
``op.execute("...")`` in the revision. The statements between a ``COMMIT`` and the next
``BEGIN`` (what ``autocommit_block()`` renders) count as outside the transaction, and those on
Alembic's version table are left out. A finding is shown at the revision file, line 1, with the
number of the statement in the revision's SQL and its start.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from ..errors import LbackError

if TYPE_CHECKING:
    from alembic.config import Config

    from .config import LintOptions
    from .findings import Finding

_RUNNING = re.compile(r"^-- Running upgrade (?:.*?) -> (\S+)\s*$", re.M)
_STATEMENT_END = re.compile(r";[ \t]*\n(?:[ \t]*\n)+")
_EXCERPT = 60


class OfflineSqlError(LbackError):
    """``alembic upgrade --sql`` could not render the history.

    :param problem: the first line of what went wrong.
    """

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(
            f"lint --sql: alembic upgrade --sql failed: {problem}; run it yourself to see why"
        )


class RevisionSql(NamedTuple):
    """The SQL one revision renders: its id, its file and its statements in order."""

    revision: str
    path: str
    statements: tuple[str, ...]


def render_history(config: Config) -> list[RevisionSql]:
    """Run ``alembic upgrade heads --sql`` in-process; return each revision's statements.

    :raises OfflineSqlError: when Alembic or the environment's ``env.py`` fails.
    """
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from ..ini_logging import CONFIGURE_LOGGING_ATTRIBUTE

    buffer = io.StringIO()
    # the log lines of a rendering are no lint output
    attributes = {**config.attributes, CONFIGURE_LOGGING_ATTRIBUTE: False}
    rendering = Config(
        config.config_file_name,
        ini_section=config.config_ini_section,
        output_buffer=buffer,
        cmd_opts=config.cmd_opts,
        attributes=attributes,
    )
    try:
        command.upgrade(rendering, "heads", sql=True)
        scripts = ScriptDirectory.from_config(rendering)
        version_table = _version_table(rendering)
        found: list[RevisionSql] = []
        for revision, text in _chunks(buffer.getvalue()):
            script = scripts.get_revision(revision)
            if script is None or script.path is None:
                continue
            statements = tuple(_statements(text, version_table))
            found.append(RevisionSql(revision, script.path, statements))
    except Exception as error:  # env.py is the user's code: anything can fail in it
        message = str(error).strip().splitlines()
        raise OfflineSqlError(message[0] if message else type(error).__name__) from error
    return found


def lint_rendered(revisions: list[RevisionSql], options: LintOptions) -> list[Finding]:
    """The findings of the rules that read operations and SQL on each revision's statements."""
    from .engine import lint_source
    from .rule import Rule
    from .rules import all_rules

    reading = {
        rule.code
        for rule in all_rules()
        if rule.visit_operation is not Rule.visit_operation
        or rule.visit_statement is not Rule.visit_statement
    } | {"LB902"}
    findings: list[Finding] = []
    for revision in revisions:
        source, lines = _module(revision.statements)
        for finding in lint_source(source, revision.path, options):
            number = lines.get(finding.line)
            if finding.code not in reading or number is None:
                continue
            statement = revision.statements[number]
            excerpt = " ".join(statement.split())
            if len(excerpt) > _EXCERPT:
                excerpt = excerpt[: _EXCERPT - 3] + "..."
            message = f"{finding.message} [upgrade --sql, statement {number + 1}: {excerpt}]"
            findings.append(dataclasses.replace(finding, line=1, column=1, message=message))
    return findings


def _version_table(config: Config) -> str:
    return config.get_main_option("version_table") or "alembic_version"


def _chunks(script: str) -> Iterator[tuple[str, str]]:
    matches = list(_RUNNING.finditer(script))
    for number, match in enumerate(matches):
        end = matches[number + 1].start() if number + 1 < len(matches) else len(script)
        yield match.group(1), script[match.end() : end]


def _statements(text: str, version_table: str) -> Iterator[str]:
    for statement in _STATEMENT_END.split(text + "\n\n"):
        lines = [line for line in statement.splitlines() if not line.lstrip().startswith("--")]
        cleaned = "\n".join(lines).strip().rstrip(";").strip()
        if cleaned and version_table not in cleaned:
            yield cleaned


def _module(statements: tuple[str, ...]) -> tuple[str, dict[int, int]]:
    """A revision doing ``statements`` through ``op.execute``, and which line holds which."""
    lines = ["def upgrade():"]
    where: dict[int, int] = {}
    autocommit = False
    for number, statement in enumerate(statements):
        word = statement.split(None, 1)[0].upper()
        if word == "COMMIT":
            autocommit = True
            continue
        if word in {"BEGIN", "START"}:
            autocommit = False
            continue
        indent = "    "
        if autocommit:
            lines.append("    with op.get_context().autocommit_block():")
            indent = "        "
        lines.append(f"{indent}op.execute({statement!r})")
        where[len(lines)] = number
    lines.append("    pass")
    return "\n".join(lines) + "\n", where
