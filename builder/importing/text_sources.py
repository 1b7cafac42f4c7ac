"""What the readers of text formats (GIFT, Aiken, text2qti Markdown) share.

A source file is read whole, as UTF-8, with every problem at its line and column; what it holds
becomes an ImportedQuiz (builder/importing/__init__.py) of item mappings, with ids made from the
questions' titles. Text that the source holds as plain text or HTML becomes the Markdown lmspack
reads, saying the same thing: plain text is escaped, HTML is kept as HTML blocks that Markdown
passes through untouched (builder/markup.py sanitises them as it does any pasted HTML).
"""

from __future__ import annotations

import html
import re
import stat
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from lxml import html as lxml_html

from builder import markup
from builder.errors import InputError, Problem, escaped
from builder.importing import ImportedItem, ImportedQuiz, Lost
from builder.importing.documents import Ids, slug
from builder.loading import IDENTIFIER, TITLE_LIMIT, reserved_use
from builder.scaffold import identifier_from

# Larger text files are not question banks anyone keeps by hand; reading one whole costs memory.
MAX_SOURCE_BYTES = 50 * 2**20
DEFAULT_PASS_MARK = 80
"""quiz.yaml's pass_mark when the source has none (as `lmspack new` writes it)."""
# Characters XML 1.0 cannot carry (markup.without_unusable_characters): refused at their place.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class Source:
    """A source file's text (line ends as \\n, no byte-order mark) and the problems found in it."""

    path: Path
    text: str
    problems: list[Problem] = field(default_factory=list)
    lost: list[Lost] = field(default_factory=list)
    lost_lines: list[int] = field(default_factory=list)
    """The line of each entry of ``lost``."""
    _line_starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._line_starts = [0] + [found.end() for found in re.finditer("\n", self.text)]

    @property
    def name(self) -> str:
        """The file as messages name it."""
        return escaped(str(self.path))

    def place(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of the character at ``offset``."""
        line = bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def at(self, offset: int, message: str) -> None:
        self.problems.append(Problem(self.name, *self.place(offset), message))

    def at_line(self, line: int, column: int, message: str) -> None:
        self.problems.append(Problem(self.name, line, column, message))

    def not_carried(self, offset: int, what: str) -> None:
        """Something of the source (at ``offset``) that the quiz folder will not hold, listed with its line."""
        self.not_carried_at_line(self.place(offset)[0], what)

    def not_carried_at_line(self, line: int, what: str) -> None:
        self.lost.append(Lost(f"{self.name}:{line}", what))
        self.lost_lines.append(line)

    def raise_problems(self) -> None:
        if self.problems:
            raise InputError(self.problems)


def read_source(path: Path) -> Source:
    """The text of ``path``; InputError when it cannot be read, is not UTF-8 or holds characters
    that no package can carry (each at its line and column)."""
    shown = escaped(str(path))
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # reading a FIFO would never end
            raise InputError([Problem(shown, 0, 0, "is not a plain file; lmspack import reads files")])
        with path.open("rb") as file:
            data = file.read(MAX_SOURCE_BYTES + 1)
    except OSError as error:
        raise InputError([Problem(shown, 0, 0, f"cannot be read: {error.strerror or error}")]) from None
    if len(data) > MAX_SOURCE_BYTES:
        raise InputError([Problem(shown, 0, 0, f"is larger than {MAX_SOURCE_BYTES // 2**20} MB; split the bank into "
                                               "several files")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = data[:error.start].decode("utf-8-sig", errors="replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        raise InputError([Problem(shown, line, column, f"byte 0x{data[error.start]:02x} is not UTF-8; save the file "
                                                       "as UTF-8 (your editor's Save As offers it)")]) from None
    source = Source(path, text.replace("\r\n", "\n").replace("\r", "\n"))
    for found in _NOT_XML.finditer(source.text):
        source.at(found.start(), f"control character U+{ord(found.group()):04X} cannot be carried in any package; "
                                 "remove it")
    source.raise_problems()
    return source


def title_from_name(path: Path) -> str:
    """A quiz title from a file name, as `lmspack new` makes one from a folder's name."""
    return path.stem.replace("-", " ").replace("_", " ").strip().capitalize() or "Quiz"


class ItemIds:
    """Item ids, each unique in its quiz (in any case), from what the source calls the item
    (documents.Ids, numbered as a text format numbers its questions)."""

    def __init__(self, quiz_identifier: str) -> None:
        self._ids = Ids(quiz_identifier)

    def new(self, number: int, exact: str | None = None, name: str | None = None) -> str:
        """The id of the ``number``-th item: ``exact`` (an id the source gives) when it is a usable
        id, else one made of ``name`` (its title, documents.slug), else q<number>."""
        fallback = f"q{number}"
        if exact and IDENTIFIER.match(exact) and not reserved_use(exact, "item"):
            return self._ids.take(exact, fallback)
        return self._ids.take(slug(name or "", fallback), fallback)


def quiz_of(source: Source, items: list[ImportedItem], none_found: str, title: str | None = None,
            description: str = "", settings: dict[str, object] | None = None,
            media: dict[str, bytes] | None = None) -> ImportedQuiz:
    """The quiz of one source file: its identifier from the file's name, its title from the file
    or its name, the items in the source's order. InputError with the problems found; when there
    are none but no item either, with what could not be carried (each as a problem: a quiz needs
    an item), or ``none_found`` (what a question of the format looks like) when nothing was."""
    if not items and not source.problems:
        for line, entry in zip(source.lost_lines, source.lost, strict=True):
            source.at_line(line, 1, f"no question of this file can be carried into lmspack, and this one is not: "
                                    f"{entry.what}")
        if not source.lost:
            source.at_line(1, 1, f"no question found; {none_found}")
    source.raise_problems()
    identifier = identifier_from(source.path.stem)
    shown_title = " ".join((title or "").split()) or title_from_name(source.path)
    if len(shown_title) > TITLE_LIMIT:
        source.lost.append(Lost(source.name, f"the quiz title is {len(shown_title)} characters long; lmspack keeps "
                                             f"its first {TITLE_LIMIT - 20} (SCORM takes at most {TITLE_LIMIT})"))
        shown_title = shown_title[:TITLE_LIMIT - 20].rstrip()
    document: dict[str, object] = {"identifier": identifier, "title": shown_title, "version": "1.0.0"}
    if description.strip():
        document["description"] = description.strip()
    document["pass_mark"] = DEFAULT_PASS_MARK
    document["items"] = [item.identifier for item in items]
    document.update(settings or {})
    return ImportedQuiz(identifier, document, items, dict(media or {}), list(dict.fromkeys(source.lost)))


# --- Text ------------------------------------------------------------------------------------

# Characters that mean something to Markdown (or to lmspack's formulas) anywhere in a line.
_SPECIAL = re.compile(r"([\\`*_\[\]<>&$|])")
# What opens a block at the start of a line: a heading, a list item, a setext underline, a
# thematic break, a fence of tildes; an ordered list's number is escaped at its delimiter.
_LINE_OPENER = re.compile(r"^([#+\-=~])")
_ORDERED = re.compile(r"^(\d{1,9})([.)])")


def plain_markdown(text: str, inline: bool = False) -> str:
    """Plain text as Markdown that shows exactly it: its characters, and a line break where it
    has one (a blank line: a new paragraph). Spaces at the ends of lines are not kept."""
    paragraphs = []
    for paragraph in re.split(r"\n[ \t]*\n", text.strip()):
        lines = [_escaped_line(line) for line in paragraph.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            paragraphs.append(("<br>" if inline else "\\\n").join(lines))
    return ("<br><br>" if inline else "\n\n").join(paragraphs)


def _escaped_line(line: str) -> str:
    line = _SPECIAL.sub(r"\\\1", line.strip())
    line = _ORDERED.sub(r"\1\\\2", line)
    return _LINE_OPENER.sub(r"\\\1", line)


# Moodle's MathJax filter reads \( \) and \[ \] and $$ $$; lmspack reads $ $ and $$ $$.
_TEX = re.compile(r"\\\((?P<inline>.+?)\\\)|\\\[(?P<display>.+?)\\\]|\$\$(?P<dollars>.+?)\$\$", re.DOTALL)


def tex_markdown(text: str, inline: bool = False) -> str:
    """Plain text holding TeX between Moodle's delimiters, as Markdown: the formulas as lmspack's
    ``$...$`` and ``$$...$$``, the rest escaped (plain_markdown)."""
    formulas: list[str] = []

    def set_aside(found: re.Match[str]) -> str:
        formula = _formula(found)
        if formula is None:
            return found.group()
        formulas.append(formula)
        return f"\ue020{len(formulas) - 1}\ue021"

    marked = plain_markdown(_TEX.sub(set_aside, text), inline)
    return re.sub("\ue020([0-9]+)\ue021", lambda found: formulas[int(found.group(1))], marked) if formulas else marked


# Moodle's Markdown: code spans, the TeX its MathJax filter reads once Markdown has made \\( of
# \\\\( and $$ of $$, and a lone dollar, which is text there.
_MOODLE_MARKDOWN = re.compile(r"(?P<code>`+)(?:.|\n)*?(?P=code)|\\\\\((?P<inline>.+?)\\\\\)"
                              r"|\\\\\[(?P<display>.+?)\\\\\]|\$\$(?P<dollars>.+?)\$\$|(?P<dollar>\$)", re.DOTALL)


def moodle_markdown(text: str) -> str:
    """Markdown as Moodle shows it, as lmspack's Markdown: its formulas as lmspack's, a lone
    dollar (text in Moodle, whose MathJax filter does not read $...$) escaped."""
    def replace(found: re.Match[str]) -> str:
        if found.group("code") is not None:
            return found.group()
        if found.group("dollar") is not None:
            return "\\$"
        return _formula(found) or found.group().replace("$", "\\$")

    return _MOODLE_MARKDOWN.sub(replace, text)


def _formula(found: re.Match[str]) -> str | None:
    """lmspack's writing of a TeX formula, or None when it cannot be one (it holds a dollar)."""
    tex = " ".join((found.group("inline") or found.group("display") or found.group("dollars")).split())
    if not tex or "$" in tex:
        return None
    return f"${tex}$" if found.group("inline") is not None else f"$${tex}$$"


# Elements that HTML lays out as blocks: each becomes a Markdown HTML block of its own.
_BLOCK_ELEMENTS = frozenset({"address", "article", "aside", "blockquote", "center", "dd", "details", "dialog",
                             "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
                             "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "menu", "nav",
                             "ol", "p", "pre", "section", "table", "ul"})
# Private-use characters standing, while lxml serialises, for what it would otherwise escape.
_DOLLAR, _MATH, _NEWLINE, _LT, _GT, _AMP = "\ue011", "\ue012", "\ue013", "\ue014", "\ue015", "\ue016"
_PUT_BACK = {_DOLLAR: "&#36;", _MATH: "$", _NEWLINE: "&#10;", _LT: "<", _GT: ">", _AMP: "&"}
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]*")
_HTML_PARSER = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)


