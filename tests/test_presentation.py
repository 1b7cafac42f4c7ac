"""What a quiz shows its learners beyond its items (issue 21): show_correct_answers, navigation, a
theme (logo and accent colour, checked for contrast), cohort titles and a fixed choice order;
loaded with every problem at its place, and carried by each format as far as it can, with a
coded warning where not. The test quiz tests/quizzes/kitchen-brand has each of them."""

from __future__ import annotations

import colorsys
import dataclasses
import io
import json
import re
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from lxml import etree

from builder import colours
from builder.cli import main
from builder.errors import InputError
from builder.formats import Output, canvas, moodle, qti21
from builder.formats.scorm import SCORM12, SCORM2004, build_scorm12, build_scorm2004, player_data
from builder.loading import load_quizzes
from builder.model import ChoiceInteraction, Quiz, Theme

from conftest import ROOT, assert_golden, assert_valid_package
from projects import QUIZ_YAML, SINGLE, make_project

BRAND = ROOT / "tests" / "quizzes" / "kitchen-brand"
LOGO = (BRAND / "images" / "co-op-logo.png").read_bytes()
BUILDS = {"qti21": qti21.build, "scorm12": build_scorm12, "scorm2004": build_scorm2004, "moodle": moodle.build,
          "canvas": canvas.build}


@pytest.fixture(scope="module")
def kitchen_brand() -> Quiz:
    """A test quiz (not user content) with every setting of this module."""
    (quiz,) = load_quizzes([BRAND], ROOT)
    return quiz


@pytest.fixture(scope="module")
def evening(kitchen_brand: Quiz) -> Quiz:
    """Its cohort with a title, navigation, show_correct_answers and an accent of its own."""
    return kitchen_brand.for_cohort("evening")


def problems_for(tmp_path: Path, quiz: str = QUIZ_YAML, items: dict[str, str] | None = None) -> list[str]:
    make_project(tmp_path, items, quiz)
    with pytest.raises(InputError) as raised:
        load_quizzes([tmp_path / "items"], tmp_path)
    return [p.format() for p in raised.value.problems]


def loaded(tmp_path: Path, quiz: str = QUIZ_YAML, items: dict[str, str] | None = None) -> Quiz:
    make_project(tmp_path, items, quiz)
    (found,) = load_quizzes([tmp_path / "items"], tmp_path)
    return found


