"""--format flashcards (SCORM 2004) and flashcards12 (SCORM 1.2): the package (files, manifest, the
study player's data), the independent validator, the SCORM 1.2 bound on the resume state checked
at build time, the build's file names, and the study player's queue under Node."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from builder import cards
from builder.cache import NO_CACHE
from builder.cli import main
from builder.formats import flashcards
from builder.formats.flashcards import (
    FLASHCARDS,
    FLASHCARDS12,
    build,
    build12,
    check,
    check12,
    edition_warnings,
    suspend_data_bound,
)

from conftest import ROOT, assert_valid_package

BUILDS = {"flashcards": build, "flashcards12": build12}
OFFICIAL = {"flashcards12": "scorm12/scorm12_umbrella.xsd", "flashcards": "scorm2004_4th/scorm2004_4th_umbrella.xsd"}
DATA = re.compile(r'<script type="application/json" id="study-data">(.*?)</script>', re.S)


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def study_data(data: bytes) -> dict:
    found = DATA.search(members(data)["index.html"].decode("utf-8"))
    assert found is not None
    return json.loads(found.group(1))


@pytest.mark.parametrize("name", BUILDS)
def test_a_deck_is_one_sco_with_the_study_player_and_the_shared_files(name, warm_handoff, package_validator,
                                                                       tmp_path: Path):
    output = BUILDS[name](warm_handoff)
    assert output.filename == f"warm-handoff-1.0.0-{name}.zip"
    files = members(output.data)
    assert list(files) == ["imsmanifest.xml", "index.html", "common.css", "flashcards.css", "common.js",
                           "flashcards.js", "media/images/warm-handoff-diagram.png"]
    # What the quiz player has too is the very same file (shared, not copied).
    assert files["common.js"] == (ROOT / "templates" / "scorm" / "common.js").read_bytes()
    manifest = etree.fromstring(files["imsmanifest.xml"])
    hrefs = [f.get("href") for f in manifest.iter("{*}file")]
    assert hrefs == list(files)[1:]
    assert not list(manifest.iter("{*}masteryscore")) and not list(manifest.iter("{*}objectives"))
    data = study_data(output.data)
    deck = cards.cards(warm_handoff, NO_CACHE)
    assert [card["id"] for card in data["cards"]] == [card.id for card in deck] == list(warm_handoff.card_ids)
    assert data["edition"] == ("scorm2004" if name == "flashcards" else "scorm12")
    assert data["suspendDataLimit"] == (64000 if name == "flashcards" else 4096)
    assert "div" in data["allow"]["html"]["tags"] and data["allow"]["html"]["attributes"]["div"] == ["class"]
    assert data["messages"]["study.flip"] == "Flip the card"
    path = tmp_path / output.filename
    path.write_bytes(output.data)
    assert_valid_package(package_validator, path)


@pytest.mark.parametrize("name", BUILDS)
def test_same_bytes_every_build_and_the_official_schemas(name, warm_handoff, official_schema):
    first, second = BUILDS[name](warm_handoff).data, BUILDS[name](warm_handoff).data
    assert first == second
    schema = official_schema(OFFICIAL[name])
    assert schema.validate(etree.fromstring(members(first)["imsmanifest.xml"])), schema.error_log


def test_the_deck_version_follows_its_cards(warm_handoff):
    deck = cards.cards(warm_handoff, NO_CACHE)
    assert flashcards.deck_version(deck) == flashcards.deck_version(tuple(deck))
    assert flashcards.deck_version(deck) != flashcards.deck_version(deck[1:])
    assert flashcards.deck_version(deck) != flashcards.deck_version(tuple(reversed(deck)))


def test_a_deck_too_big_for_scorm12s_resume_state_is_a_warning(warm_handoff):
    """The bound: 1,296 cards fit SCORM 1.2's 4,096 characters, 1,297 do not (a card's number then
    takes three base-36 digits); SCORM 2004 holds them. Checked at build time, as the quiz player's
    bound is: a warning (the package is valid and holds every card)."""
    assert suspend_data_bound(1296) <= 4096 < suspend_data_bound(1297)
    ids = tuple(f"card-{n}" for n in range(1297))
    big = dataclasses.replace(warm_handoff, card_ids=ids)
    (warning,) = edition_warnings(big, FLASHCARDS12)
    assert (warning.format, warning.code) == ("flashcards12", "flashcards-resume-state-too-long")
    assert warning.message.startswith("SCORM 1.2 flashcards keeps a learner's place in at most 4096 characters, "
                                      "which hold a deck of 1296 cards, and this quiz has 1297")
    assert edition_warnings(big, FLASHCARDS) == []
    assert edition_warnings(dataclasses.replace(warm_handoff, card_ids=ids[:1296]), FLASHCARDS12) == []
    assert check(big) == check12(big) == []
    assert build12(warm_handoff).warnings == ()


def test_build_writes_both_editions_with_the_other_formats(tmp_path: Path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(ROOT / "items" / "warm-handoff"), "--format", "all",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    names = sorted(path.name for path in out.iterdir())
    assert "warm-handoff-1.0.0-flashcards.zip" in names and "warm-handoff-1.0.0-flashcards12.zip" in names
    sums = (out / "SHA256SUMS").read_text(encoding="utf-8")
    assert "warm-handoff-1.0.0-flashcards.zip" in sums and "warm-handoff-1.0.0-flashcards12.zip" in sums


# ---- the queue, under Node ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """run(script, payload): runs `script` in Node with `study` (flashcards.js) and `payload` bound."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is missing (CI is set, so the study player's tests must run)")
        pytest.skip("node is not installed")
    folder = tmp_path_factory.mktemp("study")
    shutil.copy(ROOT / "templates" / "scorm" / "common.js", folder / "common.js")
    shutil.copy(ROOT / "templates" / "flashcards" / "flashcards.js", folder / "flashcards.js")

    def run(script: str, payload: object = None) -> object:
        program = (f"const study = require({json.dumps(str(folder / 'flashcards.js'))});\n"
                   "const payload = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
                   f"const result = (function () {{ {script} }})();\n"
                   "process.stdout.write(JSON.stringify(result));\n")
        done = subprocess.run([node, "-e", program], input=json.dumps(payload), capture_output=True, text=True,
                              timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run


def test_again_comes_back_after_the_gap_and_good_leaves_the_queue(study):
    got = study("var s = study.freshState(5); var out = [s.queue.slice()];"
                "s = study.rate(s, false, 3); out.push(s.queue.slice());"   # card 0 Again: after 3 others
                "s = study.rate(s, true, 3); out.push(s.queue.slice());"    # card 1 Good
                "s = study.rate(s, false, 3); out.push(s.queue.slice());"   # card 2 Again: 2 left, at the end
                "out.push([study.learnedCount(s), study.progressMeasure(s), s.side, s.completed]);"
                "return out;")
    assert got == [[0, 1, 2, 3, 4], [1, 2, 3, 0, 4], [2, 3, 0, 4], [3, 0, 4, 2], [1, 0.2, "f", False]]


def test_every_card_good_once_completes_the_deck_and_a_new_round_stays_complete(study):
    got = study("var s = study.freshState(2); s = study.rate(s, false, 3); var again = s.queue.slice();"
                "s = study.rate(s, true, 3); s = study.rate(s, true, 3);"
                "var end = [s.side, s.completed, study.progressMeasure(s)];"
                "var round = study.freshState(2, s.completed);"
                "return [again, end, [round.side, round.completed, study.progressMeasure(round)]];")
    assert got == [[1, 0], ["e", True, 1], ["f", True, 1]]


def test_resume_state_round_trip_bound_and_refusals(study):
    data = {"deck": "abc1234", "cards": [{} for _ in range(40)]}
    got = study("var s = study.freshState(40); s = study.rate(s, true, 3); s = study.rate(s, false, 3);"
                "s = {good: s.good, queue: s.queue, side: 'b', completed: false};"
                "var text = study.encodeState(payload, s); var back = study.decodeState(payload, text);"
                "return [text, JSON.stringify(back) === JSON.stringify(s)];", data)
    text, same = got
    assert same and text.startswith("c1;abc1234;bn;1;")
    assert len(text) <= suspend_data_bound(40)
    worst = study("var s = study.freshState(40); s = {good: s.good, queue: s.queue, side: 'f', completed: true};"
                  "return study.encodeState(payload, s).length;", data)
    assert worst == suspend_data_bound(40) - 8  # no mask: every card yet to learn (8 digits of 40 cards)
    refused = study("return payload.texts.map(function (t) { return study.decodeState(payload.data, t); });",
                    {"data": data, "texts": [
                        text.replace("abc1234", "other00"),     # another deck
                        "c2" + text[2:],                        # another format
                        text[:-2],                              # a card missing from the queue
                        text + text[-2:],                       # a card twice
                        text.replace(";bn;", ";xn;"),           # no such side
                        "c1;abc1234;en;1;0001",                 # the end, with cards left
                        "garbage"]})
    assert refused == [None] * 7
