"""Other tools' HTML texts (Moodle's, Canvas's) cleaned into what the loader keeps, and written as
canonical text.

An item's texts reach the model as sanitised XHTML fragments (builder/markup.py): Markdown, or HTML
pasted into it, made safe. An import goes the other way: from the HTML another tool (or lmspack)
wrote to the text of a canonical file that the loader reads back into the fragment that HTML means.
Three steps:

1. ``canonical_text.fragment_tree`` parses the HTML into a tree (as XML when it is well-formed, as
   HTML otherwise); the reader rewrites what only its format has (its way of naming files, its
   formula images) into what the loader reads: a file of the quiz folder, a formula (``tex_node``).
2. ``clean`` keeps what the sanitiser keeps, and names the rest (``Text.left_out``): an import lists
   what it could not carry, and the loader then has nothing to remove and nothing to refuse.
3. ``as_html`` writes the cleaned tree (its formula nodes as ``$TeX$``) as HTML the loader reads;
   the fragment the loader makes of it is then written as an author would by
   ``canonical_text.source_text``, the one writer of canonical text all importers share (``source_of``),
   proved by reading it back.

One kind of fragment has no text that gives it back: blocks with no line break between them, which
the loader makes only when it mends a text it warns about (a <pre> or <table> pasted in the middle
of a paragraph, a '#' heading kept as a paragraph before another block). Such a text is imported as
the loader reads it again (a line break between the blocks).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from lxml import etree
from markupsafe import Markup

from builder import formulas, markup
from builder.importing.canonical_text import fragment_tree, source_text

# The tree surgery the sanitiser's own tree pass does (text kept around what is taken out).
from builder.markup import _drop_tree, _keep_tail, _parent
from builder.model import MEDIA_REFERENCE

TEX = "{urn:lmspack:import}tex"
"""A formula found in the source: an element of this name holding its TeX, display="block" or not."""
_VOID = frozenset({"br", "hr", "img"})
_CODE_TAGS = frozenset({"pre", "code", "kbd", "samp"})
"""Where no formula is looked for, in the source (MathJax skips them) as in the loader (formulas._CODE)."""
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


@dataclass
class Text:
    """One text field as the canonical file writes it, and what of it could not be carried."""

    source: str
    left_out: list[str] = field(default_factory=list)
    """Plain words, each once: 'the <font> element (its text kept)', 'the image x.bmp'."""
    problems: list[str] = field(default_factory=list)
    """What makes the text unusable (the loader would refuse it): reported at the source's place."""

    def note(self, what: str) -> None:
        if what not in self.left_out:
            self.left_out.append(what)


# ---- 1. parsing -----------------------------------------------------------------------------------

def tex_node(tex: str, display: bool) -> etree._Element:
    node = etree.Element(TEX, display="block" if display else "inline")
    node.text = tex
    return node


def formula_problem(tex: str, display: bool) -> str | None:
    """Why the loader would refuse this formula (None: it reads it)."""
    return formulas.mathml(tex, display)[1]


_DELIMITED_TEX = re.compile(r"\\\((?P<inline>.+?)\\\)|\\\[(?P<display>.+?)\\\]|\$\$(?P<dollars>.+?)\$\$", re.DOTALL)


def find_tex(tree: etree._Element, text: Text) -> None:
    """Formulas written for MathJax in text (\\(...\\), \\[...\\], $$...$$) as formula nodes; one the
    loader's converter cannot read stays as it is written (named in ``text``). Not in code."""
    for element in list(tree.iter()):
        if not isinstance(element.tag, str) or _local(element) in _CODE_TAGS or _inside_code(element):
            continue
        if element.text and _maybe_tex(element.text):
            first, *rest = _split_tex(element.text, text)
            element.text = str(first)
            _insert_pieces(element, 0, rest)
        for child in list(element):
            if child.tail and _maybe_tex(child.tail):
                first, *rest = _split_tex(child.tail, text)
                child.tail = str(first)
                _insert_pieces(element, element.index(child) + 1, rest)


def _maybe_tex(value: str) -> bool:
    return "\\(" in value or "\\[" in value or "$$" in value


def _inside_code(element: etree._Element) -> bool:
    return any(isinstance(parent.tag, str) and _local(parent) in _CODE_TAGS for parent in element.iterancestors())