def members(output: Output) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(output.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def codes(output: Output) -> dict[str, tuple[str, ...]]:
    return {warning.code: warning.item_ids for warning in output.warnings}


# ---- loading ---------------------------------------------------------------------------------------------------

def test_the_settings_load_with_their_defaults_and_cohorts_override_them(kitchen_brand: Quiz, evening: Quiz,
                                                                        tmp_path: Path) -> None:
    settings = kitchen_brand.settings
    assert (settings.show_correct_answers, settings.navigation) == (False, "free")
    assert settings.theme == Theme(logo="images/co-op-logo.png", logo_alt="Shared Kitchen Co-op", accent="#0b6e4f")
    assert {"show_correct_answers", "navigation", "theme"} <= settings.written
    assert kitchen_brand.logo is not None and kitchen_brand.logo.content == LOGO
    assert kitchen_brand.media == ()  # no item shows the logo: only the SCORM packages carry it
    # The cohort's theme overrides the accent only; its title replaces the quiz's.
    assert (evening.settings.show_correct_answers, evening.settings.navigation) == (True, "linear")
    assert evening.settings.theme == dataclasses.replace(settings.theme, accent="#6b2c7a")
    assert (evening.display_title, evening.package_id) == ("Shared kitchen refresher for the evening team",
                                                          "kitchen-brand-evening")
    plain = loaded(tmp_path)
    assert (plain.settings.show_correct_answers, plain.settings.navigation, plain.settings.theme) == \
        (True, "linear", None)
    assert not {"show_correct_answers", "navigation", "theme"} & plain.settings.written


def test_a_cohort_without_a_title_shows_the_quiz_title_and_keeps_its_name_in_identifiers(tmp_path: Path) -> None:
    quiz = loaded(tmp_path, QUIZ_YAML + "cohorts:\n  spring-2027: {pass_mark: 80}\n")
    spring = quiz.for_cohort("spring-2027")
    assert (spring.display_title, spring.package_id) == ("Demo quiz", "demo-spring-2027")
    assert BUILDS["qti21"](spring).filename == "demo-spring-2027-1.0.0-qti21.zip"
    # Moodle's category is the teacher's: it keeps the cohort apart (id numbers are unique per category).
    assert moodle.category_path(spring) == "$course$/top/Demo quiz (spring-2027)"


def test_item_order_and_pinned_choices_load(kitchen_brand: Quiz) -> None:
    items = {item.id: item for item in kitchen_brand.items}
    assert [item_id for item_id, item in items.items() if not item.shuffle_choices] == ["fridge-shelf", "shelf-blank"]
    chicken = items["cleaning-after-chicken"].interaction
    assert isinstance(chicken, ChoiceInteraction) and chicken.pinned
    assert [choice.fixed for choice in chicken.choices] == [False, False, False, True]


QUIZ_TOP = QUIZ_YAML + "shuffle_choices: true\n"


@pytest.mark.parametrize(("item", "expected"), [
    ("id: q1\ntype: single_choice\nshuffle_choices: true\nprompt: P\nchoices:\n  - {text: A, correct: true}\n"
     "  - {text: B}\n",
     "q1.yaml:3:18: 'shuffle_choices: true' is what every item does (its choices are shuffled when the quiz's "
     "shuffle_choices is on); write false to keep this item's order, or remove it"),
    ("id: q1\ntype: single_choice\nshuffle_choices: maybe\nprompt: P\nchoices:\n  - {text: A, correct: true}\n"
     "  - {text: B}\n",
     "q1.yaml:3:18: 'shuffle_choices' must be true or false"),
    ("id: q1\ntype: true_false\nshuffle_choices: false\nprompt: P\nchoices:\n  - {text: 'True', correct: true}\n"
     "  - {text: 'False'}\n",
     "q1.yaml:3:1: 'shuffle_choices' does not apply here: a true_false item's choices always keep their order "
     "(True, then False); remove it"),
    ("id: q1\ntype: ordering\nshuffle_choices: false\nprompt: P\norder: [a, b]\n",
     "q1.yaml:3:1: 'shuffle_choices' does not apply here: an ordering item's steps are always shown shuffled: "
     "putting them in order is the task; remove it"),
    ("id: q1\ntype: matching\nshuffle_choices: false\nprompt: P\npairs:\n  - {left: a, right: b}\n"
     "  - {left: c, right: d}\n",
     "q1.yaml:3:1: 'shuffle_choices' does not apply here: a matching item's options are its pairs' right sides in "
     "the pairs' order, the answer itself: where the quiz shuffles choices they are always shuffled; remove it"),
    ("id: q1\ntype: short_answer\nshuffle_choices: false\nprompt: P\nanswers: [{text: a}]\n",
     "q1.yaml:3:1: 'shuffle_choices' does not apply here: a short_answer item has no choices to shuffle; remove it"),
    ("id: q1\ntype: fill_in_blanks\nshuffle_choices: false\nprompt: P [[a]]\nblanks:\n  a: {answers: [x]}\n",
     "q1.yaml:3:1: 'shuffle_choices' does not apply here: it keeps the order of drop-down options, and this item "
     "has no drop-down blank; remove it"),
    ("id: q1\ntype: true_false\nprompt: P\nchoices:\n  - {text: 'True', correct: true, fixed: true}\n"
     "  - {text: 'False'}\n",
     "q1.yaml:5:35: a true_false item's choices always keep their order (True, then False); remove 'fixed'"),
    ("id: q1\ntype: single_choice\nfixed: true\nprompt: P\nchoices:\n  - {text: A, correct: true}\n  - {text: B}\n",
     "q1.yaml:3:1: unknown field 'fixed' in an item; 'fixed: true' pins one choice in place: write it on that "
     "choice, under 'choices' of a single_choice or multiple_response item"),
    ("id: q1\ntype: matching\nprompt: P\npairs:\n  - {left: a, right: b, fixed: true}\n  - {left: c, right: d}\n",
     "q1.yaml:5:25: unknown field 'fixed' in pair 1; 'fixed: true' pins one choice in place: write it on that "
     "choice, under 'choices' of a single_choice or multiple_response item"),
    ("id: q1\ntype: single_choice\nprompt: P\nchoices:\n  - {text: A, correct: true, fixed: 1}\n  - {text: B}\n",
     "q1.yaml:5:37: 'fixed' must be true or false"),
])
def test_item_order_problems_are_reported_at_their_place(tmp_path: Path, item: str, expected: str) -> None:
    assert problems_for(tmp_path, QUIZ_TOP, {"q1.yaml": item}) == [f"items/demo/{expected}"]


@pytest.mark.parametrize(("lines", "expected"), [
    ("navigation: jump\n", "5:13: 'navigation' must be one of: linear, free, not 'jump'"),
    ("navigation: fre\n", "5:13: 'navigation' must be one of: linear, free, not 'fre'; did you mean 'free'?"),
    ("show_correct_answers: no\n", "5:23: 'show_correct_answers' must be true or false"),
    ("cohorts:\n  b:\n    navigation: back\n", "7:17: 'navigation' must be one of: linear, free, not 'back'"),
    ("cohorts:\n  b:\n    title: ''\n", "7:12: 'title' is empty; write some text"),
    ("cohorts:\n  b:\n    titel: B\n", "7:5: unknown field 'titel' in cohort 'b'; did you mean 'title'?"),
    ("theme: blue\n", "5:8: 'theme' must be a mapping such as {logo: images/logo.png, logo_alt: \"...\", "
                      "accent: \"#0b6e4f\"}"),
    ("theme: {colour: red}\n", "5:9: unknown field 'colour' in 'theme'"),
    ("accent: '#0b6e4f'\n", "5:1: unknown field 'accent' in quiz.yaml; 'accent' goes under 'theme:' in quiz.yaml"),
    ("theme:\n  accent: #0b6e4f\n", "6:10: 'accent' is empty; a colour starts with '#', which starts a comment in "
                                    "YAML unless the colour is in quotes: accent: \"#0b6e4f\""),
    ("theme: {accent: green}\n", "5:17: 'accent' must be a colour written #rrggbb, in quotes (accent: "
                                 "\"#0b6e4f\"), not 'green'"),
    ("theme: {accent: ''}\n", "5:17: 'accent' must be a colour written #rrggbb, in quotes (accent: \"#0b6e4f\"), "
                              "not empty text"),
    ("theme: {accent: '#ffcc00'}\n",
     "5:17: accent '#ffcc00' has too little contrast for WCAG AA (4.5:1 for text) in the SCORM player: 1.51:1 with "
     "white text on it (buttons), 1.38:1 as text on the page background (#f3f5f7), 1.51:1 as text on a question's "
     "background (#ffffff); the nearest shade that has enough is \"#896d00\""),
    ("theme: {accent: '#767676'}\n",
     "5:17: accent '#767676' has too little contrast for WCAG AA (4.5:1 for text) in the SCORM player: 4.15:1 as "
     "text on the page background (#f3f5f7); the nearest shade that has enough is \"#707070\""),
    ("theme: {logo: images/logo.png}\n", "5:8: missing field 'logo_alt': say what the logo shows, for learners who "
                                         "cannot see it (such as \"Medi-Cal Peer Support\")"),
    ("theme: {logo_alt: Our logo}\n", "5:9: 'logo_alt' describes the logo, and this theme has none; add 'logo' or "
                                      "remove 'logo_alt'"),
    ("theme: {logo: logo.png, logo_alt: ' '}\n", "5:35: 'logo_alt' is empty; say what the logo shows, for learners "
                                                 "who cannot see it"),
    ("theme: {logo: ../logo.png, logo_alt: L}\n", "5:15: 'logo' '../logo.png' must be a path inside the quiz "
                                                  "folder, relative to it, with / between folders, such as "
                                                  "images/logo.png"),
    ("theme: {logo: /srv/logo.png, logo_alt: L}\n", "5:15: 'logo' '/srv/logo.png' must be a path inside the quiz "
                                                    "folder, relative to it, with / between folders, such as "
                                                    "images/logo.png"),
    ("theme: {logo: 'https://example.org/logo.png', logo_alt: L}\n",
     "5:15: 'logo' 'https://example.org/logo.png' must be a file of the quiz folder, such as images/logo.png, not a "
     "web address or a drive: the package carries the logo"),
    ("theme: {logo: jingle.mp3, logo_alt: L}\n", "5:15: 'logo' 'jingle.mp3' must be an image (.png, .jpg, .jpeg, "
                                                 ".gif, .webp, .svg)"),
    ("theme: {logo: missing.png, logo_alt: L}\n", "5:15: file 'missing.png' does not exist in the quiz folder "
                                                  "items/demo; check the name, or add the file"),
    ("theme: {logo: fake.png, logo_alt: L}\n", "5:15: file 'fake.png' is not a image/png file, as its name says; "
                                               "convert it or correct the name"),
    ("cohorts:\n  b:\n    theme: {logo: other.png}\n",
     "7:12: missing field 'logo_alt': say what the logo shows, for learners who cannot see it (such as "
     "\"Medi-Cal Peer Support\")"),
])
def test_quiz_settings_problems_are_reported_at_their_place(tmp_path: Path, lines: str, expected: str) -> None:
    folder = make_project(tmp_path)
    (folder / "fake.png").write_text("not a picture")
    (folder / "images").mkdir()
    for name in ("other.png", "logo.png", "images/logo.png"):
        (folder / name).write_bytes(LOGO)
    assert problems_for(tmp_path, QUIZ_YAML + lines, {"q1.yaml": SINGLE.format(id="q1")}) == \
        [f"items/demo/quiz.yaml:{expected}"]


def test_the_logo_counts_towards_the_media_limit_and_is_read_like_item_media(tmp_path: Path) -> None:
    folder = make_project(tmp_path)
    (folder / "images").mkdir()
    (folder / "images" / "logo.png").write_bytes(LOGO + b"\0" * 20_000)
    quiz = QUIZ_YAML + "media: {max_file_mb: 0.01}\ntheme: {logo: images/logo.png, logo_alt: L}\n"
    assert problems_for(tmp_path, quiz, {"q1.yaml": SINGLE.format(id="q1")}) == [
        "items/demo/quiz.yaml:6:15: file 'images/logo.png' is larger than 0.01 MB, the limit for one file "
        "(media: max_file_mb in quiz.yaml); make it smaller, or raise the limit if every LMS you use takes it"]


def test_validate_names_a_bad_accent_and_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(tmp_path, quiz=QUIZ_YAML + "theme: {accent: '#9CC'}\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate", "items"])
    assert result.exit_code == 1
    assert "quiz.yaml:5:17: accent '#9CC' has too little contrast for WCAG AA" in result.output
    assert "1.77:1 with white text on it (buttons)" in result.output
    assert result.output.endswith('the nearest shade that has enough is "#3d7a7a"\n'
                                  '1 problem found; nothing was written\n')


