"""IMS QTI 2.1 content package: ``imsmanifest.xml`` (IMS CP 1.1 with QTI 2.1 metadata), one
``assessmentItem`` per item and one ``assessmentTest``.

One function per emitted document (``manifest``, ``item``, ``test``); each decides everything in
Python and hands its template an explicit context. Identifiers and structure are chosen so that
Canvas's QTI 2 importer (gems/plugins/qti_exporter in instructure/canvas-lms) keeps points,
per-choice feedback and the explanation; docs/canvas-qti21.md gives the evidence.

Items: choices are a ``choiceInteraction`` scored by a mapping; short answers a string
``textEntryInteraction`` scored by a mapping of the accepted answers; numbers a float
``textEntryInteraction`` scored answer by answer (``equal`` within a tolerance, or ``gte``/``lte``
for a range; the first that holds gives its credit); essays an ``extendedTextInteraction`` that
no response processing scores (a person does). Matching is a ``matchInteraction`` (directedPair
responses), ordering an ``orderInteraction`` (an ordered response), blanks a ``textEntryInteraction``
or ``inlineChoiceInteraction`` where each ``[[name]]`` stands in the prompt (a response each); each
part right earns its share, the whole response right the item's points.

Media: the files the items show are stored once each under ``items/media/`` by their path in the
quiz folder, so that a fragment's ``media/<path>`` resolves from ``items/<id>.xml`` as QTI resolves
relative URLs; each item's resource lists the files it shows after its own and depends on their
``webcontent`` resources. Fragments go in as they are: images, audio and video as ``img`` and
``object``, formulas as MathML, tables in QTI's table model (docs/canvas-qti21.md).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple, assert_never
from urllib.parse import unquote

from markupsafe import Markup

from builder.cache import NO_CACHE, Cache
from builder.errors import Problem
from builder.formats import (
    ALL_FEATURES,
    CHOICE_TYPES,
    FormatSupport,
    FormatWarning,
    ItemPart,
    Output,
    described_once,
    package_stem,
    scrambled,
    unsupported_items,
)
from builder.formats.richtext import media_names
from builder.model import (
    Blank,
    Choice,
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
    Pool,
    Quiz,
    ShortAnswerInteraction,
    TextBlank,
)
from builder.packaging import Deflated, SegmentedMember, SegmentedRecords, media_member, zip_bytes
from builder.rendering import remembered_xml, render, render_frame, render_part, render_xml
from builder.scoring import choice_weights, correct_answer, credit_points, decimal_comma, fold_spaces, format_number

FORMAT = "qti21"
TOOL_NAME = "lmspack"
ITEM_SCHEMA = "qti21/imsqti_v2p1.xsd"
# The same without MathML, for documents with no formula: MathML's schema takes half a second to
# compile, which would double the time of a rebuild after one item changed.
TEXT_ITEM_SCHEMA = "qti21/imsqti_v2p1_without_math.xsd"
MANIFEST_SCHEMA = "qti21/imscp_v1p1.xsd"
TEST_FILE = "assessment-test.xml"
TEST_PART = "BaseTestPart"  # the testPart Canvas looks for first
EXPLANATION_ID = "general_explanation"  # Canvas: 'general_' -> neutral (general) answer comments
HINT_ID = "HINT_{}"  # matches none of Canvas's feedback patterns: hints are dropped there, kept in QTI
# A typed answer's feedback, by the answer's place in the item (1, 2, ...): matches none of Canvas's
# feedback patterns either. The feedback for any other answer is Canvas's "incorrect" comment
# ('incorrect' in its identifier), which Canvas shows for an answer short of full marks.
ANSWER_FEEDBACK_ID = "ANSWER_{}"
OTHER_FEEDBACK_ID = "other_incorrect"
TYPED_RESPONSE = "RESPONSE"
PARTS_RESPONSE = "RESPONSE"  # a matching's or an ordering's one response
# A blank's response variable, by the blank's place in the prompt (1, 2, ...), and a drop-down's
# options, by their place in the blank (BLANK_2_1, ...): QTI wants a choice's identifier unique in
# its item. Not 'RESPONSE_<n>': Canvas refuses blank names starting with 'response_' (measured in its
# QTI 1.2 import; how its QTI 2 import names blanks is not known). builder/loading.py reserves both.
BLANK_RESPONSE = "BLANK_{}"
BLANK_OPTION = "BLANK_{}_{}"
# Where the quiz's files go: beside the items, so that an item's media/<path> (builder.model.MEDIA_REFERENCE)
# names items/media/<path>, relative to items/<id>.xml.
MEDIA_FOLDER = "items/media/"
# The smallest valid manifest around one item's <resource>, to check each resource on its own.
RESOURCE_WRAPPER = ('<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
                    'xmlns:imsmd="http://www.imsglobal.org/xsd/imsmd_v1p2" '
                    'xmlns:qtimd="http://www.imsglobal.org/xsd/imsqti_metadata_v2p1" identifier="M"><metadata>'
                    "<schema>QTIv2.1 Package</schema><schemaversion>1.0.0</schemaversion><imsmd:lom>"
                    "<imsmd:general><imsmd:title><imsmd:langstring xml:lang='en'>a</imsmd:langstring></imsmd:title>"
                    "</imsmd:general></imsmd:lom></metadata><organizations/><resources>",
                    "</resources></manifest>")


@dataclass(frozen=True)
class ChoiceView:
    identifier: str
    text: Markup
    feedback: Markup | None
    weight: str
    fixed: bool
    """Kept at its place when the choices are shuffled (simpleChoice fixed="true")."""


@dataclass(frozen=True)
class FeedbackView:
    """A typed answer's feedback (or the feedback for any other answer): a modalFeedback shown
    when response processing sets FEEDBACK to its identifier."""

    identifier: str
    text: Markup


@dataclass(frozen=True)
class MapEntryView:
    key: str
    """An accepted answer with its whitespace folded (QTI compares the typed text as it is)."""
    value: str
    """Points it earns."""


@dataclass(frozen=True)
class TypedAnswerView:
    """One branch of a typed item's response condition: the test of one accepted answer, in order,
    and what it sets."""

    test: Literal["string", "exact", "absolute", "range"]
    """string: stringMatch with the folded text; exact / absolute: equal with that toleranceMode;
    range: gte the lowest and lte the highest."""
    value: str
    """The text, the number, or (range) the lowest number."""
    tolerance: str | None
    """absolute: the margin either side of the number."""
    high: str | None
    """range: the highest number."""
    points: str
    """numeric: the points this answer gives (short answers take theirs from the mapping)."""
    feedback: str | None
    """Identifier of its modalFeedback (None: no feedback)."""


@dataclass(frozen=True)
class HintView:
    request: str
    """Boolean response variable set by the hint's endAttemptInteraction."""
    feedback: str
    """modalFeedback identifier of this hint."""
    shown: tuple[str, ...]
    """modalFeedback identifiers shown when this hint is requested: it and every earlier hint."""
    label: str
    text: Markup