def html_markdown(text: str, inline: bool = False, lost: Callable[[str], None] | None = None) -> str:
    """An HTML fragment as Markdown that shows the same: plain text (no tag) escaped; else the
    HTML itself, as blocks on lines of their own that Markdown passes through as they are, with
    text between tags grouped into paragraphs, TeX between Moodle's delimiters as lmspack's
    formulas, and dollars as character references (a dollar is not math in HTML). An image or
    link lmspack would refuse (a file that is not there, such as Moodle's @@PLUGINFILE@@) is
    replaced by its text, and ``lost`` told."""
    if "<" not in text:
        return tex_markdown(html.unescape(" ".join(text.split())), inline)
    try:
        container = lxml_html.fragment_fromstring(text, create_parent="div", parser=_HTML_PARSER)
    except (etree.ParserError, ValueError):  # nothing but what the parser drops (a comment)
        return ""
    _replace_unreachable(container, lost or (lambda what: None))
    _protect_text(container, in_pre=False)
    if not container.text and len(container) == 0:
        return ""
    blocks: list[str] = []
    run: list[str] = [_escaped_text(container.text)]
    for child in container:
        if not isinstance(child.tag, str):
            continue
        if child.tag in _BLOCK_ELEMENTS and not (inline and child.tag in ("p", "div")):
            blocks.append(f"<p>{''.join(run)}</p>" if "".join(run).strip() else "")
            blocks.append(_serialised(child))
            run = [_escaped_text(child.tail)]
        elif inline and child.tag in ("p", "div"):  # a paragraph of a choice: its content, on its own line
            inner = _escaped_text(child.text) + "".join(_serialised(grandchild) + _escaped_text(grandchild.tail)
                                                        for grandchild in child)
            run.extend(["<br>" if "".join(run).strip() else "", inner, _escaped_text(child.tail)])
        else:
            run.extend([_serialised(child), _escaped_text(child.tail)])
    blocks.append(f"<p>{''.join(run)}</p>" if "".join(run).strip() else "")
    blocks = [block for block in blocks if block]
    if inline:
        joined = "".join(block[3:-4] if block.startswith("<p>") and block.endswith("</p>") else block
                         for block in blocks)
        return _put_back(f"<p>{joined.strip()}</p>") if joined.strip() else ""
    return _put_back("\n\n".join(blocks))


