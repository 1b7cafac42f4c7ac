"""The README's promises: two quick-start commands, used verbatim by .ci/run and the CI examples,
and links to documents that exist; the format page's examples are valid."""

from __future__ import annotations

import re

import yaml

from builder.formats import item_type
from builder.loading import load_quizzes

from conftest import ROOT
from projects import make_project

README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quick_start_has_exactly_two_commands():
    build, test = quick_start_commands()
    assert "lmspack build" in build and test == "./scripts/test.sh"


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^exec \./scripts/test\.sh$", ci, re.M)


def test_ci_examples_use_the_readme_commands():
    build, test = quick_start_commands()
    github = yaml.safe_load((ROOT / "docs/ci/github-actions.yml").read_text())
    runs = [step.get("run") for step in github["jobs"]["build"]["steps"]]
    assert build in runs and test in runs
    gitlab = yaml.safe_load((ROOT / "docs/ci/gitlab-ci.yml").read_text())
    assert build in gitlab["packages"]["script"] and test in gitlab["packages"]["script"]


def test_readme_links_exist():
    for target in re.findall(r"\]\(((?:docs|benchmarks)/[^)#]+)\)", README):
        assert (ROOT / target).exists(), target


def test_the_format_pages_item_examples_load(tmp_path):
    """Every item example in docs/format.md is a valid item, as a designer would copy it."""
    page = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    examples = [block for block in re.findall(r"```yaml\n(.+?)```", page, re.S) if block.startswith("id: ")]
    assert len(examples) == 8  # the choice item, the typed-answer items, matching, ordering, blanks, a flashcard
    # The choice example shows wrong_choice_penalty, which its single_choice type does not take.
    examples[0] = re.sub(r"\nwrong_choice_penalty:.*", "", examples[0])
    make_project(tmp_path, {f"example{n}.yaml": text for n, text in enumerate(examples)})
    (quiz,) = load_quizzes([tmp_path / "items"], tmp_path)
    assert sorted(item_type(item.interaction) for item in quiz.items) == \
        ["essay", "fill_in_blanks", "matching", "numeric", "ordering", "short_answer", "single_choice"]
    assert [flashcard.id for flashcard in quiz.flashcards] == ["mhsa-name"]
