"""The one scoring definition. QTI response processing, the SCORM player, Moodle fractions and
Canvas's settings are all derived from it; tests check they agree.

Choice interactions (``choice_weights``):

* single_choice and true_false: the item's points for the correct choice, 0 otherwise.
* multiple_response: each correct choice earns points/k (k = number of correct choices); each wrong
  choice costs the same when ``wrong_choice_penalty`` is on (the default, and Canvas's own rule), or
  nothing when it is off. The total is kept between 0 and the item's points.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import assert_never

from builder.model import ChoiceInteraction, Item

Response = Iterable[str]
"""A learner's response: for a choice interaction, the identifiers of the choices selected."""


def choice_weights(points: float, interaction: ChoiceInteraction) -> dict[str, float]:
    """Points earned (or lost, when negative) by selecting each choice, keyed by choice identifier."""
    if not interaction.multiple:
        return {c.identifier: (points if c.correct else 0.0) for c in interaction.choices}
    share = points / len(interaction.correct_choices)
    wrong = -share if interaction.wrong_choice_penalty else 0.0
    return {c.identifier: (share if c.correct else wrong) for c in interaction.choices}


def choice_fractions(points: float, interaction: ChoiceInteraction) -> dict[str, float]:
    """The weights as fractions of the item's points (Moodle's per-answer grade)."""
    return {key: value / points for key, value in choice_weights(points, interaction).items()}


def score(item: Item, response: Response) -> float:
    """Points for a response, between 0 and the item's points."""
    match item.interaction:
        case ChoiceInteraction() as choice:
            chosen = set(response)
            if not choice.multiple and len(chosen) != 1:
                return 0.0
            weights = choice_weights(item.points, choice)
            total = sum(weights[c] for c in chosen if c in weights)
        case _:
            assert_never(item.interaction)
    return round(min(max(total, 0.0), item.points), 7)


def is_correct(item: Item, response: Response) -> bool:
    """The fully right response: what LMSs record as a 'correct' interaction."""
    match item.interaction:
        case ChoiceInteraction() as choice:
            # Exactly the correct choices selected.
            return set(response) == {c.identifier for c in choice.correct_choices}
        case _:
            assert_never(item.interaction)


def passed(score_points: float, max_points: float, pass_mark: float) -> bool:
    """Pass when the score, as a percent of the maximum, reaches the pass mark."""
    return max_points > 0 and round(100 * score_points / max_points, 7) >= pass_mark


@functools.lru_cache(maxsize=4096)
def format_number(value: float, places: int = 7) -> str:
    """Shortest decimal form, at most ``places`` decimals: 1.0 -> '1', 1/3 -> '0.3333333'.
    Remembered: a bank uses a handful of point values, written out several times per item."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
