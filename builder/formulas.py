"""TeX formulas in authors' Markdown: found before Markdown reads the text, turned into MathML.

``$...$`` is inline math and ``$$...$$`` display math; ``\\$`` is a dollar sign, and nothing in a
code span or code block is math. Each formula is replaced by a token that Markdown and the
sanitiser pass through untouched, and put back once the text is sanitised XHTML: as MathML
(latex2mathml) with the TeX kept in an annotation, which is what QTI 2.1 and browsers read and
from which each format that wants TeX takes it (builder/formats/richtext.py).

The MathML is parsed (never trusted as text: latex2mathml copies ``\\text{...}`` into it as is),
held to an allowlist of presentation elements and attributes, and checked against the W3C
MathML 2 schema that QTI 2.1 imports: a formula that fails any of these is refused at its place.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

MATHML_NAMESPACE = "http://www.w3.org/1998/Math/MathML"
TEX_ENCODING = "application/x-tex"

# Presentation MathML that latex2mathml writes and MathML Core renders; nothing that links,
# scripts or styles (no maction, no href, no style, no class).
MATHML_TAGS = frozenset({
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "mtext", "mspace", "ms", "mfrac",
    "msqrt", "mroot", "mstyle", "merror", "mpadded", "mphantom", "mfenced", "menclose", "msub", "msup",
    "msubsup", "munder", "mover", "munderover", "mmultiscripts", "mprescripts", "none", "mtable", "mtr",
    "mtd", "mlabeledtr"})
MATHML_ATTRIBUTES = frozenset({
    "display", "mathvariant", "mathsize", "mathcolor", "mathbackground", "stretchy", "fence",
    "separator", "lspace", "rspace", "accent", "accentunder", "movablelimits", "largeop", "symmetric",
    "minsize", "maxsize", "form", "columnalign", "rowalign", "columnspacing", "rowspacing", "columnlines",
    "rowlines", "frame", "framespacing", "equalrows", "equalcolumns", "displaystyle", "scriptlevel",
    "linethickness", "width", "height", "depth", "voffset", "notation", "open", "close", "separators",
    "encoding", "columnspan", "rowspan", "bevelled", "numalign", "denomalign", "subscriptshift",
    "superscriptshift", "align", "side", "minlabelspacing"})

# A token stands for formula n until the text is XHTML: private-use characters, which Markdown
# reads as letters and no author writes.
_TOKEN = re.compile("\ue000([0-9]+)\ue001")
_SCHEMA_FILE = Path(__file__).parent / "schemas" / "mathml2" / "mathml2.xsd"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True)
class Formula:
    tex: str
    display: bool
    source: str
    """As written, dollars and all: what an attribute value (an image's alt text) shows instead."""


def token(index: int) -> str:
    return f"\ue000{index}\ue001"


# Where math cannot start: code spans and fenced or indented code (found first, skipped whole).
_CODE = re.compile(r"(?P<fence>^[ ]{0,3}(?P<mark>`{3,}|~{3,})[^\n]*\n(?:.*\n)*?(?:[ ]{0,3}(?P=mark)[`~]*[ \t]*$|\Z))"
                   r"|(?P<indented>(?:^|(?<=\n\n))(?:(?:[ ]{4}|\t)[^\n]*(?:\n|\Z))+)"
                   r"|(?P<span>(?P<ticks>`+)(?:(?!(?P=ticks)).)+?(?P=ticks))"
                   # Pasted HTML's code: <pre>, <code>, <kbd>, <samp> to their end tag (or the text's end).
                   r"|(?P<html><(?P<tag>[Pp][Rr][Ee]|[Cc][Oo][Dd][Ee]|[Kk][Bb][Dd]|[Ss][Aa][Mm][Pp])\b[^>]*>"
                   r"(?:.*?</(?P=tag)\s*>|.*\Z))",
                   re.MULTILINE | re.DOTALL)
# $$...$$ (across lines) or $...$: the opening dollar not followed by a space, the closing one not
# preceded by a space nor followed by a digit ("$5 and $10" is money, as in Pandoc); a backslash
# before a dollar makes it a dollar sign.
_DISPLAY = re.compile(r"\$\$(?P<tex>.+?)(?<!\\)\$\$", re.DOTALL)
_INLINE = re.compile(r"\$(?P<tex>[^\s$](?:[^$\n]|\\\$)*?(?<![\s\\]))\$(?![0-9])|\$(?P<one>[^\s$\\])\$(?![0-9])")


def extract(source: str) -> tuple[str, list[Formula]]:
    """``source`` with each formula outside code replaced by a token, and the formulas in order."""
    if "$" not in source:
        return source, []
    formulas: list[Formula] = []
    pieces: list[str] = []
    position = 0
    for code in _CODE.finditer(source):
        pieces.append(_extract_from(source[position:code.start()], formulas))
        pieces.append(code.group())
        position = code.end()
    pieces.append(_extract_from(source[position:], formulas))
    return "".join(pieces), formulas


def _extract_from(text: str, formulas: list[Formula]) -> str:
    out: list[str] = []
    position = 0
    while True:
        start = _next_dollar(text, position)
        if start < 0:
            break
        found = _DISPLAY.match(text, start) or _INLINE.match(text, start)
        if found is None:
            out.append(text[position:start + 1])
            position = start + 1
            continue
        tex = found.group("tex") if found.groupdict().get("tex") is not None else found.group("one")
        display = found.group().startswith("$$")
        out.append(text[position:start])
        out.append(token(len(formulas)))
        formulas.append(Formula(tex.strip(), display, found.group()))
        position = found.end()
    out.append(text[position:])
    return "".join(out)


def _next_dollar(text: str, position: int) -> int:
    """The next dollar from ``position`` that no backslash escapes (``\\\\$`` is a backslash, then math)."""
    while True:
        start = text.find("$", position)
        if start < 0:
            return -1
        backslashes = len(text[:start]) - len(text[:start].rstrip("\\"))
        if backslashes % 2 == 0:
            return start
        position = start + 1


@functools.cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(_SCHEMA_FILE), _PARSER))


