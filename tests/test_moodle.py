"""Moodle XML: the question bank Moodle's importer reads, item by item, with grades on Moodle's list."""

from __future__ import annotations

import base64
import dataclasses
import html
import itertools
import re
import shutil
from urllib.parse import unquote

import hypothesis
import hypothesis.strategies
import pytest
from lxml import etree
from markupsafe import Markup, escape

from builder import markup
from builder.cache import ItemKeys
from builder.checking import check_paths
from builder.formats import Output
from builder.formats.moodle import (
    MOODLE_GRADES,
    build,
    check,
    decimal,
    literal_pattern,
    moodle_grade,
    question_options,
    question_xml,
    snapped_grade,
    stored_names,
)
from builder.loading import load_quizzes
from builder.model import (
    Blank,
    Choice,
    ChoiceBlank,
    ChoiceInteraction,
    EssayInteraction,
    FillInBlanksInteraction,
    Item,
    MatchingInteraction,
    MediaFile,
    NumericAnswer,
    NumericBlank,
    NumericInteraction,
    OrderingInteraction,
    Pair,
    Quiz,
    ShortAnswerInteraction,
    TextAnswer,
    TextBlank,
)
from builder.rendering import check_xml, safe_parser
from builder.scoring import choice_fractions, format_number, score
from tests.conftest import ROOT, assert_golden

from projects import choice_quiz, make_project, with_interaction

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
    warm_handoff = choice_quiz(warm_handoff)
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
        warm_handoff.settings, feedback="after_submit", written=warm_handoff.settings.written | {"feedback"}))
    warnings = build(after_submit).warnings
    assert [(w.code, w.item_ids, w.message) for w in warnings] == [
        ("moodle-quiz-settings", (), "Moodle XML holds questions only, not the quiz's settings; set these on "
                                     "the Moodle quiz: pass mark 80%, feedback 'after_submit'"),
        ("moodle-true-false-hints", ("warm-handoff-email-summary",),
         "Moodle true/false questions have no hints; the hints are left out"),
    ]
    pooled = dataclasses.replace(warm_handoff, settings=dataclasses.replace(
        warm_handoff.settings, attempts=2, time_limit=600, shuffle_items=True))
    assert "2 attempt(s), time limit 10 min, shuffled items" in build(pooled).warnings[0].message


def test_only_the_settings_quiz_yaml_writes_are_warned(warm_handoff: Quiz) -> None:
    """The bundled quiz writes pass_mark but no feedback: its default timing is not named."""
    assert warm_handoff.settings.written == {"pass_mark", "shuffle_choices"}
    (settings,) = [w for w in build(warm_handoff).warnings if w.code == "moodle-quiz-settings"]
    assert settings.message.endswith("set these on the Moodle quiz: pass mark 80%")


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


# ---- short_answer, numeric and essay -------------------------------------------------------------

def by_idnumber(data: bytes) -> dict[str, etree._Element]:
    return {text_of(q, "idnumber"): q for q in questions(data)[1:]}


def typed_item(quiz: Quiz, item_id: str) -> Item:
    return next(item for item in quiz.items if item.id == item_id)


def moodle_shortanswer_matches(response: str, pattern: str, usecase: bool) -> bool:
    """qtype_shortanswer_question::compare_string_with_wildcard (Moodle 4.5), in Python: the
    pattern split on runs of unescaped '*' (each a wildcard), '\\*' read back as a literal '*', the
    learner's response trimmed and nothing else (no folding of inner whitespace)."""
    bits = re.split(r"(?<!\\)\*+", pattern)
    regexp = ".*".join(re.escape(bit.replace("\\*", "*")) for bit in bits)
    return re.fullmatch(regexp, response.strip(" \t\n\r\0\x0b"), 0 if usecase else re.IGNORECASE) is not None


def moodle_answer(question: etree._Element, response: str) -> etree._Element | None:
    """The answer Moodle's shortanswer or numerical grades a response by: the first that matches."""
    for answer in question.findall("answer"):
        pattern = text_of(answer, "text")
        if question.get("type") == "shortanswer":
            if moodle_shortanswer_matches(response, pattern, text_of(question, "usecase") == "1"):
                return answer
        elif pattern == "*":
            return answer
        else:
            value, tolerance = float(pattern), float(text_of(answer, "tolerance"))
            if value - tolerance <= float(response) <= value + tolerance:
                return answer
    return None


def assert_golden_quiz(quiz: Quiz) -> Output:
    """The quiz's Moodle file: as its golden file, the same bytes twice, valid against our schema."""
    output = build(quiz)
    assert output.filename == f"{quiz.identifier}-1.0.0-moodle.xml"
    assert_golden(f"moodle/{output.filename}", output.data)
    assert output.data == build(quiz).data
    check_xml(output.data, "moodle/moodle_quiz.xsd", "moodle")
    assert check(quiz) == []
    return output


def test_golden_every_type(kitchen_safety: Quiz) -> None:
    assert_golden_quiz(kitchen_safety)


def test_short_answer_field_by_field(kitchen_safety: Quiz) -> None:
    questions_by_id = by_idnumber(build(kitchen_safety).data)
    for item_id, usecase in (("cross-contamination", "0"), ("sodium-symbol", "1")):
        item = typed_item(kitchen_safety, item_id)
        interaction = item.interaction
        assert isinstance(interaction, ShortAnswerInteraction)
        q = questions_by_id[item_id]
        assert q.get("type") == "shortanswer"
        assert text_of(q, "usecase") == usecase
        assert text_of(q, "penalty") == "0.3333333"
        assert [text_of(h, "text") for h in q.findall("hint")] == [str(h) for h in item.hints]
        assert text_of(q, "generalfeedback/text") == (str(item.explanation) if item.explanation else "")
        *answers, other = q.findall("answer")
        assert [(text_of(a, "text"), text_of(a, "feedback/text")) for a in answers] == [
            (a.text, str(a.feedback) if a.feedback else "") for a in interaction.answers]
        for answer, written in zip(answers, interaction.answers, strict=True):
            assert answer.get("format") == "moodle_auto_format"
            assert float(answer.get("fraction")) / 100 in MOODLE_GRADES
            assert float(answer.get("fraction")) == written.credit  # 100, 50: on the list as written
        assert (other.get("fraction"), text_of(other, "text")) == ("0", "*")
        assert text_of(other, "feedback/text") == str(interaction.other_feedback)


def test_short_answers_moodle_and_lmspack_agree_on(kitchen_safety: Quiz) -> None:
    """Responses with a single space between words, as lmspack and Moodle grade them alike."""
    questions_by_id = by_idnumber(build(kitchen_safety).data)
    for item_id, responses in (("cross-contamination", ["cross-contamination", "Cross contamination ",
                                                       "CONTAMINATION", "cross", "contaminations", ""]),
                               ("sodium-symbol", ["Na", " Na", "na", "NA", "Sodium"])):
        item = typed_item(kitchen_safety, item_id)
        for response in responses:
            answer = moodle_answer(questions_by_id[item_id], response)
            moodle_points = item.points * float(answer.get("fraction")) / 100 if answer is not None else 0
            assert moodle_points == score(item, response), (item_id, response)