# ---- contrast --------------------------------------------------------------------------------------------------

def test_contrast_follows_wcag() -> None:
    white, black = (255, 255, 255), (0, 0, 0)
    assert colours.contrast(white, black) == pytest.approx(21)
    assert colours.ratio_text(colours.contrast((0x76, 0x76, 0x76), white)) == "4.54:1"  # WCAG's own example
    assert colours.ratio_text(4.499) == "4.49:1"  # cut, never rounded up to a ratio that passes
    assert colours.parse("#0B6E4F") == colours.parse("#0b6e4f") == (11, 110, 79)
    assert colours.parse("#abc") == (0xaa, 0xbb, 0xcc)
    assert colours.parse("0b6e4f") is None and colours.parse("#0b6e4") is None


def test_the_suggested_shade_passes_and_is_the_nearest_that_does() -> None:
    for written in ("#ffcc00", "#7fb3a0", "#9cc", "#777777", "#e0e0ff"):
        accent = colours.parse(written)
        assert accent is not None and colours.shortfalls(accent)
        shade = colours.nearest_passing(accent)
        assert not colours.shortfalls(shade), written
        # A hundredth lighter fails: the suggestion keeps as much of the colour as it can.
        hue, lightness, saturation = colorsys.rgb_to_hls(*(c / 255 for c in shade))
        lighter = tuple(round(c * 255) for c in colorsys.hls_to_rgb(hue, lightness + 0.01, saturation))
        assert colours.shortfalls((lighter[0], lighter[1], lighter[2])), written


