"""quizlet: the quiz's cards (builder.cards) as the plain text Quizlet's importer takes (Create →
Flashcard set → Import, "Between term and definition: Tab", "Between cards: New line", its
defaults): one card a line, the front (term), a tab, the back (definition).

Quizlet reads no HTML and no quoting, so each side is written as one line of text:

* a list's entries each after "• " (or "1. ", "2. ", ... in a numbered list), so that a choice
  card's front reads "prompt • choice • choice";
* the explanation after " — ", apart from the right answer before it;
* an image as its alt text, audio or video as its text alternative, both in [brackets]; a formula
  as its TeX between \\( and \\) (Quizlet shows it as typed); a table's cells one after another.
  A warning names the cards that show any of these (``quizlet-plain-text``): add the images in
  Quizlet's editor.

Tabs and line breaks in the text become spaces, so no text can split a card. Quizlet has no tags.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence

from lxml import etree
from markupsafe import Markup

from builder import cards
from builder.cache import NO_CACHE, Cache
from builder.errors import Problem
from builder.formats import FormatWarning, Output, package_name, richtext
from builder.formats.anki import SUPPORT, unsupported_cards
from builder.markup import BLOCK_TAGS, INLINE_TAGS
from builder.model import Card, Quiz
from builder.rendering import safe_parser

FORMAT = "quizlet"
EXPLANATION = "card-explanation"
"""The class of the explanation on a card's back (templates/cards/back.html)."""
_WORD_ENDS = BLOCK_TAGS - INLINE_TAGS | {"br"}
"""Elements after which a word ends, as on screen (as builder.markup.plain_text reads them)."""


def check(quiz: Quiz) -> list[Problem]:
    """Every item chosen as a card whose type this format cannot make a card of (as anki)."""
    return unsupported_cards("Quizlet", SUPPORT, quiz)


def members(quiz: Quiz, cache: Cache) -> tuple[()]:
    """Nothing made ahead in segments: one small text file."""
    return ()


def build(quiz: Quiz, cache: Cache = NO_CACHE) -> Output:
    deck_cards = cards.cards(quiz, cache)
    lines = (f"{one_line(card.front)}\t{one_line(card.back)}\n" for card in deck_cards)
    return Output(package_name(quiz, FORMAT), "".join(lines).encode("utf-8"), tuple(plain_text_warning(deck_cards)))


def one_line(fragment: Markup) -> str:
    """A card's side (an XHTML fragment) as one line of plain text, as the module's docstring says."""
    text = str(richtext.rewritten(fragment, math="tex"))
    wrapper = etree.fromstring(f"<div>{text}</div>", safe_parser())
    words: list[str] = []
    _add_text(wrapper, words)
    return " ".join("".join(words).split())


def _add_text(element: etree._Element, words: list[str]) -> None:
    """Append the text of ``element``'s contents to ``words``, in reading order."""
    words.append(element.text or "")
    for position, child in enumerate(element, start=1):
        tag = etree.QName(child).localname
        if tag == "li":
            words.append(f" {_list_marker(element, position)} ")
        elif EXPLANATION in (child.get("class") or "").split() and "".join(words).strip():
            words.append(" — ")
        if tag == "img":
            words.append(f"[{child.get('alt') or posixpath.basename(child.get('src') or '')}]")
        elif tag == "object":  # audio or video: its text alternative
            words.append(f"[{' '.join(''.join(child.itertext()).split())}]")
        else:
            _add_text(child, words)
        if tag in _WORD_ENDS:
            words.append(" ")
        words.append(child.tail or "")


def _list_marker(listing: etree._Element, position: int) -> str:
    """"•" in a list, the entry's number and "." in a numbered one (an ol has no start attribute:
    builder.markup)."""
    return f"{position}." if etree.QName(listing).localname == "ol" else "•"


def plain_text_warning(deck_cards: Sequence[Card]) -> list[FormatWarning]:
    """The cards whose sides show what plain text cannot: files, formulas, tables."""
    shown = tuple(card.id for card in deck_cards
                  if any(mark in f"{card.front}{card.back}" for mark in ("<img", "<object", "<math", "<table")))
    if not shown:
        return []
    return [FormatWarning(FORMAT, "quizlet-plain-text",
                          "Quizlet takes plain text: images, audio and video on these cards are given by their text "
                          "alternatives in [brackets], formulas as TeX and tables as their cells' text; add the images "
                          "in Quizlet's editor, or build anki for a deck that carries them", shown)]
