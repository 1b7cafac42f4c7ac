"""The QTI 2.1 content package: golden files, official schemas and validate_package.py, scoring
agreement with builder.scoring, settings, Canvas's importer rules, reproducibility."""

from __future__ import annotations

import dataclasses
import io
import itertools
import math
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, unquote_plus

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from markupsafe import Markup

from builder.cache import NO_CACHE
from builder.errors import OutputInvalidError
from builder.formats import qti21
from builder.formats.richtext import media_names
from builder.model import (
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
    Pool,
    Quiz,
    ShortAnswerInteraction,
    TextAnswer,
    TextBlank,
)
from builder.rendering import check_xml, safe_parser
from builder.scoring import choice_weights, matching_numeric_answer, matching_text_answer, score
from tests.conftest import assert_golden, assert_valid_package
from tests.projects import choice_quiz, with_interaction

NS = {"qti": "http://www.imsglobal.org/xsd/imsqti_v2p1", "cp": "http://www.imsglobal.org/xsd/imscp_v1p1"}
MATHML = "http://www.w3.org/1998/Math/MathML"


def members(quiz: Quiz) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(qti21.build(quiz).data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, safe_parser())


def with_settings(quiz: Quiz, **changes: object) -> Quiz:
    """The quiz with these settings, as if quiz.yaml wrote them (Settings.written)."""
    return dataclasses.replace(quiz, settings=dataclasses.replace(
        quiz.settings, **changes, written=quiz.settings.written | set(changes)))


def item_doc(quiz: Quiz, item: Item) -> etree._Element:
    return parse(qti21.assessment_item(item, qti21.item_options(quiz)))


def test_package_layout_and_name(warm_handoff: Quiz) -> None:
    output = qti21.build(warm_handoff)
    assert output.filename == "warm-handoff-1.0.0-qti21.zip"
    assert list(members(warm_handoff)) == [
        "imsmanifest.xml", "items/warm-handoff-definition.xml", "items/warm-handoff-email-summary.xml",
        "items/warm-handoff-benefits.xml", "items/warm-handoff-continuity.xml", "items/warm-handoff-introduction.xml",
        "items/warm-handoff-steps.xml", "items/warm-handoff-referrals.xml", "items/warm-handoff-diagram.xml",
        "assessment-test.xml", "items/media/images/warm-handoff-diagram.png"]


def test_golden_files(warm_handoff: Quiz) -> None:
    for name, data in members(warm_handoff).items():
        if name.startswith(qti21.MEDIA_FOLDER):  # the diagram, as it is in the quiz folder
            assert data == (warm_handoff.directory / name.removeprefix(qti21.MEDIA_FOLDER)).read_bytes()
        else:
            assert_golden(f"qti21/{name}", data)


def test_golden_files_of_every_item_type(kitchen_safety: Quiz) -> None:
    files = members(kitchen_safety)
    assert list(files) == ["imsmanifest.xml", *(f"items/{item.id}.xml" for item in kitchen_safety.items),
                           "assessment-test.xml"]
    for name, data in files.items():
        assert_golden(f"qti21/kitchen-safety/{name}", data)


def test_package_passes_independent_validator(warm_handoff: Quiz, kitchen_safety: Quiz, package_validator,
                                              tmp_path: Path) -> None:
    for quiz in (warm_handoff, _pooled(warm_handoff), kitchen_safety):
        path = tmp_path / qti21.build(quiz).filename
        path.write_bytes(qti21.build(quiz).data)
        assert_valid_package(package_validator, path, kind="qti21")


def test_every_file_valid_against_official_schema(warm_handoff: Quiz, kitchen_safety: Quiz, official_schema) -> None:
    validator = official_schema("qti21/qti21_umbrella.xsd")
    for quiz in (warm_handoff, _pooled(warm_handoff), kitchen_safety):
        for name, data in members(quiz).items():
            if name.endswith(".xml"):
                assert validator.validate(parse(data)), f"{name}: {validator.error_log}"


def test_manifest_declares_every_file_and_dependency(warm_handoff: Quiz) -> None:
    files = members(warm_handoff)
    manifest = parse(files["imsmanifest.xml"])
    assert manifest.find("cp:organizations", NS) is not None
    assert "http://www.imsglobal.org/xsd/imsqti_v2p1" in manifest.nsmap.values()
    listed = {f.get("href") for f in manifest.iterfind(".//cp:file", NS)}
    assert listed == {name for name in files if name != "imsmanifest.xml"}
    items = manifest.findall(".//cp:resource[@type='imsqti_item_xmlv2p1']", NS)
    (test,) = manifest.findall(".//cp:resource[@type='imsqti_test_xmlv2p1']", NS)
    depends_on = [d.get("identifierref") for d in test.iterfind("cp:dependency", NS)]
    assert depends_on == [r.get("identifier") for r in items]


def test_own_schema_rejects_an_invalid_item(warm_handoff: Quiz) -> None:
    data = qti21.assessment_item(warm_handoff.items[0], qti21.item_options(warm_handoff))
    broken = data.replace(b'maxChoices="1"', b'maxChoices="many"')
    with pytest.raises(OutputInvalidError, match="maxChoices"):
        check_xml(broken, qti21.ITEM_SCHEMA, "item.xml")
    no_body = re.sub(rb"<itemBody>.*</itemBody>", b"", data, flags=re.S)
    with pytest.raises(OutputInvalidError, match="responseProcessing"):
        check_xml(no_body, qti21.ITEM_SCHEMA, "item.xml")


def test_own_manifest_schema_rejects_a_dangling_dependency(warm_handoff: Quiz) -> None:
    data = members(warm_handoff)["imsmanifest.xml"]
    broken = data.replace(b'<dependency identifierref="RES-ITEM-warm-handoff-benefits"/>',
                          b'<dependency identifierref="RES-ITEM-nowhere"/>')
    with pytest.raises(OutputInvalidError):
        check_xml(broken, qti21.MANIFEST_SCHEMA, "imsmanifest.xml")


def test_template_output_that_is_not_well_formed_names_the_template(warm_handoff: Quiz) -> None:
    item = dataclasses.replace(warm_handoff.items[0], prompt=Markup("<p>unclosed"))
    with pytest.raises(OutputInvalidError) as caught:
        qti21.assessment_item(item, qti21.item_options(warm_handoff))
    message = str(caught.value)
    assert "items/warm-handoff-definition.xml (from template qti21/assessment_item.xml)" in message
    assert "not well-formed" in message


def test_template_output_that_breaks_the_schema_names_template_and_line(warm_handoff: Quiz) -> None:
    item = dataclasses.replace(warm_handoff.items[0], prompt=Markup('<ol start="3"><li>three</li></ol>'))
    with pytest.raises(OutputInvalidError) as caught:
        qti21.assessment_item(item, qti21.item_options(warm_handoff))
    (problem,) = caught.value.problems
    assert problem.path == "items/warm-handoff-definition.xml (from template qti21/assessment_item.xml)"
    valid = qti21.assessment_item(warm_handoff.items[0], qti21.item_options(warm_handoff)).decode().splitlines()
    prompt_line = next(n for n, line in enumerate(valid, start=1) if 'class="prompt"' in line)
    assert problem.line == prompt_line and "'start'" in problem.message


def _mapping(doc: etree._Element) -> tuple[dict[str, float], float, float]:
    mapping = doc.find("qti:responseDeclaration/qti:mapping", NS)
    entries = {e.get("mapKey"): float(e.get("mappedValue")) for e in mapping.iterfind("qti:mapEntry", NS)}
    return entries, float(mapping.get("lowerBound")), float(mapping.get("upperBound"))


def test_mapping_equals_choice_weights(warm_handoff: Quiz) -> None:
    warm_handoff = choice_quiz(warm_handoff)
    for item in warm_handoff.items:
        doc = item_doc(warm_handoff, item)
        entries, lower, upper = _mapping(doc)
        assert entries == pytest.approx(choice_weights(item.points, item.interaction)), item.id
        assert (lower, upper) == (0, item.points)
        correct = [v.text for v in doc.iterfind("qti:responseDeclaration/qti:correctResponse/qti:value", NS)]
        assert correct == [c.identifier for c in item.interaction.correct_choices]
        maxscore = doc.find("qti:outcomeDeclaration[@identifier='MAXSCORE']/qti:defaultValue/qti:value", NS)
        assert float(maxscore.text) == item.points


def test_mapresponse_scores_every_response_like_the_model(warm_handoff: Quiz) -> None:
    """QTI mapResponse: sum of the mapped values of the distinct selected choices, then bounded."""
    warm_handoff = choice_quiz(warm_handoff)
    for item in warm_handoff.items:
        entries, lower, upper = _mapping(item_doc(warm_handoff, item))
        ids = [c.identifier for c in item.interaction.choices]
        sizes = range(len(ids) + 1) if item.interaction.kind == "multiple_response" else (1,)
        for size in sizes:
            for selected in itertools.combinations(ids, size):
                mapped = min(max(sum(entries[c] for c in selected), lower), upper)
                assert mapped == pytest.approx(score(item, selected)), (item.id, selected)


def test_interaction_choices_and_feedback(warm_handoff: Quiz) -> None:
    warm_handoff = choice_quiz(warm_handoff)
    single, true_false, multiple = warm_handoff.items
    for item, max_choices, shuffle in ((single, "1", "true"), (true_false, "1", "false"),
                                       (multiple, str(len(multiple.interaction.choices)), "true")):
        interaction = item_doc(warm_handoff, item).find(".//qti:choiceInteraction", NS)
        assert (interaction.get("maxChoices"), interaction.get("shuffle")) == (max_choices, shuffle), item.id
        for choice, element in zip(item.interaction.choices, interaction.iterfind("qti:simpleChoice", NS), strict=True):
            feedback = element.find("qti:feedbackInline", NS)
            assert feedback.get("identifier") == choice.identifier
            assert feedback.get("outcomeIdentifier") == "FEEDBACK"
            assert "".join(feedback.itertext()) == choice.feedback


def test_shuffle_choices_off(warm_handoff: Quiz) -> None:
    quiz = with_settings(warm_handoff, shuffle_choices=False)
    assert item_doc(quiz, quiz.items[0]).find(".//qti:choiceInteraction", NS).get("shuffle") == "false"


