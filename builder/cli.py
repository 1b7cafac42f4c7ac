"""The command line. Each command parses its options and calls one function; only this module
imports click. Exit status: 0 success, 1 invalid input (or, with --strict, a warning), 2 usage
error, 3 a produced file failed validation, 128 + n stopped by signal n (130 Ctrl-C, 143 SIGTERM,
129 SIGHUP)."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from builder import __version__, checking, interruption, project, scaffold
from builder import build as building
from builder.errors import InputError, LmspackError, OutputInvalidError, terminal_safe
from builder.loading import QUIZ_FILE, VERSION
from builder.model import FORMAT_NAMES, Quiz

T = TypeVar("T")


def _say(line: str, err: bool = False) -> None:
    """Print one line of a report. Its values come from files and packages, so whatever a terminal
    would act on is shown escaped (JSON reports escape it themselves)."""
    click.echo(terminal_safe(line), err=err)


def _say_json(document: dict[str, object]) -> None:
    """Print a machine-readable report in plain ASCII (json.dumps escapes every other character, and
    every C0 control, inside strings), with DEL escaped too: nothing in it a terminal acts on."""
    click.echo(json.dumps(document, indent=2).replace("\x7f", "\\u007f"))


def _run(action: Callable[[], T], as_json: bool) -> T:
    """Run ``action``; report our errors (never a traceback for bad input) and exit with their code.
    SIGINT, SIGTERM and SIGHUP stop it cleanly, exiting with 128 + the signal's number."""
    try:
        with interruption.handled():
            return action()
    except LmspackError as error:
        problems = getattr(error, "problems", None)
        lines = [p.format() for p in problems] if problems else [f"error: {error}"]
        if isinstance(error, InputError):
            lines.append(f"{len(problems or [])} problem{'s' if len(problems or []) != 1 else ''} found; "
                         "nothing was written")
        elif isinstance(error, OutputInvalidError):
            lines.append("a produced file failed validation (a bug in lmspack's templates, please report it); "
                         "nothing was written")
        for line in lines:
            _say(line, err=True)
        if as_json:
            _say_json({"tool": "lmspack", "version": __version__, "ok": False, "exit_code": error.exit_code,
                       "errors": [p.format() for p in problems] if problems else [str(error)]})
        sys.exit(error.exit_code)
    except KeyboardInterrupt as stop:  # Ctrl-C, or builder.interruption.Interrupted (SIGTERM, SIGHUP)
        click.echo(f"{interruption.described(stop)}; no partial file was left behind", err=True)
        sys.exit(interruption.exit_code_of(stop))


class Progress:
    """A one-line progress bar on stderr, shown only for builds that run longer than about a
    second, and only when stderr is a terminal (never in logs, pipes or --json output)."""

    DELAY = 1.0

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int, stage: str = "building") -> None:
        if not self.enabled or time.monotonic() - self.started < self.DELAY:
            return
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r{stage:>8} [{'#' * filled}{'.' * (width - filled)}] {100 * done // max(total, 1):3d}%")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")


def _version(value: str | None) -> str | None:
    """--package-version goes into file names: the same rule as 'version' in quiz.yaml."""
    if value is not None and not VERSION.match(value):
        raise click.BadParameter(f"{value!r} may use only letters, digits and . + _ - (at most 20)")
    return value


STRICT = click.option("--strict", is_flag=True,
                      help="Exit 1 if any warning remains (those accept_warnings names in quiz.yaml or "
                           "lmspack.yaml are silenced).")


def _warn(warnings: list[building.Warned], quiet: bool, strict: bool, done: str) -> None:
    """Print the warnings (none with --quiet), and with --strict exit 1 if there are any, saying
    so in one line (also with --quiet). ``done``: what was done all the same."""
    if not quiet:
        for warning in warnings:
            _say(warning.line(), err=True)
    if strict and warnings:
        _say(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''} and --strict: exit 1 ({done})", err=True)
        sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="lmspack", message="%(prog)s %(version)s")
