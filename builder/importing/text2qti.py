"""text2qti's Markdown quizzes (https://github.com/gpoore/text2qti), read by the grammar of its
quiz.py, into one quiz per file. text2qti itself is not used: it runs code blocks marked ``.run``
and reads any file an image names; this reader does neither.

    Quiz title: Addition
    shuffle answers: true

    Title: An easy one
    Points: 2
    1.  What is 2+3?
    ... General feedback (the explanation).
    +   Feedback when the answer is right.   -  ... when it is wrong.
    a)  6
    *b) 5
    ... Feedback for this choice.

Choices ``a)``/``*b)`` make a single_choice item (true_false when the two are true and false),
``[ ]``/``[*]`` multiple_response, ``*`` lines short_answer, ``=`` numeric (``= 5``, ``= 5 +- 0.1``,
``= 5 +- 2%``, ``= [4, 6]``), ``____`` essay. ``GROUP`` ... ``END_GROUP`` with ``pick:`` and
``points per question:`` become sections that draw ``pick`` of their questions. Markdown stays
Markdown; ``$...$`` stays a formula (siunitx's \\num, \\si and \\SI become plain TeX, as text2qti
makes them); images beside the file are carried into the quiz folder. Every error text2qti would
raise is a problem at its line; what lmspack cannot hold (file uploads, text regions, Canvas
options) is a Lost entry at its line.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from builder import markup, media
from builder.importing import ImportedItem, ImportedQuiz
from builder.importing.documents import number
from builder.importing.text_sources import ItemIds, Source, item_checked, quiz_of, read_source
from builder.scaffold import identifier_from

EXTENSIONS = (".md", ".markdown", ".txt", ".text")

# text2qti's start patterns (quiz.py start_patterns), in its order: the first that matches wins.
_STARTS: tuple[tuple[str, str], ...] = (
    ("question", r"\d+\."),
    ("mctf_correct_choice", r"\*[a-zA-Z]\)"),
    ("mctf_incorrect_choice", r"[a-zA-Z]\)"),
    ("multans_correct_choice", r"\[\*\]"),
    ("multans_incorrect_choice", r"\[ ?\]"),
    ("shortans_correct_choice", r"\*"),
    ("feedback", r"\.\.\."),
    ("correct_feedback", r"\+"),
    ("incorrect_feedback", r"\-"),
    ("solution", r"!"),
    ("essay", r"___+"),
    ("upload", r"\^\^\^+"),
    ("numerical", r"="),
    ("question_title", r"[Tt]itle:"),
    ("question_points", r"[Pp]oints:"),
    ("text_title", r"[Tt]ext [Tt]itle:"),
    ("text", r"[Tt]ext:"),
    ("quiz_title", r"[Qq]uiz [Tt]itle:"),
    ("quiz_description", r"[Qq]uiz description:"),
    ("start_group", r"GROUP"),
    ("end_group", r"END_GROUP"),
    ("group_pick", r"[Pp]ick:"),
    ("group_solutions_pick", r"[Ss]olutions pick:"),
    ("group_points_per_question", r"[Pp]oints per question:"),
    ("start_code", r"```+\s*\S.*"),
    ("end_code", r"```+"),
    ("quiz_shuffle_answers", r"[Ss]huffle answers:"),
    ("quiz_show_correct_answers", r"[Ss]how correct answers:"),
    ("quiz_one_question_at_a_time", r"[Oo]ne question at a time:"),
    ("quiz_cant_go_back", r"[Cc]an't go back:"),
    ("quiz_feedback_is_solution", r"[Ff]eedback is solution:"),
    ("quiz_solutions_sample_groups", r"[Ss]olutions sample groups:"),
    ("quiz_solutions_randomize_groups", r"[Ss]olutions randomize groups:"),
)
_PATTERNS = dict(_STARTS)
_NO_CONTENT = frozenset({"essay", "upload", "start_group", "end_group", "start_code", "end_code"})
_SINGLE_LINE = frozenset({"question_points", "group_pick", "group_solutions_pick", "group_points_per_question",
                          "numerical", "shortans_correct_choice", "quiz_shuffle_answers", "quiz_show_correct_answers",
                          "quiz_one_question_at_a_time", "quiz_cant_go_back", "quiz_feedback_is_solution",
                          "quiz_solutions_sample_groups", "quiz_solutions_randomize_groups"})
_MULTI_LINE = frozenset(name for name, _ in _STARTS if name not in _NO_CONTENT and name not in _SINGLE_LINE)
_MULTI_PARAGRAPH = frozenset(name for name in _MULTI_LINE if "title" not in name)
_START = re.compile("|".join(f"(?P<{name}>{pattern}\\s*)$" if name in _NO_CONTENT else
                             f"(?P<{name}>{pattern}[ \\t]+(?=\\S))" for name, pattern in _STARTS))
_MISSING_CONTENT = re.compile("|".join(f"(?P<{name}>{pattern}[ \\t]*$)" for name, pattern in _STARTS
                                       if name not in _NO_CONTENT))
_MISSING_SPACE = re.compile("|".join(f"(?P<{name}>{pattern}(?=\\S))" for name, pattern in _STARTS
                                     if name not in _NO_CONTENT))
_INTEGER = re.compile(r"(?:0|[+-]?[1-9](?:[0-9]+|_[0-9]+)*)$")
_QUIZ_OPTIONS = {
    "quiz_shuffle_answers": "shuffle answers", "quiz_show_correct_answers": "show correct answers",
    "quiz_one_question_at_a_time": "one question at a time", "quiz_cant_go_back": "can't go back",
    "quiz_feedback_is_solution": "feedback is solution", "quiz_solutions_sample_groups": "solutions sample groups",
    "quiz_solutions_randomize_groups": "solutions randomize groups"}
_RECOGNISED = re.compile(r"^(?:[Qq]uiz [Tt]itle:|\d+\.[ \t]+\S.*\n(?:.*\n)*?(?:\*?[a-zA-Z]\)|\[[ *]?\]|\*|=|___+)"
                         r"[ \t])", re.MULTILINE)


def recognises(path: Path, head: bytes) -> bool:
    """A Markdown or text file that starts like a text2qti quiz: a ``Quiz title:`` line, or a
    numbered question followed by text2qti's choices (a) ..., [*] ..., * ..., = ...)."""
    if path.suffix.lower() not in EXTENSIONS or head.startswith((b"<", b"PK")):
        return False
    text = head.decode("utf-8", errors="replace").replace("\r\n", "\n")
    return bool(_RECOGNISED.search(text)) and not re.search(r"^ANSWER:", text, re.MULTILINE)  # Aiken's


