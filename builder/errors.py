"""One family of errors. Input problems carry a place and a fix; a traceback means a bug in us."""

from __future__ import annotations

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
