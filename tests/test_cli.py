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
    (project / "items/demo/q3.yaml").write_text("id: q3\ntype: hotspot\n")
    result = run("validate")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "items/demo/q2.yaml:1:1: item id 'q1' is already used by items/demo/q1.yaml:1; give each item its own id",
        "items/demo/q3.yaml:1:1: missing field 'choices'",
        "items/demo/q3.yaml:1:1: missing field 'prompt'",
        "items/demo/q3.yaml:2:7: 'type' must be one of: single_choice, multiple_response, true_false, short_answer, "
        "numeric, essay, matching, ordering, fill_in_blanks, flashcard, not 'hotspot'",
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
    assert json.loads(report.stdout)["errors"][0].endswith("unknown field 'ti\\x1b]0;pwned\\x07tle\\u202e' in an item")


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

def refused_alike(*extra: str) -> list[str]:
    """`validate` and `build --format all` on the project: both exit 1 with the same lines, and the
    build writes nothing. The lines, less the count."""
    checked = run("validate", *extra)
    built = run("build", "--format", "all", "--out", "out", *extra)
    assert checked.exit_code == built.exit_code == 1, (checked.output, built.output)
    assert checked.stderr == built.stderr and "Traceback" not in built.output
    assert not Path("out").exists()
    return checked.stderr.splitlines()[:-1]


NOT_A_FILE = ("is not a regular file (a folder, FIFO, device or socket) but is named like a quiz file; "
              "make it a plain file or rename it")


def test_item_files_linked_to_each_other_are_refused(project):
    quiz = project / "items/demo"
    (quiz / "a.yaml").symlink_to("b.yaml")
    (quiz / "b.yaml").symlink_to("a.yaml")
    loop = "is a symbolic link that leads round in a loop; make it a plain file or remove it"
    assert refused_alike() == [f"items/demo/a.yaml:0:0: {loop}", f"items/demo/b.yaml:0:0: {loop}"]


def test_a_quiz_yaml_linked_to_itself_is_refused(project):
    quiz = project / "items/demo"
    (quiz / "quiz.yaml").unlink()
    (quiz / "quiz.yaml").symlink_to("quiz.yaml")
    assert refused_alike() == [
        "items/demo/quiz.yaml:0:0: is a symbolic link that leads round in a loop; make it a plain file or remove it"]


def test_a_link_to_nothing_is_refused(project):
    (project / "items/demo/.#q1.yaml").symlink_to("someone@host.1234")  # Emacs's lock while q1 is edited
    assert run("validate").exit_code == 0
    (project / "items/demo/gone.yaml").symlink_to("nowhere.yaml")
    assert refused_alike() == ["items/demo/gone.yaml:0:0: cannot be read: it vanished, or is a symbolic link to "
                               "nothing; restore it or remove it"]


def test_fifos_named_like_quiz_files_are_refused_without_waiting(project):
    """Reading a FIFO waits for a writer forever; it is refused before any read."""
    import os

    quiz = project / "items/demo"
    os.mkfifo(quiz / "pipe.yaml")
    assert refused_alike() == [f"items/demo/pipe.yaml:0:0: {NOT_A_FILE}"]
    (quiz / "pipe.yaml").unlink()
    (quiz / "quiz.yaml").unlink()
    os.mkfifo(quiz / "quiz.yaml")
    assert refused_alike() == [f"items/demo/quiz.yaml:0:0: {NOT_A_FILE}"]


def test_a_socket_named_like_an_item_file_is_refused(project):
    import socket

    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind("items/demo/socket.yaml")
        assert refused_alike() == [f"items/demo/socket.yaml:0:0: {NOT_A_FILE}"]


def test_folders_named_like_quiz_files(project):
    quiz = project / "items/demo"
    (quiz / "quiz.yaml").unlink()
    (quiz / "quiz.yaml").mkdir()
    assert refused_alike() == [f"items/demo/quiz.yaml:0:0: {NOT_A_FILE}"]
    (quiz / "quiz.yaml").rmdir()
    make_project(project)
    # A real folder named like an item file is a folder: its items are read.
    (quiz / "more.yaml").mkdir()
    (quiz / "more.yaml/q2.yaml").write_text(SINGLE.format(id="q2"))
    assert run("validate").stdout == "ok: 1 quiz, 2 items\n"
    # A link to a folder is a folder, whatever its name; it stays inside the quiz folder, so it is
    # followed: here to the same items again.
    (quiz / "linked.yaml").symlink_to("more.yaml")
    assert refused_alike() == ["items/demo/more.yaml/q2.yaml:1:1: item id 'q2' is already used by "
                               "items/demo/linked.yaml/q2.yaml:1; give each item its own id"]


