"""Markdown to sanitised XHTML: what authors write, what reaches every package."""

from __future__ import annotations

import functools
import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from markupsafe import Markup

from builder import markup


def refusals(problems: list[markup.TextProblem]) -> list[markup.TextProblem]:
    """The problems that refuse a text: not the warnings of what the sanitiser removed (tested on
    their own below), nor an image's missing alt text (these cases are about the sanitiser)."""
    return [p for p in problems if not p.warning and "has no alt text" not in p.message]


def block(source: str) -> str:
    xhtml, problems = markup.block(source)
    assert refusals(problems) == []
    return str(xhtml)


def inline(source: str) -> str:
    xhtml, problems = markup.inline(source)
    assert refusals(problems) == []
    return str(xhtml)


def test_markdown_block_elements():
    assert block("Some *emphasis* and **strong**.\n\n- one\n- two\n") == (
        "<p>Some <em>emphasis</em> and <strong>strong</strong>.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>")


def test_links_keep_only_safe_attributes():
    # QTI 2.1 takes no title or lang on any of our elements: ammonia's default generic attributes
    # let them through and made the item invalid.
    assert block('[site](https://example.org "Title")') == '<p><a href="https://example.org">site</a></p>'
    assert block('![pic](https://x.test/a.png "Title")') == '<p><img src="https://x.test/a.png" alt="pic"/></p>'
    assert block('<p lang="fr" title="t">Bonjour</p> <abbr title="HyperText">HTML</abbr>') == (
        "<p>Bonjour</p>\n<p><abbr>HTML</abbr></p>")


def test_text_arrives_as_written():
    text = "Don't \"quote\" & a < b café مرحبا 🙂 e\u0301"
    assert inline(text) == "Don't \"quote\" &amp; a &lt; b café مرحبا 🙂 e\u0301"


@pytest.mark.parametrize(("source", "expected"), [
    ("Hi <script>alert(1)</script>there", "<p>Hi there</p>"),
    ('<img src="https://x.test/a.png" onerror="alert(1)">', '<p><img src="https://x.test/a.png" alt=""/></p>'),
    ("[click](javascript:alert(1))", "<p>click</p>"),
    ("[click](data:text/html,hi)", "<p>click</p>"),
    ('<iframe src="https://evil.test"></iframe>Text', "<p>Text</p>"),
    ("<style>p{color:red}</style>Text", "<p>Text</p>"),
    ('<p style="width: expression(alert(1))">Text</p>', "<p>Text</p>"),
    ('<a href="https://ok.test" onclick="x()">ok</a>', '<p><a href="https://ok.test">ok</a></p>'),
    ("<div>loose <b>text</b></div>", "<p>loose <b>text</b></p>"),
])
def test_unsafe_markup_is_removed_without_debris(source, expected):
    assert block(source) == expected


def test_inline_mode_drops_block_tags():
    assert inline("<p>para</p> <ul><li>x</li></ul>") == "para x"


@pytest.mark.parametrize(("source", "message"), [
    ("![x](../secret.png)", "image '../secret.png' points outside the quiz folder; copy it in, or use an https:// URL"),
    ("![x](/etc/passwd)", "image '/etc/passwd' points outside the quiz folder; copy it in, or use an https:// URL"),
    ("[x](file:///etc/passwd)",
     "link 'file:///etc/passwd' points to a local file; use its path in the quiz folder, or an https:// URL"),
    # A link to the web beside it is no reason to look less closely.
    ("[ok](https://example.org) <a href=file:///etc/passwd>x</a>",
     "link 'file:///etc/passwd' points to a local file; use its path in the quiz folder, or an https:// URL"),
    ('<a href="https://example.org">ok</a> <img src="file:///c:/x.png">',
     "image 'file:///c:/x.png' points to a local file; use its path in the quiz folder, or an https:// URL"),
    ("![x](pic.bmp)", "image 'pic.bmp' is not a file lmspack carries (.gif, .jpeg, .jpg, .m4a, .mp3, .mp4, .ogg, "
                      ".png, .svg, .webm, .webp); convert it, or use an https:// URL"),
    ("![x](data:image/png;base64,AAAA)", "image 'data:image/png;base64,AAAA' is a data: URL, which lmspack does not "
                                         "carry; save it as a file in the quiz folder and write "
                                         "![what it shows](file.png)"),
    ("bell\x07", "control character U+0007 cannot be carried in XML; remove it"),
])
def test_refused_references(source, message):
    _, problems = markup.block(source)
    assert [p.message for p in refusals(problems)] == [message]


