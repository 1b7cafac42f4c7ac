"""GIFT import (builder/importing/gift.py): each construct as Moodle's importer reads it
(question/format/gift/format.php), what lmspack cannot hold listed at its line, malformed input
as problems at line:column, and banks that build in every format with the same questions."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder import markup
from builder.errors import InputError
from builder.importing import ImportedQuiz, gift
from builder.importing.writing import write_quizzes
from builder.model import ChoiceInteraction, FillInBlanksInteraction, MatchingInteraction, NumericInteraction

from projects import import_problems, imported, imported_and_built, read_or_refused


def read(tmp_path: Path, text: str) -> ImportedQuiz:
    return imported(gift, tmp_path / "bank.gift", text)


def documents(tmp_path: Path, text: str) -> list[dict[str, object]]:
    return [item.document for item in read(tmp_path, text).items]


def problems(tmp_path: Path, text: str) -> list[str]:
    return import_problems(gift, tmp_path / "bad.gift", text)


def lost(quiz: ImportedQuiz, tmp_path: Path) -> list[tuple[str, str]]:
    """The quiz's Lost entries as (line, what), its file left out of the place."""
    return [(entry.place.removeprefix(f"{tmp_path / 'bank.gift'}:"), entry.what) for entry in quiz.lost]


def test_multiple_choice_with_name_feedback_general_feedback_id_and_tags(tmp_path: Path) -> None:
    quiz = read(tmp_path, "// [id:grant-tomb] [tag:history] [tag:tombs]\n"
                          "::Grant's tomb::Who's buried in Grant's tomb?{\n"
                          "  ~Grant#No, he is not alone.\n  ~Jefferson\n  =no one#Right: Ulysses and Julia.\n"
                          "  ####Both lie in the tomb.\n}\n")
    assert quiz.document == {"identifier": "bank", "title": "Bank", "version": "1.0.0", "pass_mark": 80,
                             "items": ["grant-tomb"]}
    assert [item.document for item in quiz.items] == [{
        "id": "grant-tomb", "type": "single_choice", "title": "Grant's tomb", "tags": ["history", "tombs"],
        "prompt": "Who's buried in Grant's tomb?",
        "choices": [{"text": "Grant", "feedback": "No, he is not alone."}, {"text": "Jefferson"},
                    {"text": "no one", "correct": True, "feedback": "Right: Ulysses and Julia."}],
        "explanation": "Both lie in the tomb."}]
    assert quiz.lost == []


def test_item_ids_come_from_titles_as_every_reader_makes_them(tmp_path: Path) -> None:
    """A title becomes an id as in the package readers (documents.slug: '_' and '.' kept, a leading
    number dropped), one taken twice gets '-2', and a question with no title is q<number>."""
    quiz = read(tmp_path, "::Photo_synthesis 2.0::Green?{T}\n\n::2 Apples::How many?{T}\n\n"
                          "::Photo_synthesis 2.0::Again?{T}\n\nNo title?{T}\n")
    assert quiz.document["items"] == ["photo_synthesis-2.0", "apples", "photo_synthesis-2.0-2", "q4"]


def test_true_false_with_each_answers_feedback(tmp_path: Path) -> None:
    assert documents(tmp_path, "The Sun is a star.{T}\n\nThe Moon is a planet.{FALSE#It orbits the Earth.#Right.}\n") \
        == [{"id": "q1", "type": "true_false", "prompt": "The Sun is a star.",
             "choices": [{"text": "True", "correct": True}, {"text": "False"}]},
            {"id": "q2", "type": "true_false", "prompt": "The Moon is a planet.",
             "choices": [{"text": "True", "feedback": "It orbits the Earth."},
                         {"text": "False", "correct": True, "feedback": "Right."}]}]


