"""Database passwords out of everything a command reports.

The passwords are those of the database URLs a run can use: ``sqlalchemy.url`` of the ini
section, the URL environment variable (``lback.url_env``, ``DATABASE_URL`` by default), and any
URL given in an environment variable of the invocation or an ``-x`` argument. Each one is
replaced by ``***`` wherever it appears, in plain and in URL-quoted form.
"""

from __future__ import annotations

import configparser
import functools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TextIO
from urllib.parse import quote, quote_plus

from sqlalchemy.engine import make_url

MASK = "***"
DEFAULT_URL_VARIABLE = "DATABASE_URL"


@functools.lru_cache(maxsize=256)
def url_password(value: str) -> str | None:
    """The password of ``value`` when it is a database URL with one, else ``None``."""
    if "://" not in value:
        return None
    try:
        password = make_url(value.strip()).password
    except Exception:  # not a URL: it has no password to hide
        return None
    return str(password) if password else None


def _ini_values(ini_path: Path, section: str) -> dict[str, str]:
    try:
        stamp = ini_path.stat().st_mtime_ns
    except OSError:
        return {}
    return _read_ini_section(str(ini_path), stamp, section)


@functools.lru_cache(maxsize=32)
def _read_ini_section(ini_path: str, stamp: int, section: str) -> dict[str, str]:
    # ``stamp`` (the file's mtime) is part of the cache key: an edited file is read again.
    parser = configparser.ConfigParser(
        defaults={"here": str(Path(ini_path).resolve().parent)}, interpolation=None
    )
    try:
        parser.read(ini_path, encoding="utf-8")
    except configparser.Error:
        return {}
    if not parser.has_section(section):
        return {}
    return dict(parser.items(section))


def configured_passwords(
    ini_path: Path,
    section: str,
    environment: Mapping[str, str],
    x_arguments: Sequence[str] = (),
) -> set[str]:
    """Every password a run configured by ``ini_path`` and ``environment`` may see.

    :param environment: the variables given to the run, on top of :data:`os.environ`.
    """
    ini = _ini_values(ini_path, section)
    variable = ini.get("lback.url_env", DEFAULT_URL_VARIABLE)
    candidates = [
        ini.get("sqlalchemy.url", "").replace("%%", "%"),
        os.environ.get(variable, ""),
        os.environ.get(DEFAULT_URL_VARIABLE, ""),
        *environment.values(),
        *(argument.partition("=")[2] for argument in x_arguments),
    ]
    return {password for value in candidates if (password := url_password(value))}


class Redactor:
    """Replaces each of ``passwords`` by ``***`` in text, argument lists and exceptions."""

    def __init__(self, passwords: Iterable[str]) -> None:
        forms = {form for password in passwords for form in _forms(password)}
        self._forms = sorted(forms, key=len, reverse=True)

    def text(self, value: str) -> str:
        """``value`` with every password masked."""
        for form in self._forms:
            value = value.replace(form, MASK)
        return value

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


def _forms(password: str) -> set[str]:
    return {form for form in (password, quote(password, safe=""), quote_plus(password)) if form}