def test_hints_are_requested_in_order_and_explanation_follows_the_attempt(warm_handoff: Quiz) -> None:
    item = warm_handoff.items[0]
    assert len(item.hints) == 2
    doc = item_doc(warm_handoff, item)
    buttons = doc.findall(".//qti:endAttemptInteraction", NS)
    assert [b.get("responseIdentifier") for b in buttons] == ["HINTREQUEST_1", "HINTREQUEST_2"]
    assert all(b.get("countAttempt") == "false" for b in buttons)
    branches = doc.findall("qti:responseProcessing/qti:responseCondition/*", NS)
    shown = [[v.text for v in branch.iterfind("qti:setOutcomeValue/qti:multiple/qti:baseValue", NS)]
             for branch in branches[:2]]
    assert shown == [["HINT_1"], ["HINT_1", "HINT_2"]]
    assert branches[2].tag == f"{{{NS['qti']}}}responseElse"
    modal = {m.get("identifier"): m for m in doc.iterfind("qti:modalFeedback", NS)}
    assert list(modal) == ["HINT_1", "HINT_2", "general_explanation"]
    assert "direct, person-to-person introduction" in "".join(modal["HINT_2"].itertext())
    assert "continuity of care" in "".join(modal["general_explanation"].itertext())


def test_item_without_hints_or_explanation(warm_handoff: Quiz) -> None:
    item = dataclasses.replace(warm_handoff.items[0], hints=(), explanation=None)
    doc = item_doc(warm_handoff, item)
    assert doc.find(".//qti:endAttemptInteraction", NS) is None
    assert doc.find("qti:modalFeedback", NS) is None
    assert doc.find("qti:responseProcessing/qti:responseCondition/qti:responseIf/qti:isNull", NS) is not None


# Canvas's QTI 2 importer (instructure/canvas-lms gems/plugins/qti_exporter/lib/qti), as read for
# docs/canvas-qti21.md: modalFeedback identifiers decide the field, in this order.
CANVAS_INCORRECT = re.compile(r"wrong|incorrect|(_IC$)", re.I)
CANVAS_CORRECT = re.compile(r"correct|(_C$)", re.I)
CANVAS_SOLUTION = re.compile(r"solution", re.I)
CANVAS_GENERAL = re.compile(r"general_|_all", re.I)


def _canvas_field(identifier: str) -> str | None:
    for field, pattern in (("incorrect_comments", CANVAS_INCORRECT), ("correct_comments", CANVAS_CORRECT),
                           ("example_solution", CANVAS_SOLUTION), ("neutral_comments", CANVAS_GENERAL)):
        if pattern.search(identifier):
            return field
    return None


def test_canvas_reads_points_feedback_explanation_and_true_false(warm_handoff: Quiz) -> None:
    warm_handoff = choice_quiz(warm_handoff)
    files = members(warm_handoff)
    test = parse(files["assessment-test.xml"])
    assert test.find("qti:testPart", NS).get("identifier") == "BaseTestPart"
    refs = {r.get("identifier"): r for r in test.iterfind(".//qti:assessmentItemRef", NS)}
    for item in warm_handoff.items:
        doc = parse(files[qti21.item_href(warm_handoff.cohort, item)])
        # Questions join the quiz by assessmentItem identifier == assessmentItemRef identifier.
        assert doc.get("identifier") in refs
        weight = refs[doc.get("identifier")].find("qti:weight", NS)
        assert float(weight.get("value")) == item.points
        # With feedbackInline present Canvas takes the answer text from the first child node only.
        for choice, element in zip(item.interaction.choices, doc.iterfind(".//qti:simpleChoice", NS), strict=True):
            first = element[0]
            assert element.text is None and first.tag == f"{{{NS['qti']}}}span"
            assert "".join(first.itertext()) == choice.text
        identifiers = [m.get("identifier") for m in doc.iterfind("qti:modalFeedback", NS)]
        fields = {identifier: _canvas_field(identifier) for identifier in identifiers}
        assert fields.pop("general_explanation") == "neutral_comments"
        assert set(fields.values()) <= {None}  # hints: dropped by Canvas, never mistaken for other comments
        # Question text comes from itemBody > div / p, which must not hold the hint buttons.
        body_blocks = doc.findall("qti:itemBody/qti:div", NS) + doc.findall("qti:itemBody/qti:p", NS)
        assert all(b.find(".//qti:endAttemptInteraction", NS) is None for b in body_blocks)
    true_false = parse(files[qti21.item_href(warm_handoff.cohort, warm_handoff.items[1])])
    match = true_false.find(".//qti:responseCondition//qti:match", NS)
    assert match[0].get("identifier").startswith("TF")
    assert match[1].text == "false"


def test_settings_absent_by_default(warm_handoff: Quiz) -> None:
    test = parse(qti21.assessment_test(warm_handoff, NO_CACHE).inflated())
    assert test.find("qti:timeLimits", NS) is None
    assert test.find(".//qti:selection", NS) is None
    assert test.find(".//qti:ordering", NS) is None
    control = test.find(".//qti:itemSessionControl", NS)
    assert control.get("maxAttempts") == "0"
    assert test.find(".//qti:assessmentSection", NS).get("visible") == "false"


def _pooled(quiz: Quiz) -> Quiz:
    ids = tuple(item.id for item in quiz.items)
    return with_settings(quiz, pools=(Pool("core", "Core", ids[:2], select=1),), seed=7)


def test_settings_appear_when_set(warm_handoff: Quiz) -> None:
    warm_handoff = choice_quiz(warm_handoff)
    quiz = dataclasses.replace(_pooled(warm_handoff), cohort="spring-2027")
    quiz = with_settings(quiz, time_limit=600, attempts=2, shuffle_items=True, feedback="immediately",
                         pass_mark=75)
    test = parse(qti21.assessment_test(quiz, NO_CACHE).inflated())
    assert test.find("qti:timeLimits", NS).get("maxTime") == "600"
    part = test.find("qti:testPart", NS)
    assert part.get("submissionMode") == "individual"
    assert part.find("qti:itemSessionControl", NS).get("maxAttempts") == "2"
    sections = part.findall("qti:assessmentSection", NS)
    assert [s.get("identifier") for s in sections] == ["section-core", "section-unpooled"]
    assert sections[0].find("qti:selection", NS).get("select") == "1"
    assert sections[1].find("qti:selection", NS) is None
    assert all(s.find("qti:ordering", NS).get("shuffle") == "true" for s in sections)
    assert [len(s.findall("qti:assessmentItemRef", NS)) for s in sections] == [2, 1]
    assert test.find(".//qti:outcomeProcessing//qti:product/qti:baseValue", NS).text == "0.75"
    # With a draw the maximum is only known at delivery: no static normalMaximum.
    assert test.find("qti:outcomeDeclaration[@identifier='SCORE']", NS).get("normalMaximum") is None
    messages = [w.message for w in qti21.build(quiz).warnings]
    assert any("seed 7 is not carried" in m for m in messages)
    assert any("within each section" in m for m in messages)
    # A seed quiz.yaml does not write is not named.
    unseeded = dataclasses.replace(quiz, settings=dataclasses.replace(
        quiz.settings, written=quiz.settings.written - {"seed"}))
    (draws,) = [w for w in qti21.warnings(unseeded) if w.code == "qti21-draws-not-seeded"]
    assert "seed" not in draws.message.replace("seeded", "")


def test_feedback_timing(warm_handoff: Quiz) -> None:
    warm_handoff = choice_quiz(warm_handoff)
    expected = {"immediately": ("individual", "true"), "after_submit": ("simultaneous", "true"),
                "never": ("simultaneous", "false")}
    for feedback, (mode, shown) in expected.items():
        test = parse(qti21.assessment_test(with_settings(warm_handoff, feedback=feedback), NO_CACHE).inflated())
        test_part = test.find("qti:testPart", NS)
        control = test_part.find("qti:itemSessionControl", NS)
        assert test_part.get("submissionMode") == mode, feedback
        assert control.get("showFeedback") == control.get("showSolution") == shown, feedback
    assert qti21.warnings(with_settings(warm_handoff, feedback="immediately")) == ()
    after_submit = qti21.warnings(with_settings(warm_handoff, feedback="after_submit"))
    assert [(w.code, w.item_ids) for w in after_submit if "hints" in w.message] == [
        ("qti21-hints-after-submit", tuple(item.id for item in warm_handoff.items if item.hints))]
    assert any("'never'" in w.message for w in qti21.warnings(with_settings(warm_handoff, feedback="never")))


def test_cohort_identifiers_and_file_name(warm_handoff: Quiz) -> None:
    quiz = dataclasses.replace(warm_handoff, cohort="spring-2027")
    assert qti21.build(quiz).filename == "warm-handoff-spring-2027-1.0.0-qti21.zip"
    files = members(quiz)
    assert "items/warm-handoff-definition-spring-2027.xml" in files
    test = parse(files["assessment-test.xml"])
    assert test.get("identifier") == "warm-handoff-spring-2027"
    # Learners see the quiz's title, not the cohort's name; a cohort may give its own.
    assert test.get("title") == "Warm handoffs in Medi-Cal peer support"
    titled = parse(members(dataclasses.replace(quiz, cohort_title="Spring refresher"))["assessment-test.xml"])
    assert (titled.get("identifier"), titled.get("title")) == ("warm-handoff-spring-2027", "Spring refresher")


def test_two_builds_same_bytes(warm_handoff: Quiz) -> None:
    assert qti21.build(warm_handoff).data == qti21.build(warm_handoff).data


def test_every_identifier_the_package_makes_up_is_one_item_ids_cannot_take(warm_handoff: Quiz) -> None:
    """Identifiers not taken from the quiz (its id, item ids, choice ids) are lmspack's own: the
    loader refuses each as an item or quiz id (builder.loading.reserved_use), so that no item can
    share an identifier with a variable, the test part or a section of the test. With a section,
    a rest section, hints and an explanation, in a cohort's package, so every kind is made."""
    first = warm_handoff.items[0]
    pooled = with_settings(warm_handoff, pools=(Pool("intro", "Intro", (first.id,), 1),))
    made_up = _made_up_identifiers(dataclasses.replace(pooled, cohort="spring"))
    assert {"SCORE", "PASS", "BaseTestPart", "section-intro", "section-unpooled", "HINT_1", "HINTREQUEST_1",
            "general_explanation", "FEEDBACKMODAL"} <= made_up
    _assert_reserved(made_up)


