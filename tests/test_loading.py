"""Every validation rule, with its message and its place, and the model the loader builds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from markupsafe import Markup

from builder.errors import InputError
from builder.formats import item_type
from builder.loading import choice_letters, load_quizzes
from builder.markup import plain_text
from builder.model import (
    ChoiceInteraction,
    MatchingInteraction,
    NumericInteraction,
    OrderingInteraction,
    ShortAnswerInteraction,
)

from projects import QUIZ_YAML, SINGLE, make_project


def problems_for(tmp_path: Path, items: dict[str, str], quiz: str = QUIZ_YAML) -> list[str]:
    make_project(tmp_path, items, quiz)
    with pytest.raises(InputError) as raised:
        load_quizzes([tmp_path / "items"], tmp_path)
    return [p.format() for p in raised.value.problems]


def test_bundled_quiz_loads_with_every_item_type(warm_handoff):
    assert warm_handoff.identifier == "warm-handoff"
    kinds = [item_type(item.interaction) for item in warm_handoff.items]
    assert kinds == ["single_choice", "true_false", "multiple_response", "short_answer", "numeric", "ordering",
                     "matching", "single_choice"]
    assert [file.name for file in warm_handoff.media] == ["images/warm-handoff-diagram.png"]
    first = warm_handoff.items[0]
    assert first.prompt == "<p>What is a 'warm handoff' and why is it important?</p>"
    assert [c.correct for c in first.interaction.choices] == [True, False, False, False]
    assert first.hints and first.explanation and all(c.feedback for c in first.interaction.choices)


def test_bundled_quiz_keeps_the_seed_text(warm_handoff, root):
    seed = next((root.parent / "shared" / "seeds").glob("*.txt"), None) if (root.parent / "shared").is_dir() else None
    if seed is None:
        pytest.skip("../shared/seeds is not beside the checkout")
    text = " ".join(seed.read_text(encoding="utf-8").split())
    item = warm_handoff.items[0]
    for choice in item.interaction.choices:
        assert " ".join(str(choice.feedback).removeprefix("Correct. ").split()) in text
    explanation = " ".join(str(item.explanation).replace("<p>", " ").replace("</p>", " ").split())
    assert explanation in text
    # The typed-answer items ask for the seed's facts and explain them in its own words.
    for typed in warm_handoff.items[3:]:
        assert plain_text(typed.explanation) in text, typed.id
    continuity = warm_handoff.items[3].interaction
    assert [answer.text for answer in continuity.answers] == ["continuity of care"]
    assert "This preserves continuity of care" in text


def test_the_spanish_edition_is_the_same_quiz(warm_handoff, warm_handoff_es):
    """items/warm-handoff-es is the bundled quiz translated: the same items in the same order, each
    of the same type with the same points, tags, right answers, hints and media, in Spanish."""
    assert (warm_handoff_es.identifier, warm_handoff_es.language) == ("warm-handoff-es", "es-US")
    assert warm_handoff_es.settings == warm_handoff.settings and warm_handoff_es.formats == warm_handoff.formats
    assert [item.id.replace("warm-handoff-es-", "warm-handoff-") for item in warm_handoff_es.items] == \
        [item.id for item in warm_handoff.items]
    for english, spanish in zip(warm_handoff.items, warm_handoff_es.items, strict=True):
        assert (item_type(spanish.interaction), spanish.points, spanish.tags, len(spanish.hints)) == \
            (item_type(english.interaction), english.points, english.tags, len(english.hints)), spanish.id
        assert bool(spanish.explanation) == bool(english.explanation)
        match english.interaction, spanish.interaction:
            case ChoiceInteraction() as en, ChoiceInteraction() as es:
                assert [c.correct for c in es.choices] == [c.correct for c in en.choices]
                assert [bool(c.feedback) for c in es.choices] == [bool(c.feedback) for c in en.choices]
            case NumericInteraction() as en, NumericInteraction() as es:
                assert [a.bounds for a in es.answers] == [a.bounds for a in en.answers]
            case OrderingInteraction() as en, OrderingInteraction() as es:
                assert len(es.steps) == len(en.steps)
            case MatchingInteraction() as en, MatchingInteraction() as es:
                assert len(es.pairs) == len(en.pairs) and es.scoring == en.scoring
            case ShortAnswerInteraction() as en, ShortAnswerInteraction() as es:
                assert "continuidad de la atención" in [a.text for a in es.answers]
            case _:
                raise AssertionError(f"{spanish.id} is not of its English item's type")
    assert [file.name for file in warm_handoff_es.media] == ["images/warm-handoff-es-diagram.png"]


def test_minimal_item_gets_defaults(tmp_path):
    make_project(tmp_path)
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    (item,) = quiz.items
    assert item.points == 1.0 and item.title == "Pick the right one." and item.hints == ()
    assert [c.identifier for c in item.interaction.choices] == ["A", "B"]
    assert quiz.settings.pass_mark == 50 and quiz.formats == ("qti21",)


def test_two_correct_choices_in_single_choice(tmp_path):
    item = SINGLE.format(id="q1").replace("    feedback: No.", "    correct: true")
    assert problems_for(tmp_path, {"q1.yaml": item}) == [
        "items/demo/q1.yaml:9:14: a single_choice item has exactly one correct choice, but this is another "
        "(first at line 6); keep one, or use type: multiple_response"]


def test_no_correct_choice(tmp_path):
    item = SINGLE.format(id="q1").replace("    correct: true\n", "")
    assert problems_for(tmp_path, {"q1.yaml": item}) == [
        "items/demo/q1.yaml:4:1: no choice is marked 'correct: true'; mark the right answer"]


def test_duplicate_id_across_files(tmp_path):
    problems = problems_for(tmp_path, {"a.yaml": SINGLE.format(id="same"), "sub/b.yaml": SINGLE.format(id="same")})
    assert problems == ["items/demo/sub/b.yaml:1:1: item id 'same' is already used by items/demo/a.yaml:1; "
                        "give each item its own id"]


def test_unknown_field_suggests_the_right_one(tmp_path):
    item = SINGLE.format(id="q1") + "explaination: Because.\n"
    assert problems_for(tmp_path, {"q1.yaml": item}) == [
        "items/demo/q1.yaml:10:1: unknown field 'explaination' in an item; did you mean 'explanation'?"]


def test_unknown_choice_field(tmp_path):
    item = SINGLE.format(id="q1").replace("feedback: No.", "feedbak: No.")
    assert problems_for(tmp_path, {"q1.yaml": item}) == [
        "items/demo/q1.yaml:9:5: unknown field 'feedbak' in choice 2; did you mean 'feedback'?"]


def test_missing_prompt(tmp_path):
    item = SINGLE.format(id="q1").replace("prompt: Pick the right one.\n", "")
    assert problems_for(tmp_path, {"q1.yaml": item}) == ["items/demo/q1.yaml:1:1: missing field 'prompt'"]


def test_empty_prompt(tmp_path):
    item = SINGLE.format(id="q1").replace("prompt: Pick the right one.", 'prompt: ""')
    assert problems_for(tmp_path, {"q1.yaml": item}) == [
        "items/demo/q1.yaml:3:9: 'prompt' is empty; write some text"]


def test_empty_choice(tmp_path):
    item = SINGLE.format(id="q1").replace("text: Wrong", 'text: "  "')
    assert problems_for(tmp_path, {"q1.yaml": item}) == [
        "items/demo/q1.yaml:8:11: 'text' is empty; write some text"]


def test_wrong_type(tmp_path):
    item = SINGLE.format(id="q1").replace("type: single_choice", "type: single")
    assert problems_for(tmp_path, {"q1.yaml": item}) == [
        "items/demo/q1.yaml:2:7: 'type' must be one of: single_choice, multiple_response, true_false, "
        "short_answer, numeric, essay, matching, ordering, fill_in_blanks, flashcard, not 'single'; "
        "did you mean 'single_choice'?"]


def test_every_problem_in_one_run(tmp_path):
    bad_type = SINGLE.format(id="a").replace("type: single_choice", "type: essay")
    no_prompt = SINGLE.format(id="b").replace("prompt: Pick the right one.\n", "")
    problems = problems_for(tmp_path, {"a.yaml": bad_type, "b.yaml": no_prompt, "c.yaml": "id: [\n"})
    assert [p.split(":")[0] for p in problems] == ["items/demo/a.yaml", "items/demo/b.yaml", "items/demo/c.yaml"]


@pytest.mark.parametrize(("text", "expected"), [
    ("id: q1\nid: q2\n", "items/demo/q1.yaml:2:1: duplicate key 'id' (first at line 1); keep only one"),
    ("id: q1\nprompt: [\n", "items/demo/q1.yaml:3:1: invalid YAML: did not find expected node content "
                            "(while parsing a flow node)"),
    ("- just\n- a list\n",
     "items/demo/q1.yaml:1:1: an item must be a mapping of fields (id, type, title, prompt, ...)"),
    ("", "items/demo/q1.yaml:1:1: file is empty; write a YAML mapping of fields"),
    ("a: &x [1]\nb: *x\n", "items/demo/q1.yaml:1:4: YAML anchors and aliases (&name, *name) are not allowed; "
                           "write the value out in full"),
])
def test_yaml_problems(tmp_path, text, expected):
    assert problems_for(tmp_path, {"q1.yaml": text}) == [expected]


def test_true_false_needs_two_choices(tmp_path):
    item = SINGLE.format(id="q1").replace("single_choice", "true_false") + "  - text: Maybe\n"
    assert problems_for(tmp_path, {"q1.yaml": item}) == [
        "items/demo/q1.yaml:4:1: a true_false item has exactly 2 choices (true and false), not 3"]


def test_bad_values(tmp_path):
    item = SINGLE.format(id="1bad") + "points: lots\ntags: nope\n"
    item = item.replace("correct: true", "correct: yes please")
    assert problems_for(tmp_path, {"q1.yaml": item}) == [
        "items/demo/q1.yaml:1:5: 'id' '1bad' must start with a letter or '_' and use only letters, digits, "
        "'_', '-' and '.' (at most 64)",
        "items/demo/q1.yaml:6:14: 'correct' must be true or false",
        "items/demo/q1.yaml:10:9: 'points' must be a number from 0.01 to 1000",
        "items/demo/q1.yaml:11:7: 'tags' must be a list (lines starting with '- ')",
    ]


def test_quiz_problems(tmp_path):
    quiz = "identifier: demo\ntitle: Demo\nversion: 1.0\npass_mark: 120\nitems: [q1, q2]\nformats: [moodel]\n"
    assert problems_for(tmp_path, {"q1.yaml": SINGLE.format(id="q1")}, quiz) == [
        "items/demo/quiz.yaml:4:12: 'pass_mark' must be a number from 0 to 100, not 120",
        "items/demo/quiz.yaml:5:13: no item file has id 'q2'",
        "items/demo/quiz.yaml:6:11: unknown format 'moodel' (one of: qti21, scorm12, scorm2004, moodle, canvas, anki, "
        "cards-csv, quizlet, flashcards, flashcards12); did you mean 'moodle'?",
    ]


BROKEN = SINGLE.replace("type: single_choice", "type: hotspot")
"""An item file that fails to load (its id can still be read)."""


def test_failed_items_do_not_make_draw_too_large(tmp_path):
    files = {f"q{n:02}.yaml": (BROKEN if n <= 5 else SINGLE).format(id=f"q{n:02}") for n in range(1, 12)}
    problems = problems_for(tmp_path, files, QUIZ_YAML + "draw: 8\n")
    assert [problem.split(":")[0] for problem in problems] == [f"items/demo/q{n:02}.yaml" for n in range(1, 6)]
    assert all("'type' must be one of" in problem for problem in problems)


def test_failed_items_are_not_missing_ids(tmp_path):
    files = {"a.yaml": SINGLE.format(id="a"), "b.yaml": "id: b\nprompt: [\n"}
    quiz = QUIZ_YAML + "items: [a, b]\nsections:\n  - id: s1\n    items: [a, b]\n    select: 2\n"
    assert problems_for(tmp_path, files, quiz) == [
        "items/demo/b.yaml:3:1: invalid YAML: did not find expected node content (while parsing a flow node)"]


def test_with_every_item_loaded_counts_and_ids_are_checked(tmp_path):
    quiz = QUIZ_YAML + "draw: 3\ncohorts:\n  late:\n    sections:\n      - id: s1\n        items: [a, c]\n" \
                       "        select: 2\n"
    assert problems_for(tmp_path, {"a.yaml": SINGLE.format(id="a"), "b.yaml": SINGLE.format(id="b")}, quiz) == [
        "items/demo/quiz.yaml:5:7: 'draw' is 3 but the quiz has only 2 items",
        "items/demo/quiz.yaml:10:20: no item with id 'c' in this quiz",
        "items/demo/quiz.yaml:11:17: 'select' is 2 but the section has 1 items",
    ]


REVIEW_NOTES = "- item: q1\n  note: Check the wording of choice B.\n- item: q2\n  note: Fine.\n"
"""A reviewer's notes beside the items: YAML, but not an item."""