def _split_tex(value: str, text: Text) -> list[str | etree._Element]:
    """``value`` as text and formula nodes, alternately, text first."""
    pieces: list[str | etree._Element] = [""]
    position = 0
    for found in _DELIMITED_TEX.finditer(value):
        tex = (found.group("inline") or found.group("display") or found.group("dollars") or "").strip()
        display = found.group("inline") is None
        trouble = formula_problem(tex, display) if tex else "an empty formula"
        if trouble is not None:
            text.note(f"the formula {found.group()!r}, which lmspack's TeX converter cannot read (kept as written)")
            continue
        pieces[-1] = str(pieces[-1]) + value[position:found.start()]
        pieces += [tex_node(tex, display), ""]
        position = found.end()
    pieces[-1] = str(pieces[-1]) + value[position:]
    return pieces


def _insert_pieces(parent: etree._Element, index: int, pieces: list[str | etree._Element]) -> None:
    """Put formula nodes and the text after each into ``parent`` from child ``index`` on."""
    for piece in pieces:
        if isinstance(piece, str):
            if index == 0:
                parent.text = (parent.text or "") + piece
            else:
                previous = parent[index - 1]
                previous.tail = (previous.tail or "") + piece
        else:
            parent.insert(index, piece)
            index += 1


# ---- 2. keeping what the loader keeps ------------------------------------------------------------

FileNamer = Callable[[str], "tuple[str | None, str | None]"]
"""A reader's way of finding a file its source carries: the URL a text names it by -> the file's
path in the quiz folder, or None and why it is not carried (None, None: not a file of the source)."""


def no_files(url: str) -> tuple[str | None, str | None]:
    """For texts that show no file of their source."""
    return None, None


def clean(tree: etree._Element, inline: bool, text: Text, files: FileNamer) -> None:
    """Make ``tree`` hold only what the sanitiser keeps in a text of its kind (``inline``: one
    paragraph's worth), so that the loader removes and refuses nothing; name what goes in ``text``.
    Images, audio and video of the source's files name them by their path in the quiz folder."""
    allowed = markup.INLINE_TAGS if inline else markup.BLOCK_TAGS
    for element in list(tree.iter()):
        if element is tree or not any(parent is tree for parent in element.iterancestors()):
            continue  # the wrapper, or inside something already taken out
        if not isinstance(element.tag, str):  # a comment or processing instruction: never shown
            _drop_tree(element)
            continue
        if element.tag == TEX or _inside_formula(element):
            continue
        name = _local(element)
        if name == "math":
            _formula_of_mathml(element, text)
            continue
        if name in ("audio", "video"):
            _player_as_image(element, text, files)
            continue
        if name in markup.DROPPED_WITH_CONTENT:
            _drop_tree(element)
            text.note(f"the <{name}> element and its content")
            continue
        if name not in allowed or name == "object":
            if not inline or name not in ("p", "div"):  # an editor's paragraph around inline text
                text.note(f"the <{name}> element (its text kept)" if name not in _HEADINGS
                          else f"the <{name}> heading's level (its text kept)")
            _unwrap(element, block=name not in markup.INLINE_TAGS and inline)
            continue
        element.tag = name  # XHTML's namespace off: what the loader's HTML parser gives
        _keep_attributes(element, text)
        if name == "img":
            _image(element, text, files)
        elif name == "a":
            _link(element, text)
    if inline:
        _trim_breaks(tree)


def _local(element: etree._Element) -> str:
    """An element's name without its namespace, in lower case (an HTML parser's names need not be
    ones lxml would make: 'a<' from '<a<')."""
    return str(element.tag).rpartition("}")[2].lower()


def _inside_formula(element: etree._Element) -> bool:
    return any(parent.tag == TEX for parent in element.iterancestors())


def _formula_of_mathml(element: etree._Element, text: Text) -> None:
    """MathML (in or out of its namespace) as a formula when it carries its TeX, as lmspack's and
    most editors' MathML does; else taken out and named."""
    tex = next((" ".join(node.text.split()) for node in element.iter() if isinstance(node.tag, str)
                and _local(node) == "annotation" and node.get("encoding") == formulas.TEX_ENCODING
                and node.text), "")
    display = element.get("display") == "block"
    if tex and formula_problem(tex, display) is None:
        node = tex_node(tex, display)
        node.tail = element.tail
        element.addprevious(node)
        _parent(element).remove(element)
    else:
        text.note("a MathML formula without TeX that lmspack reads (its text kept)" if tex or len(element)
                  else "an empty MathML formula")
        _replace_by_text(element, " ".join("".join(element.itertext()).split()))


