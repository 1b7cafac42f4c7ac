"""Cards (issue 22): flashcard items in the model and the loader, the card every other item makes
(builder.cards), and the card files: anki (an .apkg read back with sqlite3), cards-csv (read back
with the csv module) and quizlet (plain text, read back as Quizlet's importer splits it)."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import hashlib
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from urllib.parse import quote

from click.testing import CliRunner
from hypothesis import given
from lxml import etree
from markupsafe import Markup
from test_properties import FAST, load, quizzes

from builder import scoring
from builder.cache import NO_CACHE
from builder.cards import card_of, cards, number_answer
from builder.cli import main
from builder.formats import builder_for, checker_for, item_type, richtext
from builder.formats.anki import derived_id, flat_names
from builder.formats.cards_csv import HEADER
from builder.formats.quizlet import one_line
from builder.loading import load_quizzes
from builder.markup import plain_text
from builder.model import (
    ChoiceBlank,
    ChoiceInteraction,
    EssayInteraction,
    FillInBlanksInteraction,
    Item,
    MatchingInteraction,
    MediaFile,
    NumericBlank,
    NumericInteraction,
    OrderingInteraction,
    Quiz,
    ShortAnswerInteraction,
    TextBlank,
)

from conftest import ROOT, assert_golden
from projects import QUIZ_YAML, SINGLE, choice_quiz, make_project

FLASHCARD = """\
id: {id}
type: flashcard
tags: [care coordination, "quoted \\"tag\\""]
front: What does *MHSA* stand for?
back: |
  The **Mental Health Services Act**, $n \\geq 1$.