def test_a_file_that_is_not_an_item_is_read_as_one_until_excluded(tmp_path):
    files = {"q1.yaml": SINGLE.format(id="q1"), "review-notes.yaml": REVIEW_NOTES}
    assert problems_for(tmp_path, files) == [
        "items/demo/review-notes.yaml:1:1: an item must be a mapping of fields (id, type, title, prompt, ...)"]
    make_project(tmp_path, files, QUIZ_YAML + "exclude: [review-notes.yaml]\n")
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    assert [item.id for item in quiz.items] == ["q1"]


def test_exclude_patterns_reach_into_folders(tmp_path):
    files = {"q1.yaml": SINGLE.format(id="q1"), "drafts/q2.yaml": "id: [\n", "drafts/old/q3.yaml": "id: [\n",
             "more/notes-week1.yaml": REVIEW_NOTES, "more/q4.yaml": SINGLE.format(id="q4"),
             "q5.yaml": SINGLE.format(id="q5"), "q6.yml": "id: [\n"}
    quiz = QUIZ_YAML + "exclude:\n  - drafts/**\n  - '**/notes-*.yaml'\n  - q[!0-5].y*ml\n  - never-there/*.yaml\n"
    make_project(tmp_path, files, quiz)
    (loaded,) = load_quizzes([tmp_path / "items"], tmp_path)
    assert [item.id for item in loaded.items] == ["q4", "q1", "q5"]