@dataclass(frozen=True)
class ResponseView:
    """A response declaration of a matching, ordering or blanks item."""

    identifier: str
    cardinality: Literal["single", "multiple", "ordered"]
    base_type: Literal["identifier", "directedPair", "string", "float"]
    correct: tuple[str, ...]
    """The correct response's values, in order."""
    entries: tuple[MapEntryView, ...] = ()
    """A matching scored per pair: each right pair and its share of the points (mapResponse)."""


@dataclass(frozen=True)
class OptionView:
    """A choice of a match set, an ordering or a drop-down."""

    identifier: str
    text: Markup | str
    """Inline XHTML, or (a drop-down's option) plain text."""


@dataclass(frozen=True)
class PartView:
    """One part of an ordering or blanks item in response processing: the test that it is right."""

    response: str
    """The response variable it tests."""
    test: Literal["position", "text", "choice", "number"]
    """position: the step at ``position`` of the ordered response is ``values[0]``; text: a
    stringMatch of any of ``values``; choice: the response is the option ``values[0]``; number: as
    ``number`` says."""
    values: tuple[str, ...] = ()
    position: int = 0
    case_sensitive: str = "false"
    number: TypedAnswerView | None = None


@dataclass(frozen=True)
class BlankView:
    """A blank's interaction, where its [[name]] stood in the prompt (templates/qti21/blank.xml)."""

    response: str
    options: tuple[OptionView, ...]
    """A drop-down's options (none: a text box)."""
    shuffle: bool


# Named tuples, not dataclasses: a test holds one ItemRef per item and is remembered by the repr
# of them all (rendering.remembered_xml), which a named tuple makes several times faster.
class MediaResource(NamedTuple):
    """A file of the package that items show, as the manifest names it: its webcontent resource
    and its path in the package, URL-quoted."""

    identifier: str
    href: str


class Resource(NamedTuple):
    identifier: str
    href: str
    title: str
    interactions: tuple[str, ...] = ()
    solution: bool = True
    """Whether the item declares a correct response (QTI metadata solutionAvailable)."""
    canvas_type: str | None = None
    """The interaction Canvas's QTI 2 import is told of in the QTI item namespace, where it looks
    (its AssessmentItemConverter.get_interaction_type): only where its guess from the item fails."""
    media: tuple[MediaResource, ...] = ()
    """The files the item shows, each listed after the item's own file and depended on."""


class ItemRef(NamedTuple):
    identifier: str
    href: str
    weight: str


@dataclass(frozen=True)
class SectionView:
    identifier: str
    title: str
    select: int | None
    items: tuple[ItemRef, ...]


@dataclass(frozen=True)
class ItemOptions:
    """What an assessmentItem takes from its quiz (and so, with the item, its cache key)."""

    language: str
    shuffle_choices: bool
    cohort: str | None


def item_options(quiz: Quiz) -> ItemOptions:
    return ItemOptions(quiz.language, quiz.settings.shuffle_choices, quiz.cohort)


