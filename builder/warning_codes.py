"""The stable code of every warning lmspack gives (docs/warnings.md says what each means and what
to do). A code never changes meaning: quiz.yaml's ``accept_warnings`` and CI scripts name them."""

from __future__ import annotations

CODES: frozenset[str] = frozenset({
    # What loading left out of an item's texts (builder.markup), whatever the format.
    "text-removed-markup", "text-media-no-alternative",
    # Any format: one XML file larger than validators read.
    "xml-too-large",
    # The cache could not be read or written.
    "cache-unusable",
    # A package in the output folder changed or was replaced since lmspack built it.
    "package-changed-by-hand",
    # The quiz formats leave out the quiz's flashcard items (cards only); a CSV of cards holds no files;
    # Quizlet's text holds no files, formulas or tables.
    "flashcards-not-in-quiz", "cards-csv-no-media", "quizlet-plain-text",
    # A deck too big for SCORM 1.2's resume state (the study player).
    "flashcards-resume-state-too-long",
    "qti21-draws-not-seeded", "qti21-hints-after-submit", "qti21-feedback-between-attempts",
    "qti21-sections-order-fixed", "qti21-typed-answer-spaces", "qti21-decimal-comma", "qti21-no-word-limits",
    "qti21-no-theme",
    "scorm-pass-mark-rounded", "scorm-resume-state-too-long", "scorm-essays-not-scored",
    "scorm12-essay-truncated", "scorm-no-correct-pattern",
    "moodle-quiz-settings", "moodle-true-false-hints", "moodle-true-false-labels", "moodle-essay-hints",
    "moodle-unit-not-shown", "moodle-matching-per-pair", "moodle-option-media", "moodle-option-formula",
    "moodle-option-formatting", "moodle-cloze-mark", "moodle-credit-snapped",
    "moodle-fixed-choice", "moodle-no-theme",
    "canvas-no-pass-mark", "canvas-feedback-after-submit", "canvas-shuffle-items", "canvas-pools",
    "canvas-no-hints", "canvas-wrong-choice-penalty", "canvas-true-false-labels", "canvas-partial-credit",
    "canvas-partial-before-full", "canvas-case-sensitive", "canvas-no-unit", "canvas-essay-grader-notes",
    "canvas-essay-template", "canvas-essay-word-limits", "canvas-matching-per-match", "canvas-option-formatting",
    "canvas-option-media", "canvas-option-formula", "canvas-ordering-as-matching", "canvas-mixed-blanks",
    "canvas-number-blank-exact", "canvas-choice-order", "canvas-fixed-choice", "canvas-no-theme",
})
