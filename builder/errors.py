"""One family of errors. Input problems carry a place and a fix; a traceback means a bug in us."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one input file, at a 1-based line and column (0 when the whole file is meant)."""

    path: str
    line: int
    column: int
    message: str

    def format(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class LmspackError(Exception):
    """Base of every error the tool reports to the user without a traceback."""

    exit_code = 1


class InputError(LmspackError):
    """The canonical files are invalid; every problem found is listed, sorted by place."""

    exit_code = 1

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__("\n".join(p.format() for p in self.problems))

    def __reduce__(self) -> tuple[object, ...]:  # travels back from build worker processes
        return (type(self), (self.problems,))


class OutputInvalidError(LmspackError):
    """A file we produced failed validation: a bug in a template or a format module, not in the input."""

    exit_code = 3

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.format() for p in problems))

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.problems,))


class UsageError(LmspackError):
    exit_code = 2


class WriteError(LmspackError):
    """The output folder could not take a file (disk full, permissions changed during the build)."""

    exit_code = 1


class WorkerError(LmspackError):
    """A worker process of a parallel build ended before handing back its work (killed, out of
    memory); the build stops before anything is written."""

    exit_code = 1


# Characters shown escaped in messages: a value echoed raw could hold terminal control sequences
# (ESC ] 0 ; sets the window title), bidirectional overrides that reorder the line, or bytes of a
# file name that are not UTF-8 (surrogate escapes, which cannot even be printed).
def shown(value: str, limit: int = 100) -> str:
    """``value`` in single quotes, each character that does not print as itself escaped the way
    Python writes it (\\x1b, \\u202e; a file name's undecodable byte as \\xNN), and backslashes doubled;
    cut after ``limit`` characters (a key can be a megabyte long), saying how long it was."""
    quoted = "'" + "".join(_shown_character(character) for character in value[:limit]) + "'"
    return quoted if len(value) <= limit else f"{quoted}... ({len(value):,} characters)"


_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _shown_character(character: str, backslash: str = "\\\\") -> str:
    if character == "\\":
        return backslash
    if character.isprintable():
        return character
    if character in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[character]
    code = ord(character)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, carried by Python's surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def escaped(text: str) -> str:
    """``text`` (a path, a number as written) for messages: each character that does not print as
    itself escaped as in ``shown``, but no quotes, and backslashes as they are."""
    return text if text.isprintable() else "".join(_shown_character(c, "\\") for c in text)


# What a terminal acts on or reorders, in a line printed whole: C0 and C1 controls and DEL (escape
# sequences, a new line that forges a report line), line and paragraph separators, bidirectional
# controls, and the lone surrogates Python uses for file-name bytes that are not UTF-8.
_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                              "\u2066-\u2069\ud800-\udfff]")


def terminal_safe(line: str) -> str:
    """``line`` with every character a terminal would act on shown as an escape, as in ``escaped``:
    a value read from a file can neither send the terminal a sequence nor forge a line."""
    return _TERMINAL_UNSAFE.sub(lambda found: _shown_character(found.group()), line)