def test_typed_items_make_up_only_identifiers_item_ids_cannot_take(kitchen_safety: Quiz) -> None:
    """As above, for the identifiers typed items add: their answers' modalFeedback identifiers."""
    made_up = _made_up_identifiers(dataclasses.replace(kitchen_safety, cohort="spring"))
    assert {"RESPONSE", "FEEDBACK", "ANSWER_1", "ANSWER_3", "other_incorrect"} <= made_up
    _assert_reserved(made_up)


def _made_up_identifiers(quiz: Quiz) -> set[str]:
    """Identifiers in the package's QTI documents that do not come from the quiz (its id, item ids,
    choice ids, and the model's own ids of left sides, options and steps: L1, R1, S1, ...)."""
    taken = {quiz.package_id, *(qti21.item_identifier(quiz.cohort, i) for i in quiz.items),
             *(c.identifier for i in quiz.items if isinstance(i.interaction, ChoiceInteraction)
               for c in i.interaction.choices),
             *(identifier for item in quiz.items for identifier in _part_ids(item))}
    made_up: set[str] = set()
    for name, data in members(quiz).items():
        if name == "imsmanifest.xml" or name.startswith(qti21.MEDIA_FOLDER):
            continue  # its identifiers are xs:IDs with prefixes of their own (RES-ITEM-, RES-TEST-, MANIFEST-)
        root = parse(data)
        for element in root.iter():
            for attribute in ("identifier", "outcomeIdentifier", "variableIdentifier", "responseIdentifier"):
                if element.get(attribute) is not None:
                    made_up.add(element.get(attribute))
        made_up.update(value.text for value in root.iter(f"{{{NS['qti']}}}baseValue")
                       if value.get("baseType") == "identifier")
    return made_up - taken


def _assert_reserved(made_up: set[str]) -> None:
    from builder.loading import reserved_use

    assert [name for name in sorted(made_up) if reserved_use(name, "item") is None] == []
    assert [name for name in sorted(made_up) if name.startswith(("section-", "BaseTestPart", "PASS", "WEIGHT"))
            or reserved_use(name, "choice") is not None] == sorted(made_up)


# --- A QTI 2.1 response-processing evaluator, for the rules and expressions lmspack emits -------------
# It follows the QTI 2.1 information model: NULL (None) propagates through operators; an empty string
# response is NULL, and so is an empty container; a multiple container is a frozenset, an ordered one
# a tuple, a directedPair a (source, destination) tuple; match compares containers (a set as a set,
# an ordered container in order); index n of an ordered container is its nth value, NULL past its end;
# mapResponse maps each distinct value of a container once; or is true when any operand is true, NULL
# when none is and one is NULL; responseIf/responseElseIf take the first condition that is true (NULL is not);
# equal with toleranceMode absolute holds for x - t0 <= y <= x + t1 (x: the first expression),
# relative for x * (1 - t0/100) <= y <= x * (1 + t1/100). Case-insensitive comparison is not
# defined by QTI; like a Java engine's equalsIgnoreCase, this one lower-cases both sides.

Q = f"{{{NS['qti']}}}"
# xs:double, as a QTI player reads a float response (whitespace collapsed, so trimmed).
XS_DOUBLE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|-?INF|NaN")


def qti_response(doc: etree._Element, typed: str) -> str | float | None:
    """The value a QTI player gives RESPONSE for text typed in the item's text box (None: NULL)."""
    base_type = doc.find("qti:responseDeclaration[@identifier='RESPONSE']", NS).get("baseType")
    if base_type == "float":
        text = typed.strip(" \t\r\n")
        return float(text) if XS_DOUBLE.fullmatch(text) else None  # a player refuses anything else
    return typed or None


def run_response_processing(doc: etree._Element, responses: dict[str, object]) -> dict[str, object]:
    """The item's outcome values after response processing of ``responses``."""
    variables: dict[str, object] = dict(responses)
    for declaration in doc.iterfind("qti:outcomeDeclaration", NS):
        default = declaration.find("qti:defaultValue/qti:value", NS)
        variables[declaration.get("identifier")] = (
            None if default is None else _typed_value(declaration.get("baseType"), default.text))
    for rule in doc.find("qti:responseProcessing", NS):
        _run_rule(doc, rule, variables)
    return variables


def _typed_value(base_type: str, text: str) -> object:
    match base_type:
        case "float":
            return float(text)
        case "boolean":
            return text == "true"
        case "string" | "identifier":
            return text
        case "directedPair":
            source, destination = text.split()
            return source, destination
    raise AssertionError(f"baseType {base_type} not evaluated")


def _correct_value(doc: etree._Element, identifier: str) -> object:
    declaration = doc.find(f"qti:responseDeclaration[@identifier='{identifier}']", NS)
    values = [_typed_value(declaration.get("baseType"), v.text)
              for v in declaration.iterfind("qti:correctResponse/qti:value", NS)]
    match declaration.get("cardinality"):
        case "multiple":
            return frozenset(values)
        case "ordered":
            return tuple(values)
    (value,) = values
    return value


def _run_rule(doc: etree._Element, rule: etree._Element, variables: dict[str, object]) -> None:
    if rule.tag == f"{Q}setOutcomeValue":
        (expression,) = rule
        variables[rule.get("identifier")] = _evaluate(doc, expression, variables)
        return
    assert rule.tag == f"{Q}responseCondition", rule.tag
    for branch in rule:
        if branch.tag == f"{Q}responseElse":
            rules = list(branch)
        elif _evaluate(doc, branch[0], variables) is True:
            rules = list(branch)[1:]
        else:
            continue
        for inner in rules:
            _run_rule(doc, inner, variables)
        return


def _evaluate(doc: etree._Element, expression: etree._Element, variables: dict[str, object]) -> object:
    tag = expression.tag.removeprefix(Q)
    values = [_evaluate(doc, operand, variables) for operand in expression]
    if tag not in ("isNull", "and", "or", "multiple") and None in values:
        return None
    match tag:
        case "baseValue":
            return _typed_value(expression.get("baseType"), expression.text or "")
        case "variable":
            return variables.get(expression.get("identifier"))
        case "mapResponse":
            return _map_response(doc, expression.get("identifier"), variables)
        case "correct":
            return _correct_value(doc, expression.get("identifier"))
        case "index":
            (container,) = values
            n = int(expression.get("n"))
            return container[n - 1] if n <= len(container) else None
        case "sum":
            return sum(values)
        case "isNull":
            return values[0] is None or values[0] in ("", frozenset())
        case "match":
            return values[0] == values[1]
        case "gte":
            return values[0] >= values[1]
        case "lte":
            return values[0] <= values[1]
        case "and":
            return False if False in values else None if None in values else True
        case "or":
            return True if True in values else None if None in values else False
        case "multiple":
            return frozenset(v for v in values if v is not None) or None
        case "stringMatch":
            assert expression.get("substring") is None
            if expression.get("caseSensitive") == "true":
                return values[0] == values[1]
            return values[0].lower() == values[1].lower()
        case "equal":
            x, y = values
            mode = expression.get("toleranceMode", "exact")
            if mode == "exact":
                return x == y
            t0, t1 = (float(t) for t in (expression.get("tolerance").split() * 2)[:2])
            low, high = (x - t0, x + t1) if mode == "absolute" else (x * (1 - t0 / 100), x * (1 + t1 / 100))
            return low <= y <= high
    raise AssertionError(f"expression {tag} not evaluated")


def _map_response(doc: etree._Element, identifier: str, variables: dict[str, object]) -> float:
    declaration = doc.find(f"qti:responseDeclaration[@identifier='{identifier}']", NS)
    mapping = declaration.find("qti:mapping", NS)
    value = variables.get(identifier)
    chosen = [] if value is None else sorted(value) if isinstance(value, frozenset) else [value]

    def mapped(one: object) -> float:
        for entry in mapping.iterfind("qti:mapEntry", NS):
            key = _typed_value(declaration.get("baseType"), entry.get("mapKey"))
            if key == one or (entry.get("caseSensitive") == "false" and str(key).lower() == str(one).lower()):
                return float(entry.get("mappedValue"))
        return float(mapping.get("defaultValue"))

    total = sum(mapped(one) for one in chosen)
    return min(max(total, float(mapping.get("lowerBound"))), float(mapping.get("upperBound")))


def qti_outcomes(doc: etree._Element, typed: str) -> dict[str, object]:
    """SCORE, FEEDBACK and FEEDBACKMODAL after the learner submits ``typed`` (no hint requested)."""
    return submitted(doc, {"RESPONSE": qti_response(doc, typed)})


def submitted(doc: etree._Element, responses: dict[str, object]) -> dict[str, object]:
    """The outcomes after the learner submits these responses (no hint requested)."""
    hints = {d.get("identifier"): False for d in doc.iterfind("qti:responseDeclaration", NS)
             if d.get("identifier").startswith("HINTREQUEST_")}
    return run_response_processing(doc, {**responses, **hints})


def expected_feedback(item: Item, typed: str, language: str) -> str | None:
    """The FEEDBACK identifier the model's matching answer (or none) calls for."""
    interaction = item.interaction
    match interaction:
        case ShortAnswerInteraction():
            answer = matching_text_answer(interaction, typed)
        case NumericInteraction():
            answer = matching_numeric_answer(interaction, typed, language)
        case _:
            raise AssertionError(item.id)
    if answer is None:
        return qti21.OTHER_FEEDBACK_ID if interaction.other_feedback is not None else None
    index = interaction.answers.index(answer) + 1
    return qti21.ANSWER_FEEDBACK_ID.format(index) if answer.feedback is not None else None


def whitespace_folded(typed: str) -> bool:
    return typed == " ".join(typed.split())


