"""Moodle XML: the question bank Moodle's importer reads, item by item, with grades on Moodle's list."""

from __future__ import annotations

import dataclasses

import pytest
from lxml import etree

from builder import markup
from builder.formats.moodle import MOODLE_GRADES, build, check, moodle_grade
from builder.model import Choice, Item, Quiz
from builder.rendering import check_xml, safe_parser
from builder.scoring import choice_fractions
from tests.conftest import assert_golden

from projects import with_interaction

SPECIAL = "Don't \"quote\" & a < b ]]> café مرحبا 🙂"


def inline(source: str):
    fragment, problems = markup.inline(source)
    assert problems == []
    return fragment


def block(source: str):
    fragment, problems = markup.block(source)
    assert problems == []
    return fragment


def questions(data: bytes) -> list[etree._Element]:
    root = etree.fromstring(data, safe_parser())
    return root.findall("question")


def text_of(element: etree._Element, path: str) -> str:
    found = element.find(path)
    assert found is not None, path
    return found.text or ""


def multiple_response(base: Item, correct: int, wrong: int, penalty: bool) -> Item:
    choices = tuple(Choice(f"C{i}", inline(f"choice {i}"), i < correct, None) for i in range(correct + wrong))
    return with_interaction(base, choices=choices, wrong_choice_penalty=penalty)


def with_items(quiz: Quiz, *items: Item) -> Quiz:
    return dataclasses.replace(quiz, items=items)


def test_golden(warm_handoff: Quiz) -> None:
    output = build(warm_handoff)
    assert output.filename == "warm-handoff-1.0.0-moodle.xml"
    assert_golden("moodle/warm-handoff-1.0.0-moodle.xml", output.data)


def test_same_bytes_twice(warm_handoff: Quiz) -> None:
    assert build(warm_handoff).data == build(warm_handoff).data


def test_valid_against_our_schema(warm_handoff: Quiz) -> None:
    check_xml(build(warm_handoff).data, "moodle/moodle_quiz.xsd", "moodle")


def test_category_first(warm_handoff: Quiz) -> None:
    first = questions(build(warm_handoff).data)[0]
    assert first.get("type") == "category"
    assert text_of(first, "category/text") == "$course$/top/Warm handoffs in Medi-Cal peer support"
    slashed = dataclasses.replace(warm_handoff, title="Unit 1/2", cohort="spring-2027")
    category = text_of(questions(build(slashed).data)[0], "category/text")
    assert category == "$course$/top/Unit 1//2 (spring-2027)"


def test_item_by_item(warm_handoff: Quiz) -> None:
    by_id = {text_of(q, "idnumber"): q for q in questions(build(warm_handoff).data)[1:]}
    assert list(by_id) == [item.id for item in warm_handoff.items]
    for item in warm_handoff.items:
        q = by_id[item.id]
        assert text_of(q, "name/text") == item.title
        assert text_of(q, "questiontext/text") == str(item.prompt)
        assert q.find("questiontext").get("format") == "html"
        assert text_of(q, "generalfeedback/text") == str(item.explanation)
        assert float(text_of(q, "defaultgrade")) == item.points
        assert [t.text for t in q.findall("tags/tag/text")] == list(item.tags)
        answers = q.findall("answer")
        if item.interaction.kind == "true_false":
            assert q.get("type") == "truefalse"
            assert text_of(q, "penalty") == "1"
            by_word = {text_of(a, "text"): a for a in answers}
            for choice in item.interaction.choices:
                answer = by_word[choice.identifier]
                assert answer.get("fraction") == ("100" if choice.correct else "0")
                assert text_of(answer, "feedback/text") == str(choice.feedback)
            assert q.findall("hint") == []  # Moodle's true/false keeps no hints: warned instead
            continue
        assert q.get("type") == "multichoice"
        assert text_of(q, "single") == ("true" if item.interaction.kind == "single_choice" else "false")
        assert text_of(q, "shuffleanswers") == "true"
        assert [text_of(h, "text") for h in q.findall("hint")] == [str(h) for h in item.hints]
        for element in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
            assert text_of(q, f"{element}/text").startswith("<p>Your answer is ")
        fractions = choice_fractions(item.points, item.interaction)
        assert len(answers) == len(item.interaction.choices)
        for answer, choice in zip(answers, item.interaction.choices, strict=True):
            assert text_of(answer, "text") == str(choice.text)
            assert text_of(answer, "feedback/text") == str(choice.feedback)
            grade = float(answer.get("fraction")) / 100
            assert grade == pytest.approx(fractions[choice.identifier], abs=1e-5)


def test_multiple_response_fractions(warm_handoff: Quiz) -> None:
    """3 correct of 5 with negative marking: 33.33333 each, wrong choices -33.33333."""
    q = questions(build(warm_handoff).data)[3]
    assert [a.get("fraction") for a in q.findall("answer")] == ["33.33333", "33.33333", "33.33333",
                                                                 "-33.33333", "-33.33333"]


