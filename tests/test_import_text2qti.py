"""text2qti Markdown import (builder/importing/text2qti.py), checked against text2qti's own parser
(installed for the benchmark): the same sources give the same questions, answers, credits and
feedback, and what text2qti refuses is refused, at its line; plus what lmspack cannot hold listed,
images carried, formulas converted, and quizzes that build in every format."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder import markup
from builder.errors import InputError
from builder.importing import ImportedQuiz, text2qti
from builder.model import ChoiceInteraction, NumericInteraction, Quiz, ShortAnswerInteraction

from projects import import_problems, imported, imported_and_built, read_or_refused

t2q_quiz = pytest.importorskip("text2qti.quiz")
t2q_config = pytest.importorskip("text2qti.config")
t2q_err = pytest.importorskip("text2qti.err")

# A question as both readers give it: its type (lmspack's), title, points, text, choices or
# answers (text, correct, feedback), the numbers accepted and the explanation.
View = tuple[str, str | None, float, str, tuple[tuple[str, bool, str], ...], tuple[float, float] | None, str]
_KINDS = {"multiple_choice_question": "single_choice", "true_false_question": "true_false",
          "multiple_answers_question": "multiple_response", "short_answer_question": "short_answer",
          "numerical_question": "numeric", "essay_question": "essay"}


def text2qti_view(path: Path) -> list[View] | None:
    """What text2qti's own parser reads in ``path`` (None when it refuses it), with lmspack's
    documented mapping: right/wrong feedback (+ -) joined to a choice's own feedback, or given to
    typed answers and to any other answer; a group's points per question as each one's points;
    short answers an earlier one accepts (in any case) dropped; all-correct multiple answers lost."""
    with contextlib.chdir(path.parent):
        try:
            quiz = t2q_quiz.Quiz(path.read_text(encoding="utf-8-sig"), config=t2q_config.Config(),
                                 source_name=path.name)
        except t2q_err.Text2qtiError:
            return None
    views: list[View] = []
    group = None
    for part in quiz.questions_and_delims:
        if isinstance(part, t2q_quiz.GroupStart):
            group = part.group
        elif isinstance(part, t2q_quiz.GroupEnd):
            group = None
        elif isinstance(part, t2q_quiz.Question) and part.type in _KINDS:
            if part.type == "multiple_answers_question" and all(choice.correct for choice in part.choices):
                continue
            views.append(_question_view(part, group))
    return views


def _question_view(question: object, group: object) -> View:
    q = question
    right, wrong = q.correct_feedback_raw or "", q.incorrect_feedback_raw or ""  # type: ignore[attr-defined]
    kind = _KINDS[q.type]  # type: ignore[attr-defined]
    choices: list[tuple[str, bool, str]] = []
    seen: set[str] = set()
    for choice in q.choices:  # type: ignore[attr-defined]
        text = choice.choice_raw.capitalize() if kind == "true_false" else choice.choice_raw
        if kind == "short_answer":
            if " ".join(text.casefold().split()) in seen:
                continue
            seen.add(" ".join(text.casefold().split()))
            choices.append((text, True, right))
        elif kind == "multiple_response":
            choices.append((text, choice.correct, choice.feedback_raw or ""))
        else:
            own = choice.feedback_raw or ""
            choices.append((text, choice.correct, " ".join(part for part in (own, right if choice.correct else wrong)
                                                           if part)))
    numbers = (q.numerical_min, q.numerical_max) if kind == "numeric" else None  # type: ignore[attr-defined]
    if kind == "numeric":
        choices.append(("", True, right))
    if kind in ("short_answer", "numeric"):
        choices.append(("other", False, wrong))
    points = group.points_per_question if group is not None else q.points_possible  # type: ignore[attr-defined]
    return (kind, q.title_raw, float(points), q.question_raw, tuple(choices), numbers,  # type: ignore[attr-defined]
            q.feedback_raw or "")  # type: ignore[attr-defined]


def our_view(quiz: ImportedQuiz) -> list[View]:
    views: list[View] = []
    for item in quiz.items:
        document = item.document
        kind = str(document["type"])
        choices: list[tuple[str, bool, str]] = []
        numbers = None
        for choice in document.get("choices", []):  # type: ignore[attr-defined]
            choices.append((choice["text"], choice.get("correct", False), choice.get("feedback", "")))
        for answer in document.get("answers", []):  # type: ignore[attr-defined]
            if kind == "numeric":
                numbers = _bounds(answer)
                choices.append(("", True, answer.get("feedback", "")))
            else:
                choices.append((answer["text"], True, answer.get("feedback", "")))
        if kind in ("short_answer", "numeric"):
            choices.append(("other", False, str(document.get("other_feedback", ""))))
        views.append((kind, document.get("title"), float(document.get("points", 1)),  # type: ignore[arg-type]
                      str(document["prompt"]), tuple(choices), numbers, str(document.get("explanation", ""))))
    return views


def _bounds(answer: dict[str, object]) -> tuple[float, float]:
    if "range" in answer:
        low, high = answer["range"]  # type: ignore[misc]
        return float(low), float(high)
    value = float(answer["value"])  # type: ignore[arg-type]
    tolerance = str(answer.get("tolerance", 0))
    margin = abs(value) * float(tolerance[:-1]) / 100 if tolerance.endswith("%") else float(tolerance)
    return value - margin, value + margin


def read(tmp_path: Path, text: str) -> ImportedQuiz:
    return imported(text2qti, tmp_path / "quiz.md", text)


def problems(tmp_path: Path, text: str) -> list[str]:
    return import_problems(text2qti, tmp_path / "bad.md", text)


def same_as_text2qti(tmp_path: Path, text: str) -> ImportedQuiz:
    quiz = read(tmp_path, text)
    expected = text2qti_view(tmp_path / "quiz.md")
    assert expected is not None, "text2qti refuses the source"
    assert our_view(quiz) == expected
    return quiz


README_QUIZ = """\
Quiz title: Addition
Quiz description: Checking addition.
shuffle answers: true

