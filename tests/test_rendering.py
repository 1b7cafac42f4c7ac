"""The one Jinja environment: how templates write values out."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup, escape

from builder import cache, rendering
from builder.rendering import escape_for_output


# escape_for_output, the escape templates write values out with: markupsafe.escape's text,
# without the Markup around it.
@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.none(), st.text().map(Markup)))
def test_output_escape_gives_what_markupsafe_gives(value):
    assert escape_for_output(value) == str(escape(value))
    assert type(escape_for_output(value)) is str or hasattr(value, "__html__")


@given(st.text())
def test_output_escape_in_python_gives_what_markupsafe_gives(text):
    """The escape used where markupsafe has no escape of a str to a str of its own."""
    assert rendering._escape_in_python(text) == str(escape(text))


def test_every_template_writes_values_out_with_the_output_escape(tmp_path):
    env = rendering.environment()
    for kept in (None, tmp_path, tmp_path):  # compiled here, then compiled and kept, then read back
        with rendering.compiled_templates_kept(kept):
            env.cache.clear()
            for name in env.list_templates():
                assert env.get_template(name).root_render_func.__globals__["escape"] is escape_for_output
    assert list((tmp_path / cache.CACHE_DIR / "templates").iterdir())