def test_numeric_field_by_field(kitchen_safety: Quiz) -> None:
    questions_by_id = by_idnumber(build(kitchen_safety).data)
    fridge, hands = questions_by_id["fridge-temperature"], questions_by_id["hand-washing-seconds"]
    # range [1, 5] -> 3 +- 2 and [0, 8] -> 4 +- 4 (credit 50); 20 +- 25 % -> 20 +- 5; 10 +- 5 (credit 25)
    assert [(a.get("fraction"), text_of(a, "text"), text_of(a, "tolerance")) for a in fridge.findall("answer")] == [
        ("100", "3", "2"), ("50", "4", "4"), ("0", "*", "0")]
    assert [(a.get("fraction"), text_of(a, "text"), text_of(a, "tolerance")) for a in hands.findall("answer")] == [
        ("100", "20", "5"), ("25", "10", "5"), ("0", "*", "0")]
    for q, unit in ((fridge, "°C"), (hands, "seconds")):
        assert q.get("type") == "numerical"
        assert [(text_of(u, "multiplier"), text_of(u, "unit_name")) for u in q.findall("units/unit")] == [("1", unit)]
        assert [text_of(q, name) for name in ("unitgradingtype", "showunits", "unitsleft")] == ["0", "0", "0"]
        assert text_of(q, "answer[last()]/feedback/text").startswith(("No. A fridge", "Hand-washing"))
    assert [text_of(h, "text") for h in hands.findall("hint")] == [
        str(h) for h in typed_item(kitchen_safety, "hand-washing-seconds").hints]
    for item_id in ("fridge-temperature", "hand-washing-seconds"):
        item = typed_item(kitchen_safety, item_id)
        for tenths in range(-20, 400, 5):
            response = str(tenths / 10)
            answer = moodle_answer(questions_by_id[item_id], response)
            assert item.points * float(answer.get("fraction")) / 100 == score(item, response), (item_id, response)


def test_numeric_tolerances(kitchen_safety: Quiz) -> None:
    base = typed_item(kitchen_safety, "hand-washing-seconds")
    answers = (NumericAnswer(-4.0, 12.5, True, None, 100, None),     # -4 +- 12.5 %: -4 +- 0.5
               NumericAnswer(None, 0.0, False, (0.1, 0.3), 100, None),
               NumericAnswer(1e-05, 0.0, False, None, 100, None),
               NumericAnswer(1e15, 1e15, False, None, 100, None))
    item = with_interaction(base, answers=answers, unit="", other_feedback=None)
    (q,) = questions(build(with_items(kitchen_safety, item)).data)[1:]
    assert [(text_of(a, "text"), text_of(a, "tolerance")) for a in q.findall("answer")] == [
        ("-4", "0.5"), ("0.2", "0.09999999999999999"), ("0.00001", "0"),
        ("1000000000000000", "1000000000000000")]
    assert q.find("units") is None and text_of(q, "showunits") == "0"
    assert decimal(-0.0) == "0" and decimal(2.5e-7) == "0.00000025" and decimal(123.0) == "123"


def test_essay_field_by_field(kitchen_safety: Quiz) -> None:
    item = typed_item(kitchen_safety, "near-miss-report")
    interaction = item.interaction
    assert isinstance(interaction, EssayInteraction)
    q = by_idnumber(build(kitchen_safety).data)["near-miss-report"]
    assert q.get("type") == "essay"
    assert q.findall("answer") == [] and q.findall("hint") == []
    assert text_of(q, "penalty") == "0"
    assert [text_of(q, name) for name in ("responseformat", "responserequired", "responsefieldlines", "minwordlimit",
                                          "maxwordlimit", "attachments", "attachmentsrequired", "maxbytes")] == [
        "editor", "1", "15", "30", "200", "0", "0", "0"]
    assert q.find("graderinfo").get("format") == "html"
    assert text_of(q, "graderinfo/text") == str(interaction.grader_notes)
    assert text_of(q, "responsetemplate/text") == "First, I would..."
    assert text_of(q, "generalfeedback/text") == str(item.explanation)


def test_essay_without_limits_and_with_a_plain_text_template(kitchen_safety: Quiz) -> None:
    base = typed_item(kitchen_safety, "near-miss-report")
    item = dataclasses.replace(with_interaction(base, min_words=None, max_words=None, grader_notes=None,
                                                response_template="a < b & c\nSecond line"),
                               hints=(block("A hint."),))
    output = build(with_items(kitchen_safety, item))
    (q,) = questions(output.data)[1:]
    assert q.find("minwordlimit") is None and q.find("maxwordlimit") is None
    assert text_of(q, "graderinfo/text") == ""
    assert text_of(q, "responsetemplate/text") == "a &lt; b &amp; c<br>\nSecond line"
    assert q.findall("hint") == []
    assert (("near-miss-report",), "Moodle essays have no hints; the hints are left out") in [
        (w.item_ids, w.message) for w in output.warnings]


def test_a_literal_star_stays_literal(kitchen_safety: Quiz) -> None:
    base = typed_item(kitchen_safety, "sodium-symbol")
    answers = (TextAnswer("5 * 3", 100, None), TextAnswer("a**b", 50, None), TextAnswer("x\\*y", 50, None),
               TextAnswer("two   words", 50, None))
    item = with_interaction(base, answers=answers, other_feedback=None)
    (q,) = questions(build(with_items(kitchen_safety, item)).data)[1:]
    patterns = [text_of(a, "text") for a in q.findall("answer")]
    assert patterns == ["5 \\* 3", "a\\*\\*b", "x\\\\*y", "two words"]  # no '*' answer without other_feedback
    assert literal_pattern("*") == "\\*"
    for response, matched in (("5 * 3", "5 \\* 3"), ("5 and 3", None), ("a**b", "a\\*\\*b"), ("ab", None),
                              ("x\\*y", "x\\\\*y"), ("x*y", None), ("two words", "two words")):
        answer = moodle_answer(q, response)
        assert (text_of(answer, "text") if answer is not None else None) == matched, response
        assert (answer is not None) == (score(item, response) > 0), response


def test_credit_snaps_to_the_grade_list() -> None:
    assert [snapped_grade(c) for c in (100, 50, 33, 33.33333, 34, 45, 96, 1, 2.5, 16, 14)] == [
        1.0, 0.5, 0.3333333, 0.3333333, 0.3333333, 0.5, 1.0, 0.05, 0.05, 0.1666667, 0.1428571]