def assert_agrees(quiz: Quiz, item: Item, typed: str) -> None:
    """The QTI package scores ``typed`` as builder.scoring does, and shows the same feedback; except
    that QTI compares a typed answer as typed, so one with spaces to fold matches no answer (warned)."""
    doc = item_doc(quiz, item)
    outcomes = qti_outcomes(doc, typed)
    folds = isinstance(item.interaction, ShortAnswerInteraction) and not whitespace_folded(typed)
    expected_score = 0.0 if folds else score(item, typed, quiz.language)
    assert outcomes["SCORE"] == pytest.approx(expected_score, abs=1e-9), (item.id, typed)
    if isinstance(item.interaction, ShortAnswerInteraction | NumericInteraction):
        feedback = (qti21.OTHER_FEEDBACK_ID if item.interaction.other_feedback is not None else None) if folds \
            else expected_feedback(item, typed, quiz.language)
        assert outcomes.get("FEEDBACK") == feedback, (item.id, typed)
    if item.explanation is not None:
        assert outcomes["FEEDBACKMODAL"] == {qti21.EXPLANATION_ID}


def case_and_space_variants(text: str) -> Iterator[str]:
    for variant in (text, text.upper(), text.lower(), text.title(), text.swapcase()):
        yield from (variant, f" {variant}", f"{variant} ", f"\t{variant}\n", variant.replace(" ", "  "),
                    variant.replace("-", " "), variant[:-1], f"{variant}s")


def numbers_around(low: float, high: float) -> Iterator[str]:
    """Texts of numbers on, just inside and just outside the interval, and its middle."""
    for bound in (low, high):
        for value in (bound, math.nextafter(bound, -math.inf), math.nextafter(bound, math.inf)):
            yield repr(value)
    yield repr(low + (high - low) / 2)


NOT_NUMBERS = ("", " ", "abc", "1,5", "1 000", "--1", "1e", "e1", "0x10", "∞", "INF", "-INF", "NaN", "1e400",
               "twenty", "20 seconds", "+", ".", "5.", ".5", "+5", " 20 ", "2e1", "20.000", "-0")


def typed_responses(item: Item) -> Iterator[str]:
    match item.interaction:
        case ShortAnswerInteraction() as short:
            for answer in short.answers:
                yield from case_and_space_variants(answer.text)
            yield from ("", " ", "x", "Na ", "NA", "na", "nA", "cross  contamination", "cross\u00a0contamination")
        case NumericInteraction() as numeric:
            for answer in numeric.answers:
                yield from numbers_around(*answer.bounds)
                if answer.value is not None:
                    yield from (f"{answer.value:g}", f"{answer.value:e}", f"{answer.value:.3f}")
            yield from NOT_NUMBERS
        case EssayInteraction():
            yield from ("", "First, I would dry the floor.", "x" * 500)
        case ChoiceInteraction() as choice:
            yield from (c.identifier for c in choice.choices)
        case _:
            raise AssertionError(item.id)


def test_response_processing_scores_and_gives_feedback_as_the_model(kitchen_safety: Quiz) -> None:
    """Every item of every type, with a table of responses: exact answers, case and space variants,
    numbers on, inside and outside each bound, texts that are not numbers."""
    checked = 0
    for item in kitchen_safety.items:
        for typed in typed_responses(item):
            assert_agrees(kitchen_safety, item, typed)
            checked += 1
    assert checked > 250


def test_case_and_spaces_of_a_short_answer(kitchen_safety: Quiz) -> None:
    by_id = {item.id: item for item in kitchen_safety.items}
    insensitive, sensitive = item_doc(kitchen_safety, by_id["cross-contamination"]), \
        item_doc(kitchen_safety, by_id["sodium-symbol"])
    assert qti_outcomes(insensitive, "CROSS-Contamination")["SCORE"] == 2
    assert qti_outcomes(insensitive, "Contamination")["SCORE"] == 1
    assert qti_outcomes(sensitive, "Na")["SCORE"] == 1
    assert qti_outcomes(sensitive, "NA")["SCORE"] == 0
    # Not folded by QTI (lmspack scores these 1 and 2): the warning's case.
    assert qti_outcomes(sensitive, " Na")["SCORE"] == 0
    assert score(by_id["sodium-symbol"], " Na") == 1
    assert qti_outcomes(insensitive, "cross  contamination")["SCORE"] == 0


def test_case_folding_beyond_lower_case_is_the_players(kitchen_safety: Quiz) -> None:
    """lmspack folds case with Unicode case folding (ß is ss); QTI leaves case-insensitive comparison
    to the player, and one that lower-cases both sides (as Java's equalsIgnoreCase does) does not
    take STRASSE for Straße (docs/canvas-qti21.md says so)."""
    short = next(item for item in kitchen_safety.items if item.id == "cross-contamination")
    item = with_interaction(short, answers=(TextAnswer("Straße", 100, None),))
    assert score(item, "STRASSE") == item.points
    assert qti_outcomes(item_doc(kitchen_safety, item), "STRASSE")["SCORE"] == 0
    assert qti_outcomes(item_doc(kitchen_safety, item), "STRAßE")["SCORE"] == item.points


def _numeric_item(quiz: Quiz, answers: list[NumericAnswer], other: str | None) -> Item:
    numeric = next(item for item in quiz.items if isinstance(item.interaction, NumericInteraction))
    return with_interaction(numeric, answers=tuple(answers), other_feedback=Markup(other) if other else None)


NUMBERS = st.one_of(st.integers(-1000, 1000).map(float), st.floats(-1e6, 1e6, allow_nan=False, width=64),
                    st.sampled_from([0.1, 0.2, 0.30000000000000004, 1 / 3, -2.5, 1e-9, 123456.789]))
NUMERIC_ANSWERS = st.one_of(
    st.builds(lambda value, tolerance, relative, credit, feedback: NumericAnswer(
        value, tolerance, relative, None, credit, Markup(feedback) if feedback else None),
        NUMBERS, st.one_of(st.just(0.0), st.floats(0, 100), st.sampled_from([0.5, 5.0, 25.0, 33.3])),
        st.booleans(), st.sampled_from([100.0, 50.0, 33.33, 1.0]), st.sampled_from(["", "Yes."])),
    st.builds(lambda a, b, credit: NumericAnswer(None, 0.0, False, (min(a, b), max(a, b)), credit, None),
              NUMBERS, NUMBERS, st.sampled_from([100.0, 25.0])))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(answers=st.lists(NUMERIC_ANSWERS, min_size=1, max_size=3), other=st.sampled_from(["", "No."]),
       extra=st.lists(NUMBERS.map(repr), max_size=3))
def test_generated_numeric_items_score_as_the_model_on_every_bound(kitchen_safety: Quiz, answers: list[NumericAnswer],
                                                                   other: str, extra: list[str]) -> None:
    """Values, percent and absolute tolerances (negative values too) and ranges: a number on a bound,
    one a step of a float inside or outside it, scores in QTI as in the model."""
    if not any(answer.credit == 100 for answer in answers):  # as the loader takes them: one at full credit
        answers = [dataclasses.replace(answers[0], credit=100.0), *answers[1:]]
    item = _numeric_item(kitchen_safety, answers, other)
    for answer in answers:
        for typed in numbers_around(*answer.bounds):
            assert_agrees(kitchen_safety, item, typed)
    for typed in extra:
        assert_agrees(kitchen_safety, item, typed)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(texts=st.lists(st.text(st.sampled_from("aAbB -\t"), min_size=1, max_size=6).map(str.strip)
                      .filter(bool), min_size=1, max_size=3, unique_by=lambda t: " ".join(t.split()).casefold()),
       case_sensitive=st.booleans(), typed=st.lists(st.text(st.sampled_from("aAbB -\t"), max_size=7), max_size=6))
def test_generated_short_answers_score_as_the_model(kitchen_safety: Quiz, texts: list[str], case_sensitive: bool,
                                                   typed: list[str]) -> None:
    """Answers and responses of a few letters, cases and spaces: the same score and feedback as the
    model, but for responses with spaces to fold (which QTI compares as typed)."""
    short = next(item for item in kitchen_safety.items if isinstance(item.interaction, ShortAnswerInteraction))
    answers = tuple(TextAnswer(text, credit, Markup("Yes.") if n % 2 else None)
                    for n, (text, credit) in enumerate(zip(texts, (100.0, 50.0, 12.5), strict=False)))
    item = with_interaction(short, answers=answers, case_sensitive=case_sensitive)
    for response in [*typed, *(variant for text in texts for variant in case_and_space_variants(text))]:
        assert_agrees(kitchen_safety, item, response)


def test_a_tolerance_is_written_so_that_a_player_computes_the_models_bounds(kitchen_safety: Quiz) -> None:
    """20 ± 25% is 15 to 25: written as equal absolute 5, so that a player computes 15 and 25 as the
    model does (QTI's relative mode would compute 20 * 0.75 and 20 * 1.25, and reverse for -20).
    Where binary arithmetic would miss the model's decimal bounds (-19 ± 63% ends at -7.03, but
    -19 + 11.97 is -7.029999999999999), the answer is written as its range."""
    hand_washing = next(item for item in kitchen_safety.items if item.id == "hand-washing-seconds")
    doc = item_doc(kitchen_safety, hand_washing)
    first = doc.find(".//qti:responseCondition/qti:responseElse/qti:responseCondition/qti:responseIf/qti:equal", NS)
    assert (first.get("toleranceMode"), first.get("tolerance"), first[0].text) == ("absolute", "5", "20")
    negative = _numeric_item(kitchen_safety, [NumericAnswer(-19.0, 63.0, True, None, 100, None)], None)
    assert negative.interaction.answers[0].bounds == (-30.97, -7.03)
    doc = item_doc(kitchen_safety, negative)
    assert doc.find(".//qti:responseProcessing//qti:equal", NS) is None
    for typed in ("-30.97", "-30.970000000000002", "-7.03", "-7.029999999999999", "-7.0299", "-19", "19"):
        assert qti_outcomes(doc, typed)["SCORE"] == score(negative, typed), typed
    assert score(negative, "-19") == 1 and score(negative, "-7.03") == 1 and score(negative, "-7.0299") == 0
    relative = etree.fromstring(f'<equal xmlns="{NS["qti"]}" toleranceMode="relative" tolerance="63">'
                                '<baseValue baseType="float">-19</baseValue><variable identifier="RESPONSE"/></equal>')
    assert _evaluate(doc, relative, {"RESPONSE": -19.0}) is False  # the reversed interval of relative mode


