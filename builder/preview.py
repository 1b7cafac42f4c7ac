"""`lmspack preview`: the quiz's SCORM 2004 player served on 127.0.0.1, rebuilt when a file of the
quiz folder changes, with an author view (every item on its own, its answer key, what the LMS
records) beside the learner's.

What it serves is what it built, held in memory: the player's files exactly as the scorm2004
package holds them (built by builder.formats.scorm, unzipped), the pages of templates/preview/ and
a status document. A request names one of these or gets 404; nothing is read from the disk on a
request's behalf, so no path can lead outside. The server listens on 127.0.0.1 only and answers
only requests whose Host header is that address and port: a web page elsewhere that makes a name
of its own resolve to 127.0.0.1 (DNS rebinding) gets 403, never the quiz or its key.

The player needs an LMS: templates/preview/api.js is a small SCORM 2004 run-time in the page
around the player (which finds it as it finds an LMS's), keeping what the LMS would store in the
tab's sessionStorage, so a reload resumes. The page asks for /status twice a second; a changed
build there reloads it. The folder is looked at (sizes, times, inodes of the files the loader
reads) on each /status and by a background thread, so the terminal hears of a change even with
no page open.
"""

from __future__ import annotations

import dataclasses
import http.server
import io
import json
import os
import secrets
import sys
import threading
import webbrowser
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import assert_never
from urllib.parse import parse_qs, quote, unquote

from builder import build as building
from builder import interruption
from builder.errors import InputError, OutputInvalidError, Problem, UsageError, escaped
from builder.formats import item_type, refuse
from builder.formats.scorm import build_scorm2004, check_scorm2004
from builder.loading import NO_PROJECT_FILE, PROJECT_FILE, ProjectSettings, display_path, find_quiz_dirs
from builder.markup import MEDIA_TYPES, plain_text
from builder.model import (
    Blank,
    ChoiceBlank,
    ChoiceInteraction,
    EssayInteraction,
    FillInBlanksInteraction,
    Item,
    MatchingInteraction,
    NumericAnswer,
    NumericBlank,
    NumericInteraction,
    OrderingInteraction,
    Quiz,
    ShortAnswerInteraction,
    TextBlank,
)
from builder.project import Project
from builder.rendering import render
from builder.scoring import (
    Response,
    auto_scored,
    choice_weights,
    correct_answer,
    credit_points,
    format_number,
    score,
)

HOST = "127.0.0.1"
POLL_SECONDS = 0.5
"""How often the background thread looks at the quiz folder."""
WATCHED_SUFFIXES = frozenset({".yaml", ".yml", *MEDIA_TYPES})
"""The files whose change means a rebuild: what the loader reads (item files, quiz.yaml, the
pictures, sounds and films the texts show)."""
PAGE_FILES = {"api.js": "text/javascript", "preview.js": "text/javascript", "preview.css": "text/css"}
"""The preview's own script and style sheet, from templates/preview/, served under /preview/."""
CONTENT_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", **MEDIA_TYPES}
TEXT_TYPES = ("text/html", "text/javascript", "text/css", "text/plain", "application/json")

# The preview's pages: their own scripts and styles, the player in a frame of the same origin,
# /status; nothing else, and no one else may frame them.
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; frame-src 'self'; "
               "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
# The player's files carry their own policy (index.html's meta element); framed by the preview only.
PLAYER_POLICY = "frame-ancestors 'self'"
# A picture opened on its own (an SVG could hold a script) runs nothing in the preview's origin.
MEDIA_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

Say = Callable[[str, bool], None]
"""How the preview talks to the terminal: a line, and whether it is a problem (stderr)."""


# ---- the answer key ----------------------------------------------------------------------------

@dataclass(frozen=True)
class AnswerKey:
    """What the author view shows of an item's answer, worked out from the model and scored by
    builder.scoring (never guessed in the page)."""

    right: str
    """A fully right response, in words."""
    scores: float | None
    """The points builder.scoring gives that response; None when a person grades the item."""
    details: tuple[str, ...]
    """Every choice or accepted answer with what it earns, and how responses are compared."""