def _keep_attributes(element: etree._Element, text: Text) -> None:
    """Only the attributes fragments hold; a cell's text-align style becomes its align."""
    name = str(element.tag)
    kept = markup.ATTRIBUTES.get(name, set())
    for attribute in list(element.attrib):
        local = str(attribute).rpartition("}")[2].lower()
        value = element.attrib.pop(attribute)
        if local == "style" and name in ("th", "td"):
            align = re.search(r"text-align\s*:\s*(left|center|right)", value, re.IGNORECASE)
            if align:
                element.set("align", align.group(1).lower())
        elif local in kept and name != "object":
            element.set(local, value)
        elif local not in ("class", "style", "id", "dir", "lang", "title", "role", "target", "rel") \
                and not local.startswith(("data-", "aria-")):
            text.note(f"the {local} attribute of <{name}>")


def _image(image: etree._Element, text: Text, files: FileNamer) -> None:
    src = image.get("src", "").strip()
    alt = " ".join(image.get("alt", "").split())
    path, refused = files(src) if src else (None, None)
    if refused is not None:
        text.note(refused)
        _replace_by_text(image, alt)
        return
    if path is not None:
        image.set("src", MEDIA_REFERENCE + quote(path))  # as fragments name a file of the quiz folder
        if not alt:
            alt = _words_of_name(path)
            text.note(f"the image {path} had no alt text; its file name stands for it (describe what it shows)")
    elif not src or not markup.url_allowed(src, "src"):
        text.note(f"the image {_shown_url(src)}, which is not a file of the source nor an https: address")
        _replace_by_text(image, alt)
        return
    elif not alt:
        alt = _words_of_name(unquote(src.split("?")[0]))
        text.note(f"the image {_shown_url(src)} had no alt text; its file name stands for it (describe what it shows)")
    image.set("alt", alt)


def _player_as_image(player: etree._Element, text: Text, files: FileNamer) -> None:
    """An <audio> or <video> player as the loader writes one: a Markdown image of the file, its
    text alternative the alt text (the player's label, else its text)."""
    sources = [player.get("src", "")] + [source.get("src", "") for source in player.iter()
                                         if isinstance(source.tag, str) and _local(source) == "source"]
    label = " ".join((player.get("aria-label") or "".join(player.itertext())).split())
    found = [files(src.strip()) for src in sources if src.strip()]
    path = next((place for place, _ in found if place is not None), None)
    if path is None or not markup.MEDIA_TYPES.get(_extension(path), "").startswith(("audio/", "video/")):
        refused = next((why for _, why in found if why is not None), None)
        text.note(refused or f"the {_local(player)} {_shown_url(next((s for s in sources if s), ''))}, which is not a "
                             "file of the source that lmspack carries")
        _replace_by_text(player, label)
        return
    image = etree.Element("img", src=MEDIA_REFERENCE + quote(path), alt=label)
    image.tail = player.tail
    player.addprevious(image)
    _parent(player).remove(player)


def _link(link: etree._Element, text: Text) -> None:
    href = link.get("href")
    if href is None:
        _unwrap(link, block=False)
        return
    if not markup.url_allowed(href, "href"):
        text.note(f"the link to {_shown_url(href)} (its words kept): lmspack keeps links to https:, http:, "
                  "mailto: and #places only")
        _unwrap(link, block=False)
    else:
        link.set("href", markup.browser_url(href))


def _extension(path: str) -> str:
    dot = path.rfind(".")
    return path[dot:].lower() if dot > path.rfind("/") else ""


def _words_of_name(path: str) -> str:
    stem = path.rsplit("/", 1)[-1]
    stem = stem[: stem.rfind(".")] if "." in stem[1:] else stem
    return " ".join(re.split(r"[-_\s]+", stem)).strip() or "image"


def _shown_url(url: str) -> str:
    return repr(url if len(url) <= 60 else url[:57] + "...")


def _replace_by_text(element: etree._Element, words: str) -> None:
    _keep_tail(element, (words or "") + (element.tail or ""))
    _parent(element).remove(element)


def _unwrap(element: etree._Element, block: bool) -> None:
    """Put ``element``'s text and children in its place; ``block``: in inline text, a paragraph's
    end as a line break, so that two paragraphs do not run together."""
    children = list(element)
    tail = element.tail
    _keep_tail(element, element.text)
    for child in children:
        element.addprevious(child)
    if block and (element.getnext() is not None or (tail or "").strip()):
        children.append(etree.Element("br"))
        element.addprevious(children[-1])
    if children:
        children[-1].tail = (children[-1].tail or "") + (tail or "")
    else:
        _keep_tail(element, tail)
    _parent(element).remove(element)


