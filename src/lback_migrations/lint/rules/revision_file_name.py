"""LB404 revision-file-name."""

from __future__ import annotations

import functools
import re
import string

from ..findings import Severity
from ..rule import Invalid, RevisionContext, RevisionFacts, Rule, Valid

_ALEMBIC_ID = re.compile(r"(?<![A-Za-z0-9])(?=[0-9]*[a-f])[0-9a-f]{12}(?![A-Za-z0-9])")
"""Twelve hexadecimal digits, at least one a letter: an id as ``alembic revision`` writes it."""
_LETTERS_AND_DIGITS = frozenset(string.ascii_letters + string.digits)
_TOKEN = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%%")


class RevisionFileName(Rule):
    """When the environment's ``file_template`` puts the revision id in the file name (the
    default ``%(rev)s_%(slug)s`` does), a file whose ``revision`` differs from its name was
    usually copied from another revision and not updated; two files then claim one id, or the
    history points at a revision that is not where its name says.

    Give the file a fresh id (``alembic revision`` writes one) and make ``revision`` and the
    file name agree.

    A name that holds the id as a word of its own (between the start or end of the name and a
    character that is no letter or digit) is accepted whatever else it holds, and so is a name
    that holds no revision id at all: histories are often linted without their ``alembic.ini``
    (the template is then unknown), and projects put dates or sequence numbers before the id or
    name their files by release alone. What is reported is a name that holds ANOTHER id: one of
    the revisions beside it, or a word of twelve hexadecimal digits as Alembic writes ids.
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
        Valid(
            """
            revision = "ae1027a6acf"
            down_revision = None
            """,
            file_name="2024_05_01_1200-ae1027a6acf_add_account.py",
        ),
        Valid(
            """
            revision = "k1"
            down_revision = None
            """,
            file_name="k1.py",
        ),
        Valid(
            """
            revision = "0.57.0rc1"
            down_revision = "0.57.0"
            """,
            file_name="0.57.0.rc1_release.py",
            siblings=("0.57.0",),
        ),
        Valid(
            """
            revision = "937cbd173ca1"
            down_revision = None
            """,
            file_name="0001_2_7_0_add_index_to_task_instance_table.py",
        ),
    )
    INVALID = (
        Invalid(
            """
            revision = "1975ea83b712"
            down_revision = None
            """,
            file_name="ae1027a6acf_add_account.py",
            siblings=("ae1027a6acf",),
            line=1,
        ),
        Invalid(
            """
            revision = "77ebcc9cf355"
            down_revision = None
            """,
            file_name="2022_06_04_133535_d60c18774a5d_add_indexes.py",
            line=1,
        ),
    )

    def check_revision(self, facts: RevisionFacts, revision: RevisionContext) -> None:
        if facts.revision is None or len(facts.revision.values) != 1:
            return
        template = revision.file_template.replace("\\", "/").rpartition("/")[2]
        if "%(rev)" not in template:
            return
        value = facts.revision.values[0]
        stem = revision.file_name.removesuffix(".py")
        if _holds_word(stem, value) or _matches(template, value, stem):
            return
        claimed = {word for word in _ALEMBIC_ID.findall(stem) if word != value}
        for other in _candidates(stem, revision.known_revisions or frozenset()):
            if other != value and _holds_word(stem, other):
                claimed.add(other)
        if claimed:
            self.report(
                (facts.revision.line, facts.revision.column),
                revision=value,
                file_name=revision.file_name,
                fix="rename the file or correct `revision`",
            )


def _holds_word(stem: str, revision: str) -> bool:
    """Whether ``revision`` is in ``stem`` with no letter or digit right before or after it,
    or is there once punctuation is left out of both (``0.57.0rc1`` in ``0.57.0.rc1_release``)."""
    start = stem.find(revision) if revision else -1
    while start != -1:
        end = start + len(revision)
        if not _is_letter_or_digit(stem, start - 1) and not _is_letter_or_digit(stem, end):
            return True
        start = stem.find(revision, start + 1)
    letters = _letters(revision)
    return bool(letters) and letters != revision and letters in _letters(stem)


def _is_letter_or_digit(text: str, index: int) -> bool:
    return 0 <= index < len(text) and text[index] in _LETTERS_AND_DIGITS


def _letters(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", text)


def _candidates(stem: str, known: frozenset[str]) -> list[str]:
    """The ids of ``known`` whose letters and digits appear in ``stem``'s: the only ones
    :func:`_holds_word` can find there. Looked up by slices of the name, so that a file is not
    compared with every id of a long history one by one."""
    letters = _letters(stem)
    found: list[str] = []
    for length, ids in _by_letters(known).items():
        for start in range(len(letters) - length + 1):
            found.extend(ids.get(letters[start : start + length], ()))
    return found


@functools.lru_cache(maxsize=8)
def _by_letters(known: frozenset[str]) -> dict[int, dict[str, list[str]]]:
    """``known`` by the length of their letters and digits, then by those letters and digits."""
    index: dict[int, dict[str, list[str]]] = {}
    for identifier in known:
        letters = _letters(identifier)
        if letters:
            index.setdefault(len(letters), {}).setdefault(letters, []).append(identifier)
    return index


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