def answer_key(item: Item, language: str) -> AnswerKey:
    response = right_response(item)
    scored = score(item, response, language) if response is not None and auto_scored(item) else None
    return AnswerKey(_right_in_words(item), scored, _key_details(item))


def right_response(item: Item) -> Response | None:
    """A response builder.scoring takes as fully right (None: a person grades the item)."""
    match item.interaction:
        case ChoiceInteraction() as choice:
            return [c.identifier for c in choice.correct_choices]
        case ShortAnswerInteraction() as short:
            return correct_answer(short.answers).text
        case NumericInteraction() as numeric:
            return _number_response(correct_answer(numeric.answers))
        case EssayInteraction():
            return None
        case MatchingInteraction() as matching:
            # The first options are the pairs' right sides, in the pairs' order (model.options).
            return dict(zip(matching.left_ids, (option for option, _ in matching.options), strict=False))
        case OrderingInteraction() as ordering:
            return list(ordering.step_ids)
        case FillInBlanksInteraction() as blanks:
            return {blank.name: _blank_response(blank) for blank in blanks.blanks}
        case _:
            assert_never(item.interaction)


def _number_response(answer: NumericAnswer) -> str:
    """A number the answer accepts, as a learner could type it (repr: every digit kept)."""
    return repr(answer.value if answer.value is not None else answer.bounds[0])


def _blank_response(blank: Blank) -> str:
    match blank:
        case TextBlank() as typed:
            return typed.answers[0]
        case ChoiceBlank() as choice:
            return choice.options[choice.correct]
        case NumericBlank() as number:
            return _number_response(number.answer)
        case _:
            assert_never(blank)


def _right_in_words(item: Item) -> str:
    match item.interaction:
        case ChoiceInteraction() as choice:
            return " and ".join(plain_text(c.text) for c in choice.correct_choices)
        case ShortAnswerInteraction() as short:
            return correct_answer(short.answers).text
        case NumericInteraction() as numeric:
            return _accepted_number(correct_answer(numeric.answers), numeric.unit)
        case EssayInteraction():
            return "none: a person grades the answer"
        case MatchingInteraction() as matching:
            return "; ".join(f"{plain_text(pair.left)} → {plain_text(pair.right)}" for pair in matching.pairs)
        case OrderingInteraction() as ordering:
            return " → ".join(plain_text(step) for step in ordering.steps)
        case FillInBlanksInteraction() as blanks:
            return "; ".join(f"[[{blank.name}]] {_blank_response_in_words(blank)}" for blank in blanks.blanks)
        case _:
            assert_never(item.interaction)


def _blank_response_in_words(blank: Blank) -> str:
    match blank:
        case TextBlank() | ChoiceBlank():
            return _blank_response(blank)
        case NumericBlank() as number:
            return _accepted_number(number.answer, "")
        case _:
            assert_never(blank)


def _accepted_number(answer: NumericAnswer, unit: str) -> str:
    """``12.5`` (within 0.5: 12 to 13), or ``any number from 12 to 13``, with the unit."""
    low, high = (format_number(bound) for bound in answer.bounds)
    after = f" {unit}" if unit else ""
    if answer.value is None:
        return f"any number from {low}{after} to {high}{after}"
    if low == high:
        return f"{format_number(answer.value)}{after}"
    within = f"{format_number(answer.tolerance)} %" if answer.relative else format_number(answer.tolerance)
    return f"{format_number(answer.value)}{after} (within {within}: {low} to {high})"


def _points(value: float, signed: bool = False) -> str:
    sign = "+" if signed and value > 0 else ""
    return f"{sign}{format_number(value)} point{'' if abs(value) == 1 else 's'}"


