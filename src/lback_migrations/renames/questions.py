"""Asking the user, Django style: one yes/no question per rename candidate, default No."""

from __future__ import annotations

import sys
from typing import TextIO

_YES = frozenset({"y", "yes"})
_NO = frozenset({"", "n", "no"})


def can_ask(stdin: TextIO | None = None) -> bool:
    """Tell whether a person can answer: standard input is a terminal.

    Alembic runs ``env.py`` in the process of the command, so this is the terminal of the
    ``alembic`` (or ``lback-migrations``) command itself.
    """
    stream = sys.stdin if stdin is None else stdin
    try:
        return stream is not None and stream.isatty()
    except ValueError:  # a closed stream answers nothing
        return False


def ask(question: str, stdin: TextIO | None = None, stdout: TextIO | None = None) -> bool:
    """Ask ``question`` until the answer is yes or no; an empty answer or end of input is no.

    :param question: the question, without the ``[y/N]`` suffix.
    :returns: whether the user answered yes.
    """
    source = sys.stdin if stdin is None else stdin
    sink = sys.stdout if stdout is None else stdout
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
