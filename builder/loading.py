"""Canonical files -> the quiz model, with every problem found reported at its place.

A quiz is a folder holding ``quiz.yaml`` and one YAML file per item (subfolders allowed). Nothing
here decides how a quiz looks in any LMS; it only reads, checks and builds ``builder.model``.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import os
import pickle
import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import assert_never, get_args
from urllib.parse import unquote

from markupsafe import Markup

from builder import catalogues, colours, markup, media, model, parallel, scoring, warning_codes
from builder.cache import NO_CACHE, Cache, item_key
from builder.errors import InputError, Problem, escaped, shown
from builder.model import (
    BLANK_MARKER,
    CHOICE_KINDS,
    FEEDBACK_TIMINGS,
    FORMAT_NAMES,
    MEDIA_REFERENCE,
    NAVIGATIONS,
    Blank,
    Choice,
    ChoiceBlank,
    ChoiceInteraction,
    ChoiceKind,
    EssayInteraction,
    FillInBlanksInteraction,
    Flashcard,
    Interaction,
    Item,
    MatchingInteraction,
    MatchScoring,
    MediaUse,
    Notice,
    NumericAnswer,
    NumericBlank,
    NumericInteraction,
    OrderingInteraction,
    OrderScoring,
    Pair,
    Place,
    Pool,
    Quiz,
    Settings,
    ShortAnswerInteraction,
    TextAnswer,
    TextBlank,
    Theme,
    choice_letters,
)
from builder.yamlsource import MAX_FILE_BYTES, Node, SourceFile, read_at_most, unreadable

MATCH_SCORINGS: tuple[str, ...] = get_args(MatchScoring)
ORDER_SCORINGS: tuple[str, ...] = get_args(OrderScoring)
QUIZ_FILE = "quiz.yaml"
Progress = Callable[..., None]
# \Z, not $: '$' also matches before a final newline, and "q1\n" (written in quotes) became a file name.
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}\Z")
COHORT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}\Z")
# At most 20: SCORM 1.2's manifest carries it in version, which its schema caps at 20 characters.
VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,19}\Z")
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z")
# Identifiers the packages give to things of their own (builder/formats/qti21.py and
# templates/qti21/; tests/test_qti21.py checks that every one it emits is here), in any case. An
# item, choice or quiz id equal to one would make two things of one identifier in a QTI test or item.
ITEM_VARIABLES = ("RESPONSE", "TF_RESPONSE", "SCORE", "MAXSCORE", "FEEDBACK", "FEEDBACKMODAL",
                  "general_explanation", "other_incorrect", "duration", "numAttempts", "completionStatus")
"""Inside each assessmentItem: its response and outcome variables (with QTI's built-in ones) and
the modal feedback's identifiers; also HINTREQUEST_<n>, HINT_<n>, a typed answer's ANSWER_<n>, a
blank's response BLANK_<n> and its drop-down options BLANK_<n>_<m> (NUMBERED_NAMES)."""
TEST_NAMES = ("SCORE", "MAXSCORE", "PASS", "WEIGHT", "BaseTestPart", "duration", "section")
"""Inside the assessmentTest: its outcomes, the items' weight, the test part, and its sections,
named section-<section id> (SECTION_PREFIX)."""
NUMBERED_NAMES = re.compile(r"((HINTREQUEST|HINT|ANSWER)_[0-9]+|BLANK_[0-9]+(_[0-9]+)?)\Z", re.IGNORECASE)
SECTION_PREFIX = "section-"
RESERVED_NAMES = {name.casefold(): name for name in (*ITEM_VARIABLES, *TEST_NAMES)}
_TEST_ONLY = {name.casefold() for name in TEST_NAMES} - {name.casefold() for name in ITEM_VARIABLES}
SECTIONS_OF_THE_REST = ("unpooled", "rest")
"""Section ids the formats give the items that no section names (qti21: unpooled; scorm: rest)."""
# Names Windows keeps for devices, whatever follows a first dot ('con.txt'), in any case. Item
# ids name files (items/<id>.xml), which no one could extract on Windows.
WINDOWS_DEVICES = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\..*)?\Z", re.IGNORECASE)

# SCORM (1.2 and 2004) manifests cap a title at 200 characters; the quiz's title (or a cohort's
# own) is the organisation's and the item's there.
TITLE_LIMIT = 200

# shuffle_choices is checked against the item's type in load_item (_item_shuffle), with a reason for each.
COMMON_ITEM_FIELDS = ("id", "type", "title", "prompt", "hints", "explanation", "points", "tags", "shuffle_choices")
TYPE_FIELDS: dict[str, tuple[str, ...]] = {
    **{kind: ("choices", "wrong_choice_penalty") for kind in CHOICE_KINDS},
    "short_answer": ("answers", "case_sensitive", "other_feedback"),
    "numeric": ("answers", "unit", "other_feedback"),
    "essay": ("grader_notes", "response_template", "min_words", "max_words"),
    "matching": ("pairs", "distractors", "scoring"),
    "ordering": ("order", "scoring"),
    "fill_in_blanks": ("blanks",),
    "flashcard": ("front", "back"),
}
"""The fields of each item ``type:`` beside the common ones (a flashcard item takes only some of
those: FLASHCARD_FIELDS)."""
FLASHCARD = "flashcard"
"""The ``type:`` of a flashcard item: a card to study (model.Flashcard), never a question."""
FLASHCARD_FIELDS = ("id", "type", "title", "tags", "front", "back")
ITEM_FIELDS = COMMON_ITEM_FIELDS + tuple(dict.fromkeys(name for names in TYPE_FIELDS.values() for name in names))
CHOICE_FIELDS = ("id", "text", "correct", "feedback", "fixed")
TEXT_ANSWER_FIELDS = ("text", "credit", "feedback")
NUMERIC_ANSWER_FIELDS = ("value", "tolerance", "range", "credit", "feedback")
PAIR_FIELDS = ("left", "right")
BLANK_FIELDS = ("answers", "case_sensitive", "options", "correct", "value", "tolerance", "range")
MAX_STEPS = 20
# Larger numbers lose their units digit in a double, and no LMS stores them exactly.
NUMBER_LIMIT = 1e15
SETTING_FIELDS = ("pass_mark", "attempts", "time_limit", "shuffle_items", "shuffle_choices", "feedback",
                  "show_correct_answers", "navigation", "seed", "draw", "sections", "theme")
QUIZ_FIELDS = ("identifier", "title", "version", "description", "language", "items", "formats",
               "cohorts", "media", "accept_warnings", "exclude", "strings", "flashcards", *SETTING_FIELDS)
COHORT_FIELDS = ("title", *SETTING_FIELDS)
MEDIA_FIELDS = ("max_file_mb", "max_total_mb")
THEME_FIELDS = ("logo", "logo_alt", "accent")
MISPLACED = {
    "fixed": "'fixed: true' pins one choice in place: write it on that choice, under 'choices' of a "
             "single_choice or multiple_response item",
    **{name: f"'{name}' goes under 'theme:' in quiz.yaml" for name in THEME_FIELDS},
}
"""Fields that belong somewhere else, named where they are written by mistake."""
SECTION_FIELDS = ("id", "title", "items", "select")
PROJECT_FILE = "lmspack.yaml"
PROJECT_FIELDS = ("quizzes", "out", "formats", "accept_warnings", "exclude")


@dataclass(frozen=True)
class ProjectSettings:
    """What a project folder's lmspack.yaml says, every key optional (docs/format.md): where its
    quizzes and its packages are, and what each of its quizzes takes unless quiz.yaml says
    otherwise (formats) or more (accept_warnings, exclude)."""

    quizzes: str = "items"
    """The folder of quiz folders, relative to the project folder ('/' between names)."""
    out: str = "dist"
    """The output folder, relative to the project folder."""
    formats: tuple[str, ...] = ()
    """The formats of a quiz whose quiz.yaml names none (none here either: qti21)."""
    accepted_warnings: frozenset[str] = frozenset()
    exclude: tuple[str, ...] = ()
    """Each exclude glob as a regular expression over a path in the quiz folder (_glob_expression)."""
    marked: bool = False
    """Read from an lmspack.yaml; False: the project folder has none (these are the defaults)."""


NO_PROJECT_FILE = ProjectSettings()


def load_quizzes(paths: Iterable[Path], root: Path, progress: Progress | None = None,
                 cache: Cache = NO_CACHE, project: ProjectSettings = NO_PROJECT_FILE) -> list[Quiz]:
    """Load every quiz under ``paths`` (quiz folders, or folders holding quiz folders) in the
    project folder ``root``, items read back from ``cache`` when it holds them, with the defaults
    of the project's lmspack.yaml (``project``). ``progress(done, total, "reading")`` follows
    the item files read (on both cores when many).

    Raises InputError listing every problem in every file; returns only when all is valid."""
    problems: list[Problem] = []
    quiz_dirs: list[Path] = []
    for path in paths:
        found = find_quiz_dirs(path, root, problems, project)
        quiz_dirs.extend(d for d in found if d not in quiz_dirs)
    quizzes = [q for d in quiz_dirs if (q := load_quiz(d, root, problems, progress, cache, project)) is not None]
    seen: dict[str, Quiz] = {}
    for quiz in quizzes:
        if quiz.identifier in seen:
            first = seen[quiz.identifier]
            problems.append(Problem(quiz.place.path, quiz.place.line, quiz.place.column,
                                    f"quiz identifier '{quiz.identifier}' is also used by {first.place.path}; "
                                    "each quiz needs its own"))
            continue
        seen[quiz.identifier] = quiz
    problems.extend(_package_name_clashes(list(seen.values())))
    if problems:
        raise InputError(problems)
    return quizzes


def _package_name_clashes(quizzes: list[Quiz]) -> list[Problem]:
    """Two packages, of different quizzes or cohorts, that would have one identifier in an LMS
    (<quiz>[-<cohort>]) or one file name (<quiz>[-<cohort>]-<version>-...), in any case: quiz 'a'
    with cohort 'b' and quiz 'a-b'; quizzes 'Demo' and 'demo' (a case-blind disk keeps one file)."""
    problems: list[Problem] = []
    first: dict[str, tuple[Quiz, str]] = {}
    for quiz in quizzes:
        for cohort in (None, *quiz.cohorts):
            package_id = f"{quiz.identifier}-{cohort}" if cohort else quiz.identifier
            what = f"quiz {shown(quiz.identifier)}" + (f" (cohort {cohort})" if cohort else "")
            for name in (package_id, f"{package_id}-{quiz.version}"):
                earlier = first.get(name.casefold())
                if earlier is not None and earlier[0] is not quiz:
                    other, other_what = earlier
                    problems.append(Problem(quiz.place.path, quiz.place.line, quiz.place.column,
                                            f"{what} and {other_what} ({other.place.path}) would both make packages "
                                            f"named {shown(name)} (names are compared in any case); rename one"))
                    break
                first.setdefault(name.casefold(), (quiz, what))
    return problems