def item_records(quiz: Quiz, cache: Cache) -> SegmentedRecords:
    """The items' documents as zip members, in remembered segments."""
    part = ItemPart(item_member, item_options(quiz))
    return part.records(cache, quiz.items, functools.partial(item_href, quiz.cohort))


@described_once
def members(quiz: Quiz, cache: Cache) -> tuple[SegmentedRecords, SegmentedMember]:
    """What holds every item: the items' documents and the manifest."""
    return item_records(quiz, cache), manifest(quiz, cache)


def build(quiz: Quiz, cache: Cache = NO_CACHE) -> Output:
    """The quiz as one validated QTI 2.1 content package, in memory (its check passed)."""
    records, manifest_member = members(quiz, cache)
    data = zip_bytes([("imsmanifest.xml", manifest_member.deflated()), *records.records(),
                      (TEST_FILE, assessment_test(quiz, cache)),
                      *((MEDIA_FOLDER + file.name, media_member(file.media_type, file.content))
                        for file in quiz.media)])
    return Output(filename=f"{package_stem(quiz)}-qti21.zip", data=data, warnings=warnings(quiz))


def item_member(item: Item, options: ItemOptions) -> bytes:
    """An item's document as its compressed zip member (Deflated.to_bytes)."""
    return Deflated.of(assessment_item(item, options)).to_bytes()


def item_identifier(cohort: str | None, item: Item) -> str:
    """The assessmentItem identifier, also its assessmentItemRef identifier (Canvas joins on it).
    A cohort's package carries the cohort so two cohorts' questions stay apart in one course."""
    return f"{item.id}-{cohort}" if cohort else item.id


def item_href(cohort: str | None, item: Item) -> str:
    return f"items/{item_identifier(cohort, item)}.xml"


def assessment_item(item: Item, options: ItemOptions) -> bytes:
    hint_ids = tuple(HINT_ID.format(n) for n in range(1, len(item.hints) + 1))
    hints = tuple(
        HintView(request=f"HINTREQUEST_{n}", feedback=hint_ids[n - 1], shown=hint_ids[:n],
                 label=f"Hint {n}", text=text)
        for n, text in enumerate(item.hints, start=1))
    context: dict[str, object] = {"prompt": item.prompt} | interaction_context(item, options)
    # Text escapes '<': only a formula's element starts so.
    with_formula = any("<math" in text for text in item_texts(item))
    return render_xml(
        "qti21/assessment_item.xml", ITEM_SCHEMA if with_formula else TEXT_ITEM_SCHEMA, item_href(options.cohort, item),
        identifier=item_identifier(options.cohort, item),
        title=item.title,
        language=options.language,
        points=format_number(item.points),
        hints=hints,
        explanation=item.explanation,
        explanation_id=EXPLANATION_ID,
        **context,
    )


def interaction_context(item: Item, options: ItemOptions) -> dict[str, object]:
    """What the assessmentItem template says of the item's interaction: its response
    declaration, its body and how it is scored (and, for blanks, the prompt they stand in)."""
    match item.interaction:
        case ChoiceInteraction() as choice:
            return choice_context(item, choice, options)
        case ShortAnswerInteraction() as short:
            return short_answer_context(item.points, short)
        case NumericInteraction() as numeric:
            return numeric_context(item.points, numeric)
        case EssayInteraction() as essay:
            return essay_context(essay)
        case MatchingInteraction() as matching:
            return matching_context(item, matching, options)
        case OrderingInteraction() as ordering:
            return ordering_context(item, ordering)
        case FillInBlanksInteraction() as blanks:
            return blanks_context(item, blanks, options)
        case _:
            assert_never(item.interaction)


def response_identifier(interaction: ChoiceInteraction) -> str:
    """Canvas recognises true/false only from a response variable whose name starts with 'TF'."""
    return "TF_RESPONSE" if interaction.kind == "true_false" else "RESPONSE"


def shuffled_choices(item: Item, options: ItemOptions) -> bool:
    """Whether the item's choices (options, drop-down options) are shuffled: where the quiz
    shuffles them, unless the item keeps its own order."""
    return options.shuffle_choices and item.shuffle_choices


def choice_context(item: Item, interaction: ChoiceInteraction, options: ItemOptions) -> dict[str, object]:
    weights = choice_weights(item.points, interaction)
    correct = tuple(c.identifier for c in interaction.correct_choices)
    true_false = interaction.kind == "true_false"
    return {
        "interaction": "choice",
        "response": response_identifier(interaction),
        "cardinality": "multiple" if interaction.multiple else "single",
        "max_choices": len(interaction.choices) if interaction.multiple else 1,
        "shuffle": shuffled_choices(item, options) and interaction.may_shuffle,
        "correct": correct,
        # Canvas reads true/false only from a responseCondition that matches the 'TF…' variable
        # against a choice identifier; the match scores exactly as the mapping does.
        "match_correct": correct[0] if true_false else None,
        "choices": tuple(_choice_view(choice, weights[choice.identifier]) for choice in interaction.choices),
        "answer_feedback": (),  # a choice's feedback is inline, in its simpleChoice
    }


