"""The model's XHTML fragments as each format writes media, math and table alignment.

A fragment (builder/markup.py) is what QTI 2.1 takes: files of the quiz folder as
``src="media/<path>"`` (images) and ``<object data="media/<path>" type="audio/...">text</object>``
(audio, video), formulas as MathML with their TeX in an annotation, a cell's alignment as its
align attribute. The formats that read HTML or keep files elsewhere rewrite those here, and only those:
fragments are lmspack's own serialisation (text has '<' escaped, attribute values '>' and '"'),
so a tag is found exactly by its '<'.
"""

from __future__ import annotations

import html
import re
from typing import Literal
from urllib.parse import quote

from markupsafe import Markup

from builder.model import MEDIA_REFERENCE

MathAs = Literal["mathml", "tex", "canvas"]
"""MathML as it is (QTI, browsers); TeX between \\( \\) or \\[ \\] (Moodle's MathJax filter); or
the equation image Canvas's rich content editor writes (Canvas renders it from the TeX)."""

_MEDIA_TAG = re.compile(r'<(?:img|object)\b[^>]*>')
_MEDIA_URL = re.compile(f' (src|data)="{re.escape(MEDIA_REFERENCE)}')
_OBJECT = re.compile(r'<object data="([^"]*)" type="(audio|video)/[^"]*">(.*?)</object>', re.DOTALL)
_MATH = re.compile(r'<math xmlns="[^"]*" display="(inline|block)">.*?'
                   r'<annotation encoding="application/x-tex">(.*?)</annotation></semantics></math>', re.DOTALL)
_ALIGN = re.compile(r'(<t[hd]\b[^>]*?) align="(left|center|right)"')


def rewritten(fragment: Markup, media_prefix: str = MEDIA_REFERENCE, html5_media: bool = False,
              math: MathAs = "mathml", align_as_style: bool = False) -> Markup:
    """``fragment`` with its files named from ``media_prefix`` (instead of ``media/``), audio and
    video as HTML5 <audio>/<video> players when ``html5_media``, formulas as ``math`` says, and a
    cell's alignment as a text-align style when ``align_as_style`` (for LMS sanitisers and editors,
    which keep a style where they may drop the older align attribute)."""
    text = str(fragment)
    if "<" not in text:
        return fragment
    if media_prefix != MEDIA_REFERENCE and MEDIA_REFERENCE in text:
        text = _MEDIA_TAG.sub(lambda tag: _MEDIA_URL.sub(lambda url: f' {url.group(1)}="{media_prefix}', tag.group()),
                              text)
    if html5_media and "<object" in text:
        text = _OBJECT.sub(_html5_player, text)
    if math != "mathml" and "<math" in text:
        text = _MATH.sub(_tex if math == "tex" else _canvas_equation, text)
    if align_as_style and " align=" in text:
        text = _ALIGN.sub(lambda cell: f'{cell.group(1)} style="text-align: {cell.group(2)};"', text)
    return Markup(text)


def _html5_player(found: re.Match[str]) -> str:
    """An <audio> or <video> player with controls, labelled by the text alternative, which also
    shows where the browser cannot play the file."""
    url, kind, alternative = found.groups()
    label = html.escape(html.unescape(re.sub(r"<[^>]*>", "", alternative)), quote=True)
    return f'<{kind} controls="controls" src="{url}" aria-label="{label}">{alternative}</{kind}>'


def _tex(found: re.Match[str]) -> str:
    """TeX in MathJax's delimiters, as Moodle's MathJax filter (on by default) reads it."""
    display, tex = found.groups()
    return f"\\[{tex}\\]" if display == "block" else f"\\({tex}\\)"


def _canvas_equation(found: re.Match[str]) -> str:
    """The equation image Canvas's rich content editor writes, which Canvas renders from the TeX
    (its /equation_images/ route, the TeX URL-encoded twice as the editor does)."""
    _, escaped_tex = found.groups()
    tex = html.unescape(escaped_tex)
    attribute = html.escape(tex, quote=True)
    source = "/equation_images/" + quote(quote(tex, safe=""), safe="") + "?scale=1"
    return (f'<img class="equation_image" title="{attribute}" src="{source}" alt="LaTeX: {attribute}" '
            f'data-equation-content="{attribute}"/>')


def media_names(fragment: str) -> list[str]:
    """The URL-quoted paths (after ``media/``) of the files a model fragment shows, in order."""
    return [found.group(1) for found in _MEDIA_NAME.finditer(fragment)]


_MEDIA_NAME = re.compile(f' (?:src|data)="{re.escape(MEDIA_REFERENCE)}([^"]*)"')