def test_the_colours_checked_are_the_players_own() -> None:
    css = (ROOT / "templates" / "scorm" / "common.css").read_text()
    page = re.search(r"--page:\s*(#[0-9a-f]{6})", css)
    paper = re.search(r"--paper:\s*(#[0-9a-f]{6})", css)
    assert page and paper
    assert [(pairing.how, colours.hex_of(pairing.colour)) for pairing in colours.player_pairings()] == [
        ("with white text on it (buttons)", "#ffffff"),
        (f"as text on the page background ({page.group(1)})", page.group(1)),
        (f"as text on a question's background ({paper.group(1)})", paper.group(1))]
    # The player's own accent passes.
    accent = re.search(r"--accent:\s*(#[0-9a-f]{6})", css)
    assert accent and not colours.shortfalls(colours.parse(accent.group(1)) or (0, 0, 0))


# ---- the formats -----------------------------------------------------------------------------------------------

def test_golden_files(kitchen_brand: Quiz, evening: Quiz) -> None:
    """Each format's documents for the quiz, and what its cohort changes (settings, titles)."""
    for name, data in members(qti21.build(kitchen_brand)).items():
        assert_golden(f"qti21/kitchen-brand/{name}", data)
    assert_golden("qti21/kitchen-brand/evening/assessment-test.xml",
                  members(qti21.build(evening))["assessment-test.xml"])
    for quiz, folder in ((kitchen_brand, ""), (evening, "evening/")):
        for name, data in members(canvas.build(quiz)).items():
            golden = "assessment.xml" if re.fullmatch(r"(g[0-9a-f]{32})/\1\.xml", name) else Path(name).name
            assert_golden(f"canvas/kitchen-brand/{folder}{golden}", data)
        output = moodle.build(quiz)
        assert_golden(f"moodle/{output.filename}", output.data)
        for edition, build in (("scorm12", build_scorm12), ("scorm2004", build_scorm2004)):
            assert_golden(f"scorm/{quiz.package_id}-{edition}-imsmanifest.xml", members(build(quiz))["imsmanifest.xml"])