"""


def every_type(warm_handoff: Quiz, kitchen_safety: Quiz, kitchen_tasks: Quiz) -> Quiz:
    """One quiz with an item of every type (the test quizzes' and the bundled choice items)."""
    items = choice_quiz(warm_handoff).items + kitchen_safety.items + kitchen_tasks.items
    return dataclasses.replace(kitchen_safety, items=items, card_ids=tuple(item.id for item in items))


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def problems(tmp_path: Path, items: dict[str, str], quiz: str = QUIZ_YAML, *args: str) -> list[str]:
    make_project(tmp_path, items, quiz)
    with contextlib.chdir(tmp_path):
        result = CliRunner().invoke(main, ["validate", *args])
    assert result.exit_code == 1, result.output
    return result.stderr.splitlines()[:-1]


# ---- flashcard items in the model --------------------------------------------------------------

def test_a_flashcard_item_is_a_card_and_never_an_item(tmp_path):
    make_project(tmp_path, {"a.yaml": SINGLE.format(id="a"), "b.yaml": FLASHCARD.format(id="b")},
                 QUIZ_YAML + "items: [b, a]\n")
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    assert [item.id for item in quiz.items] == ["a"]
    assert [flashcard.id for flashcard in quiz.flashcards] == ["b"]
    assert quiz.card_ids == ("b", "a")  # the order quiz.yaml's items gives, flashcard items in it
    (flashcard,) = quiz.flashcards
    assert flashcard.title == "What does MHSA stand for?"
    assert flashcard.front == "<p>What does <em>MHSA</em> stand for?</p>"
    assert "<strong>Mental Health Services Act</strong>" in flashcard.back and "<math" in flashcard.back
    assert flashcard.tags == ("care coordination", 'quoted "tag"')
    assert flashcard.place.path == "items/demo/b.yaml" and flashcard.place.line == 1


def test_flashcard_items_problems_are_at_their_places(tmp_path):
    assert problems(tmp_path, {
        "a.yaml": "id: a\ntype: flashcard\nprompt: Not here.\nhints: [No.]\nfront: F\n",
        "b.yaml": SINGLE.format(id="b") + "back: Not a choice item's.\n",
        "c.yaml": "id: c\ntype: flashcard\nfront: ''\nback: '![](missing.png)'\n",
    }) == [
        "items/demo/a.yaml:1:1: missing field 'back'",
        "items/demo/a.yaml:3:1: 'prompt' is not a field of flashcard items, which are cards to study, not "
        "questions; flashcard items take 'front' and 'back' (and 'id', 'title' and 'tags')",
        "items/demo/a.yaml:4:1: 'hints' is not a field of flashcard items, which are cards to study, not "
        "questions; flashcard items take 'front' and 'back' (and 'id', 'title' and 'tags')",
        "items/demo/b.yaml:10:1: 'back' is a field of flashcard items, not of single_choice items; single_choice "
        "items take 'choices' and 'wrong_choice_penalty'",
        "items/demo/c.yaml:3:8: 'front' is empty; write some text",
        "items/demo/c.yaml:4:12: image 'missing.png' has no alt text; say what it shows: ![what it shows](file)",
    ]


def test_quiz_yaml_chooses_the_cards_and_names_unknown_ids_with_a_suggestion(tmp_path):
    items = {"a.yaml": SINGLE.format(id="a"), "b.yaml": SINGLE.format(id="b"), "f.yaml": FLASHCARD.format(id="f")}
    make_project(tmp_path, items, QUIZ_YAML + "flashcards: [b]\n")
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    assert quiz.card_ids == ("b", "f")  # a flashcard item is always a card
    make_project(tmp_path, items, QUIZ_YAML + "flashcards: none\n")
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    assert quiz.card_ids == ("f",)
    make_project(tmp_path, items, QUIZ_YAML + "flashcards: all\n")
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    assert quiz.card_ids == ("a", "b", "f")
    assert problems(tmp_path, items, QUIZ_YAML + "flashcards: [a, bb, a]\n") == [
        "items/demo/quiz.yaml:5:17: no item has id 'bb'; did you mean 'b'?",
        "items/demo/quiz.yaml:5:21: item 'a' is listed twice in 'flashcards' (first at line 5)",
    ]
    assert problems(tmp_path, items, QUIZ_YAML + "flashcards: some\n") == [
        "items/demo/quiz.yaml:5:13: 'flashcards' must be all (every item is also a card: the default), none, or a "
        "list of the ids of the items to make cards of"]


def test_no_section_or_draw_takes_a_flashcard_item(tmp_path):
    items = {"a.yaml": SINGLE.format(id="a"), "f.yaml": FLASHCARD.format(id="f")}
    assert problems(tmp_path, items, QUIZ_YAML + "sections:\n  - id: s\n    items: [a, f]\n") == [
        "items/demo/quiz.yaml:7:16: 'f' is a flashcard item: a card to study, which no quiz format shows; leave it "
        "out of the sections"]
    assert problems(tmp_path, items, QUIZ_YAML + "draw: 2\n") == [
        "items/demo/quiz.yaml:5:7: 'draw' is 2 but the quiz has only 1 items (flashcard items are cards only, never "
        "drawn)"]


def test_a_quiz_of_flashcard_items_only_builds_cards_and_no_quiz_format(tmp_path, monkeypatch):
    make_project(tmp_path, {"f.yaml": FLASHCARD.format(id="f"), "g.yaml": FLASHCARD.format(id="g")})
    monkeypatch.chdir(tmp_path)
    refused = run("validate", "--format", "qti21", "--format", "moodle")
    assert refused.exit_code == 1
    assert refused.stderr.splitlines()[:2] == [
        f"items/demo/quiz.yaml:1:1: {title} carries questions, and this quiz has only flashcard items (2), which are "
        "cards to study; build it as cards (--format anki, cards-csv, quizlet, flashcards or flashcards12), or add "
        "questions"
        for title in ("Moodle", "QTI 2.1")]
    built = run("build", "--format", "anki", "--format", "cards-csv")
    assert built.exit_code == 0, built.output
    assert sorted(path.name for path in (tmp_path / "dist").iterdir()) == [
        "SHA256SUMS", "build-manifest.json", "demo-1.0.0-anki.apkg", "demo-1.0.0-cards-csv.csv"]
    manifest = json.loads((tmp_path / "dist/build-manifest.json").read_text())
    assert {source["path"] for source in manifest["sources"]} == {
        "items/demo/quiz.yaml", "items/demo/f.yaml", "items/demo/g.yaml"}


def test_the_build_says_once_that_quiz_formats_leave_flashcard_items_out(tmp_path, monkeypatch):
    make_project(tmp_path, {"a.yaml": SINGLE.format(id="a"), "f.yaml": FLASHCARD.format(id="f"),
                            "g.yaml": FLASHCARD.format(id="g")})
    monkeypatch.chdir(tmp_path)
    built = run("build", "--format", "all", "--json")
    assert built.exit_code == 0, built.output
    report = json.loads(built.stdout)
    (warning,) = [w for w in report["warnings"] if w["code"] == "flashcards-not-in-quiz"]
    assert warning == {"code": "flashcards-not-in-quiz", "format": "items", "quiz": "demo", "items": ["f", "g"],
                       "message": "2 flashcard items are a card only: left out of the quiz formats (qti21, scorm12, "
                                  "scorm2004, moodle, canvas); the card formats (anki, cards-csv, quizlet, flashcards, "
                                  "flashcards12) carry them"}
    assert {p["format"]: p["items"] for p in report["packages"]} == {
        "qti21": 1, "scorm12": 1, "scorm2004": 1, "moodle": 1, "canvas": 1, "anki": 3, "cards-csv": 3, "quizlet": 3,
        "flashcards": 3, "flashcards12": 3}
    assert "flashcards-not-in-quiz" not in run("build", "--format", "anki").stderr  # no quiz format built
    (tmp_path / "items/demo/quiz.yaml").write_text(QUIZ_YAML + "accept_warnings: [flashcards-not-in-quiz]\n")
    assert "flashcards-not-in-quiz" not in run("build", "--format", "qti21").stderr


def test_no_quiz_format_ever_sees_a_flashcard_item(tmp_path):
    make_project(tmp_path, {"a.yaml": SINGLE.format(id="a"), "zzz-flash.yaml": FLASHCARD.format(id="flash")})
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    for fmt in ("qti21", "scorm12", "scorm2004", "moodle", "canvas"):
        assert checker_for(fmt)(quiz) == []
        output = builder_for(fmt)(quiz)
        data = output.data if output.filename.endswith(".xml") else b"".join(
            zipfile.ZipFile(io.BytesIO(output.data)).read(name) for name in zipfile.ZipFile(io.BytesIO(output.data))
            .namelist())
        assert b"MHSA" not in data and b"flash" not in data, fmt


# ---- the card of each item type ------------------------------------------------------------------

def test_every_item_types_card_golden(warm_handoff, kitchen_safety, kitchen_tasks):
    quiz = every_type(warm_handoff, kitchen_safety, kitchen_tasks)
    text = "".join(f"<!-- {card.id} ({card.kind}) -->\n{card.front}{card.back}\n" for card in cards(quiz, NO_CACHE))
    assert_golden("cards/every-type.html", text.encode())


def test_a_card_shows_no_answer_on_its_front(warm_handoff, kitchen_safety, kitchen_tasks):
    """Ordering steps and matching options are never in the right order on the front; a filled
    blank's answer is only on the back."""
    for item in every_type(warm_handoff, kitchen_safety, kitchen_tasks).items:
        card = card_of(item)
        match item.interaction:
            case OrderingInteraction() as ordering:
                assert _listed(card.front, "card-steps") != [plain_text(s) for s in ordering.steps]
                assert _listed(card.back, "card-order") == [plain_text(s) for s in ordering.steps]
            case MatchingInteraction() as matching:
                assert _listed(card.front, "card-left") == [plain_text(pair.left) for pair in matching.pairs]
                options = [plain_text(text) for _, text in matching.options]
                assert _listed(card.front, "card-options") != options
                assert sorted(_listed(card.front, "card-options")) == sorted(options)
            case FillInBlanksInteraction():
                assert "____" in card.front and "card-blank" not in card.front and "____" not in card.back
            case _:
                pass


def _listed(fragment: str, css_class: str) -> list[str]:
    """The entries of a card's list of this class, as plain text."""
    (body,) = re.findall(f'<(?:ul|ol) class="{css_class}">(.*?)</(?:ul|ol)>', fragment, re.S)
    return [plain_text(Markup(entry)) for entry in re.findall(r"<li>(.*?)</li>", body, re.S)]


def expected_answers(item: Item) -> list[str]:
    """The right answer(s) of an item, as plain text, from the model and builder.scoring."""
    match item.interaction:
        case ChoiceInteraction() as choice:
            return [plain_text(c.text) for c in choice.correct_choices]
        case ShortAnswerInteraction() as short:
            return [" ".join(a.text.split()) for a in short.answers if scoring.full_credit(a)]
        case NumericInteraction() as numeric:
            return [scoring.exact_decimal(a.value if a.value is not None else a.bounds[0])
                    for a in numeric.answers if scoring.full_credit(a)]
        case EssayInteraction() as essay:
            return [plain_text(essay.grader_notes)] if essay.grader_notes else []
        case MatchingInteraction() as matching:
            return [f"{plain_text(p.left)} → {plain_text(p.right)}" for p in matching.pairs]
        case OrderingInteraction() as ordering:
            return [plain_text(step) for step in ordering.steps]
        case FillInBlanksInteraction() as blanks:
            found = []
            for blank in blanks.blanks:
                match blank:
                    case TextBlank() as typed:
                        found += [" ".join(answer.split()) for answer in typed.answers]
                    case ChoiceBlank() as drop_down:
                        found.append(" ".join(drop_down.options[drop_down.correct].split()))
                    case NumericBlank() as number:
                        found.append(number_answer(number.answer))
            return found
    raise AssertionError(item)


def test_every_generated_items_card_holds_its_right_answers_on_the_back():
    @FAST
    @given(quizzes())
    def check(files):
        quiz = load(files)
        made = {card.id: card for card in cards(quiz, NO_CACHE)}
        assert list(made) == [item.id for item in quiz.items]
        for item in quiz.items:
            card = made[item.id]
            assert card.kind == item_type(item.interaction)
            for side in (card.front, card.back):
                etree.fromstring(f"<div>{side}</div>")  # well-formed XHTML
            back = plain_text(card.back)
            for answer in expected_answers(item):
                assert answer in back, (item.id, answer, back)
            if item.explanation:
                assert plain_text(item.explanation) in back
            if isinstance(item.interaction, ChoiceInteraction):
                assert _listed(card.front, "card-choices") == [plain_text(c.text) for c in item.interaction.choices]

    check()


def test_a_numeric_answer_shows_its_tolerance_or_range_and_unit(kitchen_safety):
    from builder.model import NumericAnswer

    assert number_answer(NumericAnswer(30.0, 0.0, False, None, 100, None), "days") == "30 days"
    assert number_answer(NumericAnswer(30.0, 0.5, False, None, 100, None)) == "30 ± 0.5"
    assert number_answer(NumericAnswer(20.0, 25.0, True, None, 100, None)) == "20 ± 25%"
    assert number_answer(NumericAnswer(20.0, 25.0, True, None, 100, None), "s") == "20 s ± 25%"
    assert number_answer(NumericAnswer(None, 0.0, False, (28.0, 31.0), 100, None), "°C") == "28 – 31 °C"


# ---- anki -----------------------------------------------------------------------------------------

def read_deck(data: bytes) -> dict[str, object]:
    """An .apkg as Anki reads it: the collection's notes, cards, decks and note types, the media."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        collection = archive.read("collection.anki2")
        media = json.loads(archive.read("media"))
        files = {media[number]: archive.read(number) for number in media}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "collection.anki2"
        path.write_bytes(collection)
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            notes = db.execute("SELECT id, guid, mid, mod, tags, flds FROM notes ORDER BY id").fetchall()
            card_rows = db.execute("SELECT nid, did, ord, due FROM cards ORDER BY id").fetchall()
            decks, models = db.execute("SELECT decks, models FROM col").fetchone()
        db.close()
    return {"names": names, "notes": notes, "cards": card_rows, "decks": json.loads(decks),
            "models": json.loads(models), "files": files}


def anki_guid(package_id: str, item_id: str) -> str:
    """The guid as docs/flashcards.md derives it (not genanki's code): the first 8 bytes of SHA-256
    of '<package id>__<item id>', in Anki's base-91 digits."""
    digits = ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~")
    number = int.from_bytes(hashlib.sha256(f"{package_id}__{item_id}".encode()).digest()[:8], "big")
    text = ""
    while number:
        number, digit = divmod(number, 91)
        text = digits[digit] + text
    return text


def test_the_deck_holds_one_note_per_card_with_derived_ids(warm_handoff):
    deck = read_deck(builder_for("anki")(warm_handoff).data)
    made = cards(warm_handoff, NO_CACHE)
    assert len(deck["notes"]) == len(made) == len(warm_handoff.items)
    deck_id = 2**30 + int.from_bytes(hashlib.sha256(b"lmspack deck warm-handoff").digest()[:8], "big") % 2**30
    model_id = 2**30 + int.from_bytes(hashlib.sha256(b"lmspack note type warm-handoff").digest()[:8], "big") % 2**30
    assert derived_id("deck", "warm-handoff") == deck_id
    assert deck["decks"][str(deck_id)]["name"] == warm_handoff.title
    (model,) = [m for m in deck["models"].values() if m["name"] == "lmspack warm-handoff"]
    assert int(model["id"]) == model_id and [f["name"] for f in model["flds"]] == ["Front", "Back"]
    assert "{{Front}}" in model["tmpls"][0]["qfmt"] and "{{Back}}" in model["tmpls"][0]["afmt"]
    assert 'lang="en-US"' in model["tmpls"][0]["qfmt"] and ".card-blank" in model["css"]
    for position, ((note_id, guid, mid, _, tags, fields), card, row) in enumerate(
            zip(deck["notes"], made, deck["cards"], strict=True)):
        assert guid == anki_guid("warm-handoff", card.id)
        assert mid == model_id
        front, back = fields.split("\x1f")
        assert plain_text(card.front) == " ".join(etree.fromstring(f"<div>{front}</div>").xpath("string()").split())
        assert any(f'class="card-{part}"' in back for part in ("answers", "pairs", "order", "text"))
        assert tags.split() == [*(tag.replace(" ", "_") for tag in card.tags), "warm-handoff"]
        assert row == (note_id, deck_id, 0, position)  # one card per note, in the quiz's order


def test_the_deck_embeds_the_files_the_cards_show_by_flat_names(kitchen_media):
    deck = read_deck(builder_for("anki")(kitchen_media).data)
    shown = {use.name for card in cards(kitchen_media, NO_CACHE) for use in card.media}
    by_path = {file.name: file for file in kitchen_media.media}
    names = flat_names([by_path[name] for name in shown])
    assert deck["files"] == {names[name]: by_path[name].content for name in shown}
    assert all("/" not in name for name in deck["files"])
    fields = "".join(note[5] for note in deck["notes"])
    assert "media/" not in fields
    for path, name in names.items():
        assert f'src="{quote(name)}"' in fields, path
    assert "\\(" in fields or "\\[" in fields  # formulas as TeX for Anki's MathJax
    assert "<math" not in fields and "<object" not in fields


def test_flat_names_are_renamed_deterministically_when_two_paths_collide():
    def file(name: str) -> MediaFile:
        return MediaFile(name, "image/png", b"")

    files = [file("b/chart.png"), file("a/chart.png"), file("c/Chart.png"), file("a-chart.png"), file("x[1].png")]
    assert flat_names(files) == {"a-chart.png": "a-chart.png", "a/chart.png": "chart.png",
                                 "b/chart.png": "b-chart.png", "c/Chart.png": "c-Chart.png", "x[1].png": "x_1_.png"}
    assert flat_names(list(reversed(files))) == flat_names(files)


def build_in_a_process(project: Path, out: str, epoch: str) -> bytes:
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch, "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run([sys.executable, "-m", "builder", "build", "--format", "anki", "--format", "cards-csv",
                    "--out", out, "--no-cache", "--quiet"], cwd=project, env=env, check=True)
    return (project / out / "demo-1.0.0-anki.apkg").read_bytes()


