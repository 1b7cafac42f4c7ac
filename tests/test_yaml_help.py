"""YAML written in a word processor: each common mistake named at its real place, with its fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import main
from builder.errors import InputError
from builder.loading import load_quizzes

from projects import make_project

STRAIGHT = "YAML quotes text with straight quotes \" or '"
NBSP = "a no-break space (U+00A0) where YAML needs a plain space; replace it with a space"


def problems_for(tmp_path: Path, text: str) -> list[str]:
    make_project(tmp_path, {"q1.yaml": text})
    with pytest.raises(InputError) as raised:
        load_quizzes([tmp_path / "items"], tmp_path)
    return [problem.format() for problem in raised.value.problems]


ITEM = """\
id: q1
type: single_choice
prompt: {prompt}
choices:
  - text: Right
    correct: true
    feedback: {feedback}
  - text: Wrong
    feedback: No.
"""


@pytest.mark.parametrize(("text", "expected"), [
    # A curly closing quote: libyaml reads on to the end of the file (9:1).
    (ITEM.format(prompt='"Pick one”', feedback="Yes."),
     f'3:18: invalid YAML: curly quote ” (U+201D) ends the text its straight " opens; {STRAIGHT}: replace it with "'),
    (ITEM.format(prompt="'Pick one’", feedback="Yes."),
     f"3:18: invalid YAML: curly quote ’ (U+2019) ends the text its straight ' opens; {STRAIGHT}: replace it with '"),
    # ... or to the next straight quote, and fails after it (4:...).
    ('id: q1\ntitle: "Pick one”\nprompt: "Why?"\n',
     f'2:17: invalid YAML: curly quote ” (U+201D) ends the text its straight " opens; {STRAIGHT}: replace it with "'),
    # Curly quotes as YAML's, around text that needs quotes (libyaml: at the colon, 3:15).
    (ITEM.format(prompt="“Note: pick one”", feedback="Yes."),
     f'3:9: invalid YAML: curly quote “ (U+201C) where YAML needs a straight quote; {STRAIGHT}: replace both '
     'quotes with "'),
    # A straight quote that nothing ends.
    ('id: q1\nprompt: "Pick one\nchoices: []\n',
     '2:9: invalid YAML: the text that this " opens never ends; end it with a straight "'),
    # Indented with no-break spaces: libyaml says 'mapping values are not allowed' at 8:9.
    (ITEM.replace("    correct", "\u00a0\u00a0\u00a0\u00a0correct").format(prompt="P", feedback="Yes."),
     f"6:1: invalid YAML: {NBSP}"),
    (ITEM.replace("    correct", "   \u00a0correct").format(prompt="P", feedback="Yes."),
     f"6:4: invalid YAML: {NBSP}"),
    (ITEM.replace("  - text: Right", "\u00a0 - text: Right").format(prompt="P", feedback="Yes."),
     f"5:1: invalid YAML: {NBSP}"),
    (ITEM.replace("text: Right", "text:\u00a0Right").format(prompt="P", feedback="Yes."),
     f"5:10: invalid YAML: {NBSP}"),
    (ITEM.replace("    correct", "\u3000correct").format(prompt="P", feedback="Yes."),
     "6:1: invalid YAML: an ideographic space (U+3000) where YAML needs a plain space; replace it with a space"),
    # A colon and a space in unquoted text.
    (ITEM.format(prompt="P", feedback="Note: this"),
     "7:19: invalid YAML: a colon and a space (': ') in unquoted text start a new key in YAML; put the text in "
     "quotes, feedback: \"Note: this\", or write feedback: >- and the text on the lines below it, indented"),
    (ITEM.format(prompt="P", feedback='Note: say "hi"'),
     "7:19: invalid YAML: a colon and a space (': ') in unquoted text start a new key in YAML; put the text in "
     "quotes, feedback: 'Note: say \"hi\"', or write feedback: >- and the text on the lines below it, indented"),
    # A tab in the indentation: libyaml finds it where it is.
    (ITEM.replace("    correct", "\tcorrect").format(prompt="P", feedback="Yes."),
     "6:1: invalid YAML: a tab character (U+0009) in the indentation; YAML indents with spaces only: replace it "
     "with spaces"),
    (ITEM.replace("    correct", "  \t  correct").format(prompt="P", feedback="Yes."),
     "6:3: invalid YAML: a tab character (U+0009) in the indentation; YAML indents with spaces only: replace it "
     "with spaces"),
])
def test_word_processor_mistakes_are_named_at_their_place(tmp_path, text, expected):
    assert problems_for(tmp_path, text) == [f"items/demo/q1.yaml:{expected}"]


def test_curly_quotes_inside_text_load_as_written(tmp_path):
    text = ITEM.format(prompt="He said “yes” and ‘no’", feedback="“Yes”") + 'title: "It’s “quoted” here"\n'
    make_project(tmp_path, {"q1.yaml": text})
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    (item,) = quiz.items
    assert item.prompt == "<p>He said “yes” and ‘no’</p>"
    assert item.title == "It’s “quoted” here"
    assert item.interaction.choices[0].feedback == "“Yes”"


def test_no_break_spaces_inside_text_load_as_written(tmp_path):
    make_project(tmp_path, {"q1.yaml": ITEM.format(prompt="10\u00a0kg", feedback="Note:\u00a0this")})
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    assert quiz.items[0].prompt == "<p>10\u00a0kg</p>"


def test_the_command_line_prints_the_place_and_the_fix(tmp_path, monkeypatch):
    make_project(tmp_path, {"q1.yaml": ITEM.format(prompt="P", feedback="Note: this")})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "items/demo/q1.yaml:7:19: invalid YAML: a colon and a space (': ') in unquoted text start a new key in "
        "YAML; put the text in quotes, feedback: \"Note: this\", or write feedback: >- and the text on the lines "
        "below it, indented",
        "1 problem found; nothing was written",
    ]


def test_text_in_a_block_is_not_taken_for_a_mistake(tmp_path):
    prompt = '>-\n  "Pick one”, she said,\n  \u00a0 indented with a no-break space.'
    text = ITEM.format(prompt=prompt, feedback="Note: this")
    assert problems_for(tmp_path, text) == [
        "items/demo/q1.yaml:9:19: invalid YAML: a colon and a space (': ') in unquoted text start a new key in YAML; "
        "put the text in quotes, feedback: \"Note: this\", or write feedback: >- and the text on the lines below it, "
        "indented"]