def _choice_view(choice: Choice, weight: float) -> ChoiceView:
    return ChoiceView(identifier=choice.identifier, text=choice.text, feedback=choice.feedback,
                      weight=format_number(weight), fixed=choice.fixed)


def exact_number(value: float) -> str:
    """A number as an xs:double that reads back as exactly this float (30.0 -> '30', 1e-09 stays):
    a bound must not move by rounding, or a number on it would score differently."""
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def _earned(points: float, credit: float) -> str:
    return format_number(credit_points(points, credit))


def _answer_feedback(index: int, feedback: Markup | None) -> FeedbackView | None:
    return FeedbackView(ANSWER_FEEDBACK_ID.format(index), feedback) if feedback is not None else None


def _feedback_views(answers: tuple[FeedbackView | None, ...], other: Markup | None) -> tuple[FeedbackView, ...]:
    """The modalFeedback of each answer that has feedback, then that of any other answer."""
    views = [view for view in answers if view is not None]
    if other is not None:
        views.append(FeedbackView(OTHER_FEEDBACK_ID, other))
    return tuple(views)


ScoreBy = Literal["mapping", "answers", "none"]
"""How a typed item sets SCORE: mapResponse; the first answer whose test holds; not at all (essays)."""


def typed_context(base_type: str, score_by: ScoreBy) -> dict[str, object]:
    """What every typed interaction's context holds, before its own: a single response of
    ``base_type``, and (defaults) no correct response, mapping, answers, feedback, unit or notes."""
    return {"interaction": "typed", "response": TYPED_RESPONSE, "cardinality": "single", "base_type": base_type,
            "score_by": score_by, "body": "text_entry", "default": None, "correct": None, "entries": (),
            "case_sensitive": None, "answers": (), "answer_feedback": (), "other_feedback": None, "unit": "",
            "grader_notes": None, "match_correct": None}


def short_answer_context(points: float, interaction: ShortAnswerInteraction) -> dict[str, object]:
    """A string textEntryInteraction scored by mapResponse over the accepted answers (whitespace
    folded, case as the item says); per-answer feedback from a stringMatch of each answer in order."""
    feedback = tuple(_answer_feedback(n, a.feedback) for n, a in enumerate(interaction.answers, start=1))
    views = _feedback_views(feedback, interaction.other_feedback)
    return typed_context("string", "mapping") | {
        "correct": fold_spaces(correct_answer(interaction.answers).text),
        "entries": tuple(MapEntryView(fold_spaces(a.text), _earned(points, a.credit)) for a in interaction.answers),
        "case_sensitive": "true" if interaction.case_sensitive else "false",
        # The feedback condition is needed only when there is feedback to show.
        "answers": tuple(TypedAnswerView("string", fold_spaces(a.text), None, None, _earned(points, a.credit),
                                         view.identifier if view else None)
                         for a, view in zip(interaction.answers, feedback, strict=True)) if views else (),
        "answer_feedback": views,
        "other_feedback": OTHER_FEEDBACK_ID if interaction.other_feedback is not None else None,
    }


def numeric_context(points: float, interaction: NumericInteraction) -> dict[str, object]:
    """A float textEntryInteraction scored answer by answer in order, each with its interval
    (NumericAnswer.bounds) written so that a QTI player computes the same bounds."""
    feedback = tuple(_answer_feedback(n, a.feedback) for n, a in enumerate(interaction.answers, start=1))
    return typed_context("float", "answers") | {
        "correct": exact_number(_accepted_number(correct_answer(interaction.answers))),
        "answers": tuple(_numeric_view(points, answer, view.identifier if view else None)
                         for answer, view in zip(interaction.answers, feedback, strict=True)),
        "answer_feedback": _feedback_views(feedback, interaction.other_feedback),
        "other_feedback": OTHER_FEEDBACK_ID if interaction.other_feedback is not None else None,
        "unit": interaction.unit,
    }


def _accepted_number(answer: NumericAnswer) -> float:
    """A number the answer accepts, for correctResponse: its value, or the middle of its range."""
    low, high = answer.bounds
    return answer.value if answer.value is not None else low + (high - low) / 2


def _numeric_view(points: float, answer: NumericAnswer, feedback: str | None) -> TypedAnswerView:
    earned = _earned(points, answer.credit)
    low, high = answer.bounds
    if answer.value is not None and answer.tolerance == 0:
        return TypedAnswerView("exact", exact_number(answer.value), None, None, earned, feedback)
    if answer.value is not None:
        # A percent is written as its margin in absolute mode: QTI's relative mode bounds x*(1 - t/100)
        # to x*(1 + t/100), which reverses for a negative value. A player computes value - margin and
        # value + margin in binary floating point; where that misses the model's bounds (worked out
        # in decimal: 0.3 with 10 % ends at 0.33), the answer is written as its range instead, so a
        # number typed on a bound scores as builder/scoring.py says.
        margin = high - answer.value
        if (answer.value - margin, answer.value + margin) == (low, high):
            return TypedAnswerView("absolute", exact_number(answer.value), exact_number(margin), None, earned,
                                   feedback)
    return TypedAnswerView("range", exact_number(low), None, exact_number(high), earned, feedback)


