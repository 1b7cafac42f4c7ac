"""Canvas Classic Quizzes: QTI 1.2 in Canvas's own export shape, and text that survives Canvas's
QTIMigrationTool and importer unchanged."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from pathlib import Path
from types import ModuleType

from lxml import etree, html

from builder import markup
from builder.formats.canvas import answer_ids, build, mattext
from builder.model import Choice, Quiz
from builder.rendering import safe_parser
from tests.conftest import assert_golden
from tests.test_moodle import block, inline

from projects import with_interaction

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
META = "{http://canvas.instructure.com/xsd/cccv1p0}"
SPECIAL = "Don't \"quote\" & a < b > c café مرحبا 🙂"


def members(quiz: Quiz) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(build(quiz).data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def parts(quiz: Quiz) -> tuple[etree._Element, etree._Element, etree._Element]:
    """(manifest, assessment, assessment_meta) roots."""
    files = members(quiz)
    manifest, assessment, meta = files
    assert manifest == "imsmanifest.xml" and meta.endswith("/assessment_meta.xml")
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
    div.text, text/html to div.html, content unchanged) and html_helper.rb detect_html."""
    mattext_element = element.find(f".//{QTI}mattext")
    content = mattext_element.text or ""
    if mattext_element.get("texttype") == "text/plain":
        return content.strip(), None
    shown = html.fragment_fromstring(content, create_parent="div").text_content()
    return " ".join(clear_html(content).split()), " ".join(shown.split())


def test_golden(warm_handoff: Quiz) -> None:
    files = members(warm_handoff)
    assert build(warm_handoff).filename == "warm-handoff-1.0.0-canvas.zip"
    for name, data in files.items():
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
    assert hrefs == [f"{ident}/{ident}.xml", f"{ident}/assessment_meta.xml"]
    assert sorted(members(warm_handoff)) == sorted(["imsmanifest.xml", *hrefs])


def test_item_by_item(warm_handoff: Quiz) -> None:
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
    assert mattext(inline("a & b < c")) == mattext(inline("a & b < c"))
    result = mattext(inline("**a & b** 'c'"))
    assert result.texttype == "text/html"
    assert result.text == "<strong>a &#38; b</strong> 'c'"
    assert mattext(block("x & y"), block=True).text == "<div><p>x &#38; y</p></div>"
    assert mattext(inline("x & y")).text == "x & y"
    # Plain str, never Markup: the template must escape both kinds of text once more.
    assert {type(mattext(inline(text)).text) for text in ("x & y", "*x* & y")} == {str}


def test_quiz_settings(warm_handoff: Quiz) -> None:
    _, assessment, meta = parts(warm_handoff)
    assert meta.findtext(f"{META}title") == warm_handoff.title
    assert meta.findtext(f"{META}shuffle_answers") == "true"
    assert meta.findtext(f"{META}points_possible") == "5"
    assert meta.findtext(f"{META}allowed_attempts") == "-1"
    assert meta.findtext(f"{META}hide_results") == ""
    assert meta.find(f"{META}time_limit") is None
    assert metadata(assessment.find(f"{QTI}assessment"))["cc_maxattempts"] == "unlimited"
    strict = dataclasses.replace(warm_handoff, cohort="spring-2027", settings=dataclasses.replace(
        warm_handoff.settings, attempts=2, time_limit=90, shuffle_choices=False, feedback="never"))
    _, assessment, meta = parts(strict)
    assert meta.findtext(f"{META}title") == "Warm handoffs in Medi-Cal peer support (spring-2027)"
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
        warm_handoff.settings, feedback="after_submit"))
    assert [(w.item_ids, w.message) for w in build(after_submit).warnings] == [
        (("warm-handoff-definition", "warm-handoff-email-summary", "warm-handoff-benefits"),
         "Canvas Classic Quizzes have no hints; the hints are left out"),
        ((), "Canvas Classic Quizzes have no pass mark; 80% is not carried"),
    ]
    benefits = dataclasses.replace(with_interaction(warm_handoff.items[2], wrong_choice_penalty=False), hints=())
    yes_no = dataclasses.replace(with_interaction(warm_handoff.items[1], choices=(
        Choice("true", inline("Oui"), False, None), Choice("false", inline("Non"), True, None))), hints=())
    quiz = dataclasses.replace(warm_handoff, items=(benefits, yes_no), settings=dataclasses.replace(
        warm_handoff.settings, feedback="immediately", shuffle_items=True))
    messages = [w.message for w in build(quiz).warnings]
    assert any("wrong_choice_penalty: false is not kept" in m for m in messages)
    assert any("import this one as multiple choice" in m for m in messages)
    assert any("not after each question" in m for m in messages)
    assert any("cannot shuffle the order of questions" in m for m in messages)


def test_warns_when_the_assessment_is_more_xml_than_checkers_read(warm_handoff: Quiz, monkeypatch) -> None:
    monkeypatch.setattr("builder.formats.MAX_XML_BYTES", 20_000)
    (warning,) = [w for w in build(warm_handoff).warnings if "MB of XML" in w.message]
    assert warning.format == "canvas" and warning.item_ids == ()
    assert re.fullmatch(r"g[0-9a-f]{32}/g[0-9a-f]{32}\.xml is 0 MB of XML, more than the 0 MB that lmspack check "
                        r"and package validators read; split the quiz into smaller ones", warning.message)
    monkeypatch.setattr("builder.formats.MAX_XML_BYTES", 10**9)
    assert not [w for w in build(warm_handoff).warnings if "MB of XML" in w.message]
