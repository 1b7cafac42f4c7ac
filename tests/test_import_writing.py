"""Writing imported quizzes (builder/importing/writing.py): the same for every source format."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from builder.errors import InputError, UsageError
from builder.importing import ImportedItem, ImportedQuiz
from builder.importing.writing import write_quizzes, yaml_text

BUNDLED = Path(__file__).resolve().parents[1] / "items" / "warm-handoff"


def _bundled() -> ImportedQuiz:
    quiz = yaml.safe_load((BUNDLED / "quiz.yaml").read_text(encoding="utf-8"))
    items = [ImportedItem(i, yaml.safe_load((BUNDLED / f"{i}.yaml").read_text(encoding="utf-8")))
             for i in quiz["items"]]
    media = {f"images/{p.name}": p.read_bytes() for p in sorted((BUNDLED / "images").iterdir())}
    return ImportedQuiz("warm-handoff", quiz, items, media)


def test_writes_a_folder_that_loads_with_its_media(tmp_path: Path) -> None:
    written = write_quizzes([(_bundled(), "bank.xml")], tmp_path)
    folder = tmp_path / "warm-handoff"
    assert folder / "quiz.yaml" in written and folder / "images" / "warm-handoff-diagram.png" in written
    header = (folder / "quiz.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert header == "# Imported by lmspack import from bank.xml."
    assert (folder / "images" / "warm-handoff-diagram.png").read_bytes() == \
        (BUNDLED / "images" / "warm-handoff-diagram.png").read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # the trial copy is gone


def test_never_replaces_a_file_without_force(tmp_path: Path) -> None:
    write_quizzes([(_bundled(), "bank.xml")], tmp_path)
    edited = tmp_path / "warm-handoff" / "warm-handoff-steps.yaml"
    edited.write_text("edited by hand\n", encoding="utf-8")
    with pytest.raises(UsageError, match="never replaces a file unless given --force") as raised:
        write_quizzes([(_bundled(), "bank.xml")], tmp_path)
    assert str(edited) in str(raised.value)
    assert edited.read_text(encoding="utf-8") == "edited by hand\n"
    write_quizzes([(_bundled(), "bank.xml")], tmp_path, force=True)
    assert edited.read_text(encoding="utf-8").startswith("id: warm-handoff-steps\n")


def test_a_folder_that_would_not_load_is_reported_at_its_place_and_nothing_is_written(tmp_path: Path) -> None:
    quiz = _bundled()
    quiz.items[0].document["points"] = "many"
    with pytest.raises(InputError) as raised:
        write_quizzes([(quiz, "bank.xml")], tmp_path)
    [problem] = raised.value.problems
    assert problem.path == str(tmp_path / "warm-handoff" / "warm-handoff-definition.yaml")
    assert (problem.line, problem.column) == (4, 9) and "'points' must be a number" in problem.message
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(InputError):  # an output folder the import made is removed again
        write_quizzes([(quiz, "bank.xml")], tmp_path / "new" / "out")
    assert list(tmp_path.iterdir()) == []


def test_media_paths_must_stay_inside_the_quiz_folder(tmp_path: Path) -> None:
    quiz = _bundled()
    quiz.media["../outside.png"] = b"x"
    with pytest.raises(ValueError, match="not inside the quiz folder"):
        write_quizzes([(quiz, "bank.xml")], tmp_path)
    assert list(tmp_path.iterdir()) == []


@given(st.dictionaries(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1),
                       st.one_of(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",))),
                                 st.lists(st.text()), st.integers(), st.booleans()), max_size=5))
def test_yaml_text_loads_back_as_the_document(document: dict[str, object]) -> None:
    assert yaml.safe_load(yaml_text(document, "header\n\nsecond")) == document


def test_text_of_several_lines_is_a_literal_block() -> None:
    assert yaml_text({"explanation": "one\ntwo\n", "prompt": "a: b"}) == \
        "explanation: |\n  one\n  two\nprompt: 'a: b'\n"
