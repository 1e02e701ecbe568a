"""LB405 unknown-down-revision."""

from __future__ import annotations

from ..findings import Severity
from ..rule import Invalid, RevisionContext, RevisionFacts, Rule, Valid


class UnknownDownRevision(Rule):
    """``down_revision`` must name revisions that exist: Alembic refuses to build the history
    otherwise, and every command fails until it is fixed. It happens after a rebase that
    dropped or renamed a revision, or a revision copied from another branch.

    Set ``down_revision`` to the id of the revision this one follows (``alembic heads`` lists
    the candidates), or merge the branches with ``alembic merge``.

    The ``lint`` command looks for the named revisions among all it lints and the files beside
    them, so a history spread over several directories (several ``version_locations``, or
    ``expand`` / ``contract`` branches in subdirectories) is one history.
    """

    code = "LB405"
    name = "unknown-down-revision"
    severity = Severity.ERROR
    message = (
        "down_revision {value!r} names no revision of the history: set it to the "
        "revision this one follows (see alembic heads)"
    )
    VALID = (
        Valid(
            """
            revision = "ae1027a6acf"
            down_revision = "1975ea83b712"
            """,
            siblings=("1975ea83b712", "ae1027a6acf"),
        ),
    )
    INVALID = (
        Invalid(
            """
            revision = "ae1027a6acf"
            down_revision = "27c6a30d7c24"
            """,
            siblings=("1975ea83b712", "ae1027a6acf"),
            line=2,
        ),
    )

    def check_revision(self, facts: RevisionFacts, revision: RevisionContext) -> None:
        if facts.down_revision is None or revision.known_revisions is None:
            return
        for value in facts.down_revision.values:
            if value not in revision.known_revisions:
                place = (facts.down_revision.line, facts.down_revision.column)
                self.report(place, value=value)