def essay_context(interaction: EssayInteraction) -> dict[str, object]:
    """A string extendedTextInteraction that no response processing scores (a person grades it);
    the template as the response's default value, the grader notes as a rubricBlock for scorers."""
    return typed_context("string", "none") | {
        "default": interaction.response_template or None,
        "body": "extended_text",
        "grader_notes": interaction.grader_notes,
    }


PartsScoring = Literal["correct", "mapping", "parts"]
"""How a matching, ordering or blanks item sets SCORE short of the whole response right: not at all
(all or nothing: 0); mapResponse (per pair); adding each right part's share (per position, blanks)."""


def parts_context(item: Item, body: str, responses: tuple[ResponseView, ...], score_by: PartsScoring,
                  parts: int) -> dict[str, object]:
    """What every matching, ordering and blanks context holds: its responses and how it is scored.

    The whole response right earns the item's points. Each part right earns ``points / parts``,
    written so that it reads back as the same float; a player adds the shares in binary floating
    point, and where all of them do not come to exactly the points (0.9 / 3 three times is
    0.8999999999999999), a first condition gives the points for the whole response right, as
    builder/scoring.py does (all or nothing always has that condition and nothing else)."""
    share = item.points / parts
    total = 0.0
    for _ in range(parts):
        total += share
    return {"interaction": "parts", "body": body, "responses": responses, "score_by": score_by,
            "whole_first": score_by == "correct" or total != item.points, "share": exact_number(share),
            "parts": (), "answers": (), "answer_feedback": ()}


def matching_context(item: Item, interaction: MatchingInteraction, options: ItemOptions) -> dict[str, object]:
    """A matchInteraction: the left sides in the first set, the options (the pairs' right sides, then
    the distractors) in the second, each used at most once; a multiple directedPair response (left,
    option). per_pair: mapResponse over the right pairs; all_or_nothing: the points when the response
    is the correct one."""
    pairs = tuple(f"{left} R{n}" for n, left in enumerate(interaction.left_ids, start=1))
    per_pair = interaction.scoring == "per_pair"
    share = exact_number(item.points / len(pairs))
    response = ResponseView(PARTS_RESPONSE, "multiple", "directedPair", pairs,
                            tuple(MapEntryView(pair, share) for pair in pairs) if per_pair else ())
    texts = dict(interaction.options)
    return parts_context(item, "match", (response,), "mapping" if per_pair else "correct", len(pairs)) | {
        "shuffle": shuffled_choices(item, options),
        "max_associations": len(pairs),
        "lefts": tuple(OptionView(left, pair.left) for left, pair in zip(interaction.left_ids, interaction.pairs,
                                                                           strict=True)),
        "options": tuple(OptionView(identifier, texts[identifier])
                         for identifier in scrambled(tuple(texts), item.id)),
    }


def ordering_context(item: Item, interaction: OrderingInteraction) -> dict[str, object]:
    """An orderInteraction with an ordered identifier response: the steps written in a fixed order
    with none in its place (a player that does not shuffle shows no answer), and shuffled by a player
    that does. all_or_nothing: the points when the response is the correct order; per_position: each
    step in its place (``index``) adds its share."""
    ids = interaction.step_ids
    response = ResponseView(PARTS_RESPONSE, "ordered", "identifier", ids)
    per_position = interaction.scoring == "per_position"
    texts = dict(zip(ids, interaction.steps, strict=True))
    return parts_context(item, "order", (response,), "parts" if per_position else "correct", len(ids)) | {
        "shuffle": True,
        "steps": tuple(OptionView(step, texts[step]) for step in scrambled(ids, item.id)),
        "parts": tuple(PartView(PARTS_RESPONSE, "position", (step,), position=n)
                       for n, step in enumerate(ids, start=1)) if per_position else (),
    }


def blanks_context(item: Item, interaction: FillInBlanksInteraction, options: ItemOptions) -> dict[str, object]:
    """The prompt with an inline interaction where each [[name]] stood, a response each
    (BLANK_<n>): a string textEntryInteraction for a typed blank, a float one for a number, an
    inlineChoiceInteraction for a drop-down. Each blank right adds its share of the points."""
    responses = tuple(_blank_response(n, blank) for n, blank in enumerate(interaction.blanks, start=1))
    parts = tuple(_blank_part(n, blank) for n, blank in enumerate(interaction.blanks, start=1))

    def interaction_xml(blank: Blank, index: int) -> Markup:
        return Markup(render("qti21/blank.xml", blank=_blank_view(index + 1, blank, shuffled_choices(item, options)))
                      .strip())

    return parts_context(item, "blanks", responses, "parts", len(parts)) | {
        "prompt": interaction.fill(item.prompt, interaction_xml),
        "parts": parts,
    }


