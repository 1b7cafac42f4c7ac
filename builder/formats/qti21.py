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
no response processing scores (a person does).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal, NamedTuple, assert_never, overload

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
    unsupported_items,
)
from builder.model import (
    Choice,
    ChoiceInteraction,
    EssayInteraction,
    FillInBlanksInteraction,
    Item,
    MatchingInteraction,
    NumericAnswer,
    NumericInteraction,
    OrderingInteraction,
    Pool,
    Quiz,
    ShortAnswerInteraction,
    TextAnswer,
)
from builder.packaging import Deflated, SegmentedMember, SegmentedRecords, zip_bytes
from builder.rendering import remembered_xml, render_frame, render_part, render_xml
from builder.scoring import choice_weights, decimal_comma, format_number

FORMAT = "qti21"
TOOL_NAME = "lmspack"
ITEM_SCHEMA = "qti21/imsqti_v2p1.xsd"
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


# Named tuples, not dataclasses: a test holds one ItemRef per item and is remembered by the repr
# of them all (rendering.remembered_xml), which a named tuple makes several times faster.
class Resource(NamedTuple):
    identifier: str
    href: str
    title: str
    interactions: tuple[str, ...] = ()
    solution: bool = True
    """Whether the item declares a correct response (QTI metadata solutionAvailable)."""


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
                      (TEST_FILE, assessment_test(quiz, cache))])
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
    return render_xml(
        "qti21/assessment_item.xml", ITEM_SCHEMA, item_href(options.cohort, item),
        identifier=item_identifier(options.cohort, item),
        title=item.title,
        language=options.language,
        points=format_number(item.points),
        prompt=item.prompt,
        hints=hints,
        explanation=item.explanation,
        explanation_id=EXPLANATION_ID,
        **interaction_context(item, options),
    )


def interaction_context(item: Item, options: ItemOptions) -> dict[str, object]:
    """What the assessmentItem template says of the item's interaction: its response
    declaration, its body and how it is scored."""
    match item.interaction:
        case ChoiceInteraction() as choice:
            return choice_context(item.points, choice, options)
        case ShortAnswerInteraction() as short:
            return short_answer_context(item.points, short)
        case NumericInteraction() as numeric:
            return numeric_context(item.points, numeric)
        case EssayInteraction() as essay:
            return essay_context(essay)
        case MatchingInteraction() | OrderingInteraction() | FillInBlanksInteraction():
            raise AssertionError("not carried yet: refused by check")
        case _:
            assert_never(item.interaction)


def response_identifier(interaction: ChoiceInteraction) -> str:
    """Canvas recognises true/false only from a response variable whose name starts with 'TF'."""
    return "TF_RESPONSE" if interaction.kind == "true_false" else "RESPONSE"


def choice_context(points: float, interaction: ChoiceInteraction, options: ItemOptions) -> dict[str, object]:
    weights = choice_weights(points, interaction)
    correct = tuple(c.identifier for c in interaction.correct_choices)
    true_false = interaction.kind == "true_false"
    return {
        "interaction": "choice",
        "response": response_identifier(interaction),
        "cardinality": "multiple" if interaction.multiple else "single",
        "max_choices": len(interaction.choices) if interaction.multiple else 1,
        "shuffle": options.shuffle_choices and interaction.may_shuffle,
        "correct": correct,
        # Canvas reads true/false only from a responseCondition that matches the 'TF…' variable
        # against a choice identifier; the match scores exactly as the mapping does.
        "match_correct": correct[0] if true_false else None,
        "choices": tuple(_choice_view(choice, weights[choice.identifier]) for choice in interaction.choices),
        "answer_feedback": (),  # a choice's feedback is inline, in its simpleChoice
    }


def _choice_view(choice: Choice, weight: float) -> ChoiceView:
    return ChoiceView(identifier=choice.identifier, text=choice.text, feedback=choice.feedback,
                      weight=format_number(weight))


