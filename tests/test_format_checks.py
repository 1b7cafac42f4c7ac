"""What each format holds (builder.formats.FormatSupport) and refuses (its check): `lmspack validate
--format F` and `lmspack build --format F` refuse the same items with the same lines, every such
item at once; a format's build refuses nothing its check passed; its warnings follow its declaration."""

from __future__ import annotations

import dataclasses
import importlib
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from test_properties import FAST, quizzes

from builder.cli import main
from builder.formats import (
    ALL_FEATURES,
    CHOICE_TYPES,
    FORMATS,
    FormatSupport,
    builder_for,
    checker_for,
    item_type,
    support_of,
)
from builder.loading import ITEM_TYPES, load_quizzes
from builder.model import CARD_FORMATS, QUIZ_FORMATS

from projects import QUIZ_YAML, choice_quiz, make_project

ROOT = Path(__file__).resolve().parent.parent


def _choices(count: int, correct: int = 1) -> str:
    return "".join(f"  - text: Choice {n}\n" + ("    correct: true\n" if n < correct else "")
                   for n in range(count))


def _item(item_id: str, kind: str, choices: str) -> str:
    return f"id: {item_id}\ntype: {kind}\nprompt: Pick.\nchoices:\n{choices}"


# Each format rule, with two items that break it and nothing else (so that both must be named):
# the format, the item files, and the message each item gets.
RULES = {
    "scorm12-36-choices": (
        "scorm12", lambda n: _item(f"q{n}", "single_choice", _choices(37 + n)),
        lambda n: f"SCORM 1.2 can report at most 36 choices per item (a-z, 0-9) and this item has {37 + n}; "
                  "build scorm2004 for it, or split it"),
    "canvas-answer-ids": (
        "canvas", lambda n: _item(f"q{n}", "single_choice", _choices(10_000 + n)),
        lambda n: f"Canvas numbers answers 1 to 9999; this item has {10_000 + n} choices"),
    "canvas-answer-ids-typed": (
        "canvas", lambda n: f"id: q{n}\ntype: short_answer\nprompt: Say it.\nanswers:\n"
                            + "".join(f"  - text: w{k}\n" for k in range(10_000 + n)),
        lambda n: f"Canvas numbers answers 1 to 9999; this item has {10_000 + n} answers"),
    "canvas-answer-ids-blanks": (
        "canvas", lambda n: f"id: q{n}\ntype: fill_in_blanks\nprompt: Say [[it]].\nblanks:\n  it: {{answers: ["
                            + ", ".join(f"w{k}" for k in range(10_000 + n)) + "]}\n",
        lambda n: f"Canvas numbers answers and matches 1 to 9999; this item has {10_000 + n}"),
    "moodle-grade-list": (
        "moodle", lambda n: _item(f"q{n}", "multiple_response", _choices(12 + n, correct=10 + n)),
        lambda n: f"cannot build for Moodle: choice 'A' would be worth {'9.0909091' if n == 1 else '8.3333333'}% "
                  f"of the item ({10 + n} correct choices), which is not on Moodle's grade list, so Moodle would "
                  f"refuse the question; use 1 to 10 correct choices"),
    "moodle-textless-match-option": (
        "moodle", lambda n: f"id: q{n}\ntype: matching\nprompt: Match.\npairs:\n  - left: A\n    right: B\n"
                            f"  - left: C\n    right: D\n" + ("distractors: ['![a window sill](https://example.com/e.png)']\n"
                                                            if n == 1 else "  - left: E\n    right: "
                                                            "'![a shelf](https://example.com/f.png)'\n"),
        lambda n: f"cannot build for Moodle: {'distractor 1' if n == 1 else 'the right side of pair 3'} has no text "
                  "once its formatting is removed, and Moodle shows a matching item's options as plain text; give it "
                  "words"),
    "scorm12-36-matching": (
        "scorm12", lambda n: f"id: q{n}\ntype: matching\nprompt: Match.\npairs:\n"
                            + "".join(f"  - {{left: L{k}, right: R{k}}}\n" for k in range(30))
                            + "distractors:\n" + "".join(f"  - D{k}\n" for k in range(6 + n)),
        lambda n: f"SCORM 1.2 can report at most 36 pairs and 36 right-hand options per matching item (a-z, 0-9) "
                  f"and this item has 30 pairs and {36 + n} options; build scorm2004 for it, or split it"),
    "scorm12-36-drop-down-options": (
        "scorm12", lambda n: f"id: q{n}\ntype: fill_in_blanks\nprompt: Pick [[it]].\nblanks:\n  it:\n"
                            "    correct: o0\n    options:\n" + "".join(f"      - o{k}\n" for k in range(36 + n)),
        lambda n: f"SCORM 1.2 can report at most 36 options per drop-down (a-z, 0-9) and blank 'it' has {36 + n}; "
                  "build scorm2004 for it, or give it fewer options"),
}
TITLES = {"qti21": "QTI 2.1", "scorm12": "SCORM 1.2", "scorm2004": "SCORM 2004", "moodle": "Moodle",
          "canvas": "Canvas", "anki": "Anki", "cards-csv": "The cards CSV", "quizlet": "Quizlet",
          "flashcards": "SCORM 2004 flashcards", "flashcards12": "SCORM 1.2 flashcards"}


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def assert_refused_alike(fmt: str, expected: list[str]) -> None:
    """validate --format F and build --format F: exit 1, the same lines, nothing written."""
    checked = run("validate", "--format", fmt)
    built = run("build", "--format", fmt, "--out", "out")
    assert checked.exit_code == built.exit_code == 1, (checked.output, built.output)
    assert checked.stderr == built.stderr
    assert checked.stderr.splitlines() == [*expected, f"{len(expected)} problems found; nothing was written"]
    assert not Path("out").exists()