def project_folder_named(root: Path, project: ProjectSettings) -> str:
    """The project folder as messages name it: where it is, and why it is the project folder."""
    why = "the nearest folder holding lmspack.yaml" if project.marked else \
        "no folder at or above it holds lmspack.yaml, so it is the folder lmspack was given or run in"
    return f"the project folder {escaped(os.path.abspath(root))} ({why})"


def _in_folder(folder: str, relative: str) -> str:
    """A path in a folder as messages show it: ``folder`` (shown, '.': the project folder) and below."""
    return relative if folder == "." else f"{folder}/{relative}"


def quiz_folder_named(directory: Path | str, root: Path) -> str:
    """A quiz folder as messages name it: its path in the project folder, or the whole of it when
    it is the project folder."""
    shown_folder = display_path(directory, root)
    return shown_folder if shown_folder != "." else escaped(os.path.abspath(directory))


def find_quiz_dirs(path: Path, root: Path, problems: list[Problem],
                   project: ProjectSettings = NO_PROJECT_FILE) -> list[Path]:
    shown_path = display_path(path, root)
    if not os.path.lexists(path):
        problems.append(Problem(shown_path, 0, 0, "no such file or folder"))
        return []
    if not _inside(path, root):
        through_link = _inside(os.path.abspath(path), os.path.abspath(root), follow_links=False)
        where = f"leads (through a symbolic link) to {escaped(os.path.realpath(path))}, outside" if through_link \
            else "is outside"
        problems.append(Problem(shown_path, 0, 0, f"{where} {project_folder_named(root, project)}; a quiz must be "
                                                  "inside its project folder: move or copy it in, or put an "
                                                  "lmspack.yaml in a folder that holds both"))
        return []
    if not path.is_dir():
        path = path.parent
    if os.path.lexists(path / QUIZ_FILE):
        return [path]
    found = _folders_with_quiz_file(path, root, problems, project)
    if not found:
        problems.append(Problem(shown_path, 0, 0, f"no {QUIZ_FILE} here or below; a quiz is a folder with a "
                                                  f"{QUIZ_FILE} and its item files"))
    return found


def _folders_with_quiz_file(top: Path, root: Path, problems: list[Problem],
                            project: ProjectSettings = NO_PROJECT_FILE) -> list[Path]:
    """The folders at or below ``top`` holding an entry named quiz.yaml, whatever it is: load_quiz
    says so when it is not a file it can read. Linked folders are followed while they stay inside
    the project folder, and reported when they do not, or when they lead back to a folder that
    holds them (_linked_folder). A folder that cannot be listed is reported, not skipped: it may
    hold a quiz."""
    found: list[Path] = []
    folders: list[tuple[Path, tuple[str, ...]]] = [(top, ())]
    real_root = os.path.realpath(root)
    while folders:
        folder, entered = folders.pop()
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError as error:
            problems.append(Problem(display_path(folder, root), 0, 0, unreadable(error)))
            continue
        is_quiz = any(entry.name == QUIZ_FILE for entry in listed)
        if is_quiz and _inside(folder, root):
            found.append(folder)
        for entry in listed:
            if _is_folder(entry):
                folders.append((Path(entry.path), entered))
            # A quiz folder's own links are the quiz's files, judged when they are read (_item_files).
            elif not is_quiz and _is_linked_folder(entry):
                target, trouble = _linked_folder(entry.path, folder, entered, real_root)
                if trouble == "outside":
                    problems.append(Problem(display_path(entry.path, root), 0, 0,
                                            f"is a link to a folder outside {project_folder_named(root, project)}; "
                                            "move or copy what it holds in, or put an lmspack.yaml in a folder "
                                            "that holds both"))
                elif trouble == "loop":
                    problems.append(Problem(display_path(entry.path, root), 0, 0, LINK_LOOP))
                else:
                    folders.append((Path(entry.path), (*entered, target)))
    return sorted(found)


LINK_LOOP = "is a link to a folder that holds it (a loop); remove the link"


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """A real folder (not a link to one); False when it cannot even be looked at (reading it says why)."""
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _is_linked_folder(entry: os.DirEntry[str]) -> bool:
    """A symbolic link to a folder (False for a link to nothing: it is passed over as a file is)."""
    try:
        return entry.is_symlink() and entry.is_dir()
    except OSError:
        return False


def _linked_folder(link: str | Path, listing: str | Path, entered: tuple[str, ...],
                   real_base: str) -> tuple[str, str | None]:
    """The real folder a linked folder ``link`` (in the folder ``listing``) leads to, and why it is
    not to be followed: "outside" when it leads outside ``real_base`` (a real path), "loop" when it
    holds the folder it is in, or one that a link on the way led to (``entered``): following it
    would never end. None: it is followed."""
    target = os.path.realpath(link)
    if not _real_inside(target, real_base):
        return target, "outside"
    if any(_real_inside(real, target) for real in (os.path.realpath(listing), *entered)):
        return target, "loop"
    return target, None


def display_path(path: Path | str, root: Path) -> str:
    """``path`` relative to the project root, as written (links not followed), for messages; any
    character that would not print as itself (a byte of a name that is not UTF-8) escaped."""
    absolute, base = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    try:
        return escaped(absolute.relative_to(base).as_posix())
    except ValueError:
        return escaped(str(path))


def _inside(path: Path | str, root: Path | str, follow_links: bool = True) -> bool:
    """True when ``path``, with every symbolic link followed, stays inside ``root``. (realpath, not
    Path.resolve: a link loop makes resolve raise, and is reported when the file is read.) With
    ``follow_links`` False, both as they are written (absolute paths)."""
    if not follow_links:
        return _real_inside(str(path), str(root))
    return _real_inside(os.path.realpath(path), os.path.realpath(root))


def _real_inside(real: str, base: str) -> bool:
    """True when the path ``real`` is ``base`` or inside it (both absolute, normalised)."""
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def _name_problem(raw: str, display: str) -> Problem | None:
    """A path whose name is not UTF-8 (Python carries its bytes as surrogates) is refused: it could
    not be written into the build manifest, nor shown, and differs between systems."""
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        return Problem(display, 0, 0, "the name of this file or folder is not valid UTF-8 (the bytes shown as "
                                      "\\xNN); rename it using UTF-8")
    if not raw.isprintable():  # a line break or terminal control in a name: shown escaped, never as it is
        return Problem(display, 0, 0, "the name of this file or folder holds a character that does not print "
                                      "(shown escaped); rename it")
    return None