def _trim_breaks(tree: etree._Element) -> None:
    """No line break at the very end of an inline text (left by an unwrapped last paragraph)."""
    while len(tree) and tree[-1].tag == "br" and not (tree[-1].tail or "").strip():
        _drop_tree(tree[-1])


# ---- 3. writing the canonical text ----------------------------------------------------------------

def render(source: str, inline: bool) -> tuple[str, list[markup.TextProblem]]:
    """What the loader makes of a text of a canonical file at the top of the quiz folder."""
    fragment, problems = (markup.inline if inline else markup.block)(source, "")
    return str(fragment), problems


def source_of(fragment: str, inline: bool) -> str | None:
    """The text a canonical file holds for ``fragment``, which the loader reads back into exactly
    ``fragment`` (canonical_text.source_text: Markdown when Markdown says it exactly, else HTML; None:
    neither does, as for blocks the loader mended with no line break between them)."""
    if not fragment:
        return ""
    written = source_text(fragment, block=not inline)[0]
    return written if render(written, inline)[0] == fragment else None


def read_html(source: str, inline: bool, files: FileNamer, tex: bool = True,
              rewrite: Callable[[etree._Element, Text], None] | None = None) -> Text:
    """Another tool's HTML text as canonical text: ``files`` finds the files it shows, ``tex``
    reads MathJax's delimiters as formulas, ``rewrite`` turns what only that tool writes into what
    the loader reads (before the rest is cleaned)."""
    text = Text("")
    if markup.without_unusable_characters(source)[0]:
        text.note("control characters, which XML cannot carry")
    tree = fragment_tree(source)
    if rewrite is not None:
        rewrite(tree, text)
    if tex:
        find_tex(tree, text)
    clean(tree, inline, text, files)
    written = as_html(tree, inline)
    fragment, problems = render(written, inline)
    for problem in problems:
        if problem.warning is None:
            text.problems.append(problem.message)
        else:  # what the clean-up above did not foresee: named, as the loader would warn of it
            text.note(problem.message.split(":")[0])
    if text.problems:
        return text
    canonical = source_of(fragment, inline) if fragment else ""
    text.source = canonical if canonical is not None else written
    return text


def plain_html(value: str) -> str:
    """Plain text as the HTML that shows it: a paragraph at each blank line, line breaks kept."""
    paragraphs = re.split(r"\n[ \t]*\n", value.replace("\r\n", "\n"))
    return "".join("<p>" + "<br/>\n".join(html.escape(line) for line in paragraph.split("\n")) + "</p>"
                   for paragraph in paragraphs if paragraph.strip())


def plain_source(value: str, inline: bool) -> str:
    """Plain text (no markup) as canonical text that shows exactly it."""
    tree = etree.Element("div")
    if inline:
        tree.text = value
    else:
        paragraph = etree.SubElement(tree, "p")
        paragraph.text = value
    fragment = render(as_html(tree, inline), inline)[0]
    found = source_of(fragment, inline)
    assert found is not None, "plain text is always written back"
    return found


# -- HTML the loader reads exactly --

_IN_HTML_BLOCK = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "&#36;", "`": "&#96;", "~": "&#126;",
                  "\\": "&#92;", "\r": "&#13;", "\t": "&#9;"}
"""In an HTML block Markdown reads nothing; the formula finder still reads $, backquotes and fences."""
_IN_MARKDOWN = _IN_HTML_BLOCK | {"*": "&#42;", "_": "&#95;", "[": "&#91;", "]": "&#93;"}
"""Inline text is Markdown between the tags: what Markdown would read as syntax, as references."""
_IN_ATTRIBUTE = _IN_HTML_BLOCK | {'"': "&quot;", "\n": "&#10;"}


def as_html(tree: etree._Element, inline: bool) -> str:
    """``tree`` as HTML the loader reads back into the same fragment: every top-level block on a
    line of its own, no blank line anywhere (which would end the HTML block), characters Markdown
    or the formula finder would read as syntax written as references."""
    if inline:
        written = _children_html(tree, _IN_MARKDOWN)
        return _inline_spaces(written)
    blocks = _blocks(tree)
    written = "\n".join(blocks)
    return _BLANK_LINE.sub("&#10;", written)


