"""Warnings: a stable code each, listed once in docs/warnings.md; --json names every item;
accept_warnings silences known ones; --strict fails on the rest; --quiet prints none; and only
the settings quiz.yaml writes are warned of."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from builder import rendering
from builder.build import Warned
from builder.cli import main
from builder.formats import FormatWarning
from builder.warning_codes import CODES

from conftest import ROOT
from projects import QUIZ_YAML, SINGLE, make_project

REPORT_SCHEMA = json.loads((Path(rendering.SCHEMA_DIR) / "build-report.schema.json").read_text())
HINTED = SINGLE + "hints:\n  - Think.\n"
HINTS_LINE = "Canvas Classic Quizzes have no hints; the hints are left out [canvas-no-hints]"


def table_codes() -> list[str]:
    table = (ROOT / "docs/warnings.md").read_text(encoding="utf-8").split("## The codes", 1)[1]
    return re.findall(r"^\| `([a-z0-9-]+)` \|", table, re.MULTILINE)


def test_every_code_is_in_the_table_once():
    codes = table_codes()
    assert len(codes) == len(set(codes)), [c for c in codes if codes.count(c) > 1]
    assert set(codes) == CODES


GIVEN_CODE = (r'"((?:text|xml|cache|package|qti21|scorm|scorm12|moodle|canvas|flashcards|cards-csv|quizlet)'
              r'-[a-z0-9-]+)"')


def test_every_code_the_code_gives_is_known_and_every_known_code_is_given():
    """Each code literal of the formats and the build is in builder.warning_codes, and each code
    there is given somewhere (a warning is also checked as it is made: FormatWarning, Warned)."""
    sources = {path: path.read_text(encoding="utf-8") for path in (ROOT / "builder").rglob("*.py")
               if path.name != "warning_codes.py"}
    given = set()
    for path, text in sources.items():
        if path.parent.name == "formats" or path.name == "build.py":
            given |= set(re.findall(GIVEN_CODE, text))
        given |= set(re.findall(r'warning="([a-z0-9-]+)"', text))
    assert given == CODES


def test_a_warning_with_an_unknown_code_is_a_bug():
    with pytest.raises(AssertionError, match=r"not in builder\.warning_codes"):
        FormatWarning("canvas", "canvas-no-such-thing", "message")
    with pytest.raises(AssertionError, match=r"not in builder\.warning_codes"):
        Warned("nothing", "text", "demo", (), "message")


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """Seven items with hints (Canvas warns of them all), built for Canvas."""
    make_project(tmp_path, {f"q{n}.yaml": HINTED.format(id=f"q{n}") for n in range(1, 8)},
                 QUIZ_YAML + "formats: [canvas]\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def quiz_yaml(project: Path) -> Path:
    return project / "items/demo/quiz.yaml"


def test_json_lists_warnings_as_objects_naming_every_item(project):
    result = run("build", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    jsonschema.validate(report, REPORT_SCHEMA)
    hints = {"code": "canvas-no-hints", "format": "canvas", "quiz": "demo",
             "items": ["q1", "q2", "q3", "q4", "q5", "q6", "q7"],
             "message": "Canvas Classic Quizzes have no hints; the hints are left out"}
    assert hints in report["warnings"] and hints in report["packages"][0]["warnings"]
    # The text shortens the list of items, and names the code.
    assert f"warning: canvas: demo, items q1, q2, q3, q4, q5 and 2 more: {HINTS_LINE}" in result.stderr.splitlines()


def test_validate_json_lists_text_warnings_as_objects(project):
    (project / "items/demo/q1.yaml").write_text(HINTED.format(id="q1").replace("Pick the right one.",
                                                                                "Pick <font>the</font> one."))
    result = run("validate", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["warnings"] == [
        {"code": "text-removed-markup", "format": "text", "quiz": "demo", "items": ["q1"],
         "message": "removed <font> (its text kept): lmspack keeps only the markup every format carries "
                    "(docs/format.md)"}]


def test_strict_build_exits_1_on_a_warning_and_still_writes_the_packages(project):
    result = run("build", "--strict")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == ("2 warnings and --strict: exit 1 (the packages are written to "
                                              "dist)")
    assert (project / "dist/demo-1.0.0-canvas.zip").is_file()
    assert run("build", "--strict", "-f", "qti21").exit_code == 0  # QTI carries hints: no warning


def test_strict_validate_exits_1_on_a_text_warning(project):
    assert run("validate", "--strict").exit_code == 0  # validate gives only the texts' warnings
    (project / "items/demo/q1.yaml").write_text(HINTED.format(id="q1").replace("right", "<font>right</font>"))
    result = run("validate", "--strict")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "warning: text: demo, item q1: removed <font> (its text kept): lmspack keeps only the markup every "
        "format carries (docs/format.md) [text-removed-markup]",
        "1 warning and --strict: exit 1 (the quiz files are valid)"]


def test_quiet_prints_nothing_but_errors(project):
    result = run("build", "--quiet")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    result = run("validate", "--quiet")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    strict = run("build", "--quiet", "--strict")
    assert (strict.exit_code, strict.stdout) == (1, "")
    assert strict.stderr == "2 warnings and --strict: exit 1 (the packages are written to dist)\n"


def test_accepted_warnings_are_silenced(project):
    quiz_yaml(project).write_text(quiz_yaml(project).read_text()
                                  + "accept_warnings: [canvas-no-hints, canvas-no-pass-mark]\n")
    result = run("build", "--strict", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["warnings"] == []
    assert result.stderr == ""


def test_an_unknown_accepted_code_is_an_error_at_its_place(project):
    quiz_yaml(project).write_text(quiz_yaml(project).read_text() + "accept_warnings:\n  - canvas-no-hint\n")
    result = run("validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "items/demo/quiz.yaml:7:5: no warning has the code 'canvas-no-hint'; did you mean 'canvas-no-hints'? "
        "(docs/warnings.md lists them)")


def moodle_settings_warning(project: Path, *args: str) -> list[str]:
    result = run("build", "-f", "moodle", "--json", *args)
    assert result.exit_code == 0, result.output
    return [w["message"].split(": ", 1)[1] for w in json.loads(result.stdout)["warnings"]
            if w["code"] == "moodle-quiz-settings"]


def test_only_the_settings_quiz_yaml_writes_are_warned(project):
    # pass_mark is always written (quiz.yaml needs it); the default feedback timing is not named.
    assert moodle_settings_warning(project) == ["pass mark 50%"]
    quiz_yaml(project).write_text(quiz_yaml(project).read_text() + "feedback: immediately\n"
                                  "cohorts:\n  late:\n    feedback: after_submit\n  timed:\n    time_limit: 20\n")
    assert moodle_settings_warning(project) == ["pass mark 50%, feedback 'immediately'"]
    assert moodle_settings_warning(project, "--cohort", "all") == [
        "pass mark 50%, feedback 'after_submit'", "pass mark 50%, time limit 20 min, feedback 'immediately'"]


def test_canvas_names_immediate_feedback_only_when_written(project):
    def codes() -> list[str]:
        return [w["code"] for w in json.loads(run("build", "--json").stdout)["warnings"]]
    assert "canvas-feedback-after-submit" not in codes()
    quiz_yaml(project).write_text(quiz_yaml(project).read_text() + "feedback: immediately\n")
    assert "canvas-feedback-after-submit" in codes()