def main() -> None:
    """Turn quiz questions kept as YAML files into packages that LMSs import."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice([*FORMAT_NAMES, building.ALL]),
              help="Check what this format refuses (repeatable); default: the quiz's own 'formats', else "
                   "lmspack.yaml's, else qti21.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report on stdout.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors (no warnings, no summary).")
@STRICT
def validate(paths: tuple[Path, ...], formats: tuple[str, ...], as_json: bool, quiet: bool, strict: bool) -> None:
    """Check the quizzes in PATHS (quiz folders, folders of them, project folders; default: the
    current folder if it is a quiz folder, else the project's quizzes) and report every problem."""
    def located_validate() -> list[Quiz]:
        where = project.locate(paths, Path.cwd())
        return building.validate(where.quizzes, where.folder, formats, where.settings)

    quizzes = _run(located_validate, as_json)
    count = sum(len(q.items) for q in quizzes)
    warnings = building.text_warnings(quizzes)
    if as_json:
        _say_json({"tool": "lmspack", "version": __version__, "ok": True,
                   "warnings": [warning.report() for warning in warnings],
                   "quizzes": [{"quiz": q.identifier, "items": len(q.items), "cohorts": list(q.cohorts)}
                               for q in quizzes]})
    elif not quiet:
        click.echo(f"ok: {len(quizzes)} quiz{'zes' if len(quizzes) != 1 else ''}, {count} items")
    _warn(warnings, quiet, strict, "the quiz files are valid")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice([*FORMAT_NAMES, building.ALL]),
              help="Format to build (repeatable); default: the quiz's own 'formats', else lmspack.yaml's, "
                   "else qti21.")
@click.option("--out", "-o", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the packages; default: the project's (dist/ in it, or lmspack.yaml's 'out').")
@click.option("--cohort", "cohorts", multiple=True, help="Build for this cohort (repeatable, or 'all').")
@click.option("--package-version", callback=lambda ctx, param, value: _version(value),
              help="Use this version instead of the one in quiz.yaml.")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report on stdout.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors (no warnings, no list of packages).")
@STRICT
@click.option("--no-cache", "no_cache", is_flag=True,
              help="Neither read nor write .lmspack-cache/ (the packages are the same, only slower to make).")
def build(paths: tuple[Path, ...], formats: tuple[str, ...], out_dir: Path | None, cohorts: tuple[str, ...],
          package_version: str | None, as_json: bool, quiet: bool, strict: bool, no_cache: bool) -> None:
    """Build packages for the quizzes in PATHS (as for validate) into the project's dist/."""
    progress = Progress(enabled=not (quiet or as_json))

    def located_build() -> building.BuildResult:
        where = project.locate(paths, Path.cwd(), out_dir)
        return building.build(where.quizzes, where.folder, where.out, formats, cohorts, package_version, progress,
                              use_cache=not no_cache, project=where.settings)

    try:
        result = _run(located_build, as_json)
    finally:
        progress.close()
    if result.leftovers:  # even with --quiet: files were removed from the user's folder
        _say(f"removed {len(result.leftovers)} temporary file{'s' if len(result.leftovers) != 1 else ''} "
             f"left in {result.out_dir} by an interrupted build: {', '.join(result.leftovers)}", err=True)
    if as_json:
        _say_json(result.report())
    elif not quiet:
        for package in result.packages:
            _say(f"built {result.out_dir / package.output.filename} ({len(package.output.data):,} bytes)")
    # With --strict, the packages are written and valid all the same: the exit status is for CI.
    _warn(result.warnings, quiet, strict, f"the packages are written to {result.out_dir}")


@main.command()
@click.argument("path", type=click.Path(path_type=Path, file_okay=False))
@click.option("--title", help="The quiz's title; default: from the folder's name.")
def new(path: Path, title: str | None) -> None:
    """Start a quiz in the new folder PATH: quiz.yaml, one commented example item of each type
    (ready to build) and a .gitignore for the build output."""
    written = _run(lambda: scaffold.new_quiz(path, title), as_json=False)
    _say(f"made {path}: {QUIZ_FILE}, {len(written) - 2} example items (one of each type) and .gitignore")
    _say(f"next: edit the items, then `lmspack validate {path}` and `lmspack build {path}`")