def test_plain_text():
    assert markup.plain_text(markup.block("A *b*\n\nc")[0]) == "A b c"


# Holes found in review (issue 7), one test per fix.

@pytest.mark.parametrize(("source", "expected"), [
    # A refused image URL leaves no <img> without src (invalid in QTI) and no alt-text debris.
    ("![a](javascript:alert(1))", ""),
    ('<img alt="no source">', ""),
    # Raw-text elements would show their content as literal markup.
    ("<xmp><script>alert(1)</script></xmp>Text", "<p>Text</p>"),
    ("<listing><b>x</b></listing>Text", "<p>Text</p>"),
    # HTML parsers end a CDATA section at the first '>', leaking the rest as text.
    ("<![CDATA[<script>alert(1)</script>]]>Text", "<p>Text</p>"),
    # Attribute values the formats' schemas type strictly are kept only when well-formed.
    ('<img src="https://x.test/a.png" width="expression(alert(1))" height=" 40 ">',
     '<p><img src="https://x.test/a.png" height="40" alt=""/></p>'),
    ('<ol start="3"><li>a</li></ol>', "<ol><li>a</li></ol>"),
    # An empty link goes nowhere: keep the words only.
    ("[words]()", "<p>words</p>"),
    # Whitespace left by a removed block is not the author's text.
    ("<style>p{color:red}</style>\nText", "<p>Text</p>"),
])
def test_review_fixes(source, expected):
    assert block(source) == expected


@pytest.mark.parametrize(("source", "message"), [
    # Checked on what the sanitiser kept: lxml and html5ever read <noscript> differently.
    ('<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
     "image 'x' is not a file lmspack carries (.gif, .jpeg, .jpg, .m4a, .mp3, .mp4, .ogg, .png, .svg, .webm, .webp); "
     "convert it, or use an https:// URL"),
    # Relative links point at the LMS's own pages once inside it.
    ("[x](relative/page)",
     "link 'relative/page' is a local file; only images, audio and video are carried: use an https:// URL"),
    ("[x](?delete=1)",
     "link '?delete=1' is a local file; only images, audio and video are carried: use an https:// URL"),
    ("[x](%2e%2e/secret)", "link '%2e%2e/secret' points outside the quiz folder; copy it in, or use an https:// URL"),
    ("![x](//evil.test/x.png)",
     "image '//evil.test/x.png' points outside the quiz folder; copy it in, or use an https:// URL"),
    ('<a href="&#x66;ile:///etc/passwd">f</a>',
     "link 'file:///etc/passwd' points to a local file; use its path in the quiz folder, or an https:// URL"),
    ("> " * 101 + "deep", "quotes nested more than 100 levels deep; flatten them"),
    ("<div>" * 101 + "deep", "HTML elements nested more than 100 levels deep; flatten them"),
    ("<div/>" * 101 + "deep", "HTML elements nested more than 100 levels deep; flatten them"),
])
def test_review_refusals(source, message):
    _, problems = markup.block(source)
    assert [p.message for p in refusals(problems)] == [message]


def test_fragment_links_stay():
    assert block("[see](#part)") == '<p><a href="#part">see</a></p>'


def test_nesting_within_the_limit_is_kept():
    assert block("> " * 100 + "deep").count("<blockquote>") == 100


def test_deep_nesting_is_refused_quickly():
    # Both parsers are quadratic in depth (a 1 MB file of '>' took hours); the guard answers at once.
    for source in ("> " * 400_000, "<div>" * 150_000, "<ul><li>" * 100_000):
        xhtml, problems = markup.block(source)
        assert xhtml == "" and len(problems) == 1