def test_unreadable_files_and_folders_are_refused(project, monkeypatch):
    """Permission denied (simulated: the tests may run as root, whom chmod does not stop)."""
    import os

    import builder.loading
    import builder.yamlsource

    read = builder.yamlsource.read_at_most

    def denied(path, limit):
        if str(path).endswith("q1.yaml"):
            raise PermissionError(13, "Permission denied", str(path))
        return read(path, limit)

    denied_message = ("cannot be read: permission denied; make it readable (chmod a+rX) or move it out of the "
                      "quiz folder")
    with monkeypatch.context() as patched:
        patched.setattr(builder.yamlsource, "read_at_most", denied)
        assert refused_alike() == [f"items/demo/q1.yaml:0:0: {denied_message}"]
    (project / "items/demo/sub").mkdir()
    scandir = os.scandir

    def unlisted(path):
        if str(path).endswith("sub"):
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(builder.loading.os, "scandir", unlisted)
    assert refused_alike() == [f"items/demo/sub:0:0: {denied_message}"]


def test_names_that_are_not_utf8_are_refused_by_validate_and_build(project):
    """Such a name passed `validate` and made `build` fail writing build-manifest.json."""
    import os

    quiz = os.fsencode(project / "items/demo")
    with open(quiz + b"/q\xff.yaml", "w", encoding="utf-8") as item:
        item.write(SINGLE.format(id="q2"))
    message = "the name of this file or folder is not valid UTF-8 (the bytes shown as \\xNN); rename it using UTF-8"
    assert refused_alike() == [f"items/demo/q\\xff.yaml:0:0: {message}"]
    os.remove(quiz + b"/q\xff.yaml")
    os.mkdir(quiz + b"/s\xe9")
    with open(quiz + b"/s\xe9/q2.yaml", "w", encoding="utf-8") as item:
        item.write(SINGLE.format(id="q2"))
    assert refused_alike() == [f"items/demo/s\\xe9/q2.yaml:0:0: {message}"]
    os.rename(project / "items/demo", os.fsencode(project / "items") + b"/d\xe9mo")
    assert refused_alike() == [f"items/d\\xe9mo/quiz.yaml:0:0: {message}"]


@pytest.mark.parametrize(("item_id", "message"), [
    ("SCORE", "item id 'SCORE' is reserved: lmspack's QTI packages name something of their own 'SCORE' (in any "
              "case); rename the item"),
    ("con", "item id 'con' is a device name on Windows (CON, PRN, AUX, NUL, COM0-9, LPT0-9, also followed by '.' "
            "and anything, in any case); item ids become file names: rename the item"),
])
def test_clashing_identifiers_are_refused_by_validate_and_build(project, item_id, message):
    """They built a QTI test with two things of one identifier (or a zip that Windows cannot
    extract), and nothing noticed."""
    (project / "items/demo/q2.yaml").write_text(SINGLE.format(id=item_id))
    assert refused_alike() == [f"items/demo/q2.yaml:1:5: {message}"]


def test_names_with_characters_that_do_not_print_are_refused(project):
    """A line break or an ESC in a file name would reach messages, the build manifest and the
    terminal as it is; such names are refused, shown escaped."""
    (project / "items/demo/q\x1b]0;x\x07.yaml").write_text(SINGLE.format(id="q2"))
    (project / "items/demo/line\nbreak").mkdir()
    (project / "items/demo/line\nbreak/q3.yaml").write_text(SINGLE.format(id="q3"))
    message = "the name of this file or folder holds a character that does not print (shown escaped); rename it"
    assert refused_alike() == [f"items/demo/line\\nbreak/q3.yaml:0:0: {message}",
                               f"items/demo/q\\x1b]0;x\\x07.yaml:0:0: {message}"]


def test_validate_refuses_what_the_quizs_own_formats_cannot_carry_as_build_does(project):
    """validate passed an item that the quiz's own formats refuse (40 choices for SCORM 1.2, 11
    correct ones for Moodle's grades), and build then exited 1 naming one format's refusal. Both now
    list every format's, at once; formats the quiz does not build are not held against it."""
    choices = "".join(f"  - text: c{n}\n    correct: {'true' if n < 11 else 'false'}\n" for n in range(40))
    item = f"id: q1\ntype: multiple_response\nprompt: Pick.\nchoices:\n{choices}"
    (project / "items/demo/q1.yaml").write_text(item)
    assert run("validate").exit_code == 0  # the quiz builds qti21 only
    quiz = project / "items/demo/quiz.yaml"
    quiz.write_text(quiz.read_text() + "formats: [qti21, scorm12, moodle]\n")
    checked, built = run("validate"), run("build")
    assert checked.exit_code == built.exit_code == 1 and checked.stderr == built.stderr
    assert checked.stderr.splitlines() == [
        "items/demo/q1.yaml:1:1: SCORM 1.2 can report at most 36 choices per item (a-z, 0-9) and this item has 40; "
        "build scorm2004 for it, or split it",
        "items/demo/q1.yaml:1:1: cannot build for Moodle: choice 'A' would be worth 9.0909091% of the item (11 "
        "correct choices), which is not on Moodle's grade list, so Moodle would refuse the question; use 1 to 10 "
        "correct choices",
        "2 problems found; nothing was written"]
    assert not (project / "dist").exists()


def test_a_quiz_yaml_linked_outside_the_quiz_folder_is_refused(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere") / "quiz.yaml"
    (project / "items/demo/quiz.yaml").rename(outside)
    (project / "items/demo/quiz.yaml").symlink_to(outside)
    assert refused_alike() == ["items/demo/quiz.yaml:0:0: is a link to a file outside the quiz folder items/demo; "
                               "copy the file in"]