def test_a_credit_moved_by_the_grade_list_is_a_warning(kitchen_safety: Quiz) -> None:
    short, numeric = typed_item(kitchen_safety, "cross-contamination"), typed_item(kitchen_safety, "fridge-temperature")
    assert isinstance(short.interaction, ShortAnswerInteraction)
    assert isinstance(numeric.interaction, NumericInteraction)
    credits = (100, 33, 45, 45)
    short = with_interaction(short, answers=tuple(TextAnswer(f"answer {n}", credit, None)
                                                   for n, credit in enumerate(credits)))
    numeric = with_interaction(numeric, answers=(NumericAnswer(5, 0, False, None, 45, None),
                                                 NumericAnswer(6, 0, False, None, 97, None)))
    output = build(with_items(kitchen_safety, short, numeric))
    q_short, q_numeric = questions(output.data)[1:]
    assert [a.get("fraction") for a in q_short.findall("answer")] == ["100", "33.33333", "50", "50", "0"]
    assert [a.get("fraction") for a in q_numeric.findall("answer")] == ["50", "100", "0"]
    snapped = [(w.item_ids, w.message) for w in output.warnings if "fixed list" in w.message]
    assert snapped == [
        (("cross-contamination", "fridge-temperature"),
         "Moodle's answer grades are a fixed list: credit 45% is stored as 50%"),
        (("fridge-temperature",), "Moodle's answer grades are a fixed list: credit 97% is stored as 100%"),
    ]


def test_typed_warnings(kitchen_safety: Quiz) -> None:
    assert [(w.item_ids, w.message) for w in build(kitchen_safety).warnings][1:] == [
        (("fridge-temperature", "hand-washing-seconds"),
         "Moodle does not show a numerical question's unit beside the answer box (the learner may type it or "
         "leave it out); name the unit in the prompt"),
    ]


def test_typed_text_arrives_as_written(kitchen_safety: Quiz) -> None:
    """Plain fields (an answer, a unit, a template) escaped once for XML, HTML ones kept as HTML."""
    short = with_interaction(typed_item(kitchen_safety, "cross-contamination"),
                             answers=(TextAnswer(SPECIAL, 100, inline(SPECIAL)),), other_feedback=inline(SPECIAL))
    numeric = with_interaction(typed_item(kitchen_safety, "fridge-temperature"), unit=SPECIAL)
    essay = with_interaction(typed_item(kitchen_safety, "near-miss-report"), response_template=SPECIAL,
                             grader_notes=block(SPECIAL))
    data = build(with_items(kitchen_safety, short, numeric, essay)).data
    assert b"CDATA" not in data
    q_short, q_numeric, q_essay = questions(data)[1:]
    html = "Don't \"quote\" &amp; a &lt; b ]]&gt; café مرحبا 🙂"
    assert [text_of(a, "text") for a in q_short.findall("answer")] == [SPECIAL, "*"]
    assert [text_of(a, "feedback/text") for a in q_short.findall("answer")] == [html, html]
    assert text_of(q_numeric, "units/unit/unit_name") == SPECIAL
    assert text_of(q_essay, "responsetemplate/text") == html.replace("'", "&#39;").replace('"', "&#34;")
    assert text_of(q_essay, "graderinfo/text") == f"<p>{html}</p>"


# ---- matching, ordering and fill_in_blanks -------------------------------------------------------

def test_golden_new_types(kitchen_tasks: Quiz) -> None:
    assert_golden_quiz(kitchen_tasks)


def test_matching_field_by_field(kitchen_tasks: Quiz) -> None:
    item = typed_item(kitchen_tasks, "storage-places")
    interaction = item.interaction
    assert isinstance(interaction, MatchingInteraction)
    q = by_idnumber(build(kitchen_tasks).data)["storage-places"]
    assert q.get("type") == "matching"
    assert text_of(q, "defaultgrade") == "3" and text_of(q, "penalty") == "0.3333333"
    assert text_of(q, "shuffleanswers") == "false"  # the quiz does not shuffle choices
    assert [text_of(q, f"{name}/text") for name in ("correctfeedback", "partiallycorrectfeedback",
                                                     "incorrectfeedback")] == [
        "<p>Your answer is correct.</p>", "<p>Your answer is partially correct.</p>",
        "<p>Your answer is incorrect.</p>"]
    assert q.find("shownumcorrect") is not None and q.findall("answer") == []
    subquestions = q.findall("subquestion")
    assert {s.get("format") for s in subquestions} == {"html"}
    assert [(text_of(s, "text"), text_of(s, "answer/text")) for s in subquestions] == [
        ("Raw chicken", "The bottom shelf of the fridge"), ("Frozen peas", "The freezer"),
        ("Dry pasta", "A sealed tub in the cupboard"), ("", "The windowsill")]  # the distractor: no text
    assert [text_of(h, "text") for h in q.findall("hint")] == [str(h) for h in item.hints]
    assert text_of(q, "generalfeedback/text") == str(item.explanation)
    shuffled = dataclasses.replace(kitchen_tasks, settings=dataclasses.replace(kitchen_tasks.settings,
                                                                               shuffle_choices=True))
    assert text_of(by_idnumber(build(shuffled).data)["storage-places"], "shuffleanswers") == "true"


def test_matching_moodle_and_lmspack_agree_per_pair(kitchen_tasks: Quiz) -> None:
    """Moodle's match gives each subquestion with text its share: the same as per_pair scoring."""
    item = typed_item(kitchen_tasks, "storage-places")
    assert isinstance(item.interaction, MatchingInteraction)
    q = by_idnumber(build(kitchen_tasks).data)["storage-places"]
    stems = [s for s in q.findall("subquestion") if text_of(s, "text")]
    answers = [text_of(s, "answer/text") for s in q.findall("subquestion")]
    ids = dict(zip(answers, (identifier for identifier, _ in item.interaction.options), strict=True))
    for chosen in (answers[:3], answers[1:4], [answers[0], answers[3], answers[2]], [answers[3]] * 3):
        moodle = sum(text_of(stem, "answer/text") == pick for stem, pick in zip(stems, chosen, strict=True)) / 3
        response = {left: ids[pick] for left, pick in zip(item.interaction.left_ids, chosen, strict=True)}
        assert moodle * item.points == pytest.approx(score(item, response)), chosen