def _key_details(item: Item) -> tuple[str, ...]:
    match item.interaction:
        case ChoiceInteraction() as choice:
            weights = choice_weights(item.points, choice)
            lines = [f"{'right' if c.correct else 'wrong'}: {plain_text(c.text)} "
                     f"({_points(weights[c.identifier], signed=True)})" for c in choice.choices]
            if choice.multiple:
                lines.append(f"the total is kept between 0 and {_points(item.points)}")
            return tuple(lines)
        case ShortAnswerInteraction() as short:
            case_rule = "with" if short.case_sensitive else "without"
            return (*(f"“{answer.text}”: {format_number(answer.credit)} % "
                      f"({_points(credit_points(item.points, answer.credit))})" for answer in short.answers),
                    f"compared {case_rule} regard to case, spaces trimmed and folded; anything else earns 0")
        case NumericInteraction() as numeric:
            return (*(f"{_accepted_number(answer, numeric.unit)}: {format_number(answer.credit)} % "
                      f"({_points(credit_points(item.points, answer.credit))})" for answer in numeric.answers),
                    "the first answer that holds the number counts; anything else earns 0")
        case EssayInteraction() as essay:
            limits = [f"at least {essay.min_words} words" if essay.min_words else "",
                      f"at most {essay.max_words} words" if essay.max_words else ""]
            return tuple(line for line in (
                "not scored automatically: recorded for a person to grade, and left out of the score",
                f"grader notes: {plain_text(essay.grader_notes)}" if essay.grader_notes else "",
                f"word limits: {', '.join(limit for limit in limits if limit)}" if any(limits) else "") if line)
        case MatchingInteraction() as matching:
            rule = ("each pair right earns its share" if matching.scoring == "per_pair"
                    else "all pairs right, or nothing")
            return (rule, *(f"matches nothing: {plain_text(text)}" for text in matching.distractors))
        case OrderingInteraction() as ordering:
            return ("the whole order, or nothing" if ordering.scoring == "all_or_nothing"
                    else "each step in its own place earns its share",)
        case FillInBlanksInteraction() as blanks:
            return (*(_blank_details(blank) for blank in blanks.blanks), "each blank right earns its share")
        case _:
            assert_never(item.interaction)


def _blank_details(blank: Blank) -> str:
    match blank:
        case TextBlank() as typed:
            case_rule = ", case matters" if typed.case_sensitive else ""
            return f"[[{blank.name}]] typed: {' or '.join(f'“{text}”' for text in typed.answers)}{case_rule}"
        case ChoiceBlank() as choice:
            return f"[[{blank.name}]] drop-down of {', '.join(choice.options)}: {choice.options[choice.correct]}"
        case NumericBlank() as number:
            return f"[[{blank.name}]] number: {_accepted_number(number.answer, '')}"
        case _:
            assert_never(blank)


# ---- one build of the preview ----------------------------------------------------------------

@dataclass(frozen=True)
class Site:
    """What the server serves until the next build: the quiz's player, or its problems."""

    build: str
    """Names this build: /status gives it, and a page that holds another reloads."""
    title: str
    quiz: Quiz | None
    """None when the quiz files are invalid."""
    problems: tuple[str, ...] = ()
    """Every problem, as ``path:line:column: message``."""
    warnings: tuple[str, ...] = ()
    player: Mapping[str, bytes] = field(default_factory=dict)
    """The scorm2004 package's files by their names in it, but its manifest."""
    item_pages: dict[str, bytes] = field(default_factory=dict)
    """One item's launch page by item id, made when first asked for."""

    def status(self) -> dict[str, object]:
        return {"build": self.build, "ok": self.quiz is not None, "title": self.title,
                "items": len(self.quiz.items) if self.quiz else 0,
                "problems": list(self.problems), "warnings": list(self.warnings)}


def build_site(quiz_dir: Path, root: Path, build: str, settings: ProjectSettings = NO_PROJECT_FILE) -> Site:
    """The quiz in ``quiz_dir`` checked as ``lmspack validate`` checks it (its own formats) and for
    scorm2004, and its scorm2004 package unzipped; or every problem found."""
    title = display_path(quiz_dir, root)
    try:
        (quiz,) = building.validate([quiz_dir], root, project=settings)
        refuse(check_scorm2004(quiz))
        package = build_scorm2004(quiz)
    except InputError as error:
        return Site(build, title, None, tuple(problem.format() for problem in error.problems))
    except OutputInvalidError as error:  # a bug of ours, shown where the author looks
        return Site(build, title, None, (*(problem.format() for problem in error.problems),
                                         "a produced file failed validation (a bug in lmspack, please report it)"))
    warnings = tuple(warning.line() for warning in building.text_warnings([quiz]))
    return Site(build, quiz.display_title, quiz, warnings=warnings, player=_unzipped(package.data))