def test_numbers_keep_every_digit(kitchen_safety: Quiz) -> None:
    item = _numeric_item(kitchen_safety, [NumericAnswer(None, 0.0, False, (1e-9, 0.30000000000000004), 100, None),
                                          NumericAnswer(123456789.125, 0.0, False, None, 50, None)], None)
    doc = item_doc(kitchen_safety, item)
    values = [v.text for v in doc.iterfind(".//qti:responseProcessing//qti:baseValue[@baseType='float']", NS)]
    assert values == ["1e-09", "0.30000000000000004", "1", "123456789.125", "0.5", "0"]
    assert doc.find(".//qti:correctResponse/qti:value", NS).text == repr(1e-9 + (0.30000000000000004 - 1e-9) / 2)


def test_a_decimal_comma_is_not_read_by_qti_and_is_warned(kitchen_safety: Quiz) -> None:
    french = dataclasses.replace(kitchen_safety, language="fr")
    fridge = next(item for item in french.items if item.id == "fridge-temperature")
    assert score(fridge, "4,5", "fr") == 1
    assert qti_outcomes(item_doc(french, fridge), "4,5")["SCORE"] == 0
    assert qti_outcomes(item_doc(french, fridge), "4.5")["SCORE"] == 1 == score(fridge, "4.5", "fr")
    warned = {w.message: w.item_ids for w in qti21.warnings(french)}
    assert warned[next(m for m in warned if "decimal" in m)] == ("fridge-temperature", "hand-washing-seconds")
    assert not any("decimal" in w.message for w in qti21.warnings(kitchen_safety))


def test_typed_items_warn_what_qti_does_not_do(kitchen_safety: Quiz) -> None:
    warned = {w.message: w.item_ids for w in qti21.warnings(kitchen_safety)}
    assert warned == {
        "QTI 2.1 compares a typed answer exactly as the learner typed it: a space before or after it, or two in a "
        "row, makes it match no accepted answer, where lmspack's scoring ignores them":
            ("cross-contamination", "sodium-symbol"),
        "QTI 2.1 has no word limits for an extended text; min_words and max_words are left out":
            ("near-miss-report",)}


def test_short_answer_declaration_and_body(kitchen_safety: Quiz) -> None:
    item = next(item for item in kitchen_safety.items if item.id == "cross-contamination")
    doc = item_doc(kitchen_safety, item)
    declaration = doc.find("qti:responseDeclaration[@identifier='RESPONSE']", NS)
    assert (declaration.get("cardinality"), declaration.get("baseType")) == ("single", "string")
    assert [v.text for v in declaration.iterfind("qti:correctResponse/qti:value", NS)] == ["cross-contamination"]
    entries = [(e.get("mapKey"), e.get("mappedValue"), e.get("caseSensitive"))
               for e in declaration.iterfind("qti:mapping/qti:mapEntry", NS)]
    assert entries == [("cross-contamination", "2", "false"), ("cross contamination", "2", "false"),
                       ("contamination", "1", "false")]
    mapping = declaration.find("qti:mapping", NS)
    assert (mapping.get("lowerBound"), mapping.get("upperBound"), mapping.get("defaultValue")) == ("0", "2", "0")
    (entry,) = doc.findall("qti:itemBody/qti:p/qti:textEntryInteraction", NS)
    assert entry.get("responseIdentifier") == "RESPONSE"
    modal = {m.get("identifier"): m for m in doc.iterfind("qti:modalFeedback", NS)}
    assert list(modal) == ["ANSWER_1", "ANSWER_2", "ANSWER_3", "other_incorrect", "HINT_1", "general_explanation"]
    assert "".join(modal["ANSWER_3"].itertext()) == \
        "Half right; the term names how it crosses from one food to another."
    assert modal["ANSWER_3"].get("outcomeIdentifier") == "FEEDBACK"


def test_plain_texts_are_escaped(kitchen_safety: Quiz) -> None:
    short = next(item for item in kitchen_safety.items if isinstance(item.interaction, ShortAnswerInteraction))
    hostile = '<b>"a" & \'b\'</b>  c'
    item = with_interaction(short, answers=(TextAnswer(hostile, 100, None),), case_sensitive=True)
    doc = item_doc(kitchen_safety, item)
    assert doc.find(".//qti:mapEntry", NS).get("mapKey") == '<b>"a" & \'b\'</b> c'
    assert qti_outcomes(doc, '<b>"a" & \'b\'</b> c')["SCORE"] == item.points
    fridge = next(item for item in kitchen_safety.items if item.id == "fridge-temperature")
    doc = item_doc(kitchen_safety, with_interaction(fridge, unit="<sup>o</sup>C & more"))
    assert doc.find(".//qti:p[@class='answer']/qti:span[@class='unit']", NS).text == "<sup>o</sup>C & more"
    essay = next(item for item in kitchen_safety.items if isinstance(item.interaction, EssayInteraction))
    template = "Line one & <two>\n  indented"
    doc = item_doc(kitchen_safety, with_interaction(essay, response_template=template))
    assert doc.find("qti:responseDeclaration/qti:defaultValue/qti:value", NS).text == template


def test_essay_is_not_scored_and_keeps_notes_for_scorers(kitchen_safety: Quiz) -> None:
    essay = next(item for item in kitchen_safety.items if isinstance(item.interaction, EssayInteraction))
    doc = item_doc(kitchen_safety, essay)
    assert doc.find("qti:itemBody/qti:extendedTextInteraction", NS).get("responseIdentifier") == "RESPONSE"
    assert doc.find("qti:responseDeclaration/qti:defaultValue/qti:value", NS).text == "First, I would..."
    assert doc.find("qti:responseDeclaration/qti:correctResponse", NS) is None
    assert [s.get("identifier") for s in doc.iterfind(".//qti:setOutcomeValue", NS)] == ["FEEDBACKMODAL"]
    assert qti_outcomes(doc, "Anything at all")["SCORE"] == 0 == score(essay, "Anything at all")
    maxscore = doc.find("qti:outcomeDeclaration[@identifier='MAXSCORE']/qti:defaultValue/qti:value", NS)
    assert float(maxscore.text) == essay.points == 4
    (rubric,) = doc.findall("qti:itemBody/qti:rubricBlock", NS)
    assert rubric.get("view") == "scorer"
    assert "logs the time, the place" in "".join(rubric.itertext())
    without = with_interaction(essay, grader_notes=None, response_template="")
    doc = item_doc(kitchen_safety, dataclasses.replace(without, explanation=None))
    assert doc.find(".//qti:rubricBlock", NS) is None
    assert doc.find("qti:responseDeclaration/qti:defaultValue", NS) is None
    assert len(doc.find("qti:responseProcessing", NS)) == 0


def test_manifest_names_each_items_interactions(kitchen_safety: Quiz) -> None:
    manifest = parse(members(kitchen_safety)["imsmanifest.xml"])
    qtimd = "{http://www.imsglobal.org/xsd/imsqti_metadata_v2p1}"
    found = {}
    for resource in manifest.iterfind(".//cp:resource[@type='imsqti_item_xmlv2p1']", NS):
        metadata = resource.find(f".//{qtimd}qtiMetadata")
        found[resource.get("href")] = ([t.text for t in metadata.iterfind(f"{qtimd}interactionType")],
                                       metadata.find(f"{qtimd}solutionAvailable").text)
    assert found == {
        "items/knife-carry.xml": (["choiceInteraction", "endAttemptInteraction"], "true"),
        "items/cross-contamination.xml": (["textEntryInteraction", "endAttemptInteraction"], "true"),
        "items/sodium-symbol.xml": (["textEntryInteraction"], "true"),
        "items/fridge-temperature.xml": (["textEntryInteraction"], "true"),
        "items/hand-washing-seconds.xml": (["textEntryInteraction", "endAttemptInteraction"], "true"),
        "items/near-miss-report.xml": (["extendedTextInteraction"], "false"),
    }


def test_canvas_reads_other_feedback_as_incorrect_comments_and_drops_answer_feedback(kitchen_safety: Quiz) -> None:
    for item in kitchen_safety.items:
        doc = item_doc(kitchen_safety, item)
        expected = {"other_incorrect": "incorrect_comments", "general_explanation": "neutral_comments"}
        for feedback in doc.iterfind("qti:modalFeedback", NS):
            identifier = feedback.get("identifier")
            assert _canvas_field(identifier) == expected.get(identifier), (item.id, identifier)
        # Grader notes are never inside what Canvas makes the question text (itemBody > div, itemBody > p).
        blocks = doc.findall("qti:itemBody/qti:div", NS) + doc.findall("qti:itemBody/qti:p", NS)
        assert all(block.find(".//qti:rubricBlock", NS) is None for block in blocks), item.id


def test_own_schema_keeps_grader_notes_for_scorers_and_the_text_box_in_its_paragraph(kitchen_safety: Quiz) -> None:
    by_id = {item.id: item for item in kitchen_safety.items}
    essay = qti21.assessment_item(by_id["near-miss-report"], qti21.item_options(kitchen_safety))
    with pytest.raises(OutputInvalidError, match="view"):
        check_xml(essay.replace(b'view="scorer"', b'view="candidate"'), qti21.ITEM_SCHEMA, "item.xml")
    short = qti21.assessment_item(by_id["sodium-symbol"], qti21.item_options(kitchen_safety))
    loose = short.replace(b'<p class="answer"><textEntryInteraction responseIdentifier="RESPONSE"/></p>',
                          b'<textEntryInteraction responseIdentifier="RESPONSE"/>')
    assert loose != short
    with pytest.raises(OutputInvalidError, match="textEntryInteraction"):
        check_xml(loose, qti21.ITEM_SCHEMA, "item.xml")


# --- Matching, ordering and blanks ---------------------------------------------------------------------

def by_id(quiz: Quiz) -> dict[str, Item]:
    return {item.id: item for item in quiz.items}


