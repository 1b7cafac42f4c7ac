"""The one scoring definition. QTI response processing, the SCORM player, Moodle fractions and
Canvas's settings are all derived from it; tests check they agree.

Choice interactions (``choice_weights``):

* single_choice and true_false: the item's points for the correct choice, 0 otherwise.
* multiple_response: each correct choice earns points/k (k = number of correct choices); each wrong
  choice costs the same when ``wrong_choice_penalty`` is on (the default, and Canvas's own rule), or
  nothing when it is off. The total is kept between 0 and the item's points.

Typed interactions: the answers are tried in order and the first that matches gives its credit
(percent of the item's points), as in Moodle; none matching gives 0.

* short_answer: the response and each answer compared after trimming and folding inner runs of
  whitespace to one space, and case-folded unless the item is case sensitive. No wildcards.
* numeric: the response read as a number (``parse_number``: ``30``, ``30.0``, ``3e1``, ``-0.5``,
  and ``0,5`` in a quiz whose language writes decimals with a comma; Arabic-Indic, Persian and
  full-width digits as their ASCII ones), matching an answer whose
  closed interval (``NumericAnswer.bounds``) holds it.
* essay: graded by a person; never scored here (0 points, never correct), and left out of the
  automatic maximum (``auto_scored``).

Matching, ordering and blanks (``fraction_right``): each part right earns its share of the points.

* matching: the response maps left ids (L1...) to option ids (R1...; Rn matches Ln). per_pair:
  each left side matched right earns points / pairs; all_or_nothing: every one, or nothing.
* ordering: the response is the step ids (S1... in the correct order) as the learner ordered
  them. all_or_nothing: the whole order, or nothing; per_position: each step in its own place
  earns points / steps.
* fill_in_blanks: the response maps blank names to what was typed or chosen; each blank right
  (typed: as a short answer is compared; drop-down: the right option; number: within its
  interval) earns points / blanks.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TypeVar, assert_never

from builder.model import (
    Blank,
    ChoiceBlank,
    ChoiceInteraction,
    EssayInteraction,
    FillInBlanksInteraction,
    Item,
    MatchingInteraction,
    NumericAnswer,
    NumericBlank,
    NumericInteraction,
    OrderingInteraction,
    ShortAnswerInteraction,
    TextAnswer,
    TextBlank,
)

Response = Iterable[str] | str | Mapping[str, str]
"""A learner's response: for a choice interaction, the identifiers of the choices selected; for a
typed interaction, the text typed; for matching, left id -> option id; for ordering, the step
ids in the learner's order; for blanks, blank name -> text typed or option chosen."""

# Languages whose decimal separator is a comma (primary subtags): a learner may type 0,5 there.
COMMA_DECIMAL_LANGUAGES = frozenset({
    "af", "az", "be", "bg", "bs", "ca", "cs", "da", "de", "el", "es", "et", "eu", "fi", "fo", "fr", "gl",
    "hr", "hu", "hy", "id", "is", "it", "ka", "kk", "ky", "lt", "lv", "mk", "mn", "nb", "nl", "nn", "no",
    "pl", "pt", "ro", "ru", "sk", "sl", "sq", "sr", "sv", "tr", "uk", "uz", "vi",
})
# What a learner's keyboard may type for the characters of a number, read as their ASCII ones (the
# player reads them alike): Arabic-Indic and Persian digits and the Arabic decimal separator (an
# Arabic or Persian keyboard's number row), full-width digits and signs (a Chinese, Japanese or
# Korean input method), the minus sign.
TYPED_NUMBER_CHARACTERS = str.maketrans({
    **{chr(first + n): str(n) for first in (0x0660, 0x06F0, 0xFF10) for n in range(10)},
    "\u066b": ".", "\uff0e": ".", "\uff0c": ",", "\u2212": "-", "\uff0d": "-", "\uff0b": "+",
})
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_NUMBER_WITH_COMMA = re.compile(r"[+-]?(?:[0-9]+(?:,[0-9]*)?|,[0-9]+)(?:[eE][+-]?[0-9]+)?")