@pytest.mark.parametrize("fmt", ["qti21", "scorm12", "scorm2004", "canvas"])  # it reads no Moodle XML
def test_packages_pass_the_independent_validator(kitchen_brand: Quiz, evening: Quiz, fmt: str,
                                                 package_validator: ModuleType, tmp_path: Path) -> None:
    for quiz in (kitchen_brand, evening):
        output = BUILDS[fmt](quiz)
        path = tmp_path / output.filename
        path.write_bytes(output.data)
        if fmt == "canvas":  # its manifest is Canvas's Common Cartridge profile, which the validator has no schema for
            report = package_validator.validate_path(path, kind="qti12")
            assert report.ok and [p.code for p in report.sorted_problems()] == ["manifest-not-validated"]
        else:
            assert_valid_package(package_validator, path, kind=fmt)


def test_qti_documents_are_valid_against_the_official_schema(kitchen_brand: Quiz, evening: Quiz,
                                                             official_schema) -> None:
    schema = official_schema("qti21/qti21_umbrella.xsd")
    for quiz in (kitchen_brand, evening):
        for name, data in members(qti21.build(quiz)).items():
            if name.endswith(".xml") and name != "imsmanifest.xml":
                assert schema.validate(etree.fromstring(data)), (name, schema.error_log)