def test_short_answer_weights_and_moodles_any_other_answer(tmp_path: Path) -> None:
    quiz = read(tmp_path, "Who wrote Hamlet?{=Shakespeare =William Shakespeare =%50%Marlowe#Half: he inspired it.\n"
                          "=%0%Bacon#An old theory. =Shake* =%0%*#Not an author we know.}\n")
    assert [item.document for item in quiz.items] == [{
        "id": "q1", "type": "short_answer", "prompt": "Who wrote Hamlet?",
        "answers": [{"text": "Shakespeare"}, {"text": "William Shakespeare"},
                    {"text": "Marlowe", "credit": 50, "feedback": "Half: he inspired it."}],
        "other_feedback": "Not an author we know."}]
    assert lost(quiz, tmp_path) == [
        ("2", "the answer 'Bacon' worth 0%: lmspack's answers are worth 1% to 100%; a wrong answer is not listed"),
        ("2", "the answer 'Shake*': Moodle reads * as any characters; lmspack compares * as itself, so the answer "
              "is not carried")]


def test_numerical_tolerance_range_partial_credit_and_other_feedback(tmp_path: Path) -> None:
    assert documents(tmp_path, "When was Grant born?{#1822:5}\n\nA number from 1 to 5:{#1..5}\n\n"
                               "Pi to two places:{#=3.14:0#Exactly. =%50%3.14:0.01#Close. ~#Not pi.}\n") == [
        {"id": "q1", "type": "numeric", "prompt": "When was Grant born?", "answers": [{"value": 1822, "tolerance": 5}]},
        {"id": "q2", "type": "numeric", "prompt": "A number from 1 to 5:", "answers": [{"range": [1, 5]}]},
        {"id": "q3", "type": "numeric", "prompt": "Pi to two places:",
         "answers": [{"value": 3.14, "feedback": "Exactly."},
                     {"value": 3.14, "tolerance": 0.01, "credit": 50, "feedback": "Close."}],
         "other_feedback": "Not pi."}]


def test_matching_with_a_distractor_and_essay_with_general_feedback(tmp_path: Path) -> None:
    assert documents(tmp_path, "Match the capitals.{=Canada -> Ottawa =Italy -> Rome =-> Paris}\n\n"
                               "::Essay::Write about Grant.{####Name his tomb.}\n\nAnd without feedback.{}\n") == [
        {"id": "q1", "type": "matching", "prompt": "Match the capitals.",
         "pairs": [{"left": "Canada", "right": "Ottawa"}, {"left": "Italy", "right": "Rome"}],
         "distractors": ["Paris"]},
        {"id": "essay", "type": "essay", "title": "Essay", "prompt": "Write about Grant.",
         "explanation": "Name his tomb."},
        {"id": "q3", "type": "essay", "prompt": "And without feedback."}]


def test_multiple_answers_weights_as_lmspack_scores_them(tmp_path: Path) -> None:
    quiz = read(tmp_path, "Primes?{~%50%2 ~%50%3 ~%-50%4 ~%-50%6}\n\nEven?{~%50%2 ~%50%4 ~5}\n\n"
                          "Odd?{~%70%3 ~%30%5 ~%-100%4}\n")
    assert [(item.document["choices"], item.document["wrong_choice_penalty"]) for item in quiz.items] == [
        ([{"text": "2", "correct": True}, {"text": "3", "correct": True}, {"text": "4"}, {"text": "6"}], True),
        ([{"text": "2", "correct": True}, {"text": "4", "correct": True}, {"text": "5"}], False),
        ([{"text": "3", "correct": True}, {"text": "5", "correct": True}, {"text": "4"}], True)]
    assert lost(quiz, tmp_path) == [
        ("5", "the weights 70%, 30% of the right answers: lmspack gives each right choice an equal share (50%)"),
        ("5", "the weights -100% of the wrong answers: lmspack takes away 50% for each wrong choice selected")]


