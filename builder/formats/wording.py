"""Words and orders shared by the formats that have no standard for them (Moodle, Canvas): the
combined feedback learners read after an answer, and which choice of a true/false item is 'true'."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from markupsafe import Markup

from builder import markup
from builder.model import Choice, ChoiceInteraction

TRUE_WORDS = ("true", "false")


@dataclass(frozen=True)
class OutcomeFeedback:
    """What a learner reads after a fully right, partly right and wrong answer."""

    correct: Markup
    partially_correct: Markup
    incorrect: Markup


@functools.cache
def outcome_feedback(partial_credit: bool) -> OutcomeFeedback:
    """Moodle's own wording for its combined feedback, so learners see what they know from Moodle;
    ``partial_credit``: whether an answer can be partly right."""
    def paragraph(text: str) -> Markup:
        return markup.block(text)[0]
    partly = "Your answer is partially correct." if partial_credit else "Your answer is not fully correct."
    return OutcomeFeedback(paragraph("Your answer is correct."), paragraph(partly),
                           paragraph("Your answer is incorrect."))


def truefalse_choices(interaction: ChoiceInteraction) -> tuple[Choice, Choice]:
    """(the 'true' statement, the 'false' one): by identifier when the author named them true/false,
    else in the order written (true first), as Moodle's and Canvas's own exports have them."""
    by_id = {c.identifier.lower(): c for c in interaction.choices}
    if set(by_id) == set(TRUE_WORDS):
        return by_id["true"], by_id["false"]
    return interaction.choices[0], interaction.choices[1]


def truefalse_labels(interaction: ChoiceInteraction) -> tuple[str, str]:
    """What the 'true' and the 'false' choice of a true/false item say, as plain lower-case text."""
    true_choice, false_choice = truefalse_choices(interaction)
    return markup.plain_text(true_choice.text).lower(), markup.plain_text(false_choice.text).lower()