def decimal_comma(language: str) -> bool:
    """Whether a quiz in ``language`` (a tag such as fr-CA) writes decimals with a comma."""
    return language.split("-")[0].lower() in COMMA_DECIMAL_LANGUAGES


def parse_number(text: str, language: str = "en") -> float | None:
    """A learner's number, or None when the text is not one (the player reads it the same way)."""
    text = text.strip().translate(TYPED_NUMBER_CHARACTERS)
    if _NUMBER.fullmatch(text):
        value = float(text)
    elif decimal_comma(language) and _NUMBER_WITH_COMMA.fullmatch(text):
        value = float(text.replace(",", "."))
    else:
        return None
    return value if value == value and abs(value) != float("inf") else None


def fold_spaces(text: str) -> str:
    """``text`` trimmed, each run of whitespace inside it one space: how every format writes an
    accepted text, since lmspack compares so."""
    return " ".join(text.split())


def normalised_text(text: str, case_sensitive: bool) -> str:
    """A typed answer as compared: trimmed, inner whitespace folded to one space, case-folded
    unless case matters."""
    folded = fold_spaces(text)
    return folded if case_sensitive else folded.casefold()


def full_credit(answer: TextAnswer | NumericAnswer) -> bool:
    """Whether the answer earns the item's points."""
    return answer.credit >= 100


Answer = TypeVar("Answer", TextAnswer, NumericAnswer)


def correct_answer(answers: Sequence[Answer]) -> Answer:
    """The item's correct response, as formats report it: its first answer worth full credit (the
    loader refuses an item without one)."""
    return next(answer for answer in answers if full_credit(answer))


def credit_points(points: float, credit: float) -> float:
    """The points an answer of ``credit`` percent earns on an item of ``points``."""
    return points * credit / 100


def matching_text_answer(interaction: ShortAnswerInteraction, response: str) -> TextAnswer | None:
    """The first answer the typed response matches (None: none does)."""
    typed = normalised_text(response, interaction.case_sensitive)
    return next((answer for answer in interaction.answers
                 if normalised_text(answer.text, interaction.case_sensitive) == typed), None)


def matching_numeric_answer(interaction: NumericInteraction, response: str,
                            language: str = "en") -> NumericAnswer | None:
    """The first answer whose interval holds the typed number (None: none does, or not a number)."""
    value = parse_number(response, language)
    if value is None:
        return None
    return next((answer for answer in interaction.answers
                 if answer.bounds[0] <= value <= answer.bounds[1]), None)


def auto_scored(item: Item) -> bool:
    """Whether the item is scored automatically (every kind but essay, which a person grades)."""
    match item.interaction:
        case (ChoiceInteraction() | ShortAnswerInteraction() | NumericInteraction() | MatchingInteraction()
              | OrderingInteraction() | FillInBlanksInteraction()):
            return True
        case EssayInteraction():
            return False
        case _:
            assert_never(item.interaction)


def fraction_right(interaction: MatchingInteraction | OrderingInteraction | FillInBlanksInteraction,
                   response: Response, language: str = "en") -> float:
    """The share of the item's points a response to a matching, ordering or blanks item earns."""
    match interaction:
        case MatchingInteraction() as matching:
            chosen = _mapping(response)
            right = sum(chosen.get(left) == f"R{n}" for n, left in enumerate(matching.left_ids, start=1))
            return _share(right, len(matching.pairs), matching.scoring == "all_or_nothing")
        case OrderingInteraction() as ordering:
            given = [response] if isinstance(response, str) else list(response)
            right = sum(n < len(given) and given[n] == step for n, step in enumerate(ordering.step_ids))
            whole = given == list(ordering.step_ids)
            return (1.0 if whole else 0.0) if ordering.scoring == "all_or_nothing" else right / len(ordering.steps)
        case FillInBlanksInteraction() as blanks:
            filled = _mapping(response)
            right = sum(blank_right(blank, filled.get(blank.name, ""), language) for blank in blanks.blanks)
            return _share(right, len(blanks.blanks), all_or_nothing=False)
        case _:
            assert_never(interaction)