def test_partial_credit_in_single_choice_is_listed(tmp_path: Path) -> None:
    quiz = read(tmp_path, "Capital of Australia?{=Canberra ~%50%Sydney ~Perth =Melbourne}\n")
    assert [choice.get("correct", False) for choice in quiz.items[0].document["choices"]] == \
        [True, False, False, False]  # type: ignore[union-attr]
    assert lost(quiz, tmp_path) == [
        ("1", "the weight 50% of answer 'Sydney': lmspack gives credit only for the correct choice; it is carried as "
              "a wrong one (worth 0)"),
        ("1", "a second answer worth 100% ('Melbourne'): a single_choice item has one correct choice; it is carried "
              "as a wrong one")]


def test_missing_word_questions_become_blanks(tmp_path: Path) -> None:
    quiz = read(tmp_path, "Grant is {~buried =entombed ~living#No.} in Grant's tomb.\n\n"
                          "The capital of France is {=Paris =paris city} of course.\n\n"
                          "There are {#7} days in a week.\n\n"
                          "Pick {~%50%a ~%50%b ~c} here.\n")
    assert [item.document for item in quiz.items] == [
        {"id": "q1", "type": "fill_in_blanks", "prompt": "Grant is [[answer]] in Grant's tomb.",
         "blanks": {"answer": {"options": ["buried", "entombed", "living"], "correct": "entombed"}}},
        {"id": "q2", "type": "fill_in_blanks", "prompt": "The capital of France is [[answer]] of course.",
         "blanks": {"answer": {"answers": ["Paris", "paris city"]}}},
        {"id": "q3", "type": "fill_in_blanks", "prompt": "There are [[answer]] days in a week.",
         "blanks": {"answer": {"value": 7}}},
        # Moodle's reading of a multiple-answer question with text after it: a line where the answers stood.
        {"id": "q4", "type": "multiple_response", "prompt": "Pick \\_\\_\\_\\_\\_ here.",
         "choices": [{"text": "a", "correct": True}, {"text": "b", "correct": True}, {"text": "c"}],
         "wrong_choice_penalty": False}]
    assert lost(quiz, tmp_path) == [("1", "the feedback of answer 'living': a blank has no feedback per answer")]


def test_escapes_and_line_breaks(tmp_path: Path) -> None:
    (document,) = documents(tmp_path, "::a\\:b::Is 1\\+1 \\= 2? \\{yes\\} \\~ \\#1 a\\\\b\\nnext line{\n"
                                      "=yes\\#no ~no \\= never}\n")
    assert document["title"] == "a:b"
    assert document["prompt"] == "Is 1\\\\+1 = 2? {yes} ~ #1 a\\\\b\\\nnext line"
    assert document["choices"] == [{"text": "yes#no", "correct": True}, {"text": "no = never"}]


def test_text_formats(tmp_path: Path) -> None:
    text = ("[html]<p>What is <b>H<sub>2</sub>O</b>? \\\\(x^2 < 4\\\\) costs $5</p>{=<p>Water</p> ~<p>Fire</p>}\n\n"
            "[markdown]Some **bold** and `code`, $x$ costs $5 and $$y$$ does not{=a ~b}\n\n"
            "[plain]2 * 3 < 7 & [x]{=a ~b}\n\n"
            "Moodle text on\ntwo lines with \\\\(\\\\frac\\{1\\}\\{2\\}\\\\) and $$x$$ and 5$ and <i>tags</i>{=a ~b}\n")
    prompts = [document["prompt"] for document in documents(tmp_path, text)]
    assert prompts == ["<p>What is <b>H<sub>2</sub>O</b>? $x^2 < 4$ costs &#36;5</p>",
                       "Some **bold** and `code`, \\$x\\$ costs \\$5 and $$y$$ does not",
                       "2 \\* 3 \\< 7 \\& \\[x\\]",
                       "<p>Moodle text on<br> two lines with $\\frac{1}{2}$ and $$x$$ and 5&#36; and <i>tags</i></p>"]
    shown = [markup.plain_text(markup.block(prompt)[0]) for prompt in prompts]
    assert shown == ["What is H2O? x2<4 costs $5", "Some bold and code, $x$ costs $5 and y does not", "2 * 3 < 7 & [x]",
                     "Moodle text on two lines with 12 and x and 5$ and tags"]


