"""Where things are: the project folder of what a command is given, its lmspack.yaml, its quizzes
and its output folder, whatever the working directory.

The rule (docs/format.md, "Where things are"): the project folder is the nearest folder at or
above the path given (or the working directory, given none) that holds lmspack.yaml. Without
one, a quiz folder is its own project, a folder of quiz folders given is the project for them,
and with no path the working directory is. A command given no path takes the working directory
when it is a quiz folder, else the project's folder of quizzes (items/, or lmspack.yaml's
``quizzes``). The packages go to the project's output folder (dist/, or ``out``), the cache to
its .lmspack-cache/, and messages and build-manifest.json give paths relative to it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from builder.errors import InputError, Problem, UsageError, escaped
from builder.loading import NO_PROJECT_FILE, PROJECT_FILE, QUIZ_FILE, ProjectSettings, load_project_file


@dataclass(frozen=True)
class Project:
    """What a command works on: the project folder, what its lmspack.yaml says, the paths to load
    quizzes from and where their packages go."""

    folder: Path
    """The project folder, absolute (symbolic links as they are written)."""
    settings: ProjectSettings
    quizzes: tuple[Path, ...]
    """Quiz folders, or folders holding quiz folders, to load (builder.loading.load_quizzes)."""
    out: Path
    """The output folder: --out as given, else the project's, relative to the working directory
    when it is inside it (as the commands show it)."""


def locate(paths: Sequence[Path], cwd: Path, out: Path | None = None) -> Project:
    """The project of ``paths`` (none: of the working directory ``cwd``), as the rule above says.
    Paths that do not exist take no part in finding it (loading says they do not exist).

    Raises InputError for the problems of lmspack.yaml, UsageError when the paths are in
    different projects (their packages would have no one place to go)."""
    cwd = Path(os.path.abspath(cwd))
    given = [Path(os.path.abspath(cwd / path)) for path in paths]
    starts = [path if path.is_dir() else path.parent for path in given if os.path.lexists(path)] or [cwd]
    found = {start: project_folder_of(start) for start in starts}
    folders = list(dict.fromkeys(found.values()))
    if len(folders) > 1:
        first, other = (next(start for start, folder in found.items() if folder == each) for each in folders[:2])
        raise UsageError(f"{escaped(str(first))} and {escaped(str(other))} are in different project folders "
                         f"({escaped(str(folders[0][0]))} and {escaped(str(folders[1][0]))}); give one project's "
                         f"quizzes at a time, or put an {PROJECT_FILE} in a folder that holds them all")
    folder, marked = folders[0]
    problems: list[Problem] = []
    # Its problems show lmspack.yaml as the working directory sees it: which one was found matters.
    settings = load_project_file(folder, problems, escaped(str(_shown(folder / PROJECT_FILE, cwd)))) if marked \
        else NO_PROJECT_FILE
    if problems:
        raise InputError(problems)
    if not paths:
        quizzes = [cwd] if os.path.lexists(cwd / QUIZ_FILE) else [folder / settings.quizzes]
        if not os.path.lexists(quizzes[0]):
            raise InputError([Problem(escaped(settings.quizzes), 0, 0, (
                f"no such folder; given no path, lmspack reads the working directory when it is a quiz folder "
                f"(it holds no {QUIZ_FILE}), else the quizzes in {settings.quizzes}/ of the project folder "
                f"{escaped(str(folder))}: give the path of a quiz folder or of a folder of quizzes (lmspack new PATH "
                "starts a quiz)"))])
    else:  # the project folder itself stands for its quizzes, unless it is a quiz folder too
        quizzes = [folder / settings.quizzes if path == folder and marked and not os.path.lexists(path / QUIZ_FILE)
                   else path for path in given]
    return Project(folder, settings, tuple(quizzes), out if out is not None else _shown(folder / settings.out, cwd))


def project_folder_of(start: Path) -> tuple[Path, bool]:
    """The nearest folder at or above ``start`` (absolute) holding lmspack.yaml, and True; else
    ``start`` itself, and False."""
    for folder in (start, *start.parents):
        if os.path.lexists(folder / PROJECT_FILE):
            return folder, True
    return start, False


def _shown(path: Path, cwd: Path) -> Path:
    """``path`` (absolute) relative to ``cwd`` when it is inside it, else as it is."""
    try:
        return path.relative_to(cwd)
    except ValueError:
        return path
