"""SCORM 1.2 and 2004 packages: manifests (golden, our schemas, the official schemas), the zips
(validate_package.py, same bytes twice), the embedded quiz data, and the player's pure functions
run under Node: scoring equal to builder.scoring, the seeded draw, the resume state and its cap."""

from __future__ import annotations

import dataclasses
import io
import itertools
import json
import math
import os
import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections.abc import Callable

import pytest
from lxml import etree
from markupsafe import Markup

from builder import catalogues, formulas, markup, scoring
from builder.formats.scorm import (
    PLAYER_FILES,
    SCORM12,
    SCORM2004,
    build_scorm12,
    build_scorm2004,
    check_scorm12,
    check_scorm2004,
    mastery_score,
    player_data,
    suspend_data_bound,
)
from builder.loading import ITEM_TYPES
from builder.model import (
    Choice,
    ChoiceBlank,
    FillInBlanksInteraction,
    Item,
    MatchingInteraction,
    NumericAnswer,
    NumericBlank,
    NumericInteraction,
    OrderingInteraction,
    Pair,
    Pool,
    Quiz,
    ShortAnswerInteraction,
    TextAnswer,
    TextBlank,
)

from conftest import assert_golden, assert_valid_package
from projects import choice_quiz, with_interaction

BUILDERS = {"scorm12": build_scorm12, "scorm2004": build_scorm2004}
OFFICIAL = {"scorm12": "scorm12/scorm12_umbrella.xsd",
            "scorm2004": "scorm2004_4th/scorm2004_4th_umbrella.xsd"}
DATA_SCRIPT = re.compile(r'<script type="application/json" id="quiz-data">(.*?)</script>', re.DOTALL)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def with_settings(quiz: Quiz, **changes: object) -> Quiz:
    """The quiz with these settings, as if quiz.yaml wrote them (Settings.written)."""
    return dataclasses.replace(quiz, settings=dataclasses.replace(
        quiz.settings, **changes, written=quiz.settings.written | set(changes)))


def many_items(quiz: Quiz, count: int) -> Quiz:
    """A long quiz: copies of the bundled multiple_response item (5 choices, 1 hint)."""
    base = quiz.items[2]
    items = tuple(dataclasses.replace(base, id=f"{base.id}-{n:04d}") for n in range(count))
    return dataclasses.replace(quiz, items=items)


@pytest.fixture(scope="module")
def cohort_quiz(warm_handoff: Quiz) -> Quiz:
    """Every setting the manifests carry: attempts, a time limit, a pass mark with decimals, pools."""
    ids = tuple(item.id for item in warm_handoff.items)
    return dataclasses.replace(
        with_settings(warm_handoff, attempts=2, time_limit=600, pass_mark=66.5, seed=7,
                      pools=(Pool("core", "Core", ids[:2], 1),)),
        cohort="spring-2027")


# ---- manifests and zips -------------------------------------------------------------------------

@pytest.mark.parametrize("edition", ["scorm12", "scorm2004"])
def test_manifest_matches_golden(edition, warm_handoff, cohort_quiz):
    for name, quiz in (("warm-handoff", warm_handoff), ("cohort", cohort_quiz)):
        manifest = members(BUILDERS[edition](quiz).data)["imsmanifest.xml"]
        assert_golden(f"scorm/{name}-{edition}-imsmanifest.xml", manifest)


@pytest.mark.parametrize("edition", ["scorm12", "scorm2004"])
def test_manifest_valid_against_official_schema(edition, warm_handoff, cohort_quiz, official_schema):
    schema = official_schema(OFFICIAL[edition])
    for quiz in (warm_handoff, cohort_quiz):
        root = etree.fromstring(members(BUILDERS[edition](quiz).data)["imsmanifest.xml"])
        assert schema.validate(root), schema.error_log


@pytest.mark.parametrize("edition", ["scorm12", "scorm2004"])
def test_zip_passes_the_independent_validator(edition, warm_handoff, cohort_quiz, package_validator,
                                              tmp_path):
    for quiz in (warm_handoff, cohort_quiz):
        output = BUILDERS[edition](quiz)
        path = tmp_path / output.filename
        path.write_bytes(output.data)
        assert_valid_package(package_validator, path, kind=edition)


@pytest.mark.parametrize("edition", ["scorm12", "scorm2004"])
def test_same_bytes_twice_and_file_names(edition, warm_handoff, cohort_quiz):
    first, second = BUILDERS[edition](warm_handoff), BUILDERS[edition](warm_handoff)
    assert first.data == second.data and first.warnings == ()
    assert first.filename == f"warm-handoff-1.0.0-{edition}.zip"
    assert BUILDERS[edition](cohort_quiz).filename == f"warm-handoff-spring-2027-1.0.0-{edition}.zip"
    assert list(members(first.data)) == ["imsmanifest.xml", *PLAYER_FILES, "media/images/warm-handoff-diagram.png"]


@pytest.mark.parametrize("edition", ["scorm12", "scorm2004"])
def test_manifest_lists_every_file_and_the_pass_mark(edition, cohort_quiz):
    files = members(BUILDERS[edition](cohort_quiz).data)
    root = etree.fromstring(files["imsmanifest.xml"])
    listed = [e.get("href") for e in root.iter("{*}file")]
    assert sorted(listed) == sorted(name for name in files if name != "imsmanifest.xml")
    (resource,) = root.iter("{*}resource")
    assert resource.get("href") == "index.html"
    assert len(list(root.iter("{*}organization"))) == 1 and len(list(root.iter("{*}item"))) == 1
    if edition == "scorm12":
        assert resource.get("{http://www.adlnet.org/xsd/adlcp_rootv1p2}scormtype") == "sco"
        assert root.findtext(".//{*}masteryscore") == "66.5"
        assert root.findtext(".//{*}maxtimeallowed") == "00:10:00"
    else:
        assert resource.get("{http://www.adlnet.org/xsd/adlcp_v1p3}scormType") == "sco"
        objective = root.find(".//{http://www.imsglobal.org/xsd/imsss}primaryObjective")
        assert objective.get("satisfiedByMeasure") == "true"
        assert objective.findtext("{*}minNormalizedMeasure") == "0.665"
        limits = root.find(".//{http://www.imsglobal.org/xsd/imsss}limitConditions")
        assert (limits.get("attemptLimit"), limits.get("attemptAbsoluteDurationLimit")) == ("2", "PT600S")


def test_no_limits_without_attempts_or_time_limit(warm_handoff):
    root = etree.fromstring(members(build_scorm2004(warm_handoff).data)["imsmanifest.xml"])
    assert root.find(".//{http://www.imsglobal.org/xsd/imsss}limitConditions") is None
    root = etree.fromstring(members(build_scorm12(warm_handoff).data)["imsmanifest.xml"])
    assert root.find(".//{*}maxtimeallowed") is None


def test_mastery_score_has_at_most_two_decimals(warm_handoff):
    assert [mastery_score(p) for p in (80, 66.5, 100, 0, 33.333)] == ["80", "66.5", "100", "0", "33.34"]
    (warning,) = build_scorm12(with_settings(warm_handoff, pass_mark=33.333)).warnings
    assert "33.34" in warning.message and warning.format == "scorm12"


# ---- the embedded data --------------------------------------------------------------------------

def embedded(data: bytes) -> dict:
    page = members(data)["index.html"].decode("utf-8")
    (found,) = DATA_SCRIPT.findall(page)
    return json.loads(found)


def test_embedded_data_is_the_player_data(warm_handoff):
    assert embedded(build_scorm12(warm_handoff).data) == json.loads(json.dumps(player_data(warm_handoff,
                                                                                           SCORM12)))
    data = player_data(warm_handoff, SCORM2004)
    first = data["items"][0]
    assert first["prompt"] == str(warm_handoff.items[0].prompt)
    assert [c["weight"] for c in first["choices"]] == [1.0, 0.0, 0.0, 0.0]
    assert data["settings"]["feedback"] == warm_handoff.settings.feedback
    assert data["settings"]["shuffleChoices"] is True and data["settings"]["passMark"] == 80


def test_embedded_data_cannot_close_its_script(warm_handoff):
    """Item text that reads like markup stays data: tojson escapes <, > and &."""
    prompt, _ = markup.block("Type `</script><script>alert(1)</script>` or <!-- this -->")
    item = dataclasses.replace(warm_handoff.items[0], prompt=prompt, title="</script> & <b>")
    quiz = dataclasses.replace(warm_handoff, items=(item,))
    page = members(build_scorm12(quiz).data)["index.html"].decode("utf-8")
    assert page.count("</script>") == 3  # the data block, common.js and player.js, nothing from the item
    assert embedded(build_scorm12(quiz).data)["items"][0]["title"] == "</script> & <b>"