def test_rebuilds_are_byte_identical_in_separate_processes(tmp_path):
    make_project(tmp_path, {"a.yaml": SINGLE.format(id="a"), "f.yaml": FLASHCARD.format(id="f")})
    first = build_in_a_process(tmp_path, "one", "1767225600")
    assert build_in_a_process(tmp_path, "two", "1767225600") == first
    assert (tmp_path / "one/demo-1.0.0-cards-csv.csv").read_bytes() == \
        (tmp_path / "two/demo-1.0.0-cards-csv.csv").read_bytes()
    later = build_in_a_process(tmp_path, "three", "1767312000")
    assert later != first  # the notes' times (Anki updates a note whose time is newer)
    assert [note[3] for note in read_deck(later)["notes"]] == [1767312000, 1767312000]
    assert [note[1] for note in read_deck(later)["notes"]] == [note[1] for note in read_deck(first)["notes"]]


def test_a_cohorts_deck_is_a_deck_of_its_own(tmp_path):
    make_project(tmp_path, {"a.yaml": SINGLE.format(id="a")},
                 QUIZ_YAML + "cohorts:\n  spring:\n    title: Spring intake\n")
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    spring = quiz.for_cohort("spring")
    output = builder_for("anki")(spring)
    assert output.filename == "demo-spring-1.0.0-anki.apkg"
    deck = read_deck(output.data)
    assert deck["decks"][str(derived_id("deck", "demo-spring"))]["name"] == "Spring intake"
    assert deck["notes"][0][1] == anki_guid("demo-spring", "a")