@main.command()
@click.argument("path", type=click.Path(path_type=Path, file_okay=False))
@click.option("--type", "item_type", required=True, type=click.Choice(scaffold.ADDABLE_TYPES),
              help="The item's type.")
@click.option("--id", "item_id", help="The item's id (and file name); default: the type and a number.")
def add(path: Path, item_type: str, item_id: str | None) -> None:
    """Add one commented example item of a type to the quiz in PATH."""
    written = _run(lambda: scaffold.add_item(path, item_type, item_id), as_json=False)
    _say(f"added {written}")


@main.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "-o", "out_dir", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Folder to write the quiz folders into (one per quiz, named by its identifier).")
@click.option("--force", is_flag=True, help="Replace files that exist already (never done without it).")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report on stdout.")
def import_command(sources: tuple[Path, ...], out_dir: Path, force: bool, as_json: bool) -> None:
    """Write canonical quiz folders from SOURCES: QTI 2.1 and lmspack's SCORM packages, and the other
    formats docs/import.md lists. What a quiz folder cannot hold is listed, each at its place."""
    from builder import importing  # only this command needs the readers

    report = _run(lambda: importing.import_sources(list(sources), out_dir, force), as_json)
    if as_json:
        _say_json({"tool": "lmspack", "version": __version__, "ok": True} | report.to_dict())
        return
    for _, quiz, folder in report.folders():
        media = f", {len(quiz.media)} media file{'s' if len(quiz.media) != 1 else ''}" if quiz.media else ""
        _say(f"wrote {folder} ({len(quiz.items)} item{'s' if len(quiz.items) != 1 else ''}{media})")
    for lost in report.lost:
        _say(f"{lost.place}: not carried: {lost.what}", err=True)


@main.command()
@click.argument("packages", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--kind", type=click.Choice(checking.KINDS), default="auto", show_default=True,
              help="Package kind; 'auto' detects it from the manifest or the root element.")
@click.option("--schemas", "schema_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder of official schema sets (<set>/<set>_umbrella.xsd): refusals are errors. "
                   "Default: lmspack's own schemas, whose refusals are warnings (outside-lmspack-subset).")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report on stdout.")
def check(packages: tuple[Path, ...], kind: str, schema_dir: Path | None, as_json: bool) -> None:
    """Check existing PACKAGES (zips, folders, imsmanifest.xml or single XML files), ours or another
    tool's. Exit status: 0 no errors (warnings allowed), 1 at least one error, 2 usage error."""
    report = _run(lambda: checking.check_paths(list(packages), kind, schema_dir), as_json)
    if as_json:
        _say_json(report.to_dict())
    else:
        for line in report.lines():
            _say(line)
    if not report.ok:
        sys.exit(report.exit_code)


@main.command()
@click.argument("quiz", required=False, type=click.Path(path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port on 127.0.0.1; 0: a free one the system picks.")
@click.option("--no-browser", is_flag=True, help="Do not open the preview in a web browser.")
def preview(quiz: Path | None, port: int, no_browser: bool) -> None:
    """Serve the SCORM player of the quiz QUIZ (default: the working directory's quiz, or the
    project's one quiz) on 127.0.0.1, rebuilt
    when a file changes, with an author view (every item, its answer key). Ctrl-C stops it."""
    from builder import preview as previewing  # here: the other commands need no web server

    sys.exit(_run(lambda: previewing.serve(project.locate((quiz,) if quiz else (), Path.cwd()), port,
                                           not no_browser, _say), as_json=False))


def console_main() -> None:
    """The ``lmspack`` command (and ``python -m builder``): main, then an immediate exit. A large
    build leaves millions of objects that an ordinary exit frees one by one and then sweeps for
    cycles, for half a second at 10,000 items; every file is written and synced by then, so the
    process ends at once instead, as mypy does. For the same reason the cyclic collector runs only
    during the build (builder.build.rare_collections)."""
    gc.disable()
    try:
        main()
        code = 0
    except SystemExit as done:  # click ends every run this way
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
        code = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError):  # a closed pipe: nothing more can be said
            stream.flush()
    os._exit(code)
