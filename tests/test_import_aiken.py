"""Aiken import (builder/importing/aiken.py): questions as Moodle's importer reads them
(question/format/aiken/format.php), its errors as problems at line:column with the fix, and a
bank that builds in every format with the same questions."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder import markup
from builder.importing import ImportedQuiz, aiken
from builder.model import ChoiceInteraction

from projects import import_problems, imported, imported_and_built, read_or_refused


def read(tmp_path: Path, text: str) -> ImportedQuiz:
    return imported(aiken, tmp_path / "bank.txt", text)


def problems(tmp_path: Path, text: str) -> list[str]:
    return import_problems(aiken, tmp_path / "bad.txt", text)


def test_questions_with_either_label_and_any_spacing(tmp_path: Path) -> None:
    quiz = read(tmp_path, "What is the capital of France?\nA) Lyon\nB. Paris\nC)Marseille\nANSWER: B\n\n"
                          "  Which is a prime? 2 < 3 & $5 *costs*  \r\n A. 4\r\nB. 7\r\nANSWER:B\r\n")
    assert quiz.document == {"identifier": "bank", "title": "Bank", "version": "1.0.0", "pass_mark": 80,
                             "items": ["q1", "q2"]}
    assert [item.document for item in quiz.items] == [
        {"id": "q1", "type": "single_choice", "prompt": "What is the capital of France?",
         "choices": [{"text": "Lyon"}, {"text": "Paris", "correct": True}, {"text": "Marseille"}]},
        {"id": "q2", "type": "single_choice", "prompt": "Which is a prime? 2 \\< 3 \\& \\$5 \\*costs\\*",
         "choices": [{"text": "4"}, {"text": "7", "correct": True}]}]
    assert markup.plain_text(markup.block(str(quiz.items[1].document["prompt"]))[0]) == \
        "Which is a prime? 2 < 3 & $5 *costs*"
    assert quiz.lost == []


def test_an_answer_naming_several_letters_is_read_as_moodle_reads_it_and_listed(tmp_path: Path) -> None:
    quiz = read(tmp_path, "Pick one\nA) x\nB) y\nC) z\nANSWER: C, A\n")
    assert [choice.get("correct", False) for choice in quiz.items[0].document["choices"]] == \
        [False, False, True]  # type: ignore[union-attr]
    assert [(entry.place, entry.what) for entry in quiz.lost] == [
        (f"{tmp_path / 'bank.txt'}:5", "'C, A' names more than one letter: an Aiken question has one right choice, "
                                        "and Moodle takes the first, C; so does this import")]


def test_moodles_own_error_fixture_gives_its_errors_at_the_same_lines(tmp_path: Path) -> None:
    # question/format/aiken/tests/fixtures/aiken_errors.txt; Moodle's test expects errors on lines 3,
    # 5, 7 and "not completed before next question start on line 18" (the question of line 14).
    fixture = ("A question with too few answers\nA) Only answer\nANSWER: A\n\nA) Question not started\n\n"
               "ANSWER: Question not started\n\nA good question\nA) Correct\nB) Incorrect\nANSWER: A\n\n"
               "A question started but not finished\nA) Correct-ish\nB) Incorrect-ish\n\n"
               "A second good question\nA)Incorrect (No space)\nB)Correct (No space)\nANSWER: B")
    assert problems(tmp_path, fixture) == [
        "3:1: the question at line 1 has 1 choice(s); a multiple-choice question needs at least 2, each on its own "
        "line after the question (A) ..., B) ...)",
        "5:1: a choice with no question before it; an Aiken question is one line of text, then its choices, each a "
        "capital letter, ')' or '.' and its text, then ANSWER: and the letter of the right choice",
        "7:1: an ANSWER: line with no question before it; an Aiken question is one line of text, then its choices, "
        "each a capital letter, ')' or '.' and its text, then ANSWER: and the letter of the right choice",
        "14:1: this question has no ANSWER: line; line 18 starts another question; add the ANSWER: line after the "
        "last choice"]


def test_common_mistakes_are_named_with_their_fix(tmp_path: Path) -> None:
    assert problems(tmp_path, "What is\nthe capital?\nA) x\nB) y\nANSWER: A\n\n"
                              "Lower case answer\nA) x\nB) y\nAnswer: B\n\n"
                              "Lower case choices\na) x\n\n"
                              "Out of range\nA) x\nB) y\nANSWER: D\n\n"
                              "No letter\nA) x\nB) y\nANSWER:\n\n"
                              "Empty choice\nA)\nB) y\nANSWER: B\n\n"
                              "The file ends\nA) x\nB) y\n") == [
        "1:1: this question has no ANSWER: line; line 2 starts another question; a question is all on one line: "
        "join the lines, or write its choices and ANSWER: line after it",
        "7:1: this question has no ANSWER: line; line 10 looks like one: write ANSWER: in capitals, followed by a "
        "colon",
        "12:1: this question has no ANSWER: line; line 13 looks like a choice: choices start with a capital letter, "
        "such as A) or A.",
        "18:9: ANSWER: D, but the question at line 15 has choices A to B (counted in order, whatever their letters); "
        "write the capital letter of the right choice",
        "23:8: ANSWER: with no letter, but the question at line 20 has choices A to B (counted in order, whatever "
        "their letters); write the capital letter of the right choice",
        "26:1: a choice without text; write its text after the letter",
        "30:1: this question has no ANSWER: line (the file ends first; Moodle drops such a question without a "
        "word); end it with ANSWER: and the letter of the right choice"]


def test_an_empty_file_and_a_formula_lmspack_cannot_read(tmp_path: Path) -> None:
    assert problems(tmp_path, "\n") == [
        "1:1: no question found; an Aiken question is one line of text, then its choices, each a capital letter, "
        "')' or '.' and its text, then ANSWER: and the letter of the right choice"]
    # Aiken's text is plain: a dollar is a dollar, never a formula.
    assert read(tmp_path, "Is $\\foo$ a formula?\nA) no\nB) yes\nANSWER: A\n").items[0].document["prompt"] == \
        "Is \\$\\\\foo\\$ a formula?"


def test_recognises_aiken_files(tmp_path: Path) -> None:
    assert aiken.recognises(tmp_path / "bank.aiken", b"")
    assert aiken.recognises(tmp_path / "bank.txt", b"Who?\nA) me\nB. you\nANSWER: A\n")
    assert not aiken.recognises(tmp_path / "bank.txt", b"Who? {=me ~you}\n")
    assert not aiken.recognises(tmp_path / "bank.md", b"Who?\nA) me\nANSWER: A\n")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(["ANSWER: A", "ANSWER: B", "ANSWER:", "Answer: A", "A) x", "B. y",
                                           "C)z", "a) w", "", " ", "\r", "A)", "Q?", "$x$", "<b>", "\u00e9"]),
                          st.text(max_size=20)), max_size=20).map("\n".join))
def test_any_text_is_read_or_refused_with_problems(tmp_path: Path, text: str) -> None:
    read_or_refused(aiken, tmp_path / "any.txt", text)


def test_a_bank_builds_in_every_format_with_its_questions(tmp_path: Path) -> None:
    quiz = read(tmp_path, "What is the capital of France?\nA) Lyon\nB) Paris\nANSWER: B\n\n"
                          "Which planet is the largest?\nA. Mars\nB. Earth\nC. Jupiter\nANSWER: C\n")
    (built,) = imported_and_built([quiz], tmp_path, "bank.txt")
    assert [(markup.plain_text(item.prompt), [(str(c.text), c.correct) for c in item.interaction.choices])
            for item in built.items if isinstance(item.interaction, ChoiceInteraction)] == [
        ("What is the capital of France?", [("Lyon", False), ("Paris", True)]),
        ("Which planet is the largest?", [("Mars", False), ("Earth", False), ("Jupiter", True)])]
    assert all(item.interaction.kind == "single_choice" for item in built.items)  # type: ignore[union-attr]


def test_the_docs_example_imports(tmp_path: Path) -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "import.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```aiken\n(.+?)```", page, re.S)
    assert [item.document for item in read(tmp_path, example).items] == [
        {"id": "q1", "type": "single_choice", "prompt": "What is the capital of France?",
         "choices": [{"text": "Lyon"}, {"text": "Paris", "correct": True}, {"text": "Marseille"}]}]