@pytest.mark.parametrize("penalty", [True, False])
@pytest.mark.parametrize("correct", range(2, 11))
def test_every_split_moodle_accepts(warm_handoff: Quiz, correct: int, penalty: bool) -> None:
    """What Moodle's importer checks: each grade within 0.00001 of its list (question/format.php,
    match_grade_options) and the positive grades of a multiple-answer question adding up to 100%
    once rounded to 2 places (qtype_multichoice::save_question_options)."""
    item = multiple_response(warm_handoff.items[2], correct, 2, penalty)
    (q,) = questions(build(with_items(warm_handoff, item)).data)[1:]
    grades = [float(a.get("fraction")) / 100 for a in q.findall("answer")]
    allowed = MOODLE_GRADES + tuple(-g for g in MOODLE_GRADES)
    for grade in grades:
        assert any(abs(grade - value) < 0.00001 for value in allowed), grade
    assert round(sum(g for g in grades if g > 0), 2) == 1
    wrong = grades[correct:]
    assert wrong == ([-grades[0]] * 2 if penalty else [0.0, 0.0])


def test_unrepresentable_fraction_is_refused_by_the_check(warm_handoff: Quiz) -> None:
    item = multiple_response(warm_handoff.items[2], 11, 1, True)
    (problem,) = check(with_items(warm_handoff, item))
    assert problem.path == item.place.path and problem.line == item.place.line
    assert "not on Moodle's grade list" in problem.message and "11 correct choices" in problem.message


def test_grade_matching() -> None:
    assert moodle_grade(1 / 3) == 0.3333333
    assert moodle_grade(-1 / 7) == -0.1428571
    assert moodle_grade(1 / 11) is None


def test_text_arrives_as_written(warm_handoff: Quiz) -> None:
    """Escaped text, never CDATA: ']]>' cannot end anything early, and Moodle reads back the HTML as is."""
    base = warm_handoff.items[0]
    choices = (Choice("A", inline(SPECIAL), True, inline(SPECIAL)), Choice("B", inline("other"), False, None))
    item = dataclasses.replace(with_interaction(base, choices=choices), prompt=block(SPECIAL),
                               explanation=block(SPECIAL), hints=(block(SPECIAL),), title=SPECIAL, tags=("café",))
    data = build(with_items(warm_handoff, item)).data
    assert b"CDATA" not in data
    (q,) = questions(data)[1:]
    assert text_of(q, "name/text") == SPECIAL
    html = "Don't \"quote\" &amp; a &lt; b ]]&gt; café مرحبا 🙂"
    assert text_of(q, "questiontext/text") == f"<p>{html}</p>"
    assert text_of(q, "generalfeedback/text") == f"<p>{html}</p>"
    assert text_of(q, "hint/text") == f"<p>{html}</p>"
    assert text_of(q, "answer/text") == html
    assert text_of(q, "answer/feedback/text") == html
    assert text_of(q, "tags/tag/text") == "café"


def test_warnings(warm_handoff: Quiz) -> None:
    after_submit = dataclasses.replace(warm_handoff, settings=dataclasses.replace(
        warm_handoff.settings, feedback="after_submit"))
    warnings = build(after_submit).warnings
    assert [(w.item_ids, w.message) for w in warnings] == [
        ((), "Moodle XML is a question bank and cannot carry quiz settings; set these on the Moodle quiz: "
             "pass mark 80%, feedback timing 'after_submit'"),
        (("warm-handoff-email-summary",), "Moodle true/false questions have no hints; the hints are left out"),
    ]
    pooled = dataclasses.replace(warm_handoff, settings=dataclasses.replace(
        warm_handoff.settings, attempts=2, time_limit=600, shuffle_items=True))
    assert "2 attempt(s), time limit 10 min, shuffled items" in build(pooled).warnings[0].message


def test_shuffle_follows_the_quiz(warm_handoff: Quiz) -> None:
    fixed = dataclasses.replace(warm_handoff, settings=dataclasses.replace(warm_handoff.settings,
                                                                           shuffle_choices=False))
    multichoice = [q for q in questions(build(fixed).data) if q.get("type") == "multichoice"]
    assert {text_of(q, "shuffleanswers") for q in multichoice} == {"false"}


def test_warns_when_the_file_is_more_xml_than_checkers_read(warm_handoff: Quiz, monkeypatch) -> None:
    monkeypatch.setattr("builder.formats.MAX_XML_BYTES", 5_000)
    output = build(warm_handoff)
    assert [w.message for w in output.warnings if "MB of XML" in w.message] == [
        f"{output.filename} is 0 MB of XML, more than the 0 MB that lmspack check and package validators read; "
        "split the quiz into smaller ones"]