def test_matching_warnings_and_plain_options(kitchen_tasks: Quiz) -> None:
    base = typed_item(kitchen_tasks, "storage-places")
    item = with_interaction(base, scoring="all_or_nothing",
                            pairs=(Pair(inline("*Raw* chicken"), inline(SPECIAL)),
                                   Pair(inline("Peas"), inline("The *freezer*"))),
                            distractors=(inline("salt & pepper"),))
    output = build(with_items(kitchen_tasks, item))
    (q,) = questions(output.data)[1:]
    assert [(text_of(s, "text"), text_of(s, "answer/text")) for s in q.findall("subquestion")] == [
        ("<em>Raw</em> chicken", "Don't \"quote\" &amp; a &lt; b ]]&gt; café مرحبا 🙂"),
        ("Peas", "The freezer"), ("", "salt &amp; pepper")]
    assert [(w.item_ids, w.message) for w in output.warnings][1:] == [
        (("storage-places",), "Moodle's matching questions give each right pair its share of the mark and have no "
                              "all-or-nothing scoring; these are scored per pair"),
        (("storage-places",), "Moodle shows a matching question's options (right sides and distractors) as plain "
                              "text; their formatting is left out")]


def test_ordering_field_by_field(kitchen_tasks: Quiz) -> None:
    questions_by_id = by_idnumber(build(kitchen_tasks).data)
    for item_id, grading, partly in (("closing-steps", "ABSOLUTE_POSITION", "partially correct"),
                                     ("washing-order", "ALL_OR_NOTHING", "not fully correct")):
        item = typed_item(kitchen_tasks, item_id)
        interaction = item.interaction
        assert isinstance(interaction, OrderingInteraction)
        q = questions_by_id[item_id]
        assert q.get("type") == "ordering"
        assert float(text_of(q, "defaultgrade")) == item.points
        assert [text_of(q, name) for name in ("layouttype", "selecttype", "selectcount", "gradingtype",
                                              "showgrading", "numberingstyle", "shownumcorrect")] == [
            "VERTICAL", "ALL", str(len(interaction.steps)), grading, "SHOW", "none", "1"]
        assert text_of(q, "partiallycorrectfeedback/text") == f"<p>Your answer is {partly}.</p>"
        answers = q.findall("answer")
        # In the right order: Moodle takes each position from it (the fraction is ignored).
        assert [(a.get("fraction"), a.get("format"), text_of(a, "text")) for a in answers] == [
            (str(n), "html", str(step)) for n, step in enumerate(interaction.steps, start=1)]
        assert all(a.find("feedback") is None for a in answers)
        assert [text_of(h, "text") for h in q.findall("hint")] == [str(h) for h in item.hints]
    third = text_of(questions_by_id["closing-steps"], "answer[3]/text")
    assert third == "Wipe the counters with <em>hot, soapy</em> water"  # a step keeps its formatting


# Moodle 4.5's qtype_multianswer_extract_question (question/type/multianswer/questiontype.php) in
# Python: its regular expressions (PCRE's variable-width look-behind (?<!\\|&|&amp;) as three
# look-behinds), then each answer decoded with html_entity_decode and \} and \# undone.
CLOZE_TYPES = ("NUMERICAL|NM|MULTICHOICE|MC|MULTICHOICE_V|MCV|MULTICHOICE_H|MCH|SHORTANSWER|SA|MW|SHORTANSWER_C|SAC|"
               "MWC|MULTICHOICE_S|MCS|MULTICHOICE_VS|MCVS|MULTICHOICE_HS|MCHS|MULTIRESPONSE|MR|MULTIRESPONSE_H|MRH|"
               "MULTIRESPONSE_S|MRS|MULTIRESPONSE_HS|MRHS")
CLOZE_FRACTION = r"=|%(?:-?[0-9]+(?:[.,][0-9]*)?)%"
CLOZE_ANSWER = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"
CLOZE_FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
CLOZE_ALTERNATIVE = f"(?:{CLOZE_FRACTION})?(?:{CLOZE_ANSWER})(?:#(?:{CLOZE_FEEDBACK}))?"
CLOZE_CODE = re.compile(rf"\{{(?P<weight>[0-9]*):(?P<type>{CLOZE_TYPES}):"
                        rf"(?P<alternatives>{CLOZE_ALTERNATIVE}(?:~{CLOZE_ALTERNATIVE})*)\}}", re.S)
ONE_ALTERNATIVE = re.compile(rf"~?(?P<fraction>{CLOZE_FRACTION})?(?P<answer>{CLOZE_ANSWER})"
                             rf"(?:#(?P<feedback>{CLOZE_FEEDBACK}))?", re.S)
NUMBER = r"-?(?:(?:[0-9]+[.,]?[0-9]*|[.,][0-9]+)(?:[eE][-+]?[0-9]+)?)"
NUMERICAL_ALTERNATIVE = re.compile(rf"^(?P<value>{NUMBER})(?::(?P<tolerance>{NUMBER}))?$", re.S)


def moodle_cloze(text: str) -> tuple[str, list[tuple[int, str, list[tuple[bool, str]]]]]:
    """What Moodle makes of a cloze question text: the text with each code as {#n}, and each
    subquestion's (weight, type, [(right, answer)])."""
    subquestions = []
    while (code := CLOZE_CODE.search(text)) is not None:
        remaining, answers = code.group("alternatives"), []
        while (alternative := ONE_ALTERNATIVE.search(remaining)) is not None:
            answer = alternative.group("answer")
            number = NUMERICAL_ALTERNATIVE.search(answer) if code.group("type") == "NUMERICAL" else None
            if number is not None:
                answer = f"{number.group('value')}:{number.group('tolerance') or 0}"
            else:
                answer = html.unescape(answer).replace("\\}", "}").replace("\\#", "#")
            answers.append((alternative.group("fraction") == "=", answer))
            remaining = remaining.split(alternative.group(0), 1)[1]
        subquestions.append((int(code.group("weight") or 1), code.group("type"), answers))
        text = text.replace(code.group(0), f"{{#{len(subquestions)}}}", 1)
    return text, subquestions


def test_cloze_field_by_field(kitchen_tasks: Quiz) -> None:
    questions_by_id = by_idnumber(build(kitchen_tasks).data)
    q = questions_by_id["cleaning-blanks"]
    item = typed_item(kitchen_tasks, "cleaning-blanks")
    assert q.get("type") == "cloze"
    assert q.find("defaultgrade") is None  # Moodle ignores it: the mark is the sum of the weights
    assert text_of(q, "penalty") == "0.3333333" and q.findall("answer") == []
    assert text_of(q, "generalfeedback/text") == str(item.explanation)
    text, subquestions = moodle_cloze(text_of(q, "questiontext/text"))
    assert text == ("<p>After cutting raw meat, wash the board in hot, {#1} water, rinse it, and leave it to dry for "
                    "at least {#2} minutes. Use the {#3} board for raw meat next time.</p>")
    assert subquestions == [(1, "SHORTANSWER", [(True, "soapy"), (True, "sudsy")]),
                            (1, "NUMERICAL", [(True, "20:10")]),  # range [10, 30]: its midpoint, half its width
                            (1, "MULTICHOICE", [(True, "red"), (False, "green"), (False, "blue")])]
    assert sum(weight for weight, _, _ in subquestions) == item.points
    choices = questions_by_id["choice-blanks"]
    assert moodle_cloze(text_of(choices, "questiontext/text"))[1] == [
        (1, "MULTICHOICE", [(True, "pan"), (False, "paper"), (False, "electrical")]),
        (1, "MULTICHOICE", [(True, "water"), (False, "a blanket"), (False, "a lid")])]


