"""Canvas Classic Quizzes: QTI 1.2 in Canvas's own export shape, and text that survives Canvas's
QTIMigrationTool and importer unchanged."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from pathlib import Path
from types import ModuleType
from urllib.parse import quote, unquote

import pytest
from lxml import etree, html

from builder import markup
from builder.formats.canvas import (
    MAX_ANSWER_ID,
    answer_ids,
    build,
    check,
    manifest_href,
    mattext,
    typed_answer_ids,
)
from builder.loading import load_quizzes
from builder.model import (
    Choice,
    ChoiceBlank,
    FillInBlanksInteraction,
    Item,
    MatchingInteraction,
    NumericInteraction,
    OrderingInteraction,
    Quiz,
    ShortAnswerInteraction,
    TextBlank,
)
from builder.rendering import safe_parser
from builder.scoring import blank_right, score
from tests.conftest import SHARED, assert_golden
from tests.test_moodle import block, inline

from projects import QUIZ_YAML, choice_quiz, make_project, with_interaction

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
META = "{http://canvas.instructure.com/xsd/cccv1p0}"
SPECIAL = "Don't \"quote\" & a < b > c café مرحبا 🙂"


def members(quiz: Quiz) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(build(quiz).data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def parts(quiz: Quiz) -> tuple[etree._Element, etree._Element, etree._Element]:
    """(manifest, assessment, assessment_meta) roots."""
    files = members(quiz)
    manifest, assessment, meta, *media = files
    assert manifest == "imsmanifest.xml" and meta.endswith("/assessment_meta.xml")
    assert all(name.startswith("web_resources/") for name in media)
    roots = [etree.fromstring(files[name], safe_parser()) for name in (manifest, assessment, meta)]
    return roots[0], roots[1], roots[2]


def metadata(element: etree._Element) -> dict[str, str]:
    """The qtimetadata fields of an <assessment> or an <item>, not of what they contain."""
    fields = element.findall(f"{QTI}qtimetadata/{QTI}qtimetadatafield")
    fields += element.findall(f"{QTI}itemmetadata/{QTI}qtimetadata/{QTI}qtimetadatafield")
    return {f.findtext(f"{QTI}fieldlabel"): f.findtext(f"{QTI}fieldentry") for f in fields}


def clear_html(text: str) -> str:
    """Canvas's clear_html() (qti_exporter html_helper.rb), which makes the plain text of answers and
    comments: tags removed, numeric references decoded, named references deleted."""
    text = re.sub(r"</?[^>\n]*>", "", text)
    text = re.sub(r"&#\d+;", lambda m: chr(int(m.group()[2:-1])), text)
    return re.sub(r"&\w+;", "", text)


def canvas_reads(element: etree._Element) -> tuple[str, str | None]:
    """(plain text, HTML) Canvas keeps from one <mattext>, following QTIMigrationTool (text/plain to
    div.text, text/html to div.html, content unchanged) and html_helper.rb detect_html. A mattext
    without texttype (a match, as Canvas's exporter writes it) is text/plain, QTI 1.2's default."""
    mattext_element = element.find(f".//{QTI}mattext")
    content = mattext_element.text or ""
    if mattext_element.get("texttype", "text/plain") == "text/plain":
        return content.strip(), None
    shown = html.fragment_fromstring(content, create_parent="div").text_content()
    return " ".join(clear_html(content).split()), " ".join(shown.split())


def test_golden(warm_handoff: Quiz) -> None:
    files = members(warm_handoff)
    assert build(warm_handoff).filename == "warm-handoff-1.0.0-canvas.zip"
    for name, data in files.items():
        if name.startswith("web_resources/"):  # the diagram, as it is in the quiz folder
            assert data == (warm_handoff.directory / name.split("/", 2)[2]).read_bytes(), name
            continue
        golden = "assessment.xml" if re.fullmatch(r"(g[0-9a-f]{32})/\1\.xml", name) else Path(name).name
        assert_golden(f"canvas/{golden}", data)


def test_same_bytes_twice(warm_handoff: Quiz) -> None:
    assert build(warm_handoff).data == build(warm_handoff).data


def test_package_passes_the_independent_validator(warm_handoff: Quiz, package_validator: ModuleType,
                                                    tmp_path: Path) -> None:
    path = tmp_path / "quiz.zip"
    path.write_bytes(build(warm_handoff).data)
    report = package_validator.validate_path(path, kind="qti12")
    problems = report.sorted_problems()
    assert report.errors == 0, "\n".join(p.format() for p in problems)
    # Canvas's manifest namespace has no schema in ../shared: the one expected warning.
    assert [p.code for p in problems] == ["manifest-not-validated"]


def test_assessment_valid_against_official_qti12(warm_handoff: Quiz, official_schema) -> None:
    _, assessment, _ = parts(warm_handoff)
    validator = official_schema("qti12/qti12_umbrella.xsd")
    assert validator.validate(assessment), validator.error_log


def test_manifest_points_at_the_files(warm_handoff: Quiz) -> None:
    manifest, assessment, meta = parts(warm_handoff)
    ident = assessment.find(f"{QTI}assessment").get("ident")
    assert meta.get("identifier") == ident
    hrefs = [f.get("href") for f in manifest.iter("{*}file")]
    assert hrefs == [f"{ident}/{ident}.xml", f"{ident}/assessment_meta.xml",
                     "web_resources/warm-handoff/images/warm-handoff-diagram.png"]
    assert sorted(members(warm_handoff)) == sorted(["imsmanifest.xml", *hrefs])


def test_item_by_item(warm_handoff: Quiz) -> None:
    warm_handoff = choice_quiz(warm_handoff)
    _, assessment, _ = parts(warm_handoff)
    items = assessment.findall(f".//{QTI}item")
    assert [i.get("title") for i in items] == [item.title for item in warm_handoff.items]
    expected_types = {"single_choice": "multiple_choice_question",
                      "multiple_response": "multiple_answers_question", "true_false": "true_false_question"}
    for element, item in zip(items, warm_handoff.items, strict=True):
        fields = metadata(element)
        assert fields["question_type"] == expected_types[item.interaction.kind]
        assert float(fields["points_possible"]) == item.points
        ids = answer_ids(item, item.interaction)
        assert fields["original_answer_ids"] == ",".join(str(ids[c.identifier]) for c in item.interaction.choices)
        labels = {label.get("ident"): label for label in element.iter(f"{QTI}response_label")}
        assert set(labels) == {str(n) for n in ids.values()}
        for choice in item.interaction.choices:
            text, _ = canvas_reads(labels[str(ids[choice.identifier])])
            assert text == markup.plain_text(choice.text)
        # The scoring condition names exactly the correct choices (and excludes the others).
        (scoring,) = [c for c in element.iter(f"{QTI}respcondition") if c.get("continue") == "No"]
        assert scoring.findtext(f"{QTI}setvar") == "100"
        selected = {v.text for v in scoring.iter(f"{QTI}varequal") if v.getparent().tag != f"{QTI}not"}
        assert selected == {str(ids[c.identifier]) for c in item.interaction.correct_choices}
        # Every displayfeedback has its itemfeedback, and per-choice feedback reads as written.
        feedback = {f.get("ident"): f for f in element.findall(f"{QTI}itemfeedback")}
        links = {d.get("linkrefid") for d in element.iter(f"{QTI}displayfeedback")}
        assert links == set(feedback)
        assert {"general_fb", "correct_fb", "general_incorrect_fb"} <= links
        for choice in item.interaction.choices:
            written = markup.plain_text(choice.feedback)
            assert canvas_reads(feedback[f"{ids[choice.identifier]}_fb"])[0] == written
        assert canvas_reads(feedback["general_fb"])[0] == markup.plain_text(item.explanation)


def test_true_false_in_canvas_order(warm_handoff: Quiz) -> None:
    _, assessment, _ = parts(warm_handoff)
    item = assessment.findall(f".//{QTI}item")[1]
    assert [canvas_reads(label)[0] for label in item.iter(f"{QTI}response_label")] == ["True", "False"]


def test_text_arrives_as_written(warm_handoff: Quiz) -> None:
    """Apostrophes, quotes, &, <, accents, Arabic and emoji in prompt, choices and feedback reach
    Canvas's plain text and its HTML exactly, with and without markup around them."""
    base = warm_handoff.items[0]
    choices = (Choice("A", inline(SPECIAL), True, inline(SPECIAL)),
               Choice("B", inline(f"**{SPECIAL}**"), False, inline(f"*{SPECIAL}*")))
    item = dataclasses.replace(with_interaction(base, choices=choices), prompt=block(SPECIAL),
                               explanation=block(f"`{SPECIAL}`"))
    _, assessment, _ = parts(dataclasses.replace(warm_handoff, items=(item,)))
    (element,) = assessment.findall(f".//{QTI}item")
    texts = [canvas_reads(m.getparent()) for m in element.iter(f"{QTI}mattext")]
    prompt, plain_choice, bold_choice = texts[:3]
    assert prompt == (SPECIAL, SPECIAL)
    assert plain_choice == (SPECIAL, None)
    assert bold_choice == (SPECIAL, SPECIAL)
    feedback = {f.get("ident"): canvas_reads(f) for f in element.findall(f"{QTI}itemfeedback")}
    ids = answer_ids(item, item.interaction)
    assert feedback[f"{ids['A']}_fb"] == (SPECIAL, None)
    assert feedback[f"{ids['B']}_fb"] == (SPECIAL, SPECIAL)
    assert feedback["general_fb"] == (SPECIAL, SPECIAL)


def test_html_uses_numeric_references() -> None:
    prefix = "$IMS-CC-FILEBASE$/q/"
    assert mattext(inline("a & b < c"), prefix) == mattext(inline("a & b < c"), prefix)
    result = mattext(inline("**a & b** 'c'"), prefix)
    assert result.texttype == "text/html"
    assert result.text == "<strong>a &#38; b</strong> 'c'"
    assert mattext(block("x & y"), prefix, block=True).text == "<div><p>x &#38; y</p></div>"
    assert mattext(inline("x & y"), prefix).text == "x & y"
    # Plain str, never Markup: the template must escape both kinds of text once more.
    assert {type(mattext(inline(text), prefix).text) for text in ("x & y", "*x* & y")} == {str}


def test_quiz_settings(warm_handoff: Quiz) -> None:
    _, assessment, meta = parts(warm_handoff)
    assert meta.findtext(f"{META}title") == warm_handoff.title
    assert meta.findtext(f"{META}shuffle_answers") == "true"
    assert meta.findtext(f"{META}points_possible") == "11"
    assert meta.findtext(f"{META}allowed_attempts") == "-1"
    assert meta.findtext(f"{META}hide_results") == ""
    assert meta.find(f"{META}time_limit") is None
    assert metadata(assessment.find(f"{QTI}assessment"))["cc_maxattempts"] == "unlimited"
    strict = dataclasses.replace(warm_handoff, cohort="spring-2027", settings=dataclasses.replace(
        warm_handoff.settings, attempts=2, time_limit=90, shuffle_choices=False, feedback="never"))
    _, assessment, meta = parts(strict)
    assert meta.findtext(f"{META}title") == "Warm handoffs in Medi-Cal peer support"  # the cohort in identifiers only
    assert meta.findtext(f"{META}allowed_attempts") == "2"
    assert meta.findtext(f"{META}time_limit") == "2"  # minutes, rounded up
    assert meta.findtext(f"{META}shuffle_answers") == "false"
    assert meta.findtext(f"{META}hide_results") == "always"
    assert meta.findtext(f"{META}show_correct_answers") == "false"
    assert metadata(assessment.find(f"{QTI}assessment")) == {"qmd_timelimit": "2", "cc_maxattempts": "2"}
    default_ident = parts(warm_handoff)[1].find(f"{QTI}assessment").get("ident")
    assert assessment.find(f"{QTI}assessment").get("ident") != default_ident  # cohorts live side by side


def test_warnings(warm_handoff: Quiz) -> None:
    after_submit = dataclasses.replace(warm_handoff, settings=dataclasses.replace(
        warm_handoff.settings, feedback="after_submit", written=warm_handoff.settings.written | {"feedback"}))
    assert build(after_submit).warnings == build(warm_handoff).warnings  # no feedback warning either way
    assert [(w.item_ids, w.message) for w in build(after_submit).warnings] == [
        (("warm-handoff-definition", "warm-handoff-email-summary", "warm-handoff-benefits", "warm-handoff-continuity",
          "warm-handoff-steps", "warm-handoff-diagram"),
         "Canvas Classic Quizzes have no hints; the hints are left out"),
        (("warm-handoff-steps",), "Canvas Classic Quizzes have no ordering question; it is written as a matching "
         "question, each step matched with its position (1, 2, ...) and scored per step"),
        ((), "Canvas Classic Quizzes have no pass mark; 80% is not carried"),
    ]
    benefits = dataclasses.replace(with_interaction(warm_handoff.items[2], wrong_choice_penalty=False), hints=())
    yes_no = dataclasses.replace(with_interaction(warm_handoff.items[1], choices=(
        Choice("true", inline("Oui"), False, None), Choice("false", inline("Non"), True, None))), hints=())
    quiz = dataclasses.replace(warm_handoff, items=(benefits, yes_no), settings=dataclasses.replace(
        warm_handoff.settings, feedback="immediately", shuffle_items=True,
        written=warm_handoff.settings.written | {"feedback", "shuffle_items"}))
    messages = [w.message for w in build(quiz).warnings]
    assert any("wrong_choice_penalty: false is not kept" in m for m in messages)
    assert any("import this one as multiple choice" in m for m in messages)
    assert any("not after each question" in m for m in messages)
    assert any("cannot shuffle the order of questions" in m for m in messages)
    # feedback: immediately is the default: not warned when quiz.yaml does not write it.
    unwritten = dataclasses.replace(quiz, settings=dataclasses.replace(
        quiz.settings, written=quiz.settings.written - {"feedback"}))
    assert not any(w.code == "canvas-feedback-after-submit" for w in build(unwritten).warnings)


def test_warns_when_the_assessment_is_more_xml_than_checkers_read(warm_handoff: Quiz, monkeypatch) -> None:
    monkeypatch.setattr("builder.formats.MAX_XML_BYTES", 20_000)
    (warning,) = [w for w in build(warm_handoff).warnings if "MB of XML" in w.message]
    assert warning.format == "canvas" and warning.item_ids == ()
    assert re.fullmatch(r"g[0-9a-f]{32}/g[0-9a-f]{32}\.xml is 0 MB of XML, more than the 0 MB that lmspack check "
                        r"and package validators read; split the quiz into smaller ones", warning.message)
    monkeypatch.setattr("builder.formats.MAX_XML_BYTES", 10**9)
    assert not [w for w in build(warm_handoff).warnings if "MB of XML" in w.message]


# ---- short answer, numeric and essay -------------------------------------------------------------

def test_golden_kitchen_safety(kitchen_safety: Quiz) -> None:
    """Every item type: the kitchen-safety test quiz's files."""
    for name, data in members(kitchen_safety).items():
        golden = "assessment.xml" if re.fullmatch(r"(g[0-9a-f]{32})/\1\.xml", name) else Path(name).name
        assert_golden(f"canvas/kitchen-safety/{golden}", data)


def assert_valid_package(quiz: Quiz, package_validator: ModuleType, official_schema, tmp_path: Path) -> None:
    """The quiz's package passes the independent validator, its one warning the expected one (so
    every file is listed: no unlisted-file), and its assessment the official QTI 1.2 schema."""
    path = tmp_path / "quiz.zip"
    path.write_bytes(build(quiz).data)
    report = package_validator.validate_path(path, kind="qti12")
    problems = report.sorted_problems()
    assert report.errors == 0, "\n".join(p.format() for p in problems)
    # Canvas's manifest namespace has no schema in ../shared: the one expected warning.
    assert [p.code for p in problems] == ["manifest-not-validated"]
    validator = official_schema("qti12/qti12_umbrella.xsd")
    assert validator.validate(parts(quiz)[1]), validator.error_log


def test_every_type_passes_the_validator_and_the_official_schema(kitchen_safety: Quiz, package_validator: ModuleType,
                                                                 official_schema, tmp_path: Path) -> None:
    assert_valid_package(kitchen_safety, package_validator, official_schema, tmp_path)


def items_by_id(quiz: Quiz) -> dict[str, tuple[Item, etree._Element]]:
    _, assessment, _ = parts(quiz)
    elements = assessment.findall(f".//{QTI}item")
    return {item.id: (item, element) for item, element in zip(quiz.items, elements, strict=True)}


def conditions(element: etree._Element) -> list[etree._Element]:
    return element.findall(f"{QTI}resprocessing/{QTI}respcondition")


def feedback_texts(element: etree._Element) -> dict[str, str]:
    """Each itemfeedback's plain text as Canvas keeps it, by ident."""
    return {f.get("ident"): canvas_reads(f)[0] for f in element.findall(f"{QTI}itemfeedback")}


def shown_feedback(condition: etree._Element) -> list[str]:
    return [d.get("linkrefid") for d in condition.findall(f"{QTI}displayfeedback")]


def test_short_answer_as_canvas_writes_it(kitchen_safety: Quiz) -> None:
    item, element = items_by_id(kitchen_safety)["cross-contamination"]
    assert isinstance(item.interaction, ShortAnswerInteraction)
    fields = metadata(element)
    assert fields["question_type"] == "short_answer_question"
    assert fields["points_possible"] == "2"
    # The 50 % answer ("contamination") is left out: Canvas would store it as fully correct.
    first, second = typed_answer_ids(item, [a for a in item.interaction.answers if a.credit == 100])
    assert fields["original_answer_ids"] == f"{first},{second}"
    assert element.find(f".//{QTI}response_str/{QTI}render_fib/{QTI}response_label").get("ident") == "answer1"
    general, feedback_1, feedback_2, scoring, incorrect = conditions(element)
    assert shown_feedback(general) == ["general_fb"] and general.find(f"{QTI}conditionvar/{QTI}other") is not None
    for condition, number, text in ((feedback_1, first, "cross-contamination"),
                                    (feedback_2, second, "cross contamination")):
        assert condition.get("continue") == "Yes"
        assert [v.text for v in condition.iter(f"{QTI}varequal")] == [text]
        assert shown_feedback(condition) == [f"{number}_fb"]
    assert scoring.get("continue") == "No" and scoring.findtext(f"{QTI}setvar") == "100"
    assert [v.text for v in scoring.iter(f"{QTI}varequal")] == ["cross-contamination", "cross contamination"]
    assert shown_feedback(scoring) == []
    assert shown_feedback(incorrect) == ["general_incorrect_fb"]
    assert feedback_texts(element) == {
        "general_fb": markup.plain_text(item.explanation),
        "general_incorrect_fb": markup.plain_text(item.interaction.other_feedback),
        f"{first}_fb": "Right. Separate boards and washed hands prevent it.",
        f"{second}_fb": "Right (it is usually written with a hyphen).",
    }


def test_numeric_value_with_tolerance_is_an_exact_answer_with_its_margin(kitchen_safety: Quiz) -> None:
    item, element = items_by_id(kitchen_safety)["hand-washing-seconds"]
    assert isinstance(item.interaction, NumericInteraction)
    fields = metadata(element)
    assert fields["question_type"] == "numerical_question"
    (first,) = typed_answer_ids(item, item.interaction.answers[:1])
    assert fields["original_answer_ids"] == str(first)  # the 25 % answer (10 +- 5) is left out
    assert element.find(f".//{QTI}render_fib").get("fibtype") == "Decimal"
    scoring, incorrect = conditions(element)  # no explanation: no general_fb
    exact = scoring.find(f"{QTI}conditionvar/{QTI}or")
    assert exact.findtext(f"{QTI}varequal") == "20.0"
    # 20 with a tolerance of 25 %: a margin of 5.
    assert (exact.findtext(f"{QTI}and/{QTI}vargte"), exact.findtext(f"{QTI}and/{QTI}varlte")) == ("15.0", "25.0")
    assert scoring.findtext(f"{QTI}setvar") == "100" and shown_feedback(scoring) == [f"{first}_fb"]
    assert shown_feedback(incorrect) == ["general_incorrect_fb"]
    assert set(feedback_texts(element)) == {"general_incorrect_fb", f"{first}_fb"}


def test_numeric_range_is_a_range_answer(kitchen_safety: Quiz) -> None:
    item, element = items_by_id(kitchen_safety)["fridge-temperature"]
    assert isinstance(item.interaction, NumericInteraction)
    (first,) = typed_answer_ids(item, item.interaction.answers[:1])
    assert metadata(element)["original_answer_ids"] == str(first)  # [0, 8] at 50 % is left out
    general, scoring, incorrect = conditions(element)
    assert shown_feedback(general) == ["general_fb"]
    variables = scoring.find(f"{QTI}conditionvar")
    assert [(v.tag, v.text) for v in variables] == [(f"{QTI}vargte", "1.0"), (f"{QTI}varlte", "5.0")]
    assert shown_feedback(scoring) == [f"{first}_fb"] and shown_feedback(incorrect) == ["general_incorrect_fb"]
    assert feedback_texts(element)[f"{first}_fb"] == markup.plain_text(item.interaction.answers[0].feedback)


def test_essay_has_no_answers(kitchen_safety: Quiz) -> None:
    item, element = items_by_id(kitchen_safety)["near-miss-report"]
    fields = metadata(element)
    assert fields["question_type"] == "essay_question"
    assert fields["points_possible"] == "4"
    assert fields["original_answer_ids"] == ""  # written empty, as Canvas's exporter does
    assert element.find(f".//{QTI}response_str/{QTI}render_fib/{QTI}response_label").get("rshuffle") == "No"
    general, graded = conditions(element)
    assert shown_feedback(general) == ["general_fb"]
    assert graded.get("continue") == "No" and graded.find(f"{QTI}conditionvar/{QTI}other") is not None
    assert graded.find(f"{QTI}setvar") is None and shown_feedback(graded) == []
    # Only the explanation: grader notes, the template and word limits are nowhere in the item.
    assert feedback_texts(element) == {"general_fb": markup.plain_text(item.explanation)}
    written = etree.tostring(element, encoding="unicode")
    assert "First, I would" not in written and "wet-floor sign" not in written


def canvas_score(element: etree._Element, response: str) -> float:
    """What Canvas scores a typed response, from the conditions as its importer reads them: a short
    answer's accepted texts compared in any case; a numerical answer's exact value with its margin
    or its range. 100 for the first condition that sets SCORE and matches, else 0."""
    def holds(condition: etree._Element) -> bool:
        variables = condition.find(f"{QTI}conditionvar")
        if variables.find(f"{QTI}other") is not None:
            return False
        if variables.find(f"{QTI}vargte") is not None or variables.find(f"{QTI}or") is not None:
            try:
                number = float(response)
            except ValueError:
                return False
            low = float(next(variables.iter(f"{QTI}vargte")).text)
            high = float(next(variables.iter(f"{QTI}varlte")).text)
            return low <= number <= high
        return any(" ".join(response.split()).lower() == v.text.lower() for v in variables.iter(f"{QTI}varequal"))
    return next((100.0 for c in conditions(element) if c.findtext(f"{QTI}setvar") == "100" and holds(c)), 0.0)


RESPONSES = {
    "cross-contamination": ["cross-contamination", "Cross  Contamination", "contamination", "cross", ""],
    "fridge-temperature": ["1", "3.5", "5", "5.01", "0", "7", "8", "-1", "cold"],
    "hand-washing-seconds": ["20", "15", "25", "14.99", "25.5", "10", "5"],
    "sodium-symbol": ["Na", " Na ", "NA", "Cl"],
}


def test_canvas_gives_full_credit_exactly_where_lmspack_does(kitchen_safety: Quiz) -> None:
    """builder/scoring.py's full credit and zero agree with Canvas's conditions, except where a
    warning says they cannot: partial credit becomes 0 and case is not kept."""
    by_id = items_by_id(kitchen_safety)
    for item_id, responses in RESPONSES.items():
        item, element = by_id[item_id]
        for response in responses:
            points = score(item, response)
            canvas = canvas_score(element, response)
            if points == item.points:
                assert canvas == 100, (item_id, response)
            elif points == 0 and not getattr(item.interaction, "case_sensitive", False):
                assert canvas == 0, (item_id, response)
            else:  # a partial-credit answer (left out), or a case Canvas does not tell apart
                assert (points < item.points and canvas == 0) or response == "NA", (item_id, response)


def test_typed_item_warnings(kitchen_safety: Quiz) -> None:
    warnings = {w.message: w.item_ids for w in build(kitchen_safety).warnings}
    assert warnings["Canvas stores every accepted answer as fully correct, so answers worth less than full "
                    "credit are left out with their feedback: a response only they accept scores 0 in Canvas"] == (
        "cross-contamination", "fridge-temperature", "hand-washing-seconds")
    assert warnings["Canvas compares typed answers in any case; case_sensitive: true is not kept (an answer that "
                    "differs only in case is accepted)"] == ("sodium-symbol",)
    assert warnings["Canvas numerical questions have no unit; the unit is left out (name it in the prompt)"] == (
        "fridge-temperature", "hand-washing-seconds")
    for message in ("have no grader notes; they are left out", "have no response template; it is left out",
                    "have no word limits; min_words and max_words are left out"):
        assert warnings[f"Canvas Classic essay questions {message}"] == ("near-miss-report",)
    assert warnings["Canvas Classic Quizzes have no hints; the hints are left out"] == (
        "knife-carry", "cross-contamination", "hand-washing-seconds")
    assert not any("before a full-credit one" in message for message in warnings)


PARTIAL_FIRST = """\
id: {id}
type: numeric
prompt: How many?
answers:
  - range: [0, 4]
    credit: 50
  - value: 3
    tolerance: 2
"""
def test_partial_credit_answers_are_left_out_with_a_warning(tmp_path: Path) -> None:
    make_project(tmp_path, {"q1.yaml": PARTIAL_FIRST.format(id="q1")}, quiz=QUIZ_YAML)
    (partial_first,) = load_quizzes([tmp_path / "items"], tmp_path)
    assert check(partial_first) == []
    (element,) = parts(partial_first)[1].findall(f".//{QTI}item")
    (scoring,) = conditions(element)  # the full-credit answer only: 3 +- 2
    assert [v.text for v in scoring.iter() if v.tag in (f"{QTI}varequal", f"{QTI}vargte", f"{QTI}varlte")] == [
        "3.0", "1.0", "5.0"]
    item = partial_first.items[0]
    assert metadata(element)["original_answer_ids"] == str(typed_answer_ids(item, item.interaction.answers[1:])[0])
    warnings = {w.message: w.item_ids for w in build(partial_first).warnings}
    assert warnings["an answer worth less than full credit comes before a full-credit one that accepts some of the "
                    "same numbers; without it, Canvas gives those numbers full credit"] == ("q1",)
    assert any(message.startswith("Canvas stores every accepted answer as fully correct") and ids == ("q1",)
               for message, ids in warnings.items())


def test_typed_answer_ids_are_stable_and_in_range(kitchen_safety: Quiz) -> None:
    item = next(i for i in kitchen_safety.items if i.id == "cross-contamination")
    assert isinstance(item.interaction, ShortAnswerInteraction)
    answers = item.interaction.answers
    written = [a for a in answers if a.credit == 100]
    ids = typed_answer_ids(item, written)
    assert len(set(ids)) == 2 and all(1000 <= n < MAX_ANSWER_ID for n in ids)
    # Each id is derived from its answer's text: a credit changed on another answer (which then is
    # written, or left out) renumbers none, and an import of the package numbers them the same.
    all_full = typed_answer_ids(item, [dataclasses.replace(a, credit=100.0) for a in answers])
    assert [all_full[answers.index(answer)] for answer in written] == ids
    # More answers than 1000..9999 holds: the rest from 1 up, never past 9999.
    many = typed_answer_ids(item, answers * 3100)
    assert len(set(many)) == len(many) == 9300 and min(many) >= 1 and max(many) <= MAX_ANSWER_ID - 1


def test_typed_text_arrives_as_written(tmp_path: Path) -> None:
    """Quotes, &, <, accents, Arabic and emoji in an accepted answer reach Canvas's varequal as typed;
    runs of spaces as one, as lmspack compares."""
    make_project(tmp_path, {"q1.yaml": "id: q1\ntype: short_answer\nprompt: Say it.\nanswers:\n"
                                       f"  - text: '{SPECIAL.replace(chr(39), chr(39) * 2)}   x'\n"})
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    (element,) = parts(quiz)[1].findall(f".//{QTI}item")
    assert {v.text for v in element.iter(f"{QTI}varequal")} == {f"{SPECIAL} x"}


REFERENCE = SHARED / "references"
REFERENCE_ITEMS = ("liquid-dose-volume", "prn-dose-range", "med-record-name", "missed-dose-report")
REFERENCE_PART_ITEMS = ("label-abbreviations", "assist-steps", "storage-blanks")


def canonical(element: etree._Element) -> dict[str, object]:
    """What Canvas's importer reads of an <item>, with answer ids as their places in
    original_answer_ids and texts as the plain text Canvas keeps."""
    fields = metadata(element)
    places = {number: f"answer{place}" for place, number in enumerate(filter(None, fields["original_answer_ids"]
                                                                              .split(",")))}
    for label in element.iter(f"{QTI}response_label"):  # a matching question's matches, in order
        places.setdefault(label.get("ident"), f"match{len(places)}")

    def named(ident: str) -> str:
        if ident in places:
            return places[ident]
        number, _, rest = ident.partition("_")
        if number == "response" and rest in places:
            return f"response_{places[rest]}"
        return f"{places[number]}_{rest}" if number in places else ident

    def shape(node: etree._Element) -> tuple[object, ...]:
        text = (node.text or "").strip()
        if node.tag in (f"{QTI}vargte", f"{QTI}varlte") or (node.tag == f"{QTI}varequal" and node.getparent().tag
                                                            == f"{QTI}or"):
            text = str(float(text))
        if node.tag == f"{QTI}varequal" and text in places and node.get("respident") != "response1":
            text = places[text]  # a matching's or a blank's answer id
        attributes = {key: named(value) for key, value in sorted(node.attrib.items())}
        return (etree.QName(node).localname, attributes, text, tuple(shape(child) for child in node))

    return {
        "question_type": fields["question_type"],
        "points": float(fields["points_possible"]),
        "answers": len(places),
        "prompt": " ".join(canvas_reads(element.find(f"{QTI}presentation/{QTI}material"))[0].split()),
        "responses": tuple(shape(response) for response in element.find(f"{QTI}presentation")[1:]),
        "conditions": [shape(c) for c in conditions(element)],
        "feedback": {named(f.get("ident")): " ".join(canvas_reads(f)[0].split())
                     for f in element.findall(f"{QTI}itemfeedback")},
    }


@pytest.mark.parametrize("names", [REFERENCE_ITEMS, REFERENCE_PART_ITEMS], ids=["typed", "matching-ordering-blanks"])
def test_items_as_the_reference_encodes_them(names: tuple[str, ...], tmp_path: Path) -> None:
    """The reference quiz's typed, matching, ordering and blanks items (../shared/references/quiz)
    come out as its hand-written Canvas file, which Canvas's importer was measured to store field for
    field: the same question types, prompts ([name] for each blank), responses, conditions, numbers,
    feedback links and texts, ids aside."""
    if not (REFERENCE / "canvas").is_dir():
        pytest.skip(f"no reference encodings at {REFERENCE}")
    items = {f"{name}.yaml": (REFERENCE / "quiz" / f"{name}.yaml").read_text(encoding="utf-8") for name in names}
    make_project(tmp_path, items, quiz=QUIZ_YAML + "items: [" + ", ".join(names) + "]\n")
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    reference = etree.parse(str(REFERENCE / "canvas" / "med-safety-reference" / "med-safety-reference.xml"),
                            safe_parser()).getroot()
    expected = {element.get("ident"): element for element in reference.iter(f"{QTI}item")}
    built = items_by_id(quiz)
    for name in names:
        assert canonical(built[name][1]) == canonical(expected[name]), name


# ---- matching, ordering and fill-in-the-blanks -----------------------------------------------------

def test_golden_kitchen_tasks(kitchen_tasks: Quiz) -> None:
    """Matching, ordering and blanks: the kitchen-tasks test quiz's files."""
    for name, data in members(kitchen_tasks).items():
        golden = "assessment.xml" if re.fullmatch(r"(g[0-9a-f]{32})/\1\.xml", name) else Path(name).name
        assert_golden(f"canvas/kitchen-tasks/{golden}", data)


def test_new_types_pass_the_validator_and_the_official_schema(kitchen_tasks: Quiz, package_validator: ModuleType,
                                                              official_schema, tmp_path: Path) -> None:
    assert check(kitchen_tasks) == []
    assert_valid_package(kitchen_tasks, package_validator, official_schema, tmp_path)


def lids(element: etree._Element) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Each response_lid: (ident, its material's text, [(label id, label text)])."""
    return [(lid.get("ident"), lid.findtext(f"{QTI}material/{QTI}mattext"),
             [(label.get("ident"), canvas_reads(label)[0]) for label in lid.iter(f"{QTI}response_label")])
            for lid in element.iter(f"{QTI}response_lid")]


def adds(element: etree._Element) -> list[tuple[str, str, str]]:
    """The scoring conditions: (respident, answer id, what it adds)."""
    found = []
    for condition in conditions(element):
        if condition.find(f"{QTI}setvar") is None:
            continue
        assert condition.find(f"{QTI}setvar").get("action") == "Add" and condition.get("continue") is None
        (variable,) = condition.find(f"{QTI}conditionvar")
        found.append((variable.get("respident"), variable.text, condition.findtext(f"{QTI}setvar")))
    return found


def test_matching_as_canvas_writes_it(kitchen_tasks: Quiz) -> None:
    item, element = items_by_id(kitchen_tasks)["storage-places"]
    assert isinstance(item.interaction, MatchingInteraction)
    fields = metadata(element)
    assert (fields["question_type"], fields["points_possible"]) == ("matching_question", "3")
    found = lids(element)
    left_ids = fields["original_answer_ids"].split(",")
    assert [ident for ident, _, _ in found] == [f"response_{number}" for number in left_ids]
    assert [text for _, text, _ in found] == ["Raw chicken", "Frozen peas", "Dry pasta"]
    # Every left side offers every match, the distractor last; no condition points at it.
    matches = found[0][2]
    assert all(labels == matches for _, _, labels in found)
    assert [text for _, text in matches] == ["The bottom shelf of the fridge", "The freezer",
                                             "A sealed tub in the cupboard", "The windowsill"]
    assert adds(element) == [(f"response_{left}", match, "33.33")
                             for left, (match, _) in zip(left_ids, matches, strict=False)]
    numbers = [int(n) for n in left_ids] + [int(n) for n, _ in matches]
    assert len(set(numbers)) == 7 and all(1000 <= n < MAX_ANSWER_ID for n in numbers)
    assert items_by_id(kitchen_tasks)["storage-places"][1].findall(f".//{QTI}response_label")[0].get("ident") \
        == matches[0][0]  # the same numbers on every build
    assert feedback_texts(element) == {"general_fb": markup.plain_text(item.explanation)}


def test_ordering_is_a_matching_of_steps_with_positions(kitchen_tasks: Quiz) -> None:
    item, element = items_by_id(kitchen_tasks)["closing-steps"]
    assert isinstance(item.interaction, OrderingInteraction)
    fields = metadata(element)
    assert fields["question_type"] == "matching_question"
    found = lids(element)
    assert [canvas_reads(lid.find(f"{QTI}material"))[0] for lid in element.iter(f"{QTI}response_lid")] == [
        markup.plain_text(step) for step in item.interaction.steps]
    assert found[2][1] == "Wipe the counters with <em>hot, soapy</em> water"  # the step's HTML is kept
    positions = found[0][2]
    assert [text for _, text in positions] == ["1", "2", "3", "4"]
    assert adds(element) == [(ident, match, "25.00") for (ident, _, _), (match, _) in zip(found, positions,
                                                                                          strict=True)]


def test_fill_in_multiple_blanks_lists_only_right_answers(kitchen_tasks: Quiz) -> None:
    _, element = items_by_id(kitchen_tasks)["cleaning-blanks"]
    fields = metadata(element)
    assert fields["question_type"] == "fill_in_multiple_blanks_question"
    prompt = canvas_reads(element.find(f"{QTI}presentation/{QTI}material"))[0]
    assert "hot, [soapy] water" in prompt and "[minutes] minutes" in prompt and "the [colour] board" in prompt
    found = lids(element)
    # Typed: both spellings; a range [10, 30]: its midpoint; the drop-down: its right option only.
    assert [(ident, name, [text for _, text in labels]) for ident, name, labels in found] == [
        ("response_soapy", "soapy", ["soapy", "sudsy"]), ("response_minutes", "minutes", ["20"]),
        ("response_colour", "colour", ["red"])]
    assert fields["original_answer_ids"] == ",".join(number for _, _, labels in found for number, _ in labels)
    assert adds(element) == [(ident, labels[0][0], "33.33") for ident, _, labels in found]


def test_multiple_dropdowns_offer_every_option(kitchen_tasks: Quiz) -> None:
    _, element = items_by_id(kitchen_tasks)["choice-blanks"]
    assert metadata(element)["question_type"] == "multiple_dropdowns_question"
    found = lids(element)
    assert [(ident, [text for _, text in labels]) for ident, _, labels in found] == [
        ("response_fire", ["pan", "paper", "electrical"]), ("response_water", ["water", "a blanket", "a lid"])]
    assert adds(element) == [("response_fire", found[0][2][0][0], "50.00"),
                             ("response_water", found[1][2][0][0], "50.00")]


BLANKS_ITEM = """\
id: q1
type: fill_in_blanks
prompt: "[[response_a]], [[blank_response_a]] and [[Response_b]] & [[c]]"
blanks:
  response_a: {options: [x, y], correct: y}
  blank_response_a: {options: [x, y], correct: x}
  Response_b: {options: [x, y], correct: x}
  c: {options: [x, y], correct: y}
"""


def test_blank_names_canvas_cannot_take_are_renamed(tmp_path: Path) -> None:
    make_project(tmp_path, {"q1.yaml": BLANKS_ITEM})
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    (element,) = parts(quiz)[1].findall(f".//{QTI}item")
    assert [(ident, name) for ident, name, _ in lids(element)] == [
        ("response_blank2_response_a", "blank2_response_a"), ("response_blank_response_a", "blank_response_a"),
        ("response_blank_Response_b", "blank_Response_b"), ("response_c", "c")]
    prompt = canvas_reads(element.find(f"{QTI}presentation/{QTI}material"))[0]
    assert prompt == "[blank2_response_a], [blank_response_a] and [blank_Response_b] & [c]"


CASE_BLANK = """\
id: q1
type: fill_in_blanks
prompt: "Sodium is [[symbol]] ([[number]])."
blanks:
  symbol: {answers: [Na], case_sensitive: true}
  number: {value: 11, tolerance: 0}
"""


def test_case_sensitive_blanks_are_warned(tmp_path: Path) -> None:
    make_project(tmp_path, {"q1.yaml": CASE_BLANK})
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    warnings = {w.message: w.item_ids for w in build(quiz).warnings}
    assert warnings["Canvas compares typed answers in any case; case_sensitive: true is not kept (an answer that "
                    "differs only in case is accepted)"] == ("q1",)
    assert not any("number blank" in message for message in warnings)  # 11 exactly: nothing lost


def test_new_type_warnings(kitchen_tasks: Quiz) -> None:
    warnings = {w.message: w.item_ids for w in build(kitchen_tasks).warnings}
    assert warnings["Canvas grades matching questions per match; scoring: all_or_nothing is not kept (each right "
                    "match, or step in its place, earns its share of the points)"] == ("washing-order",)
    assert warnings["Canvas Classic Quizzes have no ordering question; it is written as a matching question, each "
                    "step matched with its position (1, 2, ...) and scored per step"] == (
        "closing-steps", "washing-order")
    assert warnings["Canvas cannot mix drop-down blanks with typed or number blanks in one question; the drop-downs "
                    "become typed blanks that accept their right option as text"] == ("cleaning-blanks",)
    assert warnings["Canvas compares a fill-in blank as text; a number blank accepts only its value as written, "
                    "with no tolerance (a range: only its midpoint)"] == ("cleaning-blanks",)
    assert not any("plain text" in message for message in warnings)


def canvas_parts_points(item: Item, element: etree._Element, chosen: dict[str, str]) -> float:
    """The points Canvas gives, from the conditions as its importer reads them: ``chosen`` maps each
    response_lid to the answer id picked (matching, drop-downs) or the text typed (fill-in blanks,
    where every answer written for a blank is right, compared trimmed and in any case)."""
    typed = metadata(element)["question_type"] == "fill_in_multiple_blanks_question"
    labels = {ident: dict(found) for ident, _, found in lids(element)}
    total = 0.0
    for respident, answer, add in adds(element):
        given = chosen.get(respident, "")
        right = (given.strip().lower() in {t.lower() for t in labels[respident].values()} if typed
                 else given == answer)
        total += float(add) if right else 0.0
    return item.points * total / 100


def test_canvas_gives_each_right_part_what_lmspack_does(kitchen_tasks: Quiz) -> None:
    """For every matching, ordering and blanks item: each part right on its own, all right and none
    right score in Canvas's conditions what builder/scoring.py gives (to the two decimals of a
    percent Canvas writes each share in: three shares of 33.33 make 99.99), except all_or_nothing,
    which Canvas cannot keep (warned)."""
    for item, element in items_by_id(kitchen_tasks).values():
        interaction = item.interaction
        found = lids(element)
        cases: list[tuple[object, dict[str, str]]] = []
        if isinstance(interaction, MatchingInteraction | OrderingInteraction):
            # Left side (or step) k given match (or place) m: those in `right` their own, the others
            # each the next wrong one's, so that an ordering stays a permutation.
            n = len(found)
            ids = interaction.left_ids if isinstance(interaction, MatchingInteraction) else interaction.step_ids
            for right in [{k} for k in range(n)] + [set(range(n)), set()]:
                wrong = [k for k in range(n) if k not in right]
                picks = {k: k for k in right} | {k: wrong[(i + 1) % len(wrong)] for i, k in enumerate(wrong)}
                chosen = {found[k][0]: found[k][2][m][0] for k, m in picks.items()}
                if isinstance(interaction, MatchingInteraction):
                    response: object = {ids[k]: f"R{m + 1}" for k, m in picks.items()}
                else:  # the step in place m is step k
                    order = [""] * n
                    for k, m in picks.items():
                        order[m] = ids[k]
                    response = order
                cases.append((response, chosen))
        else:
            assert isinstance(interaction, FillInBlanksInteraction)
            dropdowns = metadata(element)["question_type"] == "multiple_dropdowns_question"
            rights = {blank.name: (blank.options[blank.correct] if isinstance(blank, ChoiceBlank)
                                   else blank.answers[0] if isinstance(blank, TextBlank)
                                   else found[k][2][0][1])
                      for k, blank in enumerate(interaction.blanks)}
            for right in [{b.name} for b in interaction.blanks] + [set(rights), set()]:
                response = {name: text if name in right else "wrong" for name, text in rights.items()}
                chosen = {}
                for (ident, _, labels), blank in zip(found, interaction.blanks, strict=True):
                    text = response[blank.name]
                    picked = next((number for number, label in labels if label == text), "0")
                    chosen[ident] = picked if dropdowns else text
                cases.append((response, chosen))
        for response, chosen in cases:
            points = score(item, response)  # type: ignore[arg-type]
            canvas = canvas_parts_points(item, element, chosen)
            if getattr(interaction, "scoring", "") == "all_or_nothing" and 0 < canvas < item.points:
                assert points == 0, (item.id, response)
            else:
                # Each share is rounded to 0.01 %: n of them are off by 0.005 % each at most.
                assert abs(points - canvas) <= item.points * 0.00005 * len(found) + 1e-9, (item.id, response)


def test_every_answer_canvas_stores_as_right_is_right_in_lmspack(kitchen_tasks: Quiz) -> None:
    """Fill-in blanks: Canvas takes every answer written as right, so each must be right here too."""
    item, element = items_by_id(kitchen_tasks)["cleaning-blanks"]
    assert isinstance(item.interaction, FillInBlanksInteraction)
    for (_, _, labels), blank in zip(lids(element), item.interaction.blanks, strict=True):
        assert all(blank_right(blank, text) for _, text in labels), blank.name


SPECIAL_PARTS = {
    "m1.yaml": f"""\
id: m1
type: matching
prompt: Match.
pairs:
  - left: '{SPECIAL.replace("'", "''")}'
    right: '{SPECIAL.replace("'", "''")}'
  - left: '**{SPECIAL.replace("'", "''")}** 2'
    right: '**bold** right'
""",
    "b1.yaml": f"""\
id: b1
type: fill_in_blanks
prompt: 'Type [[it]].'
blanks:
  it: {{answers: ['{SPECIAL.replace("'", "''")}']}}
""",
}


def test_part_texts_arrive_as_written(tmp_path: Path) -> None:
    """Quotes, &, <, accents, Arabic and emoji in left sides, matches and blank answers reach Canvas
    as written; a formatted match keeps its text, and the build names the item that loses its bold."""
    make_project(tmp_path, SPECIAL_PARTS, quiz=QUIZ_YAML + "items: [m1, b1]\n")
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    matching, blanks = parts(quiz)[1].findall(f".//{QTI}item")
    lefts = [canvas_reads(lid.find(f"{QTI}material")) for lid in matching.iter(f"{QTI}response_lid")]
    assert lefts == [(SPECIAL, None), (f"{SPECIAL} 2", f"{SPECIAL} 2")]
    assert [text for _, text in lids(matching)[0][2]] == [SPECIAL, "bold right"]
    assert [text for _, text in lids(blanks)[0][2]] == [SPECIAL]
    warnings = {w.message: w.item_ids for w in build(quiz).warnings}
    assert warnings["Canvas matching questions show the right-hand options as plain text; their formatting is "
                    "left out"] == ("m1",)


# ---- media, formulas and tables ---------------------------------------------------------------------

FILE_BASE = "$IMS-CC-FILEBASE$/"
# Every formula of the kitchen-media quiz, as its YAML writes it.
KITCHEN_FORMULAS = {r"c = \frac{m}{V}", "m = 50", "V = 10", r"c \geq 4 \text{ and } c \leq 6", r"\frac{50}{10} = 5",
                    "m / V", "c = m / V = 50 / 10 = 5", r"4 \leq c \leq 6", "63", r"\leq 5"}


def html_texts(assessment: etree._Element) -> list[etree._Element]:
    """Every text/html mattext of an assessment, parsed as the HTML Canvas reads (each in a <div>)."""
    return [html.fragment_fromstring(mattext_element.text, create_parent="div")
            for mattext_element in assessment.iter(f"{QTI}mattext") if mattext_element.get("texttype") == "text/html"]


def references(assessment: etree._Element) -> list[str]:
    """Every src, href and data attribute in the HTML of an assessment."""
    return [value for fragment in html_texts(assessment) for element in fragment.iter()
            for name in ("src", "href", "data") if (value := element.get(name)) is not None]


def test_golden_kitchen_media(kitchen_media: Quiz) -> None:
    """Media, formulas and tables: the kitchen-media test quiz's XML files; its media files are the
    quiz folder's own bytes."""
    for name, data in members(kitchen_media).items():
        if name.startswith("web_resources/"):
            assert data == (kitchen_media.directory / name.split("/", 2)[2]).read_bytes(), name
            continue
        golden = "assessment.xml" if re.fullmatch(r"(g[0-9a-f]{32})/\1\.xml", name) else Path(name).name
        assert_golden(f"canvas/kitchen-media/{golden}", data)


def test_media_package_passes_the_validator_and_the_official_schema(
        kitchen_media: Quiz, package_validator: ModuleType, official_schema, tmp_path: Path) -> None:
    assert check(kitchen_media) == []
    assert_valid_package(kitchen_media, package_validator, official_schema, tmp_path)
    assert build(kitchen_media).data == build(kitchen_media).data


def test_each_file_is_stored_once_as_a_webcontent_resource(kitchen_media: Quiz) -> None:
    """Every file the package's texts show once under web_resources/<quiz identifier>/, the picture
    that two items and two fields of one item show too, each the href and the one <file> of a
    webcontent resource; not the one only a hint shows (Canvas has no hints, warned)."""
    files = members(kitchen_media)
    stored = [name for name in files if name.startswith("web_resources/")]
    assert stored == [f"web_resources/kitchen-media/{file.name}" for file in kitchen_media.media
                      if file.name != "media/énergie.webp"]
    assert stored.count("web_resources/kitchen-media/media/thermometer.png") == 1
    manifest, assessment, _ = parts(kitchen_media)
    assert [item.id for item in kitchen_media.items if "media/thermometer.png" in {use.name for use in item.media}] \
        == ["fridge-picture", "shelf-matching"]
    assert references(assessment).count(f"{FILE_BASE}kitchen-media/media/thermometer.png") == 3
    resources = manifest.findall("{*}resources/{*}resource")
    ident = assessment.find(f"{QTI}assessment").get("ident")
    assert [r.get("identifier") for r in resources[:2]] == [ident, resources[1].get("identifier")]
    web = resources[2:]
    assert {r.get("type") for r in web} == {"webcontent"}
    assert [unquote(r.get("href")) for r in web] == stored
    assert all([f.get("href") for f in r.findall("{*}file")] == [r.get("href")] for r in web)
    assert all(r.find("{*}dependency") is None for r in web)
    # As Canvas's own export, the assessment names no file as a dependency: its importer takes them all.
    assert [d.get("identifierref") for d in resources[0].findall("{*}dependency")] == [resources[1].get("identifier")]
    hrefs = {r.get("href") for r in web}
    assert "web_resources/kitchen-media/media/fridge%20shelf.jpg" in hrefs  # a letter beyond ASCII: above
    assert len({r.get("identifier") for r in resources}) == len(resources)


def test_manifest_hrefs_escape_what_canvas_would_misread() -> None:
    """'+' would read as a space (CGI.unescape), '%' as an escape; letters beyond ASCII stay
    themselves, which QTIMigrationTool's byte-by-byte decoding would garble."""
    assert manifest_href("web_resources/q/a+b%c#d é(1).png") == "web_resources/q/a%2Bb%25c%23d%20é%281%29.png"
    assert manifest_href("web_resources/q/media/x-y_z.~1.png") == "web_resources/q/media/x-y_z.~1.png"


def test_file_references_resolve_to_files_in_the_package(kitchen_media: Quiz) -> None:
    """Each $IMS-CC-FILEBASE$ reference, decoded, names a file under web_resources/ (what the token
    stands for); no reference to the quiz folder's media/ is left. Every stored file is shown: a file
    only a hint shows is not stored (Canvas has no hints, warned), as no text of the package names it."""
    files = members(kitchen_media)
    found = references(parts(kitchen_media)[1])
    local = [value for value in found if not value.startswith("/equation_images/")]
    assert local and all(value.startswith(FILE_BASE + "kitchen-media/") for value in local), local
    shown = {"web_resources/" + unquote(value[len(FILE_BASE):]) for value in local}
    assert shown <= set(files)
    assert {name for name in files if name.startswith("web_resources/")} == shown
    assert "web_resources/kitchen-media/media/fridge shelf.jpg" in shown


def test_cohorts_share_the_quiz_folder(kitchen_media: Quiz) -> None:
    """A cohort's package is another quiz in Canvas, with the same files in the same place."""
    cohort = dataclasses.replace(kitchen_media, cohort="evening")
    assert parts(cohort)[1].find(f"{QTI}assessment").get("ident") != \
        parts(kitchen_media)[1].find(f"{QTI}assessment").get("ident")
    def files(quiz: Quiz) -> list[tuple[str, str]]:
        return [(r.get("identifier"), r.get("href")) for r in parts(quiz)[0].findall("{*}resources/{*}resource")[2:]]
    assert files(cohort) == files(kitchen_media)
    assert references(parts(cohort)[1]) == references(parts(kitchen_media)[1])


def test_formulas_are_canvas_equation_images(kitchen_media: Quiz) -> None:
    """Each formula as the image Canvas's equation editor writes: the TeX as written in
    data-equation-content and the title, 'LaTeX: ' and the TeX as alt, the TeX encoded twice in the
    URL of Canvas's /equation_images/ route; no MathML left."""
    assessment = parts(kitchen_media)[1]
    images = [img for fragment in html_texts(assessment) for img in fragment.iter("img")
              if img.get("class") == "equation_image"]
    assert {img.get("data-equation-content") for img in images} == KITCHEN_FORMULAS
    for img in images:
        tex = img.get("data-equation-content")
        assert img.get("title") == tex and img.get("alt") == f"LaTeX: {tex}"
        assert img.get("src") == f"/equation_images/{quote(quote(tex, safe=''), safe='')}?scale=1"
        assert unquote(unquote(img.get("src")[len("/equation_images/"):-len("?scale=1")])) == tex
    assert not [math for fragment in html_texts(assessment) for math in fragment.iter("{*}math", "math")]
    assert "<math" not in etree.tostring(assessment, encoding="unicode").replace("&lt;", "<")


def test_audio_and_video_are_players(kitchen_media: Quiz) -> None:
    assessment = parts(kitchen_media)[1]
    players = [(element.tag, element.get("src"), element.get("controls")) for fragment in html_texts(assessment)
               for element in fragment.iter("audio", "video", "object")]
    assert players == [(tag, f"{FILE_BASE}kitchen-media/media/{name}", "controls") for tag, name in [
        ("audio", "bell.mp3"), ("audio", "alarm.m4a"), ("audio", "timer.ogg"), ("video", "handwashing.webm"),
        ("video", "knife.mp4")]]


def test_tables_keep_their_structure_with_alignment_as_style(kitchen_media: Quiz) -> None:
    """Canvas keeps table markup, scope, colspan and a text-align style, but no class."""
    _, element = items_by_id(kitchen_media)["temperature-table"]
    tables = [table for fragment in html_texts(element) for table in fragment.iter("table")]
    assert len(tables) == 2
    pipe, pasted = tables
    assert [cell.get("style") for cell in pipe.iter("th")] == ["text-align: left;", "text-align: right;",
                                                                "text-align: center;"]
    assert pasted.findtext("caption") == "Safe storage, pasted from the policy"
    assert [(cell.get("scope"), cell.get("style")) for cell in pasted.iter("th")] == [
        ("col", None), ("col", "text-align: right;"), ("row", None), ("row", None)]
    assert [cell.get("colspan") for cell in pasted.iter("td")] == [None, None, "2"]
    assert not any(cell.get("class") for table in tables for cell in table.iter("th", "td"))


THERMOMETER = Path(__file__).parent / "quizzes" / "kitchen-media" / "media" / "thermometer.png"
MATCHING_WITH_MEDIA = """\
id: m1
type: matching
prompt: Match each.
pairs:
  - left: Fridge ![a thermometer](thermometer.png)
    right: A reading of ![a thermometer at 4 degrees](thermometer.png)
  - left: Square
    right: $x^2 < y$
  - left: Bold
    right: "**bold** right"
"""


def test_matches_take_plain_text_only(tmp_path: Path) -> None:
    """A matching question's matches are plain text in Canvas: an image there becomes its alt text,
    a formula its TeX in MathJax's delimiters; each loss warned, naming the item. The left sides
    are HTML, their image a file of the package."""
    folder = make_project(tmp_path, {"m1.yaml": MATCHING_WITH_MEDIA}, quiz=QUIZ_YAML + "items: [m1]\n")
    (folder / "thermometer.png").write_bytes(THERMOMETER.read_bytes())
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    (element,) = parts(quiz)[1].findall(f".//{QTI}item")
    assert [text for _, text in lids(element)[0][2]] == ["A reading of a thermometer at 4 degrees", r"\(x^2 < y\)",
                                                         "bold right"]
    assert references(element) == [f"{FILE_BASE}demo/thermometer.png"]
    assert "web_resources/demo/thermometer.png" in members(quiz)
    warnings = {w.message: w.item_ids for w in build(quiz).warnings}
    assert warnings["Canvas matching questions show the right-hand options as plain text; their formatting is "
                    "left out"] == ("m1",)
    assert warnings["Canvas matching questions show the right-hand options as plain text; an image, audio or "
                    "video there is left out, its text alternative shown in its place"] == ("m1",)
    assert warnings["Canvas matching questions show the right-hand options as plain text; a formula there is "
                    "shown as its TeX between \\( and \\), which Canvas does not typeset in the options' list"] \
        == ("m1",)


def test_formatting_warning_leaves_media_and_formulas_to_their_own(tmp_path: Path) -> None:
    text = MATCHING_WITH_MEDIA.replace('"**bold** right"', "plain right")
    folder = make_project(tmp_path, {"m1.yaml": text}, quiz=QUIZ_YAML + "items: [m1]\n")
    (folder / "thermometer.png").write_bytes(THERMOMETER.read_bytes())
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    assert not any("formatting is left out" in w.message for w in build(quiz).warnings)