_BLANK_LINE = re.compile(r"\n(?=[ \t]*(?:\n|\Z))")


def _blocks(tree: etree._Element) -> list[str]:
    """The top-level blocks, loose text and inline elements gathered into paragraphs."""
    blocks: list[str] = []
    loose: list[str] = []

    def flush() -> None:
        joined = "".join(loose).strip(" \t\n\r")
        if joined:
            blocks.append(f"<p>{joined}</p>")
        loose.clear()

    if tree.text:
        loose.append(_escaped(tree.text, _IN_HTML_BLOCK))
    for child in tree:
        if isinstance(child.tag, str) and child.tag in _TOP_BLOCKS:
            flush()
            blocks.append(_element_html(child, _IN_HTML_BLOCK))
        else:
            loose.append(_element_html(child, _IN_HTML_BLOCK))
        if child.tail:
            loose.append(_escaped(child.tail, _IN_HTML_BLOCK))
    flush()
    return blocks


_TOP_BLOCKS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "ul", "ol", "dl", "hr", "table"})


def _children_html(element: etree._Element, table: dict[str, str]) -> str:
    parts = [_escaped(element.text or "", table)]
    for child in element:
        parts.append(_element_html(child, table))
        parts.append(_after(child, _escaped(child.tail or "", table)))
    return "".join(parts)


def _after(child: etree._Element, tail: str) -> str:
    """The text after an inline formula: a digit right after it as a reference ('$x$2' is money to
    the formula finder, not a formula)."""
    if _is_formula(child) and not _is_display(child) and tail[:1].isdigit():
        return f"&#{ord(tail[0])};{tail[1:]}"
    return tail


def _element_html(element: etree._Element, table: dict[str, str]) -> str:
    if _is_formula(element):
        tex = _formula_tex(element)
        return f"$${tex}$$" if _is_display(element) else f"${tex}$"
    name = str(element.tag)
    if name == "object":  # audio or video: the loader makes it of an image of the file
        src = str(element.get("data", ""))
        return _tag("img", {"src": src[len(MEDIA_REFERENCE):] if src.startswith(MEDIA_REFERENCE) else src,
                            "alt": "".join(element.itertext())}, void=True)
    attributes = dict(element.attrib)
    if name == "img" and str(attributes.get("src", "")).startswith(MEDIA_REFERENCE):
        attributes["src"] = str(attributes["src"])[len(MEDIA_REFERENCE):]
    if name in _VOID:
        return _tag(name, attributes, void=True)
    inner = _children_html(element, table if name != "pre" else _IN_HTML_BLOCK)
    if name == "pre" and (element.text or "").startswith("\n"):
        inner = "\n" + inner  # HTML drops a line break that opens a <pre>
    return f"{_tag(name, attributes)}{inner}</{name}>"


def _tag(name: str, attributes: dict[str, str], void: bool = False) -> str:
    written = "".join(f' {key}="{_escaped(str(value), _IN_ATTRIBUTE)}"' for key, value in attributes.items())
    return f"<{name}{written}{'/' if void else ''}>"


def _escaped(value: str, table: dict[str, str]) -> str:
    return "".join(table.get(character, character) for character in value)


def _inline_spaces(written: str) -> str:
    """Inline text is read as one line with each run of white space one space (markup._markdown_inline):
    every white-space character but a lone space, and the spaces at its ends, as references."""
    out: list[str] = []
    for index, character in enumerate(written):
        if character.isspace() and (character != " " or index == 0 or index == len(written) - 1
                                    or written[index - 1].isspace()):
            out.append(f"&#{ord(character)};")
        else:
            out.append(character)
    return "".join(out)


def _is_formula(element: etree._Element) -> bool:
    """A formula node (``clean`` has made one of each MathML formula it keeps)."""
    return element.tag == TEX


def _is_display(element: etree._Element) -> bool:
    return element.get("display") == "block"


def _formula_tex(element: etree._Element) -> str:
    return element.text or ""


def unescaped(value: str) -> str:
    """HTML text (character references and all) as the characters it shows, as PHP's
    html_entity_decode and browsers read it: a named reference only with its semicolon."""
    return _REFERENCE.sub(lambda found: html.unescape(found.group()), value)


_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def fragment_of(source: str, inline: bool) -> Markup:
    """The fragment the loader makes of canonical text (for tests and checks)."""
    return Markup(render(source, inline)[0])
