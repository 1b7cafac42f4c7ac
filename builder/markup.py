"""Authors' Markdown to sanitised XHTML fragments, the only way item text reaches a package.

Pipeline: Markdown (CommonMark, raw HTML allowed so authors can paste it) -> HTML -> nh3 allowlist
sanitiser -> lxml re-serialisation as XML. The allowlist is the subset of XHTML that QTI 2.1 accepts
in the places we put text, so the same fragment is valid in QTI, in the SCORM player's HTML, in
Moodle XML and in Canvas QTI 1.2.
"""

from __future__ import annotations

import functools
import html
import posixpath
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, unquote

import nh3
from cmarkgfm import _cmark
from cmarkgfm.cmark import Options
from lxml import etree
from markupsafe import Markup

from builder import formulas
from builder.model import MEDIA_REFERENCE

# Inline content: what QTI calls inlineStatic, so it fits feedbackInline and prompt. <object> is
# audio or video (a Markdown image of a sound or film file: MEDIA_TYPES), never taken from raw HTML.
INLINE_TAGS = frozenset({"a", "abbr", "b", "br", "cite", "code", "em", "i", "img", "kbd", "object", "q",
                         "samp", "small", "span", "strong", "sub", "sup", "var"})
# Tables in QTI's table model (builder/schemas/qti21): a caption, a head, bodies of rows of cells.
TABLE_TAGS = frozenset({"table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"})
# Block content adds QTI's blockStatic elements that Markdown produces.
BLOCK_TAGS = INLINE_TAGS | TABLE_TAGS | frozenset({"p", "ul", "ol", "li", "blockquote", "pre", "hr",
                                                   "h2", "h3", "h4", "h5", "h6", "dl", "dt", "dd"})
# The attributes fragments hold: only those QTI 2.1 accepts on these elements (it has no title on
# a/img/abbr, no start on ol; a cell's alignment is its align attribute, which QTI's th and td take).
ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt", "width", "height"}, "object": {"data", "type"},
              "th": {"scope", "colspan", "rowspan", "align"}, "td": {"colspan", "rowspan", "align"}}
_ALIGNMENTS = frozenset({"left", "center", "right"})
# What the sanitiser lets through to the tree pass, which turns a cell's text-align style into its
# align attribute and reads a Markdown image of a sound or film file as an <object>.
_SANITISER_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt", "width", "height"},
                         "th": {"scope", "colspan", "rowspan", "align", "style"},
                         "td": {"colspan", "rowspan", "align", "style"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Files a text may show from the quiz folder, by extension (lower case): what each is, in every
# format. The rest of a file's checks (its bytes, size, name, links) are builder/media.py's.
MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp", ".svg": "image/svg+xml", ".mp3": "audio/mpeg", ".m4a": "audio/mp4",
               ".ogg": "audio/ogg", ".mp4": "video/mp4", ".webm": "video/webm"}
# Removed together with their content, so nothing of them shows as stray text.
# xmp, listing and plaintext are raw-text elements: their content would show as literal markup.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template",
                                  "noscript", "textarea", "select", "svg", "math", "title",
                                  "frame", "frameset", "applet", "noembed", "noframes",
                                  "xmp", "listing", "plaintext"})
# HTML parsers read <![CDATA[...]]> as a bogus comment that ends at the first '>', so its content
# would leak out as visible text; authors never mean it, so it goes whole (unterminated: to the end).
_CDATA = re.compile(r"<!\[CDATA\[.*?(?:\]\]>|\Z)", re.DOTALL | re.IGNORECASE)
# Attribute values the formats' schemas accept; anything else is dropped, not passed on.
_SCHEME = re.compile(r"^\s*[A-Za-z][A-Za-z0-9+.-]*:")
_LENGTH = re.compile(r"^[0-9]{1,5}%?$")
# Deeper nesting is never authored on purpose, and both the Markdown parser (quotes) and the HTML
# sanitiser (elements) take time quadratic in depth: a 1 MB file of '>' or '<div>' would stall a build.
MAX_DEPTH = 100
_QUOTE_PREFIX = re.compile(r"^(?:[ \t]*>)+", re.MULTILINE)
_HTML_TAG = re.compile(r"<(/?)([A-Za-z][^\t\n\f\r />]*)")
# Elements that never hold others, or whose end tag HTML infers (so '<p><p>' is not nesting).
_NOT_NESTING = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                          "param", "source", "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup",
                          "tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "caption", "rp", "rt",
                          "html", "head", "body"})
# Characters XML 1.0 cannot carry at all (C0 controls except tab, LF, CR; lone surrogates; FFFE/FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class TextProblem:
    """A problem in one text field; the loader adds the file and place."""

    message: str
    near: str | None = None
    """What the author wrote where the problem is (an image's URL, a formula), so that the loader
    can point at it rather than at the start of the field."""
    warning: str | None = None
    """Something removed or left wanting that does not stop the build: the code of the warning it
    is reported as (builder.warning_codes); None: an error."""
    quiz_folder_at: int | None = None
    """Where the message says "the quiz folder", the end of those words: the loader, which alone
    knows which folder that is, names it there (``naming``)."""

    def naming(self, quiz_folder: str) -> str:
        """The message, with the quiz folder's name after "the quiz folder" where it says that."""
        at = self.quiz_folder_at
        if at is None or not quiz_folder:
            return self.message
        return f"{self.message[:at]} {quiz_folder}{self.message[at:]}"