@overload
def full_credit_answer(interaction: ShortAnswerInteraction) -> TextAnswer | None: ...


@overload
def full_credit_answer(interaction: NumericInteraction) -> NumericAnswer | None: ...


def full_credit_answer(interaction: ShortAnswerInteraction | NumericInteraction) -> TextAnswer | NumericAnswer | None:
    """The first answer worth the item's points: the item's correct response (None: every answer
    gives partial credit, and the item declares none)."""
    return next((answer for answer in interaction.answers if answer.credit == 100), None)


def exact_number(value: float) -> str:
    """A number as an xs:double that reads back as exactly this float (30.0 -> '30', 1e-09 stays):
    a bound must not move by rounding, or a number on it would score differently."""
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def folded(text: str) -> str:
    """An accepted answer as the mapping holds it: runs of whitespace as one space (case kept; the
    mapping says whether case matters)."""
    return " ".join(text.split())


def _earned(points: float, credit: float) -> str:
    return format_number(points * credit / 100)


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
    full = full_credit_answer(interaction)
    views = _feedback_views(feedback, interaction.other_feedback)
    return typed_context("string", "mapping") | {
        "correct": folded(full.text) if full else None,
        "entries": tuple(MapEntryView(folded(a.text), _earned(points, a.credit)) for a in interaction.answers),
        "case_sensitive": "true" if interaction.case_sensitive else "false",
        # The feedback condition is needed only when there is feedback to show.
        "answers": tuple(TypedAnswerView("string", folded(a.text), None, None, _earned(points, a.credit),
                                         view.identifier if view else None)
                         for a, view in zip(interaction.answers, feedback, strict=True)) if views else (),
        "answer_feedback": views,
        "other_feedback": OTHER_FEEDBACK_ID if interaction.other_feedback is not None else None,
    }


def numeric_context(points: float, interaction: NumericInteraction) -> dict[str, object]:
    """A float textEntryInteraction scored answer by answer in order, each with its interval
    (NumericAnswer.bounds) written so that a QTI player computes the same bounds."""
    feedback = tuple(_answer_feedback(n, a.feedback) for n, a in enumerate(interaction.answers, start=1))
    full = full_credit_answer(interaction)
    return typed_context("float", "answers") | {
        "correct": exact_number(_accepted_number(full)) if full else None,
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
        cache, "qti21/assessment_test.xml", ITEM_SCHEMA, TEST_FILE,
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
        max_attempts=settings.attempts or 0,  # 0: no limit in QTI (Canvas: unlimited attempts)
        show_feedback=settings.feedback != "never",
        show_solution=settings.feedback != "never",
        shuffle=settings.shuffle_items,
        sections=test_sections,
    )


@dataclass(frozen=True)
class ResourceOptions:
    """What an item's manifest resource takes from its quiz."""

    language: str
    cohort: str | None


def resource_xml(item: Item, options: ResourceOptions) -> bytes:
    """One item's validated <resource> in the manifest."""
    match item.interaction:
        case ChoiceInteraction():
            interaction, solution = "choiceInteraction", True
        case ShortAnswerInteraction() | NumericInteraction() as typed:
            interaction, solution = "textEntryInteraction", full_credit_answer(typed) is not None
        case EssayInteraction():
            interaction, solution = "extendedTextInteraction", False
        case MatchingInteraction() | OrderingInteraction() | FillInBlanksInteraction():
            raise AssertionError("not carried yet: refused by check")
        case _:
            assert_never(item.interaction)
    resource = Resource(resource_identifier(options.cohort, item), item_href(options.cohort, item), item.title,
                        (interaction, "endAttemptInteraction") if item.hints else (interaction,), solution)
    return render_part("qti21/resource.xml", MANIFEST_SCHEMA, RESOURCE_WRAPPER, f"manifest resource of item {item.id}",
                       resource=resource, language=options.language, tool_name=TOOL_NAME).encode("utf-8")