def test_an_excluded_folder_is_not_listed(tmp_path, monkeypatch):
    make_project(tmp_path, {"q1.yaml": SINGLE.format(id="q1"), "private/a/q2.yaml": "id: [\n"},
                 QUIZ_YAML + "exclude: [private]\n")
    listed: list[str] = []
    scandir = os.scandir

    def listing(path: str) -> object:
        listed.append(os.path.relpath(path, tmp_path / "items/demo"))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", listing)
    (quiz,) = load_quizzes([tmp_path / "items/demo"], tmp_path)  # the quiz folder: no walk to find quizzes
    assert [item.id for item in quiz.items] == ["q1"]
    assert "private" not in listed and "." in listed


def test_exclude_patterns_stay_in_the_quiz_folder(tmp_path):
    quiz = QUIZ_YAML + "exclude: [/etc/x.yaml, ../other/*.yaml, 'drafts\\a.yaml', '', [a]]\n"
    rule = "must be a path inside the quiz folder, relative to it, with / between folders and no '..', such as " \
           "review-notes.yaml or drafts/**"
    assert problems_for(tmp_path, {"q1.yaml": SINGLE.format(id="q1")}, quiz) == [
        f"items/demo/quiz.yaml:5:11: exclude pattern '/etc/x.yaml' {rule}",
        f"items/demo/quiz.yaml:5:24: exclude pattern '../other/*.yaml' {rule}",
        f"items/demo/quiz.yaml:5:41: exclude pattern 'drafts\\\\a.yaml' {rule}",
        "items/demo/quiz.yaml:5:58: each entry of 'exclude' must be a file pattern, such as review-notes.yaml or "
        "drafts/**",
        "items/demo/quiz.yaml:5:62: each entry of 'exclude' must be a file pattern, such as review-notes.yaml or "
        "drafts/**",
    ]
    assert problems_for(tmp_path, {"q1.yaml": SINGLE.format(id="q1")}, QUIZ_YAML + "exclude: drafts\n") == [
        "items/demo/quiz.yaml:5:10: 'exclude' must be a list of file patterns (lines starting with '- '), such as "
        "review-notes.yaml or drafts/**"]