# Inline fields are one paragraph's worth of text. cmark has no inline-only mode, so a line that
# would open a block (list item, heading, quote, fence, thematic break) gets its marker escaped.
_BLOCK_START = re.compile(r"^(?:(?P<bullet>[*+-])(?=[ \t]|$)|(?P<heading>#{1,6})(?=[ \t]|$)|(?P<quote>>)"
                          r"|\d{1,9}(?P<ordered>[.)])(?=[ \t]|$)|(?P<fence>```(?!.*`)|~~~)"
                          r"|(?P<rule>(?:[*_-][ \t]*){3,}$))")


def _markdown_block(source: str) -> str:
    """CommonMark to HTML with cmark (C, the reference implementation), with GitHub's pipe tables.
    Raw HTML and every URL are let through on purpose: the sanitiser, not the Markdown parser,
    decides, so a refused link loses its URL but keeps its words instead of showing raw Markdown."""
    encoded = source.encode("utf-8")
    if b"|" in encoded:  # a table needs a pipe; the table extension costs a parser of its own
        rendered = _with_tables(encoded)
    else:
        rendered = _cmark.ffi.string(_cmark.lib.cmark_markdown_to_html(encoded, len(encoded),
                                                                       Options.CMARK_OPT_UNSAFE))
    # cmark writes the character references &#xFFFE; and &#xFFFF; as the single bytes FE and FF
    # (its UTF-8 encoder's legacy case), which no UTF-8 text holds otherwise: read them as those
    # characters, which the check after sanitising reports. cmarkgfm.markdown_to_html raised.
    return rendered.replace(b"\xfe", "\ufffe".encode()).replace(b"\xff", "\uffff".encode()) \
        .decode("utf-8", errors="replace")


def _with_tables(encoded: bytes) -> bytes:
    lib = _cmark.lib
    lib.cmark_gfm_core_extensions_ensure_registered()
    parser = lib.cmark_parser_new(Options.CMARK_OPT_UNSAFE)
    try:
        lib.cmark_parser_attach_syntax_extension(parser, lib.cmark_find_syntax_extension(b"table"))
        lib.cmark_parser_feed(parser, encoded, len(encoded))
        root = lib.cmark_parser_finish(parser)
        rendered: bytes = _cmark.ffi.string(lib.cmark_render_html(root, Options.CMARK_OPT_UNSAFE,
                                                                  lib.cmark_parser_get_syntax_extensions(parser)))
    finally:
        lib.cmark_parser_free(parser)
    return rendered


def _markdown_inline(source: str) -> str:
    line = " ".join(source.split())
    found = _BLOCK_START.match(line)
    if found:
        position = found.start("ordered") if found.group("ordered") else 0
        line = line[:position] + "\\" + line[position:]
    html_text = _markdown_block(line).strip()
    if html_text.startswith("<p>") and html_text.endswith("</p>") and html_text.count("<p>") == 1:
        html_text = html_text[3:-4]
    return html_text


# What a browser strips from a URL before reading it (WHATWG URL parsing): C0 controls and space
# at both ends, and tab, LF and CR anywhere. Nothing else: U+00A0 and other Unicode spaces stay,
# so '\xa0javascript:' has no scheme to a browser, it is a relative URL.
_URL_EDGE = "".join(chr(code) for code in range(0x21))
_URL_TAB_OR_NEWLINE = re.compile("[\t\n\r]")
_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_URL_END_OF_PATH = re.compile("[?#]")


def browser_url(url: str) -> str:
    """``url`` as a browser reads it before parsing it: the form every check below looks at."""
    return _URL_TAB_OR_NEWLINE.sub("", url.strip(_URL_EDGE))


def url_allowed(url: str, attribute: str) -> bool:
    """The documented rule for href and src, on the URL as a browser reads it: http, https or
    mailto; for a link also '#place' in the same page; nothing relative. templates/scorm/player.js
    applies the same rule (allowedUrl)."""
    url = browser_url(url)
    scheme = _URL_SCHEME.match(url)
    if scheme:
        return scheme.group(1).lower() in URL_SCHEMES
    return attribute == "href" and url.startswith("#")


