"""Small quiz projects written into a temporary folder, for loader and CLI tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

QUIZ_YAML = """\
identifier: demo
title: Demo quiz
version: 1.0.0
pass_mark: 50
"""

SINGLE = """\
id: {id}
type: single_choice
prompt: Pick the right one.
choices:
  - text: Right
    correct: true
    feedback: Yes.
  - text: Wrong
    feedback: No.
"""


def make_project(root: Path, items: dict[str, str] | None = None, quiz: str = QUIZ_YAML,
                 folder: str = "items/demo") -> Path:
    """Write quiz.yaml and the given item files (name -> YAML text) under root/folder."""
    quiz_dir = root / folder
    quiz_dir.mkdir(parents=True, exist_ok=True)
    (quiz_dir / "quiz.yaml").write_text(textwrap.dedent(quiz), encoding="utf-8")
    if items is None:
        items = {"q1.yaml": SINGLE.format(id="q1")}
    for name, text in items.items():
        path = quiz_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return quiz_dir