def read(path: Path) -> list[ImportedQuiz]:
    source = read_source(path)
    quiz = _Parser(source).parse()
    source.raise_problems()
    return [_Carrier(source, quiz).quiz()]


# --- The grammar ----------------------------------------------------------------------------


@dataclass
class _Choice:
    text: str
    correct: bool
    line: int
    feedback: str | None = None


@dataclass
class _Question:
    text: str
    line: int
    title: str | None
    points: float
    points_written: bool
    kind: str | None = None
    choices: list[_Choice] = field(default_factory=list)
    numerical: str | None = None
    feedback: str | None = None
    correct_feedback: str | None = None
    incorrect_feedback: str | None = None
    solution_line: int | None = None
    points_line: int = 0
    group: _Group | None = None
    broken: bool = False
    """Whether a line of it was refused (reported): it is then not checked as a whole."""


@dataclass
class _Group:
    line: int
    pick: int = 1
    points_per_question: int = 1
    points_written: bool = False
    solutions_pick: int | None = None
    solutions_pick_line: int = 0
    questions: list[_Question] = field(default_factory=list)


@dataclass
class _Quiz:
    title: str | None = None
    description: str | None = None
    options: dict[str, tuple[bool, int]] = field(default_factory=dict)
    """Each option set: its value and line."""
    questions: list[_Question] = field(default_factory=list)
    groups: list[_Group] = field(default_factory=list)
    texts: list[int] = field(default_factory=list)
    """The lines of text regions (Text: and Text title:)."""
    seen: bool = False
    """Whether a question, group or text region has come (options and the title must come first)."""


