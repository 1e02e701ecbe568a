"""The revision files a pull request adds or changes: ``lint --diff-base GIT_REF``.

Adopting the linter on a long history should not mean fixing every old revision first. With
``--diff-base origin/main`` only the files that differ from the point where the working tree's
history left that ref are linted: those added or modified since the merge base, committed or
not, and new files git does not ignore. The other revisions are still read as the changed ones'
neighbours (a ``down_revision`` pointing at an old revision is found).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

from ..errors import ConfigurationError

OPTION = "--diff-base"


def changed_since(reference: str, paths: Iterable[Path], directory: Path) -> list[Path]:
    """The members of ``paths`` added or changed since the merge base of ``reference`` and
    ``HEAD`` in the git repository holding ``directory``, in the order of ``paths``.

    :raises ConfigurationError: naming ``--diff-base`` when ``directory`` is in no git
        repository or ``reference`` names no commit.
    """
    root = Path(
        _git(directory, "rev-parse", "--show-toplevel", problem="is not in a git repository")
    )
    base = _git(
        directory, "merge-base", reference, "HEAD", problem=f"{reference!r} names no commit"
    )
    listed = _git(
        root, "diff", "--name-only", "-z", "--diff-filter=ACMR", base, problem="cannot diff"
    )
    untracked = _git(
        root, "ls-files", "--others", "--exclude-standard", "-z", problem="cannot list"
    )
    changed = {(root / name).resolve() for name in (listed + "\0" + untracked).split("\0") if name}
    return [path for path in paths if path.resolve() in changed]


def _git(directory: Path, *arguments: str, problem: str) -> str:
    try:
        done = subprocess.run(
            ["git", *arguments], cwd=directory, capture_output=True, text=True, check=False
        )
    except OSError as error:
        raise ConfigurationError(OPTION, f"git cannot run ({error})", "install git") from error
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
        where = directory if "repository" in problem else ""
        raise ConfigurationError(
            OPTION,
            f"{where} {problem}".strip() + (f" ({detail})" if detail else ""),
            "name a branch, tag or commit of the repository that holds the revisions",
        )
    return done.stdout.strip()
