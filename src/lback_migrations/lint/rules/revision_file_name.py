"""LB404 revision-file-name."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from ..findings import Severity
from ..rule import Invalid, RevisionContext, RevisionFacts, Rule, Valid

_TOKEN = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%%")


class RevisionFileName(Rule):
    """When the environment's ``file_template`` puts the revision id in the file name (the
    default ``%(rev)s_%(slug)s`` does), a file whose ``revision`` differs from its name was
    usually copied from another revision and not updated; two files then claim one id, or the
    history points at a revision that is not where its name says.

    Give the file a fresh id (``alembic revision`` writes one) and make ``revision`` and the
    file name agree.
    """

    code = "LB404"
    name = "revision-file-name"
    severity = Severity.ERROR
    message = "revision {revision!r} does not match the file name {file_name}: {fix}"
    VALID = (
        Valid(
            """
            revision = "ae1027a6acf"
            down_revision = None
            """,
            file_name="ae1027a6acf_add_account.py",
        ),
    )
    INVALID = (
        Invalid(
            """
            revision = "1975ea83b712"
            down_revision = None
            """,
            file_name="ae1027a6acf_add_account.py",
            line=1,
        ),
    )

    def check_revision(
        self, facts: RevisionFacts, revision: RevisionContext
    ) -> Iterator[tuple[int, int, str]]:
        if facts.revision is None or len(facts.revision.values) != 1:
            return
        template = revision.file_template.replace("\\", "/").rpartition("/")[2]
        if "%(rev)" not in template:
            return
        value = facts.revision.values[0]
        stem = revision.file_name.removesuffix(".py")
        if not _matches(template, value, stem):
            message = self.message.format(
                revision=value,
                file_name=revision.file_name,
                fix="rename the file or correct `revision`",
            )
            yield facts.revision.line, facts.revision.column, message


def _matches(template: str, revision: str, stem: str) -> bool:
    """Whether ``stem`` is what ``template`` gives for ``revision`` (other fields: anything)."""
    before, after = _patterns(template)
    start = stem.find(revision)
    while start != -1:
        end = start + len(revision)
        if before.fullmatch(stem[:start]) and after.fullmatch(stem[end:]):
            return True
        start = stem.find(revision, start + 1)
    return False


@functools.cache
def _patterns(template: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The patterns of what ``template`` puts before and after its first ``%(rev)s``."""
    token = next(match for match in _TOKEN.finditer(template) if match.group(1) == "rev")
    return (
        re.compile(_pattern(template[: token.start()])),
        re.compile(_pattern(template[token.end() :])),
    )


def _pattern(template: str) -> str:
    parts: list[str] = []
    position = 0
    for match in _TOKEN.finditer(template):
        parts.append(re.escape(template[position : match.start()]))
        parts.append("%" if match.group(0) == "%%" else ".*")
        position = match.end()
    parts.append(re.escape(template[position:]))
    return "".join(parts)