class _Parser:
    """text2qti's Quiz.__init__ loop and append_* rules; each error it raises is a problem here,
    at its line, and reading goes on."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.quiz = _Quiz()
        self.next_attributes: dict[str, tuple[str, int]] = {}
        self.group: _Group | None = None
        self.question_texts: set[str] = set()
        self.after_question = False
        """Whether the last part of the quiz is a question (not a group's start or end, or text)."""
        self.finalized: _Question | None = None

    def error(self, line: int, message: str, column: int = 1) -> None:
        self.source.at_line(line, column, message)

    def parse(self) -> _Quiz:
        lines = self.source.text.split("\n")
        index = 0
        while index < len(lines):
            line = lines[index]
            number = index + 1
            found = _START.match(line)
            if found and found.lastgroup == "start_code":
                index = self._code_block(lines, index)
                continue
            if found and found.lastgroup is not None:
                action = found.lastgroup
                text = line[found.end():].strip()
                index += 1
                if action in _MULTI_LINE:
                    text, index = self._continued(lines, index, action, line[:found.end()], text)
                self._act(action, text, number, len(line) - len(line[found.end():].lstrip()) + 1)
                continue
            index += 1
            if line.startswith("%"):
                continue
            if line.startswith("END_COMMENT"):
                self.error(number, '"END_COMMENT" without a "COMMENT" before it')
            elif line.startswith("COMMENT"):
                if line.strip() != "COMMENT":
                    self.error(number, 'unexpected text after "COMMENT"; it stands alone on its line')
                while index < len(lines) and not lines[index].startswith("END_COMMENT"):
                    index += 1
                if index == len(lines):
                    self.error(number, '"COMMENT" without an "END_COMMENT" after it')
                elif lines[index].strip() != "END_COMMENT":
                    self.error(index + 1, 'unexpected text after "END_COMMENT"; it stands alone on its line')
                index += 1
            else:
                self._unknown(line, number)
        self._finish(len(lines))
        return self.quiz

    def _code_block(self, lines: list[str], index: int) -> int:
        """A code block at the start of a line, which text2qti runs (given .run and leave to) or
        refuses: reported, and skipped to its closing fence."""
        line = lines[index]
        if re.search(r"\.run\b", line):
            self.error(index + 1, "an executable code block (```{.lang .run}): lmspack import never runs code; run "
                                  "text2qti on the file and paste the code's output in its place")
        else:
            self.error(index + 1, "a code block at the start of a line; indent it under the question or choice it "
                                  "belongs to (text2qti refuses it too)")
        fence = line[:len(line) - len(line.lstrip("`"))]
        index += 1
        while index < len(lines) and not (lines[index].startswith(fence) and not lines[index].lstrip("`").strip()):
            index += 1
        return index + 1

    def _continued(self, lines: list[str], index: int, action: str, marker: str,
                   text: str) -> tuple[str, int]:
        """The lines that continue a multi-line entry (indented as its text; a blank line inside
        one that may hold paragraphs), and the index of the line after them."""
        indent: str | None = None if _PATTERNS[action].endswith(":") else " " * len(marker.expandtabs(4))
        texts = [text]
        while index < len(lines):
            line = lines[index]
            if not line or line.isspace():
                if action not in _MULTI_PARAGRAPH:
                    break
                texts.append("")
            else:
                expanded = line.expandtabs(4)
                if indent is None:
                    if not line.startswith((" ", "\t")):
                        break
                    indent = " " * (len(expanded) - len(expanded.lstrip(" ")))
                    if len(indent) < 2:
                        self.error(index + 1, "indent the lines that continue this text by at least 2 spaces or a "
                                              "tab")
                elif not expanded.startswith(indent):
                    break
                texts.append(expanded[len(indent):].rstrip())
            index += 1
        while texts and not texts[-1]:
            texts.pop()
            index -= 1
        return "\n".join(texts), index

    # --- What each line does ----------------------------------------------------------------

    def _act(self, action: str, text: str, line: int, column: int) -> None:
        if action == "end_code":
            self.error(line, "a code block's closing ``` with no opening one")
            return
        attributes_pending = action not in ("question", "question_title", "question_points") and self.next_attributes
        if attributes_pending:
            self._unused_attributes(line)
        if action in _QUIZ_OPTIONS:
            self._option(action, text, line, column)
        elif action in ("quiz_title", "quiz_description"):
            self._quiz_text(action, text, line)
        elif action in ("question_title", "question_points"):
            self._attribute(action, text, line, column)
        elif action == "question":
            self._question(text, line)
        elif action in ("text_title", "text"):
            self._finalize_last()
            self.quiz.texts.append(line)
            self.quiz.seen = True
            self.after_question = False
        elif action in ("start_group", "end_group", "group_pick", "group_solutions_pick",
                        "group_points_per_question"):
            self._group_line(action, text, line, column)
        else:
            self._question_part(action, text, line)

    def _unused_attributes(self, line: int) -> None:
        self.error(line, "expected a question here: a Title: or Points: line was given for a question that does not "
                         "follow it")
        self.next_attributes = {}

    def _unknown(self, line: str, number: int) -> None:
        if self.next_attributes:
            self._unused_attributes(number)
            if not line.strip():
                return
        if not line.strip():
            return
        if found := _MISSING_SPACE.match(line):
            self.error(number, f'missing whitespace after "{found.group().strip()}"')
        elif found := _MISSING_CONTENT.match(line):
            self.error(number, f'missing content after "{found.group().strip()}"')
        else:
            self.error(number, "unexpected text, or a wrapped line not indented as the text it continues (indent "
                               "it under the first line's text)")

    def _option(self, action: str, text: str, line: int, column: int) -> None:
        name = _QUIZ_OPTIONS[action]
        if self.quiz.seen:
            self.error(line, f'give the quiz option "{name}" before the questions')
        elif action in self.quiz.options:
            self.error(line, f'the quiz option "{name}" is already set (line {self.quiz.options[action][1]})')
        elif text not in ("true", "True", "false", "False"):
            self.error(line, f'"{name}" takes true or false, not {text!r}', column)
        elif action == "quiz_cant_go_back" and not self.quiz.options.get("quiz_one_question_at_a_time",
                                                                         (False, 0))[0]:
            self.error(line, '"can\'t go back" needs "one question at a time: true" before it')
        else:
            self.quiz.options[action] = (text.lower() == "true", line)

    def _quiz_text(self, action: str, text: str, line: int) -> None:
        what = "title" if action == "quiz_title" else "description"
        general_options = ("quiz_shuffle_answers", "quiz_show_correct_answers", "quiz_one_question_at_a_time",
                           "quiz_cant_go_back")
        if any(option in self.quiz.options for option in general_options):
            self.error(line, f"give the quiz {what} before the quiz options")
        elif (self.quiz.title if what == "title" else self.quiz.description) is not None:
            self.error(line, f"the quiz {what} is already given")
        elif self.quiz.seen:
            self.error(line, f"give the quiz {what} before the questions")
        elif what == "title" and self.quiz.description is not None:
            self.error(line, "give the quiz title before its description")
        elif what == "title":
            self.quiz.title = text
        else:
            self.quiz.description = text

    def _attribute(self, action: str, text: str, line: int, column: int) -> None:
        name = "title" if action == "question_title" else "points"
        if name in self.next_attributes:
            self.error(line, f"the {name} of the next question is already set (line {self.next_attributes[name][1]})")
        elif name == "title" and "points" in self.next_attributes:
            self.error(line, "give a question's Title: before its Points:")
        else:
            self.next_attributes[name] = (text, line)

    def _question(self, text: str, line: int) -> None:
        self._finalize_last()
        title = self.next_attributes.get("title")
        points_written = self.next_attributes.get("points")
        self.next_attributes = {}
        points = 1.0
        if points_written is not None:
            try:
                points = float(points_written[0])
            except ValueError:
                points = -1.0
            if not 0 < points < 1e9 or (points != int(points) and abs(points - round(points)) != 0.5):
                self.error(points_written[1], f'points {points_written[0]!r} must be a whole number or a half '
                                              '(1, 2.5) above 0')
                points = 1.0
        question = _Question(text, line, title[0] if title else None, points, points_written is not None,
                             points_line=points_written[1] if points_written else 0)
        if text in self.question_texts:
            self.error(line, "the same question twice; text2qti refuses duplicate questions")
        self.question_texts.add(text)
        self.quiz.questions.append(question)
        self.quiz.seen = True
        self.after_question = True
        if self.group is not None:
            if self.group.questions and question.points != self.group.questions[0].points:
                self.error(line, "the questions of a group must all have the same points")
            question.group = self.group
            self.group.questions.append(question)

    def _question_part(self, action: str, text: str, line: int) -> None:
        question = self.quiz.questions[-1] if self.quiz.questions and self.after_question else None
        if question is None:
            self.error(line, "this belongs to a question, and no question comes before it (a question starts with "
                             "its number, as 1. What is 2+3?)")
            return
        refused = functools.partial(self._refused, question, line)
        if action == "feedback":
            if not question.choices:
                if question.kind is not None:
                    refused("question feedback (...) must come right after the question, before its response")
                elif question.feedback is not None:
                    refused("feedback can be given only once")
                else:
                    question.feedback = text
            elif question.kind == "short_answer_question":
                refused("feedback cannot be given for one short answer, only for the question")
            elif question.choices[-1].feedback is not None:
                refused("feedback can be given only once")
            else:
                question.choices[-1].feedback = text
        elif action in ("correct_feedback", "incorrect_feedback"):
            if question.kind is not None:
                refused(f"{action.split('_')[0]} feedback (+ or -) must come before the question's response")
            elif getattr(question, action) is not None:
                refused("feedback can be given only once")
            else:
                setattr(question, action, text)
        elif action == "solution":
            if question.kind is not None:
                refused("a solution (!) must come before the question's response")
            elif question.solution_line is not None:
                refused("a solution can be given only once")
            elif self.quiz.options.get("quiz_feedback_is_solution", (False, 0))[0]:
                refused('the solution syntax (!) is off in a quiz with "feedback is solution: true"; give solutions '
                        "as feedback (...)")
            else:
                question.solution_line = line
        else:
            self._response(question, action, text, line)

    def _response(self, question: _Question, action: str, text: str, line: int) -> None:
        kind = _KINDS[action]
        named = kind.replace("_question", "").replace("_", " ")
        refused = functools.partial(self._refused, question, line)
        if question.kind is not None and question.kind != kind:
            refused(f"a {question.kind.replace('_', ' ')} cannot also take "
                    f"{'this response' if kind in ('essay_question', 'file_upload_question') else 'this'} ({named})")
        elif kind in ("essay_question", "file_upload_question", "numerical_question"):
            if question.kind == kind:
                refused(f"a question takes one {named} response")
            elif kind != "numerical_question" and (question.correct_feedback is not None
                                                   or question.incorrect_feedback is not None):
                refused(f"{named} questions take no right or wrong feedback (+ or -)")
            else:
                question.kind = kind
                if kind == "numerical_question":
                    question.numerical = text
                    if _numerical(text) is None:
                        refused(f"the numerical response {text!r} is not one text2qti reads: write = 5 (a whole "
                                "number), = 5 +- 0.5, = 5 +- 10% or = [4, 6] (values at least 0.0001 away from 0, "
                                "the lowest first)")
        elif any(choice.text == text for choice in question.choices):
            refused("the same choice twice in this question")
        else:
            question.kind = kind
            question.choices.append(_Choice(text, action in ("mctf_correct_choice", "multans_correct_choice",
                                                             "shortans_correct_choice"), line))

    def _refused(self, question: _Question, line: int, message: str) -> None:
        """A line of ``question`` that text2qti refuses: reported; the question is not checked as a whole."""
        self.error(line, message)
        question.broken = True

    def _group_line(self, action: str, text: str, line: int, column: int) -> None:
        if action == "start_group":
            if self.group is not None:
                self.error(line, "groups cannot be nested; end the group before with END_GROUP")
                return
            self._finalize_last()
            self.group = _Group(line)
            self.quiz.groups.append(self.group)
            self.quiz.seen = True
            self.after_question = False
            return
        if self.group is None:
            self.error(line, "no question group to " + ("end" if action == "end_group" else "set this for") +
                       "; start one with GROUP")
            return
        if action == "end_group":
            self._finalize_last()
            self.after_question = False
            if len(self.group.questions) < self.group.pick:
                self.error(line, f"the group (line {self.group.line}) has {len(self.group.questions)} question(s) "
                                 f"but picks {self.group.pick}")
            if self.group.solutions_pick is not None and len(self.group.questions) < self.group.solutions_pick:
                self.error(line, f"the group (line {self.group.line}) has {len(self.group.questions)} question(s) "
                                 f"but its solutions pick {self.group.solutions_pick}")
            self.group = None
            return
        if self.group.questions:
            self.error(line, "set a group's options at its very start, before its questions")
            return
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value <= 0:
            self.error(line, f"{text!r} must be a whole number above 0", column)
        elif action == "group_pick":
            if self.group.solutions_pick is not None and value > self.group.solutions_pick:
                self.error(line, '"pick" must not be more than "solutions pick"', column)
            else:
                self.group.pick = value
        elif action == "group_solutions_pick":
            if value < self.group.pick:
                self.error(line, '"solutions pick" must be at least "pick"', column)
            else:
                self.group.solutions_pick, self.group.solutions_pick_line = value, line
        else:
            self.group.points_per_question = value
            self.group.points_written = True

    def _finalize_last(self) -> None:
        """text2qti's Question.finalize on the last question, when a new part of the quiz begins."""
        if not self.quiz.questions or self.finalized is self.quiz.questions[-1]:
            return
        question = self.quiz.questions[-1]
        self.finalized = question
        if question.broken:
            return
        line = question.line
        correct = sum(choice.correct for choice in question.choices)
        if question.kind is None:
            self.error(line, "this question has no response: give choices (a) ... *b) ...), answers (* ...), "
                             "= a number, or ____ for an essay")
        elif question.kind == "multiple_choice_question":
            if len(question.choices) < 2:
                self.error(line, "this question needs more than one choice")
            elif correct < 1:
                self.error(line, "this question has no correct choice: mark it with *, as *b)")
            elif correct > 1:
                self.error(line, "this question has more than one correct choice; for several, use [*] and [ ]")
        elif question.kind == "multiple_answers_question":
            if len(question.choices) < 2:
                self.error(line, "this question needs more than one choice")
            elif correct < 1:
                self.error(line, "this question has no correct choice: mark it [*]")

    def _finish(self, last_line: int) -> None:
        if self.next_attributes:
            self._unused_attributes(last_line)
        if self.group is not None:
            self.error(self.group.line, "this group never ends; end it with END_GROUP")
        self._finalize_last()


_KINDS = {"mctf_correct_choice": "multiple_choice_question", "mctf_incorrect_choice": "multiple_choice_question",
          "multans_correct_choice": "multiple_answers_question",
          "multans_incorrect_choice": "multiple_answers_question",
          "shortans_correct_choice": "short_answer_question", "essay": "essay_question",
          "upload": "file_upload_question", "numerical": "numerical_question"}
"""text2qti's question type set by each kind of response line."""


def _numerical(text: str) -> tuple[dict[str, object], tuple[float, float]] | None:
    """A numerical response as lmspack's numeric answer, and the numbers it accepts (None when
    text2qti would refuse it)."""
    try:
        if text.startswith("["):
            if not text.endswith("]") or "," not in text:
                return None
            low, high = (float(part) for part in text[1:-1].split(",", 1))
            if low > high:
                return None
            answer: dict[str, object] = {"range": [number(low), number(high)]}
        elif "+-" in text:
            value_text, margin_text = text.split("+-", 1)
            relative = margin_text.endswith("%")
            value, margin = float(value_text), float(margin_text[:-1] if relative else margin_text)
            if margin < 0:
                return None
            low, high = (value - abs(value) * margin / 100, value + abs(value) * margin / 100) if relative \
                else (value - margin, value + margin)
            answer = {"value": number(value)}
            if margin:
                answer["tolerance"] = f"{number(margin)}%" if relative else number(margin)
        elif _INTEGER.match(text):
            value = float(int(text))
            low = high = value
            answer = {"value": number(value)}
        else:
            return None
    except ValueError:
        return None
    if abs(low) < 1e-4 or abs(high) < 1e-4 or not (abs(low) <= 1e15 and abs(high) <= 1e15):
        return None
    return answer, (low, high)


# --- Into lmspack's items ---------------------------------------------------------------------


class _Carrier:
    """The parsed quiz as an ImportedQuiz: its questions as item mappings, its Markdown as
    lmspack's, its images copied in, and what lmspack cannot hold listed."""

    def __init__(self, source: Source, quiz: _Quiz) -> None:
        self.source = source
        self.parsed = quiz
        self.files: dict[str, bytes] = {}
        self.folder = source.path.parent

    def quiz(self) -> ImportedQuiz:
        ids = ItemIds(identifier_from(self.source.path.stem))
        items: list[ImportedItem] = []
        item_of: dict[int, str] = {}
        for number_, question in enumerate(self.parsed.questions, start=1):
            document = self._item(question)
            if document is None:
                continue
            identifier = ids.new(number_, name=question.title)
            items.append(ImportedItem(identifier, {"id": identifier, **document}))
            item_of[id(question)] = identifier
        for group in self.parsed.groups:
            if group.solutions_pick is not None:
                self.source.not_carried_at_line(group.solutions_pick_line, "the group's solutions pick: text2qti uses "
                                                                           "it only in its solutions document")
        for line in self.parsed.texts:
            self.source.not_carried_at_line(line, "a text region (Text: or Text title:): lmspack has no text "
                                                  "between items")
        settings = self._settings(item_of)
        description = " ".join((self.parsed.description or "").split())
        return quiz_of(self.source, items, "a text2qti question starts with its number, as 1. What is 2+3?, and its "
                                           "choices follow it, as a) 4 and *b) 5", self.parsed.title, description,
                       settings, self.files)

    def _settings(self, item_of: dict[int, str]) -> dict[str, object]:
        settings: dict[str, object] = {}
        for action, (value, line) in self.parsed.options.items():
            if action == "quiz_shuffle_answers":
                if value:
                    settings["shuffle_choices"] = True
            elif action == "quiz_show_correct_answers" and value:
                continue  # text2qti's default, and lmspack shows them with the feedback
            elif value or action in ("quiz_show_correct_answers",):
                self.source.not_carried_at_line(line, f'the quiz option "{_QUIZ_OPTIONS[action]}: '
                                                      f'{str(value).lower()}": a Canvas setting lmspack does not hold')
        if any(group.questions for group in self.parsed.groups):
            settings["sections"] = self._sections(item_of)
        return settings

    def _sections(self, item_of: dict[int, str]) -> list[dict[str, object]]:
        """The groups as sections that draw ``pick`` of their items, and the questions between
        them as sections of their own (drawn whole), so that the order stays the file's."""
        sections: list[dict[str, object]] = []
        current: _Group | None = None
        groups = parts = 0
        for question in self.parsed.questions:
            identifier = item_of.get(id(question))
            if identifier is None:
                continue
            if question.group is not None and question.group is current:
                ids = sections[-1]["items"]
                assert isinstance(ids, list)
                ids.append(identifier)
                continue
            current = question.group
            if question.group is not None:
                groups += 1
                sections.append({"id": f"group-{groups}", "items": [identifier], "_pick": question.group.pick})
            elif sections and str(sections[-1]["id"]).startswith("part-"):
                ids = sections[-1]["items"]
                assert isinstance(ids, list)
                ids.append(identifier)
            else:
                parts += 1
                sections.append({"id": f"part-{parts}", "items": [identifier]})
        for section in sections:
            pick = section.pop("_pick", None)
            if isinstance(pick, int) and pick < len(section["items"]):  # type: ignore[arg-type]
                section["select"] = pick
        return sections

    def _item(self, question: _Question) -> dict[str, object] | None:
        line = question.line
        if question.kind == "file_upload_question":
            self.source.not_carried_at_line(line, "a file-upload question: lmspack has no such item type")
            return None
        if question.solution_line is not None:
            self.source.not_carried_at_line(question.solution_line, "a solution (!): text2qti writes it only into its "
                                                                    "solutions document, which lmspack does not make")
        document: dict[str, object] = {}
        kind, body = self._body(question)
        if body is None:
            return None
        document["type"] = kind
        if question.title:
            document["title"] = " ".join(question.title.split())
        points = float(question.points)
        if question.group is not None:
            if question.points_written and question.points != question.group.points_per_question:
                self.source.not_carried_at_line(question.points_line,
                                                f"the question's Points: {number(question.points)}: in a group, "
                                                "Canvas gives each question the group's points per question "
                                                f"({question.group.points_per_question})")
            points = question.group.points_per_question
        if points != 1:
            document["points"] = number(min(points, 1000.0))
            if points > 1000:
                self.source.not_carried_at_line(line, f"points {number(points)}: lmspack's items are worth at most "
                                                      "1000; carried as 1000")
        document["prompt"] = self._markdown(question.text, line)
        document.update(body)
        if question.feedback:
            document["explanation"] = self._markdown(question.feedback, line)
        return document if item_checked(self.source, line, 1, document) else None

    def _body(self, question: _Question) -> tuple[str, dict[str, object] | None]:
        line = question.line
        right = self._inline(question.correct_feedback, line)
        wrong = self._inline(question.incorrect_feedback, line)
        match question.kind:
            case "multiple_choice_question":
                true_false = len(question.choices) == 2 and all(
                    choice.text in ("true", "True", "false", "False") for choice in question.choices)
                choices = []
                for choice in question.choices:
                    entry: dict[str, object] = {"text": choice.text.capitalize() if true_false
                                                else self._inline(choice.text, choice.line)}
                    if choice.correct:
                        entry["correct"] = True
                    feedback = " ".join(part for part in (self._inline(choice.feedback, choice.line),
                                                          right if choice.correct else wrong) if part)
                    if feedback:
                        entry["feedback"] = feedback
                    choices.append(entry)
                return ("true_false" if true_false else "single_choice"), {"choices": choices}
            case "multiple_answers_question":
                if all(choice.correct for choice in question.choices):
                    self.source.not_carried_at_line(line, "a multiple-answers question whose every choice is "
                                                          "correct: lmspack's multiple_response items need a wrong "
                                                          "choice")
                    return "multiple_response", None
                for text, what in ((right, "a right answer as a whole (+)"), (wrong, "a wrong answer as a whole (-)")):
                    if text:
                        self.source.not_carried_at_line(line, f"the feedback for {what}: lmspack's multiple_response "
                                                              "items give feedback per choice")
                choices = []
                for choice in question.choices:
                    entry = {"text": self._inline(choice.text, choice.line)}
                    if choice.correct:
                        entry["correct"] = True
                    if choice.feedback:
                        entry["feedback"] = self._inline(choice.feedback, choice.line)
                    choices.append(entry)
                return "multiple_response", {"choices": choices}
            case "short_answer_question":
                answers: list[dict[str, object]] = []
                seen: set[str] = set()
                for choice in question.choices:
                    compared = " ".join(choice.text.casefold().split())
                    if compared in seen:
                        self.source.not_carried_at_line(choice.line, f"the answer {choice.text!r}: an earlier answer "
                                                                     "already accepts it (lmspack compares in any "
                                                                     "case, runs of spaces as one)")
                        continue
                    seen.add(compared)
                    answer: dict[str, object] = {"text": choice.text}
                    if right:
                        answer["feedback"] = right
                    answers.append(answer)
                body: dict[str, object] = {"answers": answers}
                if wrong:
                    body["other_feedback"] = wrong
                return "short_answer", body
            case "numerical_question":
                parsed = _numerical(question.numerical or "")
                if parsed is None:
                    return "numeric", None
                numeric = dict(parsed[0])
                if right:
                    numeric["feedback"] = right
                body = {"answers": [numeric]}
                if wrong:
                    body["other_feedback"] = wrong
                return "numeric", body
            case "essay_question":
                return "essay", {}
            case _:
                return "essay", None

    def _inline(self, text: str | None, line: int) -> str:
        return " ".join(self._markdown(text, line).split()) if text else ""

    # --- Markdown ------------------------------------------------------------------------------

    def _markdown(self, text: str, line: int) -> str:
        """text2qti's Markdown as lmspack's: its formulas (with siunitx's macros as plain TeX) as
        lmspack reads formulas, every other dollar escaped, HTML comments removed (text2qti drops
        them), and images beside the file carried into the quiz folder."""
        def replace(found: re.Match[str]) -> str:
            kind = found.lastgroup
            whole = found.group()
            if kind in ("code_block", "code_span", "escaped"):
                return whole
            if kind == "skipped":
                return whole.replace("$", "\\$") if whole.startswith("$") else whole
            if kind == "comment":
                return ""
            if kind == "image":
                return self._image(found, line)
            if kind == "dollar":
                return "\\$"
            # A formula, or a siunitx macro outside one (a formula of its own in text2qti).
            tex = self._siunitx(" ".join(found.group("tex").split()) if kind == "math" else whole, line)
            return f"${tex}$" if tex is not None else whole.replace("\\", "\\\\").replace("$", "\\$")

        return _MARKDOWN_PARTS.sub(replace, text)

    def _siunitx(self, tex: str, line: int) -> str | None:
        """``tex`` with siunitx's macros as plain TeX; None when one is not what text2qti reads (reported)."""
        refused = False

        def convert(found: re.Match[str]) -> str:
            nonlocal refused
            try:
                if found.group("si_number") is not None:  # text2qti always puts a thin space before the unit
                    return f"{_si_number(found.group('si_number'))}\\,{_si_unit(found.group('si_unit'))}"
                if found.group("num") is not None:
                    return _si_number(found.group("num"))
                return _si_unit(found.group("unit"))
            except ValueError as error:
                self.source.at_line(line, 1, str(error))
                refused = True
                return found.group()

        converted = _SIUNITX.sub(convert, tex)
        return None if refused else converted

    def _image(self, found: re.Match[str], line: int) -> str:
        alt, target, attributes = found.group("alt"), found.group("src"), found.group("attributes")
        src = target[1:-1] if target.startswith("<") else target
        if re.match(r"https?://", src):
            name = src
        else:
            name_or_none = self._carried_image(src, line)
            if name_or_none is None:
                return alt  # reported; the item is not made
            name = name_or_none
        if not attributes:
            written = f"<{name}>" if " " in name else name
            return f"![{alt}]({written}{found.group('title') or ''})"
        sizes = []
        for key, value in re.findall(r"([A-Za-z][\w-]*)=([\w%-]+)", attributes):
            size = value[:-2] if value.endswith("px") else value
            if key in ("width", "height") and re.fullmatch(r"[0-9]{1,5}%?", size):
                sizes.append(f' {key}="{size}"')
            else:
                self.source.not_carried_at_line(line, f"the image attribute {key}={value}: lmspack keeps an image's "
                                                      "width and height only")
        if re.search(r"(^|\s)[#.]", attributes.strip("{} ")):
            self.source.not_carried_at_line(line, f"the image's id or class in {attributes}: lmspack keeps an image's "
                                                  "width and height only")
        shown_alt = alt.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
        return f'<img src="{name.replace(chr(34), "%22")}" alt="{shown_alt}"{"".join(sizes)}>'

    def _carried_image(self, src: str, line: int) -> str | None:
        """The image's path in the quiz folder, its bytes taken in; None (reported) when it is not a
        file beside the source (or below it) that lmspack carries."""
        relative = markup.local_media(src, "")
        what = f"the image {src!r}"
        if relative is None:
            self.source.at_line(line, 1, f"{what} is not an image file beside the source or in a folder below it "
                                         f"({', '.join(sorted(markup.MEDIA_TYPES))}); lmspack import reads no other "
                                         "file: copy it beside the source, or use an https:// address")
            return None
        name = posixpath.normpath(src.split("?")[0].split("#")[0])
        path = self.folder / name
        real_folder = os.path.realpath(self.folder)
        if not os.path.realpath(path).startswith(real_folder + os.sep):
            self.source.at_line(line, 1, f"{what} leads outside the source's folder (a link); copy the image in")
            return None
        limit = int(media.MediaLimits().file_mb * 2**20)
        try:
            if not stat.S_ISREG(path.stat().st_mode):  # a FIFO would never end
                self.source.at_line(line, 1, f"{what} is not a plain file")
                return None
            with path.open("rb") as file:
                data = file.read(limit + 1)
        except OSError as error:
            self.source.at_line(line, 1, f"{what} cannot be read: {error.strerror or error}")
            return None
        if len(data) > limit:
            self.source.at_line(line, 1, f"{what} is larger than {media.MediaLimits().file_mb:g} MB, the most a quiz "
                                         "takes by default (docs/format.md, media:); make it smaller")
            return None
        self.files[name] = data
        return name


# Where text2qti's Markdown holds what matters here (its Markdown.sub_math_siunitx_to_canvas_img
# patterns, and images): code is left as it is, escapes and $$ kept as text, comments removed.
_MARKDOWN_PARTS = re.compile(
    r"^(?P<code_block>(?P<indent>[ \t]*)(?P<fence>```+(?!`)|~~~+(?!~)).*?\n(?:[ \t]*\n|(?P=indent).*\n)*?"
    r"(?P=indent)(?P=fence)[ \t]*(?:\n|$))"
    r"|(?P<siunitx>\\num\{[^{}]+\}|\\si\{[^{}]+\}|\\SI\{[^{}]+\}\{[^{}]+\})"
    r"|(?P<escaped>\\\$)"
    r"|(?P<skipped>\\.|\\\n|\$\$+(?!\$))"
    r"|(?P<comment><!--(?:.|\n)*?-->)"
    r"|(?P<code_span>(?P<ticks>`+(?!`))(?:.|\n[ \t]*(?![ \t\n]))+?(?<!`)(?P=ticks)(?!`))"
    r"|(?P<math>\$(?=[^ \t\n])(?P<tex>(?:[^$\n\\]|\\.|\\?\n[ \t]*(?:[^ \t\n$]))+)(?<![ \t\n])\$(?!\$))"
    r"|(?P<image>!\[(?P<alt>[^\]]*)\]\((?P<src><[^>\n]*>|[^)\s]+)(?P<title>[ \t]+\"[^\"]*\")?\)"
    r"(?P<attributes>\{[^}\n]*\})?)"
    r"|(?P<dollar>\$)",
    re.MULTILINE)
_SIUNITX = re.compile(r"\\SI\{(?P<si_number>[^{}]+)\}\{(?P<si_unit>[^{}]+)\}|\\num\{(?P<num>[^{}]+)\}"
                      r"|\\si\{(?P<unit>[^{}]+)\}")
_SI_NUMBER = re.compile(r"[+-]?(?:0|(?:[1-9][0-9]*(?:\.[0-9]+)?|0?\.[0-9]+)"
                        r"(?:[eE][+-]?(?:[1-9][0-9]*|0+[1-9][0-9]*))?)$")
_SI_MACROS = {r"\degree": r"^\circ", r"\celsius": r"^\circ\textrm{C}", r"\fahrenheit": r"^\circ\textrm{F}",
              r"\ohm": r"\Omega", r"\micro": r"\mu"}


def _si_number(written: str) -> str:
    """siunitx's \\num{...} as plain TeX, as text2qti converts it."""
    value = written.strip()
    if value.startswith("."):
        value = f"0{value}"
    if not _SI_NUMBER.match(value):
        raise ValueError(f"\\num{{{written}}}: not a number text2qti's siunitx support reads")
    value = value.lower()
    if "e" not in value:
        return value
    significand, magnitude = value.split("e", 1)
    magnitude = magnitude.lstrip("+").lstrip("0")
    if magnitude.startswith("-0"):
        magnitude = "-" + magnitude[1:].lstrip("0")
    return f"{significand}\\times 10^{{{magnitude}}}"


def _si_unit(written: str) -> str:
    """siunitx's \\si{...} as plain TeX, as text2qti converts it (a product of units with \\cdot,
    which lmspack's MathML check takes, where text2qti writes \\!\\cdot\\!)."""
    parts: list[str] = []
    index = 0
    unit = written.strip()
    while index < len(unit):
        character = unit[index]
        if character == " ":
            index += 1
        elif character == ".":
            parts.append(r"\cdot ")
            index += 1
        elif character == "^":
            following = unit[index + 1:index + 2]
            if following.isdigit():
                parts.append(f"^{{{following}}}")
                index += 2
            elif following == "\\":
                parts.append("^")
                index += 1
            else:
                raise ValueError(f"\\si{{{written}}}: a unit text2qti's siunitx support does not read")
        elif character == "/":
            parts.append("/")
            index += 1
        elif character == "\\":
            found = re.match(r"\\[A-Za-z]*", unit[index:])
            macro = found.group() if found else "\\"
            parts.append(_SI_MACROS.get(macro, macro))
            index += len(macro)
        elif character.isalpha():
            found = re.match(r"[^\W\d_]+", unit[index:])
            letters = found.group() if found else character
            parts.append(f"\\text{{{letters}}}")
            index += len(letters)
        else:
            raise ValueError(f"\\si{{{written}}}: a unit text2qti's siunitx support does not read")
    return "{" + "".join(parts) + "}"