def blanks_item(quiz: Quiz, *blanks: Blank, points: float = 1, prompt: str = "") -> Item:
    base = typed_item(quiz, "cleaning-blanks")
    text = prompt + " ".join(f"[[{blank.name}]]" for blank in blanks)
    return dataclasses.replace(base, interaction=FillInBlanksInteraction(blanks), points=points,
                               prompt=Markup(f"<p>{escape(text)}</p>"), hints=(block("A hint."),))


def cloze_of(quiz: Quiz, item: Item) -> tuple[str, list[tuple[int, str, list[tuple[bool, str]]]]]:
    (q,) = questions(build(with_items(quiz, item)).data)[1:]
    return moodle_cloze(text_of(q, "questiontext/text"))


NASTY = ["}", "#", "~", "\\", "\\}", "\\#", "a\\", "=x", "==", "%50%x", "%", "&", "R&", "&amp;", "&#35;", "&~",
         "{1:SHORTANSWER:=x}", "{#1}", '"/"', "<b>bold</b>", "a < b", "x = y", "50%", "a~b#c}d", SPECIAL]


def test_cloze_answers_arrive_as_written(kitchen_tasks: Quiz) -> None:
    """Every special character of Moodle's cloze syntax, read back by Moodle's own parser."""
    typed = TextBlank("typed", tuple(NASTY), False)
    sensitive = TextBlank("sensitive", ("Na", "x}y"), True)
    dropdown = ChoiceBlank("dropdown", tuple(NASTY), 3)
    text, subquestions = cloze_of(kitchen_tasks, blanks_item(kitchen_tasks, typed, sensitive, dropdown, points=3))
    assert text == "<p>{#1} {#2} {#3}</p>"
    (_, kind, answers), (_, kind_c, answers_c), (_, kind_mc, options) = subquestions
    assert (kind, kind_c, kind_mc) == ("SHORTANSWER", "SHORTANSWER_C", "MULTICHOICE")
    assert answers == [(True, literal_pattern(answer)) for answer in NASTY]  # '*' stays a literal \*
    assert answers_c == [(True, "Na"), (True, "x}y")]
    # A drop-down's option is HTML in Moodle: the text as written, escaped as HTML.
    assert [(right, html.unescape(option)) for right, option in options] == [
        (n == 3, option) for n, option in enumerate(NASTY)]
    assert options[NASTY.index("<b>bold</b>")] == (False, "&lt;b&gt;bold&lt;/b&gt;")


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(hypothesis.strategies.lists(
    hypothesis.strategies.text(hypothesis.strategies.sampled_from("}#~\\=%&;{}<>\"'/*: a1#"), min_size=1, max_size=8)
    .map(str.strip).filter(bool), min_size=2, max_size=4, unique=True))
def test_any_answer_round_trips_through_moodles_parser(kitchen_tasks: Quiz, texts: list[str]) -> None:
    typed = TextBlank("typed", tuple(texts), True)
    dropdown = ChoiceBlank("dropdown", tuple(texts), len(texts) - 1)
    _, subquestions = cloze_of(kitchen_tasks, blanks_item(kitchen_tasks, typed, dropdown, points=2))
    assert subquestions[0][2] == [(True, literal_pattern(text)) for text in texts]
    assert [(right, html.unescape(option)) for right, option in subquestions[1][2]] == [
        (n == len(texts) - 1, text) for n, text in enumerate(texts)]


def test_cloze_prompt_text_never_reads_as_a_code(kitchen_tasks: Quiz) -> None:
    blank = TextBlank("word", ("x",), False)
    text, subquestions = cloze_of(kitchen_tasks, blanks_item(kitchen_tasks, blank,
                                                             prompt="Not a blank: {1:SHORTANSWER:=y} or {#1}. "))
    assert len(subquestions) == 1
    assert text == "<p>Not a blank: &#123;1:SHORTANSWER:=y} or &#123;#1}. {#1}</p>"
    assert html.unescape(text.replace("{#1}</p>", "")) == "<p>Not a blank: {1:SHORTANSWER:=y} or {#1}. "


def test_cloze_numbers(kitchen_tasks: Quiz) -> None:
    numbers = (NumericBlank("a", NumericAnswer(-4.0, 12.5, True, None, 100, None)),
               NumericBlank("b", NumericAnswer(None, 0.0, False, (5.0, 10.0), 100, None)),
               NumericBlank("c", NumericAnswer(1e-05, 0.0, False, None, 100, None)),
               NumericBlank("d", NumericAnswer(3.0, 0.5, False, None, 100, None)))
    _, subquestions = cloze_of(kitchen_tasks, blanks_item(kitchen_tasks, *numbers, points=4))
    assert subquestions == [(1, "NUMERICAL", [(True, "-4:0.5")]), (1, "NUMERICAL", [(True, "7.5:2.5")]),
                            (1, "NUMERICAL", [(True, "0.00001:0")]), (1, "NUMERICAL", [(True, "3:0.5")])]


@pytest.mark.parametrize(("points", "blanks", "weight"), [
    (3, 3, 1), (6, 3, 2), (1, 1, 1), (10, 2, 5), (1, 2, 1), (1, 3, 1), (5, 2, 3), (10, 3, 3), (0.5, 1, 1)])
def test_cloze_weights(kitchen_tasks: Quiz, points: float, blanks: int, weight: int) -> None:
    """One whole weight for every blank (each keeps its equal share): points / blanks when whole,
    else the nearest whole number, and a warning names the items Moodle marks out of another mark."""
    item = blanks_item(kitchen_tasks, *(TextBlank(f"b{n}", ("x",), False) for n in range(blanks)), points=points)
    output = build(with_items(kitchen_tasks, item))
    (q,) = questions(output.data)[1:]
    assert {w for w, _, _ in moodle_cloze(text_of(q, "questiontext/text"))[1]} == {weight}
    moved = [(w.item_ids, w.message) for w in output.warnings if "cloze" in w.message]
    if weight * blanks == points:
        assert moved == []
    else:
        assert moved == [(("cleaning-blanks",), "Moodle marks a cloze question out of its blanks' whole-number "
                          f"weights: {blanks} blank{'s' if blanks > 1 else ''} worth {format_number(points)} "
                          f"point{'s' if points != 1 else ''} are marked out of {weight * blanks}, each blank "
                          "keeping its equal share; set the question's mark in the Moodle quiz")]


