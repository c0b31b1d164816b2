"""Suppression key rotation: the new key wraps the old hash, so the stored list moves to
the new key without the raw ids (which are not kept)."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from redactors.errors import MissingKeyError
from redactors.suppression import SubjectHasher

OLD, NEW, OTHER = b"o" * 32, b"n" * 32, b"x" * 32


def line(kid: str, key: bytes) -> str:
    return f"{kid}:{base64.b64encode(key).decode()}"


def test_one_key_hashes_as_before_rotation_existed() -> None:
    expected = "s1:" + hmac.new(OLD, b"alice", hashlib.sha256).hexdigest()
    assert SubjectHasher.parse(line("s1", OLD), "test")("alice") == expected


def test_rekeyed_entries_match_the_rotated_hasher() -> None:
    before = SubjectHasher.parse(line("s1", OLD), "test")
    after = SubjectHasher.parse(f"{line('s2', NEW)}\n{line('s1', OLD)}", "test")
    stored = [before(s) for s in ("alice", "bob", "ünïcode")]
    assert [after.rekey(h) for h in stored] == [after(s) for s in ("alice", "bob", "ünïcode")]
    assert after("alice").startswith("s2:")
    assert after.history("alice") == [before("alice"), after("alice")]
    assert after.rekey(after("alice")) == after("alice")  # a repeated run changes nothing
    # the same chain written with a comma, as in $LOGWARDEN_SUPPRESSION_KEY
    assert SubjectHasher.parse(f"{line('s2', NEW)},{line('s1', OLD)}", "t")("a") == after("a")


def test_new_key_alone_does_not_match_and_three_keys_chain() -> None:
    stored = SubjectHasher.parse(line("s1", OLD), "t")("alice")
    assert SubjectHasher.parse(line("s2", NEW), "t")("alice") != stored
    two = SubjectHasher.parse(f"{line('s2', NEW)}\n{line('s1', OLD)}", "t")
    three = SubjectHasher.parse(f"{line('s3', OTHER)}\n{line('s2', NEW)}\n{line('s1', OLD)}",
                                "t")
    assert three.rekey(two.rekey(stored)) == three("alice")
    assert len(three.history("alice")) == 3


@pytest.mark.parametrize(("text", "problem"), [
    (f"{line('s1', NEW)}\n{line('s1', OLD)}", "appears twice"),
    (f"{line('s2', NEW)}\ns1:not base64!", "not valid base64"),
    (f"{line('s2', NEW)}\n{line('s1', b'short')}", "at least 32 bytes"),
])
def test_bad_key_files_are_refused_without_the_key(text: str, problem: str) -> None:
    with pytest.raises(MissingKeyError, match=problem) as caught:
        SubjectHasher.parse(text, "/etc/logwarden/suppression-key")
    assert "/etc/logwarden/suppression-key" in str(caught.value)
    assert base64.b64encode(NEW).decode() not in str(caught.value)


def test_rekey_refuses_an_entry_of_an_unknown_key_without_showing_it() -> None:
    after = SubjectHasher.parse(f"{line('s2', NEW)}\n{line('s1', OLD)}", "t")
    stray = SubjectHasher.parse(line("s0", OTHER), "t")("alice")
    with pytest.raises(MissingKeyError) as caught:
        after.rekey(stray)
    assert stray.split(":")[1] not in str(caught.value)
    assert "OOOO" not in repr(after)
    assert "key_ids=['s2', 's1']" in repr(after)
