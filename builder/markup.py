"""Authors' Markdown to sanitised XHTML fragments, the only way item text reaches a package.

Pipeline: Markdown (CommonMark, raw HTML allowed so authors can paste it) -> HTML -> nh3 allowlist
sanitiser -> lxml re-serialisation as XML. The allowlist is the subset of XHTML that QTI 2.1 accepts
in the places we put text, so the same fragment is valid in QTI, in the SCORM player's HTML, in
Moodle XML and in Canvas QTI 1.2.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import nh3
from lxml import etree, html
from markdown_it import MarkdownIt
from markupsafe import Markup

# Inline content: what QTI calls inlineStatic, so it fits feedbackInline and prompt.
INLINE_TAGS = frozenset({"a", "abbr", "b", "br", "cite", "code", "em", "i", "img", "kbd", "q",
                         "samp", "small", "span", "strong", "sub", "sup", "var"})
# Block content adds QTI's blockStatic elements that Markdown produces. Tables are left out:
# QTI requires <tbody>, which Markdown does not always emit.
BLOCK_TAGS = INLINE_TAGS | frozenset({"p", "ul", "ol", "li", "blockquote", "pre", "hr",
                                      "h2", "h3", "h4", "h5", "h6", "dl", "dt", "dd"})
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
              "ol": {"start"}, "abbr": {"title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed together with their content, so nothing of them shows as stray text.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template",
                                  "noscript", "textarea", "select", "svg", "math", "title",
                                  "frame", "frameset", "applet", "noembed", "noframes"})
# Characters XML 1.0 cannot carry at all (C0 controls except tab, LF, CR; lone surrogates; FFFE/FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class TextProblem:
    """A problem in one text field; the loader adds the file and place."""

    message: str


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "typographer": False, "linkify": False})
    # Let every URL through Markdown so that the sanitiser, not the Markdown parser, decides:
    # a refused link then loses its URL and keeps its text instead of showing raw Markdown.
    md.validateLink = lambda url: True
    return md


_MD = _markdown()


def _check_url(url: str, problems: list[TextProblem], what: str) -> None:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "file":
        problems.append(TextProblem(f"{what} {url!r} points to a local file; use an https:// URL"))
    elif not scheme and (url.startswith(("/", "\\")) or ".." in parts.path.split("/")):
        problems.append(TextProblem(f"{what} {url!r} points outside the project; use an https:// URL"))
    elif not scheme and parts.path and what == "image":
        problems.append(TextProblem(
            f"image {url!r} is a local file, which packages cannot carry yet; use an https:// URL"))


def _check_urls(raw_html: str, problems: list[TextProblem]) -> None:
    """Refuse links and images that point at local files or outside the project.

    Read before sanitising, since the sanitiser silently drops what it refuses."""
    if not raw_html.strip():
        return
    tree = html.fragment_fromstring(raw_html, create_parent="div")
    for element in tree.iter("a", "img"):
        attribute = "src" if element.tag == "img" else "href"
        url = element.get(attribute)
        if url is not None:
            _check_url(url, problems, "image" if element.tag == "img" else "link")


def _sanitise(raw_html: str, tags: frozenset[str]) -> str:
    return nh3.clean(
        raw_html,
        tags=set(tags),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: names for tag, names in ATTRIBUTES.items() if tag in tags},
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


def _to_xhtml(fragment: str, as_blocks: bool) -> str:
    """Re-serialise sanitised HTML as well-formed XML (self-closed <br/>, quoted attributes).

    In block mode, loose text and inline elements are gathered into <p>, because QTI's itemBody
    and modalFeedback do not take bare text beside blocks."""
    if not fragment.strip():
        return ""
    wrapper = html.fragment_fromstring(fragment, create_parent="div")
    for img in wrapper.iter("img"):
        img.set("alt", img.get("alt", ""))  # QTI requires alt
    for link in list(wrapper.iter("a")):
        if link.get("href") is None:
            link.drop_tag()  # its URL was refused: keep the words, lose the dead link
    if as_blocks:
        _wrap_loose_inline(wrapper)
    text = _escape_text(wrapper.text or "")
    return text + "".join(etree.tostring(child, encoding="unicode", method="xml", with_tail=True)
                          for child in wrapper)


def _wrap_loose_inline(wrapper: html.HtmlElement) -> None:
    nodes: list[object] = []
    if wrapper.text and wrapper.text.strip():
        nodes.append(wrapper.text)
    wrapper.text = None
    for child in list(wrapper):
        wrapper.remove(child)
        tail, child.tail = child.tail, None
        nodes.append(child)
        if tail and tail.strip():
            nodes.append(tail)
    paragraph: html.HtmlElement | None = None
    for node in nodes:
        if isinstance(node, str) or node.tag in INLINE_TAGS:
            if paragraph is None:
                paragraph = etree.SubElement(wrapper, "p")
            if isinstance(node, str):
                if len(paragraph):
                    paragraph[-1].tail = (paragraph[-1].tail or "") + node
                else:
                    paragraph.text = (paragraph.text or "") + node
            else:
                paragraph.append(node)
        else:
            paragraph = None
            if node.tag == "p" and not len(node) and not (node.text or "").strip():
                continue
            wrapper.append(node)
            node.tail = "\n"


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _render(source: str, render: Callable[[str], str], tags: frozenset[str],
            as_blocks: bool) -> tuple[Markup, list[TextProblem]]:
    problems: list[TextProblem] = []
    bad = _NOT_XML.search(source)
    if bad:
        problems.append(TextProblem(
            f"control character U+{ord(bad.group()):04X} cannot be carried in XML; remove it"))
        source = _NOT_XML.sub("", source)
    raw_html = render(source)
    _check_urls(raw_html, problems)
    xhtml = _to_xhtml(_sanitise(raw_html, tags), as_blocks).strip()
    return Markup(xhtml), problems


def block(source: str) -> tuple[Markup, list[TextProblem]]:
    """Markdown with paragraphs, lists, quotes and code blocks (prompts, hints, explanations)."""
    return _render(source, _MD.render, BLOCK_TAGS, as_blocks=True)


def inline(source: str) -> tuple[Markup, list[TextProblem]]:
    """One run of inline Markdown (choice text, per-choice feedback)."""
    return _render(source, _MD.renderInline, INLINE_TAGS, as_blocks=False)


def plain_text(fragment: Markup) -> str:
    """The text of a fragment, tags removed, for titles and screen-reader labels."""
    if not fragment:
        return ""
    wrapper = html.fragment_fromstring(str(fragment), create_parent="div")
    return " ".join(wrapper.text_content().split())
