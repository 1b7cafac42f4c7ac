"""The command line through click's CliRunner: messages, exit codes, and what reaches dist/."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder import __version__
from builder.cli import main

from projects import SINGLE, make_project


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.output == f"lmspack {__version__}\n"


def test_validate_ok(project):
    result = run("validate")
    assert result.exit_code == 0
    assert result.stdout == "ok: 1 quiz, 1 items\n"


def test_validate_reports_every_problem_and_exits_1(project):
    (project / "items/demo/q2.yaml").write_text(SINGLE.format(id="q1"))
    (project / "items/demo/q3.yaml").write_text("id: q3\ntype: essay\n")
    result = run("validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "items/demo/q2.yaml:1:1: item id 'q1' is already used by items/demo/q1.yaml:1; give each item its own id",
        "items/demo/q3.yaml:1:1: missing field 'choices'",
        "items/demo/q3.yaml:1:1: missing field 'prompt'",
        "items/demo/q3.yaml:2:7: 'type' must be one of: single_choice, multiple_response, true_false, not 'essay'",
        "4 problems found; nothing was written",
    ]
    assert "Traceback" not in result.output


def test_validate_json_on_error(project):
    (project / "items/demo/q1.yaml").write_text("id: q1\n")
    result = run("validate", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["exit_code"] == 1
    assert report["errors"][0].startswith("items/demo/q1.yaml:1:1: missing field")


def test_build_with_invalid_input_writes_nothing(project):
    (project / "items/demo/q1.yaml").write_text(SINGLE.format(id="q1").replace("correct: true", "correct: maybe"))
    result = run("build", "--format", "qti21")
    assert result.exit_code == 1
    assert not (project / "dist").exists()


def test_missing_path_is_an_input_error(project):
    result = run("validate", "nowhere")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "nowhere:0:0: no such file or folder"


def test_unknown_format_is_a_usage_error(project):
    result = run("build", "--format", "pdf")
    assert result.exit_code == 2


def test_out_inside_items_is_refused(project):
    result = run("build", "--format", "qti21", "--out", "items/demo/out")
    assert result.exit_code == 2
    assert "the build never writes there" in result.stderr
    assert not (project / "items/demo/out").exists()


def test_build_writes_package_checksums_and_manifest(project):
    result = run("build", "--format", "qti21")
    assert result.exit_code == 0, result.output
    dist = project / "dist"
    assert sorted(p.name for p in dist.iterdir()) == ["SHA256SUMS", "build-manifest.json", "demo-1.0.0-qti21.zip"]
    assert result.stdout.startswith("built dist/demo-1.0.0-qti21.zip (")
    assert zipfile.ZipFile(dist / "demo-1.0.0-qti21.zip").namelist()[0] == "imsmanifest.xml"
    manifest = json.loads((dist / "build-manifest.json").read_text())
    assert [s["path"] for s in manifest["sources"]] == ["items/demo/q1.yaml", "items/demo/quiz.yaml"]


def test_build_json_report(project):
    result = run("build", "--format", "qti21", "--json")
    assert result.exit_code == 0, result.output
    (package,) = json.loads(result.stdout)["packages"]
    assert package["quiz"] == "demo" and package["format"] == "qti21" and package["items"] == 1
    data = (project / "dist/demo-1.0.0-qti21.zip").read_bytes()
    import hashlib

    assert package["sha256"] == hashlib.sha256(data).hexdigest() and package["size"] == len(data)


def test_python_dash_m_builder_works(project):
    import subprocess
    import sys

    run_ = subprocess.run([sys.executable, "-m", "builder", "validate"], capture_output=True, text=True,
                          cwd=project, check=False)
    assert run_.returncode == 0 and run_.stdout == "ok: 1 quiz, 1 items\n"


@pytest.mark.parametrize(("args", "code", "stdout", "stderr"), [
    (["build", "--format", "qti21", "--json"], 0, '"ok": true', ""),
    (["validate", "nowhere"], 1, "", "1 problem found; nothing was written"),
    (["build", "--bogus"], 2, "", "No such option '--bogus'"),
])
def test_the_command_exits_at_once_with_its_status_and_all_its_output(project, args, code, stdout, stderr):
    """The console entry point ends the process without the slow ordinary exit (builder.cli
    console_main): its status and everything it printed must still come out."""
    import subprocess
    import sys

    run_ = subprocess.run([sys.executable, "-m", "builder", *args], capture_output=True, text=True,
                          cwd=project, check=False)
    assert run_.returncode == code and stdout in run_.stdout and stderr in run_.stderr
    if stdout:
        assert json.loads(run_.stdout)["packages"][0]["format"] == "qti21"  # the whole report, flushed


@pytest.mark.parametrize(("out", "message"), [
    ("/dev/null/dist", "--out /dev/null/dist: /dev/null is a file, not a folder"),
    ("q.yaml", "Directory 'q.yaml' is a file"),
])
def test_out_that_cannot_be_a_folder_is_a_usage_error(project, out, message):
    (project / "q.yaml").write_text("not a folder")
    result = run("build", "--format", "qti21", "--out", out)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert message in result.stderr


def test_a_write_failure_is_reported_without_a_traceback(project, monkeypatch):
    import builder.writing

    def full_disk(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(builder.writing, "write_atomic", full_disk)
    result = run("build", "--format", "qti21")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.splitlines()[0] == "error: cannot write to dist: No space left on device"


def test_values_from_files_reach_the_terminal_escaped(project):
    """A key written with YAML escapes holds an escape sequence that sets a terminal's title, and a
    right-to-left override that reorders what follows; both are shown, not sent."""
    item = SINGLE.format(id="q1") + '"ti\\e]0;pwned\\atle\\u202e": x\n'
    (project / "items/demo/q1.yaml").write_text(item)
    result = run("validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "items/demo/q1.yaml:10:1: unknown field 'ti\\x1b]0;pwned\\x07tle\\u202e' in an item")
    report = run("validate", "--json")
    assert "\x1b" not in report.stdout and "\u202e" not in report.stdout
    assert json.loads(report.stdout)["errors"][0].endswith("unknown field 'ti\x1b]0;pwned\x07tle\u202e' in an item")


def test_a_name_in_a_package_cannot_forge_a_line_of_the_check_report(project):
    assert run("build", "--format", "qti21").exit_code == 0
    forged = project / "forged.zip"
    with zipfile.ZipFile(project / "dist/demo-1.0.0-qti21.zip") as source, zipfile.ZipFile(forged, "w") as target:
        for entry in source.infolist():
            target.writestr(entry, source.read(entry))
        target.writestr("x\nsummary: 1 path checked, 0 errors, 0 warnings\x85.xml", b"<a/>")
    result = run("check", "forged.zip")
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("summary:")] == [lines[-1]]
    assert "x\\nsummary: 1 path checked, 0 errors, 0 warnings\\x85.xml" in result.stdout
    report = run("check", "--json", "forged.zip")
    assert "\x85" not in report.stdout
    (problem,) = json.loads(report.stdout)["packages"][0]["problems"]
    assert problem["file"] == "forged.zip!/x\nsummary: 1 path checked, 0 errors, 0 warnings\x85.xml"