Title: An addition question
Points: 2
1.  What is 2+3?
... General question feedback.
+   Feedback for correct answer.
-   Feedback for incorrect answer.
a)  6
... Feedback for this particular answer.
b)  1
*c) 5
... Feedback for this particular answer.

2.  Which of the following are dinosaurs?
[ ] Woolly mammoth
[*] Tyrannosaurus rex
[*] Triceratops
[ ] Smilodon fatalis

3.  What is the square root of 2?
=   1.4142 +- 0.0001

4.  What is the cube root of 2?
=   [1.2598, 1.2600]

5.  What is 2+2?
=   4

Points: 1.5
6.  Who lives at the North Pole?
+   Yes.
-   No, it is Santa.
*   Santa
*   Santa Claus
*   Father Christmas

7.  Write an essay.
... General question feedback.
____

8.  A question paragraph that is long enough to wrap onto a second line.
    The second line must be indented to match up with the start of the
    paragraph text on the first line.

    Another paragraph.
*a) true
b)  false

9.  Within ten percent of 50?
=   50 +- 10%
"""


def test_the_readme_examples_read_as_text2qti_reads_them(tmp_path: Path) -> None:
    quiz = same_as_text2qti(tmp_path, README_QUIZ)
    assert quiz.document == {"identifier": "quiz", "title": "Addition", "version": "1.0.0",
                             "description": "Checking addition.", "pass_mark": 80,
                             "items": ["an-addition-question", *(f"q{n}" for n in range(2, 10))],
                             "shuffle_choices": True}
    first = quiz.items[0].document
    assert first == {"id": "an-addition-question", "type": "single_choice", "title": "An addition question",
                     "points": 2, "prompt": "What is 2+3?",
                     "choices": [{"text": "6", "feedback": "Feedback for this particular answer. Feedback for "
                                                           "incorrect answer."},
                                 {"text": "1", "feedback": "Feedback for incorrect answer."},
                                 {"text": "5", "correct": True, "feedback": "Feedback for this particular answer. "
                                                                            "Feedback for correct answer."}],
                     "explanation": "General question feedback."}
    assert [item.document["answers"] for item in quiz.items if item.document["type"] == "numeric"] == [
        [{"value": 1.4142, "tolerance": 0.0001}], [{"range": [1.2598, 1.26]}], [{"value": 4}],
        [{"value": 50, "tolerance": "10%"}]]
    assert quiz.lost == []


def test_groups_become_sections_that_draw_and_keep_the_files_order(tmp_path: Path) -> None:
    quiz = same_as_text2qti(tmp_path, "1.  Before?\n*a) yes\nb)  no\n\nGROUP\npick: 1\npoints per question: 2\n\n"
                                      "2.  A question.\n*a) true\nb)  false\n\n3.  Another question.\n*a) true\n"
                                      "b)  false\nEND_GROUP\n\nGROUP\npick: 2\n4.  All of this one.\n*a) x\nb) y\n\n"
                                      "5.  And this.\n*a) x\nb) y\nEND_GROUP\n\n6.  After?\n*a) yes\nb)  no\n")
    assert quiz.document["sections"] == [{"id": "part-1", "items": ["q1"]},
                                         {"id": "group-1", "items": ["q2", "q3"], "select": 1},
                                         {"id": "group-2", "items": ["q4", "q5"]},
                                         {"id": "part-2", "items": ["q6"]}]
    assert [item.document.get("points", 1) for item in quiz.items] == [1, 2, 2, 1, 1, 1]


def test_formulas_siunitx_dollars_comments_and_code(tmp_path: Path) -> None:
    quiz = read(tmp_path, "1.  Speed $v = \\SI{3}{m/s^2}$ is \\SI{1.5e3}{\\ohm} or \\num{.5}, costs \\$5 or $$ "
                          "(no math)<!-- a comment -->, `$code$` stays.\n\n"
                          "    A wrapped formula $a +\n    b$ and a \\si{kg.m}.\n____\n")
    assert quiz.items[0].document["prompt"] == (
        "Speed $v = 3\\,{\\text{m}/\\text{s}^{2}}$ is $1.5\\times 10^{3}\\,{\\Omega}$ or $0.5$, costs \\$5 or \\$\\$ "
        "(no math), `$code$` stays.\n\nA wrapped formula $a + b$ and a ${\\text{kg}\\cdot \\text{m}}$.")
    rendered = str(markup.block(str(quiz.items[0].document["prompt"]))[0])
    assert rendered.count("<math") == 5 and "<code>$code$</code>" in rendered and "$5 or $$" in rendered


def test_images_beside_the_file_are_carried_and_others_refused(tmp_path: Path) -> None:
    (tmp_path / "figs").mkdir()
    (tmp_path / "figs" / "dot.png").write_bytes(_PNG)
    (tmp_path / "my dot.png").write_bytes(_PNG)
    quiz = read(tmp_path, "1.  See ![a dot](figs/dot.png) and ![another](<my dot.png>){width=50% .big}\n"
                          "    and ![web](https://example.org/x.png).\n____\n")
    assert quiz.items[0].document["prompt"] == (
        'See ![a dot](figs/dot.png) and <img src="my dot.png" alt="another" width="50%">\n'
        "and ![web](https://example.org/x.png).")
    assert quiz.media == {"figs/dot.png": _PNG, "my dot.png": _PNG}
    assert [entry.what for entry in quiz.lost] == [
        "the image's id or class in {width=50% .big}: lmspack keeps an image's width and height only"]
    outside = tmp_path / "inner"
    outside.mkdir()
    assert problems(outside, "1.  See ![x](../figs/dot.png) and ![y](missing.png) and ![z](notes.txt)\n____\n") == [
        "1:1: the image '../figs/dot.png' is not an image file beside the source or in a folder below it (.gif, "
        ".jpeg, .jpg, .m4a, .mp3, .mp4, .ogg, .png, .svg, .webm, .webp); lmspack import reads no other file: copy it "
        "beside the source, or use an https:// address",
        "1:1: the image 'missing.png' cannot be read: No such file or directory",
        "1:1: the image 'notes.txt' is not an image file beside the source or in a folder below it (.gif, .jpeg, "
        ".jpg, .m4a, .mp3, .mp4, .ogg, .png, .svg, .webm, .webp); lmspack import reads no other file: copy it beside "
        "the source, or use an https:// address"]


_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cf"
                     "c000000301010018dd8db00000000049454e44ae426082")


def test_what_lmspack_cannot_hold_is_listed_at_its_line(tmp_path: Path) -> None:
    quiz = read(tmp_path, "Quiz title: T\none question at a time: true\nshow correct answers: false\n\n"
                          "Text title: Part one\nText: Some instructions.\n\n1.  Upload a file.\n^^^^\n\n"
                          "2.  All right?\n[*] a\n[*] b\n\n3.  Pick.\n+   Well done.\n[*] a\n[ ] b\n\n"
                          "4.  Solve it.\n!   The solution.\n____\n\nGROUP\npoints per question: 2\nPoints: 3\n"
                          "5.  In a group.\n____\nEND_GROUP\n\nGROUP\nsolutions pick: 1\n6.  Q\n____\nEND_GROUP\n")
    assert [item.identifier for item in quiz.items] == ["q3", "q4", "q5", "q6"]
    assert [(entry.place.rsplit(":", 1)[1], entry.what) for entry in quiz.lost] == [
        ("8", "a file-upload question: lmspack has no such item type"),
        ("11", "a multiple-answers question whose every choice is correct: lmspack's multiple_response items need a "
               "wrong choice"),
        ("15", "the feedback for a right answer as a whole (+): lmspack's multiple_response items give feedback per "
               "choice"),
        ("21", "a solution (!): text2qti writes it only into its solutions document, which lmspack does not make"),
        ("26", "the question's Points: 3: in a group, Canvas gives each question the group's points per question "
               "(2)"),
        ("32", "the group's solutions pick: text2qti uses it only in its solutions document"),
        ("5", "a text region (Text: or Text title:): lmspack has no text between items"),
        ("6", "a text region (Text: or Text title:): lmspack has no text between items"),
        ("2", "the quiz option \"one question at a time: true\": a Canvas setting lmspack does not hold"),
        ("3", "the quiz option \"show correct answers: false\": a Canvas setting lmspack does not hold")]


REFUSED = [  # (source, the problem): each one text2qti refuses too
    ("1.  No correct choice.\na)  x\nb)  y\n", "1:1: this question has no correct choice: mark it with *, as *b)"),
    ("1.  Two correct.\n*a) x\n*b) y\n",
     "1:1: this question has more than one correct choice; for several, use [*] and [ ]"),
    ("Title: Lonely title\n\n1.  Q\n____\n",
     "2:1: expected a question here: a Title: or Points: line was given for a question that does not follow it"),
    ("1.  Bad number.\n=   1.5\n", "2:1: the numerical response '1.5' is not one text2qti reads: write = 5 (a whole "
                                   "number), = 5 +- 0.5, = 5 +- 10% or = [4, 6] (values at least 0.0001 away from 0, "
                                   "the lowest first)"),
    ("1.  Feedback too late.\n____\n... Late.\n",
     "3:1: question feedback (...) must come right after the question, before its response"),
    ("Points: 0\n1.  Zero points.\n____\n", "1:1: points '0' must be a whole number or a half (1, 2.5) above 0"),
    ("1.  Mixed.\n*a) x\n[*] y\n", "3:1: a multiple choice question cannot also take this (multiple answers)"),
    ("1.  Q\n____\nstray text\n", "3:1: unexpected text, or a wrapped line not indented as the text it continues "
                                   "(indent it under the first line's text)"),
    ("1.  Q\n____\n```{.python .run}\nprint('no')\n```\n",
     "3:1: an executable code block (```{.lang .run}): lmspack import never runs code; run text2qti on the file and "
     "paste the code's output in its place"),
    ("1.Missing space\n", '1:1: missing whitespace after "1."'),
    ("1.  Q\n... One.\n... Two.\n____\n", "3:1: feedback can be given only once"),
    ("GROUP\n1.  Q\n____\n", "1:1: this group never ends; end it with END_GROUP"),
    ("1.  Q\n____\n\n1.  Q\n____\n", "4:1: the same question twice; text2qti refuses duplicate questions"),
    ("shuffle answers: maybe\n1.  Q\n____\n", "1:18: \"shuffle answers\" takes true or false, not 'maybe'"),
    ("1.  Q\n... \\num{x}\n____\n", "1:1: \\num{x}: not a number text2qti's siunitx support reads"),
]


@pytest.mark.parametrize(("source", "problem"), REFUSED)
def test_what_text2qti_refuses_is_a_problem_at_its_line(tmp_path: Path, source: str, problem: str) -> None:
    assert problems(tmp_path, source) == [problem]
    (tmp_path / "quiz.md").write_text(source, encoding="utf-8")
    assert text2qti_view(tmp_path / "quiz.md") is None


def test_every_problem_of_a_file_at_once(tmp_path: Path) -> None:
    source = "\n".join(text for text, _ in REFUSED[:4])
    assert [problem.split(":", 2)[2] for problem in problems(tmp_path, source)] == \
        [problem.split(":", 2)[2] for _, problem in REFUSED[:4]]


def test_recognises_text2qti_files(tmp_path: Path) -> None:
    assert text2qti.recognises(tmp_path / "quiz.md", b"Quiz title: Addition\n")
    assert text2qti.recognises(tmp_path / "quiz.txt", b"1.  What is 2+3?\na)  6\n*b) 5\n")
    assert text2qti.recognises(tmp_path / "quiz.md", b"% comment\n1.  Name one.\n*   Santa\n")
    assert not text2qti.recognises(tmp_path / "notes.md", b"# Notes\n\n1. buy milk\n2. call home\n")
    assert not text2qti.recognises(tmp_path / "quiz.gift", b"1.  What is 2+3?\na)  6\n*b) 5\n")


# --- Generated quizzes: text2qti and this reader agree ------------------------------------------

_WORDS = st.lists(st.sampled_from(["two", "Three", "x", "a-b", "(5)", "it's", "**bold**", "1+1", "<b>b</b>", "q?",
                                   "true", "False"]), min_size=1, max_size=4).map(" ".join)
_FEEDBACK = st.lists(st.sampled_from(["...", "+  ", "-  "]), unique=True, max_size=3).flatmap(
    lambda marks: st.tuples(*[_WORDS.map(lambda words, mark=mark: f"{mark} {words}") for mark in marks]).map(list))


def _choices(marks: tuple[str, str], correct: int, count: int) -> st.SearchStrategy[list[str]]:
    """``count`` choices with ``correct`` of them marked right (in random places), some with feedback."""
    return st.tuples(st.permutations([True] * correct + [False] * (count - correct)),
                     st.lists(st.tuples(_WORDS, st.booleans()), min_size=count, max_size=count,
                              unique_by=lambda choice: choice[0])).map(
        lambda parts: [f"{marks[0] if right else marks[1]} {text}" + (f"\n... {text} fb" if feedback else "")
                       for right, (text, feedback) in zip(*parts, strict=True)])


_RESPONSES = st.one_of(
    st.integers(2, 4).flatmap(lambda count: _choices(("*a)", "b) "), 1, count)),
    st.integers(2, 4).flatmap(lambda count: st.integers(1, count).flatmap(
        lambda correct: _choices(("[*]", "[ ]"), correct, count))),
    st.lists(_WORDS, min_size=1, max_size=3).map(lambda answers: [f"*   {answer}" for answer in answers]),
    st.sampled_from(["=   5", "=   2.5 +- 0.5", "=   100 +- 5%", "=   [1, 2]", "=   -3"]).map(lambda line: [line]))
# What text2qti refuses (so must this reader): choices without one right, a lone choice, numbers it does not read.
_WRONG_RESPONSES = st.one_of(
    st.integers(1, 3).flatmap(lambda count: st.sampled_from([0, 2]).filter(lambda correct: correct <= count).flatmap(
        lambda correct: _choices(("*a)", "b) "), correct, count))),
    st.sampled_from(["=   [3, 2]", "=   1.5", "=   0", "^^^^"]).map(lambda line: [line]))
_QUESTION = st.tuples(st.sampled_from(["", "", "Title: A title\n", "Points: 2\n", "Title: T\nPoints: 1.5\n"]),
                      _WORDS, st.sampled_from(["", "\n    more text", "\n\n    Second paragraph."]), _FEEDBACK,
                      st.one_of(_RESPONSES, _RESPONSES, _RESPONSES, st.just(["____"]), _WRONG_RESPONSES)).map(
    # a function of the question's number, which makes its text its own (text2qti refuses a repeated one)
    lambda parts: lambda n: f"{parts[0]}{n}.  {parts[1]} ({n}){parts[2]}\n" + "".join(
        f"{line}\n" for line in (parts[3] if parts[4] != ["____"] else
                                  [line for line in parts[3] if line.startswith("...")]) + parts[4]))
_IN_GROUP = _QUESTION.map(lambda question: lambda n: "\n".join(
    line for line in question(n).split("\n") if not line.startswith(("Points:", "Title:"))))
_PART = st.one_of(_QUESTION.map(lambda question: [question]), _QUESTION.map(lambda question: [question]),
                  st.tuples(st.sampled_from(["", "pick: 1\n", "pick: 2\npoints per question: 2\n"]),
                            st.lists(_IN_GROUP, min_size=2, max_size=3)).map(
                      lambda group: [lambda n: f"GROUP\n{group[0]}", *group[1], lambda n: "END_GROUP\n"]))
_QUIZ = st.tuples(st.sampled_from(["", "Quiz title: A quiz\n", "Quiz title: Q\nshuffle answers: true\n"]),
                  st.lists(_PART, min_size=1, max_size=3)).map(
    lambda parts: parts[0] + "\n" + "\n".join(write(n) for n, write in enumerate(
        [write for part in parts[1] for write in part], start=1)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_QUIZ)
def test_generated_quizzes_read_as_text2qti_reads_them(tmp_path: Path, text: str) -> None:
    path = tmp_path / "quiz.md"
    path.write_text(text, encoding="utf-8")
    expected = text2qti_view(path)
    try:
        ours: list[View] | None = our_view(text2qti.read(path)[0])
    except InputError:
        ours = None
    assert ours == (expected or None), text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(["1.  Q", "*a) x", "b)  y", "[*] z", "*   s", "=   5", "____", "GROUP",
                                           "END_GROUP", "pick: 2", "Title: t", "Points: x", "... f", "COMMENT",
                                           "END_COMMENT", "```", "````x", "% c", "", "    more", "\t\ttab",
                                           "Quiz title: q", "shuffle answers: maybe", "![i](none.png)", "$x$"]),
                          st.text(max_size=15)), max_size=25).map("\n".join))
def test_any_text_is_read_or_refused_with_problems(tmp_path: Path, text: str) -> None:
    read_or_refused(text2qti, tmp_path / "any.md", text)


def test_a_quiz_builds_in_every_format_with_text2qtis_questions(tmp_path: Path) -> None:
    (built,) = imported_and_built([read(tmp_path, README_QUIZ)], tmp_path, "quiz.md")
    expected = text2qti_view(tmp_path / "quiz.md")
    assert expected is not None
    assert [_built_view(item) for item in built.items] == [_shown_view(view) for view in expected]
    assert built.settings.shuffle_choices


def _built_view(item: object) -> tuple[object, ...]:
    """What a learner sees of a built item: its points, text, choices or answers and explanation."""
    interaction = item.interaction  # type: ignore[attr-defined]
    if isinstance(interaction, ChoiceInteraction):
        answers: tuple[object, ...] = tuple((markup.plain_text(c.text), c.correct,
                                             markup.plain_text(c.feedback) if c.feedback else "")
                                            for c in interaction.choices)
    elif isinstance(interaction, ShortAnswerInteraction):
        answers = tuple(a.text for a in interaction.answers)
    elif isinstance(interaction, NumericInteraction):
        answers = tuple(a.bounds for a in interaction.answers)
    else:
        answers = ()
    explanation = markup.plain_text(item.explanation) if item.explanation else ""  # type: ignore[attr-defined]
    return item.points, markup.plain_text(item.prompt), answers, explanation  # type: ignore[attr-defined]


def _shown_view(view: View) -> tuple[object, ...]:
    kind, _, points, prompt, choices, numbers, explanation = view
    if kind in ("single_choice", "true_false", "multiple_response"):
        answers: tuple[object, ...] = tuple((markup.plain_text(markup.inline(text)[0]), correct,
                                             markup.plain_text(markup.inline(feedback)[0]))
                                            for text, correct, feedback in choices)
    elif kind == "short_answer":
        answers = tuple(text for text, *_ in choices[:-1])
    elif kind == "numeric":
        assert numbers is not None
        answers = (pytest.approx(numbers),)
    else:
        answers = ()
    return points, markup.plain_text(markup.block(prompt)[0]), answers, \
        markup.plain_text(markup.block(explanation)[0]) if explanation else ""


def test_built_quiz_keeps_its_groups_as_pools(tmp_path: Path) -> None:
    quiz = read(tmp_path, "GROUP\npick: 1\npoints per question: 2\n1.  One?\n*a) x\nb) y\n\n2.  Two?\n*a) x\n"
                          "b) y\nEND_GROUP\n")
    (built,) = imported_and_built([quiz], tmp_path, "quiz.md")
    assert isinstance(built, Quiz)
    assert [(pool.identifier, pool.item_ids, pool.select) for pool in built.settings.pools] == \
        [("group-1", ("q1", "q2"), 1)]
    assert [item.points for item in built.items] == [2, 2]


def test_the_docs_example_imports_as_text2qti_reads_it(tmp_path: Path) -> None:
    page = (Path(__file__).resolve().parents[1] / "docs" / "import.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```markdown\n(Quiz title.+?)```", page, re.S)
    quiz = same_as_text2qti(tmp_path, example)
    assert [item.document["type"] for item in quiz.items] == \
        ["single_choice", "multiple_response", "short_answer", "numeric", "essay"]
