"""A real git repository in a temporary directory, driven through the ``git`` command."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

IGNORED = "app.db\n*.db\n__pycache__/\n.lback-cache/\n"


@dataclass(frozen=True)
class GitRepository:
    """A repository whose work tree is ``root``."""

    root: Path

    @classmethod
    def init(cls, root: Path) -> GitRepository:
        """``git init`` in ``root`` with a fixed identity, and the usual ``.gitignore``."""
        repository = cls(root)
        repository.git("init", "--quiet", "--initial-branch", "main")
        repository.git("config", "user.name", "Test")
        repository.git("config", "user.email", "test@example.com")
        repository.git("config", "commit.gpgsign", "false")
        (root / ".gitignore").write_text(IGNORED)
        return repository

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``git ARGS`` in the work tree; raise with the output when ``check`` and it fails."""
        environment = {
            key: value for key, value in os.environ.items() if not key.startswith("GIT_")
        }
        result = subprocess.run(
            ["git", *args],
            cwd=self.root,
            env=environment | {"GIT_CONFIG_NOSYSTEM": "1", "HOME": str(self.root)},
            capture_output=True,
            text=True,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"git {' '.join(args)} exited {result.returncode}\n{result.stdout}{result.stderr}"
            )
        return result

    def commit_all(self, message: str) -> None:
        """Stage every change and commit it."""
        self.git("add", "--all")
        self.git("commit", "--quiet", "-m", message)

    def conflicted_files(self) -> list[str]:
        """The files with unresolved merge conflicts."""
        listing = self.git("diff", "--name-only", "--diff-filter=U").stdout
        return listing.split()