class _Fields:
    """Typed access to one YAML mapping, reporting each problem at its place in ``source``."""

    def __init__(self, source: SourceFile, node: Node, allowed: tuple[str, ...], what: str) -> None:
        self.source = source
        self.node = node
        self.values: dict[str, tuple[Node, Node]] = node.value if node.kind == "mapping" else {}  # type: ignore[assignment]
        if node.kind != "mapping":
            source.at(node, f"{what} must be a mapping of fields ({', '.join(allowed[:4])}, ...)")
            return
        for name, (key, _) in self.values.items():
            if name not in allowed:
                elsewhere = f"; {MISPLACED[name]}" if name in MISPLACED else _did_you_mean(name, allowed)
                source.at(key, f"unknown field {shown(name)} in {what}{elsewhere}")

    def has(self, name: str) -> bool:
        return name in self.values

    def node_of(self, name: str) -> Node:
        return self.values[name][1] if name in self.values else self.node

    def text(self, name: str, required: bool = False, default: str = "") -> str:
        if name not in self.values:
            if required:
                self.source.at(self.node, f"missing field '{name}'")
            return default
        node = self.values[name][1]
        if node.kind != "scalar" or (node.plain and node.tag == "tag:yaml.org,2002:null"):
            self.source.at(node, f"'{name}' must be text")
            return default
        value = self._usable(node)
        if required and not value.strip():
            self.source.at(node, f"'{name}' is empty; write some text")
        return value

    def _usable(self, node: Node) -> str:
        """A scalar's text exactly as written, less what XML cannot carry (reported)."""
        message, value = markup.without_unusable_characters(str(node.value))
        if message:
            self.source.at(node, message)
        return value

    def boolean(self, name: str, default: bool) -> bool:
        if name not in self.values:
            return default
        node = self.values[name][1]
        if node.kind == "scalar" and node.plain and str(node.value).lower() in ("true", "false"):
            return str(node.value).lower() == "true"
        self.source.at(node, f"'{name}' must be true or false")
        return default

    def number(self, name: str, default: float | None, minimum: float, maximum: float,
               integer: bool = False) -> float | None:
        if name not in self.values:
            return default
        node = self.values[name][1]
        kind = "a whole number" if integer else "a number"
        try:
            if node.kind != "scalar" or not node.plain:
                raise ValueError
            value = float(int(str(node.value), 10)) if integer else float(str(node.value))
        except ValueError:
            self.source.at(node, f"'{name}' must be {kind} from {_num(minimum)} to {_num(maximum)}")
            return default
        if not minimum <= value <= maximum or value != value:
            self.source.at(node, f"'{name}' must be {kind} from {_num(minimum)} to {_num(maximum)}, "
                                 f"not {escaped(str(node.value))}")
            return default
        return value

    def choice(self, name: str, options: tuple[str, ...], required: bool = False,
               default: str | None = None) -> str | None:
        if name not in self.values:
            if required:
                self.source.at(self.node, f"missing field '{name}' (one of: {', '.join(options)})")
            return default
        node = self.values[name][1]
        value = str(node.value) if node.kind == "scalar" else ""
        if value not in options:
            self.source.at(node, f"'{name}' must be one of: {', '.join(options)}, not {shown(value)}"
                                 f"{_did_you_mean(value, options)}")
            return default
        return value

    def sequence(self, name: str, required: bool = False) -> list[Node]:
        if name not in self.values:
            if required:
                self.source.at(self.node, f"missing field '{name}'")
            return []
        node = self.values[name][1]
        if node.kind != "sequence":
            self.source.at(node, f"'{name}' must be a list (lines starting with '- ')")
            return []
        return node.value  # type: ignore[return-value]

    def text_list(self, name: str) -> list[tuple[str, Node]]:
        result = []
        for node in self.sequence(name):
            if node.kind != "scalar" or not str(node.value).strip():
                self.source.at(node, f"each entry of '{name}' must be non-empty text")
            else:
                result.append((self._usable(node), node))
        return result

    def identifier(self, name: str, required: bool = False, default: str = "") -> str:
        value = self.text(name, required=required, default=default)
        if name in self.values and value and not IDENTIFIER.match(value):
            self.source.at(self.values[name][1],
                           f"'{name}' {shown(value)} must start with a letter or '_' and use only letters, digits, "
                           "'_', '-' and '.' (at most 64)")
        return value


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _did_you_mean(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def reserved_use(identifier: str, scope: str) -> str | None:
    """What ``identifier`` would clash with, as an id of ``scope`` ('item', 'quiz' or 'choice'),
    or None when it is free. Case is ignored: ids become file names, and a name that differs from
    a reserved one only in case would be a trap all the same."""
    folded = identifier.casefold()
    if folded in RESERVED_NAMES or NUMBERED_NAMES.match(identifier):
        if scope == "choice" and folded in _TEST_ONLY:
            return None  # only the test uses those, and a choice's identifier lives in its item
        name = RESERVED_NAMES.get(folded) or identifier
        return f"is reserved: lmspack's QTI packages name something of their own '{name}' (in any case); " \
               f"rename the {scope}"
    if scope != "choice" and folded.startswith(SECTION_PREFIX):
        return f"starts with '{SECTION_PREFIX}', which lmspack's QTI tests keep for their sections; rename the {scope}"
    if scope == "item" and WINDOWS_DEVICES.match(identifier):
        return ("is a device name on Windows (CON, PRN, AUX, NUL, COM0-9, LPT0-9, also followed by '.' and "
                "anything, in any case); item ids become file names: rename the item")
    return None


def _rich(source: SourceFile, node: Node, text: str,
          render: Callable[[str, str], tuple[Markup, list[markup.TextProblem]]]) -> Markup:
    xhtml, problems = render(text, source.folder)
    for problem in problems:
        if problem.warning:
            source.notices[Notice(problem.warning, problem.message)] = None
        else:
            source.problem(*source.place_near(node, problem.near or ""), problem.naming(source.quiz_folder))
    if MEDIA_REFERENCE in xhtml:
        for found in _MEDIA_IN_FRAGMENT.finditer(xhtml):
            name = unquote(found.group(1))
            if name not in source.media:
                written = posixpath.relpath(name, source.folder or ".")
                source.media[name] = source.place_near(node, written)
    return xhtml


# What builder.markup writes for a file of the quiz folder (its path URL-quoted).
_MEDIA_IN_FRAGMENT = re.compile(f' (?:src|data)="{re.escape(MEDIA_REFERENCE)}([^"]*)"')


def _rich_required(source: SourceFile, node: Node, text: str, what: str) -> Markup:
    """Block text that must show something: refused when sanitising leaves nothing of it."""
    before = len(source.problems)
    xhtml = _rich(source, node, text, markup.block)
    if not xhtml and len(source.problems) == before:
        source.at(node, f"{what} is empty once unsafe markup is removed")
    return xhtml


def load_item(path: Path, display: str, problems: list[Problem], folder: str = "",
              quiz_folder: str = "") -> Item | Flashcard | None:
    """The item in the file at ``path`` (``folder``: its folder in the quiz folder, '' at the top;
    ``quiz_folder``: the quiz folder as messages name it): a question, or a flashcard item."""
    source = SourceFile(path, display, problems)
    source.folder = folder
    source.quiz_folder = quiz_folder
    root = source.parse()
    if root is None:
        return None
    before = len(problems)
    fields = _Fields(source, root, ITEM_FIELDS, "an item")
    if root.kind != "mapping":
        return None
    item_id = fields.identifier("id", required=True)
    _refuse_reserved(source, fields, "id", item_id, "item")
    item_type = fields.choice("type", (*ITEM_TYPES, FLASHCARD), required=True)
    if item_type == FLASHCARD:
        return _load_flashcard(source, fields, item_id, before)
    # Without a known type, the item is still checked as a choice item, so that every other
    # problem in it is reported at once (as a fix of its type would show them next).
    load_interaction = INTERACTION_LOADERS[item_type] if item_type is not None else _choices_of_an_unknown_type
    if item_type is not None:
        _refuse_other_types_fields(source, fields, item_type)
    prompt_text = fields.text("prompt", required=True)
    prompt = _rich_required(source, fields.node_of("prompt"), prompt_text, "prompt") if prompt_text.strip() \
        else Markup("")
    title = fields.text("title").strip() or _title_from(prompt) or item_id
    interaction = load_interaction(source, fields, prompt)
    shuffle_choices = _item_shuffle(source, fields, item_type, interaction)
    hints = tuple(_rich_required(source, node, text, "hint") for text, node in fields.text_list("hints"))
    explanation_text = fields.text("explanation")
    explanation = _rich(source, fields.node_of("explanation"), explanation_text, markup.block) or None
    points = fields.number("points", 1.0, 0.01, 1000.0)
    tags = tuple(text.strip() for text, _ in fields.text_list("tags"))
    if len(problems) > before or interaction is None or points is None:
        return None
    return Item(id=item_id, title=title.strip(), prompt=prompt, points=points, hints=hints,
                explanation=explanation, tags=tags, place=Place(display, root.line, root.column),
                source_sha256=hashlib.sha256(source.data).hexdigest(), interaction=interaction,
                shuffle_choices=shuffle_choices,
                media=tuple(MediaUse(name, Place(display, line, column))
                            for name, (line, column) in source.media.items()),
                notices=tuple(source.notices))


def _load_flashcard(source: SourceFile, fields: _Fields, item_id: str, before: int) -> Flashcard | None:
    """A ``type: flashcard`` item: its front and back, Markdown as any item's text (media and
    formulas too), and the id, title and tags every item has (``before``: the number of problems
    before the file was read)."""
    for name, (key, _) in fields.values.items():
        if name in ITEM_FIELDS and name not in FLASHCARD_FIELDS:
            source.at(key, f"'{name}' is not a field of flashcard items, which are cards to study, not questions; "
                           "flashcard items take 'front' and 'back' (and 'id', 'title' and 'tags')")
    sides = {}
    for side in ("front", "back"):
        text = fields.text(side, required=True)
        sides[side] = _rich_required(source, fields.node_of(side), text, side) if text.strip() else Markup("")
    title = fields.text("title").strip() or _title_from(sides["front"]) or item_id
    tags = tuple(text.strip() for text, _ in fields.text_list("tags"))
    if len(source.problems) > before:
        return None
    display = source.display
    return Flashcard(id=item_id, title=title, front=sides["front"], back=sides["back"], tags=tags,
                     place=Place(display, fields.node.line, fields.node.column),
                     source_sha256=hashlib.sha256(source.data).hexdigest(),
                     media=tuple(MediaUse(name, Place(display, line, column))
                                 for name, (line, column) in source.media.items()),
                     notices=tuple(source.notices))


def _item_shuffle(source: SourceFile, fields: _Fields, item_type: str | None, interaction: Interaction | None) -> bool:
    """An item's ``shuffle_choices``: only ``false``, on an item whose choices (or drop-down
    options) a quiz may shuffle; each other use refused with the reason (None: the interaction
    did not load, its problems are reported)."""
    if not fields.has("shuffle_choices"):
        return True
    node = fields.node_of("shuffle_choices")
    before = len(source.problems)
    shuffle = fields.boolean("shuffle_choices", True)
    if len(source.problems) > before:
        return True
    reason: str | None = None
    match interaction:
        case None:
            return shuffle
        case ChoiceInteraction() as choice:
            if not choice.may_shuffle:
                reason = "a true_false item's choices always keep their order (True, then False)"
        case FillInBlanksInteraction() as blanks:
            if not any(isinstance(blank, ChoiceBlank) for blank in blanks.blanks):
                reason = "it keeps the order of drop-down options, and this item has no drop-down blank"
        case MatchingInteraction():
            reason = ("a matching item's options are its pairs' right sides in the pairs' order, the answer "
                      "itself: where the quiz shuffles choices they are always shuffled")
        case OrderingInteraction():
            reason = "an ordering item's steps are always shown shuffled: putting them in order is the task"
        case ShortAnswerInteraction() | NumericInteraction() | EssayInteraction():
            reason = f"a {item_type} item has no choices to shuffle"
        case _:
            assert_never(interaction)
    if reason is not None:
        source.at(fields.values["shuffle_choices"][0], f"'shuffle_choices' does not apply here: {reason}; remove it")
    elif shuffle:
        source.at(node, "'shuffle_choices: true' is what every item does (its choices are shuffled when the "
                        "quiz's shuffle_choices is on); write false to keep this item's order, or remove it")
    return shuffle


def _load_choice_interaction(kind: ChoiceKind | None, source: SourceFile, fields: _Fields,
                             prompt: Markup) -> ChoiceInteraction | None:
    """The choices of an item of ``kind`` (None: the item's type is unknown; its problems are
    reported, and it gives nothing)."""
    choices = _load_choices(source, fields, kind)
    penalty = fields.boolean("wrong_choice_penalty", True)
    if fields.has("wrong_choice_penalty"):
        match kind:
            case "multiple_response":
                pass
            case "single_choice" | "true_false" | None:
                source.at(fields.values["wrong_choice_penalty"][0],
                          "'wrong_choice_penalty' applies only to multiple_response items; remove it")
            case _:
                assert_never(kind)
    return ChoiceInteraction(kind=kind, choices=choices, wrong_choice_penalty=penalty) if kind else None


def _refuse_other_types_fields(source: SourceFile, fields: _Fields, item_type: str) -> None:
    """A field of another item type (``choices`` on a numeric item), named with what this type takes."""
    own = TYPE_FIELDS[item_type]
    for name, (key, _) in fields.values.items():
        if name in COMMON_ITEM_FIELDS or name in own or name not in ITEM_FIELDS:
            continue
        owners = [kind for kind, names in TYPE_FIELDS.items() if name in names]
        source.at(key, f"'{name}' is a field of {_listed(owners)} items, not of {item_type} items; "
                       f"{item_type} items take {_listed([repr(field) for field in own])}")


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _answer_nodes(source: SourceFile, fields: _Fields) -> list[Node]:
    nodes = fields.sequence("answers", required=True)
    if fields.has("answers") and fields.node_of("answers").kind == "sequence" and not nodes:
        source.at(fields.node_of("answers"), "'answers' is empty; list at least one accepted answer")
    return nodes


def _credit(answer: _Fields) -> float:
    return answer.number("credit", 100.0, 1, 100) or 100.0


def _refuse_no_full_credit(source: SourceFile, fields: _Fields, credits: list[float]) -> None:
    """An item whose every answer is worth less than full credit: no learner could earn its points
    (Moodle refuses such a question, and Canvas stores every answer as fully correct)."""
    if credits and max(credits) < 100:
        source.at(fields.values["answers"][0], f"no answer is worth full credit (the best has credit "
                                               f"{_num(max(credits))}), so no learner could earn this item's "
                                               "points; give the best answer credit 100 (the default)")


def _inline_feedback(source: SourceFile, fields: _Fields, name: str) -> Markup | None:
    return _rich(source, fields.node_of(name), fields.text(name), markup.inline) or None


def _load_short_answer_interaction(source: SourceFile, fields: _Fields,
                                   prompt: Markup) -> ShortAnswerInteraction | None:
    case_sensitive = fields.boolean("case_sensitive", False)
    answers: list[TextAnswer] = []
    first_line: dict[str, int] = {}
    for index, node in enumerate(_answer_nodes(source, fields)):
        answer = _Fields(source, node, TEXT_ANSWER_FIELDS, f"answer {index + 1}")
        if node.kind != "mapping":
            continue
        text = answer.text("text", required=True).strip()
        compared = scoring.normalised_text(text, case_sensitive)
        if text and compared in first_line:
            source.at(answer.node_of("text"), f"answer {shown(text)} is already accepted by the answer at line "
                                              f"{first_line[compared]} (compared {_comparison(case_sensitive)}); "
                                              "answers are tried in order, so this one could never match: "
                                              "remove it or merge the two")
        first_line.setdefault(compared, node.line)
        answers.append(TextAnswer(text, _credit(answer), _inline_feedback(source, answer, "feedback")))
    _refuse_no_full_credit(source, fields, [answer.credit for answer in answers])
    return ShortAnswerInteraction(tuple(answers), case_sensitive, _inline_feedback(source, fields, "other_feedback"))


def _comparison(case_sensitive: bool) -> str:
    return "with runs of spaces as one" + ("" if case_sensitive else ", in any case")


def _load_numeric_interaction(source: SourceFile, fields: _Fields, prompt: Markup) -> NumericInteraction | None:
    answers: list[tuple[NumericAnswer, int]] = []  # with the line each was written at
    for index, node in enumerate(_answer_nodes(source, fields)):
        answer_fields = _Fields(source, node, NUMERIC_ANSWER_FIELDS, f"answer {index + 1}")
        if node.kind != "mapping":
            continue
        answer = _numeric_answer(source, answer_fields, node)
        if answer is None:
            continue
        low, high = answer.bounds
        earlier = next((other for other in answers if other[0].bounds[0] <= low and high <= other[0].bounds[1]), None)
        if earlier is not None:
            source.at(node, f"the answer at line {earlier[1]} already accepts every number this one does "
                            f"({_num(low)} to {_num(high)}); answers are tried in order, so this one could "
                            "never match: remove it or move it first")
        answers.append((answer, node.line))
    _refuse_no_full_credit(source, fields, [answer.credit for answer, _ in answers])
    unit = fields.text("unit").strip()
    return NumericInteraction(tuple(answer for answer, _ in answers), unit,
                              _inline_feedback(source, fields, "other_feedback"))


def _numeric_answer(source: SourceFile, answer: _Fields, node: Node) -> NumericAnswer | None:
    """One numeric answer (None when it has a problem, reported)."""
    before = len(source.problems)
    credit = _credit(answer)
    feedback = _inline_feedback(source, answer, "feedback")
    value = tolerance = None
    relative = False
    bounds: tuple[float, float] | None = None
    if answer.has("range"):
        for name in ("value", "tolerance"):
            if answer.has(name):
                source.at(answer.values[name][0], f"'{name}' and 'range' are two ways of giving an answer; "
                                                  f"keep one (a range takes no '{name}')")
        bounds = _range(source, answer.node_of("range"))
    elif not answer.has("value"):
        source.at(node, "missing field 'value' (a number), or 'range' ([lowest, highest])")
    else:
        value = _finite_number(source, answer.node_of("value"), "value")
        tolerance, relative = _tolerance(source, answer)
    if len(source.problems) > before:
        return None
    return NumericAnswer(value, tolerance or 0.0, relative, bounds, credit, feedback)


def _finite_number(source: SourceFile, node: Node, what: str) -> float | None:
    try:
        if node.kind != "scalar" or not node.plain:
            raise ValueError
        value = float(str(node.value))
        if not abs(value) <= NUMBER_LIMIT:  # also NaN
            raise ValueError
    except ValueError:
        source.at(node, f"'{what}' must be a number (such as 30, -0.5 or 2.5e3), at most {NUMBER_LIMIT:.0e} "
                        f"either way, not {shown(str(node.value)) if node.kind == 'scalar' else 'a ' + node.kind}")
        return None
    return value


def _tolerance(source: SourceFile, answer: _Fields) -> tuple[float | None, bool]:
    """The answer's tolerance and whether it is a percent (0, absolute, when not given)."""
    if not answer.has("tolerance"):
        return 0.0, False
    node = answer.node_of("tolerance")
    text = str(node.value).strip() if node.kind == "scalar" else ""
    relative = text.endswith("%")
    try:
        if node.kind != "scalar" or (node.plain and node.tag == "tag:yaml.org,2002:null"):
            raise ValueError
        tolerance = float(text[:-1] if relative else text)
        if not 0 <= tolerance <= (100 if relative else NUMBER_LIMIT):
            raise ValueError
    except ValueError:
        source.at(node, "'tolerance' must be a number of 0 or more (how far from the value an answer may be) "
                        f"or a percent from 0% to 100% such as \"5%\", not {shown(text) if text else 'that'}")
        return None, False
    return tolerance, relative


def _range(source: SourceFile, node: Node) -> tuple[float, float] | None:
    if not isinstance(node.value, list) or len(node.value) != 2:
        source.at(node, "'range' must be a list of two numbers, the lowest and the highest accepted: [28, 31]")
        return None
    low_node, high_node = node.value
    low, high = _finite_number(source, low_node, "range"), _finite_number(source, high_node, "range")
    if low is None or high is None:
        return None
    if low > high:
        source.at(node, f"'range' goes from {_num(low)} down to {_num(high)}; write the lowest first: "
                        f"[{_num(high)}, {_num(low)}]")
        return None
    return low, high


def _load_essay_interaction(source: SourceFile, fields: _Fields, prompt: Markup) -> EssayInteraction | None:
    grader_notes = _rich(source, fields.node_of("grader_notes"), fields.text("grader_notes"), markup.block) or None
    template = fields.text("response_template").strip()
    min_words = fields.number("min_words", None, 1, 100_000, integer=True)
    max_words = fields.number("max_words", None, 1, 100_000, integer=True)
    if min_words is not None and max_words is not None and min_words > max_words:
        source.at(fields.node_of("min_words"), f"'min_words' is {int(min_words)}, more than 'max_words' "
                                               f"({int(max_words)}); no answer could meet both")
    return EssayInteraction(grader_notes, template, int(min_words) if min_words is not None else None,
                            int(max_words) if max_words is not None else None)


def _load_matching_interaction(source: SourceFile, fields: _Fields, prompt: Markup) -> MatchingInteraction | None:
    pairs: list[Pair] = []
    rights: dict[str, int] = {}
    lefts: dict[str, int] = {}
    nodes = fields.sequence("pairs", required=True)
    for index, node in enumerate(nodes):
        pair = _Fields(source, node, PAIR_FIELDS, f"pair {index + 1}")
        if node.kind != "mapping":
            continue
        left = _inline_required(source, pair, "left")
        right = _inline_required(source, pair, "right")
        _refuse_repeated(source, pair.node_of("left"), left, lefts, "left side")
        _refuse_repeated(source, pair.node_of("right"), right, rights, "right side")
        pairs.append(Pair(left, right))
    if fields.has("pairs") and fields.node_of("pairs").kind == "sequence" and len(nodes) < 2:
        source.at(fields.node_of("pairs"), f"a matching item needs at least 2 pairs, not {len(nodes)}")
    distractors = []
    for text, node in fields.text_list("distractors"):
        distractor = _rich(source, node, text, markup.inline)
        _refuse_repeated(source, node, distractor, rights, "right side")
        distractors.append(distractor)
    scoring_rule = fields.choice("scoring", MATCH_SCORINGS, default="per_pair")
    return MatchingInteraction(tuple(pairs), tuple(distractors), scoring_rule or "per_pair")  # type: ignore[arg-type]


def _load_ordering_interaction(source: SourceFile, fields: _Fields, prompt: Markup) -> OrderingInteraction | None:
    steps: list[Markup] = []
    seen: dict[str, int] = {}
    entries = fields.text_list("order")
    if not fields.has("order"):
        source.at(fields.node, "missing field 'order' (the steps, in the right order)")
    for text, node in entries:
        step = _rich(source, node, text, markup.inline)
        _refuse_repeated(source, node, step, seen, "step")
        steps.append(step)
    if fields.has("order") and fields.node_of("order").kind == "sequence" \
            and not 2 <= len(fields.sequence("order")) <= MAX_STEPS:
        source.at(fields.node_of("order"), f"an ordering item has 2 to {MAX_STEPS} steps, not "
                                           f"{len(fields.sequence('order'))}")
    scoring_rule = fields.choice("scoring", ORDER_SCORINGS, default="all_or_nothing")
    return OrderingInteraction(tuple(steps), scoring_rule or "all_or_nothing")  # type: ignore[arg-type]


def _inline_required(source: SourceFile, fields: _Fields, name: str) -> Markup:
    text = fields.text(name, required=True)
    rendered = _rich(source, fields.node_of(name), text, markup.inline)
    if text.strip() and not rendered:
        source.at(fields.node_of(name), f"'{name}' is empty once unsafe markup is removed")
    return rendered


def _refuse_repeated(source: SourceFile, node: Node, text: Markup, seen: dict[str, int], what: str) -> None:
    """A text the learner could not tell from an earlier one (same words, in any case)."""
    shown_text = markup.plain_text(text)
    compared = " ".join(shown_text.casefold().split())
    if not compared:
        return
    if compared in seen:
        source.at(node, f"{what} {shown(shown_text)} is the same as the one at line {seen[compared]} (compared in any "
                        "case); learners could not tell them apart")
    seen.setdefault(compared, node.line)


def _load_fill_in_blanks_interaction(source: SourceFile, fields: _Fields,
                                     prompt: Markup) -> FillInBlanksInteraction | None:
    node = fields.node_of("blanks")
    if not fields.has("blanks"):
        source.at(fields.node, "missing field 'blanks' (one entry per [[name]] in the prompt)")
        return FillInBlanksInteraction(())
    if not isinstance(node.value, dict):
        source.at(node, "'blanks' must map each blank's name (written [[name]] in the prompt) to its answer")
        return FillInBlanksInteraction(())
    blanks: dict[str, Blank] = {}
    for name, (key, value) in node.value.items():
        if not BLANK_MARKER.fullmatch(f"[[{name}]]"):
            source.at(key, f"blank name {shown(name)} must start with a letter and use only letters, digits and '_' "
                           "(at most 32)")
            continue
        blank = _load_blank(source, name, key, value)
        if blank is not None:
            blanks[name] = blank
    markers = BLANK_MARKER.findall(str(prompt))
    prompt_node = fields.node_of("prompt")
    for name in dict.fromkeys(markers):
        if markers.count(name) > 1:
            source.at(prompt_node, f"[[{name}]] stands {markers.count(name)} times in the prompt; each blank "
                                   "stands once")
        if name not in node.value:
            source.at(prompt_node, f"[[{name}]] in the prompt has no blank: add '{name}' under 'blanks'"
                                   f"{_did_you_mean(name, node.value)}")
    for name, (key, _) in node.value.items():
        if name not in markers and BLANK_MARKER.fullmatch(f"[[{name}]]"):
            source.at(key, f"blank {shown(name)} has no [[{name}]] in the prompt; write [[{name}]] where it goes")
    in_text = BLANK_MARKER.findall(_TAG.sub("", _IN_LINK_OR_CODE.sub("", str(prompt))))
    for name in dict.fromkeys(markers):
        if markers.count(name) > in_text.count(name):
            source.at(prompt_node, f"[[{name}]] is inside a link, code or an image's text in the prompt; put blanks "
                                   "in plain text")
    if not node.value:
        source.at(node, "'blanks' is empty; write [[name]] in the prompt and one blank for it here")
    in_prompt_order = [blanks[name] for name in dict.fromkeys(markers) if name in blanks]
    return FillInBlanksInteraction(tuple(in_prompt_order))


# Where a blank could not be an input: the text of a link, code, or a code block; and inside a tag
# (an image's alt text). The prompt is sanitised XHTML, with '>' escaped in attribute values.
_IN_LINK_OR_CODE = re.compile(r"<(a|code|pre)\b[^>]*>.*?</\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def _load_blank(source: SourceFile, name: str, key: Node, value: Node) -> Blank | None:
    blank = _Fields(source, value, BLANK_FIELDS, f"blank {shown(name)}")
    if value.kind != "mapping":
        return None
    kinds = [kind for kind, field in (("typed", "answers"), ("drop-down", "options"), ("number", "value"),
                                      ("number", "range")) if blank.has(field)]
    if len(set(kinds)) != 1:
        source.at(key, f"blank {shown(name)} needs exactly one of 'answers' (typed), 'options' with 'correct' "
                       "(a drop-down), or 'value' or 'range' (a number)")
        return None
    before = len(source.problems)
    for field in BLANK_FIELDS:  # the fields of the other kinds
        if blank.has(field) and field not in _BLANK_KIND_FIELDS[kinds[0]]:
            source.at(blank.values[field][0], f"'{field}' does not apply to a {kinds[0]} blank; remove it")
    if kinds[0] == "typed":
        case_sensitive = blank.boolean("case_sensitive", False)
        entries = blank.text_list("answers")  # read once: reading reports an entry's problems
        answers: dict[str, int] = {}
        for text, node in entries:
            compared = scoring.normalised_text(text, case_sensitive)
            if compared in answers:
                source.at(node, f"answer {shown(text.strip())} is already accepted (line {answers[compared]})")
            answers.setdefault(compared, node.line)
        if blank.has("answers") and not answers and blank.node_of("answers").kind == "sequence":
            source.at(blank.node_of("answers"), "'answers' is empty; list at least one accepted answer")
        result: Blank | None = TextBlank(name, tuple(text.strip() for text, _ in entries), case_sensitive)
    elif kinds[0] == "drop-down":
        options: list[str] = []
        for text, node in blank.text_list("options"):
            if text.strip() in options:
                source.at(node, f"option {shown(text.strip())} is listed twice")
            options.append(text.strip())
        if len(options) < 2 and blank.node_of("options").kind == "sequence":
            source.at(blank.node_of("options"), f"a drop-down needs at least 2 options, not {len(options)}")
        correct = blank.text("correct", required=True).strip()
        if correct and correct not in options:
            listed = ", ".join(shown(option) for option in options)
            source.at(blank.node_of("correct"), f"'correct' {shown(correct)} is not among the options ({listed})"
                                                f"{_did_you_mean(correct, options)}")
        result = ChoiceBlank(name, tuple(options), options.index(correct) if correct in options else 0)
    else:
        answer = _numeric_answer(source, blank, value)
        result = NumericBlank(name, answer) if answer is not None else None
    return result if len(source.problems) == before else None


_BLANK_KIND_FIELDS = {"typed": ("answers", "case_sensitive"), "drop-down": ("options", "correct"),
                      "number": ("value", "tolerance", "range")}


InteractionLoader = Callable[[SourceFile, _Fields, Markup], Interaction | None]
"""Reads the fields of one type of item into its interaction, reporting each problem at its place
(load_item then returns no item)."""
INTERACTION_LOADERS: dict[str, InteractionLoader] = {
    **{kind: functools.partial(_load_choice_interaction, kind) for kind in CHOICE_KINDS},
    "short_answer": _load_short_answer_interaction,
    "numeric": _load_numeric_interaction,
    "essay": _load_essay_interaction,
    "matching": _load_matching_interaction,
    "ordering": _load_ordering_interaction,
    "fill_in_blanks": _load_fill_in_blanks_interaction,
}
"""The loader of each item ``type:``."""
ITEM_TYPES: tuple[str, ...] = tuple(INTERACTION_LOADERS)
_choices_of_an_unknown_type: InteractionLoader = functools.partial(_load_choice_interaction, None)


def _refuse_reserved(source: SourceFile, fields: _Fields, name: str, identifier: str, scope: str) -> None:
    """Report an id that a package uses for something of its own (reserved_use), at its place."""
    if fields.has(name) and IDENTIFIER.match(identifier) and (reason := reserved_use(identifier, scope)):
        source.at(fields.node_of(name), f"{scope} id {shown(identifier)} {reason}")


def _title_from(prompt: Markup, limit: int = 80) -> str:
    text = markup.plain_text(prompt)
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _load_choices(source: SourceFile, fields: _Fields, item_type: str | None) -> tuple[Choice, ...]:
    nodes = fields.sequence("choices", required=True)
    choices: list[Choice] = []
    places: dict[str, Node] = {}
    correct_nodes: list[Node] = []
    unreadable_correct = False  # then counting correct choices would only repeat that problem
    for index, node in enumerate(nodes):
        choice = _Fields(source, node, CHOICE_FIELDS, f"choice {index + 1}")
        if node.kind != "mapping":
            continue
        identifier = choice.identifier("id", default=choice_letters(index))
        _refuse_reserved(source, choice, "id", identifier, "choice")
        if identifier in places:
            source.at(choice.node_of("id"), f"choice id {shown(identifier)} is used twice in this item "
                                            f"(first at line {places[identifier].line})")
        places.setdefault(identifier, node)
        text_source = choice.text("text", required=True)
        text = _rich(source, choice.node_of("text"), text_source, markup.inline)
        if text_source.strip() and not text:
            source.at(choice.node_of("text"), "choice text is empty once unsafe markup is removed")
        feedback_source = choice.text("feedback")
        feedback = _rich(source, choice.node_of("feedback"), feedback_source, markup.inline) or None
        before = len(source.problems)
        correct = choice.boolean("correct", False)
        unreadable_correct |= len(source.problems) > before
        if correct:
            correct_nodes.append(choice.node_of("correct"))
        fixed = choice.boolean("fixed", False)
        if fixed and item_type == "true_false":
            source.at(choice.values["fixed"][0], "a true_false item's choices always keep their order (True, then "
                                                 "False); remove 'fixed'")
        choices.append(Choice(identifier, text, correct, feedback, fixed))
    if not fields.has("choices") or fields.node_of("choices").kind != "sequence":
        return tuple(choices)
    where = fields.values["choices"][0]
    if item_type == "true_false" and len(nodes) != 2:
        source.at(where, f"a true_false item has exactly 2 choices (true and false), not {len(nodes)}")
    elif len(nodes) < 2:
        source.at(where, f"an item needs at least 2 choices, not {len(nodes)}")
    if unreadable_correct:
        pass
    elif not correct_nodes and nodes:
        source.at(where, "no choice is marked 'correct: true'; mark the right answer")
    elif item_type in ("single_choice", "true_false") and len(correct_nodes) > 1:
        for extra in correct_nodes[1:]:
            source.at(extra, f"a {item_type} item has exactly one correct choice, but this is another "
                             f"(first at line {correct_nodes[0].line}); keep one, or use type: multiple_response")
    elif item_type == "multiple_response" and nodes and len(correct_nodes) == len(nodes):
        source.at(where, "every choice is correct; a multiple_response item needs at least one wrong choice")
    return tuple(choices)


def _load_settings(source: SourceFile, fields: _Fields, base: Settings | None,
                   item_ids: tuple[str, ...], all_loaded: bool,
                   flashcard_ids: frozenset[str] = frozenset()) -> Settings:
    """Settings from ``fields``; values not given come from ``base`` (the quiz, for a cohort).
    ``all_loaded``: every item file gave an item (see _load_pools); ``flashcard_ids``: the
    flashcard items, which no section may draw."""
    base = base or Settings(pass_mark=80.0)
    pass_mark = fields.number("pass_mark", base.pass_mark, 0, 100)
    attempts = fields.number("attempts", base.attempts, 1, 100, integer=True)
    time_limit = fields.number("time_limit", None, 1, 24 * 60, integer=True)
    shuffle_items = fields.boolean("shuffle_items", base.shuffle_items)
    shuffle_choices = fields.boolean("shuffle_choices", base.shuffle_choices)
    feedback = fields.choice("feedback", FEEDBACK_TIMINGS, default=base.feedback)
    show_correct_answers = fields.boolean("show_correct_answers", base.show_correct_answers)
    navigation = fields.choice("navigation", NAVIGATIONS, default=base.navigation)
    seed = fields.number("seed", base.seed, 0, 2**31 - 1, integer=True)
    pools = _load_pools(source, fields, item_ids, base.pools, all_loaded, flashcard_ids)
    theme = _load_theme(source, fields, base.theme)
    written = {"pools" if name in ("draw", "sections") else name for name in SETTING_FIELDS if fields.has(name)}
    return Settings(
        pass_mark=float(pass_mark if pass_mark is not None else base.pass_mark),
        attempts=int(attempts) if attempts is not None else None,
        time_limit=int(time_limit) * 60 if time_limit is not None else base.time_limit,
        shuffle_items=shuffle_items, shuffle_choices=shuffle_choices,
        feedback=feedback or base.feedback,  # type: ignore[arg-type]
        seed=int(seed if seed is not None else base.seed),
        pools=pools,
        show_correct_answers=show_correct_answers,
        navigation=navigation or base.navigation,  # type: ignore[arg-type]
        theme=theme,
        written=base.written | written,
    )


ACCENT_EXAMPLE = 'accent: "#0b6e4f"'


def _load_theme(source: SourceFile, fields: _Fields, base: Theme | None) -> Theme | None:
    """``theme:``, each field over the quiz's (``base``, for a cohort). The logo is a file of the
    quiz folder, named in ``source.media`` to be read and checked with the items' files; its alt
    text is required; the accent must reach WCAG AA contrast in the SCORM player (builder.colours)."""
    if not fields.has("theme"):
        return base
    node = fields.node_of("theme")
    if node.kind != "mapping":
        source.at(node, f"'theme' must be a mapping such as {{logo: images/logo.png, logo_alt: \"...\", "
                        f"{ACCENT_EXAMPLE}}}")
        return base
    theme = _Fields(source, node, THEME_FIELDS, "'theme'")
    base = base or Theme()
    logo, logo_alt = base.logo, base.logo_alt
    if theme.has("logo"):
        logo = _theme_logo(source, theme.node_of("logo"), theme.text("logo", required=True).strip())
        if not theme.has("logo_alt"):  # a new logo is described anew, never by the quiz's words for its own
            source.at(node, "missing field 'logo_alt': say what the logo shows, for learners who cannot see it "
                            "(such as \"Medi-Cal Peer Support\")")
    if theme.has("logo_alt"):
        logo_alt = theme.text("logo_alt").strip()
        if not logo_alt:
            source.at(theme.node_of("logo_alt"), "'logo_alt' is empty; say what the logo shows, for learners who "
                                                 "cannot see it")
        elif logo is None and not theme.has("logo"):
            source.at(theme.values["logo_alt"][0], "'logo_alt' describes the logo, and this theme has none; add "
                                                   "'logo' or remove 'logo_alt'")
    accent = _theme_accent(source, theme) if theme.has("accent") else base.accent
    return Theme(logo=logo, logo_alt=logo_alt if logo is not None else "", accent=accent)


def _theme_logo(source: SourceFile, node: Node, written: str) -> str | None:
    """The logo's path in the quiz folder (NFC, '/' between folders), noted in ``source.media`` at
    its place; None, reported, when it is no image file inside the quiz folder."""
    if not written:
        return None  # fields.text reported it (empty, or not text)
    path = posixpath.normpath(written) if "\\" not in written else ""
    extension = posixpath.splitext(written)[1].lower()
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", written):
        source.at(node, f"'logo' {shown(written)} must be a file of the quiz folder, such as images/logo.png, "
                        "not a web address or a drive: the package carries the logo")
    elif not path or written.startswith("/") or path == ".." or path.startswith("../"):
        source.at(node, f"'logo' {shown(written)} must be a path inside the quiz folder, relative to it, with / "
                        "between folders, such as images/logo.png")
    elif not markup.MEDIA_TYPES.get(extension, "").startswith("image/"):
        images = ", ".join(name for name, kind in markup.MEDIA_TYPES.items() if kind.startswith("image/"))
        source.at(node, f"'logo' {shown(written)} must be an image ({images})")
    else:
        name = unicodedata.normalize("NFC", path)
        source.media.setdefault(name, (node.line, node.column))
        return name
    return None


def _theme_accent(source: SourceFile, theme: _Fields) -> str | None:
    """The accent as '#rrggbb' (lower case); None, reported, when it is not a colour or lacks contrast."""
    node = theme.node_of("accent")
    if node.kind == "scalar" and node.plain and node.tag == "tag:yaml.org,2002:null":
        source.at(node, f"'accent' is empty; a colour starts with '#', which starts a comment in YAML unless the "
                        f"colour is in quotes: {ACCENT_EXAMPLE}")
        return None
    written = theme.text("accent").strip()
    rgb = colours.parse(written)
    if rgb is None:
        if node.kind == "scalar":  # else fields.text reported it
            source.at(node, f"'accent' must be a colour written #rrggbb, in quotes ({ACCENT_EXAMPLE}), not "
                            f"{shown(written) if written else 'empty text'}")
        return None
    accent = colours.hex_of(rgb)
    lacking = colours.shortfalls(rgb)
    if lacking:
        ratios = ", ".join(f"{colours.ratio_text(short.ratio)} {short.pairing.how}" for short in lacking)
        suggestion = colours.hex_of(colours.nearest_passing(rgb))
        source.at(node, f"accent {shown(written)} has too little contrast for WCAG AA ({colours.TEXT_CONTRAST:g}:1 "
                        f"for text) in the SCORM player: {ratios}; the nearest shade that has enough is "
                        f"\"{suggestion}\"")
        return None
    return accent


def _load_pools(source: SourceFile, fields: _Fields, item_ids: tuple[str, ...],
                inherited: tuple[Pool, ...], all_loaded: bool,
                flashcard_ids: frozenset[str] = frozenset()) -> tuple[Pool, ...]:
    """The quiz's ``draw`` or its ``sections``. When some item file failed to load (``all_loaded``
    False), what only its item could explain is not reported: a count over the items loaded, an
    id that the failed file may hold (its own problems are reported; fixing them may fix these)."""
    if fields.has("draw") and fields.has("sections"):
        source.at(fields.values["draw"][0], "give either 'draw' (for the whole quiz) or 'sections', not both")
        return inherited
    if fields.has("draw"):
        draw = fields.number("draw", None, 1, 100_000, integer=True)
        if draw is None:
            return inherited
        if draw > len(item_ids):
            if all_loaded:
                cards = " (flashcard items are cards only, never drawn)" if flashcard_ids else ""
                source.at(fields.node_of("draw"), f"'draw' is {int(draw)} but the quiz has only {len(item_ids)} "
                                                  f"items{cards}")
            return inherited
        return (Pool("main", "", item_ids, int(draw)),)
    if not fields.has("sections"):
        return inherited
    pools: list[Pool] = []
    used: dict[str, Node] = {}
    sections_seen: dict[str, Node] = {}
    for index, node in enumerate(fields.sequence("sections")):
        section = _Fields(source, node, SECTION_FIELDS, f"section {index + 1}")
        if node.kind != "mapping":
            continue
        identifier = section.identifier("id", required=True)
        if identifier.casefold() in SECTIONS_OF_THE_REST:
            source.at(section.node_of("id"), f"section id {shown(identifier)} is reserved for the items that no "
                                             "section names (in any case); rename the section")
        elif identifier and identifier.casefold() in sections_seen:
            first_section = sections_seen[identifier.casefold()]
            source.at(section.node_of("id"), f"section id {shown(identifier)} is already used by the section at "
                                             f"line {first_section.line} (ids are compared in any case); give "
                                             "each section its own")
        sections_seen.setdefault(identifier.casefold(), node)
        ids = []
        for text, id_node in section.text_list("items"):
            if text in flashcard_ids:
                source.at(id_node, f"{shown(text)} is a flashcard item: a card to study, which no quiz format "
                                   "shows; leave it out of the sections")
            elif text not in item_ids:
                if all_loaded:
                    source.at(id_node, f"no item with id {shown(text)} in this quiz{_did_you_mean(text, item_ids)}")
            elif text in used:
                source.at(id_node, f"item {shown(text)} is already in a section (line {used[text].line})")
            else:
                used[text] = id_node
                ids.append(text)
        if not section.has("items"):
            source.at(node, "missing field 'items' (the ids this section draws from)")
        select = section.number("select", None, 1, 100_000, integer=True)
        if select is not None and select > len(ids):
            if all_loaded:
                source.at(section.node_of("select"), f"'select' is {int(select)} but the section has {len(ids)} "
                                                     "items")
            select = None
        pools.append(Pool(identifier, section.text("title") or identifier, tuple(ids),
                          int(select) if select is not None else None))
    return tuple(pools)


def load_quiz(directory: Path, root: Path, problems: list[Problem], progress: Progress | None = None,
              cache: Cache = NO_CACHE, project: ProjectSettings = NO_PROJECT_FILE) -> Quiz | None:
    quiz_display = display_path(directory / QUIZ_FILE, root)
    bad_name = _name_problem(os.path.relpath(os.path.abspath(directory), os.path.abspath(root)), quiz_display)
    if bad_name is not None:
        problems.append(bad_name)
        return None
    quiz_path = directory / QUIZ_FILE
    if os.path.islink(quiz_path) and not _inside(quiz_path, directory):
        problems.append(Problem(quiz_display, 0, 0, f"is a link to a file outside the quiz folder "
                                                    f"{quiz_folder_named(directory, root)}; copy the file in"))
        return None
    source = SourceFile(quiz_path, quiz_display, problems)
    quiz_node = source.parse()
    excluded = _exclusions(source, quiz_node, project.exclude) if quiz_node is not None else None
    loaded, item_files, failed = _load_items(directory, root, problems, progress, cache, excluded)
    if quiz_node is None:
        return None
    before = len(problems)
    fields = _Fields(source, quiz_node, QUIZ_FIELDS, QUIZ_FILE)
    if quiz_node.kind != "mapping":
        return None
    identifier = fields.identifier("identifier", required=True)
    _refuse_reserved(source, fields, "identifier", identifier, "quiz")
    title = fields.text("title", required=True)
    version = fields.text("version", required=True)
    if version and not VERSION.match(version):
        source.at(fields.node_of("version"), f"'version' {shown(version)} may use only letters, digits and . + _ - "
                                                    "(at most 20)")
    description = fields.text("description")
    language = fields.text("language", default="en")
    if not LANGUAGE.match(language):
        source.at(fields.node_of("language"), f"'language' {shown(language)} is not a language tag such as en or en-US")
    if not item_files:
        source.at(quiz_node, "the quiz has no items; add item files beside quiz.yaml")
    for item in loaded:
        if identifier and item.id.casefold() == identifier.casefold():
            node = fields.node_of("identifier")
            problems.append(Problem(item.place.path, item.place.line, item.place.column,
                                    f"item id {shown(item.id)} is also the quiz's identifier ({quiz_display}:"
                                    f"{node.line}); the QTI test and its items share one set of identifiers "
                                    "(in any case): rename the item or the quiz"))
    all_loaded = failed == 0
    everything = _order_items(source, fields, loaded, all_loaded)
    # Flashcard items are cards only: kept out of the items, so that no quiz format ever sees one.
    items = tuple(item for item in everything if isinstance(item, Item))
    flashcards = tuple(item for item in everything if isinstance(item, Flashcard))
    item_ids = tuple(item.id for item in items)
    flashcard_ids = frozenset(flashcard.id for flashcard in flashcards)
    if not fields.has("pass_mark"):
        source.at(quiz_node, "missing field 'pass_mark' (percent needed to pass, e.g. 80)")
    settings = _load_settings(source, fields, None, item_ids, all_loaded, flashcard_ids)
    formats = _load_formats(source, fields) or project.formats or ("qti21",)
    cohorts, cohort_titles = _load_cohorts(source, fields, settings, item_ids, all_loaded, flashcard_ids)
    carded = _load_card_choice(source, fields, item_ids, flashcard_ids, all_loaded)
    card_ids = tuple(item.id for item in everything if isinstance(item, Flashcard) or item.id in carded)
    _check_title_length(source, fields.node_of("title"), title.strip())
    limits = _load_media_limits(source, fields)
    accepted = _load_accepted_warnings(source, fields) | project.accepted_warnings
    strings = _load_strings(source, fields, language)
    # The themes' logos are read and checked with the items' files, and count towards their total.
    item_uses = [use for item in everything for use in item.media]
    logo_uses = [MediaUse(name, Place(quiz_display, line, column)) for name, (line, column) in source.media.items()]
    files = media.read_media(directory, item_uses + logo_uses, limits, problems, quiz_folder_named(directory, root))
    if len(problems) > before:
        return None
    shown_by_items = {use.name for use in item_uses}
    return Quiz(identifier=identifier, title=title.strip(), version=version, description=description.strip(),
                language=language, settings=settings, items=items, formats=formats, directory=directory,
                place=Place(quiz_display, quiz_node.line, quiz_node.column), cohort_settings=cohorts,
                source_sha256=hashlib.sha256(source.data).hexdigest(),
                media=tuple(file for file in files if file.name in shown_by_items), accepted_warnings=accepted,
                cohort_titles=cohort_titles, theme_media=tuple(file for file in files if file.name in source.media),
                strings=strings, flashcards=flashcards, card_ids=card_ids)


def _load_card_choice(source: SourceFile, fields: _Fields, item_ids: tuple[str, ...],
                      flashcard_ids: frozenset[str], all_loaded: bool) -> frozenset[str]:
    """The ids of the items quiz.yaml's ``flashcards:`` makes cards of: ``all`` (the default),
    ``none``, or a list of ids. A flashcard item is always a card, listed or not. An id no item
    has is not reported when some item file failed to load (that file may hold it)."""
    if not fields.has("flashcards"):
        return frozenset(item_ids)
    node = fields.node_of("flashcards")
    if node.kind == "scalar" and str(node.value) in ("all", "none"):
        return frozenset(item_ids) if node.value == "all" else frozenset()
    if node.kind != "sequence":
        source.at(node, "'flashcards' must be all (every item is also a card: the default), none, or a list of "
                        "the ids of the items to make cards of")
        return frozenset(item_ids)
    chosen: dict[str, Node] = {}
    known = (*item_ids, *sorted(flashcard_ids))
    for text, entry in fields.text_list("flashcards"):
        if text in chosen:
            source.at(entry, f"item {shown(text)} is listed twice in 'flashcards' (first at line {chosen[text].line})")
        elif text not in known and all_loaded:
            source.at(entry, f"no item has id {shown(text)}{_did_you_mean(text, known)}")
        chosen.setdefault(text, entry)
    return frozenset(chosen)


def _load_accepted_warnings(source: SourceFile, fields: _Fields) -> frozenset[str]:
    """quiz.yaml's ``accept_warnings``: codes of warnings the author knows of and accepts, each one
    lmspack gives (a typo would silence nothing, and say nothing of it)."""
    accepted = set()
    for code, node in fields.text_list("accept_warnings"):
        if code in warning_codes.CODES:
            accepted.add(code)
        else:
            source.at(node, f"no warning has the code {shown(code)}{_did_you_mean(code, sorted(warning_codes.CODES))} "
                            "(docs/warnings.md lists them)")
    return frozenset(accepted)


def load_project_file(folder: Path, problems: list[Problem], display: str = PROJECT_FILE) -> ProjectSettings:
    """The lmspack.yaml of the project folder ``folder``, each problem at its place (``display``:
    the file as messages show it, which says where the project folder is). Every key is
    optional: a file with nothing but comments marks the project folder with the defaults."""
    path = folder / PROJECT_FILE
    if os.path.islink(path) and not _inside(path, folder):
        named = project_folder_named(folder, ProjectSettings(marked=True))
        problems.append(Problem(display, 0, 0, f"is a link to a file outside {named}; copy the file in"))
        return ProjectSettings(marked=True)
    source = SourceFile(path, display, problems)
    node = source.parse(empty_ok=True)
    if node is None:
        return ProjectSettings(marked=True)
    fields = _Fields(source, node, PROJECT_FIELDS, PROJECT_FILE)
    if node.kind != "mapping":
        return ProjectSettings(marked=True)
    quizzes = _project_folder(source, fields, folder, "quizzes", ProjectSettings.quizzes)
    out = _project_folder(source, fields, folder, "out", ProjectSettings.out)
    if fields.has("out") and quizzes != "." and (out == quizzes or out.startswith(f"{quizzes}/")):
        source.at(fields.node_of("out"), f"'out' {shown(out)} is inside the folder of quizzes ({shown(quizzes)}); "
                                         "the build never writes among the quizzes: name another folder, such as dist")
    exclude = _exclude_expressions(source, fields.node_of("exclude")) if fields.has("exclude") else []
    return ProjectSettings(quizzes=quizzes, out=out, formats=_load_formats(source, fields),
                           accepted_warnings=_load_accepted_warnings(source, fields), exclude=tuple(exclude),
                           marked=True)


def _project_folder(source: SourceFile, fields: _Fields, folder: Path, name: str, default: str) -> str:
    """lmspack.yaml's folder ``name`` (quizzes, out): a path relative to the project folder, with /
    between folders, that stays inside it, symbolic links followed; normalised (items/ is items).
    The quizzes may be the project folder itself (.), the packages may not."""
    if not fields.has(name):
        return default
    before = len(source.problems)
    text = fields.text(name)
    if len(source.problems) > before:  # not text: said so
        return default
    relative = posixpath.normpath(text) if text.strip() else ""
    example = f"such as {default}"
    escapes = text.startswith("/") or "\\" in text or ".." in relative.split("/")
    if not relative or (relative == "." and name == "out") or escapes:
        source.at(fields.node_of(name), f"'{name}' must name a folder inside the project folder, relative to it, "
                                        f"with / between folders and no '..', {example}")
        return default
    if not _inside(folder / relative, folder):
        source.at(fields.node_of(name), f"'{name}' {shown(relative)} leads through a symbolic link to "
                                        f"{escaped(os.path.realpath(folder / relative))}, outside "
                                        f"{project_folder_named(folder, ProjectSettings(marked=True))}; "
                                        f"name a folder inside it, {example}")
        return default
    return relative


def _load_strings(source: SourceFile, fields: _Fields, language: str) -> tuple[tuple[str, model.MessageText], ...]:
    """quiz.yaml's ``strings:``: messages of builder/catalogues to show instead of the catalogue's,
    each a text, or for a message with plural forms a text per plural category of the quiz's
    language; placeholders only those the message has."""
    if not fields.has("strings"):
        return ()
    node = fields.node_of("strings")
    if node.kind != "mapping":
        source.at(node, "'strings' must be a mapping of message keys to text, such as {start.button: Begin}")
        return ()
    english = catalogues.catalogue(catalogues.SOURCE_TAG).messages
    categories = catalogues.catalogue(catalogues.catalogue_tag(language)).plural_categories
    assert isinstance(node.value, dict)  # a mapping's value
    entries = _Fields(source, node, tuple(node.value), "'strings'")
    strings: list[tuple[str, model.MessageText]] = []
    for key, (key_node, value_node) in entries.values.items():
        if key not in english:
            source.at(key_node, f"no message has the key {shown(key)}{_did_you_mean(key, english)} "
                                "(builder/catalogues/en.json lists them)")
            continue
        allowed = catalogues.placeholders(english[key])
        if value_node.kind == "mapping" and not isinstance(english[key], str):
            named = f"plural forms of {language}: {', '.join(categories)}"
            forms = _Fields(source, value_node, categories, f"'strings' {key} ({named})")
            for category in categories:
                if not forms.has(category):
                    source.at(value_node, f"'strings' {key} lacks the plural form '{category}' ({named})")
            texts = tuple((category, forms.text(category, required=True) if forms.has(category) else "")
                          for category in categories)
            checked: list[tuple[Node, str]] = [(forms.node_of(category), text) for category, text in texts]
            strings.append((key, texts))
        else:
            text = entries.text(key, required=True)
            checked = [(value_node, text)]
            strings.append((key, text))
        for place, text in checked:
            for name in sorted(catalogues.placeholders(text) - allowed):
                has = ", ".join(f"{{{p}}}" for p in sorted(allowed)) or "none"
                source.at(place, f"{{{name}}} is not a placeholder of message {key} (it has: {has})")
    return tuple(strings)


def _load_media_limits(source: SourceFile, fields: _Fields) -> media.MediaLimits:
    """quiz.yaml's ``media:`` limits on the size of the files items show, in MB (2^20 bytes)."""
    defaults = media.MediaLimits()
    if not fields.has("media"):
        return defaults
    node = fields.node_of("media")
    if node.kind != "mapping":
        source.at(node, "'media' must be a mapping such as {max_file_mb: 10, max_total_mb: 50}")
        return defaults
    limits = _Fields(source, node, MEDIA_FIELDS, "'media'")
    file_mb = limits.number("max_file_mb", defaults.file_mb, 0.01, 2000.0)
    total_mb = limits.number("max_total_mb", defaults.total_mb, 0.01, 10000.0)
    return media.MediaLimits(file_mb or defaults.file_mb, total_mb or defaults.total_mb)


def _check_title_length(source: SourceFile, node: Node, title: str) -> None:
    """A title (the quiz's, or a cohort's own) must fit SCORM's manifest (TITLE_LIMIT), where every
    package shows it as it is (a cohort's name is in identifiers only). Checked here, so that
    validate says it and no build fails on it."""
    if len(title) > TITLE_LIMIT:
        source.at(node, f"'title' is {len(title)} characters long; SCORM packages take at most {TITLE_LIMIT}: "
                        "shorten it (the description can say more)")


def _load_formats(source: SourceFile, fields: _Fields) -> tuple[str, ...]:
    """The formats named (none: the project's, else qti21, as load_quiz says)."""
    formats = []
    for text, node in fields.text_list("formats"):
        if text not in FORMAT_NAMES:
            source.at(node, f"unknown format {shown(text)} (one of: {', '.join(FORMAT_NAMES)})"
                            f"{_did_you_mean(text, FORMAT_NAMES)}")
        elif text not in formats:
            formats.append(text)
    return tuple(formats)


Cohorts = tuple[tuple[tuple[str, Settings], ...], tuple[tuple[str, str], ...]]


def _load_cohorts(source: SourceFile, fields: _Fields, settings: Settings,
                  item_ids: tuple[str, ...], all_loaded: bool, flashcard_ids: frozenset[str] = frozenset()) -> Cohorts:
    """Each cohort with its settings over the quiz's, and each cohort's own title, checked now so
    that `validate` reports them."""
    if not fields.has("cohorts"):
        return (), ()
    node = fields.node_of("cohorts")
    if node.kind != "mapping":
        source.at(node, "'cohorts' must map each cohort name to the settings it overrides")
        return (), ()
    cohorts = []
    titles = []
    assert isinstance(node.value, dict)  # a mapping's value
    for name, (key, value) in node.value.items():
        if not COHORT_NAME.match(name):
            source.at(key, f"cohort name {shown(name)} must use lower-case letters, digits and '-' (at most 40)")
        overrides = _Fields(source, value, COHORT_FIELDS, f"cohort {shown(name)}")
        cohorts.append((name, _load_settings(source, overrides, settings, item_ids, all_loaded, flashcard_ids)))
        if overrides.has("title"):
            title = overrides.text("title", required=True).strip()
            _check_title_length(source, overrides.node_of("title"), title)
            if title:
                titles.append((name, title))
    return tuple(cohorts), tuple(titles)


# From this many item files on, items are read on both cores (builder/parallel.py).
PARALLEL_ITEMS = 400


def _load_items(directory: Path, root: Path, problems: list[Problem], progress: Progress | None,
                cache: Cache, excluded: re.Pattern[str] | None = None) -> tuple[tuple[Item | Flashcard, ...], int, int]:
    """The valid items (and flashcard items) under ``directory`` in file-name order, how many item files there are, and
    how many of them gave no item (refused, or invalid: their problems are reported). Files and
    folders whose path in the quiz folder ``excluded`` matches are not read (_exclusions)."""
    paths: list[tuple[str, str, str, str]] = []
    refused = 0
    real_directory = os.path.realpath(directory)
    quiz_display = display_path(directory, root)
    named = quiz_folder_named(directory, root)
    for relative, is_link in _item_files(directory, quiz_display, problems, excluded, named):
        path = os.path.join(directory, relative)
        display = _in_folder(quiz_display, escaped(relative))
        bad_name = _name_problem(relative, display)
        if bad_name is not None:
            problems.append(bad_name)
            refused += 1
            continue
        # The walk enters linked folders only when they stay inside, so only a linked file can lead outside.
        if is_link and not os.path.realpath(path).startswith(real_directory + os.sep):
            problems.append(Problem(display, 0, 0, f"is a link to a file outside the quiz folder {named}; copy the "
                                                   "file in"))
            refused += 1
            continue
        paths.append((path, display, posixpath.dirname(relative.replace(os.sep, "/")), named))
    # Remembered items first, here (only a cache kept on disk can have them); what is left is
    # parsed, on both cores when there is much.
    stored = cache.stored  # else no need to read every file twice to look
    entries = [_item_entry(path, display) if stored else None for path, display, _, _ in paths]
    cache.prefetch([entry for entry in entries if entry is not None])
    loaded: list[tuple[Item | Flashcard | None, list[Problem]] | None] = [_remembered_item(cache, entry)
                                                                          for entry in entries]
    missing = [index for index, result in enumerate(loaded) if result is None]
    fresh = parallel.map_ordered(functools.partial(_load_item_remembering, cache=cache), [paths[i] for i in missing],
                                 parallel=len(missing) >= PARALLEL_ITEMS, chunks=32, cache=cache,
                                 progress=progress and (lambda done, total: progress(done, total, "reading")),
                                 received=lambda sent: (pickle.loads(sent[0]) if sent[0] is not None else None,
                                                        sent[1]))
    for index, result in zip(missing, fresh, strict=True):
        loaded[index] = result
    items: list[Item | Flashcard] = []
    first_place: dict[str, Place] = {}
    first_folded: dict[str, Item | Flashcard] = {}
    failed = refused
    for item, item_problems in filter(None, loaded):
        problems.extend(item_problems)
        if item is None:
            failed += 1
            continue
        if item.id in first_place:
            first = first_place[item.id]
            problems.append(Problem(item.place.path, item.place.line, item.place.column,
                                    f"item id '{item.id}' is already used by {first.path}:{first.line}; "
                                    "give each item its own id"))
            continue
        other = first_folded.get(item.id.casefold())
        if other is not None:
            problems.append(Problem(item.place.path, item.place.line, item.place.column,
                                    f"item id {shown(item.id)} differs from {shown(other.id)} at {other.place.path}:"
                                    f"{other.place.line} only in case; ids become file names, which Windows and "
                                    "macOS do not tell apart by case: rename one"))
            continue
        first_place[item.id] = item.place
        first_folded[item.id.casefold()] = item
        items.append(item)
    return tuple(items), len(paths) + refused, failed


def _item_files(directory: Path, display: str, problems: list[Problem],
                excluded: re.Pattern[str] | None = None, named: str = "") -> list[tuple[str, bool]]:
    """The item files below ``directory``, as sorted relative paths, each with whether it is a
    link. From the folder listings alone: no file is opened or stat'ed (thousands of files are
    listed on every build), but a link's target. Every entry named like an item file that is not
    a folder is one, whatever it is: reading it says when it is not a plain file (quiz.yaml and
    lmspack.yaml are not). A linked folder is followed while it stays inside the quiz folder, and
    reported when it does not, or when it holds the folder it is in (_linked_folder). A folder
    that cannot be listed is reported (``display`` is the quiz folder's path in messages,
    ``named`` its name in what they say). A file or folder whose relative path (a folder's with
    and without its final /) ``excluded`` matches is left out, a folder without being listed;
    with no pattern, nothing is matched."""
    found: list[tuple[str, bool]] = []
    real_directory: str | None = None  # looked up at the first linked folder only
    # Folders still to list, with their path from ``directory`` and the real folders that links on
    # the way led to (a loop, not a recursive closure: that would hold itself in a cycle, and the
    # listing with it, until the collector came by).
    folders: list[tuple[str, str, tuple[str, ...]]] = [(str(directory), "", ())]
    while folders:
        folder, prefix, entered = folders.pop()
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError as error:
            where = _in_folder(display, escaped(prefix.rstrip('/'))) if prefix else display
            problems.append(Problem(where, 0, 0, unreadable(error)))
            continue
        for entry in listed:
            is_folder = _is_folder(entry)
            if is_folder or _is_linked_folder(entry):
                relative = f"{prefix}{entry.name}/"
                if excluded is not None and (excluded.match(relative) or excluded.match(relative[:-1])):
                    continue
                if is_folder:
                    folders.append((entry.path, relative, entered))
                    continue
                real_directory = real_directory or os.path.realpath(directory)
                target, trouble = _linked_folder(entry.path, folder, entered, real_directory)
                where = _in_folder(display, escaped(relative[:-1]))
                if trouble == "outside":
                    problems.append(Problem(where, 0, 0, f"is a link to a folder outside the quiz folder {named}; "
                                                         "copy its files in"))
                elif trouble == "loop":
                    problems.append(Problem(where, 0, 0, LINK_LOOP))
                else:
                    folders.append((entry.path, relative, (*entered, target)))
            # (.#name: Emacs's lock of a file being edited, a link to nothing)
            elif entry.name.endswith((".yaml", ".yml")) and entry.name not in (QUIZ_FILE, PROJECT_FILE) \
                    and not entry.name.startswith(".#") \
                    and (excluded is None or not excluded.match(prefix + entry.name)):
                found.append((prefix + entry.name, entry.is_symlink()))
    return sorted(found)


EXCLUDE_EXAMPLE = "such as review-notes.yaml or drafts/**"


def _exclusions(source: SourceFile, quiz_node: Node, project_exclude: tuple[str, ...] = ()) -> re.Pattern[str] | None:
    """quiz.yaml's ``exclude:`` globs, and lmspack.yaml's (``project_exclude``, as expressions), as
    one expression matching the whole of a path relative to the quiz folder (None when there are
    none: the listing then matches nothing). Read before the item files are listed, so from the
    node itself (the other fields are checked after). A pattern that matches nothing is not
    reported: ``drafts/**`` stays useful while drafts/ is empty, and a misspelt one shows itself,
    as the file it meant is still read."""
    expressions = list(project_exclude)
    if quiz_node.kind == "mapping" and isinstance(quiz_node.value, dict) and "exclude" in quiz_node.value:
        expressions += _exclude_expressions(source, quiz_node.value["exclude"][1])
    return re.compile(f"(?:{'|'.join(expressions)})\\Z") if expressions else None


def _exclude_expressions(source: SourceFile, node: Node) -> list[str]:
    """An ``exclude:`` list of globs, each as a regular expression (_glob_expression); each
    pattern that cannot be one is reported."""
    if not isinstance(node.value, list):
        source.at(node, f"'exclude' must be a list of file patterns (lines starting with '- '), {EXCLUDE_EXAMPLE}")
        return []
    expressions = []
    for entry in node.value:
        pattern = entry.value if isinstance(entry.value, str) else ""
        if not pattern.strip():
            source.at(entry, f"each entry of 'exclude' must be a file pattern, {EXCLUDE_EXAMPLE}")
        elif pattern.startswith("/") or "\\" in pattern or ".." in pattern.split("/"):
            source.at(entry, f"exclude pattern {shown(pattern)} must be a path inside the quiz folder, relative to "
                             f"it, with / between folders and no '..', {EXCLUDE_EXAMPLE}")
        else:
            expressions.append(f"(?:{_glob_expression(pattern)})")
    return expressions


def _glob_expression(pattern: str) -> str:
    """A glob as a regular expression over paths: ``*`` and ``?`` within one name, ``[...]`` one
    character of a set, ``**`` across folders (``**/`` any folders, none included)."""
    parts, index = [], 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
        elif pattern.startswith("**", index):
            parts.append(".*")
            index += 2
        elif pattern[index] in "*?":
            parts.append("[^/]*" if pattern[index] == "*" else "[^/]")
            index += 1
        elif pattern[index] == "[" and (end := pattern.find("]", index + 2)) > 0:
            chars = pattern[index + 1:end]
            negated = chars.startswith("!")
            chars = chars[1:] if negated else chars
            escaped_chars = chars.replace("\\", "\\\\").replace("[", "\\[").replace("^", "\\^")
            parts.append(f"[{'^/' if negated else ''}{escaped_chars}]")
            index = end + 1
        else:
            parts.append(re.escape(pattern[index]))
            index += 1
    return "".join(parts)


def _item_entry(path: str, display: str) -> str | None:
    """The cache entry of the item in the file's current bytes (None: unreadable or too large,
    load_item says why)."""
    try:
        data = read_at_most(path, MAX_FILE_BYTES)
    except OSError:
        return None
    if len(data) > MAX_FILE_BYTES:
        return None
    return item_key(display, hashlib.sha256(data).hexdigest())


def _remembered_item(cache: Cache, entry: str | None) -> tuple[Item | Flashcard, list[Problem]] | None:
    """The Item that load_item gave before for the same bytes at the same path (builder/cache.py)."""
    remembered = cache.get(entry) if entry is not None else None
    return (pickle.loads(remembered), []) if remembered is not None else None


def _load_item_remembering(source: tuple[str, str, str, str], cache: Cache) -> tuple[bytes | None, list[Problem]]:
    """load_item, the item pickled (a worker hands it back as the bytes it is remembered by, not
    pickled a second time). An item that loaded with no problem is remembered under the hash of
    the bytes it was read from, so a file that changes while being read cannot be remembered wrongly."""
    path, display, folder, quiz_folder = source
    problems: list[Problem] = []
    item = load_item(Path(path), display, problems, folder, quiz_folder)
    if item is None:
        return None, problems
    pickled = model.pickled(item)
    if cache.path is not None and not problems:  # only a cache kept on disk can give items back
        # Kept as it is: every rebuild reads back every item, and decompressing cost more than reading.
        cache.put(item_key(display, item.source_sha256), pickled, "as is")
    return pickled, problems


def _order_items(source: SourceFile, fields: _Fields, items: tuple[Item | Flashcard, ...],
                 all_loaded: bool) -> tuple[Item | Flashcard, ...]:
    """The items in the order of quiz.yaml's ``items``. An id no item has is not reported when
    some item file failed to load: that file may be the one (its own problems are reported)."""
    if not fields.has("items"):
        return items
    by_id = {item.id: item for item in items}
    ordered: list[Item | Flashcard] = []
    listed: dict[str, Node] = {}
    for text, node in fields.text_list("items"):
        if text in listed:
            source.at(node, f"item {shown(text)} is listed twice (first at line {listed[text].line})")
        elif text not in by_id:
            if all_loaded:
                source.at(node, f"no item file has id {shown(text)}{_did_you_mean(text, by_id)}")
        else:
            ordered.append(by_id[text])
        listed.setdefault(text, node)
    for item in items:
        if item.id not in listed:
            source.at(fields.node_of("items"), f"item '{item.id}' ({item.place.path}) is not listed in 'items'; "
                                               "list it, or move its file out of the quiz folder")
    return tuple(ordered)