# Markdown and HTML that exercise every case the tree pass handles: headings (h1 is not allowed),
# rules, hard breaks, lists, quotes, code, links, images, entities, raw HTML, CR and NBSP.
_MARKDOWN_PIECES = st.sampled_from([
    "word", "*em*", "**strong**", "`code`", "# h1", "## h2", "---", "- item", "1. item", "> quote",
    "    indented code", "```\nfenced\n```", "line  \nbreak", "back\\\nslash", "[link](https://example.org)",
    "[local](notes.html)", "![img](https://example.org/a.png)", "<https://example.org>", "a & b < c",
    "&amp; &lt; &copy; &nbsp;", "\u00a0", "\r", "<b>raw</b>", "<p></p>", "<em></em>", "<br>", "<hr>",
    "<h1>x</h1>", "<div>loose</div>", "<script>x()</script>", "tail", "\n", "\n\n", " ", "  - nested",
    "* * *", "\t", "<p>", "</p>", "<li>", "x\n===", "y\n---", "<!-- c -->", "<![CDATA[x]]>", "\\*", "_u_",
    # Links the shortcut keeps as they are, and near misses it must leave to the tree.
    "[q](https://example.org/?a=1&b=2)", "[m](mailto:me@example.org)", "[s](http://example.org/a%20b)",
    '<a href="https://example.org/x">raw</a>', "<a href='https://example.org/\"q'>single</a>",
    "[u](https://exämple.org/ü)", "[e](<https://example.org/a b>)", '<a href="https://x.org/" title="t">t</a>',
    '<a href="HTTPS://X.ORG/">caps</a>', '<a href="javascript:x()">js</a>', "[r](/root)", "[f](#part)",
    # What the tree mends into QTI's content model (issue 15), and references XML cannot carry.
    "<blockquote>q</blockquote>", "<li>o</li>", "<dt>t</dt>", "<dd>d</dd>", "<ul>u</ul>", "<dl>l</dl>",
    "<pre><p>p</p></pre>", "<h2><p>h</p></h2>", "<ol><p>x</p></ol>", "<strong><blockquote>s</blockquote></strong>",
    '<a href="https://example.org/1">1<table><td><a href="https://example.org/2">n</a></td></table></a>',
    '<a href="https://example.org/a">a</a><a href="https://example.org/b">b</a>', "&#xC;", "&#xFFFE;", "&#1;",
    '<a href="&nbsp;javascript:x">nb</a>', '<a href="ht&#9;tps://example.org/">tab</a>', "<ul></ul>",
])
_MARKDOWN = st.lists(_MARKDOWN_PIECES, max_size=8).map("".join)


@settings(max_examples=800, deadline=None, derandomize=True)
@given(_MARKDOWN, st.booleans())
def test_shortcut_gives_what_the_tree_gives(source: str, as_blocks: bool) -> None:
    """markup._to_xhtml returns the sanitiser's output as it is when the tree pass would not change
    it; whenever it does, the tree pass must agree byte for byte."""
    render, tags = (markup._markdown_block, markup.BLOCK_TAGS) if as_blocks else \
        (markup._markdown_inline, markup.INLINE_TAGS)
    raw_html = markup._CDATA.sub("", render(source))
    _, sanitised = markup.without_unusable_characters(markup._sanitise(raw_html, tags))  # as _render does
    shortcut = markup._to_xhtml(sanitised, as_blocks, [], "<" not in source and "<h1>" not in raw_html)
    assert shortcut.strip() == markup._xhtml_from_tree(sanitised, as_blocks, [], "").strip()


# ---- issue 15: no exception for any text, references XML cannot carry, pasted HTML mended ------

@pytest.mark.parametrize(("render", "source", "expected", "message"), [
    # cmark wrote these two references as the bytes FE and FF: UnicodeDecodeError.
    (markup.block, "x&#xFFFE;y", "<p>xy</p>", "control character U+FFFE cannot be carried in XML; remove it"),
    (markup.inline, "x&#xFFFF;", "x", "control character U+FFFF cannot be carried in XML; remove it"),
    (markup.inline, "&#65534;", "", "control character U+FFFE cannot be carried in XML; remove it"),
    # Control characters by reference, beside a link or in an attribute: lxml raised.
    (markup.inline, "[]()&#xC;", "", "control character U+000C cannot be carried in XML; remove it"),
    (markup.inline, "&#7;[]()", "", "control character U+0007 cannot be carried in XML; remove it"),
    (markup.block, '<img src="https://e.example/a.png" alt="&#1;">',
     '<p><img src="https://e.example/a.png" alt=""/></p>',
     "control character U+0001 cannot be carried in XML; remove it"),
    # Not well-formed XML in QTI, Moodle and Canvas before.
    (markup.inline, '">&#xB;_', '"&gt;_', "control character U+000B cannot be carried in XML; remove it"),
    (markup.block, "<p>&#x1F;</p>", "", "control character U+001F cannot be carried in XML; remove it"),
])
def test_references_to_characters_xml_cannot_carry_are_refused(render, source, expected, message):
    xhtml, problems = render(source)
    assert (str(xhtml), [p.message for p in refusals(problems)]) == (expected, [message])