def resource_identifier(cohort: str | None, item: Item) -> str:
    return f"RES-ITEM-{item_identifier(cohort, item)}"


def manifest(quiz: Quiz, cache: Cache) -> SegmentedMember:
    """imsmanifest.xml: the package's metadata, a resource per item (parts, in remembered
    segments: a rebuild after one item's title changed makes one segment again, not a manifest of
    every item) and the test's resource, which depends on every item's. What the schema asks
    across resources holds by construction: their identifiers come from item ids, unique in a
    quiz (builder.loading), and the dependencies from the same items."""
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
    )
    return part.member(cache, head, quiz.items, tail)


SUPPORT = FormatSupport(
    item_types=CHOICE_TYPES | {"short_answer", "numeric", "essay"},
    # QTI has no seeded selection; a QTI player shows hints and feedback as its submission mode
    # and attempts allow; sections keep their order.
    features=ALL_FEATURES - {"seeded_draws", "hints_before_submit", "hidden_feedback_with_retries",
                             "shuffle_sections"},
)


def check(quiz: Quiz) -> list[Problem]:
    """Every item QTI 2.1 refuses: an item type it does not carry."""
    return unsupported_items("QTI 2.1", SUPPORT, quiz)


def warnings(quiz: Quiz) -> tuple[FormatWarning, ...]:
    """What QTI 2.1 cannot say as the quiz means it, once per build."""
    settings = quiz.settings
    found: list[str] = []
    hinted = [item.id for item in quiz.items if item.hints]
    drawn = [pool for pool in settings.pools if pool.select is not None]
    if drawn and SUPPORT.lacks("seeded_draws"):
        found.append(f"the delivery system draws items from {', '.join(p.identifier for p in drawn)} at each "
                     f"attempt; seed {settings.seed} is not carried (QTI has no seeded selection)")
    if hinted and settings.feedback != "immediately" and SUPPORT.lacks("hints_before_submit"):
        found.append(f"feedback '{settings.feedback}' means simultaneous submission, in which a QTI player "
                     f"shows requested hints only after the test is submitted (items with hints: "
                     f"{', '.join(hinted)})")
    if settings.feedback == "never" and settings.attempts != 1 and SUPPORT.lacks("hidden_feedback_with_retries"):
        found.append("QTI shows feedback between attempts whenever more than one attempt is allowed; "
                     "feedback 'never' holds only after the last attempt")
    if settings.shuffle_items and len(sections(quiz)) > 1 and SUPPORT.lacks("shuffle_sections"):
        found.append("shuffle_items shuffles items within each section; the order of the sections is fixed")
    return (*(FormatWarning(FORMAT, message) for message in found), *typed_item_warnings(quiz))


def typed_item_warnings(quiz: Quiz) -> list[FormatWarning]:
    """What a QTI 2.1 player does not do as lmspack scores typed answers, naming the items."""
    short = [item.id for item in quiz.items if isinstance(item.interaction, ShortAnswerInteraction)]
    numeric = [item.id for item in quiz.items if isinstance(item.interaction, NumericInteraction)]
    limited = [item.id for item in quiz.items if isinstance(item.interaction, EssayInteraction)
               and (item.interaction.min_words is not None or item.interaction.max_words is not None)]
    found = [
        ("QTI 2.1 compares a typed answer exactly as the learner typed it: a space before or after it, or two "
         "in a row, makes it match no accepted answer, where lmspack's scoring ignores them", short),
        (f"a QTI player reads a typed number with a decimal point only; {quiz.language} writes decimals with a "
         "comma, and a number typed so (0,5) matches no answer", numeric if decimal_comma(quiz.language) else []),
        ("QTI 2.1 has no word limits for an extended text; min_words and max_words are left out", limited),
    ]
    return [FormatWarning(FORMAT, message, tuple(ids)) for message, ids in found if ids]
