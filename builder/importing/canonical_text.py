"""A text field's XHTML fragment written back as the text of a canonical file.

The model's texts (builder/markup.py) are sanitised XHTML fragments: what QTI 2.1 carries and the
SCORM player shows, with files of the quiz folder as ``media/<path>`` and formulas as MathML whose
TeX is in an annotation. An import has such a fragment and must write the text an author would,
which the loader turns back into the same fragment. ``source_text`` tries two ways and keeps the
first that the loader's own ``markup.block`` or ``markup.inline`` turns into exactly the fragment:

1. **Markdown**, as an author writes it: paragraphs, emphasis, code, links, images, headings, lists
   and fenced code, with Markdown's special characters escaped by a backslash, a formula as
   ``$TeX$`` (``$$TeX$$`` displayed), a file by its path in the quiz folder; the inline elements
   Markdown has no syntax for (``sub``, ``span``, ...) as inline HTML around Markdown;
2. **raw HTML**, the fragment itself with each text's characters that Markdown or the formula
   finder would read (``$``, a backtick, line breaks; in an inline text every punctuation mark and
   any space but a single one between words) written as character references. A block text is one
   line that starts with a block element, which CommonMark passes on untouched (an HTML block ends
   only at a blank line, and this one has none); the sanitiser reads the references back.

What the loader makes of a fragment another tool wrote may differ (the sanitiser removes what no
format carries): ``source_text`` then writes what the loader keeps, and returns the loader's
messages about what it removed, so that the import lists them.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from lxml import etree, html

from builder import markup
from builder.formulas import MATHML_NAMESPACE, TEX_ENCODING
from builder.model import BLANK_MARKER, MEDIA_REFERENCE
from builder.rendering import safe_parser

MATH = f"{{{MATHML_NAMESPACE}}}math"
ANNOTATION = f"{{{MATHML_NAMESPACE}}}annotation"
# Elements Markdown writes with its own syntax; the other inline elements are kept as inline HTML.
_MARKDOWN_BLOCKS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "pre"})
_VOID = frozenset({"br", "hr", "img"})


def source_text(fragment: str, block: bool) -> tuple[str, list[markup.TextProblem]]:
    """The text to write for ``fragment`` (block: a prompt, hint, explanation or grader notes;
    else inline: a choice, feedback, a side of a pair, a step), and what the loader reports of it:
    markup it removes (warnings) or refuses (errors), which the fragment of another tool may hold."""
    if not fragment.strip():
        return "", []
    render = markup.block if block else markup.inline
    tree = fragment_tree(fragment)
    written = _markdown(tree, block)
    if written is not None:  # most texts: Markdown gives the fragment back, in one reading
        loaded, problems = render(written)
        if loaded == fragment:
            return written, problems
    raw = _raw(tree, block)
    loaded, problems = render(raw)
    if loaded == fragment or not loaded:
        return raw, problems
    # Another tool's fragment, which the loader changes: write what the loader keeps of it.
    kept = fragment_tree(str(loaded))
    for candidate in (_markdown(kept, block), _raw(kept, block)):
        if candidate is not None and render(candidate)[0] == loaded:
            return candidate, problems
    return raw, problems  # never for a fragment lmspack made (tests/test_import_qti21.py)


def tex_of(math: etree._Element) -> str | None:
    """A MathML formula's TeX, from its annotation (lmspack's, or another tool's TeX or LaTeX one)."""
    for annotation in math.iter(ANNOTATION):
        encoding = (annotation.get("encoding") or "").strip().lower()
        if encoding in (TEX_ENCODING, "tex", "latex", "application/x-latex", "text/x-tex") and \
                (annotation.text or "").strip():
            return (annotation.text or "").strip()
    return None


def fragment_tree(fragment: str) -> etree._Element:
    """``fragment`` (XHTML, or another tool's HTML) as the children of a <div>: read as XML when it is
    well-formed (lmspack's own fragments, and most editors' output, come back exactly), else by an
    HTML parser (a damaged package or another tool's text: what it gives still passes the loader's
    sanitiser). Characters XML cannot carry are left out first."""
    text = markup.without_unusable_characters(fragment)[1]
    try:
        return etree.fromstring(f"<div>{text}</div>".encode(), safe_parser())
    except etree.XMLSyntaxError:
        pass
    if not text.strip():
        return etree.Element("div")
    parser = html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    return html.fragment_fromstring(text, create_parent="div", parser=parser)


def _formula(math: etree._Element) -> str:
    tex = tex_of(math) or ""
    return f"$${tex}$$" if math.get("display") == "block" else f"${tex}$"


# --- raw HTML --------------------------------------------------------------------------------