@pytest.mark.parametrize("rule", sorted(RULES))
def test_validate_and_build_refuse_alike_every_item_that_breaks_a_format_rule(rule, tmp_path, monkeypatch):
    fmt, item, message = RULES[rule]
    make_project(tmp_path, {"q1.yaml": item(1), "q2.yaml": item(2)})
    monkeypatch.chdir(tmp_path)
    assert run("validate").exit_code == 0  # the quiz builds qti21 only: other formats are not held against it
    assert_refused_alike(fmt, [f"items/demo/q{n}.yaml:1:1: {message(n)}" for n in (1, 2)])


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_an_item_type_a_format_does_not_carry_is_refused_alike(fmt, tmp_path, monkeypatch):
    """No format lacks an item type today: a declaration without true_false stands in for one that
    will (each format's check reports the item types its SUPPORT does not name)."""
    module = importlib.import_module(FORMATS[fmt].module)
    monkeypatch.setattr(module, "SUPPORT", dataclasses.replace(module.SUPPORT,
                                                               item_types=CHOICE_TYPES - {"true_false"}))
    true_false = "id: {id}\ntype: true_false\nprompt: Is it?\nchoices:\n  - text: 'Yes'\n    correct: true\n" \
                 "  - text: 'No'\n"
    make_project(tmp_path, {"q1.yaml": true_false.format(id="q1"), "q2.yaml": _item("q2", "single_choice",
                                                                                    _choices(2)),
                            "q3.yaml": true_false.format(id="q3")})
    monkeypatch.chdir(tmp_path)
    message = f"{TITLES[fmt]} cannot carry items of type 'true_false'; build another format for this item, " \
              "or leave it out of this quiz"
    assert_refused_alike(fmt, [f"items/demo/q{n}.yaml:1:1: {message}" for n in (1, 3)])


def test_validate_checks_the_quizs_own_formats_by_default(tmp_path, monkeypatch):
    make_project(tmp_path, {"q1.yaml": _item("q1", "single_choice", _choices(40))},
                 quiz=QUIZ_YAML + "formats: [qti21, scorm12]\n")
    monkeypatch.chdir(tmp_path)
    checked = run("validate")
    assert checked.exit_code == 1 and checked.stderr.splitlines()[0].startswith("items/demo/q1.yaml:1:1: SCORM 1.2")
    assert run("validate", "--format", "qti21", "--format", "scorm2004").exit_code == 0
    assert run("validate", "--format", "pdf").exit_code == 2


def test_every_format_declares_the_item_types_it_builds():
    """Every format carries every item type the loader takes today (the properties tests build each
    type in each format); a type added to the loader but not to a format is refused, not dropped."""
    for fmt in FORMATS:
        assert support_of(fmt).item_types == frozenset(ITEM_TYPES), fmt


# ---- a build refuses nothing its check passed ---------------------------------------------------

@st.composite
def near_the_limits(draw) -> dict[str, object]:
    """A valid quiz whose items come near or past the formats' limits: up to 40 choices, up to 12
    of them correct, the points and penalty each grade follows from."""
    files = draw(quizzes())
    for name, item in list(files.items()):
        if name != "quiz.yaml" and item["type"] in ("single_choice", "multiple_response") and draw(st.booleans()):
            count = draw(st.integers(30, 40))
            correct = draw(st.integers(1, 12)) if item["type"] == "multiple_response" else 1
            item["choices"] = [{"text": f"C{n}", **({"correct": True} if n < correct else {})} for n in range(count)]
    return files


