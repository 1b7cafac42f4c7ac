"""Texts of imported files as canonical text (builder/importing/html_cleaning.py): whatever fragment the
loader makes, the text written for it reads back into exactly that fragment; another tool's HTML is
kept where the loader keeps it, and what is not is named."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import TEXT

from builder import markup
from builder.importing import html_cleaning as cleaning

# Markdown and HTML an author writes over several lines, beside the generated one-line texts.
_BLOCKS = st.sampled_from([
    "\n\n", "\n", "  ", "- a\n- b\n", "1. x\n", "| a | b |\n|:--|--:|\n| 1 | 2 |\n", "> quote", "## head",
    "\n\n<table><tr><td style='text-align:right'>1</td></tr></table>\n\n", "a\\\nb", "***", "![a](media/x%20y.png)",
    "![s](a.mp3)", "$$\\frac{a}{b}$$", "&amp;", "&nbsp;", "\u00a0", "\u2003", "\t", "<br>", "x_y_z", "*a* _b_ **c**",
    "`a`", "<span>s</span>", "1.5", "-1", "b\n---", "a\n=== b", "[[name]]", "\\$5", "\n\n<pre>\n\nx\ny</pre>\n\n"])
SOURCES = st.one_of(TEXT, st.lists(st.one_of(TEXT, _BLOCKS), max_size=6).map("".join))
PROPERTY = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@PROPERTY
@given(SOURCES, st.booleans())
def test_every_fragment_is_written_back_exactly(source: str, inline: bool) -> None:
    """The proof asked for: for any text the loader reads into a fragment, source_of gives canonical
    text that the loader reads back into that very fragment (and so builds the same bytes). Not here:
    what the loader itself mends with a warning into blocks with no line between them (a <pre> or
    <table> pasted in mid-paragraph, a '#' heading kept as a paragraph before another block), which
    no text gives back; raw HTML blocks start on a line of their own, and there is no '#' heading."""
    fragment, problems = (markup.inline if inline else markup.block)(source, "")
    if any(problem.warning is None for problem in problems):
        return  # a text the loader refuses makes no fragment to write back
    written = cleaning.source_of(str(fragment), inline)
    assert written is not None, (source, str(fragment))
    assert str(cleaning.fragment_of(written, inline)) == str(fragment)


@pytest.mark.parametrize(("fragment", "inline", "expected"), [
    ("<p>Plain words, a <em>stress</em> and <code>code</code>.</p>", False,
     "Plain words, a *stress* and `code`."),
    ("<p>Two</p>\n<p>paragraphs * _ [x] $5</p>", False, "Two\n\nparagraphs \\* \\_ \\[x\\] \\$5"),
    ('<img src="media/media/fridge%20shelf.jpg" alt="a shelf"/> 3 °C', True,
     "![a shelf](<media/fridge shelf.jpg>) 3 °C"),
    ("1. not a list", True, "1\\. not a list"),
    ("<p>6.9 is a number</p>", False, "6.9 is a number"),
])
def test_simple_texts_are_written_as_markdown(fragment: str, inline: bool, expected: str) -> None:
    assert cleaning.source_of(fragment, inline) == expected
    assert str(cleaning.fragment_of(expected, inline)) == fragment


def test_a_fragment_markdown_cannot_say_is_written_as_html_that_reads_back() -> None:
    fragment = '<table><tbody><tr><td align="right">$5 `x`</td></tr></tbody></table>'
    written = cleaning.source_of(fragment, inline=False)
    assert written == '<table><tbody><tr><td align="right">&#36;5 &#96;x&#96;</td></tr></tbody></table>'
    assert str(cleaning.fragment_of(written, inline=False)) == fragment


def test_a_blank_line_in_preformatted_text_does_not_end_the_html() -> None:
    fragment = "<p>x</p>\n<pre>a\n\n\nb</pre>\n<p>y</p>"
    written = cleaning.source_of(fragment, inline=False)
    assert written is not None and "\n\n" not in written
    assert str(cleaning.fragment_of(written, inline=False)) == fragment


def _no_files(url: str) -> tuple[str | None, str | None]:
    return None, None


def test_other_tools_html_is_kept_as_the_loader_keeps_it_and_the_rest_named() -> None:
    text = cleaning.read_html('<div><p dir="ltr" style="color: red">Pick <font>one</font> \\(x^2\\)'
                           '<script>alert(1)</script></p><img src="/local.png"></div>', False, _no_files)
    assert text.source == "Pick one $x^2$"
    assert text.left_out == ["the <div> element (its text kept)", "the <font> element (its text kept)",
                             "the <script> element and its content",
                             "the image '/local.png', which is not a file of the source nor an https: address"]
    assert text.problems == []


def test_a_formula_the_converter_cannot_read_stays_as_written() -> None:
    text = cleaning.read_html("<p>See \\(\\foo{x}\\) and \\[y\\]</p>", False, _no_files)
    assert str(cleaning.fragment_of(text.source, False)).startswith("<p>See \\(\\foo{x}\\) and <math")
    assert text.left_out == ["the formula '\\\\(\\\\foo{x}\\\\)', which lmspack's TeX converter cannot read "
                             "(kept as written)"]


def test_inline_text_loses_an_editors_paragraphs_but_keeps_their_break() -> None:
    text = cleaning.read_html("<p>first</p><p>second</p>", True, _no_files)
    assert str(cleaning.fragment_of(text.source, True)) == "first<br/>second"
    assert text.left_out == []


def test_files_are_named_by_their_path_in_the_quiz_folder() -> None:
    def files(url: str) -> tuple[str | None, str | None]:
        return ("media/a b.png", None) if url == "pic" else (None, "the file 'x.bmp': not carried")

    text = cleaning.read_html('<p><img src="pic"> <img src="x.bmp" alt="old"></p>', False, files)
    assert text.source == "![a b](<media/a b.png>) old"
    assert text.left_out == ["the image media/a b.png had no alt text; its file name stands for it (describe what "
                             "it shows)", "the file 'x.bmp': not carried"]


_TAGS = ["p", "div", "span", "b", "em", "table", "tr", "td", "ul", "li", "img", "a", "br", "h1", "h2", "pre", "code",
         "font", "script", "audio", "math", "annotation", "sup", "blockquote", "object", "iframe", "center", "u"]
_ATTRIBUTES = ["", ' src="x.png"', ' src="@@PLUGINFILE@@/a b.png"', ' alt="a"', ' href="https://example.org"',
               ' href="javascript:x()"', ' style="text-align:right"', ' data-equation-content="x^2"',
               ' src="data:image/png;base64,AAAA"', ' encoding="application/x-tex"']
_PIECES = st.one_of(
    st.sampled_from(["\\(x^2\\)", "\\[\\frac{a}{b}\\]", "$$y$$", "\\(\\foo\\)", "$5", "&amp;", "&nbsp;", "&lt;", "\n",
                     "\n\n", "  ", "*", "_", "`", "~~~", "# h", "1. x", "\\", "<A", "<!-- c -->"]),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=6),
    st.builds(lambda tag, attribute: f"<{tag}{attribute}>", st.sampled_from(_TAGS), st.sampled_from(_ATTRIBUTES)),
    st.builds(lambda tag: f"</{tag}>", st.sampled_from(_TAGS)))


def _one_file(url: str) -> tuple[str | None, str | None]:
    return ("media/a b.png", None) if "PLUGINFILE" in url else (None, None)


@PROPERTY
@given(st.lists(_PIECES, max_size=15).map("".join), st.booleans())
def test_any_html_of_another_tool_is_imported_as_text_that_loads_as_it_is(source: str, inline: bool) -> None:
    """Whatever HTML a source holds (tag soup included), the import writes text the loader takes
    without removing or refusing anything (what it could not carry is named instead), or names
    the problem that makes it unusable."""
    text = cleaning.read_html(source, inline, _one_file)
    if text.problems:
        return
    _, problems = (markup.inline if inline else markup.block)(text.source, "")
    assert problems == [], (source, text.source)