def test_cloze_keeps_hints_and_warns_of_the_fire_blankets(kitchen_tasks: Quiz) -> None:
    item = blanks_item(kitchen_tasks, TextBlank("w", ("x",), False))
    (q,) = questions(build(with_items(kitchen_tasks, item)).data)[1:]
    assert [text_of(h, "text") for h in q.findall("hint")] == ["<p>A hint.</p>"]
    assert [(w.item_ids, w.message) for w in build(kitchen_tasks).warnings][1:] == [
        (("choice-blanks",), "Moodle marks a cloze question out of its blanks' whole-number weights: 2 blanks worth "
                             "1 point are marked out of 2, each blank keeping its equal share; set the question's "
                             "mark in the Moodle quiz")]


def test_cloze_moodle_and_lmspack_agree(kitchen_tasks: Quiz) -> None:
    """Moodle's mark (the weights of the right blanks, out of their sum) against builder.scoring."""
    item = typed_item(kitchen_tasks, "cleaning-blanks")
    assert isinstance(item.interaction, FillInBlanksInteraction)
    _, subquestions = moodle_cloze(text_of(by_idnumber(build(kitchen_tasks).data)["cleaning-blanks"],
                                           "questiontext/text"))
    names = [blank.name for blank in item.interaction.blanks]
    for typed, number, colour in (("soapy", "20", "red"), ("Sudsy", "10", "green"), ("hot", "30.5", "red"),
                                  ("SOAPY ", "9.9", "blue"), ("", "30", "red")):
        right = []
        for (_, kind, answers), response in zip(subquestions, (typed, number, colour), strict=True):
            if kind == "SHORTANSWER":
                right.append(any(moodle_shortanswer_matches(response, a, False) for _, a in answers))
            elif kind == "NUMERICAL":
                value, tolerance = (float(part) for part in answers[0][1].split(":"))
                right.append(value - tolerance <= float(response) <= value + tolerance)
            else:
                right.append(any(ok and html.unescape(option) == response for ok, option in answers))
        moodle = sum(weight for (weight, _, _), ok in zip(subquestions, right, strict=True) if ok)
        response = dict(zip(names, (typed, number, colour), strict=True))
        assert moodle / sum(w for w, _, _ in subquestions) * item.points == pytest.approx(score(item, response))


def test_ordering_moodle_and_lmspack_agree(kitchen_tasks: Quiz) -> None:
    """Moodle's ABSOLUTE_POSITION (each step where the answers' order puts it earns its share) and
    ALL_OR_NOTHING, against builder.scoring, for every order of four steps."""
    questions_by_id = by_idnumber(build(kitchen_tasks).data)
    for item_id in ("closing-steps", "washing-order"):
        item = typed_item(kitchen_tasks, item_id)
        assert isinstance(item.interaction, OrderingInteraction)
        q = questions_by_id[item_id]
        positions = {text_of(a, "text"): n for n, a in enumerate(q.findall("answer"))}
        steps = dict(zip(item.interaction.step_ids, (str(step) for step in item.interaction.steps), strict=True))
        for order in itertools.permutations(item.interaction.step_ids):
            right = sum(positions[steps[step]] == n for n, step in enumerate(order))
            if text_of(q, "gradingtype") == "ABSOLUTE_POSITION":
                moodle = right / len(order)
            else:
                moodle = float(right == len(order))
            assert moodle * item.points == pytest.approx(score(item, list(order))), order


def test_a_matching_option_without_text_is_refused(kitchen_tasks: Quiz) -> None:
    """Moodle's match options are plain text: an image alone would leave an empty option."""
    base = typed_item(kitchen_tasks, "storage-places")
    item = with_interaction(base, distractors=(inline("![a window sill](https://example.com/sill.png)"),))
    (problem,) = check(with_items(kitchen_tasks, item))
    assert (problem.line, problem.message) == (
        base.place.line, "cannot build for Moodle: distractor 1 has no text once its formatting is removed, and "
                         "Moodle shows a matching item's options as plain text; give it words")


# ---- media, math and tables ----------------------------------------------------------------------

KITCHEN_MEDIA = ROOT / "tests" / "quizzes" / "kitchen-media"
# The elements whose <text> Moodle reads as plain text (and answers not in format html: true/false,
# typed answers, a matching right side): never with files.
PLAIN_TEXT = {"name", "category", "tag"}


def files_of(element: etree._Element) -> list[tuple[str, str, bytes]]:
    """The <file>s beside an element's <text>: (path, name, decoded bytes), in order."""
    found = []
    for file in element.findall("file"):
        assert file.get("encoding") == "base64" and "\n" not in (file.text or "")  # one line, as Moodle exports
        found.append((file.get("path"), file.get("name"), base64.b64decode(file.text or "", validate=True)))
    return found


def plugin_files(element: etree._Element) -> set[str]:
    """The files an element's text names, as paths in its file area ('media/fridge shelf.jpg')."""
    return {unquote(found) for found in re.findall(r'@@PLUGINFILE@@/([^"]*)"', text_of(element, "text"))}


def shown_names(quiz: Quiz, fragment: Markup | None) -> list[str]:
    return [file.name for file in quiz.media_of([str(fragment or "")])]


def test_golden_media(kitchen_media: Quiz, tmp_path) -> None:
    output = assert_golden_quiz(kitchen_media)
    (tmp_path / output.filename).write_bytes(output.data)
    (report,) = check_paths([tmp_path / output.filename]).packages  # lmspack check: every file is there
    assert (report.kind, report.problems) == ("moodle", [])
    assert b"<math" not in output.data and b"media/media/" not in output.data
    assert [(w.item_ids, w.message) for w in output.warnings][1:] == [
        (("dilution-formula",), "Moodle does not show a numerical question's unit beside the answer box (the "
                                "learner may type it or leave it out); name the unit in the prompt")]


def test_each_field_carries_exactly_the_files_it_shows(kitchen_media: Quiz) -> None:
    """Every text that names @@PLUGINFILE@@/x has x as a <file> beside it, once, in the quiz's order,
    decoding to the file's bytes; and nothing else. Plain-text elements carry none."""
    content = {file.name: file.content for file in kitchen_media.media}
    order = [file.name for file in kitchen_media.media]
    root = etree.fromstring(build(kitchen_media).data, safe_parser())
    fields = 0
    for element in root.iter():
        if element.find("text") is None:
            assert element.find("file") is None, element.tag
            continue
        files = files_of(element)
        if element.tag in PLAIN_TEXT or (element.tag == "answer" and element.get("format") != "html"):
            assert files == [] and "@@PLUGINFILE@@" not in text_of(element, "text"), element.tag
            continue
        names = [path[1:] + name for path, name, _ in files]
        assert set(names) == plugin_files(element), element.tag
        assert names == sorted(names, key=order.index)  # each once, in the quiz's order
        assert all(data == content[name] for name, (_, _, data) in zip(names, files, strict=True))
        fields += bool(files)
    assert fields == 9  # fridge-picture 5 (prompt, explanation, hint, a choice and its feedback), 2 + 2


