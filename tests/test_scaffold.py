"""`lmspack new` and `lmspack add` through click's CliRunner: what they write builds in every format."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from builder import scaffold
from builder.cli import main
from builder.formats import item_type
from builder.loading import load_quizzes

from projects import make_project


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_new_quiz_has_an_example_of_every_type_and_builds_in_every_format(here: Path, package_validator) -> None:
    result = run("new", "courses/Safety 101", "--title", "Kitchen safety: the basics")
    assert result.exit_code == 0, result.output
    quiz_dir = here / "courses" / "Safety 101"
    assert (quiz_dir / ".gitignore").read_text(encoding="utf-8").splitlines()[1:] == ["dist/", ".lmspack-cache/"]
    (quiz,) = load_quizzes([quiz_dir], here)
    assert (quiz.identifier, quiz.title) == ("Safety-101", "Kitchen safety: the basics")
    assert [item_type(item.interaction) for item in quiz.items] == list(scaffold.ITEM_TYPES)
    result = run("build", "courses/Safety 101", "--format", "all", "--out", "out")
    assert result.exit_code == 0, result.output
    for package in sorted((here / "out").glob("*.zip")):
        report = package_validator.validate_path(package)
        assert report.errors == 0, [p.format() for p in report.sorted_problems()]


def test_new_never_writes_into_a_folder_that_holds_something(here: Path) -> None:
    (here / "quiz").mkdir()
    (here / "quiz" / "notes.txt").write_text("mine", encoding="utf-8")
    result = run("new", "quiz")
    assert result.exit_code == 2
    assert "quiz already exists and is not an empty folder" in result.stderr
    assert [p.name for p in (here / "quiz").iterdir()] == ["notes.txt"]


def test_add_names_the_item_after_its_type_and_the_first_free_number(here: Path) -> None:
    quiz_dir = make_project(here)
    first, second = run("add", str(quiz_dir), "--type", "numeric"), run("add", str(quiz_dir), "--type", "numeric")
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert (quiz_dir / "numeric-1.yaml").is_file() and (quiz_dir / "numeric-2.yaml").is_file()
    (quiz,) = load_quizzes([quiz_dir], here)
    assert [item.id for item in quiz.items] == ["numeric-1", "numeric-2", "q1"]


def test_add_appends_to_the_quiz_items_list_and_refuses_what_it_cannot_do(here: Path) -> None:
    quiz_dir = make_project(here, quiz="identifier: demo\ntitle: Demo\nversion: 1.0.0\npass_mark: 50\n"
                                       "items:\n  - q1   # the first\nformats: [qti21]\n")
    assert run("add", str(quiz_dir), "--type", "ordering", "--id", "steps").exit_code == 0
    assert "items:\n  - q1   # the first\n  - steps\nformats" in (quiz_dir / "quiz.yaml").read_text(encoding="utf-8")
    (quiz,) = load_quizzes([quiz_dir], here)
    assert [item.id for item in quiz.items] == ["q1", "steps"]
    taken = run("add", str(quiz_dir), "--type", "essay", "--id", "steps")
    assert taken.exit_code == 2 and "steps.yaml already exists; give another --id" in taken.stderr
    bad = run("add", str(quiz_dir), "--type", "essay", "--id", "9 lives")
    assert bad.exit_code == 2 and "an item id uses letters, digits" in bad.stderr
    (quiz_dir / "quiz.yaml").write_text("identifier: demo\ntitle: Demo\nversion: 1.0.0\npass_mark: 50\n"
                                        "items: [q1, steps]\n", encoding="utf-8")
    inline = run("add", str(quiz_dir), "--type", "essay")
    assert inline.exit_code == 2 and "lists its items on one line" in inline.stderr
    assert not (quiz_dir / "essay-1.yaml").exists()
    nowhere = run("add", str(here), "--type", "essay")
    assert nowhere.exit_code == 2 and "is not a quiz folder" in nowhere.stderr


@pytest.mark.parametrize(("name", "identifier"), [
    ("Safety 101", "Safety-101"), ("2027 cohort", "quiz-2027-cohort"), ("café", "cafe"), ("***", "quiz"),
    ("_drafts", "_drafts")])
def test_a_quiz_identifier_from_a_folder_name(name: str, identifier: str) -> None:
    assert scaffold.identifier_from(name) == identifier


def test_add_a_flashcard_item_that_becomes_a_card_of_every_card_format(here: Path) -> None:
    quiz_dir = make_project(here)
    result = run("add", str(quiz_dir), "--type", "flashcard")
    assert result.exit_code == 0, result.output
    (quiz,) = load_quizzes([quiz_dir], here)
    assert [card.id for card in quiz.flashcards] == ["flashcard-1"] and "flashcard-1" in quiz.card_ids
    assert [item.id for item in quiz.items] == ["q1"]
    built = run("build", str(quiz_dir), "--format", "flashcards", "--format", "flashcards12", "--out", "out")
    assert built.exit_code == 0, built.output
    assert sorted(path.name for path in (here / "out").glob("*.zip")) == ["demo-1.0.0-flashcards.zip",
                                                                          "demo-1.0.0-flashcards12.zip"]
