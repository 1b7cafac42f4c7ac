"""lmspack import of Canvas quiz exports (builder/importing/canvas.py): lmspack's own packages come
back byte for byte when built again; each Canvas question type and setting is read as Canvas writes
it; what the model does not hold is listed at its place in the package; malformed and unsafe
packages are reported at their place."""

from __future__ import annotations

import dataclasses
import io
import stat
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from test_properties import presented_quizzes, write

from builder.errors import InputError
from builder.importing import ImportedQuiz, canvas
from builder.importing.writing import write_quizzes
from builder.loading import load_quizzes
from builder.model import Quiz

from conftest import SHARED
from projects import build_format, import_and_build, package_files, rebuilt_from_import

ROUND_TRIP = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
SAMPLES = SHARED / "samples"
EXPORT = Path(__file__).parent / "imports" / "canvas-export"
"""A Canvas export as Canvas writes one, no lmspack metadata: a question of each type, a question
group, the quiz's settings and a file under web_resources/."""
PNG = (EXPORT / "web_resources" / "Uploaded Media" / "base.png").read_bytes()


@pytest.fixture(scope="module")
def export() -> ImportedQuiz:
    (quiz,) = canvas.read(EXPORT)
    return quiz


def zipped(tmp_path: Path, extra: dict[str, bytes] | None = None, changed: dict[str, bytes] | None = None) -> Path:
    """The export as a zip, with these files added or changed."""
    path = tmp_path / "export.zip"
    files = {file.relative_to(EXPORT).as_posix(): file.read_bytes() for file in sorted(EXPORT.rglob("*"))
             if file.is_file()}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in (files | (changed or {}) | (extra or {})).items():
            archive.writestr(name, data)
    return path


def lost(quiz: ImportedQuiz) -> list[str]:
    """What was not carried, as 'file:line: what' (the file's name in the package), the pass mark's
    note left out."""
    return [f"{entry.place.rpartition('/')[2]}: {entry.what}" for entry in quiz.lost if "pass mark" not in entry.what]


def documents(quiz: ImportedQuiz) -> dict[str, dict[str, object]]:
    return {entry.identifier: entry.document for entry in quiz.items}


# ---- round trips ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fixture", ["warm_handoff", "kitchen_safety", "kitchen_tasks", "kitchen_media",
                                     "warm_handoff_es", "hand_washing_ar", "kitchen_brand", "kitchen_brand_evening"])
def test_lmspacks_own_package_comes_back_byte_for_byte(fixture: str, request: pytest.FixtureRequest,
                                                        tmp_path: Path) -> None:
    quiz: Quiz = request.getfixturevalue(fixture)
    original = build_format("canvas", quiz)
    rebuilt, (imported,) = import_and_build(tmp_path, original, canvas, "canvas")
    assert rebuilt.filename == original.filename
    assert package_files(rebuilt) == package_files(original)
    assert rebuilt.data == original.data
    assert [item.identifier for item in imported.items] == [item.id for item in quiz.items]
    assert lost(imported) == []


