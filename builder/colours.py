"""A theme's accent colour against the SCORM player's own colours: WCAG 2.1 contrast, and the
nearest shade that reaches it.

The player (templates/scorm/common.css, which the study player of flashcards shares) writes white
text on the accent (its buttons) and the accent as text and borders on its backgrounds (links, the
secondary button, a chosen choice's border): the colours it is checked against are read from that
style sheet, so that the check follows the player's colours wherever they change.
"""

from __future__ import annotations

import colorsys
import functools
import math
import re
from dataclasses import dataclass

from builder import TEMPLATE_DIRS

TEXT_CONTRAST = 4.5
"""WCAG 2.1 AA (1.4.3, contrast minimum) for text of normal size."""
PLAYER_CSS = "scorm/common.css"
HEX_COLOUR = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})\Z")

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Pairing:
    """A colour of the player that the accent stands with, and how (for messages)."""

    how: str
    """'with white text on it (buttons)', 'as text on the page background (#f3f5f7)'."""
    colour: RGB


@dataclass(frozen=True)
class Shortfall:
    pairing: Pairing
    ratio: float


def parse(text: str) -> RGB | None:
    """``#rrggbb`` or ``#rgb`` (any case) as its red, green and blue (0-255); None otherwise."""
    if not HEX_COLOUR.match(text):
        return None
    digits = text[1:]
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def hex_of(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def luminance(rgb: RGB) -> float:
    """WCAG 2.1's relative luminance (0 black to 1 white)."""
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: RGB, second: RGB) -> float:
    """WCAG 2.1's contrast ratio, 1 to 21."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def ratio_text(ratio: float) -> str:
    """A ratio as '4.49:1': cut to two decimals, never rounded up to one that would pass."""
    return f"{math.floor(ratio * 100) / 100:.2f}:1"


def shortfalls(accent: RGB, pairings: tuple[Pairing, ...] | None = None) -> list[Shortfall]:
    """Each pairing of the player's where ``accent`` has less contrast than WCAG AA asks of text."""
    found = []
    for pairing in pairings if pairings is not None else player_pairings():
        ratio = contrast(accent, pairing.colour)
        if ratio < TEXT_CONTRAST:
            found.append(Shortfall(pairing, ratio))
    return found


def nearest_passing(accent: RGB, pairings: tuple[Pairing, ...] | None = None) -> RGB:
    """The shade of ``accent`` (its hue and saturation, another lightness) nearest to it in
    lightness that reaches WCAG AA with every pairing; black or white when none does."""
    pairs = pairings if pairings is not None else player_pairings()
    hue, lightness, saturation = colorsys.rgb_to_hls(*(channel / 255 for channel in accent))
    for step in range(1, 1001):
        for candidate in (lightness - step / 1000, lightness + step / 1000):
            if 0 <= candidate <= 1:
                shade = tuple(round(channel * 255) for channel in colorsys.hls_to_rgb(hue, candidate, saturation))
                rgb: RGB = (shade[0], shade[1], shade[2])
                if not shortfalls(rgb, pairs):
                    return rgb
    raise AssertionError("black or white contrasts with any colour by more than 4.5:1 on one side")


_ROOT_VARIABLE = re.compile(r"(--[\w-]+)\s*:\s*([^;]+);")
_PRIMARY_BUTTON = re.compile(r"button\.primary\s*\{([^}]*)\}")
_TEXT_COLOUR = re.compile(r"(?<![\w-])color\s*:\s*([^;]+);")


@functools.cache
def player_pairings() -> tuple[Pairing, ...]:
    """What the player's style sheet puts with the accent: the text colour of its primary button
    (on the accent), and its page and card backgrounds (the accent on them: links, borders, the
    secondary button), each as the style sheet writes it (a custom property resolved)."""
    css = next(folder / PLAYER_CSS for folder in TEMPLATE_DIRS if (folder / PLAYER_CSS).is_file()).read_text("utf-8")
    variables = dict(_ROOT_VARIABLE.findall(css))

    def colour(value: str, what: str) -> RGB:
        value = value.strip()
        named = re.fullmatch(r"var\((--[\w-]+)\)", value)
        if named:
            value = variables.get(named.group(1), "").strip()
        rgb = parse(value)
        assert rgb is not None, f"{PLAYER_CSS}: {what} is not a colour lmspack reads (#rrggbb): {value!r}"
        return rgb

    button = _PRIMARY_BUTTON.search(css)
    text = _TEXT_COLOUR.search(button.group(1)) if button else None
    assert text is not None, f"{PLAYER_CSS}: no 'button.primary {{ color: ... }}' (the text on the accent)"
    on_accent = colour(text.group(1), "the primary button's text colour")
    page = colour("var(--page)", "--page")
    paper = colour("var(--paper)", "--paper")
    white = "white" if on_accent == (255, 255, 255) else hex_of(on_accent)
    return (Pairing(f"with {white} text on it (buttons)", on_accent),
            Pairing(f"as text on the page background ({hex_of(page)})", page),
            Pairing(f"as text on a question's background ({hex_of(paper)})", paper))