QTI = {"qti": "http://www.imsglobal.org/xsd/imsqti_v2p1"}


def test_qti_carries_navigation_correct_answers_and_choice_order(kitchen_brand: Quiz, evening: Quiz) -> None:
    def test_part(quiz: Quiz) -> tuple[str | None, str | None]:
        test = etree.fromstring(members(qti21.build(quiz))["assessment-test.xml"])
        part = test.find("qti:testPart", QTI)
        control = part.find("qti:itemSessionControl", QTI)
        return part.get("navigationMode"), control.get("showSolution")

    assert test_part(kitchen_brand) == ("nonlinear", "false")
    assert test_part(evening) == ("linear", "true")
    files = members(qti21.build(kitchen_brand))

    def choices(item_id: str) -> tuple[str | None, list[str | None]]:
        interaction = etree.fromstring(files[f"items/{item_id}.xml"]).find(".//qti:choiceInteraction", QTI)
        return interaction.get("shuffle"), [c.get("fixed") for c in interaction.iterfind("qti:simpleChoice", QTI)]

    assert choices("fridge-shelf") == ("false", [None, None, None])
    assert choices("cleaning-after-chicken") == ("true", [None, None, None, "true"])
    assert choices("hand-drying") == ("true", [None, None, None])
    blank = etree.fromstring(files["items/shelf-blank.xml"]).find(".//qti:inlineChoiceInteraction", QTI)
    assert blank.get("shuffle") == "false"
    assert codes(qti21.build(kitchen_brand)) == {"qti21-no-theme": ()}


META = "{http://canvas.instructure.com/xsd/cccv1p0}"


def test_canvas_carries_navigation_and_correct_answers_and_warns_of_choice_order(kitchen_brand: Quiz,
                                                                                 evening: Quiz) -> None:
    def meta(quiz: Quiz) -> tuple[str | None, ...]:
        found = next(data for name, data in members(canvas.build(quiz)).items() if name.endswith("assessment_meta.xml"))
        root = etree.fromstring(found)
        return tuple(root.findtext(f"{META}{name}") for name in ("title", "show_correct_answers",
                                                                  "one_question_at_a_time", "cant_go_back"))

    assert meta(kitchen_brand) == ("Shared kitchen refresher", "false", "true", "false")
    assert meta(evening) == ("Shared kitchen refresher for the evening team", "true", "true", "true")
    # feedback: never hides the correct answers too.
    hidden = dataclasses.replace(evening, settings=dataclasses.replace(evening.settings, feedback="never"))
    assert meta(hidden)[1] == "false"
    warned = codes(canvas.build(kitchen_brand))
    assert warned["canvas-choice-order"] == ("fridge-shelf", "shelf-blank")
    assert warned["canvas-fixed-choice"] == ("cleaning-after-chicken",)
    assert warned["canvas-no-theme"] == ()
    unshuffled = dataclasses.replace(kitchen_brand, settings=dataclasses.replace(kitchen_brand.settings,
                                                                                 shuffle_choices=False))
    assert not {"canvas-choice-order", "canvas-fixed-choice"} & set(codes(canvas.build(unshuffled)))