def _replace_unreachable(container: lxml_html.HtmlElement, lost: Callable[[str], None]) -> None:
    for image in list(container.iter("img")):
        source = image.get("src") or ""
        if markup.url_allowed(source, "src"):
            continue
        alt = (image.get("alt") or "").strip()
        lost(f"the image {source!r} (not in the file; its text {alt!r} is kept)" if alt
             else f"the image {source!r} (not in the file)")
        _replace_with_text(image, alt)
    for link in list(container.iter("a")):
        target = link.get("href")
        if target is None or markup.url_allowed(target, "href"):
            continue
        lost(f"the link to {target!r} (not a web address; its text is kept)")
        link.drop_tag()


def _replace_with_text(element: lxml_html.HtmlElement, text: str) -> None:
    parent = element.getparent()
    if parent is None:
        return
    previous = element.getprevious()
    joined = text + (element.tail or "")
    if previous is not None:
        previous.tail = (previous.tail or "") + joined
    else:
        parent.text = (parent.text or "") + joined
    parent.remove(element)


def _protect_text(element: lxml_html.HtmlElement, in_pre: bool) -> None:
    """Mark in the tree's text what lxml must not escape (formulas) and what must be written as
    a character reference (dollars; line ends in preformatted text, which keep it on one line)."""
    in_pre = in_pre or element.tag in ("pre", "textarea")
    element.text = _protected(element.text, in_pre or element.tag in ("code", "kbd", "samp"))
    for child in element:
        if isinstance(child.tag, str):
            if not _ATTRIBUTE_NAME.fullmatch(child.tag):  # <a$>: no element the sanitiser keeps, and
                child.tag = "span"  # its name would be written out of reach of the dollar's escaping
            _protect_text(child, in_pre)
            attributes = child.attrib.items()
            child.attrib.clear()
            for name, value in attributes:
                # A name the HTML parser lets through but lxml will not set (<a \{>) is dropped: no
                # attribute the sanitiser keeps has such a name.
                if _ATTRIBUTE_NAME.fullmatch(name):
                    child.set(name, value.replace("$", _DOLLAR))
        child.tail = _protected(child.tail, in_pre)