def test_a_reference_and_a_literal_character_give_one_message():
    _, problems = markup.block("bell\x07 and &#7;")
    assert [p.message for p in problems] == ["control character U+0007 cannot be carried in XML; remove it"]


@pytest.mark.parametrize("source", ["&#0;", "&#xD800;", "&#x110000;", "&#99999999999;", "&#x10FFFF;", "&#x85;"])
def test_references_to_characters_xml_carries_or_browsers_replace_are_kept(source):
    xhtml, problems = markup.block(f"a {source} b")
    assert problems == [] and str(xhtml).startswith("<p>a ")


def test_head_and_body_in_choice_text_are_plain_text():
    # lxml.html raised 'AssertionError: too many bodies' while looking for file: URLs.
    xhtml, problems = markup.inline('"><head/><av:><body>')
    assert (xhtml, refusals(problems)) == (Markup('"&gt;'), [])


@pytest.mark.parametrize(("source", "expected"), [
    ("<blockquote>quoted</blockquote>", "<blockquote><p>quoted</p></blockquote>"),
    ("<blockquote><p>a</p>b <em>c</em></blockquote>", "<blockquote><p>a</p>\n<p>b <em>c</em></p></blockquote>"),
    ("<li>x</li>", "<ul><li>x</li></ul>"),
    ("<li>x</li><li>y</li> <li>z</li>", "<ul><li>x</li><li>y</li> <li>z</li></ul>"),
    ("<dt>x</dt><dd>y</dd>", "<dl><dt>x</dt><dd>y</dd></dl>"),
    ("<ul>text</ul>", "<ul><li>text</li></ul>"),
    ("<ul><li>a</li>b</ul>", "<ul><li>a</li><li>b</li></ul>"),
    ("<dl>t</dl>", "<dl><dd>t</dd></dl>"),
    ("<ol><p>x</p></ol>", "<ol><li><p>x</p></li></ol>"),
    ("<ul> </ul>after", "<p>after</p>"),
    # A no-break space is text to XML Schema, though str.strip() removes it (found by the fuzzer).
    ("<blockquote>&nbsp; </blockquote>", "<blockquote></blockquote>"),
    ("<ul>&nbsp;<li>a</li></ul>", "<ul><li>a</li></ul>"),
    ("<ul><script>x</script></ul>", ""),
    ("<pre><p>x</p></pre>", "<pre>x</pre>"),
    ("<pre>a<p>b</p>c</pre>", "<pre>a\nb\nc</pre>"),
    ('<pre>x<img src="https://e.example/a.png"><sub>2</sub><q>q</q></pre>', "<pre>x2q</pre>"),
    ("<h2><p>x</p></h2>", "<h2>x</h2>"),
    ("<h2>a<p>b</p></h2>", "<h2>a b</h2>"),
    ("<h3><ul><li>a</li><li>b</li></ul></h3>", "<h3>a b</h3>"),
    ("<strong><blockquote>x</blockquote></strong>",
     "<p><strong></strong></p>\n<blockquote><p><strong>x</strong></p></blockquote>"),
    # The HTML parser splits the emphasis around the blocks itself (nothing for the mending to do).
    ("<em><div><p>a</p><p>b</p></div></em>", "<p><em></em></p>\n<p><em>a</em></p>\n<p><em>b</em></p>"),
    ("<div><b>x<p>y</p>z</b></div>", "<p><b>x y z</b></p>"),
    ("<blockquote><li>x</li></blockquote>", "<blockquote><ul><li>x</li></ul>\n</blockquote>"),
    ("<ul><li>a<dt>t</dt></li></ul>", "<ul><li>a<dl><dt>t</dt></dl></li></ul>"),
])
def test_pasted_html_is_mended_into_what_qti_allows(source, expected):
    assert block(source) == expected


@pytest.mark.parametrize(("render", "source", "expected"), [
    # '<a href="..."/>' would be an opening tag to the HTML parsers of the LMSs and the player,
    # linking all that follows; the same for any element but br, hr and img.
    (markup.block, "[](https://e.example) after", '<p><a href="https://e.example"></a> after</p>'),
    (markup.inline, "<em></em>x<img src='https://e.example/a.png'><br>",
     '<em></em>x<img src="https://e.example/a.png" alt=""/><br/>'),
])
def test_empty_elements_are_not_self_closed(render, source, expected):
    xhtml, problems = render(source)
    assert (xhtml, refusals(problems)) == (Markup(expected), [])