def _blank_response(n: int, blank: Blank) -> ResponseView:
    identifier = BLANK_RESPONSE.format(n)
    match blank:
        case TextBlank() as typed:
            return ResponseView(identifier, "single", "string", (fold_spaces(typed.answers[0]),))
        case ChoiceBlank() as choice:
            return ResponseView(identifier, "single", "identifier", (BLANK_OPTION.format(n, choice.correct + 1),))
        case NumericBlank() as number:
            return ResponseView(identifier, "single", "float", (exact_number(_accepted_number(number.answer)),))
        case _:
            assert_never(blank)


def _blank_part(n: int, blank: Blank) -> PartView:
    """The test that a blank is right: a typed blank as a short answer is compared (each accepted
    answer folded, case as the blank says), a drop-down its right option, a number within its
    interval written as numeric answers are."""
    identifier = BLANK_RESPONSE.format(n)
    match blank:
        case TextBlank() as typed:
            return PartView(identifier, "text", tuple(dict.fromkeys(fold_spaces(a) for a in typed.answers)),
                            case_sensitive="true" if typed.case_sensitive else "false")
        case ChoiceBlank() as choice:
            return PartView(identifier, "choice", (BLANK_OPTION.format(n, choice.correct + 1),))
        case NumericBlank() as number:
            return PartView(identifier, "number", number=_numeric_view(0.0, number.answer, None))
        case _:
            assert_never(blank)


def _blank_view(n: int, blank: Blank, shuffle: bool) -> BlankView:
    match blank:
        case ChoiceBlank() as choice:
            return BlankView(BLANK_RESPONSE.format(n), tuple(OptionView(BLANK_OPTION.format(n, m), text)
                                                             for m, text in enumerate(choice.options, start=1)),
                             shuffle)
        case TextBlank() | NumericBlank():
            return BlankView(BLANK_RESPONSE.format(n), (), shuffle)
        case _:
            assert_never(blank)


def sections(quiz: Quiz) -> tuple[SectionView, ...]:
    """One section per pool, then one for items no pool names; one section of all items without pools."""
    by_id = {item.id: item for item in quiz.items}

    def refs(ids: tuple[str, ...]) -> tuple[ItemRef, ...]:
        return tuple(ItemRef(item_identifier(quiz.cohort, by_id[i]), item_href(quiz.cohort, by_id[i]),
                             format_number(by_id[i].points)) for i in ids)

    pools: list[Pool] = list(quiz.settings.pools)
    pooled = {item_id for pool in pools for item_id in pool.item_ids}
    rest = tuple(item.id for item in quiz.items if item.id not in pooled)
    if rest:
        pools.append(Pool("all" if not pooled else "unpooled", quiz.display_title, rest))
    return tuple(SectionView(f"section-{pool.identifier}", pool.title or quiz.display_title, pool.select,
                             refs(pool.item_ids)) for pool in pools)


def assessment_test(quiz: Quiz, cache: Cache) -> Deflated:
    settings = quiz.settings
    test_sections = sections(quiz)
    drawn = any(section.select is not None for section in test_sections)
    return remembered_xml(
        cache, "qti21/assessment_test.xml", TEXT_ITEM_SCHEMA, TEST_FILE,
        identifier=quiz.package_id,
        title=quiz.display_title,
        tool_name=TOOL_NAME,
        # With draws the maximum depends on the draw; outcome processing computes it either way.
        max_score=None if drawn else format_number(quiz.max_score),
        pass_fraction=format_number(settings.pass_mark / 100),
        # Whole seconds: Canvas reads a bare number as seconds, QTI's maxTime is in seconds.
        time_limit=settings.time_limit,
        test_part=TEST_PART,
        # Feedback only after the test part is submitted means simultaneous submission.
        submission_mode="individual" if settings.feedback == "immediately" else "simultaneous",
        # linear: each item in turn, never back to an earlier one (the player's linear navigation);
        # carried only when written: unset, a QTI player lets learners move freely, as before.
        navigation_mode="linear" if "navigation" in settings.written and settings.navigation == "linear"
        else "nonlinear",
        max_attempts=settings.attempts or 0,  # 0: no limit in QTI (Canvas: unlimited attempts)
        show_feedback=settings.feedback != "never",
        # Canvas reads showSolution as "Let students see the correct answers".
        show_solution=settings.feedback != "never" and settings.show_correct_answers,
        shuffle=settings.shuffle_items,
        sections=test_sections,
    )


@dataclass(frozen=True)
class ResourceOptions:
    """What an item's manifest resource takes from its quiz."""

    language: str
    cohort: str | None