def _protected(text: str | None, in_code: bool) -> str | None:
    if not text:
        return text
    if in_code:
        return text.replace("$", _DOLLAR).replace("\n", _NEWLINE)
    pieces, position = [], 0
    for found in _TEX.finditer(text):
        formula = _formula(found)
        if formula is None:
            continue
        pieces.append(text[position:found.start()].replace("$", _DOLLAR))
        pieces.append(formula.replace("$", _MATH).replace("<", _LT).replace(">", _GT).replace("&", _AMP))
        position = found.end()
    pieces.append(text[position:].replace("$", _DOLLAR))
    return "".join(pieces).replace("\n", " ")


def _escaped_text(text: str | None) -> str:
    return html.escape(text or "", quote=False)


def _serialised(element: lxml_html.HtmlElement) -> str:
    return str(lxml_html.tostring(element, encoding="unicode", method="html", with_tail=False))


_PLACEHOLDERS = re.compile("[\ue011-\ue016]")


def _put_back(text: str) -> str:
    return _PLACEHOLDERS.sub(lambda found: _PUT_BACK[found.group()], text)


def item_checked(source: Source, line: int, column: int, document: dict[str, object]) -> bool:
    """Whether lmspack will take the texts of an item (its mapping): what it would refuse (a
    formula it cannot read) is a problem at ``line`` and ``column`` of the source; a text it needs
    that shows nothing once the markup lmspack does not keep is removed makes the item lost.
    Warnings (markup removed) are left to the build to give."""
    needed: list[tuple[object, bool]] = [(document.get("prompt"), False)]
    optional: list[tuple[object, bool]] = [(document.get("explanation"), False), (document.get("other_feedback"), True)]
    for choice in _entries(document, "choices"):
        needed.append((choice.get("text"), True))
        optional.append((choice.get("feedback"), True))
    optional.extend((answer.get("feedback"), True) for answer in _entries(document, "answers"))
    for pair in _entries(document, "pairs"):
        needed.extend([(pair.get("left"), True), (pair.get("right"), True)])
    needed.extend((text, True) for text in document.get("distractors") or [])  # type: ignore[attr-defined]
    before = len(source.problems)
    empty = False
    for text, inline in needed + optional:
        if not isinstance(text, str) or not text:
            continue
        rendered, problems = (markup.inline if inline else markup.block)(text)
        for problem in problems:
            if problem.warning is None:
                source.at_line(line, column, problem.message)
        empty |= (text, inline) in needed and not rendered
    if empty and len(source.problems) == before:
        source.not_carried_at_line(line, "a question whose text (or a choice's) shows nothing once the markup "
                                         "lmspack does not keep is removed")
    return not empty and len(source.problems) == before


def compared_text(text: str) -> str:
    """Inline Markdown as the loader compares matching sides and steps: its words, in any case."""
    return " ".join(markup.plain_text(markup.inline(text)[0]).casefold().split())


def _entries(document: dict[str, object], name: str) -> list[dict[str, object]]:
    entries = document.get(name)
    return [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []


# Where the loader finds no blank: in a link, in code, inside a tag (builder/loading.py).
_IN_LINK_OR_CODE = re.compile(r"<(a|code|pre)\b[^>]*>.*?</\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def blank_in_text(prompt: str, name: str) -> bool:
    """Whether ``[[name]]`` stands once in ``prompt`` (Markdown), in plain text (not in a link or
    code, where the loader refuses a blank)."""
    rendered = str(markup.block(prompt)[0])
    marker = f"[[{name}]]"
    return rendered.count(marker) == 1 and _TAG.sub("", _IN_LINK_OR_CODE.sub("", rendered)).count(marker) == 1