@functools.lru_cache(maxsize=4096)
def mathml(tex: str, display: bool) -> tuple[str | None, str | None]:
    """The MathML of a formula (namespaced, the TeX in an annotation), or None and why not."""
    if not tex:
        return None, "an empty formula; write \\$ for a dollar sign"
    # Imported here: it takes longer to import (70 ms) than most builds spend on formulas, and
    # most quizzes have none.
    from latex2mathml.converter import convert

    try:
        converted = convert(tex, display="block" if display else "inline")
        root = etree.fromstring(converted, _PARSER)
    except Exception as error:  # the converter raises its own errors and Python's (IndexError...) on bad TeX
        return None, (f"the formula ${tex}$ cannot be read as TeX ({type(error).__name__}); check its braces "
                      "and commands")
    for element in root.iter():
        if not isinstance(element.tag, str):
            return None, f"the formula ${tex}$ makes markup lmspack does not carry"
        namespace, _, name = element.tag.rpartition("}")
        if namespace[1:] != MATHML_NAMESPACE or name not in MATHML_TAGS:
            return None, f"the formula ${tex}$ makes <{name}>, which is not MathML; use \\text{{...}} for words only"
        refused = [attribute for attribute in element.attrib if attribute not in MATHML_ATTRIBUTES]
        if refused:
            return None, f"the formula ${tex}$ makes the attribute {refused[0]!r}, which lmspack does not carry"
        text = (element.text or "").strip()
        if name in ("mi", "mo") and text.startswith("\\") and len(text) > 1:
            return None, f"the formula ${tex}$ uses {text}, a command the TeX converter does not know"
    children = list(root)
    semantics = etree.SubElement(root, f"{{{MATHML_NAMESPACE}}}semantics")
    row = etree.SubElement(semantics, f"{{{MATHML_NAMESPACE}}}mrow") if len(children) != 1 else None
    for child in children:
        (row if row is not None else semantics).append(child)
    if row is None:
        semantics.insert(0, children[0])
    annotation = etree.SubElement(semantics, f"{{{MATHML_NAMESPACE}}}annotation", encoding=TEX_ENCODING)
    annotation.text = tex
    if not _schema().validate(root):
        return None, f"the formula ${tex}$ makes MathML that is not valid MathML 2; simplify it"
    return etree.tostring(root, encoding="unicode"), None


def put_back(xhtml: str, formulas: list[Formula]) -> str:
    """``xhtml`` with each token replaced: by the formula's MathML in text, by its source (escaped)
    inside a tag's attribute."""
    if not formulas:
        return xhtml
    if "<object" in xhtml:  # an audio or video file's text alternative came from alt text: TeX, as there
        xhtml = _OBJECT_TEXT.sub(lambda found: found.group(1) + _TOKEN.sub(
            lambda token: _escaped_attribute(formulas[int(token.group(1))].source), found.group(2)) + "</object>",
            xhtml)
    pieces = _TAG.split(xhtml)
    for index, piece in enumerate(pieces):
        if "\ue000" not in piece:
            continue
        if index % 2:  # a tag
            pieces[index] = _TOKEN.sub(lambda found: _escaped_attribute(formulas[int(found.group(1))].source), piece)
        else:
            pieces[index] = _TOKEN.sub(lambda found: _converted(formulas[int(found.group(1))]), piece)
    return "".join(pieces)


def _converted(formula: Formula) -> str:
    """The formula's MathML, or its source as text when it has none (the text is refused anyway:
    its other problems are still found)."""
    converted, _ = mathml(formula.tex, formula.display)
    return converted if converted is not None else _escaped_attribute(formula.source)


_TAG = re.compile(r"(<[^>]*>)")
_OBJECT_TEXT = re.compile(r"(<object\b[^>]*>)(.*?)</object>", re.DOTALL)


def _escaped_attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")

