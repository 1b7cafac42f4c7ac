"""Where things are (issue 20): the project folder of what `validate` and `build` are given, from
any working directory; lmspack.yaml and each of its keys; symbolic links; messages that name the
folder they are about. Through click's CliRunner, in temporary folders (builder/project.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from builder import project
from builder.cli import main
from builder.loading import ProjectSettings

from conftest import ROOT
from projects import QUIZ_YAML, SINGLE, make_project

ESSAY = "id: {id}\ntype: essay\nprompt: Say why.\nmin_words: 10\n"
MARKED = "the nearest folder holding lmspack.yaml"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def ok(*args: str) -> Result:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return result


def refused(*args: str, code: int = 1) -> list[str]:
    """The lines a command that fails prints on stderr, but its count of problems."""
    result = run(*args)
    assert result.exit_code == code, result.output
    return [line for line in result.stderr.splitlines() if not line.endswith("nothing was written")]


def files(folder: Path) -> list[str]:
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())


def sources(dist: Path) -> list[str]:
    return [source["path"] for source in json.loads((dist / "build-manifest.json").read_text())["sources"]]


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An unrelated working directory, left empty by every command."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def quiz(tmp_path: Path) -> Path:
    """A quiz folder, with no lmspack.yaml above it: its own project."""
    return make_project(tmp_path, folder="course/demo")


@pytest.fixture
def marked(tmp_path: Path) -> Path:
    """A project folder with an lmspack.yaml (all defaults) and one quiz in items/."""
    folder = tmp_path / "project"
    make_project(folder)
    (folder / "lmspack.yaml").write_text("# the project folder\n", encoding="utf-8")
    return folder


# ---- a quiz folder with no lmspack.yaml above it is its own project ---------------------------------

def test_build_inside_a_quiz_folder_writes_its_dist_and_cache_there(quiz: Path, monkeypatch) -> None:
    """`lmspack build` in a quiz folder said `items:0:0: no such file or folder`."""
    monkeypatch.chdir(quiz)
    assert ok("validate").stdout == "ok: 1 quiz, 1 items\n"
    built = ok("build", "-f", "qti21")
    assert built.stdout.startswith("built dist/demo-1.0.0-qti21.zip (")
    assert files(quiz / "dist") == ["SHA256SUMS", "build-manifest.json", "demo-1.0.0-qti21.zip"]
    assert (quiz / ".lmspack-cache").is_dir()
    # Paths in the manifest and in messages are relative to the project folder.
    assert sources(quiz / "dist") == ["q1.yaml", "quiz.yaml"]
    (quiz / "q1.yaml").write_text("id: q1\n")
    assert refused("validate")[0] == "q1.yaml:1:1: missing field 'choices'"
    # The build output and the cache are never read as items (lmspack new's .gitignore names them).
    (quiz / "q1.yaml").write_text(SINGLE.format(id="q1"))
    assert ok("validate").stdout == "ok: 1 quiz, 1 items\n"


def test_a_quiz_folder_given_from_anywhere_is_built_into_its_own_dist(quiz: Path, elsewhere: Path) -> None:
    """`lmspack validate /abs/path/to/quiz` said `is outside the project folder`."""
    assert ok("validate", str(quiz)).stdout == "ok: 1 quiz, 1 items\n"
    built = ok("build", str(quiz), "-f", "qti21")
    assert built.stdout.startswith(f"built {quiz / 'dist' / 'demo-1.0.0-qti21.zip'} (")
    assert (quiz / "dist" / "demo-1.0.0-qti21.zip").is_file()
    assert files(elsewhere) == []
    # An item file stands for its quiz folder.
    assert ok("validate", str(quiz / "q1.yaml")).stdout == "ok: 1 quiz, 1 items\n"
    # A relative path too: the same project whatever the working directory.
    os.chdir(quiz.parent)
    ok("build", "demo", "-f", "moodle", "-q")
    assert files(quiz / "dist") == ["SHA256SUMS", "build-manifest.json", "demo-1.0.0-moodle.xml",
                                    "demo-1.0.0-qti21.zip"]


def test_a_folder_of_quizzes_given_is_their_project(quiz: Path, elsewhere: Path) -> None:
    course = quiz.parent
    make_project(course.parent, {"q1.yaml": SINGLE.format(id="q1")}, QUIZ_YAML.replace("demo", "other"),
                 folder="course/other")
    assert ok("validate", str(course)).stdout == "ok: 2 quizzes, 2 items\n"
    ok("build", str(course), "-f", "qti21", "-q")
    assert files(course / "dist") == ["SHA256SUMS", "build-manifest.json", "demo-1.0.0-qti21.zip",
                                      "other-1.0.0-qti21.zip"]
    assert sources(course / "dist") == ["demo/q1.yaml", "demo/quiz.yaml", "other/q1.yaml", "other/quiz.yaml"]


def test_with_no_path_and_no_lmspack_yaml_the_working_directory_is_the_project(tmp_path: Path, monkeypatch) -> None:
    """The form most tests use: items/ in the working directory, dist/ beside it."""
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    ok("build", "-f", "qti21", "-q")
    assert files(tmp_path / "dist") == ["SHA256SUMS", "build-manifest.json", "demo-1.0.0-qti21.zip"]
    os.chdir(tmp_path / "items")  # neither a quiz folder nor a project folder: no items/ here
    lines = refused("build")
    assert lines == [f"items:0:0: no such folder; given no path, lmspack reads the working directory when it is a "
                     f"quiz folder (it holds no quiz.yaml), else the quizzes in items/ of the project folder "
                     f"{tmp_path / 'items'}: give the path of a quiz folder or of a folder of quizzes (lmspack new "
                     "PATH starts a quiz)"]


def test_paths_in_two_projects_are_refused_together(quiz: Path, marked: Path, elsewhere: Path) -> None:
    lines = refused("build", str(quiz), str(marked / "items" / "demo"), code=2)
    assert lines == [f"error: {quiz} and {marked / 'items' / 'demo'} are in different project folders ({quiz} and "
                     f"{marked}); give one project's quizzes at a time, or put an lmspack.yaml in a folder that "
                     "holds them all"]
    assert not (quiz / "dist").exists() and not (marked / "dist").exists()


# ---- a project folder marked by lmspack.yaml ---------------------------------------------------

def test_the_nearest_lmspack_yaml_above_makes_the_project_folder(marked: Path, elsewhere: Path) -> None:
    quiz = marked / "items" / "demo"
    for args in (["build", str(marked)], ["build", str(quiz)], ["build", str(marked / "items")]):
        ok(*args, "-f", "qti21", "-q")
        assert files(marked / "dist") == ["SHA256SUMS", "build-manifest.json", "demo-1.0.0-qti21.zip"], args
        assert sources(marked / "dist") == ["items/demo/q1.yaml", "items/demo/quiz.yaml"]
    assert files(elsewhere) == []
    # Inside a quiz folder of the project, `build` builds that quiz into the project's dist/.
    os.chdir(quiz)
    built = ok("build", "-f", "moodle")
    assert built.stdout.startswith(f"built {marked / 'dist' / 'demo-1.0.0-moodle.xml'} (")
    assert not (quiz / "dist").exists() and (marked / ".lmspack-cache").is_dir()
    (quiz / "q1.yaml").write_text("id: q1\n")
    assert refused("validate")[0] == "items/demo/q1.yaml:1:1: missing field 'choices'"


def test_anywhere_else_in_the_project_build_takes_its_quizzes(marked: Path, monkeypatch) -> None:
    (marked / "docs").mkdir()
    monkeypatch.chdir(marked / "docs")
    assert ok("validate").stdout == "ok: 1 quiz, 1 items\n"


def test_the_checkout_is_a_project_folder_and_the_quick_start_is_unchanged() -> None:
    """`lmspack build` in the checkout builds items/* into dist/ (located only: nothing is written)."""
    here = project.locate([], ROOT)
    assert (here.folder, here.quizzes, here.out) == (ROOT, (ROOT / "items",), Path("dist"))
    assert here.settings.marked and here.settings.formats == ()
    inside = project.locate([], ROOT / "items" / "warm-handoff")
    assert (inside.folder, inside.quizzes, inside.out) == (ROOT, (ROOT / "items" / "warm-handoff",), ROOT / "dist")


def test_a_quiz_folder_holding_lmspack_yaml_is_its_own_project_and_the_file_is_no_item(quiz: Path,
                                                                                         elsewhere: Path) -> None:
    (quiz / "lmspack.yaml").write_text("formats: [moodle]\n")
    assert ok("validate", str(quiz)).stdout == "ok: 1 quiz, 1 items\n"
    ok("build", str(quiz), "-q")
    assert files(quiz / "dist") == ["SHA256SUMS", "build-manifest.json", "demo-1.0.0-moodle.xml"]


# ---- every key of lmspack.yaml, and its problems ------------------------------------------------

def test_quizzes_names_the_folder_of_quizzes(marked: Path, elsewhere: Path) -> None:
    (marked / "items").rename(marked / "banks")
    (marked / "lmspack.yaml").write_text("quizzes: banks/\n")
    assert ok("validate", str(marked)).stdout == "ok: 1 quiz, 1 items\n"
    os.chdir(marked)
    assert ok("validate").stdout == "ok: 1 quiz, 1 items\n"
    # The build never writes among the quizzes, whatever the folder is called.
    assert "--out banks/demo/out is inside banks/; the build never writes there" in \
        refused("build", "--out", "banks/demo/out", code=2)[0]


def test_quizzes_may_be_the_project_folder_itself(quiz: Path, monkeypatch) -> None:
    """A course folder of quiz folders, lmspack.yaml beside them."""
    course = quiz.parent
    (course / "lmspack.yaml").write_text("quizzes: .\n")
    monkeypatch.chdir(course)
    ok("build", "-f", "qti21", "-q")
    assert files(course / "dist") == ["SHA256SUMS", "build-manifest.json", "demo-1.0.0-qti21.zip"]
    assert ok("validate").stdout == "ok: 1 quiz, 1 items\n"  # dist/ holds no quiz


def test_out_names_the_output_folder_and_out_on_the_command_line_wins(marked: Path, elsewhere: Path) -> None:
    (marked / "lmspack.yaml").write_text("out: packages/quizzes\n")
    ok("build", str(marked), "-f", "qti21", "-q")
    assert files(marked / "packages/quizzes") == ["SHA256SUMS", "build-manifest.json", "demo-1.0.0-qti21.zip"]
    ok("build", str(marked), "-f", "qti21", "-q", "--out", "here")
    assert files(elsewhere / "here") == ["SHA256SUMS", "build-manifest.json", "demo-1.0.0-qti21.zip"]


def test_formats_are_the_default_of_quizzes_without_their_own_and_format_wins(marked: Path,
                                                                               elsewhere: Path) -> None:
    (marked / "lmspack.yaml").write_text("formats: [moodle, canvas]\n")
    ok("build", str(marked), "-q")
    assert files(marked / "dist") == ["SHA256SUMS", "build-manifest.json", "demo-1.0.0-canvas.zip",
                                      "demo-1.0.0-moodle.xml"]
    ok("build", str(marked), "-q", "-f", "qti21")
    assert (marked / "dist" / "demo-1.0.0-qti21.zip").is_file()
    quiz_yaml = marked / "items/demo/quiz.yaml"
    quiz_yaml.write_text(quiz_yaml.read_text() + "formats: [scorm12]\n")
    built = json.loads(ok("build", str(marked), "--json").stdout)
    assert [package["format"] for package in built["packages"]] == ["scorm12"]


def test_accept_warnings_adds_to_each_quizs_own(marked: Path, elsewhere: Path) -> None:
    make_project(marked, {"q1.yaml": ESSAY.format(id="q1")}, QUIZ_YAML.replace("demo", "essays"),
                 folder="items/essays")
    warned = run("build", str(marked), "-f", "moodle", "-f", "qti21", "--strict")
    assert warned.exit_code == 1
    assert {line.rsplit("[", 1)[1] for line in warned.stderr.splitlines() if line.startswith("warning:")} == {
        "moodle-quiz-settings]", "qti21-no-word-limits]"}
    (marked / "lmspack.yaml").write_text("accept_warnings: [moodle-quiz-settings]\n")
    essays = marked / "items/essays/quiz.yaml"
    essays.write_text(essays.read_text() + "accept_warnings: [qti21-no-word-limits]\n")
    quiet = run("build", str(marked), "-f", "moodle", "-f", "qti21", "--strict")
    assert quiet.exit_code == 0 and "warning:" not in quiet.stderr, quiet.stderr


def test_accept_warnings_also_silences_the_builds_own(marked: Path, elsewhere: Path) -> None:
    """package-changed-by-hand and cache-unusable are of no quiz: only lmspack.yaml can accept them."""
    (marked / "items/demo/quiz.yaml").write_text(QUIZ_YAML + "accept_warnings: [moodle-quiz-settings]\n")
    for accepted in ("", "accept_warnings: [package-changed-by-hand]\n"):
        (marked / "lmspack.yaml").write_text(accepted)
        ok("build", str(marked), "-f", "qti21", "-q")
        with open(marked / "dist/demo-1.0.0-qti21.zip", "ab") as package:
            package.write(b"changed")
        warned = ok("build", str(marked), "-f", "moodle").stderr
        assert ("[package-changed-by-hand]" in warned) is not bool(accepted), warned


def test_exclude_applies_in_every_quiz_folder_with_the_quizs_own(marked: Path, elsewhere: Path) -> None:
    quiz = marked / "items/demo"
    (quiz / "review-notes.yaml").write_text("reviewer: Ana\nnotes: [fine]\n")
    (quiz / "drafts").mkdir()
    (quiz / "drafts/q9.yaml").write_text("id: q9\n")
    assert len(refused("validate", str(marked))) > 2
    (marked / "lmspack.yaml").write_text("exclude:\n  - review-notes.yaml\n")
    assert refused("validate", str(marked))[0].startswith("items/demo/drafts/q9.yaml:1:1: missing field")
    (quiz / "quiz.yaml").write_text(QUIZ_YAML + "exclude: [drafts/**]\n")
    assert ok("validate", str(marked)).stdout == "ok: 1 quiz, 1 items\n"


@pytest.mark.parametrize(("text", "message"), [
    ("qizzes: banks\n", "1:1: unknown field 'qizzes' in lmspack.yaml; did you mean 'quizzes'?"),
    ("quizzes: ../banks\n", "1:10: 'quizzes' must name a folder inside the project folder, relative to it, with / "
                            "between folders and no '..', such as items"),
    ("out: /tmp/dist\n", "1:6: 'out' must name a folder inside the project folder, relative to it, with / between "
                         "folders and no '..', such as dist"),
    ("out: .\n", "1:6: 'out' must name a folder inside the project folder, relative to it, with / between folders "
                 "and no '..', such as dist"),
    ("out: [dist]\n", "1:6: 'out' must be text"),
    ("out: items/dist\n", "1:6: 'out' 'items/dist' is inside the folder of quizzes ('items'); the build never writes "
                          "among the quizzes: name another folder, such as dist"),
    ("formats: [moodel]\n", "1:11: unknown format 'moodel' (one of: qti21, scorm12, scorm2004, moodle, canvas, anki, "
                            "cards-csv, quizlet, flashcards, flashcards12); did you mean 'moodle'?"),
    ("accept_warnings: [moodle-quiz-setting]\n", "1:19: no warning has the code 'moodle-quiz-setting'; did you mean "
                                                 "'moodle-quiz-settings'? (docs/warnings.md lists them)"),
    ("exclude: notes.yaml\n", "1:10: 'exclude' must be a list of file patterns (lines starting with '- '), such as "
                              "review-notes.yaml or drafts/**"),
    ("exclude: [../notes.yaml]\n", "1:11: exclude pattern '../notes.yaml' must be a path inside the quiz folder, "
                                   "relative to it, with / between folders and no '..', such as review-notes.yaml or "
                                   "drafts/**"),
    ("- items\n", "1:1: lmspack.yaml must be a mapping of fields (quizzes, out, formats, accept_warnings, ...)"),
    ("quizzes: [\n", "2:1: invalid YAML: did not find expected node content (while parsing a flow node)"),
])
def test_problems_of_lmspack_yaml_are_shown_at_their_place_and_nothing_is_built(marked: Path, monkeypatch,
                                                                                 text: str, message: str) -> None:
    (marked / "lmspack.yaml").write_text(text)
    monkeypatch.chdir(marked)
    assert refused("build") == [f"lmspack.yaml:{message}"]
    assert refused("validate", "items/demo") == [f"lmspack.yaml:{message}"]
    assert not (marked / "dist").exists()
    # From elsewhere, the file is named in full: which lmspack.yaml was found matters.
    (marked.parent / "elsewhere").mkdir()
    os.chdir(marked.parent / "elsewhere")
    assert refused("validate", str(marked / "items/demo")) == [f"{marked / 'lmspack.yaml'}:{message}"]


def test_every_key_is_optional_and_comments_alone_are_a_project_file(marked: Path) -> None:
    (marked / "lmspack.yaml").write_text("# nothing but a comment\n")
    settings = project.locate([marked], marked).settings
    assert settings == ProjectSettings(marked=True)
    (marked / "lmspack.yaml").write_text("")
    assert project.locate([marked], marked).settings == ProjectSettings(marked=True)


def test_out_may_not_lead_outside_through_a_link(marked: Path, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "shared").mkdir()
    (marked / "published").symlink_to(tmp_path / "shared", target_is_directory=True)
    (marked / "lmspack.yaml").write_text("out: published/quizzes\n")
    monkeypatch.chdir(marked)
    assert refused("build") == [f"lmspack.yaml:1:6: 'out' 'published/quizzes' leads through a symbolic link to "
                                f"{tmp_path / 'shared' / 'quizzes'}, outside the project folder {marked} ({MARKED}); "
                                "name a folder inside it, such as dist"]


# ---- symbolic links: followed inside, refused outside, never skipped -----------------------------

def test_a_link_to_a_quiz_inside_the_project_is_followed(marked: Path, elsewhere: Path) -> None:
    """It was skipped without a word."""
    make_project(marked, {"q1.yaml": SINGLE.format(id="q1")}, QUIZ_YAML.replace("demo", "shared"),
                 folder="library/shared")
    (marked / "items/shared").symlink_to(marked / "library/shared", target_is_directory=True)
    assert ok("validate", str(marked)).stdout == "ok: 2 quizzes, 2 items\n"
    (marked / "items/shared/q1.yaml").write_text("id: q1\n")
    assert refused("validate", str(marked))[0] == "items/shared/q1.yaml:1:1: missing field 'choices'"


def test_a_link_to_a_quiz_outside_the_project_is_refused_naming_the_folder(marked: Path, quiz: Path,
                                                                           elsewhere: Path) -> None:
    (marked / "items/linked").symlink_to(quiz, target_is_directory=True)
    message = (f"is a link to a folder outside the project folder {marked} ({MARKED}); move or copy what it holds "
               "in, or put an lmspack.yaml in a folder that holds both")
    assert refused("validate", str(marked)) == [f"items/linked:0:0: {message}"]
    assert refused("build", str(marked)) == [f"items/linked:0:0: {message}"]
    assert not (marked / "dist").exists()
    # Given directly, it is found in the project too, and refused the same way.
    assert refused("validate", str(marked / "items/linked")) == [
        f"items/linked:0:0: leads (through a symbolic link) to {quiz}, outside the project folder {marked} "
        f"({MARKED}); a quiz must be inside its project folder: move or copy it in, or put an lmspack.yaml in a "
        "folder that holds both"]


def test_a_link_to_a_quiz_folder_with_no_project_above_is_its_own_project(quiz: Path, elsewhere: Path) -> None:
    (elsewhere / "linked").symlink_to(quiz, target_is_directory=True)
    assert ok("validate", "linked").stdout == "ok: 1 quiz, 1 items\n"


def test_links_inside_a_quiz_folder(marked: Path, tmp_path: Path, elsewhere: Path) -> None:
    quiz = marked / "items/demo"
    (quiz / "unit2").mkdir()
    (quiz / "unit2/q2.yaml").write_text(SINGLE.format(id="q2"))
    (quiz / "pictures").symlink_to("unit2", target_is_directory=True)  # inside: followed (the same item again)
    assert refused("validate", str(marked)) == [
        "items/demo/unit2/q2.yaml:1:1: item id 'q2' is already used by items/demo/pictures/q2.yaml:1; give each "
        "item its own id"]
    (quiz / "pictures").unlink()
    (quiz / "unit2/back").symlink_to("..", target_is_directory=True)  # a loop
    assert refused("validate", str(marked)) == [
        "items/demo/unit2/back:0:0: is a link to a folder that holds it (a loop); remove the link"]
    (quiz / "unit2/back").unlink()
    (tmp_path / "outside").mkdir()
    (quiz / "unit3").symlink_to(tmp_path / "outside", target_is_directory=True)
    assert refused("validate", str(marked)) == [
        "items/demo/unit3:0:0: is a link to a folder outside the quiz folder items/demo; copy its files in"]


def test_a_loop_among_the_quiz_folders_is_refused(marked: Path, elsewhere: Path) -> None:
    (marked / "items/all").symlink_to("..", target_is_directory=True)
    assert refused("validate", str(marked)) == [
        "items/all:0:0: is a link to a folder that holds it (a loop); remove the link"]


# ---- what a quiz may reference: its own folder, named in every message about it -------------------

def test_references_outside_the_quiz_folder_name_it(quiz: Path, tmp_path: Path, elsewhere: Path) -> None:
    (tmp_path / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (quiz / "linked.png").symlink_to(tmp_path / "chart.png")
    (quiz / "q1.yaml").write_text(SINGLE.format(id="q1").replace("Pick the right one.",
                                                                 '"![A chart](../../chart.png)"'))
    (quiz / "q2.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    (quiz / "q3.yaml").write_text(SINGLE.format(id="q3").replace("Pick the right one.", '"![A link](linked.png)"'))
    assert refused("validate", str(quiz)) == [
        f"q1.yaml:3:21: image '../../chart.png' points outside the quiz folder {quiz}; copy it in, or use an "
        "https:// URL",
        f"q2.yaml:0:0: is a link to a file outside the quiz folder {quiz}; copy the file in",
        f"q3.yaml:3:20: file 'linked.png' is a link to a file outside the quiz folder {quiz}; copy the file in"]
    # In a project with lmspack.yaml, the quiz folder is named by its path in the project folder.
    (quiz.parent / "lmspack.yaml").write_text("quizzes: .\n")
    assert refused("validate", str(quiz))[0] == (
        "demo/q1.yaml:3:21: image '../../chart.png' points outside the quiz folder demo; copy it in, or use an "
        "https:// URL")
