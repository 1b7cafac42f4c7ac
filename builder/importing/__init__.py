"""`lmspack import`: canonical quiz folders from the files other tools (and lmspack) write.

Each source format has one module here with two functions:

    recognises(path: Path, head: bytes) -> bool   # head: the file's first 4096 bytes (b"" for a folder)
    read(path: Path) -> list[ImportedQuiz]        # raises InputError with every problem at its place
    SOURCE_FORMAT = "..."                         # optional: what it reads, for the message about a
                                                  # source that no reader recognises

and one line in ``READERS`` below (the order in which readers are asked). ``import_sources`` is the
whole of ``lmspack import``: which reader recognises each source, every reader's problems at once,
then the writing.

A reader turns its source into the documents lmspack's loader reads (docs/format.md): quiz.yaml's
mapping and one mapping per item, with text as Markdown or sanitisable HTML, and the files the texts
show. Whatever the source holds that lmspack's model cannot is a ``Lost`` entry naming its place in the
source: the import lists it and never drops it silently. Writing the folders (and refusing to overwrite
without --force) is the same for every source, in builder/importing/writing.py.
"""

from __future__ import annotations

import importlib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from builder.errors import InputError, Problem, UsageError, escaped


@dataclass(frozen=True, order=True)
class Lost:
    """One thing in the source that the quiz folder does not carry: where it is (the source file, and
    a line or a path inside a zip when there is one) and what it is, in plain words."""

    place: str
    what: str


@dataclass
class ImportedItem:
    """One item file: its id (also its file name, ``<id>.yaml``) and the mapping written into it, keys
    in the order docs/format.md lists them."""

    identifier: str
    document: dict[str, object]


@dataclass
class ImportedQuiz:
    """One quiz folder: quiz.yaml's mapping, its items in the quiz's order, the files its texts show
    (path inside the quiz folder -> bytes) and what could not be carried."""

    identifier: str
    document: dict[str, object]
    items: list[ImportedItem]
    media: dict[str, bytes] = field(default_factory=dict)
    lost: list[Lost] = field(default_factory=list)


READERS: tuple[str, ...] = (
    # The modules of builder.importing that read a source format, in the order they are asked
    # whether they recognise a source (the first that does reads it). One name a line.
    "qti21",
    "scorm",
    "moodle",
    "canvas",
    # Plain text: Aiken before the others (a .txt with ANSWER: lines is Aiken's, and neither of the
    # others claims such a file), then text2qti (numbered questions with choice lines), then GIFT.
    "aiken",
    "text2qti",
    "gift",
)
"""The reader modules, each imported only when an import runs (builder.importing.<name>)."""

HEAD_BYTES = 4096
"""How much of a file a reader's ``recognises`` is given."""


@dataclass
class ImportedSource:
    """What one source gave: its quizzes, and the folder each was written to."""

    source: Path
    reader: str
    quizzes: list[ImportedQuiz]


@dataclass
class ImportReport:
    """What an import wrote, and everything it could not carry (never dropped silently)."""

    out: Path
    sources: list[ImportedSource]
    written: list[Path]

    @property
    def lost(self) -> list[Lost]:
        return [lost for source in self.sources for quiz in source.quizzes for lost in quiz.lost]

    def folders(self) -> list[tuple[ImportedSource, ImportedQuiz, Path]]:
        return [(source, quiz, self.out / quiz.identifier) for source in self.sources for quiz in source.quizzes]

    def to_dict(self) -> dict[str, object]:
        """The machine report of ``lmspack import --json`` (paths as given, relative or not)."""
        return {
            "quizzes": [{"source": str(source.source), "reader": source.reader, "quiz": quiz.identifier,
                         "folder": str(folder), "items": len(quiz.items), "media": len(quiz.media),
                         "not_carried": [{"place": lost.place, "what": lost.what} for lost in quiz.lost]}
                        for source, quiz, folder in self.folders()],
            "written": [str(path) for path in self.written],
        }


def reader_modules() -> list[tuple[str, ModuleType]]:
    return [(name, importlib.import_module(f"{__name__}.{name}")) for name in READERS]


def source_formats(readers: list[tuple[str, ModuleType]]) -> str:
    """What lmspack import reads, for the message about a source no reader recognises: each
    reader's SOURCE_FORMAT (optional; its module name otherwise)."""
    return "; ".join(str(getattr(module, "SOURCE_FORMAT", name)) for name, module in readers)


def _head(path: Path) -> bytes:
    """The start of a source file for ``recognises`` (b"" for a folder); UsageError when it is
    neither a readable file nor a folder."""
    if path.is_dir():
        return b""
    if not path.exists():
        raise UsageError(f"{escaped(str(path))}: no such file or folder")
    if not path.is_file():
        raise UsageError(f"{escaped(str(path))} is not a file or a folder; lmspack import reads files and folders")
    try:
        with path.open("rb") as stream:
            return stream.read(HEAD_BYTES)
    except OSError as error:
        raise UsageError(f"{escaped(str(path))} cannot be read: {error.strerror}") from error


def import_sources(sources: list[Path], out: Path, force: bool = False) -> ImportReport:
    """Read every source with the first reader that recognises it, then write one canonical quiz
    folder per quiz under ``out`` (builder/importing/writing.py).

    UsageError: a source no reader recognises (naming what lmspack reads), or files that exist
    already without ``force``. InputError: every problem the readers found, in all the sources at
    once; nothing is written then."""
    readers = reader_modules()
    chosen: list[tuple[Path, str, ModuleType]] = []
    problems: list[Problem] = []
    for path in sources:
        head = _head(path)
        if head.startswith(b"PK") and not zipfile.is_zipfile(path):
            problems.append(Problem(escaped(str(path)), 0, 0, "not a readable zip archive (cut short or damaged)"))
            continue
        found = next(((name, module) for name, module in readers if module.recognises(path, head)), None)
        if found is None:
            raise UsageError(f"{escaped(str(path))} is not a source lmspack import reads; it reads: "
                             f"{source_formats(readers)}")
        chosen.append((path, *found))
    imported: list[ImportedSource] = []
    for path, name, module in chosen:
        try:
            imported.append(ImportedSource(path, name, module.read(path)))
        except InputError as error:
            problems += error.problems
    if problems:
        raise InputError(problems)
    from builder.importing.writing import write_quizzes  # it reads this module's classes

    written = write_quizzes([(quiz, str(source.source)) for source in imported for quiz in source.quizzes],
                            out, force)
    return ImportReport(out, imported, written)