def test_what_lmspack_cannot_hold_is_listed_at_its_line(tmp_path: Path) -> None:
    quiz = read(tmp_path, "$CATEGORY: $course$/top/Week 1\n\nA description, with no answers.\n\n"
                          "// a comment\nMatch {=a -> x =b -> x =c -> y}\n\nNo right answer {=%50%a =%25%b}\n\n"
                          "Fine?{T}\n")
    assert [item.identifier for item in quiz.items] == ["q1"]
    assert lost(quiz, tmp_path) == [
        ("1", "the category '$course$/top/Week 1': lmspack keeps no question bank categories; its questions are in "
              "this file's quiz"),
        ("3", "a description (text without answers): lmspack has no items without a question; its text is not "
              "imported"),
        ("6", "a matching question with the same right side twice: lmspack's matching items list each right side "
              "once"),
        ("8", "a short-answer question with no answer worth 100%: no learner could earn its points")]


def test_images_that_are_not_in_the_file_are_listed_and_their_text_kept(tmp_path: Path) -> None:
    quiz = read(tmp_path, '[html]<p>See <img src="@@PLUGINFILE@@/cat.png" alt="a cat"> here</p>{T}\n')
    assert quiz.items[0].document["prompt"] == "<p>See a cat here</p>"
    assert lost(quiz, tmp_path) == [("1", "the image '@@PLUGINFILE@@/cat.png' (not in the file; its text 'a cat' is "
                                          "kept)")]


def test_malformed_questions_are_problems_at_line_and_column(tmp_path: Path) -> None:
    assert problems(tmp_path, "Missing close {=a ~b\n\nClose only } here\n\nMatch {=a -> 1 =b}\n\nNumber {#abc}\n\n"
                              "Empty {=a ~ ~b}\n\nWeight {=a ~%--5%b}\n\nReversed } and {=a}\n\nOne {~a}\n\n"
                              "Range {#5..1}\n\nNo number {#}\n") == [
        "1:15: this question has a '{' but no '}': answers go between braces, such as {=right ~wrong}; write \\{ or "
        "\\} for a brace that is text",
        "3:12: this question has a '}' but no '{': answers go between braces, such as {=right ~wrong}; write \\{ or "
        "\\} for a brace that is text",
        "5:17: each answer of a matching question is written =left -> right; this one has no ->",
        "7:10: the answer 'abc' is not a number (such as 42, -0.5 or 2.5e3, at most 1e+15 either way); a numerical "
        "question's answers are numbers",
        "9:11: an answer without text; remove the extra ~ or =, or write \\~ or \\= for the character itself",
        "11:13: the weight %--5% is not a number; write a percent such as %50% or %-25%",
        "13:10: a '}' before the '{' of the answers; write \\} for a brace that is text",
        "15:6: a multiple-choice question needs at least 2 answers, each after = (right) or ~ (wrong)",
        "17:9: the range 5..1 goes down; write the lowest number first: 1..5",
        "19:12: a numerical question needs a number after the #, such as {#42}, {#42:0.5} or {#40..45}"]


def test_a_formula_lmspack_cannot_read_is_a_problem_at_its_question(tmp_path: Path) -> None:
    assert problems(tmp_path, "\n\nWhat is \\\\(\\\\foo\\\\)?{T}\n") == \
        ["3:1: the formula $\\foo$ uses \\foo, a command the TeX converter does not know"]