def test_moodle_shuffles_per_question_and_names_what_the_quiz_must_set(kitchen_brand: Quiz) -> None:
    root = etree.fromstring(moodle.build(kitchen_brand).data)
    shuffles = {q.findtext("idnumber"): q.findtext("shuffleanswers") for q in root.iter("question")
                if q.get("type") == "multichoice"}
    # A pinned choice cannot be held: that item keeps its whole order (warned).
    assert shuffles == {"fridge-shelf": "false", "cleaning-after-chicken": "false", "hand-drying": "true"}
    output = moodle.build(kitchen_brand)
    warned = {warning.code: warning for warning in output.warnings}
    assert warned["moodle-fixed-choice"].item_ids == ("cleaning-after-chicken",)
    assert "correct answers hidden (review options: Right answer), navigation 'free' (free)" in \
        warned["moodle-quiz-settings"].message
    assert "moodle-no-theme" in warned


def test_nothing_is_warned_of_what_quiz_yaml_does_not_write(tmp_path: Path) -> None:
    """Defaults (linear, correct answers shown, no theme, every item shuffled) make no warning."""
    quiz = loaded(tmp_path, QUIZ_YAML + "shuffle_choices: true\n")
    for build in BUILDS.values():
        assert not {code for code in codes(build(quiz))} & {
            "qti21-no-theme", "moodle-no-theme", "canvas-no-theme", "moodle-fixed-choice", "canvas-choice-order",
            "canvas-fixed-choice"}
    assert "navigation" not in moodle.build(quiz).warnings[0].message


def test_the_player_gets_the_settings_theme_title_and_choice_order(kitchen_brand: Quiz, evening: Quiz) -> None:
    for edition in (SCORM12, SCORM2004):
        data = player_data(kitchen_brand, edition)
        assert (data["settings"]["showCorrectAnswers"], data["settings"]["navigation"]) == (False, "free")
        assert data["theme"] == {"logo": "media/images/co-op-logo.png", "logoAlt": "Shared Kitchen Co-op",
                                 "accent": "#0b6e4f"}
        items = {item["id"]: item for item in data["items"]}
        assert [item["shuffleChoices"] for item in items.values()] == [False, True, False, True]
        assert [choice["fixed"] for choice in items["cleaning-after-chicken"]["choices"]] == [False, False, False, True]
    data = player_data(evening, SCORM2004)
    assert data["quiz"]["title"] == "Shared kitchen refresher for the evening team"
    assert data["quiz"]["id"] == "kitchen-brand-evening"
    assert data["theme"]["accent"] == "#6b2c7a"
    assert (data["settings"]["showCorrectAnswers"], data["settings"]["navigation"]) == (True, "linear")


@pytest.mark.parametrize("build", [build_scorm12, build_scorm2004])
def test_the_logo_is_in_the_package_and_its_manifest(kitchen_brand: Quiz, build) -> None:
    output = build(kitchen_brand)
    files = members(output)
    assert files["media/images/co-op-logo.png"] == LOGO
    listed = [e.get("href") for e in etree.fromstring(files["imsmanifest.xml"]).iter("{*}file")]
    assert "media/images/co-op-logo.png" in listed
    page = files["index.html"].decode()
    assert json.dumps("media/images/co-op-logo.png") in page
    # Only SCORM carries it.
    for other in (qti21.build, canvas.build):
        assert not any(name.endswith("co-op-logo.png") for name in members(other(kitchen_brand)))


def test_a_logo_an_item_shows_too_is_carried_once(tmp_path: Path) -> None:
    folder = make_project(tmp_path)
    (folder / "logo.png").write_bytes(LOGO)
    item = SINGLE.format(id="q1").replace("Pick the right one.", "'![Our logo](logo.png) Pick the right one.'")
    quiz = loaded(tmp_path, QUIZ_YAML + "theme: {logo: logo.png, logo_alt: Our logo}\n", {"q1.yaml": item})
    assert [file.name for file in quiz.media] == [file.name for file in quiz.theme_media] == ["logo.png"]
    with zipfile.ZipFile(io.BytesIO(build_scorm2004(quiz).data)) as archive:
        assert archive.namelist().count("media/logo.png") == 1