def test_items_list_orders_items(tmp_path):
    quiz = QUIZ_YAML + "items: [b, a]\n"
    make_project(tmp_path, {"a.yaml": SINGLE.format(id="a"), "b.yaml": SINGLE.format(id="b")}, quiz)
    (loaded,) = load_quizzes([tmp_path / "items"], tmp_path)
    assert [i.id for i in loaded.items] == ["b", "a"]


def test_quiz_folder_outside_project_is_refused(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    make_project(tmp_path / "elsewhere")
    with pytest.raises(InputError) as raised:
        load_quizzes([tmp_path / "elsewhere" / "items"], project)
    assert "is outside the project folder" in raised.value.problems[0].message


def test_item_file_linking_outside_is_refused(tmp_path):
    outside = tmp_path / "secret.yaml"
    outside.write_text(SINGLE.format(id="x"))
    quiz_dir = make_project(tmp_path / "p")
    (quiz_dir / "link.yaml").symlink_to(outside)
    with pytest.raises(InputError) as raised:
        load_quizzes([tmp_path / "p" / "items"], tmp_path / "p")
    assert [p.format() for p in raised.value.problems] == [
        "items/demo/link.yaml:0:0: is a link to a file outside the quiz folder items/demo; copy the file in"]


def test_choice_letters():
    assert [choice_letters(i) for i in (0, 1, 25, 26, 27, 701, 702)] == ["A", "B", "Z", "AA", "AB", "ZZ", "AAA"]


def test_values_echoed_in_messages_are_escaped(tmp_path):
    """A key or value with control characters (ESC ] 0 ; ... BEL sets a terminal's title) is shown
    escaped, Python-style, in the message that names it."""
    hostile = "ti\x1b]0;pwned\x07tle"
    item = SINGLE.format(id="q1") + f'"{hostile.encode("unicode_escape").decode()}": x\n'
    quiz = QUIZ_YAML + 'formats: ["q\\u202eti21"]\nlanguage: "e\\x9bn"\n'
    problems = problems_for(tmp_path, {"q1.yaml": item, "q2.yaml": SINGLE.format(id='"q\\u202e2"')}, quiz)
    assert problems == [
        "items/demo/q1.yaml:10:1: unknown field 'ti\\x1b]0;pwned\\x07tle' in an item",
        "items/demo/q2.yaml:1:5: 'id' 'q\\u202e2' must start with a letter or '_' and use only letters, digits, "
        "'_', '-' and '.' (at most 64)",
        "items/demo/quiz.yaml:5:11: unknown format 'q\\u202eti21' (one of: qti21, scorm12, scorm2004, moodle, "
        "canvas, anki, cards-csv, quizlet, flashcards, flashcards12); did you mean 'qti21'?",
        "items/demo/quiz.yaml:6:11: 'language' 'e\\x9bn' is not a language tag such as en or en-US",
    ]
    assert not any("\x1b" in p or "\x07" in p or "\u202e" in p or "\x9b" in p for p in problems)


def test_duplicate_keys_and_tags_are_shown_escaped(tmp_path):
    problems = problems_for(tmp_path, {"q1.yaml": 'id: q1\n"a\\e": 1\n"a\\e": 2\n',
                                       "q2.yaml": "id: !x%1B%5D0%3Bt%07 q2\n"})
    assert problems == [
        "items/demo/q1.yaml:3:1: duplicate key 'a\\x1b' (first at line 2); keep only one",
        "items/demo/q2.yaml:1:5: YAML tags such as '!x\\x1b]0;t\\x07' are not allowed; write a plain value "
        "(in quotes if it starts with '!')",
    ]


def test_a_title_longer_than_scorm_takes_is_refused_at_its_place(tmp_path):
    """SCORM manifests take titles of at most 200 characters: a longer one built a package that
    failed validation (exit 3) in both SCORM formats."""
    long_title = "T" * 201
    assert problems_for(tmp_path, {"q1.yaml": SINGLE.format(id="q1")}, QUIZ_YAML.replace("Demo quiz", long_title)) \
        == ["items/demo/quiz.yaml:2:8: 'title' is 201 characters long; SCORM packages take at most 200: shorten it "
            "(the description can say more)"]


def test_a_cohort_title_longer_than_scorm_takes_is_refused_at_its_place(tmp_path):
    """A cohort's own title replaces the quiz's in its packages, so it has the same limit; the
    cohort's name is no longer added to any title, so a long quiz title with a long cohort name fits."""
    quiz = QUIZ_YAML.replace("Demo quiz", "T" * 200) + "cohorts:\n  spring-2027: {}\n  autumn:\n    title: " \
        + "A" * 201 + "\n"
    assert problems_for(tmp_path, {"q1.yaml": SINGLE.format(id="q1")}, quiz) == [
        "items/demo/quiz.yaml:8:12: 'title' is 201 characters long; SCORM packages take at most 200: shorten it "
        "(the description can say more)"]


def test_a_title_of_exactly_the_limit_builds_valid_scorm(tmp_path, package_validator):
    from builder.build import build

    from conftest import assert_valid_package

    quiz = QUIZ_YAML.replace("Demo quiz", "T" * 200) + "cohorts:\n  spring-2027: {}\n  autumn:\n    title: " \
        + "A" * 200 + "\n"
    make_project(tmp_path, quiz=quiz)
    result = build([tmp_path / "items"], tmp_path, tmp_path / "out", ("scorm12", "scorm2004"), ("all",))
    titles = {package.quiz.cohort: package.quiz.display_title for package in result.packages}
    assert titles == {"spring-2027": "T" * 200, "autumn": "A" * 200}
    for package in result.packages:
        assert_valid_package(package_validator, tmp_path / "out" / package.output.filename)


@pytest.mark.parametrize(("line", "expected"), [
    ('version: "1.0.0-abcdefghijklmnop"', "3:10: 'version' '1.0.0-abcdefghijklmnop' may use only letters, digits "
                                          "and . + _ - (at most 20)"),
    ('version: "1.0\\n"', "3:10: 'version' '1.0\\n' may use only letters, digits and . + _ - (at most 20)"),
    ('identifier: "demo\\n"', "1:13: 'identifier' 'demo\\n' must start with a letter or '_' and use only letters, "
                              "digits, '_', '-' and '.' (at most 64)"),
])
def test_names_that_become_file_names_end_where_they_seem_to(tmp_path, line, expected):
    """A regular expression's '$' matched before a final newline: "1.0\\n" went into file names.
    Versions are capped at 20: SCORM 1.2's manifest schema takes no more."""
    key = line.split(":")[0]
    quiz = "\n".join(line if text.startswith(f"{key}:") else text for text in QUIZ_YAML.splitlines()) + "\n"
    assert problems_for(tmp_path, {"q1.yaml": SINGLE.format(id="q1")}, quiz) == [f"items/demo/quiz.yaml:{expected}"]


def test_an_item_id_ending_in_a_newline_is_refused(tmp_path):
    assert problems_for(tmp_path, {"q1.yaml": SINGLE.format(id='"q1\\n"')}) == [
        "items/demo/q1.yaml:1:5: 'id' 'q1\\n' must start with a letter or '_' and use only letters, digits, "
        "'_', '-' and '.' (at most 64)"]


RESERVED = "is reserved: lmspack's QTI packages name something of their own '{}' (in any case); rename the {}"


@pytest.mark.parametrize(("item_id", "reason"), [
    ("SCORE", RESERVED.format("SCORE", "item")),  # the test's and every item's outcome
    ("PASS", RESERVED.format("PASS", "item")),
    ("maxscore", RESERVED.format("MAXSCORE", "item")),
    ("BaseTestPart", RESERVED.format("BaseTestPart", "item")),
    ("RESPONSE", RESERVED.format("RESPONSE", "item")),
    ("HINT_2", RESERVED.format("HINT_2", "item")),
    ("section", RESERVED.format("section", "item")),  # with cohort 'x': section-x
    ("section-all", "starts with 'section-', which lmspack's QTI tests keep for their sections; rename the item"),
    ("Section-intro", "starts with 'section-', which lmspack's QTI tests keep for their sections; rename the item"),
    *((name, "is a device name on Windows (CON, PRN, AUX, NUL, COM0-9, LPT0-9, also followed by '.' and anything, "
             "in any case); item ids become file names: rename the item")
      for name in ("CON", "nul", "Com1", "LPT9", "con.txt", "aux.tar.gz", "PRN")),
])
def test_item_ids_the_packages_use_for_their_own_are_refused(tmp_path, item_id, reason):
    assert problems_for(tmp_path, {"q1.yaml": SINGLE.format(id=item_id)}) == [
        f"items/demo/q1.yaml:1:5: item id '{item_id}' {reason}"]


@pytest.mark.parametrize("item_id", ["CONSOLE", "con-1", "COM10", "sections", "Scores", "HINT_x", "a.SCORE"])
def test_ids_like_reserved_ones_are_free(tmp_path, item_id):
    make_project(tmp_path, {"q1.yaml": SINGLE.format(id=item_id)})
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    assert quiz.items[0].id == item_id


def test_choice_ids_the_items_use_for_their_own_are_refused(tmp_path):
    item = SINGLE.format(id="q1").replace("  - text: Right\n", "  - id: FEEDBACK\n    text: Right\n") \
        .replace("  - text: Wrong\n", "  - id: PASS\n    text: Wrong\n")  # PASS is the test's: free in an item
    assert problems_for(tmp_path, {"q1.yaml": item}) == [
        f"items/demo/q1.yaml:5:9: choice id 'FEEDBACK' {RESERVED.format('FEEDBACK', 'choice')}"]


def test_quiz_ids_the_packages_use_for_their_own_are_refused(tmp_path):
    quiz = QUIZ_YAML.replace("identifier: demo", "identifier: Score")
    assert problems_for(tmp_path, {"q1.yaml": SINGLE.format(id="q1")}, quiz) == [
        f"items/demo/quiz.yaml:1:13: quiz id 'Score' {RESERVED.format('SCORE', 'quiz')}"]


def test_an_item_id_equal_to_the_quiz_id_is_refused(tmp_path):
    """The assessmentTest and its item refs share identifiers, also in a cohort's package (both
    get '-<cohort>')."""
    assert problems_for(tmp_path, {"q1.yaml": SINGLE.format(id="Demo")}) == [
        "items/demo/q1.yaml:1:1: item id 'Demo' is also the quiz's identifier (items/demo/quiz.yaml:1); the QTI "
        "test and its items share one set of identifiers (in any case): rename the item or the quiz"]


def test_item_ids_that_differ_only_in_case_are_refused(tmp_path):
    problems = problems_for(tmp_path, {"a.yaml": SINGLE.format(id="Q1"), "b.yaml": SINGLE.format(id="q1")})
    assert problems == ["items/demo/b.yaml:1:1: item id 'q1' differs from 'Q1' at items/demo/a.yaml:1 only in "
                        "case; ids become file names, which Windows and macOS do not tell apart by case: rename one"]


def test_sections_that_would_share_an_identifier_are_refused(tmp_path):
    items = {f"{n}.yaml": SINGLE.format(id=n) for n in ("a", "b", "c", "d")}
    quiz = QUIZ_YAML + ("sections:\n  - id: s1\n    items: [a]\n  - id: S1\n    items: [b]\n"
                        "  - id: unpooled\n    items: [c]\n  - id: REST\n    items: [d]\n")
    assert problems_for(tmp_path, items, quiz) == [
        "items/demo/quiz.yaml:8:9: section id 'S1' is already used by the section at line 6 (ids are compared in "
        "any case); give each section its own",
        "items/demo/quiz.yaml:10:9: section id 'unpooled' is reserved for the items that no section names (in any "
        "case); rename the section",
        "items/demo/quiz.yaml:12:9: section id 'REST' is reserved for the items that no section names (in any "
        "case); rename the section",
    ]


def test_quizzes_whose_packages_would_share_a_name_are_refused(tmp_path):
    """Quiz 'a' in cohort 'b' and quiz 'a-b' are one package id (and, with one version, one file
    name); 'Demo' and 'demo' are one file on a case-blind disk; 'x' 1-2 and 'x-1' 2 one file name."""
    def quiz(identifier: str, version: str = "1.0", extra: str = "") -> str:
        return QUIZ_YAML.replace("identifier: demo", f"identifier: {identifier}") \
            .replace("version: 1.0.0", f"version: {version}") + extra

    make_project(tmp_path, quiz=quiz("a", extra="cohorts:\n  b: {}\n"), folder="items/1")
    make_project(tmp_path, quiz=quiz("a-b"), folder="items/2")
    make_project(tmp_path, quiz=quiz("Demo"), folder="items/3")
    make_project(tmp_path, quiz=quiz("demo"), folder="items/4")
    make_project(tmp_path, quiz=quiz("x", "1-2"), folder="items/5")
    make_project(tmp_path, quiz=quiz("x-1", "2"), folder="items/6")
    with pytest.raises(InputError) as raised:
        load_quizzes([tmp_path / "items"], tmp_path)
    assert [p.format() for p in raised.value.problems] == [
        "items/2/quiz.yaml:1:1: quiz 'a-b' and quiz 'a' (cohort b) (items/1/quiz.yaml) would both make packages "
        "named 'a-b' (names are compared in any case); rename one",
        "items/4/quiz.yaml:1:1: quiz 'demo' and quiz 'Demo' (items/3/quiz.yaml) would both make packages named "
        "'demo' (names are compared in any case); rename one",
        "items/6/quiz.yaml:1:1: quiz 'x-1' and quiz 'x' (items/5/quiz.yaml) would both make packages named "
        "'x-1-2' (names are compared in any case); rename one",
    ]


def test_a_long_value_is_shown_cut_in_its_message(tmp_path):
    item = SINGLE.format(id="q1") + f"? {'k' * 200_000}\n: 1\n"  # a simple key stops at 1024
    assert problems_for(tmp_path, {"q1.yaml": item}) == [
        f"items/demo/q1.yaml:10:3: unknown field '{'k' * 100}'... (200,000 characters) in an item"]


def test_typed_answer_items_load(kitchen_safety):
    by_id = {item.id: item.interaction for item in kitchen_safety.items}
    short = by_id["cross-contamination"]
    assert [(a.text, a.credit) for a in short.answers] == [
        ("cross-contamination", 100), ("cross contamination", 100), ("contamination", 50)]
    assert not short.case_sensitive and short.other_feedback.startswith("Not the usual term")
    assert by_id["sodium-symbol"].case_sensitive
    fridge = by_id["fridge-temperature"]
    assert [a.bounds for a in fridge.answers] == [(1, 5), (0, 8)] and fridge.unit == "°C"
    hands = by_id["hand-washing-seconds"]
    assert [a.bounds for a in hands.answers] == [(15, 25), (5, 15)] and hands.answers[0].relative
    essay = by_id["near-miss-report"]
    assert (essay.response_template, essay.min_words, essay.max_words) == ("First, I would...", 30, 200)
    assert essay.grader_notes.startswith("<p>Full marks")


SHORT = """\
id: q1
type: short_answer
prompt: Name it.
"""
NUMERIC = SHORT.replace("short_answer", "numeric")


@pytest.mark.parametrize(("item", "expected"), [
    (SHORT, ["items/demo/q1.yaml:1:1: missing field 'answers'"]),
    (SHORT + "answers: []\n", ["items/demo/q1.yaml:4:10: 'answers' is empty; list at least one accepted answer"]),
    (SHORT + "answers:\n  - text: A\n    credit: 0\n",
     ["items/demo/q1.yaml:6:13: 'credit' must be a number from 1 to 100, not 0"]),
    (SHORT + "answers:\n  - text: A\n    credit: 101\n",
     ["items/demo/q1.yaml:6:13: 'credit' must be a number from 1 to 100, not 101"]),
    (SHORT + "answers:\n  - text: Big  Apple\n  - text: big apple\n",
     ["items/demo/q1.yaml:6:11: answer 'big apple' is already accepted by the answer at line 5 (compared with "
      "runs of spaces as one, in any case); answers are tried in order, so this one could never match: "
      "remove it or merge the two"]),
    (SHORT + "case_sensitive: true\nanswers:\n  - text: Na\n  - text: NA\n", []),
    (SHORT + "answers:\n  - feedback: Yes.\n", ["items/demo/q1.yaml:5:5: missing field 'text'"]),
    (SHORT + "answers:\n  - text: A\nchoices:\n  - text: A\n    correct: true\n",
     ["items/demo/q1.yaml:6:1: 'choices' is a field of single_choice, multiple_response and true_false items, "
      "not of short_answer items; short_answer items take 'answers', 'case_sensitive' and 'other_feedback'"]),
    (NUMERIC + "answers:\n  - value: 30\n    tolerance: -1\n",
     ["items/demo/q1.yaml:6:16: 'tolerance' must be a number of 0 or more (how far from the value an answer may "
      "be) or a percent from 0% to 100% such as \"5%\", not '-1'"]),
    (NUMERIC + "answers:\n  - value: 30\n    tolerance: about five\n",
     ["items/demo/q1.yaml:6:16: 'tolerance' must be a number of 0 or more (how far from the value an answer may "
      "be) or a percent from 0% to 100% such as \"5%\", not 'about five'"]),
    (NUMERIC + "answers:\n  - value: thirty\n",
     ["items/demo/q1.yaml:5:12: 'value' must be a number (such as 30, -0.5 or 2.5e3), at most 1e+15 either way, "
      "not 'thirty'"]),
    (NUMERIC + "answers:\n  - range: [31, 28]\n",
     ["items/demo/q1.yaml:5:12: 'range' goes from 31 down to 28; write the lowest first: [28, 31]"]),
    (NUMERIC + "answers:\n  - range: [28]\n",
     ["items/demo/q1.yaml:5:12: 'range' must be a list of two numbers, the lowest and the highest accepted: "
      "[28, 31]"]),
    (NUMERIC + "answers:\n  - range: [28, 31]\n    tolerance: 1\n",
     ["items/demo/q1.yaml:6:5: 'tolerance' and 'range' are two ways of giving an answer; keep one (a range takes "
      "no 'tolerance')"]),
    (NUMERIC + "answers:\n  - feedback: Yes.\n",
     ["items/demo/q1.yaml:5:5: missing field 'value' (a number), or 'range' ([lowest, highest])"]),
    (NUMERIC + "answers:\n  - range: [0, 10]\n  - value: 5\n    tolerance: 50%\n",
     ["items/demo/q1.yaml:6:5: the answer at line 5 already accepts every number this one does (2.5 to 7.5); "
      "answers are tried in order, so this one could never match: remove it or move it first"]),
    (NUMERIC + "answers:\n  - value: 5\n    tolerance: 50%\n  - range: [0, 10]\n", []),
    (NUMERIC + "answers:\n  - value: 5\n    credit: 50\n  - range: [0, 10]\n    credit: 99.5\n",
     ["items/demo/q1.yaml:4:1: no answer is worth full credit (the best has credit 99.5), so no learner could earn "
      "this item's points; give the best answer credit 100 (the default)"]),
    (SHORT + "answers:\n  - text: A\n    credit: 50\n",
     ["items/demo/q1.yaml:4:1: no answer is worth full credit (the best has credit 50), so no learner could earn "
      "this item's points; give the best answer credit 100 (the default)"]),
    (NUMERIC + "answers:\n  - value: 5\ncase_sensitive: true\n",
     ["items/demo/q1.yaml:6:1: 'case_sensitive' is a field of short_answer items, not of numeric items; numeric "
      "items take 'answers', 'unit' and 'other_feedback'"]),
    (SHORT.replace("short_answer", "essay") + "min_words: 300\nmax_words: 50\n",
     ["items/demo/q1.yaml:4:12: 'min_words' is 300, more than 'max_words' (50); no answer could meet both"]),
    (SHORT.replace("short_answer", "essay") + "answers:\n  - text: A\n",
     ["items/demo/q1.yaml:4:1: 'answers' is a field of short_answer and numeric items, not of essay items; essay "
      "items take 'grader_notes', 'response_template', 'min_words' and 'max_words'"]),
    (SINGLE.format(id="q1") + "other_feedback: No.\n",
     ["items/demo/q1.yaml:10:1: 'other_feedback' is a field of short_answer and numeric items, not of "
      "single_choice items; single_choice items take 'choices' and 'wrong_choice_penalty'"]),
])
def test_typed_answer_rules(tmp_path, item, expected):
    make_project(tmp_path, {"q1.yaml": item})
    try:
        load_quizzes([tmp_path / "items"], tmp_path)
        problems = []
    except InputError as error:
        problems = [p.format() for p in error.problems]
    assert problems == expected


MATCHING = "id: q1\ntype: matching\nprompt: Match them.\n"
ORDERING = "id: q1\ntype: ordering\nprompt: Order them.\n"
BLANKS = "id: q1\ntype: fill_in_blanks\n"


@pytest.mark.parametrize(("item", "expected"), [
    (MATCHING + "pairs:\n  - left: A\n    right: 1\n",
     ["items/demo/q1.yaml:5:3: a matching item needs at least 2 pairs, not 1"]),
    (MATCHING + "pairs:\n  - left: A\n    right: One\n  - left: a\n    right: Two\n",
     ["items/demo/q1.yaml:7:11: left side 'a' is the same as the one at line 5 (compared in any case); learners "
      "could not tell them apart"]),
    (MATCHING + "pairs:\n  - left: A\n    right: One\n  - left: B\n    right: Two\ndistractors: [one]\n",
     ["items/demo/q1.yaml:9:15: right side 'one' is the same as the one at line 6 (compared in any case); "
      "learners could not tell them apart"]),
    (MATCHING + "pairs:\n  - left: A\n  - left: B\n    right: Two\n",
     ["items/demo/q1.yaml:5:5: missing field 'right'"]),
    (MATCHING + "pairs:\n  - left: A\n    right: One\n  - left: B\n    right: Two\nscoring: some\n",
     ["items/demo/q1.yaml:9:10: 'scoring' must be one of: per_pair, all_or_nothing, not 'some'"]),
    (ORDERING + "order: [First]\n", ["items/demo/q1.yaml:4:8: an ordering item has 2 to 20 steps, not 1"]),
    (ORDERING + "order: [First, Second, first]\n",
     ["items/demo/q1.yaml:4:24: step 'first' is the same as the one at line 4 (compared in any case); learners "
      "could not tell them apart"]),
    (ORDERING, ["items/demo/q1.yaml:1:1: missing field 'order' (the steps, in the right order)"]),
    (BLANKS + "prompt: In [[when]] with [[who]].\nblanks:\n  when: {answers: [real time]}\n"
     "  where: {answers: [here]}\n",
     ["items/demo/q1.yaml:3:9: [[who]] in the prompt has no blank: add 'who' under 'blanks'",
      "items/demo/q1.yaml:6:3: blank 'where' has no [[where]] in the prompt; write [[where]] where it goes"]),
    (BLANKS + "prompt: Pick [[who]].\nblanks:\n  who: {options: [client, clerk], correct: nurse}\n",
     ["items/demo/q1.yaml:5:44: 'correct' 'nurse' is not among the options ('client', 'clerk')"]),
    (BLANKS + "prompt: Pick [[a]] and [[b]].\nblanks:\n  a: {options: [x, '', x, y], correct: x}\n"
     "  b: {answers: ['', z]}\n",
     ["items/demo/q1.yaml:5:20: each entry of 'options' must be non-empty text",
      "items/demo/q1.yaml:5:24: option 'x' is listed twice",
      "items/demo/q1.yaml:6:17: each entry of 'answers' must be non-empty text"]),
    (BLANKS + "prompt: Pick [[who]].\nblanks:\n  who: {options: [client], correct: client}\n",
     ["items/demo/q1.yaml:5:18: a drop-down needs at least 2 options, not 1"]),
    (BLANKS + "prompt: Type [[n]].\nblanks:\n  n: {value: 3, answers: [three]}\n",
     ["items/demo/q1.yaml:5:3: blank 'n' needs exactly one of 'answers' (typed), 'options' with 'correct' (a "
      "drop-down), or 'value' or 'range' (a number)"]),
    (BLANKS + "prompt: Type [[n]].\nblanks:\n  n: {range: [5, 1]}\n",
     ["items/demo/q1.yaml:5:14: 'range' goes from 5 down to 1; write the lowest first: [1, 5]"]),
    (BLANKS + "prompt: Type [[n]] and [[n]].\nblanks:\n  n: {value: 3}\n",
     ["items/demo/q1.yaml:3:9: [[n]] stands 2 times in the prompt; each blank stands once"]),
    (BLANKS + "prompt: Type `[[n]]`.\nblanks:\n  n: {value: 3}\n",
     ["items/demo/q1.yaml:3:9: [[n]] is inside a link, code or an image's text in the prompt; put blanks in plain "
      "text"]),
    (BLANKS + "prompt: 'Type ![a [[n]] here](https://example.org/a.png).'\nblanks:\n  n: {value: 3}\n",
     ["items/demo/q1.yaml:3:9: [[n]] is inside a link, code or an image's text in the prompt; put blanks in plain "
      "text"]),
    (BLANKS + "prompt: Type [[n]].\nblanks:\n  n: {value: 3, case_sensitive: true}\n",
     ["items/demo/q1.yaml:5:17: 'case_sensitive' does not apply to a number blank; remove it"]),
    (BLANKS + "prompt: Type it.\nblanks: {}\n",
     ["items/demo/q1.yaml:4:9: 'blanks' is empty; write [[name]] in the prompt and one blank for it here"]),
    (BLANKS + "prompt: Type [[n]].\nblanks:\n  n: {value: 3}\nchoices: []\n",
     ["items/demo/q1.yaml:6:1: 'choices' is a field of single_choice, multiple_response and true_false items, not "
      "of fill_in_blanks items; fill_in_blanks items take 'blanks'"]),
])
def test_matching_ordering_and_blank_rules(tmp_path, item, expected):
    make_project(tmp_path, {"q1.yaml": item})
    try:
        load_quizzes([tmp_path / "items"], tmp_path)
        problems = []
    except InputError as error:
        problems = [p.format() for p in error.problems]
    assert problems == expected


def test_matching_ordering_and_blanks_load(kitchen_tasks):
    by_id = {item.id: item for item in kitchen_tasks.items}
    matching = by_id["storage-places"].interaction
    assert [o for o, _ in matching.options] == ["R1", "R2", "R3", "R4"] and matching.scoring == "per_pair"
    assert by_id["washing-order"].interaction.scoring == "all_or_nothing"
    blanks = by_id["cleaning-blanks"].interaction
    assert [b.name for b in blanks.blanks] == ["soapy", "minutes", "colour"]  # as they stand in the prompt
    filled = blanks.fill(by_id["cleaning-blanks"].prompt, lambda blank, n: Markup(f"<b>{n}</b>"))
    assert "<b>0</b> water" in filled and "[[" not in filled
