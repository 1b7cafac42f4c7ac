"""Output formats. Each format is one function ``build(quiz: Quiz) -> Output`` in its module under
``builder.formats`` that turns the model into one file's bytes, in memory and already validated
against the project's own schemas. Adding a format means adding a module, its templates and its
schemas, and one line in ``ENTRY_POINTS``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from builder.model import FORMAT_NAMES, Quiz


@dataclass(frozen=True)
class FormatWarning:
    """Something the format cannot express, reported once per build (never dropped silently)."""

    format: str
    message: str
    item_id: str | None = None


def format_warning(format_name: str, quiz: Quiz, message: str, item_ids: list[str], shown: int = 5) -> str:
    """``warning: canvas: quiz, items a, b and 3 more: message``: one line for one kind of loss."""
    where = quiz.package_id
    if item_ids:
        listed = ", ".join(item_ids[:shown])
        more = f" and {len(item_ids) - shown} more" if len(item_ids) > shown else ""
        where += f", item{'s' if len(item_ids) > 1 else ''} {listed}{more}"
    return f"warning: {format_name}: {where}: {message}"


@dataclass(frozen=True)
class Output:
    filename: str
    data: bytes
    warnings: tuple[FormatWarning, ...] = ()


# SCORM 1.2 and 2004 share one module (one player, two manifests and API adapters).
ENTRY_POINTS = {
    "qti21": "builder.formats.qti21:build",
    "scorm12": "builder.formats.scorm:build_scorm12",
    "scorm2004": "builder.formats.scorm:build_scorm2004",
    "moodle": "builder.formats.moodle:build",
    "canvas": "builder.formats.canvas:build",
}
assert tuple(ENTRY_POINTS) == FORMAT_NAMES


def builder_for(name: str) -> Callable[[Quiz], Output]:
    module_name, function = ENTRY_POINTS[name].split(":")
    return getattr(importlib.import_module(module_name), function)  # type: ignore[no-any-return]


def package_stem(quiz: Quiz) -> str:
    """``<quiz-id>[-<cohort>]-<version>``: the start of every output file name."""
    return f"{quiz.package_id}-{quiz.version}"