def _check_url(url: str, problems: list[TextProblem], what: str) -> None:
    """Report a URL the rule refuses when it points at a local file, a relative place or a data:
    URL; other schemes (javascript:...) are removed, with a warning from ``_removed``."""
    cleaned = browser_url(url)
    if not cleaned or url_allowed(url, "src" if what == "image" else "href"):
        return  # an empty link goes nowhere; an image without a source is dropped
    scheme_found = _URL_SCHEME.match(cleaned)
    scheme = scheme_found.group(1).lower() if scheme_found else ""
    folder_at: int | None = None  # where the message says "the quiz folder", when it does
    # The path of a URL without a scheme ends at its query or fragment ('//host...' is refused by
    # its start below); urlsplit would also parse a host, and raise on one such as '//[x'.
    path = unquote(_URL_END_OF_PATH.split(cleaned, maxsplit=1)[0]) if not scheme else ""
    if scheme == "file" or len(scheme) == 1:  # file:, or a Windows drive such as C:
        message = f"{what} {url!r} points to a local file; use its path in the quiz folder, or an https:// URL"
    elif scheme == "data" and what == "image":
        message = (f"{what} {_shortened(url)} is a data: URL, which lmspack does not carry; save it as a file in "
                   "the quiz folder and write ![what it shows](file.png)")
    elif scheme:
        return  # one the sanitiser removes (javascript:...): _removed names it
    elif cleaned.startswith(("/", "\\")) or path.startswith(("/", "\\")) \
            or ".." in path.replace("\\", "/").split("/"):
        outside = f"{what} {url!r} points outside the quiz folder"
        message, folder_at = f"{outside}; copy it in, or use an https:// URL", len(outside)
    elif what == "image":
        message = (f"image {url!r} is not a file lmspack carries ({', '.join(sorted(MEDIA_TYPES))}); convert it, "
                   "or use an https:// URL")
    else:
        # A link to a page or document of the quiz folder: inside an LMS page it would request the
        # LMS's own URLs. Images, sound and film are carried; other files are not.
        message = f"link {url!r} is a local file; only images, audio and video are carried: use an https:// URL"
    problem = TextProblem(message, near=url, quiz_folder_at=folder_at)
    if problem not in problems:
        problems.append(problem)


def _shortened(url: str) -> str:
    return repr(url if len(url) <= 40 else url[:37] + "...")


def local_media(url: str, folder: str) -> str | None:
    """The path in the quiz folder of the file an image's URL names (``folder``: the item file's
    folder in the quiz folder, '' at its top), URL-quoted, when it is one MEDIA_TYPES carries and
    stays inside the quiz folder; else None."""
    cleaned = browser_url(url)
    if not cleaned or _URL_SCHEME.match(cleaned) or cleaned.startswith(("/", "\\", "#", "?")):
        return None
    path = unquote(_URL_END_OF_PATH.split(cleaned, maxsplit=1)[0])
    if "\\" in path or "\x00" in path:
        return None
    joined = posixpath.normpath(posixpath.join(folder, path)) if folder else posixpath.normpath(path)
    if joined.startswith(("../", "/")) or joined in ("..", "."):
        return None
    if posixpath.splitext(joined)[1].lower() not in MEDIA_TYPES:
        return None
    return quote(unicodedata.normalize("NFC", joined))


_REPORTED_SCHEMES = frozenset({"file", "data"} | {chr(code) for code in range(ord("a"), ord("z") + 1)})


