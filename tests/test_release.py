"""Cohorts and release mode: one package per cohort per format, machine-readable reports,
checksums, traceability, exit codes and byte-identical rebuilds."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from builder import rendering
from builder.cli import main
from builder.model import FORMAT_NAMES

from projects import QUIZ_YAML, SINGLE, make_project

REPORT_SCHEMA = json.loads((Path(rendering.SCHEMA_DIR) / "build-report.schema.json").read_text())

COHORT_QUIZ = QUIZ_YAML + """\
cohorts:
  spring-2027:
    pass_mark: 80
    attempts: 2
    draw: 2
  autumn-2027:
    time_limit: 30
    shuffle_items: true
"""
ITEMS = {f"q{n}.yaml": SINGLE.format(id=f"q{n}") for n in range(1, 4)}


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    make_project(tmp_path, ITEMS, COHORT_QUIZ)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_one_package_per_cohort_per_format(project):
    result = run("build", "--cohort", "all", "--format", "qti21", "--format", "moodle", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    jsonschema.validate(report, REPORT_SCHEMA)
    assert sorted(Path(p["path"]).name for p in report["packages"]) == [
        "demo-autumn-2027-1.0.0-moodle.xml", "demo-autumn-2027-1.0.0-qti21.zip",
        "demo-spring-2027-1.0.0-moodle.xml", "demo-spring-2027-1.0.0-qti21.zip"]
    test_xml = zipfile.ZipFile(project / "dist/demo-spring-2027-1.0.0-qti21.zip").read("assessment-test.xml").decode()
    # Learners see the quiz's title; the cohort's name is in identifiers only.
    assert 'identifier="demo-spring-2027"' in test_xml and 'title="Demo quiz"' in test_xml
    assert "(spring-2027)" not in test_xml
    assert '<selection select="2"' in test_xml and 'maxAttempts="2"' in test_xml
    autumn = zipfile.ZipFile(project / "dist/demo-autumn-2027-1.0.0-qti21.zip").read("assessment-test.xml").decode()
    assert 'maxTime="1800"' in autumn and 'identifier="demo-autumn-2027"' in autumn


def test_cohort_settings_are_validated_without_building(project):
    quiz = project / "items/demo/quiz.yaml"
    quiz.write_text(quiz.read_text().replace("attempts: 2", "attempts: none").replace("draw: 2", "draw: 9"))
    result = run("validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        "items/demo/quiz.yaml:8:15: 'attempts' must be a whole number from 1 to 100",
        "items/demo/quiz.yaml:9:11: 'draw' is 9 but the quiz has only 3 items",
    ]


def test_unknown_cohort(project):
    result = run("build", "--cohort", "winter")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "items/demo/quiz.yaml:1:1: quiz 'demo' has no cohort 'winter' (cohorts: spring-2027, autumn-2027)")


def test_checksums_and_build_manifest(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    result = run("build", "--format", "all", "--package-version", "2.0.0-rc1")
    assert result.exit_code == 0, result.output
    dist = project / "dist"
    sums = dict(reversed(line.split("  ")) for line in (dist / "SHA256SUMS").read_text().splitlines())
    assert len(sums) == len(FORMAT_NAMES)
    for name, digest in sums.items():
        assert "2.0.0-rc1" in name and hashlib.sha256((dist / name).read_bytes()).hexdigest() == digest
    manifest = json.loads((dist / "build-manifest.json").read_text())
    assert manifest["build_time"] == "2026-01-01T00:00:00Z"
    assert manifest["tool"] == "lmspack" and manifest["git_commit"] is None  # not a git checkout
    assert {s["path"] for s in manifest["sources"]} == {"items/demo/quiz.yaml", *(f"items/demo/{n}" for n in ITEMS)}
    for entry in zipfile.ZipFile(dist / "demo-2.0.0-rc1-qti21.zip").infolist():
        assert entry.date_time == (2026, 1, 1, 0, 0, 0)


def test_build_manifest_entries_are_json_each_on_a_line():
    from builder.build import _json_with_entries_on_lines

    names = ("items/a.yaml", 'items/"quoted" \\ back.yaml', "items/été/\u2028\u0007.yaml", "items/😀.yml")
    sources = [{"path": name, "sha256": "0" * 64} for name in names]
    packages = [{"file": "a.zip", "cohort": None, "size": 12}]
    document = {"tool": "lmspack", "git_commit": None, "sources": sources, "packages": packages, "none": []}
    text = _json_with_entries_on_lines(document)
    assert json.loads(text) == document
    lines = text.split("\n")
    for entry in (*sources, *packages):  # each entry on its own line, as json.dumps writes it
        assert f"    {json.dumps(entry, ensure_ascii=False)}," in lines or \
            f"    {json.dumps(entry, ensure_ascii=False)}" in lines


def test_rebuild_is_byte_identical_in_every_format(project, tmp_path):
    first = run("build", "--format", "all", "--cohort", "all", "--out", "one")
    second = run("build", "--format", "all", "--cohort", "all", "--out", "two")
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    names = sorted(p.name for p in (project / "one").iterdir())
    assert len(names) == 2 * len(FORMAT_NAMES) + 2
    for name in names:
        assert (project / "one" / name).read_bytes() == (project / "two" / name).read_bytes(), name


def test_exit_code_1_json_report(project):
    (project / "items/demo/q1.yaml").write_text("id: q1\n")
    result = run("build", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    jsonschema.validate(report, REPORT_SCHEMA)
    assert report["exit_code"] == 1 and not (project / "dist").exists()


def test_exit_code_2_usage(project):
    assert run("build", "--format", "pdf").exit_code == 2
    assert run("build", "--bogus").exit_code == 2
    result = run("build", "--package-version", "../1.0")
    assert result.exit_code == 2 and "'../1.0' may use only letters, digits and . + _ -" in result.stderr
    assert not (project / "dist").exists()


@pytest.mark.parametrize("version", ["1.0.0-abcdefghijklmnop", "1.0\n"])
def test_a_package_version_scorm_cannot_carry_is_a_usage_error(project, version):
    """SCORM 1.2's manifest takes a version of at most 20 characters; a final newline is no
    version at all (a regular expression's '$' let it through into file names)."""
    result = run("build", "--package-version", version)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"{version!r} may use only letters, digits and . + _ - (at most 20)" in result.stderr
    assert not (project / "dist").exists()


def test_exit_code_3_when_a_produced_file_is_invalid(project, monkeypatch):
    real_render = rendering.render

    def broken_render(template: str, **context: object) -> str:
        text = real_render(template, **context)
        return text.replace("</assessmentItem>", "<bogus/></assessmentItem>")

    monkeypatch.setattr(rendering, "render", broken_render)
    result = run("build", "--format", "qti21", "--json")
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    jsonschema.validate(report, REPORT_SCHEMA)
    assert "from template qti21/" in report["errors"][0] and "bogus" in report["errors"][0]
    assert not (project / "dist").exists()


def test_json_output_has_no_progress_or_chatter(project):
    result = run("build", "--format", "qti21", "--json")
    json.loads(result.stdout)  # stdout is exactly one JSON document


def test_a_lost_feature_is_one_warning_naming_its_items(project):
    for name in ITEMS:
        path = project / "items/demo" / name
        path.write_text(path.read_text() + "hints:\n  - Think.\n")
    result = run("build", "--format", "canvas")
    assert result.exit_code == 0, result.output
    hint_lines = [line for line in result.stderr.splitlines() if "hints" in line]
    assert hint_lines == ["warning: canvas: demo, items q1, q2, q3: Canvas Classic Quizzes have no hints; "
                          "the hints are left out [canvas-no-hints]"]


EPOCH_RANGE = ("must be a whole number of seconds between 315532800 (1980-01-01) and 4354819198 (2107-12-31), "
               "the times a zip entry can carry; unset it, or set it to the last commit's time "
               "(git log -1 --format=%ct)")


@pytest.mark.parametrize(("value", "shown"), [
    ("1700000000000", "'1700000000000'"),  # milliseconds: gmtime failed midway (a traceback)
    ("4354819200", "'4354819200'"),  # 2108-01-01: past what a zip's DOS date can hold
    ("\u00b2", "'\u00b2'"),  # str.isdigit() is true of '²', and int() then failed
    ("99999999999999999999", "'99999999999999999999'"),
    ("abc", "'abc'"), ("-1", "'-1'"), ("1e10", "'1e10'"), ("1700000000.5", "'1700000000.5'"),  # were ignored
    ("0", "'0'"), ("315532799", "'315532799'"),  # before 1980: was quietly taken as 1980-01-01
    (" 1700000000", "' 1700000000'"), ("17\x1b]0;x\x07", "'17\\x1b]0;x\\x07'"),
    ("9" * 5000, f"'{'9' * 40}'... (5,000 characters)"),
])
def test_a_source_date_epoch_no_zip_can_carry_is_a_usage_error(project, monkeypatch, value, shown):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    result = run("build", "--format", "all")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr == f"error: SOURCE_DATE_EPOCH={shown}: {EPOCH_RANGE}\n"
    assert not (project / "dist").exists()
    assert run("validate").exit_code == 0  # validate makes no zip and does not read it


@pytest.mark.parametrize(("value", "stamp"), [
    ("", (1980, 1, 1, 0, 0, 0)),  # empty is unset (reproducible-builds.org)
    ("315532800", (1980, 1, 1, 0, 0, 0)),
    ("4354819198", (2107, 12, 31, 23, 59, 58)),
    ("01767225600", (2026, 1, 1, 0, 0, 0)),
])
def test_source_date_epoch_at_the_ends_of_the_range(project, monkeypatch, value, stamp):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    result = run("build", "--format", "all")
    assert result.exit_code == 0, result.output
    for package in (project / "dist").glob("*.zip"):
        assert {entry.date_time for entry in zipfile.ZipFile(package).infolist()} == {stamp}