def test_golden_files_of_matching_ordering_and_blanks(kitchen_tasks: Quiz) -> None:
    files = members(kitchen_tasks)
    assert list(files) == ["imsmanifest.xml", *(f"items/{item.id}.xml" for item in kitchen_tasks.items),
                           "assessment-test.xml"]
    for name, data in files.items():
        assert_golden(f"qti21/kitchen-tasks/{name}", data)


def odd_points(quiz: Quiz) -> Quiz:
    """The quiz's items at 0.9 points with three parts each (a third of 0.9 added three times is
    0.8999999999999999: the whole response right must still earn 0.9), in a cohort, choices shuffled."""
    items = []
    for item in quiz.items:
        match item.interaction:
            case MatchingInteraction() as matching:
                three = with_interaction(item, pairs=matching.pairs[:3])
            case OrderingInteraction() as ordering:
                three = with_interaction(item, steps=ordering.steps[:3])
            case _:
                three = item
        items.append(dataclasses.replace(three, points=0.9))
    shuffled = with_settings(quiz, shuffle_choices=True)
    return dataclasses.replace(shuffled, items=tuple(items), cohort="spring")


def test_matching_ordering_and_blanks_pass_the_validators(kitchen_tasks: Quiz, package_validator, official_schema,
                                                          tmp_path: Path) -> None:
    _assert_packages_valid((kitchen_tasks, odd_points(kitchen_tasks)), package_validator, official_schema, tmp_path)


def _assert_packages_valid(quizzes: tuple[Quiz, ...], package_validator, official_schema, tmp_path: Path) -> None:
    """Each quiz's package passes the independent validator, and each of its documents the official
    QTI 2.1 and IMS CP schemas."""
    validator = official_schema("qti21/qti21_umbrella.xsd")
    for quiz in quizzes:
        output = qti21.build(quiz)
        path = tmp_path / output.filename
        path.write_bytes(output.data)
        assert_valid_package(package_validator, path, kind="qti21")
        for name, data in members(quiz).items():
            if name.endswith(".xml"):
                assert validator.validate(parse(data)), f"{name}: {validator.error_log}"


def test_matching_ordering_and_blanks_make_up_only_identifiers_item_ids_cannot_take(kitchen_tasks: Quiz) -> None:
    """The left sides, options and steps (L1, R1, S1, ...) are the model's own identifiers of the
    item's choices; the blanks' responses and drop-down options are numbered names the loader keeps."""
    made_up = _made_up_identifiers(dataclasses.replace(kitchen_tasks, cohort="spring"))
    assert {"RESPONSE", "BLANK_1", "BLANK_3", "BLANK_3_1", "BLANK_3_3", "HINT_1"} <= made_up
    _assert_reserved(made_up)


def _part_ids(item: Item) -> tuple[str, ...]:
    match item.interaction:
        case MatchingInteraction() as matching:
            return (*matching.left_ids, *(identifier for identifier, _ in matching.options))
        case OrderingInteraction() as ordering:
            return ordering.step_ids
    return ()


def test_manifest_names_each_kind_of_interaction_once(kitchen_tasks: Quiz) -> None:
    manifest = parse(members(kitchen_tasks)["imsmanifest.xml"])
    qtimd = "{http://www.imsglobal.org/xsd/imsqti_metadata_v2p1}"
    found = {resource.get("href"): [t.text for t in resource.iterfind(f".//{qtimd}interactionType")]
             for resource in manifest.iterfind(".//cp:resource[@type='imsqti_item_xmlv2p1']", NS)}
    assert found == {
        "items/storage-places.xml": ["matchInteraction", "endAttemptInteraction"],
        "items/closing-steps.xml": ["orderInteraction"],
        "items/washing-order.xml": ["orderInteraction", "endAttemptInteraction"],
        "items/cleaning-blanks.xml": ["textEntryInteraction", "inlineChoiceInteraction"],
        "items/choice-blanks.xml": ["inlineChoiceInteraction"],
    }
    assert {m.text for m in manifest.iterfind(f".//{qtimd}solutionAvailable")} == {"true"}
    # Canvas's QTI 2 import reads an interactionType in the QTI item namespace, and cannot guess an
    # orderInteraction from the item: the ordering items carry one (docs/canvas-qti21.md).
    canvas = {resource.get("href"): [t.text for t in resource.iterfind("cp:metadata/qti:interactionType", NS)]
              for resource in manifest.iterfind(".//cp:resource[@type='imsqti_item_xmlv2p1']", NS)}
    assert {href: types for href, types in canvas.items() if types} == {
        "items/closing-steps.xml": ["orderInteraction"], "items/washing-order.xml": ["orderInteraction"]}


# Matching: every response a player can give (each left side matched with at most one option, each
# option with at most one left side: matchMax 1 on both sets).

def matchings(item: Item) -> Iterator[dict[str, str]]:
    matching = item.interaction
    assert isinstance(matching, MatchingInteraction)
    options = [identifier for identifier, _ in matching.options]
    for chosen in itertools.product([None, *options], repeat=len(matching.pairs)):
        used = [option for option in chosen if option is not None]
        if len(used) == len(set(used)):
            yield {left: option for left, option in zip(matching.left_ids, chosen, strict=True) if option}


def assert_scores_agree(quiz: Quiz, item: Item, doc: etree._Element, responses: dict[str, object],
                        model_response: object) -> None:
    """The item's document ``doc`` scores ``responses`` as builder.scoring scores ``model_response``."""
    outcomes = submitted(doc, responses)
    expected = score(item, model_response, quiz.language)
    assert outcomes["SCORE"] == pytest.approx(expected, abs=1e-9), (item.id, item.points, model_response)
    if expected == item.points:
        assert outcomes["SCORE"] == item.points, (item.id, model_response)  # exactly: 100 % passes
    if item.explanation is not None:
        assert outcomes["FEEDBACKMODAL"] == {qti21.EXPLANATION_ID}


def matching_items(quiz: Quiz) -> list[Item]:
    """The quiz's matching items, per pair and all or nothing, without and with a distractor."""
    items = [item for item in quiz.items if isinstance(item.interaction, MatchingInteraction)]
    return [variant for item in items for scoring in ("per_pair", "all_or_nothing") for distractors in ((), None)
            for variant in [with_interaction(item, scoring=scoring, **({} if distractors is None else
                                                                       {"distractors": distractors}))]]


def test_matching_scores_every_response_as_the_model(kitchen_tasks: Quiz) -> None:
    checked = 0
    for quiz in (kitchen_tasks, odd_points(kitchen_tasks)):
        for item in matching_items(quiz):
            doc = item_doc(quiz, item)
            for chosen in matchings(item):
                pairs = frozenset(chosen.items()) or None
                assert_scores_agree(quiz, item, doc, {"RESPONSE": pairs}, chosen)
                checked += 1
    assert checked == 2 * 2 * (73 + 34)  # three left sides, four options (a distractor) or three


def test_matching_sets_and_scoring(kitchen_tasks: Quiz) -> None:
    item = by_id(kitchen_tasks)["storage-places"]
    doc = item_doc(kitchen_tasks, item)
    interaction = doc.find(".//qti:matchInteraction", NS)
    assert (interaction.get("shuffle"), interaction.get("maxAssociations")) == ("false", "3")
    lefts, options = (list(match_set) for match_set in interaction.iterfind("qti:simpleMatchSet", NS))
    assert [(c.get("identifier"), c.text) for c in lefts] == [
        ("L1", "Raw chicken"), ("L2", "Frozen peas"), ("L3", "Dry pasta")]
    assert sorted((c.get("identifier"), c.text) for c in options) == list(item.interaction.options)
    assert {c.get("matchMax") for c in lefts + options} == {"1"}
    # The options are written so that none stands level with its left side: a player that does not
    # shuffle (shuffle_choices is off) shows no answer straight across.
    assert all(c.get("identifier") != f"R{n}" for n, c in enumerate(options, start=1))
    declaration = doc.find("qti:responseDeclaration[@identifier='RESPONSE']", NS)
    assert (declaration.get("cardinality"), declaration.get("baseType")) == ("multiple", "directedPair")
    assert [v.text for v in declaration.iterfind("qti:correctResponse/qti:value", NS)] == ["L1 R1", "L2 R2", "L3 R3"]
    entries, lower, upper = _mapping(doc)
    assert (entries, lower, upper) == ({"L1 R1": 1, "L2 R2": 1, "L3 R3": 1}, 0, 3)
    shuffled = with_settings(kitchen_tasks, shuffle_choices=True)
    assert item_doc(shuffled, item).find(".//qti:matchInteraction", NS).get("shuffle") == "true"
    whole = item_doc(kitchen_tasks, with_interaction(item, scoring="all_or_nothing"))
    assert whole.find("qti:responseDeclaration/qti:mapping", NS) is None
    assert whole.find(".//qti:responseIf/qti:match/qti:correct", NS) is not None


# Ordering: every permutation, and no response.

def test_ordering_scores_every_order_as_the_model(kitchen_tasks: Quiz) -> None:
    checked = 0
    for quiz in (kitchen_tasks, odd_points(kitchen_tasks)):
        for item in quiz.items:
            if not isinstance(item.interaction, OrderingInteraction):
                continue
            for scoring in ("per_position", "all_or_nothing"):
                variant = with_interaction(item, scoring=scoring)
                doc = item_doc(quiz, variant)
                assert_scores_agree(quiz, variant, doc, {"RESPONSE": None}, [])
                for order in itertools.permutations(variant.interaction.step_ids):
                    assert_scores_agree(quiz, variant, doc, {"RESPONSE": order}, list(order))
                    checked += 1
    assert checked == 2 * 2 * 24 + 2 * 2 * 6  # two items, two scorings, four steps (odd_points: three)


def test_whole_response_right_earns_exactly_the_points(kitchen_tasks: Quiz) -> None:
    """Where the shares do not add up to the points in binary floating point, a first condition
    gives the points for the whole response right; where they do, there is none. 0.9 / 3 added three
    times is 0.8999999999999999; 0.9 / 2 twice is 0.9 (choice-blanks has two blanks)."""
    for quiz, odd in ((kitchen_tasks, False), (odd_points(kitchen_tasks), True)):
        for item in quiz.items:
            per_part = getattr(item.interaction, "scoring", "per_blank") != "all_or_nothing"
            first = odd and item.id != "choice-blanks"
            rules = item_doc(quiz, item).find("qti:responseProcessing", NS)
            scoring = rules.find("qti:responseCondition/qti:responseElse", NS) if item.hints else rules
            condition = scoring.find("qti:responseCondition/qti:responseIf/qti:setOutcomeValue/qti:baseValue", NS)
            has_first = condition is not None and condition.text == qti21.format_number(item.points)
            assert has_first == (first or not per_part), (item.id, item.points)


