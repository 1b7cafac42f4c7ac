"""The build: load and check every quiz, render every package in memory, then write them all.

Nothing touches the output folder until every package exists as validated bytes (STYLE.md #7)."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import hashlib
import json
import os
import re
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from builder import __version__, parallel, rendering, warning_codes
from builder.cache import NO_CACHE, Cache, session
from builder.errors import InputError, Problem, UsageError, WriteError
from builder.formats import FORMATS, Output, builder_for, checker_for, members_of, refuse
from builder.loading import NO_PROJECT_FILE, ProjectSettings, load_quizzes
from builder.model import CARD_FORMATS, FORMAT_NAMES, QUIZ_FORMATS, Notice, Quiz
from builder.packaging import Segmented, source_date_epoch
from builder.writing import Writer, file_sha256, remove_leftovers

ALL = "all"
CHECKSUMS_FILE = "SHA256SUMS"
MANIFEST_FILE = "build-manifest.json"

# How each format's package file name ends (builder/formats: <quiz-id>[-<cohort>]-<version>-<format>.<ext>).
PACKAGE_ENDINGS = {fmt: f"-{fmt}{FORMATS[fmt].ending}" for fmt in FORMAT_NAMES}
PACKAGE_FILE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*-[0-9A-Za-z][0-9A-Za-z.+_-]*(?P<ending>"
                          + "|".join(re.escape(ending) for ending in PACKAGE_ENDINGS.values()) + ")")
"""A file named as lmspack names its packages (a quiz identifier, then a version, then the format)."""


@dataclass(frozen=True)
class Package:
    """One built file: which quiz, cohort and format it is, and its bytes."""

    quiz: Quiz
    format: str
    output: Output
    sha256: str

    def report(self, out_dir: Path) -> dict[str, object]:
        return {
            "quiz": self.quiz.identifier,
            "cohort": self.quiz.cohort,
            "format": self.format,
            "version": self.quiz.version,
            "path": (out_dir / self.output.filename).as_posix(),
            "size": len(self.output.data),
            "sha256": self.sha256,
            "items": len(self.quiz.card_ids) if self.format in CARD_FORMATS else len(self.quiz.items),
            "warnings": [warning.report() for warning in grouped_warnings([self])],
        }


Built = Literal["now", "earlier", "unknown"]


@dataclass(frozen=True)
class ListedPackage:
    """A package file in the output folder as SHA256SUMS and build-manifest.json list it: its
    SHA-256 and size are always those of its bytes as the build leaves them. ``built`` says what
    else is known: "now" (this build made it), "earlier" (an earlier build did, and recorded these
    very bytes in its build-manifest.json: quiz, cohort and version are that build's), or
    "unknown" (named like a package but recorded by no build with these bytes: made before
    lmspack kept such lists, or changed by hand since; quiz, cohort and version are not known)."""

    file: str
    format: str
    sha256: str
    size: int
    built: Built
    quiz: str | None = None
    cohort: str | None = None
    version: str | None = None

    @classmethod
    def of(cls, package: Package) -> ListedPackage:
        return cls(package.output.filename, package.format, package.sha256, len(package.output.data), "now",
                   package.quiz.identifier, package.quiz.cohort, package.quiz.version)

    def manifest_entry(self) -> dict[str, object]:
        return {"file": self.file, "quiz": self.quiz, "cohort": self.cohort, "format": self.format,
                "version": self.version, "sha256": self.sha256, "size": self.size, "built": self.built}


@dataclass(frozen=True)
class OutputFolder:
    """What the output folder holds of lmspack's packages once the build has written its own."""

    listed: tuple[ListedPackage, ...]
    """Every package file, this build's and earlier ones still there, sorted by file name."""
    changed: tuple[str, ...] = ()
    """Earlier packages whose bytes are no longer those their build recorded (changed by hand)."""


def earlier_packages(out_dir: Path, built_now: Iterable[str]) -> tuple[list[ListedPackage], list[str]]:
    """The package files in ``out_dir`` that this build does not write (every file named like a
    package: PACKAGE_FILE, as every package lmspack writes is), each hashed from its bytes now, so
    that one changed by hand is never listed with a stale hash, and one deleted is not listed at
    all; what the folder's build-manifest.json recorded of each is kept while its bytes are still
    those it recorded. Also the names of those whose bytes are no longer the ones recorded."""
    try:
        named = {entry.name for entry in os.scandir(out_dir) if PACKAGE_FILE.fullmatch(entry.name)}
    except OSError:  # no folder yet, or one we may not list: nothing earlier that we can see
        return [], []
    recorded = recorded_packages(out_dir / MANIFEST_FILE)
    listed: list[ListedPackage] = []
    changed: list[str] = []
    for name in sorted(named - set(built_now)):
        hashed = file_sha256(out_dir / name)
        if hashed is None:
            continue  # deleted meanwhile, or not a file (a folder, a symbolic link)
        sha256, size = hashed
        record = recorded.get(name)
        if record is not None and record.built == "earlier":
            if record.sha256 == sha256:
                listed.append(dataclasses.replace(record, size=size))
                continue
            changed.append(name)
        listed.append(ListedPackage(name, format_named(name), sha256, size, "unknown"))
    return listed, changed


def format_named(name: str) -> str:
    """The format of a package file named ``name`` (one PACKAGE_FILE matches)."""
    match = PACKAGE_FILE.fullmatch(name)
    assert match is not None, name
    return next(fmt for fmt, ending in PACKAGE_ENDINGS.items() if ending == match["ending"])


def recorded_packages(manifest: Path) -> dict[str, ListedPackage]:
    """The packages a build-manifest.json lists, by file name; none when there is no such file or
    it is not one lmspack wrote. An entry that is not as lmspack writes it (its file not named as
    a package, its format not the one that name says) is passed over."""
    try:
        document = json.loads(manifest.read_bytes())
    except (OSError, ValueError):
        return {}
    entries = document.get("packages") if isinstance(document, dict) else None
    recorded: dict[str, ListedPackage] = {}
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        name, sha256 = entry.get("file"), entry.get("sha256")
        texts = [entry.get(field) for field in ("quiz", "cohort", "version")]
        if isinstance(name, str) and PACKAGE_FILE.fullmatch(name) and entry.get("format") == format_named(name) \
                and isinstance(sha256, str) and all(text is None or isinstance(text, str) for text in texts):
            quiz, cohort, version = (text if isinstance(text, str) else None for text in texts)
            built: Built = "unknown" if entry.get("built") == "unknown" else "earlier"
            recorded[name] = ListedPackage(name, format_named(name), sha256, 0, built, quiz, cohort, version)
    return recorded


@dataclass(frozen=True)
class BuildResult:
    packages: tuple[Package, ...]
    out_dir: Path
    leftovers: tuple[str, ...] = ()
    """Temporary files of an earlier, killed build that were removed from out_dir (builder.writing)."""
    cache_trouble: str | None = None
    """Why the cache could not be read or written (the first reason), when it could not."""
    changed_by_hand: tuple[str, ...] = ()
    """Earlier packages in out_dir whose bytes are no longer those their build recorded."""
    accepted: frozenset[str] = frozenset()
    """The codes of the warnings the project accepts (lmspack.yaml's accept_warnings)."""

    @property
    def warnings(self) -> list[Warned]:
        """Each kind of warning once per build, naming every item it concerns, in package order,
        but those the quiz accepts (accept_warnings in quiz.yaml, and in lmspack.yaml); then
        earlier packages changed since they were built, and the cache's trouble, if any, unless
        the project accepts them."""
        changed_warnings = [Warned("package-changed-by-hand", "output", None, (), (
            f"{name} in {self.out_dir} changed since lmspack built it: SHA256SUMS lists it as it now is, and "
            "build-manifest.json no longer says which quiz and version it is (build it again, or delete it)"))
            for name in self.changed_by_hand]
        cache_warning = [Warned("cache-unusable", "cache", None, (), (
            f"{self.cache_trouble}; the packages are complete, but a rebuild will not be faster (--no-cache "
            "builds without it)"))] if self.cache_trouble else []
        return (text_warnings(p.quiz for p in self.packages) + flashcard_warnings(self.packages)
                + grouped_warnings(self.packages)
                + [warning for warning in changed_warnings + cache_warning if warning.code not in self.accepted])

    def report(self) -> dict[str, object]:
        return {"tool": "lmspack", "version": __version__, "ok": True,
                "packages": [p.report(self.out_dir) for p in self.packages],
                "warnings": [warning.report() for warning in self.warnings]}


@dataclass(frozen=True)
class Warned:
    """One kind of warning for one quiz (one package of it, for a format's), as the commands report
    it: its stable code (builder.warning_codes, docs/warnings.md), where, and every item it concerns."""

    code: str
    format: str
    """The format that cannot carry something, 'text' for what loading left out, 'cache'."""
    quiz: str | None
    """The quiz (with its cohort: its package_id); None for the build as a whole (the cache)."""
    items: tuple[str, ...]
    """Every item it concerns, in the quiz's order (none: the quiz as a whole)."""
    message: str

    def __post_init__(self) -> None:
        assert self.code in warning_codes.CODES, f"warning code {self.code!r} is not in builder.warning_codes"

    def line(self, shown: int = 5) -> str:
        """``warning: canvas: quiz, items a, b and 3 more: message [code]``: one line for one kind of
        loss, naming its first ``shown`` items (the JSON report names them all)."""
        where = self.quiz or ""
        if self.items:
            listed = ", ".join(self.items[:shown])
            more = f" and {len(self.items) - shown} more" if len(self.items) > shown else ""
            where += f", item{'s' if len(self.items) > 1 else ''} {listed}{more}"
        return f"warning: {self.format}: {where + ': ' if where else ''}{self.message} [{self.code}]"

    def report(self) -> dict[str, object]:
        return {"code": self.code, "format": self.format, "quiz": self.quiz, "items": list(self.items),
                "message": self.message}


def text_warnings(quizzes: Iterable[Quiz]) -> list[Warned]:
    """What loading left out of the items' texts or found wanting (Item.notices), once per quiz
    and kind, naming every item it concerns: whatever the formats, nothing is dropped silently
    (but what the quiz accepts)."""
    groups: dict[tuple[str, Notice], list[str]] = {}
    seen: set[str] = set()
    for quiz in quizzes:
        if quiz.identifier in seen:  # a cohort's package has the quiz's items
            continue
        seen.add(quiz.identifier)
        for item in quiz.every_item:
            for notice in item.notices:
                if notice.code not in quiz.accepted_warnings:
                    groups.setdefault((quiz.identifier, notice), []).append(item.id)
    return [Warned(notice.code, "text", quiz_id, tuple(item_ids), notice.message)
            for (quiz_id, notice), item_ids in groups.items()]


def flashcard_warnings(packages: Iterable[Package]) -> list[Warned]:
    """Once per quiz built in a quiz format: its flashcard items, which no quiz format shows (they
    are cards only, for the card formats), but where the quiz accepts that."""
    built: dict[str, tuple[Quiz, list[str]]] = {}
    for package in packages:
        if package.format in QUIZ_FORMATS and package.quiz.flashcards:
            built.setdefault(package.quiz.identifier, (package.quiz, []))[1].append(package.format)
    code = "flashcards-not-in-quiz"
    return [Warned(code, "items", quiz.identifier, tuple(flashcard.id for flashcard in quiz.flashcards),
                   f"{len(quiz.flashcards)} flashcard item{'s are' if len(quiz.flashcards) != 1 else ' is'} a card "
                   f"only: left out of the quiz formats ({', '.join(dict.fromkeys(formats))}); the card formats "
                   f"({', '.join(CARD_FORMATS)}) carry them")
            for quiz, formats in built.values() if code not in quiz.accepted_warnings]


def grouped_warnings(packages: Iterable[Package]) -> list[Warned]:
    """The formats' warnings, once per package name, format and message (a package's warnings of
    the same kind together), but those the quiz accepts."""
    # Item ids as the keys of a dict: unique, in first-seen order, and found in constant time.
    groups: dict[tuple[str, str, str, str], dict[str, None]] = {}
    for package in packages:
        for warning in package.output.warnings:
            if warning.code not in package.quiz.accepted_warnings:
                item_ids = groups.setdefault((package.quiz.package_id, warning.format, warning.code, warning.message),
                                             {})
                item_ids.update(dict.fromkeys(warning.item_ids))
    return [Warned(code, fmt, quiz_id, tuple(item_ids), message)
            for (quiz_id, fmt, code, message), item_ids in groups.items()]


def select_variants(quizzes: Sequence[Quiz], cohorts: Sequence[str]) -> list[Quiz]:
    """Each quiz as is, or once per requested cohort (``all`` = every cohort the quiz defines)."""
    if not cohorts:
        return list(quizzes)
    variants: list[Quiz] = []
    problems: list[Problem] = []
    for quiz in quizzes:
        names = quiz.cohorts if ALL in cohorts else [c for c in cohorts]
        for name in names:
            if name not in quiz.cohorts:
                known = ", ".join(quiz.cohorts) or "none"
                problems.append(Problem(quiz.place.path, quiz.place.line, quiz.place.column,
                                        f"quiz '{quiz.identifier}' has no cohort '{name}' (cohorts: {known})"))
                continue
            variants.append(quiz.for_cohort(name))
    if problems:
        raise InputError(problems)
    return variants


def select_formats(quiz: Quiz, formats: Sequence[str]) -> list[str]:
    if not formats:
        return list(quiz.formats)
    if ALL in formats:
        return list(FORMAT_NAMES)
    return [f for f in FORMAT_NAMES if f in formats]


def check_out_dir(out_dir: Path, root: Path, quizzes: str = NO_PROJECT_FILE.quizzes) -> None:
    """The build may write anywhere the user says, except into the canonical sources: the
    project's folder of quizzes (``quizzes``, in ``root``), and lmspack's own."""
    resolved = out_dir.resolve()
    # (Quizzes kept in the project folder itself, lmspack.yaml's quizzes: ., are each a folder of it.)
    for protected in (quizzes, "templates", "builder") if quizzes != "." else ("templates", "builder"):
        source = (root / protected).resolve()
        if resolved == source or source in resolved.parents:
            raise UsageError(f"--out {out_dir} is inside {protected}/; the build never writes there")
    # Check, without creating anything yet, that the folder is or can become a writable folder.
    existing = next(p for p in (resolved, *resolved.parents) if p.exists())
    if not existing.is_dir():
        raise UsageError(f"--out {out_dir}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"--out {out_dir}: no permission to write in {existing}")


# Below this much work (items times formats) a second process costs more than it saves.
PARALLEL_THRESHOLD = 2000
# Segments made ahead of the packages are made in runs of this many, one task each: enough tasks
# to keep every core busy to the end, few enough that handing them out costs nothing.
SEGMENTS_PER_RUN = 8


def compile_packages(paths: Sequence[Path], root: Path, formats: Sequence[str] = (),
                     cohorts: Sequence[str] = (), package_version: str | None = None,
                     progress: Callable[..., None] | None = None, cache: Cache = NO_CACHE,
                     project: ProjectSettings = NO_PROJECT_FILE) -> list[Package]:
    """Load, check and render everything in memory. Raises InputError or OutputInvalidError.

    With much to make, the segments of what holds every item (Segmented members: most of the
    work) that ``cache`` lacks are made first, in runs spread over worker processes, one per core;
    then the packages, put together from them, also in workers. Not when little is missing (a
    rebuild after an item changed: a segment or two in each package): put together from
    remembered segments, the packages take a few tenths of a second, less than forking workers
    costs."""
    with collector_off():  # loading makes next to no garbage in cycles: nothing to collect
        quizzes = load_quizzes(paths, root, progress, cache, project)
    if package_version is not None:
        quizzes = [dataclasses.replace(q, version=package_version) for q in quizzes]
    jobs = [(quiz, fmt) for quiz in select_variants(quizzes, cohorts) for fmt in select_formats(quiz, formats)]
    refuse(format_problems(jobs))  # every format's refusals at once, as validate lists them
    large = sum(len(quiz.items) for quiz, _ in jobs) >= PARALLEL_THRESHOLD
    runs, missing = _missing_segments(jobs, cache) if large else ([], 0)
    in_workers = missing >= PARALLEL_THRESHOLD
    if in_workers:  # the workers are forked from here: load the templates once
        rendering.compile_all()
    else:
        runs = []  # each package's own job makes what little is missing
    steps = len(runs) + len(jobs)
    parallel.map_ordered(_make_segments, runs, parallel=True, cache=cache,
                         progress=progress and (lambda done, _: progress(done, steps)))
    outputs = parallel.map_ordered(functools.partial(_compile_job, cache=cache), jobs, parallel=in_workers,
                                   progress=progress and (lambda done, _: progress(len(runs) + done, steps)),
                                   cache=cache)
    return [Package(quiz, fmt, output, digest) for (quiz, fmt), (output, digest) in zip(jobs, outputs, strict=True)]


def _missing_segments(jobs: list[tuple[Quiz, str]], cache: Cache) -> tuple[list[tuple[Segmented, list[int]]], int]:
    """The segments of every job's Segmented members that ``cache`` lacks, in runs of
    SEGMENTS_PER_RUN, each segment once where two members share it (the SCORM editions' launch
    pages share all but their ends); and how many items they are made from. Those it holds are
    read now, in a few queries: each package's job needs them."""
    planned: set[str] = set()
    runs: list[tuple[Segmented, list[int]]] = []
    missing = 0
    for quiz, fmt in jobs:
        for member in members_of(fmt)(quiz, cache):
            cache.prefetch(member.segment_entries)
            indices = [i for i, entry in enumerate(member.segment_entries)
                       if entry not in planned and not cache.holds(entry)]
            planned.update(member.segment_entries)
            missing += sum(member.segment_size(i) for i in indices)
            runs += [(member, indices[start:start + SEGMENTS_PER_RUN])
                     for start in range(0, len(indices), SEGMENTS_PER_RUN)]
    return runs, missing


def _make_segments(run: tuple[Segmented, list[int]]) -> None:
    """Make (and so remember) a run of a member's segments."""
    member, indices = run
    for index in indices:
        member.segment(index)


def _compile_job(job: tuple[Quiz, str], cache: Cache) -> tuple[Output, str]:
    """A package and its SHA-256 (hashed here, in the worker: tens of MB at 10,000 items)."""
    quiz, fmt = job
    output = builder_for(fmt)(quiz, cache)
    return output, hashlib.sha256(output.data).hexdigest()


def build(paths: Sequence[Path], root: Path, out_dir: Path, formats: Sequence[str] = (),
          cohorts: Sequence[str] = (), package_version: str | None = None,
          progress: Callable[..., None] | None = None, use_cache: bool = True,
          project: ProjectSettings = NO_PROJECT_FILE) -> BuildResult:
    """Build the quizzes under ``paths`` in the project folder ``root`` (its lmspack.yaml:
    ``project``) into ``out_dir``, the cache in ``root``."""
    source_date_epoch()  # a value no zip can carry is refused (exit 2) before any work, not midway
    check_out_dir(out_dir, root, project.quizzes)
    with session(root if use_cache else None) as build_cache, rare_collections(), \
            rendering.compiled_templates_kept(root if use_cache else None) as templates_kept:
        packages = compile_packages(paths, root, formats, cohorts, package_version, progress, build_cache, project)
        folder = output_folder(out_dir, packages)
        checksums = checksums_file(folder.listed)
        manifest = build_manifest(packages, root, folder.listed)
        # Everything exists as validated bytes; only now does anything reach the output folder.
        writer = Writer(out_dir)
        leftovers = remove_leftovers(out_dir)  # before writing: they may be what filled the disk
        try:
            for package in packages:
                writer.write(package.output.filename, package.output.data)
            writer.write(CHECKSUMS_FILE, checksums)
            writer.write(MANIFEST_FILE, manifest)
        except OSError as error:  # disk full, folder removed meanwhile...: each file is whole or absent
            raise WriteError(f"cannot write to {out_dir}: {error.strerror or error}") from None
    # After the session, which saves the cache last.
    trouble = build_cache.trouble or (templates_kept.trouble if templates_kept is not None else None)
    return BuildResult(tuple(packages), out_dir, tuple(leftovers), trouble, folder.changed, project.accepted_warnings)


def output_folder(out_dir: Path, packages: Sequence[Package]) -> OutputFolder:
    """Every package the output folder will hold once ``packages`` are written: SHA256SUMS and
    build-manifest.json list them all, whichever formats this build made (issue 20)."""
    earlier, changed = earlier_packages(out_dir, (p.output.filename for p in packages))
    listed = sorted([*map(ListedPackage.of, packages), *earlier], key=lambda package: package.file)
    return OutputFolder(tuple(listed), tuple(changed))


def checksums_file(listed: Iterable[ListedPackage]) -> bytes:
    """SHA256SUMS, as ``sha256sum`` writes it and ``sha256sum -c`` reads it."""
    return "".join(f"{package.sha256}  {package.file}\n" for package in listed).encode()


@contextlib.contextmanager
def rare_collections() -> Iterator[None]:
    """Python's cyclic garbage collector, run rarely for the duration. A large build makes hundreds
    of thousands of objects that live for the whole build and hold no cycles (the bank and what is
    made of it), and the collector scanned them again and again as more were made: a sixth of a
    cold build. Garbage without cycles is freed at once either way.

    The collector is left as it was found: when it was off (the command line, which exits right
    after, builder.cli.console_main), no collection sweeps the bank once the build is done."""
    thresholds, enabled = gc.get_threshold(), gc.isenabled()
    gc.set_threshold(50_000, 20, 100)
    gc.enable()
    try:
        yield
    finally:
        if not enabled:
            gc.disable()
        gc.set_threshold(*thresholds)


@contextlib.contextmanager
def collector_off() -> Iterator[None]:
    """No cyclic garbage collection for the duration: loading a bank makes hundreds of thousands of
    objects that live on, and next to no garbage in cycles (a handful of objects for 10,000 items,
    read or read back), so each collection would only scan the bank: 40 ms of a 10,000-item
    rebuild, more of a cold build."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_manifest(packages: Iterable[Package], root: Path, listed: Iterable[ListedPackage]) -> bytes:
    """Traceability for release artifacts: the sources of this build's packages and their hashes,
    commit, tool, build time; and every package in the folder (``listed``)."""
    quizzes = {p.quiz.identifier: p.quiz for p in packages}
    sources = []
    for quiz in quizzes.values():
        # The hash of the bytes the quiz was loaded from: reading quiz.yaml again could find it
        # changed, gone, or no longer a file.
        sources.append({"path": quiz.place.path, "sha256": quiz.source_sha256})
        sources.extend({"path": item.place.path, "sha256": item.source_sha256}
                       for item in quiz.every_item)
    epoch = source_date_epoch()
    document: dict[str, object] = {
        "tool": "lmspack",
        "tool_version": __version__,
        "git_commit": git_commit(root),
        "build_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch)) if epoch is not None else None,
        "sources": sorted(sources, key=lambda s: s["path"]),
        "packages": [package.manifest_entry() for package in listed],
    }
    return _json_with_entries_on_lines(document).encode()


def _json_with_entries_on_lines(document: dict[str, object]) -> str:
    """``document`` as JSON indented by two, each entry of its lists on one line: as readable, and
    as line-by-line diffable, as fully indented JSON, and written by json's C encoder (a list of
    10,000 sources takes the pure-Python indenting encoder a tenth of a second)."""
    def value(item: object) -> str:
        if isinstance(item, list) and item:
            return "[\n" + ",\n".join(f"    {json.dumps(entry, ensure_ascii=False)}" for entry in item) + "\n  ]"
        return json.dumps(item, ensure_ascii=False)

    fields = ",\n".join(f"  {json.dumps(name)}: {value(item)}" for name, item in document.items())
    return "{\n" + fields + "\n}\n"


def git_commit(root: Path) -> str | None:
    try:
        run = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = run.stdout.strip()
    return commit if run.returncode == 0 and len(commit) == 40 else None


def validate(paths: Sequence[Path], root: Path, formats: Sequence[str] = (),
             project: ProjectSettings = NO_PROJECT_FILE) -> list[Quiz]:
    """Check the canonical files (the first step of every build), and what the formats named
    (none: the quiz's own, those `build` makes when none is named) refuse, so that validate
    refuses what that build would."""
    with collector_off():
        quizzes = load_quizzes(paths, root, project=project)
    refuse(format_problems([(quiz, fmt) for quiz in quizzes for fmt in select_formats(quiz, formats)]))
    return quizzes


def format_problems(jobs: Iterable[tuple[Quiz, str]]) -> list[Problem]:
    """What each job's format refuses (its check), for every item at once, in job order. A build
    runs this before any package is made, and each format's build refuses only what its check
    reports, so validate and build agree."""
    problems: list[Problem] = []
    checked: set[tuple[str, str]] = set()
    for quiz, fmt in jobs:
        if (quiz.identifier, fmt) not in checked:  # a cohort's package has the quiz's items
            checked.add((quiz.identifier, fmt))
            problems.extend(checker_for(fmt)(quiz))
    return problems
