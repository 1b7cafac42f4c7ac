"""Canvas Classic Quizzes: a QTI 1.2 zip in the shape Canvas itself exports (lib/cc/qti in
canvas-lms), so Canvas's importer takes question types, points, feedback and quiz settings as its
own. Canvas runs every QTI 1.2 file through its QTIMigrationTool (QTI 1.2 -> 2.0) first; the text
encoding below is chosen so that text survives that trip unchanged (see ``mattext``).

Package: ``imsmanifest.xml`` (Canvas's Common Cartridge namespace), ``<id>/<id>.xml`` (the
questestinterop), ``<id>/assessment_meta.xml`` (quiz settings, read by Canvas's
QuizMetadataConverter only when the folder is named by the assessment ident) and the files the
items show, ``web_resources/<quiz identifier>/<path>``, each a webcontent resource of the manifest
(docs/canvas.md, "Media, math and tables").
"""

from __future__ import annotations

import hashlib
import html
import math
import re
import string
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import assert_never
from urllib.parse import quote

from markupsafe import Markup

from builder import markup
from builder.cache import NO_CACHE, Cache
from builder.errors import Problem
from builder.formats import (
    CHOICE_TYPES,
    Feature,
    FormatSupport,
    FormatWarning,
    ItemPart,
    Output,
    described_once,
    package_stem,
    richtext,
    too_large,
    unsupported_items,
)
from builder.formats.wording import Wording, outcome_feedback, truefalse_choices, truefalse_labels, wording
from builder.model import (
    Blank,
    Choice,
    ChoiceBlank,
    ChoiceInteraction,
    ChoiceKind,
    EssayInteraction,
    FillInBlanksInteraction,
    Interaction,
    Item,
    MatchingInteraction,
    MediaFile,
    NumericAnswer,
    NumericBlank,
    NumericInteraction,
    OrderingInteraction,
    Quiz,
    ShortAnswerInteraction,
    TextAnswer,
    TextBlank,
    choice_letters,
)
from builder.packaging import SegmentedMember, media_member, zip_bytes
from builder.rendering import render_frame, render_part, render_xml
from builder.scoring import fold_spaces, format_number, full_credit

FORMAT = "canvas"
# Files live under web_resources/, which item HTML names with Canvas's token for it, as Canvas's
# own QTI export (lib/cc/qti/qti_manifest.rb, cc_helper.rb) writes them.
WEB_RESOURCES = "web_resources"
FILE_BASE = "$IMS-CC-FILEBASE$"
MAX_ANSWER_ID = 10_000
QTI_SCHEMA = "canvas/canvas_qti.xsd"
# The smallest valid questestinterop around one <item>, to check each item on its own.
ITEM_WRAPPER = ('<questestinterop xmlns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2">'
                '<assessment ident="g00000000000000000000000000000000" title="a"><qtimetadata>'
                "<qtimetadatafield><fieldlabel>cc_maxattempts</fieldlabel><fieldentry>1</fieldentry>"
                '</qtimetadatafield></qtimetadata><section ident="root_section">',
                "</section></assessment></questestinterop>")
CHOICE_QUESTION_TYPES: dict[ChoiceKind, str] = {"single_choice": "multiple_choice_question",
                                                "multiple_response": "multiple_answers_question",
                                                "true_false": "true_false_question"}
# Canvas's own export writes these character references where HTML would use named entities:
# Canvas's clear_html() (gems/plugins/qti_exporter/lib/qti/html_helper.rb), which makes the plain
# text of every answer and comment, decodes '&#NN;' but deletes named entities such as '&amp;'.
_NUMERIC = {"&amp;": "&#38;", "&lt;": "&#60;", "&gt;": "&#62;", "&quot;": "&#34;"}
_NAMED = re.compile("|".join(_NUMERIC))


@dataclass(frozen=True)
class Mattext:
    """The content of one <mattext> and its texttype."""

    texttype: str
    text: str