def test_a_field_carries_the_files_its_model_text_shows(kitchen_media: Quiz) -> None:
    """Field by field against the model (Quiz.media_of): a file shown in two fields is in both."""
    item = typed_item(kitchen_media, "fridge-picture")
    interaction = item.interaction
    assert isinstance(interaction, ChoiceInteraction)
    by_id = by_idnumber(build(kitchen_media).data)
    q = by_id["fridge-picture"]
    right, wrong = q.findall("answer")
    pairs = [(q.find("questiontext"), item.prompt), (q.find("generalfeedback"), item.explanation),
             (q.find("hint"), item.hints[0]), (right, interaction.choices[0].text),
             (right.find("feedback"), interaction.choices[0].feedback), (wrong, interaction.choices[1].text),
             (wrong.find("feedback"), interaction.choices[1].feedback)]
    for element, fragment in pairs:
        assert [path[1:] + name for path, name, _ in files_of(element)] == shown_names(kitchen_media, fragment)
    thermometer = ("/media/", "thermometer.png")
    assert thermometer in [(p, n) for p, n, _ in files_of(q.find("questiontext"))]
    assert thermometer in [(p, n) for p, n, _ in files_of(right.find("feedback"))]
    assert thermometer in [(p, n) for p, n, _ in files_of(by_id["shelf-matching"].find("questiontext"))]
    assert [(p, n) for p, n, _ in files_of(q.find("questiontext"))] == [("/media/", "fridge shelf.jpg"), thermometer]


def test_media_as_moodle_shows_it(kitchen_media: Quiz) -> None:
    """Images from @@PLUGINFILE@@ with the path URL-quoted (Moodle's editor does the same); audio and
    video as HTML5 players, which Moodle's media filters turn into its own."""
    by_id = by_idnumber(build(kitchen_media).data)
    picture = text_of(by_id["fridge-picture"], "questiontext/text")
    assert '<img src="@@PLUGINFILE@@/media/fridge%20shelf.jpg" alt="yellow fridge shelf"/>' in picture
    assert '"@@PLUGINFILE@@/media/%C3%A9nergie.webp"' in text_of(by_id["fridge-picture"], "hint/text")
    sound = text_of(by_id["alarm-sound"], "questiontext/text")
    assert ('<audio controls="controls" src="@@PLUGINFILE@@/media/bell.mp3" aria-label="A short beep at one pitch, '
            'one second long">A short beep at one pitch, one second long</audio>') in sound
    assert '<video controls="controls" src="@@PLUGINFILE@@/media/handwashing.webm"' in sound
    assert "<object" not in sound
    assert files_of(by_id["alarm-sound"].find("generalfeedback"))[0][:2] == ("/media/", "knife.mp4")


def test_math_as_tex_for_mathjax(kitchen_media: Quiz) -> None:
    """Formulas as their TeX, as written, between \\( \\) and \\[ \\] (Moodle's MathJax filter);
    escaped only as HTML (and then XML) needs."""
    by_id = by_idnumber(build(kitchen_media).data)
    dilution = by_id["dilution-formula"]
    prompt = text_of(dilution, "questiontext/text")
    assert "\\(c = \\frac{m}{V}\\)" in prompt and "\\[c \\geq 4 \\text{ and } c \\leq 6\\]" in prompt
    assert "<code>$x$</code>" in prompt and "written $ stays one" in prompt
    assert text_of(dilution, "answer/feedback/text") == "Right, \\(\\frac{50}{10} = 5\\)."
    assert text_of(dilution, "generalfeedback/text").startswith("<p>\\(c = m / V = 50 / 10 = 5\\) g/L")
    assert text_of(by_id["shelf-matching"], "subquestion[2]/text") == "Dairy \\(\\leq 5\\) °C"
    item = dataclasses.replace(typed_item(kitchen_media, "dilution-formula"), prompt=block("So $a < b$ & $$x>1$$"))
    (q,) = questions(build(with_items(kitchen_media, item)).data)[1:]
    assert text_of(q, "questiontext/text") == "<p>So \\(a &lt; b\\) &amp; \\[x&gt;1\\]</p>"


def test_tables_keep_their_markup(kitchen_media: Quiz) -> None:
    q = by_idnumber(build(kitchen_media).data)["temperature-table"]
    pipe = text_of(q, "questiontext/text")
    assert ('<th style="text-align: left;">Place</th><th style="text-align: right;">Reading</th>'
            '<th style="text-align: center;">Safe?</th>') in pipe
    pasted = text_of(q, "generalfeedback/text")
    assert pasted.startswith("<table><caption>Safe storage, pasted from the policy</caption><thead><tr>"
                             '<th scope="col">Place</th><th scope="col" style="text-align: right;">Limit</th>')
    assert '<th scope="row">Hot holding</th><td style="text-align: right;">63 °C or more</td>' in pasted
    assert '<td colspan="2">Check every reading twice a day.</td>' in pasted
    assert "class=" not in pipe + pasted


def test_plain_text_options_warn_of_media_math_and_formatting(kitchen_media: Quiz) -> None:
    """A matching option is plain text in a drop-down: its image cannot be shown (nor carried),
    its formula shows as TeX; each loss is a warning naming the item."""
    base = typed_item(kitchen_media, "shelf-matching")
    assert isinstance(base.interaction, MatchingInteraction)
    pairs = (Pair(base.interaction.pairs[0].left, inline("Bottom ![the bottom shelf](media/thermometer.png)")),
             Pair(inline("Dairy"), inline("$\\leq 5$ °C")),
             Pair(inline("Bell"), inline("Shelf ![a bell](media/bell.mp3)")))
    item = with_interaction(base, pairs=pairs, distractors=(inline("*Door*"),))
    output = build(with_items(kitchen_media, item))
    (q,) = questions(output.data)[1:]
    subquestions = q.findall("subquestion")
    assert [text_of(s, "answer/text") for s in subquestions] == [
        "Bottom", "\\(\\leq 5\\) °C", "Shelf a bell", "Door"]
    assert [[n for _, n, _ in files_of(s)] for s in subquestions] == [["glove.gif"], [], [], []]  # left sides only
    assert [(w.item_ids, w.message) for w in output.warnings][1:] == [
        (("shelf-matching",), "Moodle shows a matching question's options (right sides and distractors) as plain "
                              "text in a drop-down: their images are left out, and their audio and video leave only "
                              "their text alternatives"),
        (("shelf-matching",), "Moodle shows a matching question's options (right sides and distractors) as plain "
                              "text in a drop-down, where its MathJax filter does not reach: their formulas show as "
                              "TeX source, \\(...\\)"),
        (("shelf-matching",), "Moodle shows a matching question's options (right sides and distractors) as plain "
                              "text; their formatting is left out")]