def resource_xml(item: Item, options: ResourceOptions) -> bytes:
    """One item's validated <resource> in the manifest: among its QTI metadata, each kind of
    interaction the item holds (QTI 2.1 metadata interactionType), once."""
    interactions: tuple[str, ...]
    match item.interaction:
        case ChoiceInteraction():
            interactions, solution = ("choiceInteraction",), True
        case ShortAnswerInteraction() | NumericInteraction():
            interactions, solution = ("textEntryInteraction",), True
        case EssayInteraction():
            interactions, solution = ("extendedTextInteraction",), False
        case MatchingInteraction():
            interactions, solution = ("matchInteraction",), True
        case OrderingInteraction():
            interactions, solution = ("orderInteraction",), True
        case FillInBlanksInteraction() as blanks:
            interactions, solution = tuple(dict.fromkeys(_blank_interaction(b) for b in blanks.blanks)), True
        case _:
            assert_never(item.interaction)
    # Canvas guesses every other kind from the item; an orderInteraction it cannot guess, and
    # imports as an error question unless told.
    canvas_type = "orderInteraction" if isinstance(item.interaction, OrderingInteraction) else None
    media = item_media(item)
    resource = Resource(resource_identifier(options.cohort, item), item_href(options.cohort, item), item.title,
                        (*interactions, "endAttemptInteraction") if item.hints else interactions, solution,
                        canvas_type, media)
    # Checked beside the resources of its files, which its dependencies name.
    wrapper = (RESOURCE_WRAPPER[0], render("qti21/media_resources.xml", media_resources=media) + RESOURCE_WRAPPER[1]) \
        if media else RESOURCE_WRAPPER
    return render_part("qti21/resource.xml", MANIFEST_SCHEMA, wrapper, f"manifest resource of item {item.id}",
                       resource=resource, language=options.language, tool_name=TOOL_NAME).encode("utf-8")


def item_texts(item: Item) -> Iterator[Markup]:
    """Every XHTML fragment of the item, all its document shows (drop-down options and typed
    answers are plain text)."""
    yield item.prompt
    yield from item.hints
    if item.explanation is not None:
        yield item.explanation
    match item.interaction:
        case ChoiceInteraction() as choice:
            for option in choice.choices:
                yield option.text
                if option.feedback is not None:
                    yield option.feedback
        case ShortAnswerInteraction() | NumericInteraction() as typed:
            yield from (answer.feedback for answer in typed.answers if answer.feedback is not None)
            if typed.other_feedback is not None:
                yield typed.other_feedback
        case EssayInteraction() as essay:
            if essay.grader_notes is not None:
                yield essay.grader_notes
        case MatchingInteraction() as matching:
            for pair in matching.pairs:
                yield from (pair.left, pair.right)
            yield from matching.distractors
        case OrderingInteraction() as ordering:
            yield from ordering.steps
        case FillInBlanksInteraction():
            pass  # its blanks are in the prompt; their options and answers are plain text
        case _:
            assert_never(item.interaction)


def item_media(item: Item) -> tuple[MediaResource, ...]:
    """The files the item shows, each once, in the order of their names (Quiz.media's): found in
    its fragments, so that the resource names exactly the files its document does."""
    hrefs = dict.fromkeys(href for text in item_texts(item) for href in media_names(text))
    return tuple(media_resource(href) for href in sorted(hrefs, key=unquote))


def media_resource(href: str) -> MediaResource:
    """A media file's resource: named by a hash of its path (a name of any letters and spaces is
    no XML identifier), at its path under MEDIA_FOLDER, URL-quoted (``href``: MediaFile.href)."""
    return MediaResource(f"RES-MEDIA-{hashlib.sha256(href.encode()).hexdigest()[:16]}", MEDIA_FOLDER + href)


def _blank_interaction(blank: Blank) -> str:
    match blank:
        case TextBlank() | NumericBlank():
            return "textEntryInteraction"
        case ChoiceBlank():
            return "inlineChoiceInteraction"
        case _:
            assert_never(blank)


def resource_identifier(cohort: str | None, item: Item) -> str:
    return f"RES-ITEM-{item_identifier(cohort, item)}"


def manifest(quiz: Quiz, cache: Cache) -> SegmentedMember:
    """imsmanifest.xml: the package's metadata, a resource per item (parts, in remembered
    segments: a rebuild after one item's title changed makes one segment again, not a manifest of
    every item), the test's resource, which depends on every item's, and a webcontent resource per
    media file, on which the items that show it depend. What the schema asks across resources holds
    by construction: their identifiers come from item ids, unique in a quiz (builder.loading), and
    from the media files' paths, and the dependencies from the same items and files (Quiz.media
    holds every file an item shows)."""
    part = ItemPart(resource_xml, ResourceOptions(quiz.language, quiz.cohort))
    dependencies = tuple(resource_identifier(quiz.cohort, item) for item in quiz.items)
    head, tail = render_frame(
        cache, "qti21/imsmanifest.xml", MANIFEST_SCHEMA, "imsmanifest.xml", "resources", part.first(quiz.items),
        first_only=dict(dependencies=dependencies[:1]),
        identifier=f"MANIFEST-{quiz.package_id}",
        title=quiz.display_title,
        description=quiz.description,
        language=quiz.language,
        tool_name=TOOL_NAME,
        test=Resource(f"RES-TEST-{quiz.package_id}", TEST_FILE, quiz.display_title),
        dependencies=dependencies,
        media_resources=tuple(media_resource(file.href) for file in quiz.media),
    )
    return part.member(cache, head, quiz.items, tail)