@ROUND_TRIP
@given(presented_quizzes())
def test_generated_quizzes_come_back_byte_for_byte(files: dict[str, dict]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        original, rebuilt = rebuilt_from_import(Path(folder), write(Path(folder), files), canvas, "canvas")
        assert (rebuilt.filename, rebuilt.data) == (original.filename, original.data)


def test_a_cohorts_package_imports_as_the_quiz_with_that_cohort(kitchen_media: Quiz, tmp_path: Path) -> None:
    """A cohort's package names its files from the quiz's folder of web_resources/: the import is the
    quiz (its own identifier and title) with the cohort, which built with the cohort gives it back."""
    cohort = dataclasses.replace(kitchen_media, cohort_settings=(("spring", kitchen_media.settings),))
    original = build_format("canvas", cohort.for_cohort("spring"))
    source = tmp_path / original.filename
    source.write_bytes(original.data)
    (imported,) = canvas.read(source)
    assert imported.identifier == "kitchen-media" and imported.document["cohorts"] == {"spring": {}}
    assert imported.document["title"] == kitchen_media.title
    write_quizzes([(imported, source.name)], tmp_path / "out")
    (quiz,) = load_quizzes([tmp_path / "out" / "kitchen-media"], tmp_path)
    rebuilt = build_format("canvas", quiz.for_cohort("spring"))
    assert (rebuilt.filename, rebuilt.data) == (original.filename, original.data)


def test_an_unzipped_package_imports_as_its_zip(kitchen_tasks: Quiz, tmp_path: Path) -> None:
    built = build_format("canvas", kitchen_tasks)
    folder = tmp_path / "unzipped"
    for name, data in package_files(built).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    zipped = tmp_path / built.filename
    zipped.write_bytes(built.data)
    (from_folder,), (from_zip,) = canvas.read(folder), canvas.read(zipped)
    assert [i.document for i in from_folder.items] == [i.document for i in from_zip.items]


# ---- each type and setting of a Canvas export ------------------------------------------------------

def test_choices_with_feedback_files_and_equations(export: ImportedQuiz) -> None:
    assert documents(export)["acids"] == {
        "id": "acids", "type": "single_choice", "title": "Acids", "points": 2, "prompt": "Which is an acid? $x^2$",
        "choices": [{"text": "HCl", "correct": True},
                    {"text": "NaOH ![a base](<Uploaded Media/base.png>)", "feedback": "A base."}],
        "explanation": "HCl is an acid."}
    assert export.media == {"Uploaded Media/base.png": PNG}


def test_the_quizs_settings(export: ImportedQuiz) -> None:
    assert export.identifier == "chemistry-check" and export.document["version"] == "1.0.0"
    settings = {key: export.document.get(key) for key in ("title", "description", "shuffle_choices", "feedback",
                                                           "time_limit", "attempts", "formats", "pass_mark",
                                                           "navigation", "show_correct_answers")}
    # One question at a time, going back allowed: free navigation; feedback never hides the answers.
    assert settings == {"title": "Chemistry check", "description": "Acids & bases", "shuffle_choices": True,
                        "feedback": "never", "time_limit": 25, "attempts": None, "formats": ["canvas"],
                        "pass_mark": 80, "navigation": "free", "show_correct_answers": None}
    assert any("no pass mark" in entry.what for entry in export.lost)


def test_typed_answers_numbers_and_essays(export: ImportedQuiz) -> None:
    found = documents(export)
    assert found["acid"]["answers"] == [{"text": "HCl", "feedback": "Yes."}, {"text": "hydrochloric acid"}]
    assert found["acid"]["other_feedback"] == "Think of HCl."
    assert found["ph"]["answers"] == [{"value": 7, "tolerance": 0.1}, {"range": [6, 8]}]
    assert found["discuss"] == {"id": "discuss", "type": "essay", "title": "Discuss", "points": 5,
                                "prompt": "Discuss."}


def test_matching_orderings_blanks_and_question_groups(export: ImportedQuiz, tmp_path: Path) -> None:
    found = documents(export)
    assert found["ions"]["pairs"] == [{"left": "Acid", "right": "H+"}, {"left": "Base", "right": "OH-"}]
    assert found["ions"]["distractors"] == ["salt"]
    assert found["steps"] == {"id": "steps", "type": "ordering", "title": "Steps", "prompt": "Order.",
                              "order": ["Rinse", "Dry"], "scoring": "per_position"}
    assert found["water"]["prompt"] == "Water is [[formula]], pH [[b2]]."
    assert found["water"]["blanks"] == {"formula": {"answers": ["H2O", "HOH"]}, "b2": {"answers": ["7"]}}
    assert found["kind"]["blanks"] == {"kind": {"options": ["neutral", "acidic"], "correct": "neutral"}}
    assert export.document["sections"] == [{"id": "blanks-one-of-two", "title": "Blanks, one of two",
                                            "items": ["water", "kind"], "select": 1}]
    write_quizzes([(export, "canvas-export")], tmp_path)  # and it loads


def test_a_match_with_no_text_is_not_imported(tmp_path: Path) -> None:
    quiz_xml = (EXPORT / "quiz1" / "quiz1.xml").read_bytes().replace(b"<mattext>salt</mattext>", b"<mattext/>", 1)
    (quiz,) = canvas.read(zipped(tmp_path, changed={"quiz1/quiz1.xml": quiz_xml}))
    assert "ions" not in documents(quiz)
    assert "quiz1.xml:253: matching_question 'Ions' is not imported: one of its matches has no text" in lost(quiz)


def test_what_is_not_carried_is_listed_at_its_place(export: ImportedQuiz) -> None:
    assert lost(export) == [
        "assessment_meta.xml:6: the setting scoring_policy 'keep_latest', which lmspack's quizzes do not have",
        "assessment_meta.xml:11: the date due_at 2030-01-01T00:00:00",
        "quiz1.xml:70: multiple_choice_question 'Acids': its feedback 'correct_fb' 'Great!' (the model has "
        "per-choice feedback only)",
        "quiz1.xml:180: numerical_question 'pH': a bound that excludes its number (read as including it)",
        "quiz1.xml:208: a text-only question (text between questions, with nothing to answer) 'Intro': not imported",
        "quiz1.xml:223: a file-upload question 'Upload': not imported",
        "quiz1.xml:238: a formula question (numbers drawn when the quiz runs) 'Sum': not imported",
        "quiz1.xml:397: question group 'Blanks, one of two' gives each item 2.0 points (each item keeps its own)"]


# ---- the samples, malformed and unsafe packages ----------------------------------------------------

@pytest.mark.shared
def test_the_canvas_samples(tmp_path: Path) -> None:
    export = SAMPLES / "qti12" / "valid" / "canvas_classic_quiz_export"
    if not export.is_dir():
        pytest.skip(f"{export} is not there (../shared is not beside the checkout)")
    essay, matching = canvas.read(export)
    assert (essay.identifier, matching.identifier) == ("essay-question-history-classic",
                                                      "matching-question-history-classic")
    assert matching.items[0].document["pairs"] == [{"left": "Mercator", "right": "1569"},
                                                   {"left": "Stereographic", "right": "Before 150CE"},
                                                   {"left": "Robinson", "right": "1963"}]
    assert essay.document["attempts"] == 1
    write_quizzes([(quiz, export.name) for quiz in (essay, matching)], tmp_path)
    # A New Quizzes export: its assessment_meta.xml binds a namespace libxml2 refuses; the settings are lost.
    (new_quiz,) = canvas.read(SAMPLES / "qti12" / "invalid" / "canvas_new_quiz_essay_export")
    assert new_quiz.items[0].document["type"] == "essay"
    assert any("the quiz's settings, which are not well-formed XML" in entry.what for entry in new_quiz.lost)


@pytest.mark.shared
def test_a_broken_sample_is_reported_at_its_place() -> None:
    broken = SAMPLES / "broken" / "qti12_assessment_file_missing.zip"
    if not broken.is_file():
        pytest.skip(f"{broken} is not there")
    with pytest.raises(InputError) as raised:
        canvas.read(broken)
    assert str(raised.value) == f"{broken}!/gf8e261b8e9ee27010cdfae772368fa0f/gf8e261b8e9ee27010cdfae772368fa0f.xml" \
                                ":0:0: is listed in imsmanifest.xml but not in the package"


def test_malformed_xml_is_reported_at_its_line_in_the_package(tmp_path: Path) -> None:
    path = zipped(tmp_path, changed={"quiz1/quiz1.xml": b"<questestinterop>\n<assessment>\n<item>\n</assessment>"})
    with pytest.raises(InputError) as raised:
        canvas.read(path)
    assert str(raised.value) == f"{path}!/quiz1/quiz1.xml:4:14: not well-formed XML: Opening and ending tag " \
                                "mismatch: item line 3 and assessment, line 4, column 14"


def test_no_manifest_and_no_quiz_are_reported(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"has no imsmanifest\.xml: not a Canvas quiz export"):
        canvas.read(empty)
    manifest = (EXPORT / "imsmanifest.xml").read_bytes().replace(b"imsqti_xmlv1p2", b"webcontent")
    with pytest.raises(InputError, match=r"holds no quiz that lmspack can import \(no QTI 1.2 assessment"):
        canvas.read(zipped(tmp_path, changed={"imsmanifest.xml": manifest}))


def _zip_with(tmp_path: Path, entry: zipfile.ZipInfo, data: bytes) -> Path:
    path = zipped(tmp_path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(entry, data)
    return path


def test_an_entry_outside_the_package_is_refused(tmp_path: Path) -> None:
    path = _zip_with(tmp_path, zipfile.ZipInfo("../escape.xml"), b"x")
    with pytest.raises(InputError) as raised:
        canvas.read(path)
    assert str(raised.value) == f"{path}:0:0: zip entry '../escape.xml' contains '..'; it was not used"


def test_a_link_in_the_zip_is_refused(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("web_resources/link.png")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = _zip_with(tmp_path, link, b"/etc/passwd")
    with pytest.raises(InputError, match=r"zip entry 'web_resources/link\.png' is a symbolic link; it was not used"):
        canvas.read(path)


def test_a_zip_bomb_is_not_unpacked(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", (EXPORT / "imsmanifest.xml").read_bytes())
        archive.writestr("quiz1/quiz1.xml", b"<" + b" " * 50_000_000 + b"/>")
    with pytest.raises(InputError, match=r"bomb.zip:0:0: zip entry 'quiz1/quiz1.xml' expands \d+ times \(limit 100\); "
                                         "it was not unpacked"):
        canvas.read(path)


def test_recognises_canvas_exports_only(tmp_path: Path, kitchen_tasks: Quiz) -> None:
    built = build_format("canvas", kitchen_tasks)
    path = tmp_path / built.filename
    path.write_bytes(built.data)
    assert canvas.recognises(path, built.data[:4096])
    qti21 = tmp_path / "qti21.zip"
    qti21.write_bytes(build_format("qti21", kitchen_tasks).data)
    assert not canvas.recognises(qti21, qti21.read_bytes()[:4096])
    moodle = tmp_path / "bank.xml"
    moodle.write_text("<quiz/>", encoding="utf-8")
    assert not canvas.recognises(moodle, b"<quiz/>")
    buffer = io.BytesIO()
    zipfile.ZipFile(buffer, "w").close()
    assert not canvas.recognises(tmp_path, b"")