def test_mending_a_long_flat_text_is_linear():
    # Unwrapping element by element (and lxml's len() and indexing, which count children) took
    # minutes on these; the file limit (1 MB) allows them.
    for source, start in [("<h2>" + "<p>x</p>" * 100_000, "<h2>x x x"), ("x<br>" * 150_000, "<p>x<br/>x"),
                          ("<div>" + "x<em>y</em>" * 80_000, "<p>x<em>y</em>x"),
                          ("<dl>" + "x<p>y</p>" * 80_000, "<dl><dd>x<p>y</p>x")]:
        xhtml, problems = markup.block(source)
        assert refusals(problems) == [] and str(xhtml).startswith(start)


def test_nested_links_in_choice_text_are_unwrapped():
    assert inline('<a href="https://e.example/1">1<table><td><a href="https://e.example/2">2</a></td></table></a>') \
        == '<a href="https://e.example/1">12</a>'


@pytest.mark.parametrize(("source", "message"), [
    # U+00A0 is no space to a browser's URL parser: this is a relative URL, refused as such.
    ('<a href="&nbsp;javascript:alert(1)">x</a>',
     "link '\\xa0javascript:alert(1)' is a local file; only images, audio and video are carried: use an https:// URL"),
    ("[x](&nbsp;javascript:alert(1))",
     "link '%C2%A0javascript:alert(1)' is a local file; only images, audio and video are carried: use an https:// URL"),
    ('<a href="\u3000https://e.example">x</a>',
     "link '\\u3000https://e.example' is a local file; only images, audio and video are carried: use an https:// URL"),
    ('<img src="#x">', "image '#x' is not a file lmspack carries (.gif, .jpeg, .jpg, .m4a, .mp3, .mp4, .ogg, .png, "
                       ".svg, "
                        ".webm, .webp); convert it, or use an https:// URL"),
    ('<a href="C:\\x">x</a>',
     "link 'C:\\\\x' points to a local file; use its path in the quiz folder, or an https:// URL"),
    # No host is parsed from a URL that is refused for its start: '[x' is no valid IPv6 host.
    ('<a href="//[x">x</a>', "link '//[x' points outside the quiz folder; copy it in, or use an https:// URL"),
])
def test_urls_are_judged_as_a_browser_reads_them(source, message):
    xhtml, problems = markup.block(source)
    assert [p.message for p in problems] == [message]
    assert "href" not in str(xhtml) and "src" not in str(xhtml)


@pytest.mark.parametrize(("source", "expected"), [
    # What a browser strips (C0 and space at the ends, tab/LF/CR inside) and nothing more.
    ('<a href=" \x01https://e.example/a \n">x</a>', '<p><a href="https://e.example/a">x</a></p>'),
    ('<a href="ht&#9;tps://e.example/">x</a>', '<p><a href="https://e.example/">x</a></p>'),
    ('<a href="HTTPS://E.EXAMPLE/">x</a>', '<p><a href="HTTPS://E.EXAMPLE/">x</a></p>'),
    ('<a href="  #part">x</a>', '<p><a href="#part">x</a></p>'),
    # Schemes the rule refuses go without a message, keeping the words.
    ('<a href="java&#9;script:alert(1)">x</a>', "<p>x</p>"),
    ('<a href=" JaVaScRiPt:alert(1)">x</a>', "<p>x</p>"),
])
def test_urls_kept_are_written_as_a_browser_reads_them(source, expected):
    assert block(source.replace("\x01", "")) == expected


@pytest.mark.parametrize(("url", "attribute", "allowed"), [
    ("https://e.example", "href", True), ("HTTP://e.example", "src", True), ("mailto:a@e.example", "href", True),
    ("#part", "href", True), ("#part", "src", False), ("\x00 https://e.example\x1f ", "href", True),
    ("ht\ttp://e.example", "href", True), ("\xa0https://e.example", "href", False),
    ("\xa0javascript:x", "href", False), ("javascript:x", "href", False), ("data:,x", "src", False),
    ("relative", "href", False), ("//e.example", "href", False), ("", "href", False), ("file:///x", "href", False),
    ("java\x01script:x", "href", False), ("\u2028#x", "href", False),
])
def test_url_rule(url, attribute, allowed):
    assert markup.url_allowed(url, attribute) is allowed


