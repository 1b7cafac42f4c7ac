"""Markdown to sanitised XHTML: what authors write, what reaches every package."""

from __future__ import annotations

import pytest

from builder import markup


def block(source: str) -> str:
    xhtml, problems = markup.block(source)
    assert problems == []
    return str(xhtml)


def inline(source: str) -> str:
    xhtml, problems = markup.inline(source)
    assert problems == []
    return str(xhtml)


def test_markdown_block_elements():
    assert block("Some *emphasis* and **strong**.\n\n- one\n- two\n") == (
        "<p>Some <em>emphasis</em> and <strong>strong</strong>.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>")


def test_links_keep_only_safe_attributes():
    assert block('[site](https://example.org "Title")') == '<p><a href="https://example.org" title="Title">site</a></p>'


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
    ("![x](../secret.png)", "image '../secret.png' points outside the project; use an https:// URL"),
    ("![x](/etc/passwd)", "image '/etc/passwd' points outside the project; use an https:// URL"),
    ("[x](file:///etc/passwd)", "link 'file:///etc/passwd' points to a local file; use an https:// URL"),
    ("![x](pic.png)", "image 'pic.png' is a local file, which packages cannot carry yet; use an https:// URL"),
    ("bell\x07", "control character U+0007 cannot be carried in XML; remove it"),
])
def test_refused_references(source, message):
    _, problems = markup.block(source)
    assert [p.message for p in problems] == [message]


def test_plain_text():
    assert markup.plain_text(markup.block("A *b*\n\nc")[0]) == "A b c"
