"""Small quiz projects written into a temporary folder, and building them in each format, for tests."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import shutil
import textwrap
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from builder.cli import main
from builder.errors import InputError
from builder.formats import Output, builder_for, checker_for, refuse
from builder.importing import ImportedQuiz
from builder.importing.writing import write_quizzes
from builder.loading import load_quizzes
from builder.model import ChoiceInteraction, Item, Quiz

QUIZ_YAML = """\
identifier: demo
title: Demo quiz
version: 1.0.0
pass_mark: 50
"""

SINGLE = """\
id: {id}
type: single_choice
prompt: Pick the right one.
choices:
  - text: Right
    correct: true
    feedback: Yes.
  - text: Wrong
    feedback: No.
"""


def choice_quiz(quiz: Quiz) -> Quiz:
    """``quiz`` with its first three choice items only (the bundled quiz's single choice, true/false
    and multiple response items, without media), for tests of how choices are written, scored and
    reported (typed items and the diagram item have tests of their own)."""
    choices = [item for item in quiz.items if isinstance(item.interaction, ChoiceInteraction)]
    return dataclasses.replace(quiz, items=tuple(choices[:3]))


def with_interaction(item: Item, **changes: object) -> Item:
    """``item`` with these fields of its interaction changed (choices, wrong_choice_penalty, ...)."""
    return dataclasses.replace(item, interaction=dataclasses.replace(item.interaction, **changes))


def make_project(root: Path, items: dict[str, str] | None = None, quiz: str = QUIZ_YAML,
                 folder: str = "items/demo") -> Path:
    """Write quiz.yaml and the given item files (name -> YAML text) under root/folder."""
    quiz_dir = root / folder
    quiz_dir.mkdir(parents=True, exist_ok=True)
    (quiz_dir / "quiz.yaml").write_text(textwrap.dedent(quiz), encoding="utf-8")
    if items is None:
        items = {"q1.yaml": SINGLE.format(id="q1")}
    for name, text in items.items():
        path = quiz_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return quiz_dir


# The format modules, by format name; tests skip a format whose module is not there yet.
FORMAT_MODULES = {"qti21": "builder.formats.qti21", "scorm12": "builder.formats.scorm",
                  "scorm2004": "builder.formats.scorm", "moodle": "builder.formats.moodle",
                  "canvas": "builder.formats.canvas", "anki": "builder.formats.anki",
                  "cards-csv": "builder.formats.cards_csv", "quizlet": "builder.formats.quizlet"}


def build_format(fmt: str, quiz: Quiz) -> Output:
    """``quiz`` checked and built for the format as a build does (InputError: what its check
    refuses), or the test skipped when the module is absent."""
    pytest.importorskip(FORMAT_MODULES[fmt])
    refuse(checker_for(fmt)(quiz))
    return builder_for(fmt)(quiz)


def package_files(output: Output) -> dict[str, bytes]:
    """Every file a package holds: its zip members by name, or the file itself under ''."""
    if not output.filename.endswith(".zip"):
        return {"": output.data}
    with zipfile.ZipFile(io.BytesIO(output.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def copy_inputs(source: Path, quiz_dir: Path) -> None:
    """A corpus entry into a quiz folder: one file as is, or every file of a folder."""
    files = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
    for path in files:
        target = quiz_dir / (path.name if source.is_file() else path.relative_to(source))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def imported(reader: ModuleType, path: Path, text: str) -> ImportedQuiz:
    """The quiz an import reader (builder.importing.gift, ...) makes of ``text``, written at ``path``."""
    path.write_text(text, encoding="utf-8")
    (quiz,) = reader.read(path)
    return quiz  # type: ignore[no-any-return]


def import_problems(reader: ModuleType, path: Path, text: str) -> list[str]:
    """The problems an import reader finds in ``text`` (written at ``path``), as "line:column: message"."""
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        reader.read(path)
    assert all(problem.path == str(path) for problem in raised.value.problems)
    return [f"{problem.line}:{problem.column}: {problem.message}" for problem in raised.value.problems]


def read_or_refused(reader: ModuleType, path: Path, text: str) -> None:
    """Any text, read by an import reader: quizzes that load, or problems (InputError), nothing else."""
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        quizzes = reader.read(path)
    except InputError as error:
        assert error.problems
        return
    write_quizzes([(quiz, path.name) for quiz in quizzes], path.parent / "out", force=True)


def imported_and_built(quizzes: list[ImportedQuiz], root: Path, source: str = "bank") -> list[Quiz]:
    """Imported quizzes written under root/items, built in every format by `lmspack build` run
    in ``root`` (which must succeed), and loaded back as the model the packages were made from."""
    write_quizzes([(quiz, source) for quiz in quizzes], root / "items")
    with contextlib.chdir(root):
        result = CliRunner().invoke(main, ["build", "items", "--format", "all", "--out", "dist"])
    assert result.exit_code == 0, result.output
    assert len(list((root / "dist").glob("*.zip"))) >= 4 * len(quizzes)
    return load_quizzes([root / "items"], root)


def import_and_build(tmp: Path, output: Output, reader: ModuleType, fmt: str) -> tuple[Output, list[ImportedQuiz]]:
    """``output`` (a package lmspack built) written to ``tmp`` under its own name, imported with
    ``reader`` (a module of builder.importing) into canonical quiz folders, and those built again in
    ``fmt``: the package built from the import, and the quizzes the reader gave."""
    source = tmp / output.filename
    source.write_bytes(output.data)
    imported = reader.read(source)
    write_quizzes([(quiz, source.name) for quiz in imported], tmp / "imported")
    (quiz,) = load_quizzes([tmp / "imported" / imported[0].identifier], tmp)
    return build_format(fmt, quiz), imported


def rebuilt_from_import(tmp: Path, quiz_dir: Path, reader: ModuleType, fmt: str) -> tuple[Output, Output]:
    """The quiz in ``quiz_dir`` built in ``fmt``, and built again from the import of that package."""
    (quiz,) = load_quizzes([quiz_dir], tmp)
    original = build_format(fmt, quiz)
    return original, import_and_build(tmp, original, reader, fmt)[0]