def test_steps_are_written_with_none_in_its_place(kitchen_tasks: Quiz) -> None:
    for item in kitchen_tasks.items:
        if isinstance(item.interaction, OrderingInteraction):
            interaction = item_doc(kitchen_tasks, item).find(".//qti:orderInteraction", NS)
            written = [c.get("identifier") for c in interaction.iterfind("qti:simpleChoice", NS)]
            assert sorted(written) == list(item.interaction.step_ids)
            assert all(step != f"S{n}" for n, step in enumerate(written, start=1)), item.id
            assert interaction.get("shuffle") == "true"
    for size in range(2, 12):
        ids = tuple(f"S{n}" for n in range(1, size + 1))
        for seed in ("a", "b", "closing-steps", "x" * 40):
            order = qti21.scrambled(ids, seed)
            assert sorted(order) == sorted(ids) and all(a != b for a, b in zip(order, ids, strict=True))
            assert order == qti21.scrambled(ids, seed)


# Blanks: every combination of right, wrong, spaced and empty answers for each blank.

def blank_answers(blank: object, n: int) -> list[tuple[object, str]]:
    """(QTI value of BLANK_<n>, what the model is given) for the answers tried in a blank."""
    match blank:
        case TextBlank() as typed:
            texts = [variant for answer in typed.answers for variant in
                     (answer, answer.upper(), answer.title(), f" {answer}", f"{answer}  x", answer[:-1])]
            return [(text or None, text) for text in [*texts, "", "wrong"]]
        case NumericBlank() as number:
            texts = [*numbers_around(*number.answer.bounds), "", "abc", "1,5", " 20 ", "2e1", ".5", "INF"]
            return [(qti_float(text), text) for text in texts]
        case ChoiceBlank() as choice:
            return [(None, ""), *((qti21.BLANK_OPTION.format(n, m), text)
                                  for m, text in enumerate(choice.options, start=1))]
    raise AssertionError(blank)


def qti_float(typed: str) -> float | None:
    text = typed.strip(" \t\r\n")
    return float(text) if XS_DOUBLE.fullmatch(text) else None


def blank_items(quiz: Quiz) -> list[Item]:
    """The quiz's blanks items, and the first with other number blanks (exact, absolute, percent written
    as a range, negative) and a case-sensitive typed blank."""
    items = [item for item in quiz.items if isinstance(item.interaction, FillInBlanksInteraction)]
    mixed = items[0]
    assert isinstance(mixed.interaction, FillInBlanksInteraction)
    typed, _, choice = mixed.interaction.blanks
    variants = [with_interaction(mixed, blanks=(dataclasses.replace(typed, case_sensitive=True), number, choice))
                for number in (NumericBlank("minutes", NumericAnswer(20.0, 0.0, False, None, 100, None)),
                               NumericBlank("minutes", NumericAnswer(20.0, 25.0, True, None, 100, None)),
                               NumericBlank("minutes", NumericAnswer(0.3, 10.0, True, None, 100, None)),
                               NumericBlank("minutes", NumericAnswer(-19.0, 63.0, True, None, 100, None)))]
    return items + variants


def test_blanks_score_every_combination_of_answers_as_the_model(kitchen_tasks: Quiz) -> None:
    """As the model, but for a typed answer with spaces to fold, which QTI compares as typed (warned):
    the model is given such a blank as wrong."""
    checked = 0
    for quiz in (kitchen_tasks, odd_points(kitchen_tasks)):
        for item in blank_items(quiz):
            blanks = item.interaction.blanks
            doc = item_doc(quiz, item)
            tried = [blank_answers(blank, n) for n, blank in enumerate(blanks, start=1)]
            for combination in itertools.product(*tried):
                responses = {qti21.BLANK_RESPONSE.format(n): value
                             for n, (value, _) in enumerate(combination, start=1)}
                model = {blank.name: (typed if not isinstance(blank, TextBlank) or whitespace_folded(typed) else "")
                         for blank, (_, typed) in zip(blanks, combination, strict=True)}
                assert_scores_agree(quiz, item, doc, responses, model)
                checked += 1
    assert checked > 5000


def test_blanks_stand_where_their_names_stood(kitchen_tasks: Quiz) -> None:
    item = by_id(kitchen_tasks)["cleaning-blanks"]
    doc = item_doc(kitchen_tasks, item)
    paragraph = doc.find("qti:itemBody/qti:div[@class='prompt']/qti:p", NS)
    assert [(element.tag.removeprefix(Q), element.get("responseIdentifier")) for element in paragraph] == [
        ("textEntryInteraction", "BLANK_1"), ("textEntryInteraction", "BLANK_2"),
        ("inlineChoiceInteraction", "BLANK_3")]
    assert "[[" not in "".join(paragraph.itertext())
    assert paragraph[0].tail.startswith(" water, rinse it")
    drop_down = paragraph[2]
    assert drop_down.get("shuffle") == "false"
    assert [(c.get("identifier"), c.text) for c in drop_down] == [
        ("BLANK_3_1", "red"), ("BLANK_3_2", "green"), ("BLANK_3_3", "blue")]
    declarations = {d.get("identifier"): (d.get("baseType"), d.find("qti:correctResponse/qti:value", NS).text)
                    for d in doc.iterfind("qti:responseDeclaration", NS)}
    assert declarations == {"BLANK_1": ("string", "soapy"), "BLANK_2": ("float", "20"),
                            "BLANK_3": ("identifier", "BLANK_3_1")}
    shuffled = with_settings(kitchen_tasks, shuffle_choices=True)
    assert item_doc(shuffled, item).find(".//qti:inlineChoiceInteraction", NS).get("shuffle") == "true"


def test_drop_down_options_and_typed_answers_are_escaped(kitchen_tasks: Quiz) -> None:
    item = by_id(kitchen_tasks)["cleaning-blanks"]
    typed, number, choice = item.interaction.blanks
    odd = with_interaction(item, blanks=(dataclasses.replace(typed, answers=("<b>a & b</b>",)), number,
                                         dataclasses.replace(choice, options=("<i>red</i>", "x & y"))))
    doc = item_doc(kitchen_tasks, odd)
    assert [c.text for c in doc.iterfind(".//qti:inlineChoice", NS)] == ["<i>red</i>", "x & y"]
    assert doc.find(".//qti:stringMatch/qti:baseValue", NS).text == "<b>a & b</b>"
    assert submitted(doc, {"BLANK_1": "<b>a & b</b>", "BLANK_2": 20.0, "BLANK_3": "BLANK_3_1"})["SCORE"] == 3


def test_blanks_warn_what_qti_does_not_do(kitchen_tasks: Quiz) -> None:
    """A typed blank is compared as typed (spaces), a number blank read with a decimal point only."""
    warned = {w.message: w.item_ids for w in qti21.warnings(kitchen_tasks)}
    assert [ids for message, ids in warned.items() if "as the learner typed it" in message] == [("cleaning-blanks",)]
    assert not any("decimal" in message for message in warned)
    french = {w.message: w.item_ids for w in qti21.warnings(dataclasses.replace(kitchen_tasks, language="fr"))}
    assert [ids for message, ids in french.items() if "decimal point" in message] == [("cleaning-blanks",)]


def test_own_schema_takes_inline_interactions_in_the_prompt_only(kitchen_tasks: Quiz) -> None:
    """QTI allows an inline interaction in an item body's text, never in feedback: nor does our schema."""
    blanks = qti21.assessment_item(by_id(kitchen_tasks)["cleaning-blanks"], qti21.item_options(kitchen_tasks))
    in_feedback = blanks.replace(b'<p>Colour-coded boards', b'<p><textEntryInteraction responseIdentifier="BLANK_1"/>'
                                                           b'Colour-coded boards')
    assert in_feedback != blanks
    with pytest.raises(OutputInvalidError, match="textEntryInteraction"):
        check_xml(in_feedback, qti21.ITEM_SCHEMA, "item.xml")


def test_blanks_in_any_text_of_the_prompt_are_valid(kitchen_tasks: Quiz, official_schema) -> None:
    """A [[name]] may stand in emphasis, a list, a quotation, a heading, a definition or keyboard
    text (never in a link or code: the loader refuses it there); both schemas take the interaction."""
    validator = official_schema("qti21/qti21_umbrella.xsd")
    item = by_id(kitchen_tasks)["cleaning-blanks"]
    prompt = Markup("<h2>Boards [[soapy]]</h2><ul><li><em>After <kbd>[[minutes]]</kbd></em></li></ul>"
                    "<blockquote><dl><dt>Term</dt><dd><p>Use [[colour]].</p></dd></dl></blockquote>")
    doc = item_doc(kitchen_tasks, dataclasses.replace(item, prompt=prompt))
    assert len(doc.findall(".//qti:div[@class='prompt']//qti:textEntryInteraction", NS)) == 2
    assert validator.validate(doc), validator.error_log


# --- Media, math and tables ------------------------------------------------------------------------------

def test_golden_files_of_media_math_and_tables(kitchen_media: Quiz) -> None:
    """The documents as golden files; the media files after them, stored once each, as they are."""
    files = members(kitchen_media)
    media = [f"items/media/{file.name}" for file in kitchen_media.media]
    assert list(files) == ["imsmanifest.xml", *(f"items/{item.id}.xml" for item in kitchen_media.items),
                           "assessment-test.xml", *media]
    assert "items/media/media/fridge shelf.jpg" in media and "items/media/media/énergie.webp" in media
    for file in kitchen_media.media:
        assert files[f"items/media/{file.name}"] == file.content
    for name, data in files.items():
        if not name.startswith(qti21.MEDIA_FOLDER):
            assert_golden(f"qti21/kitchen-media/{name}", data)