# ---- cards-csv ------------------------------------------------------------------------------------

def read_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    text = data.decode("utf-8")
    lines = text.splitlines(keepends=True)
    header = [line for line in lines if line.startswith("#")]
    assert "".join(header) == HEADER and text.startswith(HEADER)
    return [line.rstrip("\n") for line in header], list(csv.reader(io.StringIO(text[len(HEADER):])))


def test_the_csv_holds_front_back_and_tags_as_anki_reads_them(warm_handoff, kitchen_safety, kitchen_tasks):
    quiz = every_type(warm_handoff, kitchen_safety, kitchen_tasks)
    output = builder_for("cards-csv")(quiz)
    assert output.filename == "kitchen-safety-1.0.0-cards-csv.csv"
    header, rows = read_csv(output.data)
    assert header == ["#separator:comma", "#html:true", "#notetype:Basic", "#columns:Front,Back,Tags",
                      "#tags column:3"]
    made = cards(quiz, NO_CACHE)
    assert len(rows) == len(made)
    for row, card in zip(rows, made, strict=True):
        front, back, tags = row
        assert front == card.front and back == card.back  # no files nor formulas in these
        assert tags.split() == [*(tag.replace(" ", "_") for tag in card.tags), "kitchen-safety"]
    assert_golden("cards/every-type-cards.csv", output.data)