# ---- the player under Node ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def node_player(warm_handoff, tmp_path_factory):
    """run(script, payload): runs `script` in Node with `player` (player.js) and `payload` bound."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is missing (CI is set, so the player tests must run)")
        pytest.skip("node is not installed")
    folder = tmp_path_factory.mktemp("player")
    package = members(build_scorm12(warm_handoff).data)
    for name in ("common.js", "player.js"):  # player.js requires ./common.js
        (folder / name).write_bytes(package[name])

    def run(script: str, payload: object) -> object:
        program = (f"const player = require({json.dumps(str(folder / 'player.js'))});\n"
                   "const payload = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
                   f"const result = (function () {{ {script} }})();\n"
                   "process.stdout.write(JSON.stringify(result));\n")
        done = subprocess.run([node, "-e", program], input=json.dumps(payload), capture_output=True,
                              text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run


def test_choice_codes_fit_each_data_model(node_player, warm_handoff):
    """The player reports a choice as SCORM 1.2's one character (by position), and as its id in
    SCORM 2004 with hyphens made underscores (Moodle's check refuses them), or as its position
    when that would make two alike. The item data is the same in both editions."""
    first = warm_handoff.items[0]

    def named(*identifiers: str) -> Item:
        pairs = zip(first.interaction.choices, identifiers, strict=True)
        return with_interaction(first, choices=tuple(dataclasses.replace(choice, identifier=identifier)
                                                     for choice, identifier in pairs))

    quiz = dataclasses.replace(warm_handoff, items=(named("opt-0", "opt-1", "opt-2", "opt-3"),
                                                    named("a-b", "a_b", "c", "d")))
    data = player_data(quiz, SCORM2004)
    assert data["items"] == player_data(quiz, SCORM12)["items"]
    codes = node_player(
        "return payload.items.map(function (item) { return [player.code12, player.code2004].map("
        " function (code) { return item.choices.map(function (choice, n) { return code(item, n); }); }); });", data)
    assert codes == [[["a", "b", "c", "d"], ["opt_0", "opt_1", "opt_2", "opt_3"]],
                     [["a", "b", "c", "d"], ["choice_1", "choice_2", "choice_3", "choice_4"]]]


def generated_items(quiz: Quiz) -> list[Item]:
    """Items of every type and weighting rule: odd points, 1 to 4 correct of 6, penalty on and off."""
    base = quiz.items[2]
    items = list(quiz.items)
    for correct_count, points, penalty in itertools.product((1, 2, 3, 4), (1.0, 2.5, 3.0, 7.0),
                                                             (True, False)):
        choices = tuple(Choice(chr(65 + n), Markup(f"Choice {n}"), n < correct_count, None) for n in range(6))
        items.append(dataclasses.replace(with_interaction(base, choices=choices, wrong_choice_penalty=penalty),
                                         id=f"gen-{correct_count}-{points}-{penalty}", points=points))
    items.append(dataclasses.replace(quiz.items[0], id="single-2", points=2.0))
    return items


def test_player_scores_like_scoring_py(node_player, warm_handoff):
    """Every subset of choices of every bundled and generated item: the JS score and correctness
    equal builder.scoring's."""
    warm_handoff = choice_quiz(warm_handoff)
    items = generated_items(warm_handoff)
    quiz = dataclasses.replace(warm_handoff, items=tuple(items))
    data = player_data(quiz, SCORM12)
    cases = [(n, list(subset)) for n, item in enumerate(items)
             for size in range(len(item.interaction.choices) + 1)
             for subset in itertools.combinations(range(len(item.interaction.choices)), size)]
    got = node_player("return payload.cases.map(function (c) { var item = payload.data.items[c[0]];"
                      " return [player.scoreItem(item, c[1]), player.isCorrect(item, c[1])]; });",
                      {"data": data, "cases": cases})
    expected = [[scoring.score(items[n], [items[n].interaction.choices[i].identifier for i in subset]),
                 scoring.is_correct(items[n], [items[n].interaction.choices[i].identifier for i in subset])]
                for n, subset in cases]
    assert len(cases) > 1000
    assert got == expected


def test_player_pass_decision_and_raw_score(node_player, warm_handoff):
    """The quiz result: percent and passed as scoring.passed; raw rounded down to 2 decimals, so
    raw >= mastery score (Moodle's rule) exactly when the player says passed."""
    warm_handoff = choice_quiz(warm_handoff)
    items = warm_handoff.items
    responses = [[[0], [0], [0, 1]], [[0], [1], [0, 1, 2]], [[1], [1], [3]], [[0], [1], [0, 1, 3]]]
    results = []
    for pass_mark in (0.0, 50.0, 66.67, 80.0, 100.0):
        quiz = with_settings(warm_handoff, pass_mark=pass_mark, shuffle_choices=False)
        data = player_data(quiz, SCORM12)
        got = node_player("var drawn = player.draw(payload.data, 1);"
                          "return payload.responses.map(function (r) { return player.summarize(payload.data,"
                          " drawn, r.map(function (s) { return {submitted: true, response: s}; })); });",
                          {"data": data, "responses": responses})
        for response, summary in zip(responses, got, strict=True):
            points = sum(scoring.score(item, [item.interaction.choices[i].identifier for i in chosen])
                         for item, chosen in zip(items, response, strict=True))
            assert summary["score"] == pytest.approx(points)
            assert summary["passed"] == scoring.passed(points, quiz.max_score, pass_mark)
            assert (summary["raw"] >= float(mastery_score(pass_mark))) == summary["passed"]
            assert summary["raw"] == int(summary["raw"] * 100 + 1e-6) / 100
            results.append(summary["passed"])
    assert True in results and False in results


def test_draw_is_seeded_and_honours_pools(node_player, warm_handoff):
    quiz = many_items(warm_handoff, 12)
    ids = tuple(item.id for item in quiz.items)
    pooled = with_settings(quiz, shuffle_items=True, shuffle_choices=True,
                           pools=(Pool("a", "A", ids[:8], 3), Pool("b", "B", ids[8:], 2)))
    draws = node_player("return payload.map(function (d) { return [player.draw(d, 1), player.draw(d, 1),"
                        " player.draw(d, 2)]; });",
                        [player_data(with_settings(pooled, seed=seed), SCORM12) for seed in (1, 2)])
    (first, again, retry), (other, _, _) = draws
    assert first == again  # a resumed attempt sees the same draw
    assert first != retry and first != other  # a retry or another seed draws anew
    assert [entry["item"] < 8 for entry in first] == [True, True, True, False, False]
    assert len({entry["item"] for entry in first}) == 5
    assert any(entry["layout"] != [0, 1, 2, 3, 4] for entry in first)
    plain = node_player("return player.draw(payload, 1);", player_data(with_settings(quiz, shuffle_choices=False),
                                                                        SCORM12))
    assert plain == [{"item": n, "layout": [0, 1, 2, 3, 4]} for n in range(12)]
    tf = node_player("return player.draw(payload, 1);", player_data(warm_handoff, SCORM12))
    assert tf[1]["layout"] == [0, 1]  # true/false keeps its order


def test_fixed_choices_keep_their_places_and_an_item_may_keep_its_order(node_player, warm_handoff, kitchen_tasks):
    """With choices shuffled, a choice marked fixed ("All of the above") stays where the author put
    it and the others move among the rest, the same for the same seed; an item's own
    shuffleChoices false keeps its whole order, true shuffles it in a quiz that does not; a
    matching item's options follow the item's setting too. Without these keys (a package built
    before them) the draw is what it was."""
    quiz = many_items(warm_handoff, 40)
    data = player_data(with_settings(quiz, shuffle_choices=True), SCORM12)
    before = node_player("return player.draw(payload, 1);", data)
    for n, item in enumerate(data["items"]):
        item["choices"][n % 5]["fixed"] = True  # one fixed choice, in each place in turn
        item["choices"][4 - n % 5]["fixed"] = n % 2 == 0  # and on every other item, a second one
    data["items"][0]["shuffleChoices"] = False
    draws = node_player("return [player.draw(payload, 1), player.draw(payload, 1), player.draw(payload, 2)];", data)
    assert draws[0] == draws[1] and draws[0] != draws[2]
    for draw in draws:
        for entry in draw:
            item = data["items"][entry["item"]]
            fixed = [n for n, choice in enumerate(item["choices"]) if choice.get("fixed")]
            assert sorted(entry["layout"]) == list(range(5))
            assert all(entry["layout"][n] == n for n in fixed), (fixed, entry["layout"])
    assert draws[0][0]["layout"] == [0, 1, 2, 3, 4]  # its own shuffleChoices: false
    assert sum(entry["layout"] != before[n]["layout"] for n, entry in enumerate(draws[0])) > 30
    unshuffled = player_data(with_settings(quiz, shuffle_choices=False), SCORM12)
    got = node_player("return player.draw(payload, 1);", unshuffled)
    assert all(entry["layout"] == [0, 1, 2, 3, 4] for entry in got)  # the quiz does not shuffle: none moves


def test_matching_options_are_never_listed_in_the_answers_order(node_player, kitchen_tasks):
    """The options of a matching item in the author's order would be the answer (Rn matches Ln):
    unshuffled, the player lists them as QTI 2.1 writes them, none beside its own left side;
    shuffled, a draw that happens to give the right order is turned."""
    kept = player_data(with_settings(kitchen_tasks, shuffle_choices=False), SCORM12)
    matching = next(n for n, item in enumerate(kept["items"]) if item["type"] == "matching")
    item = kept["items"][matching]
    layout = node_player("return player.draw(payload, 1);", kept)[matching]["layout"]
    assert layout == item["unshuffledOrder"] and sorted(layout) == list(range(len(item["options"])))
    assert all(option != place for place, option in enumerate(layout))
    shuffled = player_data(with_settings(kitchen_tasks, shuffle_choices=True), SCORM12)
    layouts = node_player("return [1, 2, 3, 4, 5, 6, 7, 8].map(function (seed) {"
                          " payload.settings.seed = seed; return player.draw(payload, 1); });", shuffled)
    orders = [draw[matching]["layout"] for draw in layouts]
    assert len({tuple(order) for order in orders}) > 1
    assert list(range(len(item["options"]))) not in orders


def worst_state_script() -> str:
    """Every item submitted with every choice chosen and every hint shown: the longest state."""
    return ("var state = player.freshState(payload, 99999); state.elapsed = 999999999;"
            " state.position = state.drawn.length - 1;"
            " state.answers = state.drawn.map(function (e) { var item = payload.items[e.item];"
            "  return {hints: item.hints.length, submitted: true,"
            "          response: item.choices.map(function (c, n) { return n; })}; });"
            " var text = player.encodeState(payload, state); var back = player.decodeState(payload, text);"
            " return {length: text.length, text: text, same: JSON.stringify(back.answers) ==="
            " JSON.stringify(state.answers) && back.position === state.position};")


def test_suspend_data_fits_scorm12_on_a_long_quiz(node_player, warm_handoff):
    """A 700-item quiz stays under SCORM 1.2's 4,096 characters even in the worst state, and the
    bound Python computes is never below what the player writes."""
    quiz = many_items(warm_handoff, 700)
    result = node_player(worst_state_script(), player_data(quiz, SCORM12))
    assert result["same"]
    assert result["length"] <= suspend_data_bound(quiz) <= 4096
    assert build_scorm12(quiz).warnings == ()


def test_suspend_data_over_the_cap_is_a_warning(node_player, warm_handoff):
    quiz = many_items(warm_handoff, 1100)
    (warning,) = build_scorm12(quiz).warnings
    assert "cmi.suspend_data" in warning.message and "4096" in warning.message
    assert build_scorm2004(quiz).warnings == ()
    result = node_player(worst_state_script(), player_data(quiz, SCORM12))
    assert 4096 < result["length"] <= suspend_data_bound(quiz)
    ids = tuple(item.id for item in quiz.items)
    drawn = with_settings(quiz, pools=(Pool("all", "All", ids, 50),))
    assert build_scorm12(drawn).warnings == ()  # only the items a learner can draw count


def test_resume_state_round_trip_and_bad_input(node_player, warm_handoff):
    """A state carries the quiz's version; one of another version, of the player before versions,
    of a later format, or garbage does not decode (the player then starts afresh). A state of
    format 1 (the players before the start screen) resumes as it is; the start screen's phase is
    format 2's only."""
    data = player_data(warm_handoff, SCORM12)
    got = node_player(
        "var v = player.quizVersion(payload);"
        " var s = player.freshState(payload, 2, 'q'); s.position = 1; s.elapsed = 42.7;"
        " s.answers[0] = {hints: 1, submitted: true, response: [0]};"
        " s.answers[1] = {hints: 1, submitted: false, response: []};"
        " var text = player.encodeState(payload, s); var back = player.decodeState(payload, text);"
        " var fresh = player.encodeState(payload, player.freshState(payload, 1));"
        " var old = player.decodeState(payload, '1;2;42;1;q;' + v + ';1s1,1n');"
        " return {version: v, text: text, back: back, fresh: fresh,"
        "  started: player.decodeState(payload, fresh).phase,"
        "  old: [old.attempt, old.position, old.phase, old.answers[0]],"
        "  bad: ['', 'x', '3;1;0;0;q;' + v + ';', '1;1;0;0;s;' + v + ';',"
        "  '1;2;42;1;q;1s1,1n', '2;2;42;1;q;zzzzzz;1s1,1n', '2;1;0;0;q;' + v + ';s1',"
        "  '2;0;0;0;q;' + v + ';', '2;1;0;0;z;' + v + ';', '2;1;0;0;q;' + v + ';0sv0,,,,',"
        "  '2;1;0;0;q;' + v + ';1s1;'].map(function (t) { return player.decodeState(payload, t); })};",
        data)
    assert re.fullmatch(r"[0-9a-z]{1,7}", got["version"])
    assert got["text"] == f"2;2;42;1;q;{got['version']};1s1,1n"
    assert got["back"]["answers"][:2] == [{"hints": 1, "submitted": True, "response": [0]},
                                          {"hints": 1, "submitted": False, "response": []}]
    assert got["fresh"] == f"2;1;0;0;s;{got['version']};" and got["started"] == "s"
    assert got["old"] == [2, 1, "q", {"hints": 1, "submitted": True, "response": [0]}]
    # '1;2;42;1;q;1s1,1n' is exactly what the player before versions wrote for the same answers
    assert got["bad"] == [None] * 11


def test_quiz_version_follows_what_a_stored_answer_means(node_player, warm_handoff):
    """The version changes with anything that moves the draw or the meaning of a stored answer
    (item ids, choice ids or order, seed, pools, kinds), and not with wording or points, so a
    corrected typo keeps the learners' progress."""
    warm_handoff = choice_quiz(warm_handoff)
    first, second, third = warm_handoff.items
    choices = third.interaction.choices
    reordered = with_interaction(third, choices=choices[1:] + choices[:1])
    variants = {
        "same": warm_handoff,
        "reworded": dataclasses.replace(warm_handoff, items=(
            dataclasses.replace(first, prompt=Markup("<p>Reworded.</p>"), points=first.points + 1),
            second, third)),
        "item id": dataclasses.replace(warm_handoff, items=(dataclasses.replace(first, id="renamed"), second,
                                                            third)),
        "choice order": dataclasses.replace(warm_handoff, items=(first, second, reordered)),
        "seed": with_settings(warm_handoff, seed=warm_handoff.settings.seed + 1),
        "pools": with_settings(warm_handoff, pools=(Pool("p", "P", (first.id, second.id), 1),)),
    }
    payload = {name: player_data(quiz, SCORM12) for name, quiz in variants.items()}

    def changed(name: str, change: Callable[[dict], object]) -> None:
        data = json.loads(json.dumps(payload["same"]))
        change(data)
        payload[name] = data

    changed("kind", lambda data: data["items"][0].update(type="multiple_response"))
    # What a quiz's settings give every item anyway keeps the version; what moves a choice does not.
    changed("shuffle as the quiz", lambda data: data["items"][2].update(shuffleChoices=True))
    changed("not fixed", lambda data: data["items"][2]["choices"][0].update(fixed=False))
    changed("item shuffle", lambda data: data["items"][2].update(shuffleChoices=False))
    changed("fixed", lambda data: data["items"][2]["choices"][-1].update(fixed=True))
    changed("navigation", lambda data: data["settings"].update(navigation="free", showCorrectAnswers=False))
    versions = node_player("var out = {}; Object.keys(payload).forEach(function (k) {"
                           " out[k] = player.quizVersion(payload[k]); }); return out;", payload)
    for same in ("reworded", "shuffle as the quiz", "not fixed", "navigation"):
        assert versions[same] == versions["same"], same
    others = [versions[name] for name in ("item id", "choice order", "seed", "pools", "kind", "item shuffle",
                                          "fixed")]
    assert versions["same"] not in others and len(set(others)) == len(others)


def python_kinds(*quizzes: Quiz) -> dict[str, dict]:
    """Every interaction kind the Python side can put in the player data, with an item of it from
    the bundled quiz and the kitchen-safety test quiz (which holds one of each type; a new kind
    needs an example there): every `type:` the loader takes."""
    kinds = set(ITEM_TYPES)
    items = {item["type"]: item for quiz in quizzes for item in player_data(quiz, SCORM12)["items"]}
    assert set(items) == kinds, "the test quizzes lack an item of a kind: add one"
    return items


def right_response(item: dict) -> object:
    """A response to ``item`` (player data) that earns all its points: the player's form of it."""
    match item["type"]:
        case "single_choice" | "multiple_response" | "true_false":
            return [n for n, choice in enumerate(item["choices"]) if choice["correct"]]
        case "short_answer":
            return next(answer["text"] for answer in item["answers"] if answer["weight"] == item["points"])
        case "numeric":
            return scoring.format_number(next(answer["low"] for answer in item["answers"]
                                              if answer["weight"] == item["points"]))
        case "essay":
            return " ".join(["word"] * (item["minWords"] or 1))
        case "matching":
            return list(range(len(item["lefts"])))
        case "ordering":
            return list(range(len(item["steps"])))
        case "fill_in_blanks":
            return [blank["answers"][0] if blank["kind"] == "text" else
                    str(blank["correct"]) if blank["kind"] == "choice" else scoring.format_number(blank["low"])
                    for blank in item["blanks"]]
        case other:
            raise AssertionError(f"no right response for {other}: add one")


REPORTED_TYPES = {"single_choice": ("choice", "choice"), "multiple_response": ("choice", "choice"),
                  "true_false": ("choice", "choice"), "short_answer": ("fill-in", "fill-in"),
                  "numeric": ("numeric", "numeric"), "essay": ("fill-in", "long-fill-in"),
                  "matching": ("matching", "matching"), "ordering": ("sequencing", "sequencing"),
                  "fill_in_blanks": ("fill-in, numeric or choice per blank",) * 2}
"""cmi.interactions.n.type in SCORM 1.2 and 2004, per item type."""


def test_every_kind_the_build_emits_has_a_working_handler(node_player, warm_handoff, kitchen_safety, kitchen_tasks):
    """For each kind, its handler has every operation, and they work together without a page:
    the right response scores the item's points and is reported correct in both editions (an
    essay: 0 points, neutral, outside the automatic score), its state round-trips, the empty
    response scores 0, and a state of garbage is refused."""
    items = python_kinds(warm_handoff, kitchen_safety, kitchen_tasks)
    payload = {kind: {"item": item, "right": right_response(item)} for kind, item in items.items()}
    got = node_player(
        "var ops = ['arrange', 'prompts', 'render', 'read', 'problem', 'reviewPrompt', 'feedback', 'correctAnswer',"
        " 'score', 'autoScored', 'report', 'structure', 'encodeState', 'decodeState'];"
        " var quiz = {decimalComma: false}; var out = {};"
        " Object.keys(payload).forEach(function (kind) {"
        "  var item = payload[kind].item; var h = player.INTERACTIONS[kind];"
        "  if (!h) { out[kind] = null; return; }"
        "  var right = h.decodeState(item, h.encodeState(item, payload[kind].right));"
        "  var empty = h.decodeState(item, '');"
        "  out[kind] = {missing: ops.filter(function (op) { return typeof h[op] !== 'function'; }),"
        "   layout: h.arrange(item, player.prng(1), true), same: JSON.stringify(right) ==="
        "   JSON.stringify(payload[kind].right), problem: h.problem(item, right, quiz),"
        "   prompts: h.prompts(item), right: h.score(item, right, quiz), empty: h.score(item, empty, quiz),"
        "   auto: h.autoScored(item), structure: typeof h.structure(item),"
        "   reported12: [].concat(h.report(item, right, {name: 'scorm12', separator: ',', wrong: 'wrong'}, quiz)),"
        "   reported2004: [].concat(h.report(item, empty, {name: 'scorm2004', separator: '[,]', wrong: 'incorrect'},"
        "    quiz)),"
        "   garbage: h.decodeState(item, 'zz;,'), emptyState: h.encodeState(item, empty)}; });"
        " return out;", payload)
    for kind, item in items.items():
        result = got[kind]
        assert result is not None, f"no handler for {kind}"
        assert result["missing"] == []
        assert result["same"] and result["problem"] is None and result["structure"] == "string"
        # Message keys of the catalogues, which the page says in the quiz's language
        assert {result["prompts"]["instruction"], result["prompts"]["missing"]} <= set(
            catalogues.catalogue("en").messages)
        assert result["empty"] == {"points": 0, "correct": False}
        assert result["garbage"] is None and result["emptyState"] == ""
        records12, records2004 = result["reported12"], result["reported2004"]
        if kind == "fill_in_blanks":  # one interaction per blank
            types = {"text": "fill-in", "numeric": "numeric", "choice": "choice"}
            assert [r["type"] for r in records12] == [r["type"] for r in records2004] == [
                types[blank["kind"]] for blank in item["blanks"]]
            assert [r["id"] for r in records12] == [f"{item['id']}-{blank['name']}" for blank in item["blanks"]]
            assert {r["result"] for r in records12} == {"correct"}
            assert {r["result"] for r in records2004} == {"incorrect"}
            assert sum(r["weighting"] for r in records12) == pytest.approx(item["points"])
        else:
            assert len(records12) == len(records2004) == 1
            assert (records12[0]["type"], records2004[0]["type"]) == REPORTED_TYPES[kind]
        reported12, reported2004 = records12[0], records2004[0]
        if kind == "essay":
            assert result["layout"] is None and not result["auto"]
            assert result["right"] == {"points": 0, "correct": False}
            assert reported12["result"] == reported2004["result"] == "neutral"
            assert reported12["pattern"] is None
            continue
        assert result["auto"]
        assert result["right"] == {"points": item["points"], "correct": True}
        assert reported12["result"] == "correct"
        assert reported2004["result"] == "incorrect"
        if item["type"] in ("short_answer", "numeric"):
            assert result["layout"] is None
            assert reported12["pattern"] == item["patterns"]["scorm12"]
            assert reported2004["pattern"] == item["patterns"]["scorm2004"]
        elif item["type"] == "fill_in_blanks":
            assert result["layout"] is None
        elif item["type"] in ("matching", "ordering"):
            parts = item["options"] if item["type"] == "matching" else item["steps"]
            assert sorted(result["layout"]) == list(range(len(parts)))
            assert reported12["response"] == reported12["pattern"] != ""
        else:
            assert sorted(result["layout"]) == list(range(len(item["choices"])))
            assert reported12["response"] == reported12["pattern"] != ""


def test_an_unknown_kind_is_named_at_load(node_player, warm_handoff):
    data = player_data(warm_handoff, SCORM12)
    data["items"][1]["type"] = "hotspot"  # a kind this player does not know
    got = node_player("return [player.unknownKinds(payload[0]), player.unknownKinds(payload[1])];",
                      [player_data(warm_handoff, SCORM12), data])
    assert got == [[], [f'lmspack: item "{warm_handoff.items[1].id}" is of kind "hotspot", which this player '
                        "cannot show"]]


def test_time_formats_and_interaction(node_player, warm_handoff):
    result = node_player(
        "var when = new Date(2027, 2, 4, 5, 6, 7);"
        " return {t12: [0, 65.4, 3725, 360000].map(player.timespan12),"
        " t2004: [0, 65.4, 3725].map(player.duration2004),"
        " i12: player.interactions(payload[0], 2, [0, 3], 12, when)[0],"
        " i2004: player.interactions(payload[1], 2, [2, 1, 0], 3, when)[0]};",
        [player_data(warm_handoff, SCORM12), player_data(warm_handoff, SCORM2004)])
    assert result["t12"] == ["00:00:00", "00:01:05", "01:02:05", "100:00:00"]
    assert result["t2004"] == ["PT0H0M0S", "PT0H1M5S", "PT1H2M5S"]
    assert dict(result["i12"]) == {
        "id": "warm-handoff-benefits", "type": "choice", "weighting": "3", "student_response": "a,d",
        "correct_responses.0.pattern": "a,b,c", "result": "wrong", "latency": "00:00:12", "time": "05:06:07"}
    assert [pair[0] for pair in result["i2004"]][:2] == ["id", "type"]
    assert dict(result["i2004"]) == {
        "id": "warm-handoff-benefits", "type": "choice", "weighting": "3", "learner_response": "A[,]B[,]C",
        "correct_responses.0.pattern": "A[,]B[,]C", "result": "correct", "latency": "PT0H0M3S",
        "timestamp": "2027-03-04T05:06:07"}


# ---- the test quizzes: golden manifests, the official schemas, the independent validator --------

TEST_QUIZZES = ("kitchen_safety", "kitchen_tasks", "kitchen_media")
"""Fixtures of the test quizzes (tests/quizzes/): every item type, every typed-answer and part
kind, and media, math and tables (each file the items show listed once, URL-quoted)."""


@pytest.mark.parametrize("fixture", TEST_QUIZZES)
def test_test_quiz_manifests_match_golden(fixture, request, official_schema):
    quiz = request.getfixturevalue(fixture)
    for edition in ("scorm12", "scorm2004"):
        manifest = members(BUILDERS[edition](quiz).data)["imsmanifest.xml"]
        assert_golden(f"scorm/{quiz.identifier}-{edition}-imsmanifest.xml", manifest)
        assert official_schema(OFFICIAL[edition]).validate(etree.fromstring(manifest))


@pytest.mark.parametrize("edition", ["scorm12", "scorm2004"])
@pytest.mark.parametrize("fixture", TEST_QUIZZES)
def test_test_quiz_passes_the_independent_validator(fixture, edition, request, package_validator, tmp_path):
    quiz = request.getfixturevalue(fixture)
    output = BUILDERS[edition](quiz)
    path = tmp_path / output.filename
    path.write_bytes(output.data)
    assert_valid_package(package_validator, path, kind=edition)
    assert output.data == BUILDERS[edition](quiz).data


# ---- typed answers: short_answer, numeric, essay --------------------------------------------

def test_typed_items_warn_what_the_lms_leaves_out(kitchen_safety):
    """Essays are outside the SCORM score in both editions (and cut to 255 characters in 1.2); a
    range answer has no SCORM 1.2 numeric pattern. Each warning names its items."""
    for edition, build in BUILDERS.items():
        essay = next(w for w in build(kitchen_safety).warnings if "SCORM score leaves out" in w.message)
        assert essay.item_ids == ("near-miss-report",) and essay.format == edition
    twelve = build_scorm12(kitchen_safety).warnings
    assert any("255 characters" in w.message and w.item_ids == ("near-miss-report",) for w in twelve)
    assert any("correct_responses" in w.message and w.item_ids == ("fridge-temperature",) for w in twelve)
    assert len(BUILDERS["scorm2004"](kitchen_safety).warnings) == 1


def test_typed_item_data(kitchen_safety):
    """What the player gets: points per answer from the credit, bounds, patterns per edition, the
    essay's template and limits (its grader notes never)."""
    items = {item["id"]: item for item in player_data(kitchen_safety, SCORM12)["items"]}
    assert player_data(kitchen_safety, SCORM2004)["items"] == list(items.values())
    cross = items["cross-contamination"]
    assert [(a["text"], a["weight"]) for a in cross["answers"]] == [
        ("cross-contamination", 2.0), ("cross contamination", 2.0), ("contamination", 1.0)]
    assert cross["patterns"] == {"scorm12": "cross-contamination", "scorm2004": "cross-contamination"}
    assert items["sodium-symbol"]["patterns"] == {"scorm12": "Na", "scorm2004": "{case_matters=true}Na"}
    hands = items["hand-washing-seconds"]
    assert [(a["low"], a["high"], a["weight"]) for a in hands["answers"]] == [(15.0, 25.0, 1.0), (5.0, 15.0, 0.25)]
    assert hands["patterns"] == {"scorm12": "20", "scorm2004": "15[:]25"} and hands["unit"] == "seconds"
    assert items["fridge-temperature"]["patterns"] == {"scorm12": None, "scorm2004": "1[:]5"}
    essay = items["near-miss-report"]
    assert (essay["template"], essay["minWords"], essay["maxWords"]) == ("First, I would...", 30, 200)
    assert "grader" not in json.dumps(essay).lower() and "Full marks" not in json.dumps(essay)
    french = dataclasses.replace(kitchen_safety, language="fr-CA")
    assert player_data(french, SCORM12)["quiz"]["decimalComma"] is True
    assert player_data(kitchen_safety, SCORM12)["quiz"]["decimalComma"] is False


def test_patterns_an_edition_cannot_hold_are_left_out(kitchen_safety):
    items = {item.id: item for item in kitchen_safety.items}
    short = items["cross-contamination"]
    answers = short.interaction.answers

    def patterns(text: str) -> dict:
        item = with_interaction(short, answers=(dataclasses.replace(answers[0], text=text),))
        return player_data(dataclasses.replace(kitchen_safety, items=(item,)), SCORM12)["items"][0]["patterns"]

    assert patterns("salt, pepper") == {"scorm12": "salt, pepper", "scorm2004": None}
    assert patterns("{x}") == {"scorm12": "{x}", "scorm2004": None}
    assert patterns("a" * 251) == {"scorm12": "a" * 251, "scorm2004": None}
    assert patterns("a" * 256) == {"scorm12": None, "scorm2004": None}
    numeric = items["hand-washing-seconds"]
    huge = with_interaction(numeric, answers=(dataclasses.replace(numeric.interaction.answers[0], value=1e12),))
    data = player_data(dataclasses.replace(kitchen_safety, items=(huge,)), SCORM12)["items"][0]
    assert data["patterns"] == {"scorm12": None, "scorm2004": None}


SPECIAL_TEXTS = ["Straße", "STRASSE", "strasse", "ẞ", "ss", "İstanbul", "istanbul", "ı", "I", "ΣΊΣΥΦΟΣ",
                 "σίσυφος", "σίσυφοσ", "ﬁne", "FINE", "Ꭰꭰ", "ꭰꭰ", "ǅ", "ǆ", "K", "k", "Å", "å", "µ", "μ",
                 "😀 A", "😀 a", "naïve café", "NAÏVE CAFÉ"]
SPACES = ["", " ", "  ", "\t", "\n", "\u00a0", "\u3000", "\x1c", "\x85", "\u2028", "\ufeff", "\u200b", "\r\n "]


def typed_cases(item: Item) -> list[str]:
    """Responses around an item's accepted answers: case and space variants, near misses."""
    match item.interaction:
        case ShortAnswerInteraction() as short:
            texts = [answer.text for answer in short.answers] + SPECIAL_TEXTS
            cases = []
            for n, text in enumerate(texts):
                for variant in (text, text.upper(), text.lower(), text.swapcase(), text.title(), text[:-1],
                                text + "s"):
                    space = SPACES[n % len(SPACES)]
                    cases += [variant, space + variant + space, variant.replace(" ", space + " " + space)]
            return cases
        case NumericInteraction() as numeric:
            cases = ["", "abc", "1.5.3", "1,5", "1,5,3", "+.5", "5.", ".", "-", "1e400", "-0", "0x10", "1_000",
                     "١٢", "½", "３", " 7 ", "\u00a07\u3000", "7\x1c", "\ufeff7", "1e-400", "nan", "inf",
                     "2E1", "2e+1", "200e-1", ",5", "5,", "-0,0"]
            for answer in numeric.answers:
                for bound in answer.bounds:
                    for value in (bound, math.nextafter(bound, -math.inf), math.nextafter(bound, math.inf),
                                  bound - 0.5, bound + 0.5):
                        text = repr(value)
                        cases += [text, text.replace(".", ","), f"{value:e}", f"{value:.3f}".replace(".", ",")]
            return cases
        case _:
            raise AssertionError("typed items only")


def test_player_scores_typed_answers_like_scoring_py(node_player, kitchen_safety):
    """Thousands of typed responses to short-answer and numeric items (the kitchen-safety ones and
    generated ones: case-sensitive or not, Unicode case and whitespace, numbers on and beside each
    bound, decimal commas, things that are not numbers) in an English and a French quiz: the JS
    score and correctness equal builder.scoring's."""
    base = {item.id: item for item in kitchen_safety.items}
    short = base["cross-contamination"]
    numeric = base["hand-washing-seconds"]
    generated = [
        dataclasses.replace(with_interaction(short, case_sensitive=sensitive, answers=tuple(
            TextAnswer(text, credit, None) for text, credit in zip(SPECIAL_TEXTS[n::7], (100, 50, 25, 100),
                                                                   strict=False))),
            id=f"gen-short-{n}-{sensitive}", points=points)
        for n in range(7) for sensitive in (False, True) for points in (1.0, 3.0)]
    generated += [
        dataclasses.replace(with_interaction(numeric, answers=(
            NumericAnswer(0.1, 10.0, True, None, 100, None), NumericAnswer(None, 0.0, False, (-2.5, 0.3), 40, None),
            NumericAnswer(1e-7, 0.0, False, None, 100, None), NumericAnswer(-1e20, 1e15, False, None, 75, None))),
            id="gen-numeric", points=2.5)]
    items = [item for item in kitchen_safety.items
             if isinstance(item.interaction, ShortAnswerInteraction | NumericInteraction)] + generated
    for language in ("en", "fr"):
        quiz = dataclasses.replace(kitchen_safety, items=tuple(items), language=language)
        data = player_data(quiz, SCORM12)
        cases = [(n, text) for n, item in enumerate(items) for text in typed_cases(item)]
        got = node_player("return payload.cases.map(function (c) { var item = payload.data.items[c[0]];"
                          " return [player.scoreItem(item, c[1], payload.data.quiz),"
                          " player.isCorrect(item, c[1], payload.data.quiz)]; });",
                          {"data": data, "cases": cases})
        expected = [[scoring.score(items[n], text, language), scoring.is_correct(items[n], text, language)]
                    for n, text in cases]
        assert len(cases) > 2000
        assert got == expected
        assert [True, True] in expected and [0.0, False] in expected
        assert any(0 < points < items[n].points for (n, _), (points, _) in zip(cases, expected, strict=True))


def test_player_reads_numbers_like_parse_number(node_player):
    texts = ["30", "30.0", "3e1", "-0.5", "0,5", "+.5", "5.", "1,5,3", "1e400", "", " 2 ", "\u00a02", "2\x85",
             "0x1", "1.5e", "e5", "٣", "1 000", "-", "+-1", "1e-400",
             # An Arabic, a Persian and a full-width keyboard's digits and signs (scoring.TYPED_NUMBER_CHARACTERS)
             "٣٠", "٢٫٥", "۳۰", "۲٫۵", "−۱", "３０", "－０．５", "＋２", "０，５", "٣,٥", "३", "٣٠ يوما"]
    got = node_player("return payload.map(function (t) { return [player.parseNumber(t, false),"
                      " player.parseNumber(t, true)]; });", texts)
    assert got == [[scoring.parse_number(t, "en"), scoring.parse_number(t, "de")] for t in texts]


def test_case_folding_and_whitespace_agree_with_python_for_every_character(node_player):
    """normalised_text on every character Python 3.11's Unicode (14) assigns: folded alone and
    between two letters (whitespace splits them)."""
    characters = [chr(c) for c in range(0x110000)
                  if not 0xD800 <= c <= 0xDFFF and unicodedata.category(chr(c)) != "Cn"]
    got = node_player("return payload.map(function (c) { return player.normalisedText(c, false); });",
                      characters)
    differing = [(c, g) for c, g in zip(characters, got, strict=True) if g != scoring.normalised_text(c, False)]
    assert differing == []
    spaces = node_player("var out = []; for (var c = 0; c < 0x110000; c++) { if (c >= 0xD800 && c <= 0xDFFF)"
                         " continue; if (player.normalisedText('a' + String.fromCodePoint(c) + 'b', true)"
                         " === 'a b') out.push(c); } return out;", None)
    assert spaces == [c for c in range(0x110000) if chr(c).isspace()]


def test_word_count_and_typed_state(node_player):
    texts = ["", "one", " two  words ", "a\nb\tc\u3000d\x1ce", "😀 émoji ✓", "x" * 50]
    got = node_player("return {words: payload.map(player.wordCount), round: payload.map(function (t) {"
                      " var code = player.encodeText(t); return [code, player.decodeText(code)]; }),"
                      " bad: ['0', '0000', 'zzzzzzz', 'zz', '!!', 'a b'].map(player.decodeText)};", texts)
    assert got["words"] == [len(t.split()) for t in texts]
    for text, (code, back) in zip(texts, got["round"], strict=True):
        assert back == text and re.fullmatch("[0-9A-Za-z]*", code)
        size = len(text.encode("utf-8"))
        assert len(code) == 7 * (size // 5) + (0, 2, 3, 5, 6)[size % 5]
    assert got["bad"] == [None] * 6


def test_typed_interactions_in_each_edition(node_player, kitchen_safety):
    """What the LMS records: fill-in (case prefix in 2004), numeric (the number read, min[:]max), an
    essay as long-fill-in in 2004 and fill-in cut to 255 characters in 1.2, result neutral and no
    correct pattern; texts on one line, never longer than the edition allows."""
    index = {item.id: n for n, item in enumerate(kitchen_safety.items)}
    essay = "First,\n\n{note} " + "very long " * 60
    calls = [["cross-contamination", " Cross   Contamination "], ["sodium-symbol", "na"],
             ["fridge-temperature", "3.0"], ["hand-washing-seconds", "1e1"], ["fridge-temperature", "warm"],
             ["near-miss-report", essay]]
    got = node_player(
        "var when = new Date(2027, 2, 4, 5, 6, 7); return payload.data.map(function (data) {"
        " return payload.calls.map(function (c) { var out = {};"
        "  player.interactions(data, c[0], c[1], 3, when)[0].forEach(function (p) { out[p[0]] = p[1]; });"
        "  return out; });"
        " });",
        {"data": [player_data(kitchen_safety, SCORM12), player_data(kitchen_safety, SCORM2004)],
         "calls": [[index[i], text] for i, text in calls]})
    twelve, twenty = got
    pick = ("type", "student_response", "correct_responses.0.pattern", "result")
    assert [[r.get(k) for k in pick] for r in twelve] == [
        ["fill-in", "Cross Contamination", "cross-contamination", "correct"],
        ["fill-in", "na", "Na", "wrong"],
        ["numeric", "3", None, "correct"],
        ["numeric", "10", "20", "wrong"],
        ["numeric", None, None, "wrong"],
        ["fill-in", ("First, {note} " + "very long " * 60)[:254] + "\u2026", None, "neutral"]]
    pick = ("type", "learner_response", "correct_responses.0.pattern", "result")
    assert [[r.get(k) for k in pick] for r in twenty] == [
        ["fill-in", "Cross Contamination", "cross-contamination", "correct"],
        ["fill-in", "na", "{case_matters=true}Na", "incorrect"],
        ["numeric", "3", "1[:]5", "correct"],
        ["numeric", "10", "15[:]25", "incorrect"],
        ["numeric", None, "1[:]5", "incorrect"],
        ["long-fill-in", ("First, {note} " + "very long " * 60).strip(), None, "neutral"]]
    assert list(twenty[5]) == ["id", "type", "weighting", "learner_response", "result", "latency", "timestamp"]
    assert twelve[5]["weighting"] == "4" and len(twelve[5]["student_response"]) == 255


def test_essays_are_outside_the_score(node_player, kitchen_safety):
    """The score's maximum counts the automatically scored items only; the essays are counted apart,
    and pass/fail follows the automatic percent (what the LMS receives as raw)."""
    data = player_data(with_settings(kitchen_safety, shuffle_choices=False), SCORM12)
    responses = {"knife-carry": [0], "cross-contamination": "cross contamination", "sodium-symbol": "NA",
                 "fridge-temperature": "7", "hand-washing-seconds": "20",
                 "near-miss-report": "I would " * 20}
    answers = [{"submitted": True, "response": responses[item.id]} for item in kitchen_safety.items]
    got = node_player("return player.summarize(payload.data, player.draw(payload.data, 1), payload.answers);",
                      {"data": data, "answers": answers})
    auto = [item for item in kitchen_safety.items if scoring.auto_scored(item)]
    score = sum(scoring.score(item, responses[item.id] if item.id != "knife-carry" else ["A"]) for item in auto)
    assert got["max"] == sum(item.points for item in auto) == 6
    assert got["score"] == score == 4.5 and got["passed"] == scoring.passed(score, 6, 70) is True
    assert (got["graded"], got["gradedPoints"]) == (1, 4)


def worst_typed_state_script() -> str:
    """Every item submitted with its longest response (3-byte characters filling each box, an essay
    far past what the state keeps) and every hint shown."""
    return ("var state = player.freshState(payload, 99999); state.elapsed = 999999999;"
            " state.position = state.drawn.length - 1;"
            " state.answers = state.drawn.map(function (e) { var item = payload.items[e.item];"
            "  var response = item.choices ? item.choices.map(function (c, n) { return n; }) :"
            "   '\u20ac'.repeat(item.maxLength || 5000);"
            "  return {hints: item.hints.length, submitted: true, response: response}; });"
            " var text = player.encodeState(payload, state); var back = player.decodeState(payload, text);"
            " return {length: text.length, back: back.answers.map(function (a) { return a.response.length; })};")


def test_suspend_data_bound_holds_for_typed_answers(node_player, kitchen_safety):
    result = node_player(worst_typed_state_script(), player_data(kitchen_safety, SCORM12))
    bound = suspend_data_bound(kitchen_safety)
    assert result["length"] <= bound <= 4096
    assert result["length"] > bound - 20  # the bound is the worst case, not far above it
    essay = next(n for n, item in enumerate(kitchen_safety.items) if item.id == "near-miss-report")
    assert result["back"][essay] == 333  # 1,000 bytes of 3-byte characters kept for resuming


def test_typed_answers_resume(node_player, kitchen_safety):
    data = player_data(with_settings(kitchen_safety, shuffle_choices=False), SCORM2004)
    got = node_player(
        "var s = player.freshState(payload, 1, 'q');"
        " s.answers[1] = {hints: 1, submitted: true, response: 'cross  contamination \u00e9'};"
        " s.answers[3] = {hints: 0, submitted: true, response: '4,5'};"
        " s.answers[5] = {hints: 0, submitted: false, response: 'Line one\\nline two'};"
        " var text = player.encodeState(payload, s); var back = player.decodeState(payload, text);"
        " return {text: text, answers: back.answers};", data)
    assert [a["response"] for a in got["answers"]] == [[], "cross  contamination \u00e9", "", "4,5", "",
                                                        "Line one\nline two"]
    assert got["answers"][1]["hints"] == 1 and got["answers"][5]["submitted"] is False
    assert re.fullmatch(r"2;1;0;0;q;[0-9a-z]+;,1s[0-9A-Za-z]+,,0s[0-9A-Za-z]+,,0n[0-9A-Za-z]+", got["text"])


# ---- matching, ordering, fill in the blanks ----------------------------------------------------

def matching_item(base: Item, pairs: int, distractors: int, rule: str) -> Item:
    interaction = MatchingInteraction(
        tuple(Pair(Markup(f"Left {n}"), Markup(f"Right {n}")) for n in range(1, pairs + 1)),
        tuple(Markup(f"Other {n}") for n in range(1, distractors + 1)), rule)  # type: ignore[arg-type]
    return dataclasses.replace(base, id=f"gen-match-{pairs}-{distractors}-{rule}", points=3.0,
                               interaction=interaction)


def ordering_item(base: Item, steps: int, rule: str) -> Item:
    interaction = OrderingInteraction(tuple(Markup(f"Step {n}") for n in range(1, steps + 1)), rule)  # type: ignore[arg-type]
    return dataclasses.replace(base, id=f"gen-order-{steps}-{rule}", points=2.5, interaction=interaction)


def blanks_item(base: Item) -> Item:
    interaction = FillInBlanksInteraction((
        TextBlank("word", ("Soapy", "sudsy  water"), False),
        TextBlank("exact", ("pH",), True),
        ChoiceBlank("pick", ("red", "green", "blue"), 2),
        NumericBlank("number", NumericAnswer(0.5, 10.0, True, None, 100, None)),
    ))
    prompt = Markup("<p>[[word]] [[exact]] [[pick]] [[number]]</p>")
    return dataclasses.replace(base, id="gen-blanks", points=3.0, prompt=prompt, interaction=interaction)


def python_response(item: Item, response: list) -> object:
    """The player's response to ``item`` as builder.scoring takes it."""
    match item.interaction:
        case MatchingInteraction() as matching:
            return {left: f"R{o + 1}" for left, o in zip(matching.left_ids, response, strict=True) if o >= 0}
        case OrderingInteraction() as ordering:
            return [ordering.step_ids[s] for s in response]
        case FillInBlanksInteraction() as blanks:
            return {blank.name: (blank.options[int(value)] if value != "" else "")
                    if isinstance(blank, ChoiceBlank) else value
                    for blank, value in zip(blanks.blanks, response, strict=True)}
        case _:
            raise AssertionError("matching, ordering and blanks only")


def parts_cases(item: Item) -> list[list]:
    """Every assignment, permutation or combination of blank values of a small item."""
    match item.interaction:
        case MatchingInteraction() as matching:
            return [list(c) for c in itertools.product(range(-1, len(matching.options)), repeat=len(matching.pairs))]
        case OrderingInteraction() as ordering:
            return [list(p) for p in itertools.permutations(range(len(ordering.steps)))]
        case FillInBlanksInteraction() as blanks:
            values = []
            for blank in blanks.blanks:
                match blank:
                    case TextBlank():
                        values.append(["", *blank.answers, " SOAPY ", "ph", "PH", "sudsy water", "other"])
                    case ChoiceBlank():
                        values.append(["", *(str(n) for n in range(len(blank.options)))])
                    case NumericBlank():
                        low, high = blank.answer.bounds
                        values.append(["", repr(low), repr(high), "0,5", "0.551", "0.45", "x", "5e-1", "20"])
            return [list(c) for c in itertools.product(*values)]
        case _:
            raise AssertionError("matching, ordering and blanks only")


def test_player_scores_parts_like_scoring_py(node_player, kitchen_tasks):
    """Every assignment of small generated matching items (per pair and all or nothing, with and
    without distractors, left sides unmatched), every permutation of ordering items of 2 to 5
    steps, and combinations of every blank's values (the kitchen-tasks items and a generated one of
    every blank kind), in an English and a French quiz: the JS score and correctness equal
    builder.scoring's."""
    base = kitchen_tasks.items[0]
    items = [*kitchen_tasks.items,
             *(matching_item(base, pairs, distractors, rule) for pairs in (2, 3) for distractors in (0, 1)
               for rule in ("per_pair", "all_or_nothing")),
             *(ordering_item(base, steps, rule) for steps in (2, 3, 4, 5)
               for rule in ("per_position", "all_or_nothing")),
             blanks_item(base)]
    for language in ("en", "fr"):
        quiz = dataclasses.replace(kitchen_tasks, items=tuple(items), language=language)
        data = player_data(quiz, SCORM2004)
        cases = [(n, response) for n, item in enumerate(items) for response in parts_cases(item)]
        got = node_player("return payload.cases.map(function (c) { var item = payload.data.items[c[0]];"
                          " return [player.scoreItem(item, c[1], payload.data.quiz),"
                          " player.isCorrect(item, c[1], payload.data.quiz)]; });",
                          {"data": data, "cases": cases})
        expected = [[scoring.score(items[n], python_response(items[n], r), language),
                     scoring.is_correct(items[n], python_response(items[n], r), language)] for n, r in cases]
        assert len(cases) > 3000
        assert got == expected
        assert any(0 < points < items[n].points for (n, _), (points, _) in zip(cases, expected, strict=True))


def test_ordering_never_starts_in_the_right_order(node_player, kitchen_tasks):
    base = kitchen_tasks.items[0]
    items = (ordering_item(base, 2, "per_position"), ordering_item(base, 3, "per_position"))
    item = player_data(dataclasses.replace(kitchen_tasks, items=items), SCORM12)["items"]
    got = node_player("var out = []; for (var seed = 0; seed < 500; seed++) { payload.forEach(function (item) {"
                      " out.push(player.INTERACTIONS.ordering.arrange(item, player.prng(seed), false)); }); }"
                      " return out;", item)
    assert all(layout != sorted(layout) for layout in got)
    assert {tuple(layout) for layout in got if len(layout) == 3} >= {(1, 2, 0), (2, 0, 1), (0, 2, 1)}


def test_parts_interactions_in_each_edition(node_player, kitchen_tasks):
    """What each edition records for the kitchen-tasks items: matching, sequencing, and one
    interaction per blank (fill-in, numeric or choice) with its share of the points."""
    unshuffled = with_settings(kitchen_tasks, shuffle_choices=False)
    data = [player_data(unshuffled, edition) for edition in (SCORM12, SCORM2004)]
    responses = [[0, 3, 2], [1, 0, 2, 3], [0, 1, 2, 3], ["  Soapy ", "15", "0"], ["0", "1"]]
    got = node_player("var when = new Date(2027, 2, 4, 5, 6, 7); return payload.data.map(function (data) {"
                      " var out = []; payload.responses.forEach(function (r, n) {"
                      " player.interactions(data, n, r, 3, when).forEach(function (pairs) { var one = {};"
                      " pairs.forEach(function (p) { one[p[0]] = p[1]; }); out.push(one); }); });"
                      " return out; });", {"data": data, "responses": responses})
    twelve, later = got
    assert [(i["id"], i["type"], i["weighting"], i["student_response"], i.get("correct_responses.0.pattern"),
             i["result"]) for i in twelve] == [
        ("storage-places", "matching", "3", "1.a,2.d,3.c", "1.a,2.b,3.c", "wrong"),
        ("closing-steps", "sequencing", "4", "b,a,c,d", "a,b,c,d", "wrong"),
        ("washing-order", "sequencing", "1", "a,b,c,d", "a,b,c,d", "correct"),
        ("cleaning-blanks-soapy", "fill-in", "1", "Soapy", "soapy", "correct"),
        ("cleaning-blanks-minutes", "numeric", "1", "15", None, "correct"),  # a range: no 1.2 pattern
        ("cleaning-blanks-colour", "choice", "1", "a", "a", "correct"),
        ("choice-blanks-fire", "choice", "0.5", "a", "a", "correct"),
        ("choice-blanks-water", "choice", "0.5", "b", "a", "wrong")]
    assert [(i["id"], i["type"], i["learner_response"], i.get("correct_responses.0.pattern"), i["result"])
            for i in later] == [
        ("storage-places", "matching", "L1[.]R1[,]L2[.]R4[,]L3[.]R3", "L1[.]R1[,]L2[.]R2[,]L3[.]R3", "incorrect"),
        ("closing-steps", "sequencing", "S2[,]S1[,]S3[,]S4", "S1[,]S2[,]S3[,]S4", "incorrect"),
        ("washing-order", "sequencing", "S1[,]S2[,]S3[,]S4", "S1[,]S2[,]S3[,]S4", "correct"),
        ("cleaning-blanks-soapy", "fill-in", "Soapy", "soapy", "correct"),
        ("cleaning-blanks-minutes", "numeric", "15", "10[:]30", "correct"),
        ("cleaning-blanks-colour", "choice", "o1", "o1", "correct"),
        ("choice-blanks-fire", "choice", "o1", "o1", "correct"),
        ("choice-blanks-water", "choice", "o2", "o1", "incorrect")]


def test_parts_resume_and_their_bound(node_player, kitchen_tasks):
    """A partly matched item, a reordered list and blanks (typed, number, drop-down) round-trip
    through the resume state; the worst case stays within suspend_data_bound."""
    data = player_data(kitchen_tasks, SCORM12)
    got = node_player(
        "var s = player.freshState(payload, 1, 'q');"
        " s.answers[0] = {hints: 1, submitted: false, response: [2, -1, 0]};"
        " s.answers[1] = {hints: 0, submitted: true, response: [3, 2, 1, 0]};"
        " s.answers[3] = {hints: 0, submitted: true, response: ['h\u00e9t', '', '2']};"
        " var text = player.encodeState(payload, s); var back = player.decodeState(payload, text);"
        " var worst = player.freshState(payload, 99999); worst.elapsed = 999999999;"
        " worst.position = worst.drawn.length - 1;"
        " worst.answers = worst.drawn.map(function (e) { var item = payload.items[e.item]; var r ="
        "  item.lefts ? item.lefts.map(function () { return item.options.length - 1; }) :"
        "  item.steps ? item.steps.map(function (x, n) { return item.steps.length - 1 - n; }) :"
        "  item.blanks.map(function (b) { return b.kind === 'choice' ? String(b.options.length - 1) :"
        "   '\u20ac'.repeat(b.maxLength); });"
        "  return {hints: item.hints.length, submitted: true, response: r}; });"
        " var worstText = player.encodeState(payload, worst);"
        " return {text: text, answers: back.answers, worst: worstText.length,"
        "  worstBack: player.decodeState(payload, worstText) !== null,"
        "  bad: ['0', 'zz', '00', '0a', '02c'].map(function (t) { return ["
        "   player.INTERACTIONS.matching.decodeState(payload.items[0], t),"
        "   player.INTERACTIONS.ordering.decodeState(payload.items[1], t),"
        "   player.INTERACTIONS.fill_in_blanks.decodeState(payload.items[3], t)]; })};", data)
    assert [a["response"] for a in got["answers"]] == [[2, -1, 0], [3, 2, 1, 0], [], ["h\u00e9t", "", "2"], []]
    assert got["answers"][0]["hints"] == 1 and got["answers"][0]["submitted"] is False
    assert got["worstBack"]
    bound = suspend_data_bound(kitchen_tasks)
    assert got["worst"] <= bound <= 4096
    assert got["worst"] > bound - 20
    assert all(result[1] is None and result[2] is None for result in got["bad"])


def test_scorm12_refuses_a_matching_item_it_cannot_report(kitchen_tasks):
    base = kitchen_tasks.items[0]
    fits = matching_item(base, 30, 6, "per_pair")
    too_many = matching_item(base, 30, 7, "per_pair")
    quiz = dataclasses.replace(kitchen_tasks, items=(fits, too_many))
    problems = check_scorm12(quiz)
    assert [(p.path, p.line) for p in problems] == [(base.place.path, base.place.line)]
    assert "at most 36 pairs and 36 right-hand options" in problems[0].message and "37 options" in problems[0].message
    assert check_scorm2004(quiz) == []


def test_scorm12_refuses_a_drop_down_it_cannot_report(kitchen_tasks):
    item = kitchen_tasks.items[4]
    wide = FillInBlanksInteraction((ChoiceBlank("fire", tuple(f"o{k}" for k in range(37)), 0),
                                    ChoiceBlank("water", tuple(f"o{k}" for k in range(36)), 0)))
    quiz = dataclasses.replace(kitchen_tasks, items=(dataclasses.replace(item, interaction=wide),))
    (problem,) = check_scorm12(quiz)
    assert (problem.path, problem.line) == (item.place.path, item.place.line)
    assert "at most 36 options per drop-down (a-z, 0-9) and blank 'fire' has 37" in problem.message
    assert check_scorm2004(quiz) == []


# ---- media, math and tables (the kitchen-media test quiz) ----------------------------------------

@pytest.mark.parametrize("edition", ["scorm12", "scorm2004"])
def test_each_file_is_stored_once_where_the_fragments_name_it(edition, kitchen_media):
    """At media/<its path in the quiz folder>, after the player's files, in the quiz's order: the
    path its fragments' src names from index.html (URL-quoted there and in the manifest)."""
    output = BUILDERS[edition](kitchen_media)
    assert output.warnings == ()
    files = members(output.data)
    stored = [f"media/{file.name}" for file in kitchen_media.media]
    assert list(files) == ["imsmanifest.xml", *PLAYER_FILES, *stored]
    assert "media/media/fridge shelf.jpg" in files and "media/media/énergie.webp" in files
    for file in kitchen_media.media:
        assert files[f"media/{file.name}"] == file.content
    root = etree.fromstring(files["imsmanifest.xml"])
    listed = [e.get("href") for e in root.iter("{*}file")]
    assert listed == [*PLAYER_FILES, *(f"media/{file.href}" for file in kitchen_media.media)]
    assert "media/media/fridge%20shelf.jpg" in listed and "media/media/%C3%A9nergie.webp" in listed
    page = files["index.html"].decode("utf-8")
    named = set(re.findall(r'src=\\"(media/[^"\\]*)\\"', page))
    assert named == {f"media/{file.href}" for file in kitchen_media.media}


def test_launch_page_takes_nothing_from_outside_the_package_but_https_images(kitchen_media):
    page = members(build_scorm2004(kitchen_media).data)["index.html"].decode("utf-8")
    (policy,) = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    assert policy.split("; ") == ["default-src 'none'", "script-src 'self'", "style-src 'self'",
                                  "img-src 'self' https:", "media-src 'self'", "base-uri 'none'", "form-action 'none'"]


def test_media_math_and_tables_in_the_player_data(kitchen_media):
    """Audio and video as HTML5 players, MathML as it is, cell alignment as classes; the allowlist
    the player filters them by again takes the MathML by namespace and the players' attributes."""
    data = player_data(kitchen_media, SCORM2004)
    by_id = {item["id"]: item for item in data["items"]}
    texts = json.dumps(data["items"])
    assert "<object" not in texts
    prompt = by_id["alarm-sound"]["prompt"]
    assert ('<audio controls="controls" src="media/media/bell.mp3" aria-label="A short beep at one pitch, '
            'one second long">A short beep at one pitch, one second long</audio>') in prompt
    assert '<video controls="controls" src="media/media/handwashing.webm"' in prompt
    assert '<video controls="controls" src="media/media/knife.mp4"' in by_id["alarm-sound"]["explanation"]
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in by_id["dilution-formula"]["prompt"]
    assert "<mfrac>" in by_id["dilution-formula"]["answers"][0]["feedback"]
    assert '<th align="right">Reading</th>' in by_id["temperature-table"]["prompt"]
    assert '<td colspan="2">' in by_id["temperature-table"]["explanation"]
    assert "<math" in by_id["shelf-matching"]["lefts"][1]["html"]
    assert '<img src="media/media/glove.gif"' in by_id["fridge-picture"]["choices"][0]["html"]
    allow = data["allow"]
    assert allow["mathml"]["tags"] == sorted(formulas.MATHML_TAGS)
    assert allow["mathml"]["attributes"] == sorted(formulas.MATHML_ATTRIBUTES)
    assert "object" not in allow["html"]["tags"] and {"audio", "video", "table", "th"} <= set(allow["html"]["tags"])
    assert allow["html"]["attributes"]["video"] == ["aria-label", "controls", "src"]
    assert allow["html"]["attributes"]["th"] == ["align", "colspan", "rowspan", "scope"]
    assert allow["files"] == {"prefix": "media/", "tags": ["audio", "img", "video"], "only": ["audio", "video"]}


PACKAGED_FILES = [
    ("media/a.png", True), ("media/media/fridge%20shelf.jpg", True), ("media/%C3%A9nergie.webp", True),
    ("media/a/b/c.mp4", True), ("media/a.b.c", True), ("media/...", True),
    ("media/", False), ("media", False), ("a.png", False), ("/media/a.png", False), ("media//a.png", False),
    ("media/../a.png", False), ("media/a/../../a.png", False), ("media/./a.png", False), ("media/%2e%2e/a.png", False),
    ("media/%2E./a.png", False), ("media/a%2fb.png", False), ("media/a%5Cb.png", False), ("media/a\\b.png", False),
    ("media/a b.png", False), (" media/a.png", False), ("media/a.png?x=1", False), ("media/a.png#x", False),
    ("media/a:b.png", False), ("media/%ff.png", False), ("media/%2.png", False), ("Media/a.png", False),
    ("https://e.example/media/a.png", False), ("media/é.png", False), ("media/a.png/", False),
]


def test_player_takes_files_of_the_package_only_as_the_build_names_them(node_player, kitchen_media):
    """packagedFile: the build's media/ prefix, then a URL-quoted path inside the package; and which
    element may show one (allowedReference): an image, audio or video's src, never a link."""
    data = player_data(kitchen_media, SCORM12)
    named = sorted(set(re.findall(r' src="(media/[^"]*)"', json.dumps(data["items"]).replace('\\"', '"'))))
    assert len(named) == len(kitchen_media.media)
    references = [["img", "src", "media/a.png"], ["audio", "src", "media/a.mp3"], ["video", "src", "media/a.mp4"],
                  ["a", "href", "media/a.png"], ["img", "src", "https://e.example/a.png"],
                  ["audio", "src", "https://e.example/a.mp3"], ["video", "src", "https://e.example/a.mp4"],
                  ["a", "href", "https://e.example/"], ["img", "src", "media/../a.png"], ["span", "src", "media/a.png"]]
    got = node_player("return {table: payload.table.map(function (c) { return player.packagedFile(c, 'media/'); }),"
                      " named: payload.named.map(function (c) { return player.packagedFile(c, 'media/'); }),"
                      " references: payload.references.map(function (r) {"
                      "   return player.allowedReference(r[0], r[1], r[2], payload.allow); })};",
                      {"table": [url for url, _ in PACKAGED_FILES], "named": named, "references": references,
                       "allow": data["allow"]})
    assert got["table"] == [allowed for _, allowed in PACKAGED_FILES]
    assert all(got["named"])
    assert got["references"] == [True, True, True, False, True, False, False, True, False, False]