@functools.cache
def _cleaner(tags: frozenset[str]) -> nh3.Cleaner:
    """One allowlist sanitiser per tag set, built once: building it costs more than cleaning."""
    return nh3.Cleaner(
        tags=set(tags) - {"object"},  # audio and video come from Markdown images only (the tree pass)
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        # '*': none. Without it ammonia keeps its default generic attributes, lang and title, on
        # every element, and QTI takes neither.
        attributes={"*": set()} | {tag: set(names) for tag, names in _SANITISER_ATTRIBUTES.items() if tag in tags},
        filter_style_properties={"text-align"},
        # file:, data: and one-letter schemes (C:) are kept here only so the tree pass can report
        # them before it removes them with every other URL the rule refuses.
        url_schemes=set(URL_SCHEMES | _REPORTED_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


def _sanitise(raw_html: str, tags: frozenset[str]) -> str:
    return _cleaner(tags).clean(raw_html)


# nh3 (html5ever) serialises every attribute as name="value" with '&', '<', '>' and '"' escaped, and
# text with '&', '<', '>' escaped; so its output is XML once the void elements we allow are closed
# and its one named entity is written as a number. Reading it as XML keeps exactly the tree the
# sanitiser built, without a second HTML parser's repairs (and at a fraction of the cost).
_VOID_ELEMENT = re.compile(r'<(br|hr|img)((?: [a-z]+="[^"]*")*)>')
_FRAGMENT_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _sanitised_tree(fragment: str) -> etree._Element:
    """The sanitiser's output as a tree under a <div>."""
    xml = _VOID_ELEMENT.sub(r"<\1\2/>", fragment).replace("&nbsp;", "&#160;")
    if "\t" in xml or "\n" in xml or "\r" in xml:
        # XML reads a tab or line break in an attribute as a space; a browser drops it from a URL.
        xml = _TAG_WITH_BREAKS.sub(lambda tag: tag.group().replace("\t", "&#9;").replace("\n", "&#10;")
                                   .replace("\r", "&#13;"), xml)
    return etree.fromstring(f"<div>{xml}</div>", _FRAGMENT_PARSER)


# A start tag (text has its '<' escaped, so only tags match) with a tab or line break in a value.
_TAG_WITH_BREAKS = re.compile(r'<[a-z][a-z0-9]*(?: [a-z]+="[^"]*")*? [a-z]+="[^"]*[\t\n\r][^"]*"[^<>]*>')


# What the tree below would change in the sanitiser's output: links and images (checked, mended),
# void elements (closed), blank paragraphs (dropped), CR (written as a reference) and a link inside
# a link (unwrapped). Without them the output is already that XML, save &nbsp;. A link to an http,
# https or mailto URL of plain characters is left as it is (nothing to report or mend, and XML as
# written), so it does not count.
_CHANGED_BY_TREE = re.compile(r'<(?:a(?! href="(?:https?://|mailto:)[^"<>&\s]*">)|img|br|hr|table)[ />]'
                              r"|<p>(?:\s|&nbsp;)*</p>|\r"
                              r"|<a[ >](?:[^<]|<(?!/a>))*<a[ >]")


def _to_xhtml(fragment: str, as_blocks: bool, problems: list[TextProblem], only_blocks: bool = False,
              folder: str = "") -> str:
    """Sanitised HTML as well-formed XML: ``_xhtml_from_tree``, or the fragment itself when the
    tree would give it back unchanged (most texts; the tree is most of the cost of a text). In
    block mode that also needs ``only_blocks``: every top-level element is one of the blocks we
    allow, one per line, so there is nothing loose to gather into paragraphs."""
    if not fragment.strip():
        return ""
    if (not as_blocks or only_blocks) and not _CHANGED_BY_TREE.search(fragment):
        return fragment.replace("&nbsp;", "\xa0")
    return _xhtml_from_tree(fragment, as_blocks, problems, folder)


def _xhtml_from_tree(fragment: str, as_blocks: bool, problems: list[TextProblem], folder: str) -> str:
    """Re-serialise sanitised HTML as well-formed XML (self-closed <br/>, quoted attributes).

    The URL rules are checked here, on what the sanitiser kept (the one HTML parser that read
    the text), so that no difference between two parsers can slip a local reference past them.
    Then the tree is mended into the content model QTI's schema allows, as browsers mend pasted
    HTML (``_repair``): in block mode, loose text and inline elements are gathered into <p>,
    because QTI's itemBody and modalFeedback do not take bare text beside blocks."""
    wrapper = _sanitised_tree(fragment)
    if len(wrapper) == 0 and not as_blocks:
        return _escape_text(wrapper.text or "")
    if _LINK_OR_IMAGE.search(fragment):  # else there is nothing to check or mend
        _mend_links_and_images(wrapper, problems, folder)
    if as_blocks:
        _repair_blocks(wrapper, top=True)
    else:
        _repair_inline(wrapper, INLINE_TAGS, in_link=False)
    for element in wrapper.iter():
        if element.text is None and not len(element) and element.tag not in _VOID_TAGS:
            # Written <em></em>, not <em/>: the HTML an LMS or the player parses it as reads '<em/>'
            # as an opening tag that takes in all that follows (a link would spread over the page).
            element.text = ""
    xml = etree.tostring(wrapper, encoding="unicode", method="xml")
    return xml[len("<div>"):-len("</div>")] if xml != "<div/>" else ""


_LINK_OR_IMAGE = re.compile(r"<(?:a|img)[ />]")
_VOID_TAGS = frozenset({"br", "hr", "img"})


def _mend_links_and_images(wrapper: etree._Element, problems: list[TextProblem], folder: str) -> None:
    """Check the URLs the sanitiser kept; an image of a file in the quiz folder names it as
    MEDIA_REFERENCE + its path there, and one of a sound or film file becomes an <object> (QTI's
    element for them) holding its text alternative. Drop images without a URL, require alt text;
    unwrap links whose URL was refused."""
    for element in list(wrapper.iter("a", "img")):
        attribute = "src" if element.tag == "img" else "href"
        url = element.get(attribute)
        if url is None:
            continue
        media = local_media(url, folder) if element.tag == "img" else None
        if media is not None:
            element.set(attribute, MEDIA_REFERENCE + media)
            continue
        _check_url(url, problems, "image" if element.tag == "img" else "link")
        if url_allowed(url, attribute):
            element.set(attribute, browser_url(url))  # what was checked is what is written
        else:
            del element.attrib[attribute]
    for img in list(wrapper.iter("img")):
        src = img.get("src")
        if not src:
            _drop_tree(img)  # its URL was refused (javascript:, data:...): an image of nothing
            continue
        alt = " ".join(img.get("alt", "").split())
        media_type = MEDIA_TYPES.get(posixpath.splitext(unquote(src))[1].lower(), "") \
            if src.startswith(MEDIA_REFERENCE) else ""
        if media_type.startswith(("audio/", "video/")):
            what = media_type.split("/")[0]
            if not alt:
                problems.append(TextProblem(f"{what} {unquote(src[len(MEDIA_REFERENCE):])!r} has no text alternative: "
                                            f"describe it or name its transcript, ![what it says]({what} file)",
                                            near=unquote(src[len(MEDIA_REFERENCE):]),
                                            warning="text-media-no-alternative"))
            player = etree.Element("object", data=src, type=media_type)
            player.text = alt or what
            player.tail = img.tail
            img.addprevious(player)
            _parent(img).remove(img)
            continue
        if not alt:
            shown_src = unquote(src[len(MEDIA_REFERENCE):]) if src.startswith(MEDIA_REFERENCE) else src
            problems.append(TextProblem(f"image {shown_src!r} has no alt text; say what it shows: "
                                        "![what it shows](file)", near=shown_src))
        img.set("alt", alt)  # QTI requires alt
        for name in ("width", "height"):
            value = img.get(name)
            if value is not None and not _LENGTH.match(value.strip()):
                del img.attrib[name]
            elif value is not None:
                img.set(name, value.strip())
    for link in list(wrapper.iter("a")):
        if link.get("href") is not None:
            continue
        if _SCHEME.match("".join(link.itertext())) and not len(link):
            _drop_tree(link)  # an autolink such as <javascript:...>: its words are the refused URL
        else:
            _drop_tag(link)  # its URL was refused: keep the words, lose the dead link


def _drop_tree(element: etree._Element) -> None:
    """Remove ``element`` and its content, keeping the text that follows it."""
    _keep_tail(element, element.tail)
    _parent(element).remove(element)


def _drop_tag(element: etree._Element) -> None:
    """Remove ``element`` but keep its text and children in its place."""
    tail = element.tail
    _keep_tail(element, element.text)
    children = list(element)
    for child in children:
        element.addprevious(child)  # not parent.index()/insert(): they count siblings, once per call
    if children:
        children[-1].tail = (children[-1].tail or "") + (tail or "")
    else:
        _keep_tail(element, tail)
    _parent(element).remove(element)


def _keep_tail(element: etree._Element, text: str | None) -> None:
    """Append ``text`` to what comes just before ``element``: its previous sibling's tail, or its parent's text."""
    if not text:
        return
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent = _parent(element)
        parent.text = (parent.text or "") + text


def _parent(element: etree._Element) -> etree._Element:
    """The parent of an element inside a fragment: every element repaired or dropped is inside the
    wrapper that holds the fragment, which itself is never dropped."""
    parent = element.getparent()
    assert parent is not None, "an element of a fragment outside its wrapper"
    return parent


# QTI's content model (builder/schemas/qti21/imsqti_v2p1.xsd): the blocks a block container (the
# fragment, blockquote) holds; what <pre> holds (no img, small, sub, sup, abbr, cite, q); the
# parts of lists, which hold nothing else.
_BLOCKS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "ul", "ol", "dl", "hr", "table"})
_IN_PRE = frozenset({"a", "br", "code", "em", "strong", "i", "b", "span", "kbd", "samp", "var"})
# Keyed by object: they are looked up with lxml's element.tag, typed as any name lxml accepts
# (str, bytes, QName), though a parsed tree's elements always have str.
_LIST_PARTS: dict[object, frozenset[str]] = {"ul": frozenset({"li"}), "ol": frozenset({"li"}),
                                             "dl": frozenset({"dt", "dd"})}