def test_the_csv_names_the_files_it_cannot_hold(kitchen_media):
    output = builder_for("cards-csv")(kitchen_media)
    (warning,) = output.warnings
    assert warning.code == "cards-csv-no-media"
    assert set(warning.item_ids) == {card.id for card in cards(kitchen_media, NO_CACHE) if card.media}
    _, rows = read_csv(output.data)
    assert "media/" not in "".join(front + back for front, back, _ in rows)


# ---- quizlet --------------------------------------------------------------------------------------

def read_quizlet(data: bytes) -> list[tuple[str, str]]:
    """The cards as Quizlet's importer reads pasted text with its defaults: a card a line, the term
    and the definition split at the tab."""
    text = data.decode("utf-8")
    assert text.endswith("\n") and "\r" not in text
    rows = [line.split("\t") for line in text.splitlines()]
    # (An essay with neither grader notes nor an explanation has an empty back.)
    assert all(len(row) == 2 and row[0] and all(side.strip() == side for side in row) for row in rows), rows
    return [(term, definition) for term, definition in rows]


def test_the_quizlet_text_is_a_card_a_line_term_tab_definition(warm_handoff, kitchen_safety, kitchen_tasks):
    quiz = every_type(warm_handoff, kitchen_safety, kitchen_tasks)
    output = builder_for("quizlet")(quiz)
    assert output.filename == "kitchen-safety-1.0.0-quizlet.txt"
    assert output.warnings == ()  # no files, formulas or tables in these
    rows = read_quizlet(output.data)
    made = cards(quiz, NO_CACHE)
    assert len(rows) == len(made)
    for (term, definition), card in zip(rows, made, strict=True):
        assert "<" not in term + definition  # no tags: Quizlet shows text as typed
        # Every word of the card, in order; list entries marked, the explanation set apart.
        assert " ".join(re.sub(r"(?:• |\d+\. )", "", term).split()) == plain_text(card.front)
        assert " ".join(re.sub(r"(?:• |\d+\. |— )", "", definition).split()) == plain_text(card.back)
    assert_golden("cards/every-type-quizlet.txt", output.data)