SUPPORT = FormatSupport(
    item_types=CHOICE_TYPES | {"short_answer", "numeric", "essay", "matching", "ordering", "fill_in_blanks"},
    # QTI has no seeded selection; a QTI player shows hints and feedback as its submission mode
    # and attempts allow; sections keep their order.
    # A test has no look of its own: the QTI player's or the LMS's.
    features=ALL_FEATURES - {"seeded_draws", "hints_before_submit", "hidden_feedback_with_retries",
                             "shuffle_sections", "theme"},
)


def check(quiz: Quiz) -> list[Problem]:
    """Every item QTI 2.1 refuses: an item type it does not carry."""
    return unsupported_items("QTI 2.1", SUPPORT, quiz)


def warnings(quiz: Quiz) -> tuple[FormatWarning, ...]:
    """What QTI 2.1 cannot say as the quiz means it, once per build."""
    settings = quiz.settings
    found: list[FormatWarning] = []
    hinted = tuple(item.id for item in quiz.items if item.hints)
    drawn = [pool for pool in settings.pools if pool.select is not None]
    if drawn and SUPPORT.lacks("seeded_draws"):
        # The seed is named only when quiz.yaml (or the cohort) wrote one.
        seed = f"; seed {settings.seed} is not carried" if "seed" in settings.written else ""
        found.append(FormatWarning(FORMAT, "qti21-draws-not-seeded", (
            f"the LMS draws items from {', '.join(p.identifier for p in drawn)} anew at each attempt, so "
            f"learners see different draws than the other formats' packages give{seed} (QTI has no "
            "seeded selection)")))
    if hinted and settings.feedback != "immediately" and SUPPORT.lacks("hints_before_submit"):
        found.append(FormatWarning(FORMAT, "qti21-hints-after-submit", (
            f"with feedback '{settings.feedback}' the whole test is submitted at once, and a QTI player "
            "shows the hints a learner asks for only after that"), hinted))
    if settings.feedback == "never" and settings.attempts != 1 and SUPPORT.lacks("hidden_feedback_with_retries"):
        found.append(FormatWarning(FORMAT, "qti21-feedback-between-attempts", (
            "QTI shows feedback between attempts whenever more than one attempt is allowed; "
            "feedback 'never' holds only after the last attempt")))
    if settings.shuffle_items and len(sections(quiz)) > 1 and SUPPORT.lacks("shuffle_sections"):
        found.append(FormatWarning(FORMAT, "qti21-sections-order-fixed", (
            "shuffle_items shuffles items within each section; the order of the sections is fixed")))
    if "theme" in settings.written and settings.theme is not None and SUPPORT.lacks("theme"):
        found.append(FormatWarning(FORMAT, "qti21-no-theme", (
            "a QTI 2.1 package has no look of its own (the LMS's or QTI player's): the theme's logo and accent "
            "colour are not carried")))
    return (*found, *typed_item_warnings(quiz))


def typed_item_warnings(quiz: Quiz) -> list[FormatWarning]:
    """What a QTI 2.1 player does not do as lmspack scores typed answers (and typed or number
    blanks), naming the items."""
    short = [item.id for item in quiz.items if isinstance(item.interaction, ShortAnswerInteraction)
             or _has_blank(item, TextBlank)]
    numeric = [item.id for item in quiz.items if isinstance(item.interaction, NumericInteraction)
               or _has_blank(item, NumericBlank)]
    limited = [item.id for item in quiz.items if isinstance(item.interaction, EssayInteraction)
               and (item.interaction.min_words is not None or item.interaction.max_words is not None)]
    found = [
        ("qti21-typed-answer-spaces", "QTI 2.1 compares a typed answer exactly as the learner typed it: a space "
         "before or after it, or two in a row, makes it match no accepted answer, where lmspack's scoring ignores "
         "them", short),
        ("qti21-decimal-comma", f"a QTI player reads a typed number with a decimal point only; {quiz.language} "
         "writes decimals with a comma, and a number typed so (0,5) matches no answer",
         numeric if decimal_comma(quiz.language) else []),
        ("qti21-no-word-limits", "QTI 2.1 has no word limits for an extended text; min_words and max_words are "
         "left out", limited),
    ]
    return [FormatWarning(FORMAT, code, message, tuple(ids)) for code, message, ids in found if ids]


def _has_blank(item: Item, kind: type[TextBlank] | type[NumericBlank]) -> bool:
    return isinstance(item.interaction, FillInBlanksInteraction) and \
        any(isinstance(blank, kind) for blank in item.interaction.blanks)
