"""The QTI 2.1 content package: golden files, official schemas and validate_package.py, scoring
agreement with builder.scoring, settings, Canvas's importer rules, reproducibility."""

from __future__ import annotations

import dataclasses
import io
import itertools
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from markupsafe import Markup

from builder.cache import NO_CACHE
from builder.errors import OutputInvalidError
from builder.formats import qti21
from builder.model import Item, Pool, Quiz
from builder.rendering import check_xml, safe_parser
from builder.scoring import choice_weights, score
from tests.conftest import assert_golden, assert_valid_package

NS = {"qti": "http://www.imsglobal.org/xsd/imsqti_v2p1", "cp": "http://www.imsglobal.org/xsd/imscp_v1p1"}


def members(quiz: Quiz) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(qti21.build(quiz).data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, safe_parser())


def with_settings(quiz: Quiz, **changes: object) -> Quiz:
    return dataclasses.replace(quiz, settings=dataclasses.replace(quiz.settings, **changes))


def item_doc(quiz: Quiz, item: Item) -> etree._Element:
    return parse(qti21.assessment_item(item, qti21.item_options(quiz)))


def test_package_layout_and_name(warm_handoff: Quiz) -> None:
    output = qti21.build(warm_handoff)
    assert output.filename == "warm-handoff-1.0.0-qti21.zip"
    assert list(members(warm_handoff)) == [
        "imsmanifest.xml", "items/warm-handoff-definition.xml", "items/warm-handoff-email-summary.xml",
        "items/warm-handoff-benefits.xml", "assessment-test.xml"]


def test_golden_files(warm_handoff: Quiz) -> None:
    for name, data in members(warm_handoff).items():
        assert_golden(f"qti21/{name}", data)


def test_package_passes_independent_validator(warm_handoff: Quiz, package_validator, tmp_path: Path) -> None:
    for quiz in (warm_handoff, _pooled(warm_handoff)):
        path = tmp_path / qti21.build(quiz).filename
        path.write_bytes(qti21.build(quiz).data)
        assert_valid_package(package_validator, path, kind="qti21")


def test_every_file_valid_against_official_schema(warm_handoff: Quiz, official_schema) -> None:
    validator = official_schema("qti21/qti21_umbrella.xsd")
    for quiz in (warm_handoff, _pooled(warm_handoff)):
        for name, data in members(quiz).items():
            assert validator.validate(parse(data)), f"{name}: {validator.error_log}"


def test_manifest_declares_every_file_and_dependency(warm_handoff: Quiz) -> None:
    files = members(warm_handoff)
    manifest = parse(files["imsmanifest.xml"])
    assert manifest.find("cp:organizations", NS) is not None
    assert "http://www.imsglobal.org/xsd/imsqti_v2p1" in manifest.nsmap.values()
    listed = [f.get("href") for f in manifest.iterfind(".//cp:file", NS)]
    assert sorted(listed) == sorted(name for name in files if name != "imsmanifest.xml")
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
    for item in warm_handoff.items:
        entries, lower, upper = _mapping(item_doc(warm_handoff, item))
        ids = [c.identifier for c in item.interaction.choices]
        sizes = range(len(ids) + 1) if item.interaction.kind == "multiple_response" else (1,)
        for size in sizes:
            for selected in itertools.combinations(ids, size):
                mapped = min(max(sum(entries[c] for c in selected), lower), upper)
                assert mapped == pytest.approx(score(item, selected)), (item.id, selected)


def test_interaction_choices_and_feedback(warm_handoff: Quiz) -> None:
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


def test_feedback_timing(warm_handoff: Quiz) -> None:
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
    assert any("hints only after" in w.message for w in after_submit)
    assert any("'never'" in w.message for w in qti21.warnings(with_settings(warm_handoff, feedback="never")))


def test_cohort_identifiers_and_file_name(warm_handoff: Quiz) -> None:
    quiz = dataclasses.replace(warm_handoff, cohort="spring-2027")
    assert qti21.build(quiz).filename == "warm-handoff-spring-2027-1.0.0-qti21.zip"
    files = members(quiz)
    assert "items/warm-handoff-definition-spring-2027.xml" in files
    test = parse(files["assessment-test.xml"])
    assert test.get("identifier") == "warm-handoff-spring-2027"
    assert test.get("title") == "Warm handoffs in Medi-Cal peer support (spring-2027)"


def test_two_builds_same_bytes(warm_handoff: Quiz) -> None:
    assert qti21.build(warm_handoff).data == qti21.build(warm_handoff).data


def test_every_identifier_the_package_makes_up_is_one_item_ids_cannot_take(warm_handoff: Quiz) -> None:
    """Identifiers not taken from the quiz (its id, item ids, choice ids) are lmspack's own: the
    loader refuses each as an item or quiz id (builder.loading.reserved_use), so that no item can
    share an identifier with a variable, the test part or a section of the test. With a section,
    a rest section, hints and an explanation, in a cohort's package, so every kind is made."""
    from builder.loading import reserved_use

    first = warm_handoff.items[0]
    pooled = with_settings(warm_handoff, pools=(Pool("intro", "Intro", (first.id,), 1),))
    quiz = dataclasses.replace(pooled, cohort="spring")
    taken = {quiz.package_id, *(qti21.item_identifier(quiz.cohort, i) for i in quiz.items),
             *(c.identifier for i in quiz.items for c in i.interaction.choices)}
    made_up: set[str] = set()
    for name, data in members(quiz).items():
        if name == "imsmanifest.xml":
            continue  # its identifiers are xs:IDs with prefixes of their own (RES-ITEM-, RES-TEST-, MANIFEST-)
        root = parse(data)
        for element in root.iter():
            for attribute in ("identifier", "outcomeIdentifier", "variableIdentifier"):
                if element.get(attribute) is not None:
                    made_up.add(element.get(attribute))
        made_up.update(value.text for value in root.iter(f"{{{NS['qti']}}}baseValue")
                       if value.get("baseType") == "identifier")
    made_up -= taken
    assert {"SCORE", "PASS", "BaseTestPart", "section-intro", "section-unpooled", "HINT_1", "HINTREQUEST_1",
            "general_explanation", "FEEDBACKMODAL"} <= made_up
    assert [name for name in sorted(made_up) if reserved_use(name, "item") is None] == []
    assert [name for name in sorted(made_up) if name.startswith(("section-", "BaseTestPart", "PASS", "WEIGHT"))
            or reserved_use(name, "choice") is not None] == sorted(made_up)
