"""lmspack import of Moodle XML (builder/importing/moodle.py): lmspack's own files come back byte for
byte when built again; each Moodle question type is read as Moodle's importer reads it; what the
model does not hold is listed at its line; a malformed file is reported at its place."""

from __future__ import annotations

import base64
import dataclasses
import tempfile
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from test_properties import presented_quizzes, write

from builder.errors import InputError
from builder.importing import ImportedQuiz, moodle
from builder.importing.writing import write_quizzes
from builder.model import Quiz

from conftest import SHARED
from projects import build_format, import_and_build, rebuilt_from_import

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
PH_TEXT = ('<p dir="ltr" style="text-align: left;">The pH of water? <img src="@@PLUGINFILE@@/beak%20er.png" '
           'alt="a beaker"></p><p>\\(\\mathrm{pH} = 7\\)</p>')
RIGHT_ANSWER = "<text><![CDATA[<p>7</p>]]></text><feedback><text>Right.</text></feedback>"
CLOZE_TEXT = ("<p>Water is {2:SHORTANSWER:=H2O#yes~%50%HOH~=h\\}2o}, pH {2:NM:=7:0.1} and "
              "{2:MCV:neutral~=neutral!~a &amp;amp; b}. A set &#123;x&#125;.</p>")
ROUND_TRIP = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))


def bank(tmp_path: Path, questions: str, name: str = "bank.xml") -> Path:
    """A Moodle XML file of these <question> elements after one category, the first at line 7."""
    path = tmp_path / name
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n  <question type="category">\n'
                    "    <category><text>$course$/top/Chemistry</text></category>\n  </question>\n"
                    "  <!-- the questions -->\n" + textwrap.dedent(questions).strip() + "\n</quiz>\n", encoding="utf-8")
    return path


def one_item(quiz: ImportedQuiz) -> dict[str, object]:
    (item,) = quiz.items
    return item.document


def lost(quiz: ImportedQuiz) -> list[str]:
    """What was not carried, as 'line: what', the pass mark's note left out."""
    return [f"{entry.place.rpartition(':')[2]}: {entry.what}" for entry in quiz.lost
            if "pass mark" not in entry.what]


# ---- round trips ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fixture", ["warm_handoff", "kitchen_safety", "kitchen_tasks", "kitchen_media",
                                     "warm_handoff_es", "hand_washing_ar", "kitchen_brand", "kitchen_brand_evening"])
def test_lmspacks_own_file_comes_back_byte_for_byte(fixture: str, request: pytest.FixtureRequest,
                                                     tmp_path: Path) -> None:
    quiz: Quiz = request.getfixturevalue(fixture)
    original = build_format("moodle", quiz)
    rebuilt, (imported,) = import_and_build(tmp_path, original, moodle, "moodle")
    assert (rebuilt.filename, rebuilt.data) == (original.filename, original.data)
    # Nothing a Moodle file holds is lost: the only note is the pass mark Moodle XML does not hold.
    assert lost(imported) == []
    # A cohort's file is a quiz of its own, named as the file is (kitchen-brand-evening).
    assert imported.document["identifier"] == quiz.package_id and imported.document["version"] == quiz.version


