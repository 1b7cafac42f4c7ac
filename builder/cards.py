"""Study cards made of a quiz: one per item that quiz.yaml's ``flashcards:`` chooses (all by
default) and one per flashcard item, in the quiz's order (``Quiz.card_ids``).

A card made of an item shows on its front the prompt, with what is needed to make sense of it:
a choice item's choices, a matching item's left sides and its options, an ordering item's steps
(neither in the right order), a fill_in_blanks prompt with each blank as ____; a short answer,
numeric or essay item's prompt alone. Its back shows the right answer(s), as builder.scoring
defines them: the correct choices, the answers worth full credit, each right pair, the steps in
order, the prompt with each blank's answers in it; an essay's grader notes (or nothing); then the
explanation. A flashcard item's card is its front and back. Cards carry no words of their own
(no "Answer:"), so they read the same in any language.

Every card format (and a study player) takes the same cards: Card.front and Card.back are XHTML
fragments as the model's are (files as ``media/<path>``, formulas as MathML), laid out by
templates/cards/, which each format rewrites as it writes media and math (builder.formats.richtext).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import assert_never
from urllib.parse import quote

from markupsafe import Markup

from builder.cache import Cache
from builder.formats import described_once, item_type, scrambled
from builder.markup import text_fragment
from builder.model import (
    MEDIA_REFERENCE,
    Blank,
    Card,
    ChoiceBlank,
    ChoiceInteraction,
    EssayInteraction,
    FillInBlanksInteraction,
    Flashcard,
    Item,
    MatchingInteraction,
    NumericAnswer,
    NumericBlank,
    NumericInteraction,
    OrderingInteraction,
    Pair,
    Quiz,
    ShortAnswerInteraction,
    TextBlank,
)
from builder.rendering import render
from builder.scoring import exact_decimal, full_credit

FLASHCARD = "flashcard"
BLANK_ON_THE_FRONT = Markup("____")


@described_once
def cards(quiz: Quiz, cache: Cache) -> tuple[Card, ...]:
    """The quiz's cards, in its order: made once per build (``cache``) for every card format."""
    made: dict[str, Item | Flashcard] = {item.id: item for item in quiz.items}
    made.update((flashcard.id, flashcard) for flashcard in quiz.flashcards)
    return tuple(card_of(made[card_id]) for card_id in quiz.card_ids)


def card_of(item: Item | Flashcard) -> Card:
    """The card of one item or flashcard item."""
    if isinstance(item, Flashcard):
        kind, front, back = FLASHCARD, render_front(FLASHCARD, item.front), render_back(FLASHCARD, text=item.back)
    else:
        kind, front, back = _item_sides(item)
    shown = f"{front}{back}"
    media = tuple(use for use in item.media if f'"{MEDIA_REFERENCE}{quote(use.name)}"' in shown)
    return Card(id=item.id, title=item.title, kind=kind, front=front, back=back, tags=item.tags, place=item.place,
                media=media)


class Listing:
    """A list on a card's front: its entries (inline XHTML), its name (its class: card-<name>) and
    whether it is numbered."""

    def __init__(self, name: str, entries: Sequence[Markup], numbered: bool = False) -> None:
        self.name = name
        self.entries = entries
        self.tag = "ol" if numbered else "ul"


def render_front(kind: str, prompt: Markup, listings: Sequence[Listing] = ()) -> Markup:
    return Markup(render("cards/front.html", kind=kind, prompt=prompt, listings=listings))


def render_back(kind: str, answers: Sequence[Markup] = (), pairs: Sequence[Pair] = (),
                order: Sequence[Markup] = (), text: Markup | None = None,
                explanation: Markup | None = None) -> Markup:
    return Markup(render("cards/back.html", kind=kind, answers=answers, pairs=pairs, order=order, text=text,
                         explanation=explanation))


def _item_sides(item: Item) -> tuple[str, Markup, Markup]:
    """An item's card kind (its ``type:``), front and back."""
    explanation = item.explanation
    kind = item_type(item.interaction)
    match item.interaction:
        case ChoiceInteraction() as choice:
            front = render_front(kind, item.prompt, [Listing("choices", [c.text for c in choice.choices])])
            back = render_back(kind, answers=[c.text for c in choice.correct_choices], explanation=explanation)
        case ShortAnswerInteraction() as short:
            front = render_front(kind, item.prompt)
            back = render_back(kind, answers=[text_fragment(a.text) for a in short.answers if full_credit(a)],
                               explanation=explanation)
        case NumericInteraction() as numeric:
            front = render_front(kind, item.prompt)
            back = render_back(kind, answers=[text_fragment(number_answer(a, numeric.unit)) for a in numeric.answers
                                              if full_credit(a)], explanation=explanation)
        case EssayInteraction() as essay:
            front = render_front(kind, item.prompt)
            back = render_back(kind, text=essay.grader_notes, explanation=explanation)
        case MatchingInteraction() as matching:
            options = dict(matching.options)
            front = render_front(kind, item.prompt, [
                Listing("left", [pair.left for pair in matching.pairs], True),
                Listing("options", [options[option] for option in scrambled(tuple(options), item.id)])])
            back = render_back(kind, pairs=matching.pairs, explanation=explanation)
        case OrderingInteraction() as ordering:
            steps = dict(zip(ordering.step_ids, ordering.steps, strict=True))
            front = render_front(kind, item.prompt,
                                 [Listing("steps", [steps[step] for step in scrambled(ordering.step_ids, item.id)])])
            back = render_back(kind, order=ordering.steps, explanation=explanation)
        case FillInBlanksInteraction() as blanks:
            front = render_front(kind, blanks.fill(item.prompt, lambda blank, index: BLANK_ON_THE_FRONT))
            filled = blanks.fill(item.prompt, lambda blank, index: Markup(
                render("cards/blank.html", answers=blank_answers(blank)).strip()))
            back = render_back(kind, text=filled, explanation=explanation)
        case _:
            assert_never(item.interaction)
    return kind, front, back


def number_answer(answer: NumericAnswer, unit: str = "") -> str:
    """A numeric answer as a card shows it: ``30 days``, ``30 ± 0.5 days``, ``20 seconds ± 25%``,
    ``28 – 31 days``."""
    unit = f" {unit}" if unit else ""
    if answer.range is not None:
        low, high = answer.range
        return f"{exact_decimal(low)} – {exact_decimal(high)}{unit}"
    assert answer.value is not None, "a numeric answer has a value or a range"
    value, tolerance = exact_decimal(answer.value), exact_decimal(answer.tolerance)
    if not answer.tolerance:
        return f"{value}{unit}"
    return f"{value}{unit} ± {tolerance}%" if answer.relative else f"{value} ± {tolerance}{unit}"


def blank_answers(blank: Blank) -> list[Markup]:
    """What fills a blank on the back: its accepted answers, its right option, or its number."""
    match blank:
        case TextBlank() as typed:
            return [text_fragment(answer) for answer in typed.answers]
        case ChoiceBlank() as choice:
            return [text_fragment(choice.options[choice.correct])]
        case NumericBlank() as number:
            return [text_fragment(number_answer(number.answer))]
        case _:
            assert_never(blank)
