"""The one scoring definition for typed answers (builder/scoring.py): what a learner may type and
what it scores. Every format and the player are tested against these functions."""

from __future__ import annotations

import dataclasses

import pytest

from builder.scoring import auto_scored, is_correct, parse_number, score


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("30", "en", 30.0), (" 30.0 ", "en", 30.0), ("3e1", "en", 30.0), ("-0.5", "en", -0.5), (".5", "en", 0.5),
    ("+2", "en", 2.0), ("0,5", "fr", 0.5), ("0,5", "de-CH", 0.5), ("-1,25e2", "es", -125.0),
    ("0,5", "en", None), ("1,000", "en-US", None), ("30 days", "en", None), ("", "en", None), ("1e999", "en", None),
    ("nan", "en", None), ("inf", "en", None), ("0x1A", "en", None), ("1.5", "fr", 1.5), ("1.000,5", "de", None),
    # The digits of an Arabic or Persian keyboard, a full-width input method's, the minus sign.
    ("٣٠", "ar", 30.0), ("٢٫٥", "ar", 2.5), ("۳۰", "fa", 30.0), ("۲٫۵", "fa", 2.5), ("−۱", "fa", -1.0),
    ("٣٠", "en", 30.0), ("３０", "zh-Hans", 30.0), ("－０．５", "ja", -0.5), ("０，５", "fr", 0.5),
    ("０，５", "zh", None), ("٣٠ يوما", "ar", None), ("३", "hi", None),
])
def test_numbers_a_learner_may_type(text, language, expected):
    assert parse_number(text, language) == expected


def test_short_answers_match_after_folding_space_and_case(kitchen_safety):
    item = next(i for i in kitchen_safety.items if i.id == "cross-contamination")
    assert score(item, "  Cross-Contamination ") == 2 and is_correct(item, "CROSS-CONTAMINATION")
    assert score(item, "cross \t contamination") == 2
    assert score(item, "contamination") == 1 and not is_correct(item, "contamination")
    assert score(item, "cross-contamination!") == 0 and score(item, "") == 0
    assert score(item, "cross*") == 0  # no wildcards


def test_case_sensitive_short_answers(kitchen_safety):
    item = next(i for i in kitchen_safety.items if i.id == "sodium-symbol")
    assert score(item, "Na") == 1 and score(item, "NA") == 0 and score(item, "na") == 0


def test_numeric_answers_first_match_wins(kitchen_safety):
    fridge = next(i for i in kitchen_safety.items if i.id == "fridge-temperature")
    assert [score(fridge, typed) for typed in ("1", "5", "3.5", "0", "8", "8.01", "-1", "five")] == \
        [1, 1, 1, 0.5, 0.5, 0, 0, 0]
    hands = next(i for i in kitchen_safety.items if i.id == "hand-washing-seconds")
    assert [score(hands, typed) for typed in ("15", "25", "20.5", "14.9", "5", "4.9", "2e1")] == \
        [1, 1, 1, 0.25, 0.25, 0, 1]
    assert score(hands, "20,5", "fr") == 1 and score(hands, "20,5") == 0


def test_essays_are_never_scored_automatically(kitchen_safety):
    essay = next(i for i in kitchen_safety.items if i.id == "near-miss-report")
    assert not auto_scored(essay) and score(essay, "First, I would dry the floor.") == 0
    assert not is_correct(essay, "anything")
    assert all(auto_scored(item) for item in kitchen_safety.items if item is not essay)


def _item(quiz, item_id):
    return next(i for i in quiz.items if i.id == item_id)


def test_matching_scores_per_pair_or_all_or_nothing(kitchen_tasks):
    item = _item(kitchen_tasks, "storage-places")
    assert score(item, {"L1": "R1", "L2": "R2", "L3": "R3"}) == 3 and is_correct(item, {"L1": "R1", "L2": "R2",
                                                                                        "L3": "R3"})
    assert score(item, {"L1": "R1", "L2": "R4", "L3": "R2"}) == 1
    assert score(item, {"L1": "R1"}) == 1 and score(item, {}) == 0
    whole = dataclasses.replace(item, interaction=dataclasses.replace(item.interaction, scoring="all_or_nothing"))
    assert score(whole, {"L1": "R1", "L2": "R2", "L3": "R4"}) == 0 and score(whole, {"L1": "R1", "L2": "R2",
                                                                                     "L3": "R3"}) == 3


def test_ordering_scores_per_position_or_all_or_nothing(kitchen_tasks):
    per_position = _item(kitchen_tasks, "closing-steps")
    assert score(per_position, ["S1", "S2", "S3", "S4"]) == 4
    assert score(per_position, ["S2", "S1", "S3", "S4"]) == 2 and score(per_position, ["S4", "S3", "S2", "S1"]) == 0
    whole = _item(kitchen_tasks, "washing-order")
    assert score(whole, ["S1", "S2", "S3", "S4"]) == 1 and score(whole, ["S1", "S2", "S4", "S3"]) == 0
    assert not is_correct(whole, ["S1", "S2", "S4", "S3"]) and is_correct(whole, ["S1", "S2", "S3", "S4"])


def test_each_blank_earns_its_share(kitchen_tasks):
    item = _item(kitchen_tasks, "cleaning-blanks")
    assert score(item, {"soapy": " Sudsy ", "minutes": "10", "colour": "red"}) == 3
    assert score(item, {"soapy": "soapy", "minutes": "9.5", "colour": "blue"}) == 1
    assert score(item, {"minutes": "30,0"}, "fr") == 1 and score(item, {"minutes": "30,0"}) == 0
    assert score(item, {}) == 0 and not is_correct(item, {"soapy": "soapy"})
