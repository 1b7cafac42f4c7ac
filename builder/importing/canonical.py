"""What every reader needs to write canonical documents that load back to what the source holds:
identifiers lmspack takes, numbers written as an author writes them, and the shortest decimals
that give exactly the numbers a package wrote (a credit, a pass mark, a tolerance)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from builder import markup
from builder.loading import IDENTIFIER, SECTIONS_OF_THE_REST, reserved_use
from builder.model import NumericAnswer
from builder.scoring import credit_points, format_number


def yaml_number(value: float) -> float | int:
    """A number as canonical files write it: 30, not 30.0."""
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def safe_identifier(text: str, scope: str, taken: Iterable[str] = ()) -> str:
    """``text`` as an identifier lmspack takes for a ``scope`` ('item', 'quiz', 'choice' or
    'section'), unchanged when it is one, unique (in any case) among ``taken``: characters it does
    not take become '-', a name it refuses gets the scope in front ('item-SCORE'), a name taken a
    number after it."""
    folded_taken = {name.casefold() for name in taken}

    def refused(name: str) -> bool:
        if not IDENTIFIER.match(name):
            return True
        if scope == "section":
            return name.casefold() in SECTIONS_OF_THE_REST
        return reserved_use(name, scope) is not None

    candidate = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:64] or scope
    if refused(candidate):
        candidate = f"{scope}-{candidate}"[:64]  # never reserved, and starts with a letter
    base, number = candidate, 2
    while candidate.casefold() in folded_taken or refused(candidate):
        candidate = f"{base[:58]}-{number}"
        number += 1
    return candidate


def credit_earning(points: float, earned: float, exact: bool = False) -> float:
    """The credit (percent of the item's points) with the fewest decimals that earns ``earned``:
    exactly (the SCORM player's data holds the number), or as format_number writes it (7 decimals)."""
    def earns(credit: float) -> bool:
        made = credit_points(points, credit)
        return made == earned if exact else format_number(made) == format_number(earned)

    return shortest(earned / points * 100, earns, 1, 100)


def shortest(raw: float, fits: Callable[[float], bool], low: float, high: float) -> float:
    """The number with the fewest decimals that ``fits`` (from ``raw``), else ``raw``."""
    for places in range(0, 12):
        candidate = round(raw, places)
        if low <= candidate <= high and fits(candidate):
            return candidate
    return raw


def default_title(prompt: str, identifier: str) -> str:
    """The title the loader gives an item that writes none: the start of its prompt's text."""
    text = markup.plain_text(markup.block(prompt)[0])
    return (text if len(text) <= 80 else text[:79].rsplit(" ", 1)[0] + "…") or identifier


def with_tolerance(value: float, low: float, high: float) -> dict[str, object] | None:
    """``value`` with the shortest absolute or percent tolerance whose bounds (NumericAnswer.bounds,
    worked out in decimal) are exactly (low, high): how an answer the author wrote as a value and a
    tolerance is written again from the interval a package holds."""
    margins = [high - value, value - low]
    candidates: list[tuple[float, bool]] = []
    for margin in margins:
        for digits in range(1, 18):
            candidates.append((float(f"{margin:.{digits}g}"), False))
    if value:
        for margin in margins:
            for digits in range(1, 18):
                candidates.append((float(f"{margin / abs(value) * 100:.{digits}g}"), True))
    for tolerance, relative in candidates:
        if tolerance < 0 or (relative and tolerance > 100):
            continue
        if NumericAnswer(value, tolerance, relative, None, 100.0, None).bounds == (low, high):
            written: object = f"{yaml_number(tolerance)}%" if relative else yaml_number(tolerance)
            return {"value": yaml_number(value), "tolerance": written} if tolerance else {"value": yaml_number(value)}
    return None
