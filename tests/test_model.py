"""The model survives the trips every loaded item makes: pickled by the loader (a worker hands an
item back pickled, and the cache keeps it so), and read back from the cache on a rebuild. Items
are generated with every field and every interaction; a field the pickling forgot, or a text that
came back as a plain str instead of Markup, fails here."""

from __future__ import annotations

import dataclasses
import pickle
import tempfile
import typing
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from builder import cache, loading, model
from builder.model import (
    CHOICE_KINDS,
    Choice,
    ChoiceBlank,
    ChoiceInteraction,
    EssayInteraction,
    FillInBlanksInteraction,
    Interaction,
    Item,
    MatchingInteraction,
    NumericAnswer,
    NumericBlank,
    NumericInteraction,
    OrderingInteraction,
    Pair,
    Place,
    ShortAnswerInteraction,
    TextAnswer,
    TextBlank,
)

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
MARKUP = st.builds(Markup, TEXT)
NUMBER = st.floats(allow_nan=False)


def every_field(cls: type, **named: st.SearchStrategy[object]) -> st.SearchStrategy[typing.Any]:
    """Instances of dataclass ``cls`` with a generated value in every field, those with a default
    too (st.builds would leave them at it): a field added without a strategy here is generated
    from its type, so a pickling that forgets it fails."""
    types = typing.get_type_hints(cls)
    fields = {field.name: named[field.name] if field.name in named else st.from_type(types[field.name])
              for field in dataclasses.fields(cls)}
    return st.fixed_dictionaries(fields).map(lambda values: cls(**values))


CHOICES = st.lists(every_field(Choice, identifier=TEXT, text=MARKUP, feedback=st.none() | MARKUP),
                   max_size=5).map(tuple)
TEXT_ANSWERS = every_field(TextAnswer, text=TEXT, credit=NUMBER, feedback=st.none() | MARKUP)
NUMERIC_ANSWERS = every_field(NumericAnswer, value=st.none() | NUMBER, tolerance=NUMBER, credit=NUMBER,
                              feedback=st.none() | MARKUP, range=st.none() | st.tuples(NUMBER, NUMBER))
INTERACTIONS: dict[type, st.SearchStrategy[Interaction]] = {
    ChoiceInteraction: every_field(ChoiceInteraction, kind=st.sampled_from(CHOICE_KINDS), choices=CHOICES),
    ShortAnswerInteraction: every_field(
        ShortAnswerInteraction, other_feedback=st.none() | MARKUP,
        answers=st.lists(TEXT_ANSWERS, max_size=3).map(tuple)),
    NumericInteraction: every_field(
        NumericInteraction, unit=TEXT, other_feedback=st.none() | MARKUP,
        answers=st.lists(NUMERIC_ANSWERS, max_size=3).map(tuple)),
    EssayInteraction: every_field(EssayInteraction, grader_notes=st.none() | MARKUP, response_template=TEXT),
    MatchingInteraction: every_field(
        MatchingInteraction, pairs=st.lists(every_field(Pair, left=MARKUP, right=MARKUP), max_size=3).map(tuple),
        distractors=st.lists(MARKUP, max_size=2).map(tuple), scoring=st.sampled_from(["per_pair", "all_or_nothing"])),
    OrderingInteraction: every_field(OrderingInteraction, steps=st.lists(MARKUP, max_size=4).map(tuple),
                                     scoring=st.sampled_from(["per_position", "all_or_nothing"])),
    FillInBlanksInteraction: every_field(FillInBlanksInteraction, blanks=st.lists(st.one_of(
        every_field(TextBlank, name=TEXT, answers=st.lists(TEXT, max_size=2).map(tuple)),
        every_field(ChoiceBlank, name=TEXT, options=st.lists(TEXT, max_size=3).map(tuple)),
        every_field(NumericBlank, name=TEXT, answer=NUMERIC_ANSWERS)), max_size=3).map(tuple)),
}
ITEMS = every_field(Item, id=TEXT, title=TEXT, prompt=MARKUP, points=st.floats(allow_nan=False),
                    hints=st.lists(MARKUP, max_size=3).map(tuple), explanation=st.none() | MARKUP,
                    tags=st.lists(TEXT, max_size=3).map(tuple), place=every_field(Place, path=TEXT),
                    source_sha256=TEXT, interaction=st.one_of(*INTERACTIONS.values()))


def test_every_interaction_is_generated() -> None:
    assert set(INTERACTIONS) == set(typing.get_args(Interaction) or (Interaction,))


def assert_same(got: object, expected: object, where: str = "item") -> None:
    """Equal, and of the same types all the way down (Markup == str holds, but a str that was
    Markup would be escaped again by the templates)."""
    assert type(got) is type(expected), where
    if dataclasses.is_dataclass(expected):
        for field in dataclasses.fields(expected):
            assert_same(getattr(got, field.name), getattr(expected, field.name), f"{where}.{field.name}")
    elif isinstance(expected, tuple):
        assert isinstance(got, tuple) and len(got) == len(expected), where
        for n, (a, b) in enumerate(zip(got, expected, strict=True)):
            assert_same(a, b, f"{where}[{n}]")
    else:
        assert got == expected, where


@settings(max_examples=200, deadline=None)
@given(ITEMS)
def test_pickled_items_read_back_equal(item: Item) -> None:
    assert_same(pickle.loads(model.pickled(item)), item)
    assert_same(pickle.loads(pickle.dumps(item, pickle.HIGHEST_PROTOCOL)), item)


@settings(max_examples=25, deadline=None)
@given(ITEMS)
def test_items_remembered_by_the_cache_read_back_equal(item: Item) -> None:
    """As the loader keeps an item (builder.loading) and a later build reads it back."""
    entry = cache.item_key(item.place.path, item.source_sha256)
    with tempfile.TemporaryDirectory() as root:
        with cache.session(Path(root)) as kept:
            kept.put(entry, model.pickled(item), "as is")
        with cache.session(Path(root)) as kept:
            remembered = loading._remembered_item(kept, entry)
    assert remembered is not None
    read_back, problems = remembered
    assert problems == []
    assert_same(read_back, item)