def test_a_file_without_questions_and_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    assert problems(tmp_path, "// only a comment\n") == [
        "1:1: no question found; GIFT questions have their answers in braces, such as Who wrote Hamlet? "
        "{=Shakespeare ~Marlowe}, and are separated by blank lines"]
    path = tmp_path / "latin1.gift"
    path.write_bytes("Caf\u00e9{T}".encode("latin-1"))
    with pytest.raises(InputError, match=r"1:4: byte 0xe9 is not UTF-8"):
        gift.read(path)


def test_a_source_that_is_not_a_plain_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.gift")  # reading would wait for a writer for ever
    with pytest.raises(InputError, match="is not a plain file"):
        gift.read(tmp_path / "pipe.gift")


def test_recognises_gift_files(tmp_path: Path) -> None:
    assert gift.recognises(tmp_path / "bank.gift", b"")
    assert gift.recognises(tmp_path / "bank.txt", b"// Week 1\n::Q1:: Who? {=me ~you}\n")
    assert gift.recognises(tmp_path / "bank.txt", b"Is it? {T}\n")
    assert not gift.recognises(tmp_path / "bank.txt", b"Who?\nA) me\nB) you\nANSWER: A\n")
    assert not gift.recognises(tmp_path / "bank.xml", b"<quiz>{=a}</quiz>")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(st.sampled_from(list("{}=~#:%->.\\\n []*$_<>&/TF0123456789ab")) | st.characters(), max_size=200))
def test_any_text_is_read_or_refused_with_problems(tmp_path: Path, text: str) -> None:
    read_or_refused(gift, tmp_path / "any.gift", text)


# Questions of every kind, in random combinations: whatever the reader gives must load.
_WORD = st.text(st.sampled_from("abcxyz AB*_[]<>&$\\:~=#{}"), min_size=1, max_size=8).filter(str.strip).map(
    lambda word: "".join("\\\\" if c == "\\" else f"\\{c}" if c in ":~=#{}" else c for c in word))
_FEEDBACK = st.one_of(st.just(""), _WORD.map(lambda word: f"#{word}"))
_WEIGHT = st.sampled_from(["=", "~", "~%50%", "~%-25%", "~%100%"])
_QUESTION = st.one_of(
    st.lists(st.tuples(_WEIGHT, _WORD, _FEEDBACK), min_size=2, max_size=5).map(
        lambda answers: "{" + " ".join(f"{w}{t}{f}" for w, t, f in answers) + "}"),
    st.lists(st.tuples(st.sampled_from(["", "%50%", "%0%"]), _WORD, _FEEDBACK), min_size=1, max_size=4).map(
        lambda answers: "{" + " ".join(f"={w}{t}{f}" for w, t, f in answers) + "}"),
    st.sampled_from(["{T}", "{F}", "{TRUE#no#yes}", "{}", "{#3:1}", "{#1..5}", "{#=2 =%50%3:1 ~#no}"]),
    st.lists(st.tuples(_WORD, _WORD), min_size=2, max_size=4).map(
        lambda pairs: "{" + " ".join(f"={left} -> {right}" for left, right in pairs) + "}"))
_GIFT = st.lists(st.tuples(st.sampled_from(["", "::Name::", "// c\n", "[html]", "[plain]", "[markdown]"]), _WORD,
                           _QUESTION, st.sampled_from(["", " after."]), st.sampled_from(["", "####General"])),
                 min_size=1, max_size=4).map(
    lambda questions: "\n\n".join(f"{head}{text} {answers[:-1]}{general}}}{after}"
                                  for head, text, answers, after, general in questions))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_GIFT)
def test_what_is_read_loads(tmp_path: Path, text: str) -> None:
    path = tmp_path / "generated.gift"
    path.write_text(text, encoding="utf-8")
    try:
        quizzes = gift.read(path)
    except InputError as error:  # only what Moodle refuses too, such as an answer left empty by escapes
        assert all(any(words in p.message for words in ("without text", "needs at least", "can be carried"))
                   for p in error.problems), error
        return
    out = tmp_path / "out"
    if quizzes[0].items:
        write_quizzes([(quiz, "generated.gift") for quiz in quizzes], out, force=True)


