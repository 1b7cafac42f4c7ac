"""Words and orders shared by the formats that have no standard for them (Moodle, Canvas): the
combined feedback learners read after an answer, in the quiz's language (builder/catalogues), and
which choice of a true/false item is 'true'."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from markupsafe import Markup

from builder import catalogues, markup
from builder.model import Choice, ChoiceInteraction, MessageText, Quiz

TRUE_WORDS = ("true", "false")


@dataclass(frozen=True)
class OutcomeFeedback:
    """What a learner reads after a fully right, partly right and wrong answer."""

    correct: Markup
    partially_correct: Markup
    incorrect: Markup


@dataclass(frozen=True)
class Wording:
    """The texts of the combined feedback of a quiz, in its language: a frozen value, so a
    format's per-item options (and so its cache keys) can hold it."""

    correct: str
    partially_correct: str
    not_fully_correct: str
    incorrect: str


def wording(quiz: Quiz) -> Wording:
    """The combined feedback of ``quiz``: its catalogue's (Moodle's own wording in English, and
    what each language's Moodle pack says), or what quiz.yaml's ``strings:`` says instead."""
    return language_wording(quiz.language, quiz.strings)


@functools.cache
def language_wording(language: str, strings: tuple[tuple[str, MessageText], ...] = ()) -> Wording:
    """The combined feedback in ``language``'s catalogue, ``strings`` overriding it."""
    def text(key: str) -> str:
        return catalogues.message(language, strings, key)
    return Wording(text("outcome.correct"), text("outcome.partiallyCorrect"), text("outcome.notFullyCorrect"),
                   text("outcome.incorrect"))


@functools.cache
def outcome_feedback(words: Wording, partial_credit: bool) -> OutcomeFeedback:
    """The combined feedback in ``words``, so learners see what they know from Moodle;
    ``partial_credit``: whether an answer can be partly right."""
    def paragraph(text: str) -> Markup:
        return markup.block(text)[0]
    partly = words.partially_correct if partial_credit else words.not_fully_correct
    return OutcomeFeedback(paragraph(words.correct), paragraph(partly), paragraph(words.incorrect))


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