# The player applies the same rule to what it inserts (templates/scorm/player.js, allowedUrl).
PLAYER = Path(__file__).resolve().parent.parent / "templates" / "scorm" / "player.js"


def test_player_url_rule_is_the_build_rule():
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is missing (CI is set, so the player tests must run)")
        pytest.skip("node is not installed")
    generator = random.Random(15)
    pieces = ["https:", "http:", "mailto:", "javascript:", "JaVaScRiPt:", "data:", "file:", "c:", "//", "#", "?",
              "a", "/", "\\", ":", " ", "\t", "\n", "\r", "\x00", "\x01", "\x1f", "\x7f", "\xa0", "\u3000",
              "\u2028", "\ufeff", ".", "+", "-", "1", "é"]
    urls = ["".join(generator.choice(pieces) for _ in range(generator.randint(0, 6))) for _ in range(2000)]
    cases = [[url, attribute] for url in urls for attribute in ("href", "src")]
    program = (f"const player = require({json.dumps(str(PLAYER))});\n"
               "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
               "process.stdout.write(JSON.stringify(cases.map(function (c) {"
               f" return player.allowedUrl(c[0], c[1], {json.dumps(sorted(markup.URL_SCHEMES))}); }})));\n")
    done = subprocess.run([node, "-e", program], input=json.dumps(cases), capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    expected = [markup.url_allowed(url, attribute) for url, attribute in cases]
    assert json.loads(done.stdout) == expected
    assert 100 < sum(expected) < len(expected) - 100  # both answers are exercised


# Every fragment, whatever the text, fits QTI's content model where it goes: checked against the
# project's QTI schema (its global div and span: flow and inline content), blocks alone at the top.
_QTI = "http://www.imsglobal.org/xsd/imsqti_v2p1"
_SCHEMA = Path(markup.__file__).resolve().parent / "schemas" / "qti21" / "imsqti_v2p1.xsd"


@functools.cache
def _qti_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(_SCHEMA), parser))


def assert_fits_qti(xhtml: str, as_blocks: bool) -> None:
    holder = etree.fromstring(f"<{'div' if as_blocks else 'span'}>{xhtml}</{'div' if as_blocks else 'span'}>")
    for element in holder.iter():
        element.tag = f"{{{_QTI}}}{element.tag}"
    schema = _qti_schema()
    assert schema.validate(holder), (xhtml, schema.error_log)
    if as_blocks:
        assert not (holder.text or "").strip() and not any((e.tail or "").strip() for e in holder), xhtml
        assert all(etree.QName(e).localname in markup._BLOCKS for e in holder), xhtml


_SOUP = st.lists(st.sampled_from([
    "<p>", "</p>", "<div>", "</div>", "<blockquote>", "</blockquote>", "<ul>", "</ul>", "<ol>", "</ol>", "<li>",
    "</li>", "<dl>", "</dl>", "<dt>", "</dt>", "<dd>", "</dd>", "<pre>", "</pre>", "<h2>", "</h2>", "<h1>",
    "<em>", "</em>", "<strong>", "</strong>", "<a href='https://e.example'>", "<a href='#p'>", "<a>", "</a>",
    "<img src='https://e.example/i.png'>", "<img src=x.png>", "<sub>", "</sub>", "<q>", "</q>", "<br>",
    "<hr>", "<table>", "<td>", "</td>", "</table>", "<span>", "</span>", "<code>", "</code>", "<script>",
    "</script>", "<head/>", "<body>", "<av:>", "&#1;", "&#xB;", "&#xFFFE;", "&#xFFFF;", "&#0;", "&#xD800;",
    "&#x10FFFF;", "&nbsp;", "&amp;", "&#99999999;", "x", " ", "\n", "\n\n", "> ", "- ", "1. ", "# ", "## ",
    "*", "`", "```\n", "    ", "[l](https://e.example)", "![i](https://e.example/i.png)", "[r](rel)",
    "<https://e.example>", "\x0c", "\ufffe", "\ud800", "\r", "é", "🙂",
]), max_size=14).map("".join)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(_SOUP, st.booleans())
def test_any_text_gives_a_fragment_that_fits_qti_or_problems(source: str, as_blocks: bool) -> None:
    """Never an exception; what comes out fits the schema where it goes, problems or not."""
    xhtml, problems = (markup.block if as_blocks else markup.inline)(source)
    assert all(isinstance(p, markup.TextProblem) for p in problems)
    assert_fits_qti(str(xhtml), as_blocks)