def test_a_cards_lists_are_marked_and_its_explanation_set_apart(warm_handoff, kitchen_safety, kitchen_tasks):
    by_id = {card.id: card for card in cards(every_type(warm_handoff, kitchen_safety, kitchen_tasks), NO_CACHE)}
    term, definition = one_line(by_id["warm-handoff-definition"].front), one_line(by_id["warm-handoff-definition"].back)
    assert term.startswith("What is a 'warm handoff' and why is it important? • A real-time, person-to-person")
    assert term.count(" • ") == 4
    assert definition.startswith("• A real-time") and " — A warm handoff is a real-time" in definition
    ordering = next(card for card in by_id.values() if card.kind == "ordering")
    assert re.match(r"1\. .+ 2\. ", one_line(ordering.back))
    assert one_line(Markup("<p>a\tb</p><p>c<br/>d</p>")) == "a b c d"  # nothing splits a card
    assert one_line(Markup('<div class="card-explanation"><p>only</p></div>')) == "only"  # nothing before it


def test_every_generated_quizs_cards_are_one_line_each_split_once():
    @FAST
    @given(quizzes())
    def check(files):
        quiz = load(files)
        made = cards(quiz, NO_CACHE)
        rows = read_quizlet(builder_for("quizlet")(quiz).data)
        assert len(rows) == len(made)
        for (term, _), card in zip(rows, made, strict=True):  # formulas as TeX, images as [alt]
            tex = str(richtext.rewritten(card.front, math="tex"))
            front = re.sub(r'<img\b[^>]*? alt="([^"]*)"[^>]*>', r"[\1]", tex)
            expected = plain_text(Markup(front))
            assert " ".join(re.sub(r"(?:• |\d+\. )", "", term).split()) == expected

    check()


