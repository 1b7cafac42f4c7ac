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


# What a terminal acts on or reorders: C0 and C1 controls and DEL (escape sequences, a new line that
# forges a report line), line and paragraph separators, bidirectional controls, and the lone
# surrogates Python uses for file-name bytes that are not UTF-8.
_BEYOND_C0 = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_TERMINAL_UNSAFE = re.compile(f"[\x00-\x1f{_BEYOND_C0}]")
# json.dumps escapes every C0 control inside strings; outside them it writes only its own layout.
_JSON_UNSAFE = re.compile(f"[{_BEYOND_C0}]")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def terminal_safe(line: str) -> str:
    """``line`` with every character a terminal would act on shown as an escape (``\\n``, ``\\x1b``,
    ``\\u202e``): a value read from a file can neither send the terminal a sequence nor forge a line."""
    return _TERMINAL_UNSAFE.sub(_escaped, line)


def terminal_safe_json(text: str) -> str:
    """JSON text as ``json.dumps(..., ensure_ascii=False)`` writes it, with the characters it leaves
    as they are (DEL, C1 controls, bidirectional controls, lone surrogates) written as ``\\uXXXX``:
    the same document, and safe to print."""
    return _JSON_UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def _escaped(found: re.Match[str]) -> str:
    character = found.group()
    code = ord(character)
    return _NAMED_ESCAPES.get(character) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