def test_media_math_and_tables_pass_the_validators(kitchen_media: Quiz, package_validator, official_schema,
                                                   tmp_path: Path) -> None:
    """No error and no warning (every file in the package listed, every img and object found), and
    every document valid against the official QTI 2.1 and IMS CP schemas, in a cohort too."""
    _assert_packages_valid((kitchen_media, dataclasses.replace(kitchen_media, cohort="spring")), package_validator,
                           official_schema, tmp_path)
    assert qti21.build(kitchen_media).data == qti21.build(kitchen_media).data


def _resources(manifest: etree._Element) -> dict[str, etree._Element]:
    return {resource.get("identifier"): resource for resource in manifest.iterfind(".//cp:resource", NS)}


def test_a_file_used_by_two_items_is_stored_once_and_listed_by_both(kitchen_media: Quiz) -> None:
    """thermometer.png shows in two items (twice in one): one member, one webcontent resource
    without an href, listed once by each item's resource, which depends on it."""
    files = members(kitchen_media)
    shared = "items/media/media/thermometer.png"
    assert list(files).count(shared) == 1
    resources = _resources(parse(files["imsmanifest.xml"]))
    (web,) = [r for r in resources.values() if [f.get("href") for f in r.iterfind("cp:file", NS)] == [shared]]
    assert web.get("type") == "webcontent" and web.get("href") is None and web.find("cp:metadata", NS) is None
    using = {identifier for identifier, resource in resources.items()
             if resource.get("type") == "imsqti_item_xmlv2p1"
             and [f.get("href") for f in resource.iterfind("cp:file", NS)].count(shared) == 1
             and [d.get("identifierref") for d in resource.iterfind("cp:dependency", NS)].count(
                 web.get("identifier")) == 1}
    assert using == {"RES-ITEM-fridge-picture", "RES-ITEM-shelf-matching"}


def test_each_item_lists_exactly_the_files_its_document_shows(kitchen_media: Quiz) -> None:
    """After its own file, in the order of their names; the same files as Quiz.media_of its texts and
    as the loader's Item.media; nothing else of the package is a media file."""
    files = members(kitchen_media)
    resources = _resources(parse(files["imsmanifest.xml"]))
    webcontent = {r.get("identifier"): r.find("cp:file", NS).get("href") for r in resources.values()
                  if r.get("type") == "webcontent"}
    assert sorted(webcontent.values()) == sorted(f"items/media/{file.href}" for file in kitchen_media.media)
    for item in kitchen_media.items:
        resource = resources[f"RES-ITEM-{item.id}"]
        listed = [f.get("href") for f in resource.iterfind("cp:file", NS)]
        document = files[listed[0]].decode()
        shown = [f"items/media/{href}" for href in dict.fromkeys(media_names(document))]
        assert listed == [f"items/{item.id}.xml", *sorted(shown, key=unquote)]
        expected = kitchen_media.media_of(qti21.item_texts(item))
        assert listed[1:] == [f"items/media/{file.href}" for file in expected]
        assert {file.name for file in expected} == {use.name for use in item.media}
        depends_on = [webcontent[d.get("identifierref")] for d in resource.iterfind("cp:dependency", NS)]
        assert depends_on == listed[1:]


def test_item_texts_are_every_text_a_document_shows(kitchen_media: Quiz, kitchen_tasks: Quiz, kitchen_safety: Quiz,
                                                    warm_handoff: Quiz) -> None:
    """The formulas and files of an item's document are those of qti21.item_texts (which choose its
    schema and list its files), one for one."""
    for quiz in (kitchen_media, kitchen_tasks, kitchen_safety, warm_handoff):
        for item in quiz.items:
            document = qti21.assessment_item(item, qti21.item_options(quiz)).decode()
            texts = "".join(qti21.item_texts(item))
            for mark in ("<math", ' src="', ' data="', "<table"):
                assert document.count(mark) == texts.count(mark), (item.id, mark)


def canvas_course_files(manifest: etree._Element) -> dict[str, str]:
    """What Canvas's QTI import makes course files of (gems/plugins/qti_exporter/lib/qti.rb
    convert_files): every <file href> that is no resource's href, CGI.unescape'd, by path."""
    resource_hrefs = {r.get("href") for r in manifest.iterfind(".//cp:resource", NS)}
    return {unquote_plus(f.get("href")): f.get("href") for f in manifest.iterfind(".//cp:file", NS)
            if f.get("href") not in resource_hrefs}


def canvas_file_for(reference: str, paths: list[str]) -> str | None:
    """The course file Canvas puts for a src/data/href in item HTML (qti/html_helper.rb
    sanitize_html!, find_best_path_match): the value CGI.unescape'd, $TOKENS$ removed, then the file
    of that path or else the shortest path that ends with it."""
    value = re.sub(r"\$[A-Z_]*\$", "", unquote_plus(reference))
    if value in paths:
        return value
    return next((path for path in sorted(paths, key=len) if path.endswith(value)), None)


def test_canvas_finds_every_file_an_item_shows(kitchen_media: Quiz) -> None:
    """Canvas makes a course file of each media file (not of the documents, which are resources'
    hrefs), and finds for each img src and object data the very file the package holds there."""
    files = members(kitchen_media)
    course_files = canvas_course_files(parse(files["imsmanifest.xml"]))
    assert sorted(course_files) == sorted(name for name in files if name.startswith(qti21.MEDIA_FOLDER))
    found = 0
    for item in kitchen_media.items:
        doc = parse(files[f"items/{item.id}.xml"])
        for element in doc.iter(f"{Q}img", f"{Q}object"):
            reference = element.get("src") or element.get("data")
            assert canvas_file_for(reference, list(course_files)) == "items/" + unquote(reference)
            found += 1
    assert found == 13


def test_fragments_go_in_as_they_are(kitchen_media: Quiz) -> None:
    """Formulas stay MathML (TeX in its annotation), audio and video objects, a cell's alignment its class."""
    items = by_id(kitchen_media)
    formula = item_doc(kitchen_media, items["dilution-formula"])
    maths = formula.findall(f".//{{{MATHML}}}math")
    assert [m.get("display") for m in maths[:4]] == ["inline", "inline", "inline", "block"]
    assert maths[0].find(f".//{{{MATHML}}}annotation").text == r"c = \frac{m}{V}"
    sound = item_doc(kitchen_media, items["alarm-sound"])
    assert [(o.get("data"), o.get("type")) for o in sound.iter(f"{Q}object")][:2] == [
        ("media/media/bell.mp3", "audio/mpeg"), ("media/media/alarm.m4a", "audio/mp4")]
    table = item_doc(kitchen_media, items["temperature-table"])
    # A cell's alignment is QTI's align attribute, which players and Canvas show.
    cells = table.find(".//qti:div[@class='prompt']/qti:table//qti:tr", NS)
    assert [cell.get("align") for cell in cells] == ["left", "right", "center"]
    explanation = table.find("qti:modalFeedback/qti:table", NS)
    assert explanation.find("qti:caption", NS).text == "Safe storage, pasted from the policy"
    assert explanation.find(".//qti:td[@colspan='2']", NS) is not None


def test_only_a_document_with_a_formula_is_checked_against_mathml(kitchen_media: Quiz) -> None:
    """MathML's schema takes half a second to compile: a document without a formula is checked
    against the schema without it, which refuses a formula; both refuse what fragments never hold."""
    items = by_id(kitchen_media)
    plain = qti21.assessment_item(items["alarm-sound"], qti21.item_options(kitchen_media))
    formula = qti21.assessment_item(items["dilution-formula"], qti21.item_options(kitchen_media))
    check_xml(formula, qti21.ITEM_SCHEMA, "item.xml")
    with pytest.raises(OutputInvalidError, match="math"):
        check_xml(formula, qti21.TEXT_ITEM_SCHEMA, "item.xml")
    bad_math = formula.replace(b"<mi>c</mi>", b"<mi><b>c</b></mi>", 1)
    assert bad_math != formula
    with pytest.raises(OutputInvalidError):
        check_xml(bad_math, qti21.ITEM_SCHEMA, "item.xml")
    for schema in (qti21.ITEM_SCHEMA, qti21.TEXT_ITEM_SCHEMA):
        check_xml(plain, schema, "item.xml")
        for old, new in [(b'type="audio/mpeg"', b'type="image/png"'), (b'data="media/', b'data="https://e.example/'),
                         (b'data="media/media/bell.mp3"', b'data="media/media/bell.mp3" width="5"')]:
            assert plain.replace(old, new, 1) != plain
            with pytest.raises(OutputInvalidError, match="object"):
                check_xml(plain.replace(old, new, 1), schema, "item.xml")
    table = qti21.assessment_item(items["temperature-table"], qti21.item_options(kitchen_media))
    for old, new in [(b'<td colspan="2">', b'<td scope="row">'), (b'align="right"', b'class="right"'),
                     (b'align="right"', b'align="justify"'),
                     (b"<caption>", b"<col/><caption>"),
                     (b"</tbody></table></modal", b"</tbody><thead/></table></modal")]:
        assert table.replace(old, new, 1) != table, old
        with pytest.raises(OutputInvalidError):
            check_xml(table.replace(old, new, 1), qti21.TEXT_ITEM_SCHEMA, "item.xml")


def test_blanks_in_a_table_of_the_prompt_are_valid(kitchen_tasks: Quiz, official_schema) -> None:
    """A [[name]] in a cell or caption of a table in the prompt: QTI allows the inline interaction
    there, and both schemas take it (never in a table of feedback)."""
    validator = official_schema("qti21/qti21_umbrella.xsd")
    item = by_id(kitchen_tasks)["cleaning-blanks"]
    prompt = Markup('<table><caption>Boards [[soapy]]</caption><tbody><tr><th scope="row">After</th>'
                    '<td align="right"><p>[[minutes]]</p><table><tbody><tr><td>[[colour]]</td></tr></tbody>'
                    "</table></td></tr></tbody></table>")
    doc = item_doc(kitchen_tasks, dataclasses.replace(item, prompt=prompt))
    assert len(doc.findall(".//qti:table//qti:textEntryInteraction", NS)) == 2
    assert validator.validate(doc), validator.error_log
