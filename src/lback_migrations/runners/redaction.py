"""Database passwords out of everything a command reports.

The passwords are those of every URL the run may see, as
:func:`lback_migrations.database_url.file_urls` finds them. :class:`Redactor` replaces each
by ``***`` in every spelling that decodes to it: as written, percent-encoded in full or in part
with upper- or lower-case hex, a space as ``+`` or ``%20``. The user name and password of a URL
(``user:password``) are hidden with it, since the password is its tail.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TextIO

from ..database_url import file_urls

MASK = "***"
_SHORTEST_TAIL = 4
"""The shortest tail of a password, from one of its ``%`` on, that is masked on its own."""


def configured_passwords(
    ini_path: Path,
    section: str,
    environment: dict[str, str] | None = None,
    x_arguments: Sequence[str] = (),
) -> set[str]:
    """Every password a run configured by ``ini_path`` and ``environment`` may see.

    :param environment: the variables given to the run, on top of :data:`os.environ`.
    """
    return file_urls(ini_path, section, environment or {}, x_arguments).passwords()


class Redactor:
    """Replaces each of ``passwords`` by ``***`` in text, argument lists and exceptions."""

    def __init__(self, passwords: Iterable[str]) -> None:
        secrets = {secret for password in passwords for secret in _secrets(password)}
        patterns = [_spellings(secret) for secret in sorted(secrets, key=len, reverse=True)]
        self._pattern = re.compile("|".join(patterns)) if patterns else None

    def text(self, value: str) -> str:
        """``value`` with every password masked."""
        if self._pattern is None:
            return value
        return self._pattern.sub(MASK, value)

    def arguments(self, values: Sequence[str]) -> list[str]:
        """Each argument masked."""
        return [self.text(value) for value in values]

    def exception(self, error: BaseException | None) -> BaseException | None:
        """``error`` itself when its message holds no password, else a :class:`RedactedError`
        carrying the masked message (the original, which holds the password, is dropped)."""
        if error is None:
            return None
        message = str(error)
        masked = self.text(message)
        if masked == message:
            return error
        return RedactedError(type(error).__name__, masked)


class MaskedEcho:
    """Copies text to ``stream`` as it is written, whole lines at a time, each masked.

    Only complete lines are copied (then flushed), so that a password split between two
    writes is still masked; :meth:`close` copies what is left after the last newline.

    :param mask: masks a piece of text, such as :meth:`Redactor.text`.
    """

    def __init__(self, stream: TextIO, mask: Callable[[str], str]) -> None:
        self.stream = stream
        self.mask = mask
        self._pending = ""

    def write(self, text: str) -> None:
        """Copy the lines ``text`` completes; keep the rest for the next write."""
        lines, newline, self._pending = (self._pending + text).rpartition("\n")
        if newline:
            self._copy(lines + newline)

    def close(self) -> None:
        """Copy the text after the last newline, if any."""
        pending, self._pending = self._pending, ""
        if pending:
            self._copy(pending)

    def _copy(self, text: str) -> None:
        try:
            self.stream.write(self.mask(text))
            self.stream.flush()
        except OSError:  # a closed pipe on our side must not fail the migration
            return


class RedactedError(Exception):
    """Stands for an exception whose message held a database password.

    It is never raised, only reported: a plain :class:`Exception`, so that reporting a failure
    does not depend on Alembic being importable.

    :param original_type: the class name of the exception replaced.
    :param message: its message, password masked.
    """

    def __init__(self, original_type: str, message: str) -> None:
        self.original_type = original_type
        super().__init__(f"{original_type}: {message}")


def _secrets(password: str) -> set[str]:
    # configparser quotes an ini value from its first bad ``%`` on: each such tail is masked
    # too, so that its error message shows no part of the password.
    tails = {
        password[index:]
        for index, character in enumerate(password)
        if character == "%" and index and len(password) - index >= _SHORTEST_TAIL
    }
    return {password} | tails


def _spellings(secret: str) -> str:
    """A regular expression matching every spelling of ``secret`` that decodes to it."""
    return "".join(_character_spellings(character) for character in secret)


def _character_spellings(character: str) -> str:
    encoded = "".join(f"%{byte:02x}" for byte in character.encode("utf-8", "surrogatepass"))
    alternatives = [re.escape(character), f"(?i:{re.escape(encoded)})"]
    if character == " ":
        alternatives.append(re.escape("+"))
    return f"(?:{'|'.join(alternatives)})"
