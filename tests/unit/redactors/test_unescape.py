"""unescape: decoded text and the way back to the original offsets."""

from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redactors.unescape import unescape


@pytest.mark.parametrize(
    ("text", "decoded"),
    [
        ("a%40b.com", "a@b.com"),
        ("a%2540b.com", "a@b.com"),  # escaped twice
        ("name=John+Smith", "name=John Smith"),
        ("x%2By", "x+y"),  # a decoded plus stays a plus
        ("caf%C3%A9", "café"),
        ("\\u0040 and &#64; and &#x40;", "@ and @ and @"),
        ("bad %ZZ and %C3 alone", "bad %ZZ and \ufffd alone"),
    ],
)
def test_decodes(text: str, decoded: str) -> None:
    result = unescape(text)
    assert result is not None
    assert result.text == decoded


@pytest.mark.parametrize("text", ["plain text", "100% sure", "C++ code", "a+1"])
def test_nothing_to_decode_is_none(text: str) -> None:
    assert unescape(text) is None


def test_spans_map_back_to_the_escaped_original() -> None:
    text = "GET /x?email=jo%2Edoe%40ex.com&n=1"
    result = unescape(text)
    assert result is not None
    start = result.text.index("jo.doe@ex.com")
    original = text[slice(*result.span(start, start + len("jo.doe@ex.com")))]
    assert original == "jo%2Edoe%40ex.com"


@given(st.text(max_size=40), st.text(max_size=40), st.text(min_size=1, max_size=20))
def test_escaped_value_maps_to_exactly_its_escaped_form(pre: str, post: str, value: str) -> None:
    escaped = urllib.parse.quote(value, safe="")
    text = f"{pre} {escaped} {post}"
    result = unescape(text)
    if result is None:
        return
    assert len(result.origin) == len(result.text) + 1
    assert all(a <= b for a, b in zip(result.origin, result.origin[1:], strict=False))
    assert result.origin[-1] == len(text)
