"""Asking the user, Django style: one yes/no question per rename candidate, default No.

Alembic runs ``env.py`` in the process of the command, so the terminal is that of the
``alembic`` (or ``lback-migrations``) command itself. A caller may have redirected
``sys.stdout`` to capture the command's output (the in-process runner of
:class:`~lback_migrations.commands.MigrationCommands` does): the question then goes to the
process's original standard output, the terminal the answer comes from.
"""

from __future__ import annotations

import sys
from typing import TextIO

_YES = frozenset({"y", "yes"})
_NO = frozenset({"", "n", "no"})


def _is_terminal(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except ValueError:  # a closed stream is no terminal
        return False


def terminal_output(stdout: TextIO | None = None) -> TextIO | None:
    """The stream questions are written to: ``stdout`` when given, else ``sys.stdout`` or, when
    that was redirected, the original ``sys.__stdout__``, whichever is a terminal."""
    if stdout is not None:
        return stdout
    return next((s for s in (sys.stdout, sys.__stdout__) if _is_terminal(s)), None)


def can_ask(stdin: TextIO | None = None, stdout: TextIO | None = None) -> bool:
    """Tell whether a person can answer: standard input is a terminal and questions can be
    written to one."""
    source = sys.stdin if stdin is None else stdin
    return _is_terminal(source) and terminal_output(stdout) is not None


def ask(question: str, stdin: TextIO | None = None, stdout: TextIO | None = None) -> bool:
    """Ask ``question`` until the answer is yes or no; an empty answer or end of input is no.

    :param question: the question, without the ``[y/N]`` suffix.
    :returns: whether the user answered yes.
    """
    source = sys.stdin if stdin is None else stdin
    sink = terminal_output(stdout) or sys.stdout
    while True:
        sink.write(f"{question} [y/N] ")
        sink.flush()
        line = source.readline()
        if not line:
            sink.write("\n")
            return False
        answer = line.strip().lower()
        if answer in _YES:
            return True
        if answer in _NO:
            return False
        sink.write("Please answer y or n.\n")
