"""The engine's JSON codec: round trip, repeated keys, message text."""

from __future__ import annotations

import pytest

from redactors import codec


def test_round_trip_is_compact_utf8() -> None:
    assert codec.dumps({"b": [1, "é"], 2: None}) == '{"b":[1,"é"],"2":null}'.encode()
    assert codec.loads(codec.dumps({"a": {"b": 1}})) == {"a": {"b": 1}}


@pytest.mark.parametrize("data", [b'{"a":1', b"\xff", "[1,]"])
def test_invalid_json_raises_decode_error(data: bytes | str) -> None:
    with pytest.raises(codec.DecodeError):
        codec.loads(data)


@pytest.mark.parametrize(("data", "repeats"), [
    (b'{"a":1,"b":2}', False),
    (b'{"a":{"a":1},"b":[{"a":1},{"a":2}]}', False),
    (b'{"a":1,"a":2}', True),
    (b'{"x":{"a":1,"a":1}}', True),
    (b'[{"k":1,"k":2}]', True),
    (b'{"a":NaN', True),  # stdlib json rejects it: suspect
])
def test_repeats_a_key(data: bytes, repeats: bool) -> None:
    assert codec.repeats_a_key(data) is repeats


def test_show_escapes_for_messages() -> None:
    assert codec.show("user.näme") == '"user.n\\u00e4me"'
    assert codec.show(["a", 1]) == '["a", 1]'
