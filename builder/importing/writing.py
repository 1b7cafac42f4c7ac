"""Writing imported quizzes as canonical quiz folders: the same for every source format.

The folders are first written into a temporary folder beside the output and loaded back with the
loader, so an import that would not build is reported and nothing is written; then each file goes
to its place atomically. An existing file is never replaced without ``force``.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
from pathlib import Path, PurePosixPath

import yaml

from builder.errors import InputError, Problem, UsageError
from builder.importing import ImportedQuiz
from builder.loading import QUIZ_FILE, load_quizzes
from builder.writing import write_atomic


class _CanonicalDumper(yaml.SafeDumper):
    """YAML as an author writes it: keys in the reader's order, text of several lines as a literal
    block (``|``), lists indented under their key, no line folded."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_LINE_BREAKS_OF_YAML = re.compile("[\x85\u2028\u2029]")


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PyYAML writes a block scalar only when the text has no trailing spaces before a line end and
    # no characters it would have to escape; otherwise it quotes, which loads back the same.
    if _LINE_BREAKS_OF_YAML.search(value):
        style: str | None = '"'  # escaped: written raw, YAML would read these as line ends
    else:
        style = "|" if "\n" in value.rstrip("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_CanonicalDumper.add_representer(str, _text)


def yaml_text(document: dict[str, object], header: str = "") -> str:
    """``document`` as the text of a canonical file, ``header`` (lines of comment) first."""
    body = yaml.dump(document, Dumper=_CanonicalDumper, sort_keys=False, allow_unicode=True,
                     width=100_000, default_flow_style=False)
    comment = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
    return comment + body


def quiz_files(quiz: ImportedQuiz, source: str) -> dict[PurePosixPath, bytes]:
    """The files of one quiz folder, by path inside it: quiz.yaml, one ``<id>.yaml`` per item, and
    the media files."""
    files = {PurePosixPath(QUIZ_FILE): yaml_text(quiz.document, f"Imported by lmspack import from {source}.")
             .encode("utf-8")}
    for item in quiz.items:
        files[PurePosixPath(f"{item.identifier}.yaml")] = yaml_text(item.document).encode("utf-8")
    for name, data in quiz.media.items():
        path = PurePosixPath(name)
        if path.is_absolute() or ".." in path.parts or str(path) in {".", ""}:
            raise ValueError(f"a reader gave the media path {name!r}, which is not inside the quiz folder")
        files[path] = data
    return files


def write_quizzes(quizzes: list[tuple[ImportedQuiz, str]], out: Path, force: bool = False) -> list[Path]:
    """Write each (quiz, source name) as the folder ``out/<quiz id>``; the files written.

    Raises UsageError naming every existing file when ``force`` is not given, and InputError when
    the folders written would not load (each problem at its place in the new folder)."""
    planned: dict[Path, bytes] = {}
    for quiz, source in quizzes:
        for path, data in quiz_files(quiz, source).items():
            target = out / quiz.identifier / path
            if target in planned:
                raise UsageError(f"two imported quizzes would both write {target}; import them into separate "
                                 "folders (--out)")
            planned[target] = data
    existing = sorted(str(path) for path in planned if path.exists() or path.is_symlink())
    if existing and not force:
        shown = "\n  ".join(existing[:20]) + (f"\n  and {len(existing) - 20} more" if len(existing) > 20 else "")
        raise UsageError(f"these files exist already; lmspack import never replaces a file unless given "
                         f"--force:\n  {shown}")
    _check_loads(planned, out)
    written = []
    for target, data in planned.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.is_dir():
            raise UsageError(f"{target} is a link or a folder; lmspack import writes only plain files")
        write_atomic(target, data)
        written.append(target)
    return written


def _check_loads(planned: dict[Path, bytes], out: Path) -> None:
    """Load the folders from a temporary copy; report their problems at the paths they will have
    (the output folder is left as it was: removed again when this made it)."""
    made = [folder for folder in (out, *out.parents) if not folder.exists()]
    out.mkdir(parents=True, exist_ok=True)
    trial = Path(tempfile.mkdtemp(prefix=".lmspack-import-", dir=out))
    try:
        folders = set()
        for target, data in planned.items():
            copy = trial / target.relative_to(out)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(data)
            folders.add(trial / target.relative_to(out).parts[0])
        try:
            load_quizzes(sorted(folders), trial)
        except InputError as error:
            shutil.rmtree(trial, ignore_errors=True)
            for folder in made:  # innermost first; only empty ones, as made
                with contextlib.suppress(OSError):
                    folder.rmdir()
            raise InputError([Problem(str(out / problem.path) if not Path(problem.path).is_absolute()
                                      else problem.path.replace(str(trial), str(out)),
                                      problem.line, problem.column, problem.message)
                              for problem in error.problems]) from None
    finally:
        shutil.rmtree(trial, ignore_errors=True)