def mattext(fragment: Markup, media_prefix: str, block: bool = False) -> Mattext:
    """How a text reaches Canvas unchanged after QTIMigrationTool and Canvas's importer.

    * Plain text (no markup): ``text/plain``, the characters themselves. QTIMigrationTool puts it in a
      ``<div class="text">`` and Canvas takes that text verbatim (html_helper.rb ``detect_html``).
    * Markup: ``text/html`` with the HTML as escaped text, the way Canvas exports it. QTIMigrationTool
      passes it on untouched in ``<div class="html">``; Canvas sanitises it into the HTML it shows and
      derives the plain text with clear_html(), which keeps numeric references only: so '&', '<',
      '>' and '"' are written as '&#38;', '&#60;', '&#62;', '&#34;'. Apostrophes, accents, Arabic
      and emoji are written as themselves (UTF-8) and pass every step as they are.
    Blocks (prompts, explanations) are wrapped in a <div> as Canvas does.

    Markup is first written as Canvas's rich content editor writes it (``canvas_html``): the quiz's files
    named from ``media_prefix``, audio and video as players, formulas as equation images."""
    # A fragment is lxml's serialisation of sanitised markup (builder.markup): '<' in it opens a tag
    # (text has it as '&lt;'), and its text is escaped exactly as lxml escapes text.
    if not block and "<" not in fragment:
        return Mattext("text/plain", str(fragment).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    shown = canvas_html(fragment, media_prefix)
    text = f"<div>{shown}</div>" if block else str(shown)
    return Mattext("text/html", _NAMED.sub(lambda m: _NUMERIC[m.group()], text))


def canvas_html(fragment: Markup, media_prefix: str) -> Markup:
    """A fragment as the HTML Canvas keeps (CanvasSanitize) and its editor writes: files of the quiz
    named from ``media_prefix`` (media_prefix_of()), which Canvas's importer resolves to the files it
    imported from web_resources/; audio and video as <audio>/<video controls> players; formulas as
    Canvas's equation images; a cell's alignment as a text-align style (Canvas drops classes)."""
    return richtext.rewritten(fragment, media_prefix=media_prefix, html5_media=True, math="canvas",
                              align_as_style=True)


def media_prefix_of(quiz: Quiz) -> str:
    """How item HTML names the quiz's files: ``$IMS-CC-FILEBASE$`` (Canvas's token for web_resources/,
    as its own export writes it), the quiz's folder there, then the file's path in the quiz folder
    (URL-quoted, as fragments have it)."""
    return f"{FILE_BASE}/{quote(quiz.identifier)}/"


def media_path(quiz: Quiz, file: MediaFile) -> str:
    """Where the package keeps a file of the quiz: web_resources/<quiz identifier>/<its path in the
    quiz folder>. A folder per quiz (not per cohort), so that two quizzes imported into one course
    never overwrite each other's files, and a quiz's cohorts share theirs."""
    return f"{WEB_RESOURCES}/{quiz.identifier}/{file.name}"


def manifest_href(path: str) -> str:
    """A package path as a manifest href: an IRI. ASCII characters other than letters, digits and
    '-._~/' are %-escaped (a space, '%', '+' and '#' above all: Canvas reads hrefs with
    CGI.unescape, which takes '+' for a space); other letters are written as themselves, because
    QTIMigrationTool decodes %-escapes one byte at a time into one character each (DecodePathSegment),
    which would turn the UTF-8 bytes of 'é' into two wrong letters."""
    return "".join(character if not character.isascii() or character in _HREF_SAFE else quote(character, safe="")
                   for character in path)


_HREF_SAFE = frozenset(string.ascii_letters + string.digits + "-._~/")


def canvas_ident(*parts: str) -> str:
    """A content-derived identifier in Canvas's own form: 'g' and 32 hex digits."""
    return "g" + hashlib.sha256("/".join(parts).encode("utf-8")).hexdigest()[:32]


SUPPORT = FormatSupport(
    item_types=CHOICE_TYPES | {"short_answer", "numeric", "essay", "matching", "ordering", "fill_in_blanks"},
    # Classic Quizzes: no hints, no pass mark, feedback after submission only, questions shuffled
    # only inside question groups, every item delivered; true/false only as True and False; answers
    # shuffled for the whole quiz or not at all; the look is Canvas's.
    features=frozenset({"choice_feedback", "explanation", "attempts", "time_limit", "shuffle_choices",
                        "feedback_timing", "hidden_feedback_with_retries", "show_correct_answers",
                        "navigation"}),
)


def check(quiz: Quiz) -> list[Problem]:
    """Every item Canvas refuses: an item type it does not carry, more answers than it can number."""
    problems = unsupported_items("Canvas", SUPPORT, quiz)
    for item in quiz.items:
        place = item.place
        match item.interaction:
            case ChoiceInteraction() as choice:
                if len(choice.choices) > MAX_ANSWER_ID - 1:
                    problems.append(Problem(place.path, place.line, place.column,
                                            f"Canvas numbers answers 1 to {MAX_ANSWER_ID - 1}; this item has "
                                            f"{len(choice.choices)} choices"))
            case ShortAnswerInteraction() | NumericInteraction() as typed:
                if len(typed.answers) > MAX_ANSWER_ID - 1:
                    problems.append(Problem(place.path, place.line, place.column,
                                            f"Canvas numbers answers 1 to {MAX_ANSWER_ID - 1}; this item has "
                                            f"{len(typed.answers)} answers"))
            case EssayInteraction() | OrderingInteraction():
                pass  # an ordering has at most 20 steps: 40 numbers
            case MatchingInteraction() | FillInBlanksInteraction() as parts:
                if (count := len(_part_keys(parts))) > MAX_ANSWER_ID - 1:
                    problems.append(Problem(place.path, place.line, place.column,
                                            f"Canvas numbers answers and matches 1 to {MAX_ANSWER_ID - 1}; this "
                                            f"item has {count}"))
            case _:
                assert_never(item.interaction)
    return problems


def answer_ids(item: Item, interaction: ChoiceInteraction) -> dict[str, int]:
    """Canvas answer ids are numbers (original_answer_ids); derived from the choice, unique in the
    item (check refuses an item with more choices than there are numbers)."""
    keys = [choice.identifier for choice in interaction.choices]
    return dict(zip(keys, numbered(item.id, keys), strict=True))


def typed_answer_ids(item: Item, answers: Sequence[TextAnswer | NumericAnswer]) -> list[int]:
    """The ids of the answers a short answer or numeric item writes (those worth full credit), in
    order: each derived from what the package says of it (typed_answer_key), as a choice's from its
    identifier, so that changing, adding or leaving out another answer renumbers none, and an import
    of the package (builder/importing/canvas.py) numbers them the same."""
    return numbered(item.id, [typed_answer_key(answer) for answer in answers])


def typed_answer_key(answer: TextAnswer | NumericAnswer) -> str:
    """What an answer's id is derived from: its text as written (runs of spaces as one), or a
    number's value and bounds as written (a range has no value)."""
    match answer:
        case TextAnswer():
            return text_answer_key(fold_spaces(answer.text))
        case NumericAnswer():
            low, high = answer.bounds
            return number_answer_key(None if answer.value is None else _decimal(answer.value), _decimal(low),
                                     _decimal(high))
        case _:
            assert_never(answer)


def text_answer_key(written: str) -> str:
    return f"answer/{written}"


def number_answer_key(exact: str | None, low: str, high: str) -> str:
    return f"answer/{exact or ''}/{low}/{high}"


def numbered(item_id: str, keys: Sequence[str]) -> list[int]:
    """A number from 1000 to 9999 for each key of the item, derived from it (when taken, the next
    free one, going on from 1 past 9999), unique in the item."""
    assert len(keys) <= MAX_ANSWER_ID - 1, "check refuses an item with more answers than Canvas numbers"
    numbers: list[int] = []
    used: set[int] = set()
    for key in keys:
        number = zlib.crc32(f"{item_id}/{key}".encode()) % 9000 + 1000
        while number in used:
            number = number % (MAX_ANSWER_ID - 1) + 1
        numbers.append(number)
        used.add(number)
    return numbers


def _answers(interaction: ChoiceInteraction, ids: dict[str, int], media_prefix: str) -> list[SimpleNamespace]:
    choices: tuple[Choice, ...] = (truefalse_choices(interaction) if interaction.kind == "true_false"
                                   else interaction.choices)
    return [SimpleNamespace(id=ids[c.identifier], text=mattext(c.text, media_prefix), correct=c.correct,
                            feedback=mattext(c.feedback, media_prefix) if c.feedback else None) for c in choices]


@dataclass(frozen=True)
class ItemOptions:
    """What an <item> takes from its quiz (and so, with the item, its cache key)."""

    package_id: str
    media_prefix: str
    """How its HTML names the quiz's files (media_prefix_of())."""
    wording: Wording
    """The combined feedback's texts, in the quiz's language."""


def shown_files(quiz: Quiz) -> tuple[MediaFile, ...]:
    """The quiz's files that the texts Canvas gets show: not those of hints, grader notes, answers
    left out or matching options (plain text), which no text of the package names."""
    return quiz.media_of(text for item in quiz.items for text in _written_texts(item))


def _written_texts(item: Item) -> list[Markup]:
    """The item's texts that reach Canvas as HTML (item_context and the kinds' contexts)."""
    texts = [item.prompt, *([item.explanation] if item.explanation else [])]
    match item.interaction:
        case ChoiceInteraction() as choice:
            texts += [text for c in choice.choices for text in (c.text, c.feedback) if text]
        case ShortAnswerInteraction() | NumericInteraction() as typed:
            texts += [a.feedback for a in typed.answers if a.feedback and full_credit(a)]
            texts += [typed.other_feedback] if typed.other_feedback else []
        case EssayInteraction() | FillInBlanksInteraction():
            pass
        case MatchingInteraction() as matching:
            texts += [pair.left for pair in matching.pairs]
        case OrderingInteraction() as ordering:
            texts += list(ordering.steps)
        case _:
            assert_never(item.interaction)
    return texts


def item_warnings(items: Sequence[Item]) -> list[FormatWarning]:
    """What Canvas cannot keep of ``items``: a warning for each kind of loss, naming its items
    (worked out on every build, so in one pass over the bank for each kind)."""
    choice_items = [(item, item.interaction) for item in items if isinstance(item.interaction, ChoiceInteraction)]
    numeric_items = [(item, item.interaction) for item in items if isinstance(item.interaction, NumericInteraction)]
    typed_items = [(item, item.interaction) for item in items
                   if isinstance(item.interaction, ShortAnswerInteraction | NumericInteraction)]
    essays = [(item, item.interaction) for item in items if isinstance(item.interaction, EssayInteraction)]
    matchings = [(item, item.interaction) for item in items if isinstance(item.interaction, MatchingInteraction)]
    orderings = [(item, item.interaction) for item in items if isinstance(item.interaction, OrderingInteraction)]
    blank_items = [(item, item.interaction) for item in items
                   if isinstance(item.interaction, FillInBlanksInteraction)]
    found: list[tuple[Feature, str, str, list[str]]] = [
        ("hints", "canvas-no-hints", "Canvas Classic Quizzes have no hints; the hints are left out",
         [item.id for item in items if item.hints]),
        ("wrong_choice_penalty_off", "canvas-wrong-choice-penalty",
         "Canvas scores multiple-answer questions with a deduction for each wrong "
         "choice; wrong_choice_penalty: false is not kept",
         [item.id for item, choice in choice_items if choice.multiple and not choice.wrong_choice_penalty]),
        ("true_false_labels", "canvas-true-false-labels",
         "Canvas keeps a true/false question only when its choices read True and False; "
         "it will import this one as multiple choice",
         [item.id for item, choice in choice_items if choice.kind == "true_false" and not _reads_true_false(choice)]),
    ]
    warnings = [FormatWarning(FORMAT, code, message, tuple(ids)) for feature, code, message, ids in found
                if ids and SUPPORT.lacks(feature)]
    # Losses of the other item types, which no Feature names: Canvas never carries them.
    typed: list[tuple[str, str, list[str]]] = [
        ("canvas-partial-credit",
         "Canvas stores every accepted answer as fully correct, so answers worth less than full credit are "
         "left out with their feedback: a response only they accept scores 0 in Canvas",
         [item.id for item, typed in typed_items if not all(full_credit(answer) for answer in typed.answers)]),
        ("canvas-partial-before-full",
         "an answer worth less than full credit comes before a full-credit one that accepts some of the "
         "same numbers; without it, Canvas gives those numbers full credit",
         [item.id for item, numeric in numeric_items if _partial_before_full(numeric)]),
        ("canvas-case-sensitive",
         "Canvas compares typed answers in any case; case_sensitive: true is not kept (an answer that "
         "differs only in case is accepted)",
         [item.id for item in items if _case_sensitive(item)]),
        ("canvas-no-unit",
         "Canvas numerical questions have no unit; the unit is left out (name it in the prompt)",
         [item.id for item, numeric in numeric_items if numeric.unit]),
        ("canvas-essay-grader-notes",
         "Canvas Classic essay questions have no grader notes; they are left out",
         [item.id for item, essay in essays if essay.grader_notes]),
        ("canvas-essay-template",
         "Canvas Classic essay questions have no response template; it is left out",
         [item.id for item, essay in essays if essay.response_template]),
        ("canvas-essay-word-limits",
         "Canvas Classic essay questions have no word limits; min_words and max_words are left out",
         [item.id for item, essay in essays if essay.min_words is not None or essay.max_words is not None]),
        ("canvas-matching-per-match",
         "Canvas grades matching questions per match; scoring: all_or_nothing is not kept (each right "
         "match, or step in its place, earns its share of the points)",
         [item.id for item in items if isinstance(item.interaction, MatchingInteraction | OrderingInteraction)
          and item.interaction.scoring == "all_or_nothing"]),
        ("canvas-option-formatting",
         "Canvas matching questions show the right-hand options as plain text; their formatting is left out",
         [item.id for item, matching in matchings if any(_formatted(text) for _, text in matching.options)]),
        ("canvas-option-media",
         "Canvas matching questions show the right-hand options as plain text; an image, audio or video there "
         "is left out, its text alternative shown in its place",
         [item.id for item, matching in matchings
          if any("<img" in text or "<object" in text for _, text in matching.options)]),
        ("canvas-option-formula",
         "Canvas matching questions show the right-hand options as plain text; a formula there is shown as "
         "its TeX between \\( and \\), which Canvas does not typeset in the options' list",
         [item.id for item, matching in matchings if any("<math" in text for _, text in matching.options)]),
        ("canvas-ordering-as-matching",
         "Canvas Classic Quizzes have no ordering question; it is written as a matching question, each "
         "step matched with its position (1, 2, ...) and scored per step",
         [item.id for item, _ in orderings]),
        ("canvas-mixed-blanks",
         "Canvas cannot mix drop-down blanks with typed or number blanks in one question; the drop-downs "
         "become typed blanks that accept their right option as text",
         [item.id for item, blanks in blank_items
          if not _all_dropdowns(blanks) and any(isinstance(b, ChoiceBlank) for b in blanks.blanks)]),
        ("canvas-number-blank-exact",
         "Canvas compares a fill-in blank as text; a number blank accepts only its value as written, with "
         "no tolerance (a range: only its midpoint)",
         [item.id for item, blanks in blank_items if any(isinstance(b, NumericBlank)
                                                         and b.answer.bounds[0] != b.answer.bounds[1]
                                                         for b in blanks.blanks)]),
    ]
    return warnings + [FormatWarning(FORMAT, code, message, tuple(ids)) for code, message, ids in typed if ids]


def _formatted(fragment: Markup) -> bool:
    """Whether a fragment has markup other than media and formulas (warned of on their own)."""
    return "<" in _MEDIA_OR_FORMULA.sub("", fragment)


_MEDIA_OR_FORMULA = re.compile(r"<math\b.*?</math>|<img\b[^>]*>|<object\b.*?</object>", re.DOTALL)


def _case_sensitive(item: Item) -> bool:
    """A short answer or a typed blank whose case matters (Canvas compares both in any case)."""
    match item.interaction:
        case ShortAnswerInteraction() as short:
            return short.case_sensitive
        case FillInBlanksInteraction() as blanks:
            return any(isinstance(blank, TextBlank) and blank.case_sensitive for blank in blanks.blanks)
        case _:
            return False


def _partial_before_full(interaction: NumericInteraction) -> bool:
    """Whether an answer left out (less than full credit) is tried before a full-credit answer whose
    numbers it partly shares: those numbers score its credit, but full credit in Canvas."""
    return any(full_credit(later) and not full_credit(earlier)
               and earlier.bounds[0] <= later.bounds[1] and later.bounds[0] <= earlier.bounds[1]
               for index, later in enumerate(interaction.answers) for earlier in interaction.answers[:index])


def _reads_true_false(interaction: ChoiceInteraction) -> bool:
    true_label, false_label = truefalse_labels(interaction)
    return "true" in true_label and "false" in false_label


def item_xml(item: Item, options: ItemOptions) -> bytes:
    """One validated <item> element."""
    context = item_context(item, options)
    return render_part(f"canvas/{context.template}", QTI_SCHEMA, ITEM_WRAPPER, f"canvas item {item.id}",
                       item=context).encode("utf-8")


def item_context(item: Item, options: ItemOptions) -> SimpleNamespace:
    """The template context of one <item>: everything Canvas's exporter writes for the same question.
    (A namespace rather than a dict: the template reads its fields as attributes, which Jinja
    finds at once on a namespace but only after a failed attribute lookup on a dict.)"""
    context: dict[str, object] = {
        "ident": canvas_ident(options.package_id, item.id),
        "title": item.title,
        "points": format_number(item.points),
        "prompt": mattext(item.prompt, options.media_prefix, block=True),
        "general_feedback": bool(item.explanation),
        # What Canvas's identifiers are derived from and Canvas does not keep (lmspack_ fields, which
        # Canvas's importer passes over): for an import of the package to number them the same.
        "item_id": item.id,
        "choice_ids": None,
    }
    # a blanks item's prompt shows its blanks as [name]
    context.update(interaction_context(item, options.media_prefix, options.wording))
    return SimpleNamespace(**context)


def interaction_context(item: Item, media_prefix: str, words: Wording) -> dict[str, object]:
    """The Canvas question type of the item's interaction, the template that lays it out
    (templates/canvas/<template>, extending item.xml) and its answers, scoring and feedback; its
    HTML names the quiz's files from ``media_prefix``."""
    match item.interaction:
        case ChoiceInteraction() as choice:
            return choice_context(item, choice, media_prefix, words)
        case ShortAnswerInteraction() as short:
            return short_answer_context(item, short, media_prefix)
        case NumericInteraction() as numeric:
            return numeric_context(item, numeric, media_prefix)
        case EssayInteraction():
            return essay_context(item, media_prefix)
        case MatchingInteraction() as matching:
            return matching_context(item, matching, media_prefix)
        case OrderingInteraction() as ordering:
            return ordering_context(item, ordering, media_prefix)
        case FillInBlanksInteraction() as blanks:
            return blanks_context(item, blanks, media_prefix)
        case _:
            assert_never(item.interaction)


def choice_context(item: Item, interaction: ChoiceInteraction, media_prefix: str, words: Wording) -> dict[str, object]:
    ids = answer_ids(item, interaction)
    answers = _answers(interaction, ids, media_prefix)
    feedback = outcome_feedback(words, interaction.multiple)
    return {
        "template": "choice.xml",
        "question_type": CHOICE_QUESTION_TYPES[interaction.kind],
        "original_answer_ids": ",".join(str(ids[c.identifier]) for c in interaction.choices),
        "choice_ids": None if all(c.identifier == choice_letters(n) for n, c in enumerate(interaction.choices))
        else ",".join(c.identifier for c in interaction.choices),
        "cardinality": "Multiple" if interaction.multiple else "Single",
        # Every answer's part in the all-or-nothing condition (selected or not), or only the correct one's.
        "all_answers_decide": interaction.multiple,
        "answers": answers,
        "incorrect_feedback": True,
        "feedbacks": _feedbacks(item, media_prefix, mattext(feedback.correct, media_prefix, block=True),
                                mattext(feedback.incorrect, media_prefix, block=True), answers),
    }


def short_answer_context(item: Item, interaction: ShortAnswerInteraction, media_prefix: str) -> dict[str, object]:
    """short_answer_question: the answers worth full credit only (Canvas would store any other as
    fully correct; item_warnings names the items), each text with its runs of spaces as one, as
    lmspack compares them. Canvas compares in any case (item_warnings names case-sensitive items)."""
    written = [answer for answer in interaction.answers if full_credit(answer)]
    answers = [SimpleNamespace(id=number, text=fold_spaces(answer.text),
                               feedback=_answer_feedback(answer, media_prefix))
               for number, answer in zip(typed_answer_ids(item, written), written, strict=True)]
    return _typed_context(item, "short_answer", interaction.other_feedback, answers, media_prefix)


def numeric_context(item: Item, interaction: NumericInteraction, media_prefix: str) -> dict[str, object]:
    """numerical_question: each answer worth full credit, in order (the first that matches counts, as
    in lmspack): value and tolerance as Canvas's exact answer with its margin (a percent tolerance
    as the margin it gives), a range as Canvas's range answer."""
    written = [answer for answer in interaction.answers if full_credit(answer)]
    answers = [SimpleNamespace(id=number, exact=None if answer.value is None else _decimal(answer.value),
                               low=_decimal(answer.bounds[0]), high=_decimal(answer.bounds[1]),
                               feedback=_answer_feedback(answer, media_prefix))
               for number, answer in zip(typed_answer_ids(item, written), written, strict=True)]
    return _typed_context(item, "numeric", interaction.other_feedback, answers, media_prefix)


def essay_context(item: Item, media_prefix: str) -> dict[str, object]:
    """essay_question: no answers (a person grades it); only the explanation is kept (item_warnings
    names what is not)."""
    return _typed_context(item, "essay", None, [], media_prefix)


QUESTION_TYPES = {"short_answer": "short_answer_question", "numeric": "numerical_question",
                  "essay": "essay_question"}


def _typed_context(item: Item, kind: str, other_feedback: Markup | None,
                   answers: list[SimpleNamespace], media_prefix: str) -> dict[str, object]:
    return {
        "template": f"{kind}.xml",
        "question_type": QUESTION_TYPES[kind],
        "original_answer_ids": ",".join(str(answer.id) for answer in answers),
        "answers": answers,
        "incorrect_feedback": other_feedback is not None,
        "feedbacks": _feedbacks(item, media_prefix, None,
                                mattext(other_feedback, media_prefix) if other_feedback else None, answers),
    }


def _answer_feedback(answer: TextAnswer | NumericAnswer, media_prefix: str) -> Mattext | None:
    return mattext(answer.feedback, media_prefix) if answer.feedback else None


def _decimal(value: float) -> str:
    """A number exactly: the shortest text that reads back as the same float, which for ordinary
    numbers is what Canvas's exporter writes (Ruby's Float#to_s: 10.0, 9.8; here 1e+16 for 1.0e+16)."""
    return repr(float(value))


def _feedbacks(item: Item, media_prefix: str, correct: Mattext | None, incorrect: Mattext | None,
               answers: list[SimpleNamespace]) -> list[SimpleNamespace]:
    """The <itemfeedback> blocks in Canvas's order: the explanation, right, wrong, then each answer's."""
    blocks = [("general_fb", mattext(item.explanation, media_prefix, block=True) if item.explanation else None),
              ("correct_fb", correct), ("general_incorrect_fb", incorrect)]
    found = [SimpleNamespace(ident=ident, text=text) for ident, text in blocks if text]
    return found + [SimpleNamespace(ident=f"{a.id}_fb", text=a.feedback) for a in answers if a.feedback]


# ---- matching, ordering (as matching) and blanks ----------------------------------------------------

def _part_keys(interaction: MatchingInteraction | OrderingInteraction | FillInBlanksInteraction) -> list[str]:
    """What gets an answer id in the item, each key derived from its place: a matching item's left
    sides (Canvas's answers) then its options (Canvas's matches); an ordering's steps then its
    positions; each blank's answers (a typed blank's accepted texts; a drop-down's options, or its
    right option alone in fill-in-multiple-blanks; a number blank's value), blank by blank."""
    match interaction:
        case MatchingInteraction() as matching:
            return matching_keys(len(matching.pairs), len(matching.options))
        case OrderingInteraction() as ordering:
            return ordering_keys(len(ordering.steps))
        case FillInBlanksInteraction() as blanks:
            dropdowns = _all_dropdowns(blanks)
            return [key for blank in blanks.blanks
                    for key in blank_keys(blank.name, len(_blank_answers(blank, dropdowns)))]
        case _:
            assert_never(interaction)


def matching_keys(pairs: int, options: int) -> list[str]:
    return [f"pair-{n}" for n in range(1, pairs + 1)] + [f"option-{n}" for n in range(1, options + 1)]


def ordering_keys(steps: int) -> list[str]:
    return [f"step-{n}" for n in range(1, steps + 1)] + [f"position-{n}" for n in range(1, steps + 1)]


def blank_keys(name: str, answers: int) -> list[str]:
    return [f"blank-{name}/answer-{n}" for n in range(1, answers + 1)]


def _share(parts: int) -> str:
    """What each right part adds to SCORE, as Canvas's exporter writes it (format('%.2f', 100.0 / n))."""
    return f"{100 / parts:.2f}"


def _matching_parts(item: Item, interaction: MatchingInteraction | OrderingInteraction, lefts: Sequence[Markup],
                    matches: Sequence[str], media_prefix: str) -> dict[str, object]:
    """matching_question: a response_lid "response_<answer id>" per left side, every match offered
    in each, a condition per left side adding its share of 100 for its own match (the n-th left
    side matches the n-th match; further matches are distractors no left side points at)."""
    numbers = numbered(item.id, _part_keys(interaction))
    left_ids, match_ids = numbers[:len(lefts)], numbers[len(lefts):]
    options = [SimpleNamespace(id=number, text=text) for number, text in zip(match_ids, matches, strict=True)]
    share = _share(len(lefts))
    return {
        "template": "matching.xml",
        "question_type": "matching_question",
        "original_answer_ids": ",".join(str(number) for number in left_ids),
        "lefts": [SimpleNamespace(ident=f"response_{number}", text=mattext(left, media_prefix), options=options)
                  for number, left in zip(left_ids, lefts, strict=True)],
        "conditions": [SimpleNamespace(respident=f"response_{number}", answer=match.id, add=share)
                       for number, match in zip(left_ids, options, strict=False)],
        "incorrect_feedback": False,
        "feedbacks": _feedbacks(item, media_prefix, None, None, []),
    }


def matching_context(item: Item, interaction: MatchingInteraction, media_prefix: str) -> dict[str, object]:
    """matching_question as Canvas exports it: the pairs' right sides and the distractors are its
    matches, plain text (Canvas's matches have no HTML: item_warnings names items that lose
    formatting, media or formulas there). Canvas grades per match (all_or_nothing is warned)."""
    return _matching_parts(item, interaction, [pair.left for pair in interaction.pairs],
                           [plain_text(text) for _, text in interaction.options], media_prefix)


def plain_text(fragment: Markup) -> str:
    """A fragment where Canvas takes plain text only (a matching question's matches, shown in a
    list): its text, an image as its alt text, audio or video as its text alternative, a formula
    as its TeX between \\( and \\) (as written for MathJax, which a list does not run)."""
    text = str(richtext.rewritten(fragment, math="tex"))
    if "<img" in text:
        text = _IMAGE.sub(lambda image: html.escape(html.unescape(image.group(1)), quote=False), text)
    return markup.plain_text(Markup(text))


_IMAGE = re.compile(r'<img\b[^>]*? alt="([^"]*)"[^>]*>')


def ordering_context(item: Item, interaction: OrderingInteraction, media_prefix: str) -> dict[str, object]:
    """Canvas Classic has no ordering: a matching_question, each step matched with its position
    1..N, scored per step (item_warnings names the items)."""
    return _matching_parts(item, interaction, list(interaction.steps),
                           [str(n) for n in range(1, len(interaction.steps) + 1)], media_prefix)


def _all_dropdowns(interaction: FillInBlanksInteraction) -> bool:
    """multiple_dropdowns_question when every blank is a drop-down; else fill_in_multiple_blanks."""
    return all(isinstance(blank, ChoiceBlank) for blank in interaction.blanks)


def _blank_answers(blank: Blank, dropdowns: bool) -> list[str]:
    """What a blank's response_lid lists. In fill_in_multiple_blanks_question Canvas stores every
    answer written as correct: only right answers, a drop-down's right option as typed text and a
    number as text (its value, a range's midpoint). In multiple_dropdowns_question, every option."""
    match blank:
        case TextBlank() as typed:
            return [fold_spaces(answer) for answer in typed.answers]
        case ChoiceBlank() as choice:
            return list(choice.options) if dropdowns else [choice.options[choice.correct]]
        case NumericBlank() as number:
            return [_number_text(number.answer)]
        case _:
            assert_never(blank)


def _number_text(answer: NumericAnswer) -> str:
    """A number blank's one accepted text: its value (a range: its midpoint) as a learner types it,
    in decimal without exponent or trailing zeros (8, 0.5, 0.00001)."""
    if answer.value is not None:
        value = Decimal(repr(answer.value))
    else:
        assert answer.range is not None, "a numeric answer has a value or a range"
        value = (Decimal(repr(answer.range[0])) + Decimal(repr(answer.range[1]))) / 2
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def blank_names(interaction: FillInBlanksInteraction) -> dict[str, str]:
    """Each blank's name in Canvas: its own, but a name Canvas cannot take (starting with
    'response_', in any case) becomes 'blank_<name>' ('blank2_<name>', ... when that is taken)."""
    taken = {blank.name for blank in interaction.blanks}
    names: dict[str, str] = {}
    for blank in interaction.blanks:
        name = blank.name
        if name.lower().startswith("response_"):
            name, n = f"blank_{blank.name}", 1
            while name in taken:
                n += 1
                name = f"blank{n}_{blank.name}"
            taken.add(name)
        names[blank.name] = name
    return names


def blanks_context(item: Item, interaction: FillInBlanksInteraction, media_prefix: str) -> dict[str, object]:
    """fill_in_multiple_blanks_question (any blank typed or a number) or multiple_dropdowns_question
    (every blank a drop-down), as Canvas exports them: the prompt with [name] where each blank
    stands, a response_lid "response_<name>" per blank listing its answers, and a condition per
    blank adding its share of 100 for its right answer (the first one listed)."""
    dropdowns = _all_dropdowns(interaction)
    names = blank_names(interaction)
    numbers = iter(numbered(item.id, _part_keys(interaction)))
    blanks: list[SimpleNamespace] = []
    share = _share(len(interaction.blanks))
    for blank in interaction.blanks:
        answers = [SimpleNamespace(id=next(numbers), text=Mattext("text/plain", text))
                   for text in _blank_answers(blank, dropdowns)]
        right = answers[blank.correct] if dropdowns and isinstance(blank, ChoiceBlank) else answers[0]
        blanks.append(SimpleNamespace(ident=f"response_{names[blank.name]}", name=names[blank.name],
                                      answers=answers, right=right.id))
    return {
        "template": "blanks.xml",
        "question_type": "multiple_dropdowns_question" if dropdowns else "fill_in_multiple_blanks_question",
        "prompt": mattext(interaction.fill(item.prompt, lambda blank, _: Markup("[{}]").format(names[blank.name])),
                          media_prefix, block=True),
        "original_answer_ids": ",".join(str(answer.id) for blank in blanks for answer in blank.answers),
        "blanks": blanks,
        "share": share,
        "incorrect_feedback": False,
        "feedbacks": _feedbacks(item, media_prefix, None, None, []),
    }


def quiz_settings(quiz: Quiz, warnings: list[FormatWarning]) -> dict[str, object]:
    """assessment_meta.xml values, in Canvas's own vocabulary."""
    settings = quiz.settings
    # Only what quiz.yaml (or the cohort) wrote: never a default the author did not choose.
    used: list[tuple[Feature, bool, str, str]] = [
        ("pass_mark", "pass_mark" in settings.written, "canvas-no-pass-mark",
         f"Canvas Classic Quizzes have no pass mark; {format_number(settings.pass_mark)}% is not carried"),
        ("immediate_feedback", settings.feedback == "immediately" and "feedback" in settings.written,
         "canvas-feedback-after-submit",
         "Canvas Classic Quizzes show feedback after the quiz is submitted, not after each question"),
        ("shuffle_items", settings.shuffle_items, "canvas-shuffle-items",
         "Canvas Classic Quizzes cannot shuffle the order of questions outside question groups; items keep "
         "their order"),
        ("pools", bool(settings.pools), "canvas-pools",
         "Canvas gets every item: draws from pools (sections) are not carried"),
        ("theme", "theme" in settings.written and settings.theme is not None, "canvas-no-theme",
         "a Canvas quiz has Canvas's look: the theme's logo and accent colour are not carried"),
    ]
    warnings.extend(FormatWarning(FORMAT, code, message) for feature, in_use, code, message in used
                    if in_use and SUPPORT.lacks(feature))
    # Navigation is carried only when quiz.yaml (or the cohort) writes it: unset, a Canvas quiz keeps
    # Canvas's own default, every question on one page, as before the setting existed.
    navigation = settings.navigation if "navigation" in settings.written else None
    return {
        "shuffle_answers": "true" if settings.shuffle_choices else "false",
        "hide_results": "always" if settings.feedback == "never" else "",
        "show_correct_answers": "true" if settings.feedback != "never" and settings.show_correct_answers else "false",
        # As Canvas exports its own quizzes: linear is one question at a time, locked once answered
        # ("Lock questions after answering"); free is one at a time with Canvas's list of questions
        # to move between, as the SCORM player's free navigation.
        "one_question_at_a_time": "false" if navigation is None else "true",
        "cant_go_back": "true" if navigation == "linear" else "false",
        # Canvas counts minutes; a limit is never shortened by rounding.
        "time_limit": str(math.ceil(settings.time_limit / 60)) if settings.time_limit else None,
        "allowed_attempts": str(settings.attempts) if settings.attempts is not None else "-1",
        "max_attempts": str(settings.attempts) if settings.attempts is not None else "unlimited",
    }


def choice_order_warnings(quiz: Quiz) -> list[FormatWarning]:
    """Canvas shuffles the answers of every question or of none (shuffle_answers; its true/false,
    matching and fill-in-multiple-blanks questions never: Quizzes::Quiz.non_shuffled_questions):
    where the quiz shuffles, an item's own order and a pinned choice are lost, named by item."""
    if not quiz.settings.shuffle_choices:
        return []

    def shuffled_by_canvas(interaction: Interaction) -> bool:
        match interaction:
            case ChoiceInteraction() as choice:
                return choice.may_shuffle
            case FillInBlanksInteraction() as blanks:
                return _all_dropdowns(blanks)  # a multiple-dropdowns question
            case (ShortAnswerInteraction() | NumericInteraction() | EssayInteraction() | MatchingInteraction()
                  | OrderingInteraction()):
                return False
            case _:
                assert_never(interaction)

    kept = [item.id for item in quiz.items if not item.shuffle_choices and shuffled_by_canvas(item.interaction)]
    pinned = [item.id for item in quiz.items if isinstance(item.interaction, ChoiceInteraction)
              and item.shuffle_choices and item.interaction.pinned]
    found: list[tuple[Feature, str, str, list[str]]] = [
        ("item_choice_order", "canvas-choice-order", "Canvas shuffles the answers of every question when the "
         "quiz shuffles them (shuffle_answers); these items' shuffle_choices: false is not kept, their choices (a "
         "drop-down question's options) are shuffled too", kept),
        ("fixed_choices", "canvas-fixed-choice", "Canvas cannot keep a choice in place while it shuffles the "
         "others; these items' choices with fixed: true are shuffled with the rest", pinned),
    ]
    return [FormatWarning(FORMAT, code, message, tuple(ids)) for feature, code, message, ids in found
            if ids and SUPPORT.lacks(feature)]


def description_html(quiz: Quiz) -> str:
    """The quiz description as the HTML Canvas keeps (its own export writes HTML here), or ''."""
    return str(Markup("<p>{}</p>").format(quiz.description)) if quiz.description else ""


def assessment(quiz: Quiz, cache: Cache) -> SegmentedMember:
    """The questestinterop, which holds the whole bank: compressed in remembered segments of
    items, never joined (at 10,000 items it is 70 MB of XML)."""
    ident = canvas_ident(quiz.package_id)
    part = ItemPart(item_xml, ItemOptions(quiz.package_id, media_prefix_of(quiz), wording(quiz)))
    head, tail = render_frame(cache, "canvas/assessment.xml", QTI_SCHEMA, assessment_name(ident), "items",
                              part.first(quiz.items), ident=ident, title=quiz.display_title,
                              settings=quiz_settings(quiz, []))
    return part.member(cache, head, quiz.items, tail)


def assessment_name(ident: str) -> str:
    return f"{ident}/{ident}.xml"


@described_once
def members(quiz: Quiz, cache: Cache) -> tuple[SegmentedMember]:
    return (assessment(quiz, cache),)


def build(quiz: Quiz, cache: Cache = NO_CACHE) -> Output:
    """The quiz as one validated Canvas QTI 1.2 package, in memory (its check passed)."""
    warnings: list[FormatWarning] = []
    ident = canvas_ident(quiz.package_id)
    meta_name = f"{ident}/assessment_meta.xml"
    title = quiz.display_title
    warnings.extend(item_warnings(quiz.items))
    warnings.extend(choice_order_warnings(quiz))
    settings = quiz_settings(quiz, warnings)
    assessment_member = members(quiz, cache)[0].deflated()
    warnings.extend(too_large(FORMAT, assessment_name(ident), assessment_member.size))
    meta = render_xml("canvas/assessment_meta.xml", "canvas/canvas_assessment_meta.xsd", meta_name,
                      ident=ident, title=title, description=description_html(quiz),
                      points=format_number(quiz.max_score), settings=settings)
    # Each file once, its own webcontent resource named by its path (the same in every cohort), as
    # Canvas's export lists them: no <dependency> on them, since Canvas's importer takes every
    # <file> of the manifest (QTIMigrationTool's Manifest, Qti.convert_files) and the validator
    # asks only that every file be listed.
    files = [(media_path(quiz, file), file) for file in shown_files(quiz)]
    manifest = render_xml("canvas/imsmanifest.xml", "canvas/canvas_manifest.xsd", "imsmanifest.xml",
                          manifest_ident=canvas_ident(quiz.package_id, "manifest"), title=title,
                          ident=ident, meta_ident=canvas_ident(quiz.package_id, "assessment_meta"),
                          assessment_href=assessment_name(ident), meta_href=meta_name,
                          files=[SimpleNamespace(ident=canvas_ident(path), href=manifest_href(path))
                                 for path, _ in files])
    data = zip_bytes([("imsmanifest.xml", manifest), (assessment_name(ident), assessment_member), (meta_name, meta),
                      *((path, media_member(file.media_type, file.content)) for path, file in files)])
    return Output(f"{package_stem(quiz)}-canvas.zip", data, tuple(warnings))