_BLOCK_TEXT = re.compile(r"[&<>$`\n\r\t]")
# Inline text is read by Markdown: every ASCII punctuation mark, and any whitespace but one space
# between two other characters (the loader folds runs of whitespace in inline text to one space).
_INLINE_TEXT = re.compile(r"[!-/:-@\[-`{-~]|\s(?=\s)|(?<=\s)\s|^\s|\s$|[^\S ]")
_ATTRIBUTE_TEXT = re.compile(r"[&<>\"$`\n\r\t]")


def _reference(found: re.Match[str]) -> str:
    return f"&#{ord(found.group())};"


def _raw(wrapper: etree._Element, block: bool) -> str:
    """The fragment as raw HTML, on one line (see the module's docstring)."""
    text = _BLOCK_TEXT if block else _INLINE_TEXT
    pieces: list[str] = []

    def content(element: etree._Element) -> None:
        if element.text:
            pieces.append(text.sub(_reference, _pre_start(element, element.text)))
        for child in element:
            write(child)
            tail(child)

    def tail(element: etree._Element) -> None:
        written = text.sub(_reference, element.tail or "")
        if element.tag == MATH and written[:1].isdigit():  # '$x$5' would be money, not a formula
            written = f"&#{ord(written[0])};{written[1:]}"
        pieces.append(written)

    def write(element: etree._Element) -> None:
        if element.tag == MATH:
            pieces.append(_formula(element))
        elif element.tag == "object":  # audio or video: an image of its file, its text the alt text
            alt = _ATTRIBUTE_TEXT.sub(_reference, "".join(element.itertext()))
            source = _ATTRIBUTE_TEXT.sub(_reference, _attribute(element, "data", element.get("data", "")))
            pieces.append(f'<img src="{source}" alt="{alt}"/>')
        elif isinstance(element.tag, str):
            attributes = "".join(f' {name}="{_ATTRIBUTE_TEXT.sub(_reference, _attribute(element, name, value))}"'
                                 for name, value in element.attrib.items())
            if element.tag in _VOID:
                pieces.append(f"<{element.tag}{attributes}/>")
            else:
                pieces.append(f"<{element.tag}{attributes}>")
                content(element)
                pieces.append(f"</{element.tag}>")

    if not block:
        content(wrapper)
        return "".join(pieces)
    if wrapper.text:  # loose text first (another tool's): see below
        pieces += ["</p>", text.sub(_reference, wrapper.text)]
    for child in wrapper:
        if _gathered(child):
            # The loader gathers loose inline content before a block into a paragraph with nothing
            # between it and the block: only loose content written so gives that fragment back. A
            # line must start with a block tag for Markdown to pass it on: a stray </p>, which
            # HTML reads as an empty paragraph (and the loader drops).
            pieces.append("" if pieces else "</p>")
            content(child)
        else:
            write(child)
        tail(child)
    return "".join(pieces)


def _gathered(element: etree._Element) -> bool:
    """Whether ``element`` is a paragraph the loader gathered from loose inline content: one that a
    block follows with nothing between them, and with no space at either end of its text."""
    following = element.getnext()
    if element.tag != "p" or following is None or element.tail:
        return False
    first = element.text or ""
    last = (element[-1].tail if len(element) else element.text) or ""
    return bool(first or len(element)) and not first[:1].isspace() and not last[-1:].isspace()


def _pre_start(element: etree._Element, text: str) -> str:
    """HTML drops a line break just after <pre>: one more keeps the fragment's own."""
    return "\n" + text if element.tag == "pre" and text.startswith("\n") else text


def _attribute(element: etree._Element, name: str, value: str) -> str:
    """An attribute as the author writes it: a file of the quiz folder by its path there (an image;
    the sanitiser makes audio and video of images too, and an <object> is no author's markup)."""
    if name in ("src", "data") and value.startswith(MEDIA_REFERENCE):
        return _file_path(value[len(MEDIA_REFERENCE):])
    return value


def _file_path(href: str) -> str:
    """A file's URL-quoted path as written in a text: unquoted when that reads back the same."""
    path = unquote(href)
    return path if "%" not in path and quote(path) == href else href


# --- Markdown --------------------------------------------------------------------------------

# Characters Markdown may read as syntax anywhere in a line, and at a line's start.
_SPECIAL = re.compile(r"[\\`*_\[\]<>$|~]|&(?=[#A-Za-z0-9])|!(?=\[)")
# A number opens an ordered list only when a space or the line's end follows its '.' or ')': 6.9 stays.
_LINE_START = re.compile(r"^(?:[#>+=-]|\d+[.)](?=[ \t]|$)|~~~|```)", re.MULTILINE)


def _escaped(text: str) -> str:
    pieces = []
    position = 0
    for blank in BLANK_MARKER.finditer(text):  # [[name]] stays as written: a blank stands there
        pieces.append(_SPECIAL.sub(lambda found: "\\" + found.group(), text[position:blank.start()]))
        pieces.append(blank.group())
        position = blank.end()
    pieces.append(_SPECIAL.sub(lambda found: "\\" + found.group(), text[position:]))
    escaped = "".join(pieces)
    return _LINE_START.sub(lambda found: "\\" + found.group() if not found.group()[0].isdigit()
                           else found.group()[:-1] + "\\" + found.group()[-1], escaped)