def blank_right(blank: Blank, text: str, language: str = "en") -> bool:
    """Whether what was typed or chosen in a blank is right."""
    match blank:
        case TextBlank() as typed:
            entered = normalised_text(text, typed.case_sensitive)
            return any(normalised_text(answer, typed.case_sensitive) == entered for answer in typed.answers)
        case ChoiceBlank() as choice:
            return text == choice.options[choice.correct]
        case NumericBlank() as number:
            value = parse_number(text, language)
            return value is not None and number.answer.bounds[0] <= value <= number.answer.bounds[1]
        case _:
            assert_never(blank)


def _share(right: int, parts: int, all_or_nothing: bool) -> float:
    if all_or_nothing:
        return 1.0 if right == parts else 0.0
    return right / parts


def _mapping(response: Response) -> Mapping[str, str]:
    return response if isinstance(response, Mapping) else {}


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


def score(item: Item, response: Response, language: str = "en") -> float:
    """Points for a response, between 0 and the item's points (``language``: the quiz's, for numbers)."""
    match item.interaction:
        case ChoiceInteraction() as choice:
            chosen = {response} if isinstance(response, str) else set(response)
            if not choice.multiple and len(chosen) != 1:
                return 0.0
            weights = choice_weights(item.points, choice)
            total = sum(weights[c] for c in chosen if c in weights)
        case ShortAnswerInteraction() as short:
            text_answer = matching_text_answer(short, _typed(response))
            total = credit_points(item.points, text_answer.credit) if text_answer else 0.0
        case NumericInteraction() as numeric:
            numeric_answer = matching_numeric_answer(numeric, _typed(response), language)
            total = credit_points(item.points, numeric_answer.credit) if numeric_answer else 0.0
        case EssayInteraction():
            total = 0.0
        case MatchingInteraction() | OrderingInteraction() | FillInBlanksInteraction() as parts:
            total = item.points * fraction_right(parts, response, language)
        case _:
            assert_never(item.interaction)
    return round(min(max(total, 0.0), item.points), 7)


def is_correct(item: Item, response: Response, language: str = "en") -> bool:
    """The fully right response: what LMSs record as a 'correct' interaction."""
    match item.interaction:
        case ChoiceInteraction() as choice:
            # Exactly the correct choices selected.
            chosen = {response} if isinstance(response, str) else set(response)
            return chosen == {c.identifier for c in choice.correct_choices}
        case ShortAnswerInteraction() | NumericInteraction():
            return score(item, response, language) == round(item.points, 7)
        case MatchingInteraction() | OrderingInteraction() | FillInBlanksInteraction() as parts:
            return fraction_right(parts, response, language) == 1.0
        case EssayInteraction():
            return False
        case _:
            assert_never(item.interaction)


def _typed(response: Response) -> str:
    """The text of a typed interaction's response."""
    return response if isinstance(response, str) else " ".join(response)


def passed(score_points: float, max_points: float, pass_mark: float) -> bool:
    """Pass when the score, as a percent of the maximum, reaches the pass mark."""
    return max_points > 0 and round(100 * score_points / max_points, 7) >= pass_mark


def exact_decimal(value: float) -> str:
    """A number exactly as a decimal: the shortest that reads back as the same float, without an
    exponent (20.0 -> '20', 1e-05 -> '0.00001'): a Moodle numerical answer, a card's answer."""
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


@functools.lru_cache(maxsize=4096)
def format_number(value: float, places: int = 7) -> str:
    """Shortest decimal form, at most ``places`` decimals: 1.0 -> '1', 1/3 -> '0.3333333'.
    Remembered: a bank uses a handful of point values, written out several times per item."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