_ORPHAN_HOLDER: dict[object, str] = {"li": "ul", "dt": "dl", "dd": "dl"}


def _repair_blocks(container: etree._Element, top: bool) -> None:
    """Make ``container`` hold blocks only: list parts outside a list get one (a browser shows
    them as a list), loose text and inline elements are gathered into <p>."""
    if top or not _xml_blank(container.text) or any(child.tag not in _BLOCKS or not _xml_blank(child.tail)
                                                     for child in container):
        _wrap_orphans(container)
        _wrap_loose_inline(container)
    for child in list(container):
        _repair(child, in_link=False)


def _repair(element: etree._Element, in_link: bool) -> None:
    """Make ``element`` and what it holds fit the content model (which a sanitised tree may not:
    the HTML parser nests freely, and removing a tag lifts its content into its parent)."""
    tag = element.tag
    if tag in _LIST_PARTS:
        _repair_list(element)
    elif tag == "blockquote":
        _repair_blocks(element, top=False)
    elif tag in ("li", "dd"):  # flow: blocks and inline alike
        if any(child.tag in _ORPHAN_HOLDER for child in element):
            _wrap_orphans(element)
        for child in list(element):
            _repair(child, in_link=False)
    elif tag == "table":
        _repair_table(element)
    elif tag == "pre":
        _repair_inline(element, _IN_PRE, in_link)
    elif tag not in ("br", "hr", "img"):  # p, h2-h6, dt, a and the phrase elements hold inline content
        _repair_inline(element, INLINE_TAGS, in_link)


_ROW_GROUPS = ("thead", "tfoot", "tbody")
_SCOPES = frozenset({"row", "col", "rowgroup", "colgroup"})
_SPAN = re.compile(r"^[1-9][0-9]{0,2}$")
_TEXT_ALIGN = re.compile(r"text-align\s*:\s*(left|center|right)", re.IGNORECASE)