def _markdown(wrapper: etree._Element, block: bool) -> str | None:
    """The fragment as Markdown, or None when it holds what this writes only as HTML."""
    if not block:
        return _inline(wrapper)
    if (wrapper.text or "").strip():
        return None
    blocks = []
    for child in wrapper:
        if child.tag not in _MARKDOWN_BLOCKS or (child.tail or "").strip():
            written: str | None = _raw_block(child)
        else:
            written = _markdown_block(child)
        if written is None:
            return None
        blocks.append(written)
    return "\n\n".join(blocks)


def _raw_block(element: etree._Element) -> str:
    holder = etree.Element("div")
    copy = etree.fromstring(etree.tostring(element, with_tail=False), safe_parser())
    holder.append(copy)
    return _raw(holder, block=True)


def _markdown_block(element: etree._Element) -> str | None:
    tag = element.tag
    if tag == "p":
        return _inline(element, paragraph=True)
    if tag in ("h2", "h3", "h4", "h5", "h6"):
        text = _inline(element)
        return None if text is None or "\n" in text else f"{'#' * int(str(tag)[1])} {text}"
    if tag == "pre":
        return _fenced(element)
    lines = []
    for number, item in enumerate(element, start=1):
        if item.tag != "li" or any(child.tag in markup.BLOCK_TAGS - markup.INLINE_TAGS for child in item):
            return None
        text = _inline(item)
        if text is None or "\n" in text:
            return None
        lines.append(f"{number}. {text}" if tag == "ol" else f"- {text}")
    return "\n".join(lines)


def _fenced(pre: etree._Element) -> str | None:
    """``<pre><code>...</code></pre>``: a fenced code block."""
    if (pre.text or "") or len(pre) != 1 or pre[0].tag != "code" or len(pre[0]) or pre[0].tail:
        return None
    code = pre[0].text or ""
    if not code.endswith("\n"):
        return None
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall("`+", code)), default=0))
    return f"{fence}\n{code}{fence}"


def _inline(element: etree._Element, paragraph: bool = False) -> str | None:
    """The inline content of ``element`` as Markdown, or None (``paragraph``: a block text's
    paragraph, where a line break may be Markdown's own)."""
    pieces = [_escaped(element.text or "")]
    for child in element:
        if child.tag == MATH:
            pieces.append(_formula(child))
        else:
            written = _inline_element(child, paragraph)
            if written is None:
                return None
            pieces.append(written)
        tail = _escaped(child.tail or "")
        if child.tag == MATH and tail[:1].isdigit():  # '$x$5' would be money, not a formula
            tail = f"&#{ord(tail[0])};{tail[1:]}"
        pieces.append(tail)
    return "".join(pieces)


def _inline_element(element: etree._Element, paragraph: bool) -> str | None:
    tag = str(element.tag)
    if tag == "code" and not len(element):
        code = element.text or ""
        ticks = "`" * (1 + max((len(run) for run in re.findall("`+", code)), default=0))
        padded = f" {code} " if code.startswith(("`", " ")) or code.endswith(("`", " ")) else code
        return f"{ticks}{padded}{ticks}" if code.strip() else None
    if tag == "img":
        alt = element.get("alt", "")
        return f"![{_escaped(alt)}]({_destination(_attribute(element, 'src', element.get('src', '')))})"
    if tag == "object":
        alt = "".join(element.itertext())
        return f"![{_escaped(alt)}]({_destination(_attribute(element, 'data', element.get('data', '')))})"
    inner = _inline(element, paragraph)
    if inner is None:
        return None
    if tag == "em" and inner:
        return f"*{inner}*"
    if tag == "strong" and inner:
        return f"**{inner}**"
    if tag == "a" and list(element.attrib) == ["href"] and inner:
        return f"[{inner}]({_destination(element.get('href', ''))})"
    if tag == "br":  # in a paragraph, before the line's end: a backslash ending the line, as authors write
        return "\\" if paragraph and (element.tail or "").startswith("\n") else "<br/>"
    attributes = "".join(f' {name}="{_ATTRIBUTE_TEXT.sub(_reference, value)}"'
                         for name, value in element.attrib.items())
    return f"<{tag}{attributes}>{inner}</{tag}>"


def _destination(url: str) -> str:
    """A link's or image's URL as Markdown reads it: between < and > when it holds a space or a
    parenthesis, its backslashes and those brackets escaped."""
    escaped = re.sub(r"[\\<>]", lambda found: "\\" + found.group(), url)
    return f"<{escaped}>" if re.search(r"[\s()]", url) else escaped