def test_true_false_choice_texts_with_media_are_warned(kitchen_media: Quiz) -> None:
    """Moodle's true/false answers are the plain words: an image in a choice text is left out, warned."""
    base = typed_item(kitchen_media, "alarm-sound")
    assert isinstance(base.interaction, ChoiceInteraction)
    true, false = base.interaction.choices
    item = with_interaction(base, choices=(dataclasses.replace(true, text=inline("True ![a glove](media/glove.gif)")),
                                           false))
    output = build(with_items(kitchen_media, item))
    (q,) = questions(output.data)[1:]
    assert [(text_of(a, "text"), files_of(a)) for a in q.findall("answer")] == [("true", []), ("false", [])]
    assert (("alarm-sound",), "Moodle shows its own 'True'/'False' labels instead of the choice texts") in [
        (w.item_ids, w.message) for w in output.warnings]


def media_project(tmp_path, items: dict[str, str], names: tuple[str, ...] = ("thermometer.png",),
                  copies: dict[str, str] | None = None) -> Quiz:
    """A quiz of ``items`` beside files of kitchen-media's media folder (``copies``: under other names)."""
    quiz_dir = make_project(tmp_path, items)
    (quiz_dir / "media").mkdir()
    for name in names:
        shutil.copyfile(KITCHEN_MEDIA / "media" / name, quiz_dir / "media" / name)
    for name, source in (copies or {}).items():
        shutil.copyfile(KITCHEN_MEDIA / "media" / source, quiz_dir / "media" / name)
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    return quiz


CLOZE_WITH_IMAGE = """\
id: blanks
type: fill_in_blanks
prompt: |
  ![A thermometer at 4 degrees](media/thermometer.png)

  The fridge reads [[reading]] °C, which is $\\frac{1}{2}$ of [[limit]].
blanks:
  reading: {answers: ["4"]}
  limit: {options: [eight, ten], correct: eight}
hints:
  - Read the ![thermometer](media/thermometer.png) again.
"""


def test_a_cloze_prompt_keeps_its_files(tmp_path) -> None:
    quiz = media_project(tmp_path, {"blanks.yaml": CLOZE_WITH_IMAGE})
    output = build(quiz)
    check_xml(output.data, "moodle/moodle_quiz.xsd", "moodle")
    (q,) = questions(output.data)[1:]
    thermometer = (KITCHEN_MEDIA / "media" / "thermometer.png").read_bytes()
    assert files_of(q.find("questiontext")) == [("/media/", "thermometer.png", thermometer)]
    assert files_of(q.find("hint")) == [("/media/", "thermometer.png", thermometer)]
    text, subquestions = moodle_cloze(text_of(q, "questiontext/text"))
    assert text == ('<p><img src="@@PLUGINFILE@@/media/thermometer.png" alt="A thermometer at 4 degrees"/></p>\n'
                    "<p>The fridge reads {#1} °C, which is \\(\\frac&#123;1}&#123;2}\\) of {#2}.</p>")
    assert html.unescape(text).count("\\(\\frac{1}{2}\\)") == 1  # the TeX as written, once the browser reads it
    assert subquestions == [(1, "SHORTANSWER", [(True, "4")]), (1, "MULTICHOICE", [(True, "eight"), (False, "ten")])]


EVERY_FIELD = {
    "short.yaml": """\
id: short
type: short_answer
prompt: Name the shelf.
answers:
  - text: bottom
    feedback: Right ![the bottom shelf](media/thermometer.png)
other_feedback: See ![the glove](media/glove.gif)
""",
    "essay.yaml": """\
id: essay
type: essay
prompt: Describe the fridge.
grader_notes: Compare with ![the fridge](media/thermometer.png)
""",
    "steps.yaml": """\
id: steps
type: ordering
prompt: Order the steps.
order:
  - Put on ![a glove](media/glove.gif)
  - Open the fridge
""",
}


def test_every_html_field_of_every_type_carries_its_files(tmp_path) -> None:
    quiz = media_project(tmp_path, EVERY_FIELD, names=("thermometer.png", "glove.gif"))
    by_id = by_idnumber(build(quiz).data)
    short, essay, steps = by_id["short"], by_id["essay"], by_id["steps"]
    names = [[n for _, n, _ in files_of(a.find("feedback"))] for a in short.findall("answer")]
    assert names == [["thermometer.png"], ["glove.gif"]]
    assert all(files_of(a) == [] for a in short.findall("answer"))  # the answers themselves are plain text
    assert [n for _, n, _ in files_of(essay.find("graderinfo"))] == ["thermometer.png"]
    assert [[n for _, n, _ in files_of(a)] for a in steps.findall("answer")] == [["glove.gif"], []]


def test_names_moodle_would_change_are_stored_as_their_texts_say(tmp_path) -> None:
    """Moodle's file storage takes & ' ` out of a file name (clean_param PARAM_FILE) and the importer
    trims it: such a file is stored, and named, with '_' instead, never under a name another file has."""
    def media(name: str) -> MediaFile:
        return MediaFile(name, "image/png", b"")
    stored = stored_names([media("media/a&b.png"), media("media/a_b.png"), media("f'x/ lead.png"),
                           media("media/chef`s.png")])
    assert stored == {"media/a%26b.png": ("/media/", "a_b-2.png"), "media/a_b.png": ("/media/", "a_b.png"),
                      "f%27x/%20lead.png": ("/f_x/", "_lead.png"), "media/chef%60s.png": ("/media/", "chef_s.png")}
    item = "id: q1\ntype: single_choice\nprompt: \"![a knife](<media/chef's knife.png>)\"\n" \
           "choices:\n  - text: A\n    correct: true\n  - text: B\n"
    quiz = media_project(tmp_path, {"q1.yaml": item}, names=(), copies={"chef's knife.png": "thermometer.png"})
    (q,) = questions(build(quiz).data)[1:]
    assert [(p, n) for p, n, _ in files_of(q.find("questiontext"))] == [("/media/", "chef_s knife.png")]
    assert plugin_files(q.find("questiontext")) == {"media/chef_s knife.png"}


def test_a_changed_file_makes_its_questions_anew(kitchen_media: Quiz) -> None:
    """The files are in every question's cache key."""
    changed = dataclasses.replace(kitchen_media, media=tuple(
        dataclasses.replace(file, content=file.content + b"\0") if file.name == "media/glove.gif" else file
        for file in kitchen_media.media))
    keys = [ItemKeys(question_xml, question_options(quiz)).common for quiz in (kitchen_media, changed)]
    assert keys[0] != keys[1]
    assert build(changed).data != build(kitchen_media).data