BANK = """\
// A bank as a designer keeps it: every kind of question, with feedback and weights.
::Tomb::Who's buried in Grant's tomb?{~Grant#Not alone. =no one#Right. ####Ulysses and Julia.}

The Sun is a star.{TRUE#No, it is.#Yes.}

Who wrote Hamlet?{=Shakespeare =%50%Marlowe#Close. =%0%*#Not an author we know.}

When was Grant born?{#1822:5#Within five years.}

Match the capitals.{=Canada -> Ottawa =Italy -> Rome =-> Paris}

Primes?{~%50%2 ~%50%3 ~%-50%4 ~%-50%6}

Grant is {~buried =entombed ~living} in Grant's tomb.

Write about Grant.{}
"""


def test_a_bank_builds_in_every_format_with_moodles_questions(tmp_path: Path) -> None:
    (built,) = imported_and_built([read(tmp_path, BANK)], tmp_path, "bank.gift")
    tomb, star, hamlet, born, capitals, primes, blank, essay = built.items
    assert isinstance(tomb.interaction, ChoiceInteraction) and tomb.interaction.kind == "single_choice"
    assert (tomb.title, markup.plain_text(tomb.prompt)) == ("Tomb", "Who's buried in Grant's tomb?")
    assert [(str(c.text), c.correct, str(c.feedback)) for c in tomb.interaction.choices] == \
        [("Grant", False, "Not alone."), ("no one", True, "Right.")]
    assert str(tomb.explanation) == "<p>Ulysses and Julia.</p>"
    assert isinstance(star.interaction, ChoiceInteraction) and star.interaction.kind == "true_false"
    assert [(str(c.text), c.correct, str(c.feedback)) for c in star.interaction.choices] == \
        [("True", True, "Yes."), ("False", False, "No, it is.")]
    assert [(a.text, a.credit, a.feedback and str(a.feedback)) for a in hamlet.interaction.answers] == \
        [("Shakespeare", 100, None), ("Marlowe", 50, "Close.")]  # type: ignore[union-attr]
    assert str(hamlet.interaction.other_feedback) == "Not an author we know."  # type: ignore[union-attr]
    assert isinstance(born.interaction, NumericInteraction)
    assert [(a.value, a.tolerance, a.credit, str(a.feedback)) for a in born.interaction.answers] == \
        [(1822, 5, 100, "Within five years.")]
    assert isinstance(capitals.interaction, MatchingInteraction)
    assert [(str(p.left), str(p.right)) for p in capitals.interaction.pairs] == \
        [("Canada", "Ottawa"), ("Italy", "Rome")]
    assert [str(d) for d in capitals.interaction.distractors] == ["Paris"]
    assert isinstance(primes.interaction, ChoiceInteraction) and primes.interaction.wrong_choice_penalty
    assert [c.correct for c in primes.interaction.choices] == [True, True, False, False]
    assert isinstance(blank.interaction, FillInBlanksInteraction)
    assert blank.interaction.blanks[0].options == ("buried", "entombed", "living")  # type: ignore[union-attr]
    assert blank.interaction.blanks[0].correct == 1  # type: ignore[union-attr]
    assert essay.interaction.__class__.__name__ == "EssayInteraction"
    assert read(tmp_path, BANK).lost == []


def test_the_docs_example_imports_as_the_docs_say(tmp_path: Path) -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "import.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```gift\n(.+?)```", page, re.S)
    quiz = read(tmp_path, example)
    assert [(item.identifier, item.document["type"]) for item in quiz.items] == [
        ("grant-tomb", "single_choice"), ("q2", "fill_in_blanks"), ("q3", "short_answer"), ("q4", "numeric"),
        ("q5", "matching"), ("q6", "multiple_response"), ("q7", "true_false"), ("q8", "essay")]
    assert quiz.lost == []
    imported_and_built([quiz], tmp_path, "bank.gift")
