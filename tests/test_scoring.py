"""The one scoring definition for typed answers (builder/scoring.py): what a learner may type and
what it scores. Every format and the player are tested against these functions."""

from __future__ import annotations

import pytest

from builder.scoring import auto_scored, is_correct, parse_number, score


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("30", "en", 30.0), (" 30.0 ", "en", 30.0), ("3e1", "en", 30.0), ("-0.5", "en", -0.5), (".5", "en", 0.5),
    ("+2", "en", 2.0), ("0,5", "fr", 0.5), ("0,5", "de-CH", 0.5), ("-1,25e2", "es", -125.0),
    ("0,5", "en", None), ("1,000", "en-US", None), ("30 days", "en", None), ("", "en", None), ("1e999", "en", None),
    ("nan", "en", None), ("inf", "en", None), ("0x1A", "en", None), ("1.5", "fr", 1.5), ("1.000,5", "de", None),
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