def test_the_quizlet_text_gives_files_formulas_and_tables_as_text_and_says_so(kitchen_media):
    output = builder_for("quizlet")(kitchen_media)
    (warning,) = output.warnings
    assert warning.code == "quizlet-plain-text"
    shown = {card.id for card in cards(kitchen_media, NO_CACHE)
             if any(mark in f"{card.front}{card.back}" for mark in ("<img", "<object", "<math", "<table"))}
    assert set(warning.item_ids) == shown and shown
    text = "\n".join(f"{term}\t{definition}" for term, definition in read_quizlet(output.data))
    assert "on the [yellow fridge shelf]. Which reading" in text  # an image: its alt text
    assert "[A short beep at one pitch, one second long]" in text  # audio: its text alternative
    assert r"\(c = \frac{m}{V}\)" in text  # a formula: its TeX
    assert "media/" not in text


def test_the_bundled_quiz_builds_into_every_card_format(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run("build", "--out", str(tmp_path), "--quiet", "--no-cache")
    assert result.exit_code == 0, result.output
    built = sorted(path.name for path in tmp_path.iterdir())
    for name in ("anki.apkg", "cards-csv.csv", "quizlet.txt", "flashcards.zip", "flashcards12.zip"):
        assert f"warm-handoff-1.0.0-{name}" in built and f"warm-handoff-es-1.0.0-{name}" in built
    rows = read_quizlet((tmp_path / "warm-handoff-1.0.0-quizlet.txt").read_bytes())
    assert len(rows) == len(cards(load_quizzes([ROOT / "items/warm-handoff"], ROOT)[0], NO_CACHE))