@ROUND_TRIP
@given(presented_quizzes())
def test_generated_quizzes_come_back_byte_for_byte(files: dict[str, dict]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        original, rebuilt = rebuilt_from_import(Path(folder), write(Path(folder), files), moodle, "moodle")
        assert (rebuilt.filename, rebuilt.data) == (original.filename, original.data)


def test_a_cohorts_file_imports_as_a_quiz_of_its_own(kitchen_tasks: Quiz, tmp_path: Path) -> None:
    cohort = dataclasses.replace(kitchen_tasks, cohort_settings=(("spring", kitchen_tasks.settings),))
    original = build_format("moodle", cohort.for_cohort("spring"))
    rebuilt, (imported,) = import_and_build(tmp_path, original, moodle, "moodle")
    assert imported.identifier == "kitchen-tasks-spring" and imported.document["title"] == "Kitchen routines (spring)"
    assert (rebuilt.filename, rebuilt.data) == (original.filename, original.data)


def test_the_imported_folder_is_what_an_author_writes(warm_handoff: Quiz, tmp_path: Path) -> None:
    source = tmp_path / "warm-handoff-1.0.0-moodle.xml"
    source.write_bytes(build_format("moodle", warm_handoff).data)
    write_quizzes([(quiz, source.name) for quiz in moodle.read(source)], tmp_path / "out")
    folder = tmp_path / "out" / "warm-handoff"
    quiz_yaml = yaml.safe_load((folder / "quiz.yaml").read_text(encoding="utf-8"))
    assert quiz_yaml["items"] == [item.id for item in warm_handoff.items]
    assert quiz_yaml["title"] == warm_handoff.title and quiz_yaml["shuffle_choices"] is True
    assert (folder / "images" / "warm-handoff-diagram.png").read_bytes() == \
        (Path(__file__).parents[1] / "items" / "warm-handoff" / "images" / "warm-handoff-diagram.png").read_bytes()
    definition = yaml.safe_load((folder / "warm-handoff-definition.yaml").read_text(encoding="utf-8"))
    assert definition["type"] == "single_choice" and definition["choices"][0]["correct"] is True
    assert "<" not in definition["prompt"]  # Markdown, not HTML, where Markdown says it


# ---- each type -----------------------------------------------------------------------------------

def test_multichoice_single_with_files_tex_feedback_and_what_is_lost(tmp_path: Path) -> None:
    png = base64.b64encode(PNG).decode()
    (quiz,) = moodle.read(bank(tmp_path, f"""
      <question type="multichoice">
        <name><text>pH of water</text></name>
        <questiontext format="html"><text><![CDATA[{PH_TEXT}]]></text>
          <file name="beak er.png" path="/" encoding="base64">{png}</file></questiontext>
        <generalfeedback format="html"><text>Neutral water has pH 7.</text></generalfeedback>
        <defaultgrade>2.0000000</defaultgrade>
        <penalty>0.5</penalty>
        <idnumber>ph-water</idnumber>
        <single>true</single>
        <shuffleanswers>true</shuffleanswers>
        <answernumbering>123</answernumbering>
        <correctfeedback format="html"><text>Your answer is correct.</text></correctfeedback>
        <incorrectfeedback format="html"><text>Try again!</text></incorrectfeedback>
        <answer fraction="100" format="html">{RIGHT_ANSWER}</answer>
        <answer fraction="50" format="html"><text>6.9</text></answer>
        <answer fraction="0" format="html"><text>0</text></answer>
        <hint format="html"><text>Think neutral.</text><clearwrong/></hint>
        <tags><tag><text>ph</text></tag></tags>
      </question>"""))
    assert one_item(quiz) == {
        "id": "ph-water", "type": "single_choice", "title": "pH of water", "points": 2, "tags": ["ph"],
        "prompt": "The pH of water? ![a beaker](<beak er.png>)\n\n$\\mathrm{pH} = 7$",
        "choices": [{"text": "7", "correct": True, "feedback": "Right."}, {"text": "6.9"}, {"text": "0"}],
        "hints": ["Think neutral."], "explanation": "Neutral water has pH 7."}
    assert quiz.media == {"beak er.png": PNG}
    assert quiz.document["shuffle_choices"] is True and quiz.document["title"] == "Chemistry"
    assert lost(quiz) == [
        "13: multichoice 'pH of water': penalty 0.5 (the share of the mark lost per extra try), which lmspack's "
        "model does not hold",
        "17: multichoice 'pH of water': its choices numbered '123' (lmspack's Moodle files number them a, b, c)",
        "19: multichoice 'pH of water': its incorrectfeedback 'Try again!' (the model has per-choice feedback only)",
        "21: multichoice 'pH of water': choice '6.9' worth 50%, imported as a wrong choice (a single choice is right "
        "or wrong)",
        "23: multichoice 'pH of water': a hint's options (clearwrong), which lmspack's hints do not have"]


def test_multichoice_multiple_keeps_its_penalty_and_names_grades_lmspack_scores_otherwise(tmp_path: Path) -> None:
    (quiz,) = moodle.read(bank(tmp_path, """
      <question type="multichoice">
        <name><text>Acids</text></name>
        <questiontext format="html"><text>Which are acids?</text></questiontext>
        <single>false</single>
        <answer fraction="50"><text>HCl</text></answer>
        <answer fraction="50"><text>HNO3</text></answer>
        <answer fraction="0"><text>NaOH</text></answer>
      </question>
      <question type="multichoice">
        <name><text>Bases</text></name>
        <questiontext format="html"><text>Which are bases?</text></questiontext>
        <single>false</single>
        <answer fraction="75"><text>NaOH</text></answer>
        <answer fraction="25"><text>KOH</text></answer>
        <answer fraction="-100"><text>HCl</text></answer>
      </question>"""))
    acids, bases = (item.document for item in quiz.items)
    assert acids["type"] == "multiple_response" and acids["wrong_choice_penalty"] is False
    assert [choice.get("correct", False) for choice in acids["choices"]] == [True, True, False]  # type: ignore[union-attr]
    assert "wrong_choice_penalty" not in bases
    assert lost(quiz) == ["15: multichoice 'Bases': its choices' grades (75%, 25%, -100%) are not lmspack's (each "
                          "right choice an equal share, each wrong one as much taken away); imported with lmspack's"]


def test_truefalse_shortanswer_numerical_and_essay(tmp_path: Path) -> None:
    (quiz,) = moodle.read(bank(tmp_path, """
      <question type="truefalse">
        <name><text>Water is wet</text></name>
        <questiontext format="html"><text>Water is wet.</text></questiontext>
        <penalty>1</penalty>
        <answer fraction="0"><text>true</text><feedback><text>It is not.</text></feedback></answer>
        <answer fraction="100"><text>false</text></answer>
      </question>
      <question type="shortanswer">
        <name><text>Base</text></name>
        <questiontext format="moodle_auto_format"><text>Name a strong base.
    It is used in soap.</text></questiontext>
        <usecase>1</usecase>
        <answer fraction="100"><text>NaOH</text></answer>
        <answer fraction="33.33333"><text>sodium hydrox*</text></answer>
        <answer fraction="100"><text>caustic soda \\*</text></answer>
        <answer fraction="0"><text>KOH</text><feedback><text>Not in soap.</text></feedback></answer>
        <answer fraction="0"><text>*</text><feedback><text>No.</text></feedback></answer>
      </question>
      <question type="numerical">
        <name><text>Molar mass</text></name>
        <questiontext format="html"><text>Molar mass of NaOH?</text></questiontext>
        <answer fraction="100"><text>40</text><tolerance>0.5</tolerance></answer>
        <answer fraction="50"><text>39</text><tolerance>2</tolerance></answer>
        <answer fraction="100"><text>40.2</text><tolerance>0.1</tolerance></answer>
        <units><unit><multiplier>1</multiplier><unit_name>g/mol</unit_name></unit>
          <unit><multiplier>0.001</multiplier><unit_name>kg/mol</unit_name></unit></units>
        <unitgradingtype>1</unitgradingtype>
      </question>
      <question type="essay">
        <name><text>Discuss</text></name>
        <questiontext format="html"><text>Discuss.</text></questiontext>
        <defaultgrade>5</defaultgrade>
        <penalty>0</penalty>
        <responseformat>plain</responseformat>
        <minwordlimit>50</minwordlimit>
        <maxwordlimit>0</maxwordlimit>
        <graderinfo format="html"><text><![CDATA[<ul><li>names an acid</li></ul>]]></text></graderinfo>
        <responsetemplate format="html"><text><![CDATA[First &amp; foremost,<br>
    then]]></text></responsetemplate>
      </question>"""))
    true_false, short, numeric, essay = (item.document for item in quiz.items)
    assert true_false["choices"] == [{"text": "True", "feedback": "It is not."}, {"text": "False", "correct": True}]
    assert short["prompt"] == "Name a strong base.\\\nIt is used in soap."
    assert short["answers"] == [{"text": "NaOH"}, {"text": "sodium hydrox*", "credit": 33.33333},
                                {"text": "caustic soda *"}]
    assert short["case_sensitive"] is True and short["other_feedback"] == "No."
    assert numeric["answers"] == [{"value": 40, "tolerance": 0.5}, {"value": 39, "tolerance": 2, "credit": 50}]
    assert numeric["unit"] == "g/mol"
    assert essay == {"id": "discuss", "type": "essay", "title": "Discuss", "points": 5, "prompt": "Discuss.",
                     "grader_notes": "<ul><li>names an acid</li></ul>", "response_template": "First & foremost,\nthen",
                     "min_words": 50}
    assert lost(quiz) == [
        "20: shortanswer 'Base': answer 'sodium hydrox*' uses Moodle's wildcard '*', which lmspack reads as an "
        "asterisk",
        "22: shortanswer 'Base': answer 'KOH' worth 0% and its feedback (lmspack lists accepted answers only)",
        "30: numerical 'Molar mass': answer 40.2, every number of which an earlier answer already accepts",
        "32: numerical 'Molar mass': the unit 'kg/mol' (multiplier 0.001); lmspack's numeric item has one unit, "
        "shown beside the box",
        "33: numerical 'Molar mass': its unit is graded (lmspack's learner types the number only)",
        "40: essay 'Discuss': its responseformat 'plain' (lmspack's essay is an HTML editor, a response required, no "
        "attachments)"]


def test_matching_ordering_and_what_they_cannot_be(tmp_path: Path) -> None:
    (quiz,) = moodle.read(bank(tmp_path, """
      <question type="matching">
        <name><text>Match</text></name>
        <questiontext format="html"><text>Match them.</text></questiontext>
        <shuffleanswers>false</shuffleanswers>
        <subquestion format="html"><text><![CDATA[<p>Acid</p>]]></text><answer><text>pH &lt; 7</text></answer>
        </subquestion>
        <subquestion format="html"><text>Base</text><answer><text>pH &gt; 7</text></answer></subquestion>
        <subquestion format="html"><text></text><answer><text>\\(x^2\\)</text></answer></subquestion>
      </question>
      <question type="matching">
        <name><text>Shared answers</text></name>
        <questiontext format="html"><text>Match them.</text></questiontext>
        <subquestion format="html"><text>Lemon</text><answer><text>Acid</text></answer></subquestion>
        <subquestion format="html"><text>Vinegar</text><answer><text>Acid</text></answer></subquestion>
      </question>
      <question type="ordering">
        <name><text>Steps</text></name>
        <questiontext format="html"><text>Order them.</text></questiontext>
        <gradingtype>RELATIVE_NEXT_EXCLUDE_LAST</gradingtype>
        <selecttype>RANDOM</selecttype>
        <selectcount>2</selectcount>
        <answer fraction="1" format="html"><text>Rinse</text></answer>
        <answer fraction="2" format="html"><text>Dry</text></answer>
        <answer fraction="3" format="html"><text>Store</text></answer>
      </question>"""))
    matching, ordering = (item.document for item in quiz.items)
    assert matching["pairs"] == [{"left": "Acid", "right": "pH \\< 7"}, {"left": "Base", "right": "pH \\> 7"}]
    assert matching["distractors"] == ["$x^2$"]
    assert ordering["order"] == ["Rinse", "Dry", "Store"] and ordering["scoring"] == "per_position"
    assert "shuffle_choices" not in quiz.document
    assert lost(quiz) == [
        "16: matching 'Shared answers' is not imported: two answers read 'Acid' (lmspack's learners must tell them "
        "apart)",
        "25: ordering 'Steps': its grading 'RELATIVE_NEXT_EXCLUDE_LAST'; imported as each step in its place",
        "26: ordering 'Steps': it shows a subset of its steps (selecttype RANDOM, selectcount 2); lmspack shows them "
        "all"]


def test_cloze_and_select_missing_words_become_blanks(tmp_path: Path) -> None:
    (quiz,) = moodle.read(bank(tmp_path, """
      <question type="cloze">
        <name><text>Water</text></name>
        <questiontext format="html"><text><![CDATA[""" + CLOZE_TEXT + """]]></text></questiontext>
        <hint format="html"><text>H and O.</text></hint>
      </question>
      <question type="gapselect">
        <name><text>Gaps</text></name>
        <questiontext format="html"><text><![CDATA[<p>The [[1]] sat on the [[2]].</p>]]></text></questiontext>
        <selectoption><text>cat</text><group>1</group></selectoption>
        <selectoption><text>mat</text><group>2</group></selectoption>
        <selectoption><text>dog</text><group>1</group></selectoption>
        <selectoption><text>hat</text><group>2</group></selectoption>
      </question>
      <question type="gapselect">
        <name><text>One option</text></name>
        <questiontext format="html"><text><![CDATA[<p>The [[1]] sat.</p>]]></text></questiontext>
        <selectoption><text>cat</text><group>1</group></selectoption>
      </question>
      <question type="cloze">
        <name><text>Several</text></name>
        <questiontext format="html"><text>Pick {1:MULTIRESPONSE:=a~=b~c}.</text></questiontext>
      </question>"""))
    cloze, gaps = (item.document for item in quiz.items)
    assert cloze["points"] == 6 and cloze["hints"] == ["H and O."]
    assert cloze["prompt"] == "Water is [[b1]], pH [[b2]] and [[b3]]. A set {x}."
    assert cloze["blanks"] == {"b1": {"answers": ["H2O", "h}2o"]}, "b2": {"value": 7, "tolerance": 0.1},
                               "b3": {"options": ["neutral", "neutral!", "a & b"], "correct": "neutral!"}}
    assert gaps["prompt"] == "The [[b1]] sat on the [[b2]]."
    assert gaps["blanks"] == {"b1": {"options": ["cat", "dog"], "correct": "cat"},
                              "b2": {"options": ["mat", "hat"], "correct": "mat"}}
    assert lost(quiz) == [
        "9: cloze 'Water': blank {2:MCV:neutral~=neutral!~a &amp;amp; b}: its options shown as buttons in Moodle (a "
        "drop-down here)",
        "9: cloze 'Water': blank {2:SHORTANSWER:=H2O#yes~%50%HOH~=h\\}2o}: its answers worth less than full marks "
        "(a blank accepts right answers only)",
        "9: cloze 'Water': blank {2:SHORTANSWER:=H2O#yes~%50%HOH~=h\\}2o}: its answers' feedback (lmspack's blanks "
        "have none)",
        "20: gapselect 'One option' is not imported: its gap [[1]] has fewer than 2 options",
        "25: cloze 'Several' is not imported: its blank {1:MULTIRESPONSE:=a~=b~c} takes several answers (lmspack's "
        "drop-down takes one)"]


def test_a_drop_down_with_an_empty_option_is_not_imported(tmp_path: Path) -> None:
    (quiz,) = moodle.read(bank(tmp_path, """
      <question type="cloze"><name><text>Empty</text></name>
        <questiontext format="html"><text>Pick {1:MC:=a~ }.</text></questiontext></question>
      <question type="shortanswer"><name><text>Kept</text></name>
        <questiontext format="html"><text>H2O?</text></questiontext>
        <answer fraction="100"><text>water</text></answer></question>"""))
    assert lost(quiz) == ["7: cloze 'Empty' is not imported: its drop-down {1:MC:=a~ } needs 2 or more different "
                          "options, one right"]


def test_types_the_model_does_not_hold_are_listed_not_imported(tmp_path: Path) -> None:
    (quiz,) = moodle.read(bank(tmp_path, """
      <question type="description"><name><text>Intro</text></name>
        <questiontext format="html"><text>Read this.</text></questiontext></question>
      <question type="calculated"><name><text>Sum</text></name>
        <questiontext format="html"><text>{a} + {b}?</text></questiontext></question>
      <question type="random"><name><text>Any</text></name></question>
      <question type="ddmarker"><name><text>Map</text></name></question>
      <question type="shortanswer"><name><text>Kept</text></name>
        <questiontext format="html"><text>H2O?</text></questiontext>
        <answer fraction="100"><text>water</text></answer></question>"""))
    assert [item.identifier for item in quiz.items] == ["kept"]
    assert lost(quiz) == [
        "7: a description (text shown between questions, with nothing to answer) 'Intro': not imported",
        "9: a calculated question (numbers drawn from datasets) 'Sum': not imported",
        "11: a random question (drawn from a category when the quiz runs) 'Any': not imported",
        "12: a drag-and-drop markers question 'Map': not imported"]


def test_categories_become_sections_of_one_quiz(tmp_path: Path) -> None:
    path = tmp_path / "questions-chem-20240101.xml"
    path.write_text("""<quiz>
  <question type="category"><category><text>$course$/top/Chem/Acids</text></category></question>
  <question type="shortanswer"><name><text>One</text></name>
    <questiontext format="html"><text>One?</text></questiontext>
    <answer fraction="100"><text>1</text></answer></question>
  <question type="category"><category><text>$course$/top/Chem/Bases//Alkalis</text></category></question>
  <question type="shortanswer"><name><text>Two</text></name>
    <questiontext format="html"><text>Two?</text></questiontext>
    <answer fraction="100"><text>2</text></answer></question>
</quiz>""", encoding="utf-8")
    (quiz,) = moodle.read(path)
    assert quiz.identifier == "questions-chem-20240101" and quiz.document["version"] == "1.0.0"
    assert quiz.document["title"] == "Chem"
    assert quiz.document["sections"] == [{"id": "acids", "title": "Acids", "items": ["one"]},
                                         {"id": "bases-alkalis", "title": "Bases/Alkalis", "items": ["two"]}]


# ---- the reference file and malformed ones -------------------------------------------------------

@pytest.mark.shared
def test_the_reference_file_of_every_type(tmp_path: Path) -> None:
    reference = SHARED / "references" / "moodle.xml"
    if not reference.is_file():
        pytest.skip(f"{reference} is not there (../shared is not beside the checkout)")
    (quiz,) = moodle.read(reference)
    documents = {item.identifier: item.document for item in quiz.items}
    assert list(documents) == ["five-rights", "liquid-dose-volume", "prn-dose-range", "med-record-name",
                               "missed-dose-report", "label-abbreviations", "assist-steps", "storage-blanks"]
    assert documents["prn-dose-range"]["answers"][0]["value"] == 7.5  # type: ignore[index]
    assert documents["med-record-name"]["answers"][2]["credit"] == 50  # type: ignore[index]
    assert documents["storage-blanks"]["points"] == 3 and documents["assist-steps"]["scoring"] == "per_position"
    assert documents["missed-dose-report"]["min_words"] == 60
    write_quizzes([(quiz, reference.name)], tmp_path)  # it loads


@pytest.mark.parametrize(("text", "expected"), [
    ("<quiz><question type='shortanswer'>\n<name", "bank.xml:2:6: not well-formed XML: "),
    ("<questestinterop/>", "bank.xml:1:0: the root element is <questestinterop>, not <quiz>: this is not a Moodle "
                           "XML question bank"),
    ("<quiz>\n<question type='description'><name><text>x</text></name></question>\n</quiz>",
     "bank.xml:1:0: no question here that lmspack can import (1 not imported: see above)"),
    ("<quiz>\n<question type='multichoice'><name><text>x</text></name><questiontext><text>x</text>\n"
     "<file name='a.png' path='/'>a</file></questiontext><answer fraction='100'><text>y</text></answer>"
     "<answer fraction='0'><text>n</text></answer></question>\n</quiz>",
     "bank.xml:3:0: the file 'a.png' is not valid base64"),
    ("<quiz>\n<question type='essay'><name><text>x</text></name><questiontext><text>x</text></questiontext>\n"
     "<defaultgrade>many</defaultgrade></question>\n</quiz>", "bank.xml:3:0: defaultgrade 'many' is not a number"),
])
def test_a_malformed_file_is_reported_at_its_place(text: str, expected: str, tmp_path: Path) -> None:
    path = tmp_path / "bank.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        moodle.read(path)
    assert str(raised.value).startswith(str(tmp_path / expected)), str(raised.value)


def test_entities_are_never_expanded(tmp_path: Path) -> None:
    path = tmp_path / "bank.xml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<quiz>\n'
                    "<question type='shortanswer'><name><text>&x;</text></name><questiontext><text>Q</text>"
                    "</questiontext><answer fraction='100'><text>a</text></answer></question>\n</quiz>",
                    encoding="utf-8")
    (quiz,) = moodle.read(path)
    assert "root:" not in str(one_item(quiz))


def test_recognises_moodle_xml_only(tmp_path: Path) -> None:
    path = bank(tmp_path, "")
    assert moodle.recognises(path, path.read_bytes()[:4096])
    other = tmp_path / "other.xml"
    other.write_text("<questestinterop/>", encoding="utf-8")
    assert not moodle.recognises(other, other.read_bytes())
    assert not moodle.recognises(tmp_path, b"")
