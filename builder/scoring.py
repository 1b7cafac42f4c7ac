"""The one scoring definition. QTI response processing, the SCORM player, Moodle fractions and
Canvas's settings are all derived from ``choice_weights``; tests check they agree.

* single_choice and true_false: the item's points for the correct choice, 0 otherwise.
* multiple_response: each correct choice earns points/k (k = number of correct choices); each wrong
  choice costs the same when ``wrong_choice_penalty`` is on (the default, and Canvas's own rule), or
  nothing when it is off. The total is kept between 0 and the item's points.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from builder.model import Item


def choice_weights(item: Item) -> dict[str, float]:
    """Points earned (or lost, when negative) by selecting each choice, keyed by choice identifier."""
    if item.type != "multiple_response":
        return {c.identifier: (item.points if c.correct else 0.0) for c in item.choices}
    share = item.points / len(item.correct_choices)
    wrong = -share if item.wrong_choice_penalty else 0.0
    return {c.identifier: (share if c.correct else wrong) for c in item.choices}


def choice_fractions(item: Item) -> dict[str, float]:
    """The weights as fractions of the item's points (Moodle's per-answer grade)."""
    return {key: value / item.points for key, value in choice_weights(item).items()}


def score(item: Item, selected: Iterable[str]) -> float:
    """Points for a response; ``selected`` holds choice identifiers (one at most for single answers)."""
    chosen = set(selected)
    weights = choice_weights(item)
    if item.type != "multiple_response" and len(chosen) != 1:
        return 0.0
    total = sum(weights[c] for c in chosen if c in weights)
    return round(min(max(total, 0.0), item.points), 7)


def is_correct(item: Item, selected: Iterable[str]) -> bool:
    """Exactly the correct choices selected: what LMSs record as a 'correct' interaction."""
    return set(selected) == {c.identifier for c in item.correct_choices}


def passed(score_points: float, max_points: float, pass_mark: float) -> bool:
    """Pass when the score, as a percent of the maximum, reaches the pass mark."""
    return max_points > 0 and round(100 * score_points / max_points, 7) >= pass_mark


@functools.lru_cache(maxsize=4096)
def format_number(value: float, places: int = 7) -> str:
    """Shortest decimal form, at most ``places`` decimals: 1.0 -> '1', 1/3 -> '0.3333333'.
    Remembered: a bank uses a handful of point values, written out several times per item."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