def _unzipped(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist() if name != "imsmanifest.xml"}


def one_item_quiz(quiz: Quiz, item: Item) -> Quiz:
    """``quiz`` holding ``item`` alone, as the author view plays it: the quiz's feedback timing and
    shuffling, no draw, no time limit, as many attempts as wanted. Its files are served from the
    whole quiz's player."""
    settings = dataclasses.replace(quiz.settings, pools=(), attempts=None, time_limit=None)
    return dataclasses.replace(quiz, items=(item,), settings=settings, media=())


def folder_state(directory: Path, project_file: Path | None = None) -> tuple[tuple[str, int, int, int], ...]:
    """The files of the quiz folder the loader reads (and the project's lmspack.yaml), with the
    size, modification time and inode of each (an editor that saves by renaming makes a new
    inode): any change, a file added or removed, changes this. Hidden files and folders (.git, an
    editor's swap files) are passed over; linked folders are followed while they stay inside the
    quiz folder, as the loader follows them, each folder once."""
    found: list[tuple[str, int, int, int]] = []
    if project_file is not None:
        found.append(_file_state(project_file))
    inside = directory.resolve()
    seen = {inside}
    folders = [directory]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError:
            continue  # gone, or not listable: the loader says so
        for entry in listed:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir():
                    target = Path(entry.path).resolve()
                    if target not in seen and (target == inside or inside in target.parents):
                        seen.add(target)
                        folders.append(Path(entry.path))
                elif os.path.splitext(entry.name)[1].lower() in WATCHED_SUFFIXES:
                    stat = entry.stat()
                    found.append((entry.path, stat.st_size, stat.st_mtime_ns, stat.st_ino))
            except OSError:
                found.append((entry.path, -1, -1, -1))  # a link to nothing: reading it says so
    return tuple(sorted(found))