def _repair_table(table: etree._Element) -> None:
    """QTI's table model: a caption, then a head, a foot and bodies (one at least) of rows of
    cells. The HTML parser already put loose rows into a body; a table of a head alone (a pipe
    table without rows) has its head made its body. A cell's alignment, by align or a text-align
    style, becomes its align attribute."""
    for cell in table.iter("th", "td"):
        align = cell.attrib.pop("align", "").lower()
        style = _TEXT_ALIGN.search(cell.attrib.pop("style", ""))
        align = style.group(1).lower() if style else align
        if align in _ALIGNMENTS:
            cell.set("align", align)
        for name in ("colspan", "rowspan"):
            if name in cell.attrib and not _SPAN.match(cell.get(name, "").strip()):
                del cell.attrib[name]
            elif name in cell.attrib:
                cell.set(name, cell.get(name, "").strip())
        if "scope" in cell.attrib and cell.get("scope", "").strip().lower() not in _SCOPES:
            del cell.attrib["scope"]
        elif "scope" in cell.attrib:
            cell.set("scope", cell.get("scope", "").strip().lower())
    table.text = None
    for child in list(table):
        child.tail = None
        if child.tag not in ("caption", *_ROW_GROUPS):
            _drop_tree(child)
    for group in [child for child in table if child.tag in _ROW_GROUPS]:
        group.text = None
        for row in list(group):
            row.tail = None
            if row.tag != "tr":
                _drop_tree(row)
                continue
            row.text = None
            for cell in list(row):
                cell.tail = None
                if cell.tag not in ("th", "td"):
                    _drop_tree(cell)
            if not len(row):
                _drop_tree(row)
        if not len(group):
            _drop_tree(group)
    if not any(child.tag == "tbody" for child in table):
        head = next((child for child in table if child.tag == "thead"), None)
        if head is None:
            _drop_tree(table)
            return
        head.tag = "tbody"
    order = {"caption": 0, "thead": 1, "tfoot": 2, "tbody": 3}
    children = sorted(table, key=lambda child: order[str(child.tag)])
    for child in children:
        table.append(child)  # in QTI's order (a stable sort keeps the bodies' own)
        if child.tag == "caption":
            _repair_inline(child, INLINE_TAGS, in_link=False)
    for cell in table.iter("th", "td"):
        for part in list(cell):
            _repair(part, in_link=False)
    table.tail = "\n" if table.tail is not None else None


def _repair_inline(element: etree._Element, allowed: frozenset[str], in_link: bool) -> None:
    """Keep inline content only: any other element is replaced by what it holds, and so is a link
    inside a link (QTI's <a> holds no <a>, and a browser would split them). A block's words stay
    apart from their neighbours' (one space; a line break in <pre>)."""
    in_link = in_link or element.tag == "a"
    if any(child.tag not in allowed or (in_link and child.tag == "a") for child in element):
        # Rebuilt in one pass: unwrapping one element at a time appends to a growing text node
        # each time, quadratic for '<h2>' + '<p>x</p>' * 20,000.
        kept: list[etree._Element] = []
        runs: list[list[str]] = [[element.text or ""]]  # the text before each kept element, and after the last

        def spread(parent: etree._Element) -> None:
            for child in parent:
                if child.tag in allowed and not (in_link and child.tag == "a"):
                    kept.append(child)
                    runs.append([])
                else:
                    block = child.tag not in INLINE_TAGS
                    runs[-1] += [_SEPARATOR if block else "", child.text or ""]
                    spread(child)
                    runs[-1].append(_SEPARATOR if block else "")
                runs[-1].append(child.tail or "")

        spread(element)
        separator = "\n" if element.tag == "pre" else " "
        texts = [_SEPARATORS.sub(functools.partial(_separator, run=n, runs=len(runs), separator=separator),
                                 "".join(run)) for n, run in enumerate(runs)]
        for child in list(element):
            element.remove(child)
        element.text = texts[0] or None
        for child, tail in zip(kept, texts[1:], strict=True):
            element.append(child)
            child.tail = tail or None
    for child in list(element):
        _repair(child, in_link)


# Where a block was unwrapped (a character no text holds: XML cannot carry it).
_SEPARATOR = "\x00"
_SEPARATORS = re.compile("\x00+")


def _separator(found: re.Match[str], run: int, runs: int, separator: str) -> str:
    """``separator`` where an unwrapped block stood between words, else nothing: not at the
    start or end of the element, nor beside whitespace."""
    text = found.string
    before = text[found.start() - 1] if found.start() else ("" if run == 0 else "x")  # "x": a kept element
    after = text[found.end()] if found.end() < len(text) else ("" if run == runs - 1 else "x")
    return separator if before and after and not before.isspace() and not after.isspace() else ""


def _wrap_orphans(parent: etree._Element) -> None:
    """Put each run of <li> (or <dt>/<dd>) outside a list into a <ul> (or <dl>) of its own."""
    children = list(parent)
    start = 0
    while start < len(children):
        holder_tag = _ORPHAN_HOLDER.get(children[start].tag)
        if holder_tag is None:
            start += 1
            continue
        end = start + 1
        while end < len(children) and _ORPHAN_HOLDER.get(children[end].tag) == holder_tag \
                and not (children[end - 1].tail or "").strip():
            end += 1
        holder = etree.Element(holder_tag)
        children[start].addprevious(holder)
        holder.tail, children[end - 1].tail = children[end - 1].tail, None
        for part in children[start:end]:
            holder.append(part)
        start = end


def _repair_list(element: etree._Element) -> None:
    """A list holds its parts only: anything else is gathered into a part (<li>, or <dd> in a
    <dl>); a list left with no part is removed (the schema wants one at least)."""
    parts = _LIST_PARTS[element.tag]
    if not _xml_blank(element.text) or any(child.tag not in parts or not _xml_blank(child.tail)
                                           for child in element):
        nodes: list[str | etree._Element] = [element.text or ""]
        for child in list(element):
            element.remove(child)
            tail, child.tail = child.tail, None
            nodes += [child, tail or ""]
        element.text = None
        holder: etree._Element | None = None
        for node in nodes:
            if isinstance(node, str):
                if node.strip():
                    if holder is None:
                        holder = etree.SubElement(element, "dd" if element.tag == "dl" else "li")
                    _append_text(holder, node)
            elif node.tag in parts:
                holder = None
                element.append(node)
            else:
                if holder is None:
                    holder = etree.SubElement(element, "dd" if element.tag == "dl" else "li")
                holder.append(node)
    if len(element) == 0:
        _drop_tree(element)
        return
    for child in list(element):
        _repair(child, in_link=False)