def _builds_when_its_check_passes(fmt: str, quiz) -> None:
    """A quiz its check passes builds (a format's build assumes its check passed)."""
    if not checker_for(fmt)(quiz):
        builder_for(fmt)(quiz)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_format_builds_every_quiz_its_check_passes(fmt):
    for folder in (ROOT / "items", ROOT / "tests" / "hostile" / "sanitised"):
        for quiz in load_quizzes([folder], ROOT):
            _builds_when_its_check_passes(fmt, quiz)

    @FAST
    @given(near_the_limits())
    def check(files):
        with tempfile.TemporaryDirectory() as tmp:
            quiz_dir = Path(tmp) / "items" / "generated"
            quiz_dir.mkdir(parents=True)
            for name, document in files.items():
                (quiz_dir / name).write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
            (quiz,) = load_quizzes([Path(tmp) / "items"], Path(tmp))
        _builds_when_its_check_passes(fmt, quiz)

    check()


# ---- warnings follow the declaration -----------------------------------------------------------

EVERY_FEATURE_QUIZ = QUIZ_YAML.replace("pass_mark: 50", "pass_mark: 60") + """\
attempts: 2
time_limit: 600
shuffle_items: true
shuffle_choices: true
feedback: never
sections:
  - id: first
    items: [q1, q2]
    select: 1
  - id: second
    items: [q3]
"""
EVERY_FEATURE_ITEMS = {
    "q1.yaml": "id: q1\ntype: true_false\nprompt: Is it?\nhints: [Think.]\nchoices:\n  - text: 'Yes'\n"
               "    correct: true\n  - text: 'No'\n",
    "q2.yaml": "id: q2\ntype: multiple_response\nprompt: Pick.\nwrong_choice_penalty: false\nhints: [Look.]\n"
               "choices:\n  - text: A\n    correct: true\n  - text: B\n",
    "q3.yaml": "id: q3\ntype: single_choice\nprompt: Pick.\nexplanation: Because.\nchoices:\n  - text: A\n"
               "    correct: true\n    feedback: Yes.\n  - text: B\n",
}


@pytest.mark.parametrize("fmt", sorted(QUIZ_FORMATS))
def test_a_formats_warnings_are_what_its_declaration_lacks(fmt, tmp_path, monkeypatch):
    """A quiz that uses every feature: the format warns of some of it, and of none once it is
    declared to carry every feature (SCORM carries all of them, and warns of nothing here)."""
    make_project(tmp_path, EVERY_FEATURE_ITEMS, quiz=EVERY_FEATURE_QUIZ)
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    declared = support_of(fmt)
    assert bool(builder_for(fmt)(quiz).warnings) == (declared.features != ALL_FEATURES)
    module = importlib.import_module(FORMATS[fmt].module)
    monkeypatch.setattr(module, "SUPPORT", FormatSupport(declared.item_types, ALL_FEATURES))
    assert builder_for(fmt)(quiz).warnings == ()


@pytest.mark.parametrize("fmt", CARD_FORMATS)
def test_the_card_formats_warn_of_no_quiz_feature(fmt, tmp_path):
    """A card shows the prompt, the right answer and the explanation (docs/flashcards.md): the quiz's
    settings, hints and feedback are not a card's, so a card format leaves them out without a word.
    The study player (flashcards, flashcards12) shows the quiz player's theme too."""
    make_project(tmp_path, EVERY_FEATURE_ITEMS, quiz=EVERY_FEATURE_QUIZ)
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    themed = {"theme"} if fmt in ("flashcards", "flashcards12") else set()
    assert support_of(fmt).features == frozenset({"explanation", *themed})
    assert builder_for(fmt)(quiz).warnings == ()


# ---- one quiz of every type ------------------------------------------------------------------

VALIDATOR_KINDS = {"qti21": "qti21", "scorm12": "scorm12", "scorm2004": "scorm2004", "canvas": "qti12",
                   "flashcards": "scorm2004", "flashcards12": "scorm12"}


@pytest.mark.shared
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_quiz_of_every_type_builds_into_a_valid_package(fmt, warm_handoff, kitchen_safety, kitchen_tasks,
                                                           package_validator, tmp_path):
    """The bundled quiz's choice items and the two test quizzes' items in one quiz: every type the
    loader takes, built by every format (its check passes) into a package the independent
    validator passes. Moodle XML has no validator kind there; its own schema checked it as it was
    built."""
    items = choice_quiz(warm_handoff).items + kitchen_safety.items + kitchen_tasks.items
    quiz = dataclasses.replace(kitchen_safety, items=items)
    assert {item_type(item.interaction) for item in quiz.items} == set(ITEM_TYPES)
    assert checker_for(fmt)(quiz) == []
    output = builder_for(fmt)(quiz)
    if fmt not in VALIDATOR_KINDS:
        return
    path = tmp_path / output.filename
    path.write_bytes(output.data)
    report = package_validator.validate_path(path, kind=VALIDATOR_KINDS[fmt])
    problems = report.sorted_problems()
    assert report.errors == 0, "\n".join(p.format() for p in problems)
    # Canvas's manifest namespace has no schema in ../shared: the one expected warning.
    assert [p.code for p in problems] == (["manifest-not-validated"] if fmt == "canvas" else [])