def _file_state(path: Path) -> tuple[str, int, int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (str(path), -1, -1, -1)
    return (str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)


# ---- the preview -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    policy: str = PAGE_POLICY

    @classmethod
    def text(cls, status: int, message: str) -> Reply:
        return cls(status, "text/plain", message.encode("utf-8") + b"\n")


NOT_FOUND = Reply.text(404, "not found: this preview serves the quiz's player and its own pages, nothing else")


class Preview:
    """The quiz folder, its current build (``site``), and the replies made from it."""

    def __init__(self, quiz_dir: Path, root: Path, say: Say, settings: ProjectSettings = NO_PROJECT_FILE) -> None:
        self.quiz_dir = quiz_dir
        self.root = root
        self.settings = settings
        self._project_file = root / PROJECT_FILE if os.path.lexists(root / PROJECT_FILE) else None
        self.say = say
        self._token = secrets.token_hex(4)  # a page of an earlier preview on this port reloads too
        self._generation = 0
        self._state: tuple[tuple[str, int, int, int], ...] | None = None
        self._lock = threading.Lock()
        self._site = Site("", display_path(quiz_dir, root), None)

    @property
    def site(self) -> Site:
        return self._site

    def refresh(self) -> bool:
        """Rebuild when a file of the quiz folder changed since the last build (or there was none),
        saying so on the terminal; whether it did."""
        with self._lock:
            state = folder_state(self.quiz_dir, self._project_file)
            if state == self._state:
                return False
            self._state = state
            self._generation += 1
            previous, self._site = self._site, build_site(self.quiz_dir, self.root,
                                                          f"{self._token}-{self._generation}", self.settings)
            self._report(previous, self._site)
            return True

    def _report(self, previous: Site, site: Site) -> None:
        if site.quiz is None:
            for line in site.problems:
                self.say(line, True)
            count = len(site.problems)
            self.say(f"{count} problem{'s' if count != 1 else ''} found; the preview shows "
                     f"{'them' if count != 1 else 'it'} until the files are fixed", True)
            return
        count = len(site.quiz.items)
        what = ("built" if self._generation == 1 else "rebuilt after a change" if previous.quiz
                else "the problems are fixed; rebuilt")
        self.say(f"{what}: {site.title}, {count} item{'s' if count != 1 else ''}", False)
        if site.warnings != previous.warnings:
            for line in site.warnings:
                self.say(line, True)

    def reply(self, target: str) -> Reply:
        """The reply to a GET of ``target`` (the request line's path and query)."""
        raw_path, _, query = target.partition("#")[0].partition("?")
        try:
            path = unquote(raw_path, errors="strict")
        except UnicodeDecodeError:  # %-escapes that are not UTF-8: no name the preview serves
            return NOT_FOUND
        if path == "/status":
            self.refresh()
            return Reply(200, "application/json", json.dumps(self.site.status()).encode())
        site = self.site
        if path in ("/", "/author"):
            chosen = parse_qs(query).get("item", [None])[0] if path == "/author" else None
            return Reply(200, "text/html", page(site, "author" if path == "/author" else "learner", chosen))
        if not path.startswith("/"):
            return NOT_FOUND
        folder, _, name = path[1:].partition("/")
        if folder == "preview" and name in PAGE_FILES:
            return Reply(200, PAGE_FILES[name], render(f"preview/{name}").encode("utf-8"))
        if folder == "quiz":
            return _player_file(site.player, name)
        if folder == "item" and site.quiz is not None:
            item_id, _, name = name.partition("/")
            if name == "index.html":
                launch = self._item_page(site, item_id)
                return NOT_FOUND if launch is None else Reply(200, "text/html", launch, PLAYER_POLICY)
            return _player_file(site.player, name)
        return NOT_FOUND

    def _item_page(self, site: Site, item_id: str) -> bytes | None:
        """The launch page of one item's player, made when first asked for (a bank of thousands of
        items is not built thousands of times over at every change)."""
        assert site.quiz is not None
        item = next((item for item in site.quiz.items if item.id == item_id), None)
        if item is None:
            return None
        with self._lock:  # one build at a time: the schemas' validators are shared
            if item_id not in site.item_pages:
                package = build_scorm2004(one_item_quiz(site.quiz, item))
                site.item_pages[item_id] = _unzipped(package.data)["index.html"]
            return site.item_pages[item_id]


def _player_file(player: Mapping[str, bytes], name: str) -> Reply:
    data = player.get(name)
    if data is None:
        return NOT_FOUND
    content_type = CONTENT_TYPES.get(os.path.splitext(name)[1].lower(), "application/octet-stream")
    return Reply(200, content_type, data, MEDIA_POLICY if name.startswith("media/") else PLAYER_POLICY)


def page(site: Site, view: str, chosen: str | None = None) -> bytes:
    """The learner view (the whole quiz's player, as a learner gets it) or the author view (every
    item to open on its own, with its key and source, and what the LMS records), or either one's
    list of problems when the quiz files are invalid."""
    quiz = site.quiz
    context: dict[str, object] = {
        "view": view, "title": site.title, "build": site.build, "problems": site.problems,
        "warnings": site.warnings, "language": quiz.language if quiz else "en",
        "quiz_id": quiz.identifier if quiz else "", "player": "/quiz/index.html", "sco": "quiz",
        "chosen": None, "missing": None, "items": []}
    if quiz is not None and view == "author":
        current = next((item for item in quiz.items if item.id == chosen), None)
        if current is not None:
            context |= {"player": f"/item/{quote(current.id)}/index.html", "sco": f"item:{current.id}",
                        "chosen": current.id}
        elif chosen:
            context["missing"] = chosen
        context["items"] = [{
            "id": item.id, "title": item.title, "type": item_type(item.interaction), "points": item.points,
            "source": f"{item.place.path}:{item.place.line}", "href": f"/author?item={quote(item.id)}",
            "current": item is current, "key": answer_key(item, quiz.language)} for item in quiz.items]
    return render(f"preview/{view}.html", **context).encode("utf-8")


class PreviewServer(http.server.ThreadingHTTPServer):
    """The preview's HTTP server on 127.0.0.1, with the thread that watches the quiz folder."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, preview: Preview, port: int) -> None:
        try:
            super().__init__((HOST, port), _Handler)
        except OSError as error:
            raise UsageError(f"cannot serve on {HOST}:{port}: {error.strerror or error}; choose another "
                             "--port, or 0 for any free one") from None
        self.preview = preview
        self.port: int = self.server_address[1]
        self.host = f"{HOST}:{self.port}"
        """The one Host header the server answers."""
        self.url = f"http://{self.host}/"
        self._stop_watching = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="lmspack-preview-watcher", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        while not self._stop_watching.wait(POLL_SECONDS):
            self.preview.refresh()

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):  # the page went away while being answered
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]

    def close(self) -> None:
        """Stop watching and listening (after serve_forever has returned or been interrupted)."""
        self._stop_watching.set()
        self.server_close()
        if self._watcher is not threading.current_thread():
            self._watcher.join()


class _Handler(http.server.BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "lmspack-preview"
    sys_version = ""

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def _answer(self, with_body: bool) -> None:
        if self.headers.get_all("Host") != [self.server.host]:
            reply = Reply.text(403, f"this preview answers only at {self.server.url} (refused: another Host)")
        else:
            reply = self.server.preview.reply(self.path)
        charset = "; charset=utf-8" if reply.content_type in TEXT_TYPES else ""
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type + charset)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Content-Security-Policy", reply.policy)
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        if with_body:
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal says what changed, not every request


# ---- the command -----------------------------------------------------------------------------

def quiz_folder(paths: Sequence[Path], root: Path) -> Path:
    """The one quiz folder at or below ``paths``."""
    problems: list[Problem] = []
    found = [folder for path in paths for folder in find_quiz_dirs(path, root, problems)]
    if problems:
        raise InputError(problems)
    if len(found) > 1:
        listed = ", ".join(display_path(folder, root) for folder in found)
        given = ", ".join(display_path(path, root) for path in paths)
        raise UsageError(f"{given} hold{'s' if len(paths) == 1 else ''} {len(found)} quizzes ({listed}); "
                         f"preview one: lmspack preview {display_path(found[0], root)}")
    return found[0]


def start(paths: Sequence[Path], root: Path, port: int, say: Say,
          settings: ProjectSettings = NO_PROJECT_FILE) -> PreviewServer:
    """The server for the quiz at ``paths`` in the project folder ``root``, listening and built
    once (serve_forever serves it)."""
    preview = Preview(quiz_folder(paths, root), root, say, settings)
    server = PreviewServer(preview, port)
    try:
        preview.refresh()
    except BaseException:
        server.close()
        raise
    return server


def _seen_from_here(path: Path) -> Path:
    """``path`` relative to the working directory when it is inside it (as the author gave it)."""
    try:
        return path.absolute().relative_to(Path.cwd())
    except ValueError:
        return path.absolute()


def serve(where: Project, port: int, open_browser: bool, say: Say) -> int:
    """``lmspack preview``: serve the quiz of ``where`` until told to stop (Ctrl-C, SIGTERM,
    SIGHUP), then the exit status (128 + the signal's number)."""
    root = where.folder
    server = start(where.quizzes, root, port, say, where.settings)
    try:
        chosen = "" if port else f" (port {server.port}: a free one the system chose; --port N to fix it)"
        say(f"previewing {escaped(str(_seen_from_here(server.preview.quiz_dir)))} at {server.url}{chosen}", False)
        say(f"author view (every item, its key, what the LMS records): {server.url}author", False)
        say("a change to a file of the quiz rebuilds it and reloads the page; Ctrl-C stops", False)
        if open_browser and not webbrowser.open(server.url):
            say(f"no web browser could be opened; open {server.url} in one", True)
        server.serve_forever(poll_interval=POLL_SECONDS)
    except KeyboardInterrupt as stop:  # builder.interruption turns SIGTERM and SIGHUP into one too
        say(f"{interruption.described(stop)}: the preview has stopped", False)
        return interruption.exit_code_of(stop)
    finally:
        server.close()
    return 0  # serve_forever returns only when shut down from another thread: not here