def _xml_blank(text: str | None) -> bool:
    """Whitespace as XML Schema sees it in element-only content: space, tab, LF, CR (not U+00A0,
    which str.strip() also removes)."""
    return not text or not text.strip(" \t\n\r")


def _append_text(element: etree._Element, text: str) -> None:
    last = _last_child(element)
    if last is not None:
        last.tail = (last.tail or "") + text
    else:
        element.text = (element.text or "") + text


def _last_child(element: etree._Element) -> etree._Element | None:
    """The last child, found from the end (lxml's len() counts every child: quadratic in a loop)."""
    try:
        return element[-1]
    except IndexError:
        return None


def _wrap_loose_inline(wrapper: etree._Element) -> None:
    nodes: list[str | etree._Element] = []
    if wrapper.text and wrapper.text.strip():
        nodes.append(wrapper.text)
    wrapper.text = None
    for child in list(wrapper):
        wrapper.remove(child)
        tail, child.tail = child.tail, None
        nodes.append(child)
        if tail and tail.strip():
            nodes.append(tail)
    paragraph: etree._Element | None = None
    for node in nodes:
        if isinstance(node, str) or node.tag in INLINE_TAGS:
            if paragraph is None:
                paragraph = etree.SubElement(wrapper, "p")
                if isinstance(node, str):
                    node = node.lstrip()  # noqa: PLW2901 (the line break after a removed block, not the author's text)
            if isinstance(node, str):
                _append_text(paragraph, node)
            else:
                paragraph.append(node)
        else:
            _trim_end(paragraph)
            paragraph = None
            if node.tag == "p" and not len(node) and not (node.text or "").strip():
                continue
            wrapper.append(node)
            node.tail = "\n"
    _trim_end(paragraph)


def _trim_end(paragraph: etree._Element | None) -> None:
    """Drop the whitespace a gathered paragraph ends with (line breaks around removed blocks)."""
    if paragraph is None:
        return
    if len(paragraph):
        paragraph[-1].tail = (paragraph[-1].tail or "").rstrip() or None
    else:
        paragraph.text = (paragraph.text or "").rstrip()


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _too_deep(source: str, raw_html: str | None) -> bool:
    """Quotes in the Markdown (``None`` for ``raw_html``), or elements in the HTML, nested deeper
    than MAX_DEPTH. A fast over-estimate of what the parsers would build, not a parser."""
    # Each level takes a '>' (quotes) or a '<' (an element), so few of them cannot nest deeper: the
    # answer for nearly every text, without the scan.
    if (source if raw_html is None else raw_html).count(">" if raw_html is None else "<") <= MAX_DEPTH:
        return False
    if raw_html is None:
        return any(match.group().count(">") > MAX_DEPTH for match in _QUOTE_PREFIX.finditer(source))
    stack: list[str] = []
    for closing, tag in _HTML_TAG.findall(raw_html):
        name = tag.lower()
        if name in _NOT_NESTING:
            continue
        if not closing:
            stack.append(name)
            if len(stack) > MAX_DEPTH:
                return True
        elif name in stack:
            del stack[len(stack) - 1 - stack[::-1].index(name):]
    return False


def _render(source: str, render: Callable[[str], str], tags: frozenset[str],
            as_blocks: bool, folder: str) -> tuple[Markup, list[TextProblem]]:
    problems: list[TextProblem] = []
    message, source = without_unusable_characters(source)
    if message:
        problems.append(TextProblem(message))
    if _too_deep(source, None):
        return Markup(""), [*problems, TextProblem(f"quotes nested more than {MAX_DEPTH} levels deep; flatten them")]
    source, found_formulas = formulas.extract(source)
    for formula in found_formulas:
        _, trouble = formulas.mathml(formula.tex, formula.display)
        if trouble is not None:
            problems.append(TextProblem(trouble, near=formula.source))
    raw_html = _CDATA.sub("", render(source))
    if _too_deep(source, raw_html):
        return Markup(""), [*problems, TextProblem(f"HTML elements nested more than {MAX_DEPTH} levels deep; "
                                                   "flatten them")]
    removed = _removed(raw_html, tags, markdown_only="<" not in source)
    if removed:
        problems.append(TextProblem(f"removed {removed}: lmspack keeps only the markup every format carries "
                                    "(docs/format.md)", warning="text-removed-markup"))
    sanitised = _sanitise(raw_html, tags)
    # Character references (&#xC;, &#xFFFE;...) reach the text only now, decoded by the Markdown
    # parser or the sanitiser: the same message as for the characters written as they are.
    message, sanitised = without_unusable_characters(sanitised)
    if message and TextProblem(message) not in problems:
        problems.append(TextProblem(message))
    # Markdown without raw HTML gives only cmark's blocks at the top, all allowed but <h1>.
    only_blocks = "<" not in source and "<h1>" not in raw_html
    xhtml = _to_xhtml(sanitised, as_blocks, problems, only_blocks, folder).strip()
    return Markup(formulas.put_back(xhtml, found_formulas)), problems


