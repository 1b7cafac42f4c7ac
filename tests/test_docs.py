"""The README's promises: two quick-start commands, used verbatim by .ci/run and the CI examples,
and links to documents that exist."""

from __future__ import annotations

import re

import yaml

from conftest import ROOT

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
