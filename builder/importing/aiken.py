"""Aiken, the simplest of Moodle's text formats: multiple-choice questions only, read as Moodle's
own importer reads them (question/format/aiken/format.php in moodle/moodle), into one quiz per file.

    What is the capital of France?
    A) Lyon
    B. Paris
    ANSWER: B

A question is one line; each choice a capital letter, ``)`` or ``.``, and its text; ``ANSWER:``
and the letter of the right choice end the question. Lines shorter than two characters are
skipped, as Moodle skips them. Choices count by their order, not their letters (Moodle's reading).
What Moodle reports as an error (a choice with no question, a question with no ANSWER: line,
fewer than two choices) is a problem at its line and column, with the fix; a question that
Moodle would drop silently at the end of the file is one too.
"""

from __future__ import annotations

import re
from pathlib import Path

from builder.importing import ImportedItem, ImportedQuiz
from builder.importing.text_sources import ItemIds, Source, item_checked, plain_markdown, quiz_of, read_source
from builder.scaffold import identifier_from

EXTENSIONS = (".aiken",)
_CHOICE = re.compile(r"^[A-Z][).][ \t]?")
_ANSWER = re.compile(r"^ANSWER:")
_ANSWER_ANY_CASE = re.compile(r"^answer\s*:", re.IGNORECASE)
_LOWER_CASE_CHOICE = re.compile(r"^[a-z][).][ \t]")
_TRIMMED = " \t\n\r\0\x0b"  # PHP's trim()
_FORMAT = ("an Aiken question is one line of text, then its choices, each a capital letter, ')' or '.' and its "
           "text, then ANSWER: and the letter of the right choice")


def recognises(path: Path, head: bytes) -> bool:
    """An .aiken file, or a text file whose start has a choice line (A) ... or A. ...) and an
    ANSWER: line."""
    if path.suffix.lower() in EXTENSIONS:
        return True
    if path.suffix.lower() not in (".txt", ".text"):
        return False
    text = head.decode("utf-8", errors="replace")
    return bool(re.search(r"^[ \t]*ANSWER:[ \t]*[A-Z]", text, re.MULTILINE)
                and re.search(r"^[ \t]*[A-Z][).][ \t]?\S", text, re.MULTILINE))


class _Open:
    """A question read up to its ANSWER: line: its text, where it stands, its choices."""

    def __init__(self, text: str, line: int, column: int) -> None:
        self.text = text
        self.line = line
        self.column = column
        self.choices: list[tuple[str, int, int]] = []  # text, line, column


def read(path: Path) -> list[ImportedQuiz]:
    source = read_source(path)
    ids = ItemIds(identifier_from(source.path.stem))
    items: list[ImportedItem] = []
    question: _Open | None = None
    lines = source.text.split("\n")
    for number, raw in enumerate(lines, start=1):
        line = raw.strip(_TRIMMED)
        column = len(raw) - len(raw.lstrip(_TRIMMED)) + 1
        if len(line.encode("utf-8")) < 2:  # Moodle's strlen(): bytes
            continue
        if _CHOICE.match(line):
            if question is None:
                source.at_line(number, column, f"a choice with no question before it; {_FORMAT}")
                continue
            question.choices.append((line[2:].strip(_TRIMMED), number, column))
        elif _ANSWER.match(line):
            if question is None:
                source.at_line(number, column, f"an ANSWER: line with no question before it; {_FORMAT}")
                continue
            item = _finished(source, question, line, number, column)
            if item is not None:
                identifier = ids.new(len(items) + 1)
                items.append(ImportedItem(identifier, {"id": identifier, **item}))
            question = None
        else:
            if question is not None:
                _incomplete(source, question, line, number)
                if _ANSWER_ANY_CASE.match(line) or _LOWER_CASE_CHOICE.match(line):
                    question = None  # a mistaken line of that question, not the start of the next
                    continue
            question = _Open(line, number, column)
    if question is not None:
        source.at_line(question.line, question.column, "this question has no ANSWER: line (the file ends first; "
                                                       "Moodle drops such a question without a word); end it with "
                                                       "ANSWER: and the letter of the right choice")
    return [quiz_of(source, items, _FORMAT)]


def _incomplete(source: Source, question: _Open, line: str, number: int) -> None:
    """The question before ``line`` (at line ``number``) ended without its ANSWER: line."""
    if _ANSWER_ANY_CASE.match(line):
        hint = f"line {number} looks like one: write ANSWER: in capitals, followed by a colon"
    elif _LOWER_CASE_CHOICE.match(line):
        hint = f"line {number} looks like a choice: choices start with a capital letter, such as A) or A."
    elif not question.choices:
        hint = (f"line {number} starts another question; a question is all on one line: join the lines, or write "
                "its choices and ANSWER: line after it")
    else:
        hint = f"line {number} starts another question; add the ANSWER: line after the last choice"
    source.at_line(question.line, question.column, f"this question has no ANSWER: line; {hint}")


def _finished(source: Source, question: _Open, line: str, number: int, column: int) -> dict[str, object] | None:
    """The item of a question that its ANSWER: line (``line``) ends; None when it has a problem."""
    if len(question.choices) < 2:
        source.at_line(number, column, f"the question at line {question.line} has {len(question.choices)} choice(s); "
                                       "a multiple-choice question needs at least 2, each on its own line after the "
                                       "question (A) ..., B) ...)")
        return None
    after_colon = line[line.index(":") + 1:]
    letter_column = column + line.index(":") + 1 + len(after_colon) - len(after_colon.lstrip(_TRIMMED))
    written = after_colon.strip(_TRIMMED)
    letter = written[:1]
    last = chr(ord("A") + len(question.choices) - 1)
    if not ("A" <= letter <= "Z") or ord(letter) - ord("A") >= len(question.choices):
        shown = f"ANSWER: {letter}" if letter else "ANSWER: with no letter"
        source.at_line(number, letter_column, f"{shown}, but the question at line {question.line} has choices A to "
                                              f"{last} (counted in order, whatever their letters); write the capital "
                                              "letter of the right choice")
        return None
    if re.search("[A-Z]", written[1:]):
        source.not_carried_at_line(number, f"{written!r} names more than one letter: an Aiken question has one "
                                               f"right choice, and Moodle takes the first, {letter}; so does "
                                               "this import")
    correct = ord(letter) - ord("A")
    choices: list[dict[str, object]] = []
    before = len(source.problems)
    for index, (text, choice_line, choice_column) in enumerate(question.choices):
        if not text:
            source.at_line(choice_line, choice_column, "a choice without text; write its text after the letter")
            continue
        choice: dict[str, object] = {"text": plain_markdown(text, inline=True)}
        if index == correct:
            choice["correct"] = True
        choices.append(choice)
    document: dict[str, object] = {"type": "single_choice", "prompt": plain_markdown(question.text),
                                   "choices": choices}
    if len(source.problems) > before or not item_checked(source, question.line, question.column, document):
        return None
    return document