_TAG_NAME = re.compile(r"<([A-Za-z][A-Za-z0-9]*)")
# What cmark writes that the sanitiser may remove: a # heading, a link's or image's title, a list's
# start number, and a URL (its scheme may be refused).
_FROM_MARKDOWN = re.compile(r'<h1>| (?:title|start|href|src)="')
# A start tag with attributes (most of cmark's tags have none: <p>, <em>, <li>...).
_TAG_WITH_ATTRIBUTES = re.compile(r"<([A-Za-z][A-Za-z0-9]*)\s((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")


def _removed(raw_html: str, tags: frozenset[str], markdown_only: bool) -> str:
    """What the sanitiser will remove from ``raw_html`` that an author may miss: elements (with
    their content or not) and attributes, each named once; '' when nothing. ``markdown_only``:
    the HTML is cmark's from Markdown without raw HTML, which can hold nothing else to remove
    than _FROM_MARKDOWN finds (most texts: the check is then one search)."""
    if "<" not in raw_html or (markdown_only and not _FROM_MARKDOWN.search(raw_html)):
        return ""
    removed: dict[str, None] = {}
    # Elements by name first, all at once (a text holds a few names many times).
    for name in dict.fromkeys(_TAG_NAME.findall(raw_html)):
        tag = name.lower()
        if tag in DROPPED_WITH_CONTENT:
            removed[f"<{tag}> and its content"] = None
        elif tag not in tags or tag == "object":
            removed[f"<{tag}> (its text kept)"] = None
    for found in _TAG_WITH_ATTRIBUTES.finditer(raw_html):
        tag = found.group(1).lower()
        if tag not in tags or tag == "object":
            continue  # named above, attributes and all
        allowed = _SANITISER_ATTRIBUTES.get(tag, set())
        for attribute, value in _ATTRIBUTE.findall(found.group(2)):
            name = attribute.lower()
            if name in ("href", "src") and name in allowed:
                scheme = _URL_SCHEME.match(browser_url(html.unescape(value.strip("\"'"))))
                scheme_name = scheme.group(1).lower() if scheme else ""
                # file:, a drive letter and an image's data: are refused with a message of their own.
                reported = scheme_name in _REPORTED_SCHEMES and (name == "src" or scheme_name != "data")
                if scheme and scheme_name not in URL_SCHEMES and not reported:
                    removed[f"the {'link' if name == 'href' else 'image'} to a {scheme_name}: URL"] = None
            elif name not in allowed and not (tag == "code" and name == "class"):  # cmark's language-... of a fence
                removed[f"the {name} attribute of <{tag}>"] = None
    return ", ".join(removed)


def without_unusable_characters(text: str) -> tuple[str | None, str]:
    """A message naming the first character XML cannot carry (None when there is none), and the
    text without such characters. For every text field, plain or Markdown."""
    bad = _NOT_XML.search(text)
    if not bad:
        return None, text
    return (f"control character U+{ord(bad.group()):04X} cannot be carried in XML; remove it",
            _NOT_XML.sub("", text))


def block(source: str, folder: str = "") -> tuple[Markup, list[TextProblem]]:
    """Markdown with paragraphs, lists, quotes, code blocks, tables, math, images, audio and video
    (prompts, hints, explanations). ``folder``: the item file's folder in the quiz folder, which
    relative file names start from."""
    return _render(source, _markdown_block, BLOCK_TAGS, as_blocks=True, folder=folder)


def inline(source: str, folder: str = "") -> tuple[Markup, list[TextProblem]]:
    """One run of inline Markdown (choice text, per-choice feedback), with math and media."""
    return _render(source, _markdown_inline, INLINE_TAGS, as_blocks=False, folder=folder)


def text_fragment(text: str) -> Markup:
    """Plain text (a typed answer, a number) as an inline fragment: escaped as fragments escape text
    (``&``, ``<``, ``>``; quotes as they are), so that plain_text reads it back as it was."""
    return Markup(_escape_text(text))


def plain_text(fragment: Markup) -> str:
    """The text of a fragment, tags removed, for titles and screen-reader labels.

    Fragments come from this module, serialised by lxml: no comments or CDATA, and '>' escaped in
    attribute values, so removing tags textually is exact (and ten times faster than parsing)."""
    if not fragment:
        return ""
    text = str(fragment)
    if "<annotation" in text:  # a formula's TeX: the formula's own text stands for it
        text = _ANNOTATION.sub("", text)
    spaced = _WORD_BREAK.sub(lambda m: m.group() + " ", text)  # blocks end words, as on screen
    text = _ANY_TAG.sub("", spaced).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


_WORD_BREAK = re.compile("|".join([rf"</{tag}>" for tag in sorted(BLOCK_TAGS - INLINE_TAGS)]
                                  + [rf"<{tag}\b[^>]*/>" for tag in sorted(BLOCK_TAGS - INLINE_TAGS)]
                                  + [r"<br\b[^>]*>"]))
_ANY_TAG = re.compile(r"<[^>]*>")
_ANNOTATION = re.compile(r"<annotation\b[^>]*>.*?</annotation>", re.DOTALL)
