"""The suppression list keeps keyed hashes only, and answers membership by raw id."""

from __future__ import annotations

import base64
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redactors.errors import LogwardenError
from redactors.suppression import (
    SubjectHasher,
    SuppressionEntry,
    SuppressionList,
    SuppressionReason,
)

KEY = b"k" * 32


def entry(reason: SuppressionReason = SuppressionReason.ERASED) -> SuppressionEntry:
    return SuppressionEntry(reason=reason, since="2026-11-25T12:00:00Z", request_id="r-1")


def test_hash_is_keyed_stable_and_tagged_with_key_id():
    a, b = SubjectHasher(KEY, key_id="s1"), SubjectHasher(b"j" * 32, key_id="s1")
    assert a("user-1") == a("user-1")
    assert a("user-1") != b("user-1")
    assert re.fullmatch(r"s1:[0-9a-f]{64}", a("user-1"))


@pytest.mark.parametrize(("key", "key_id"), [
    (b"short", "s1"),
    (KEY, ""),
    (KEY, "has space"),
    (KEY, "x" * 33),
])
def test_hasher_rejects_weak_key_or_bad_key_id(key, key_id):
    with pytest.raises(LogwardenError):
        SubjectHasher(key, key_id=key_id)


@pytest.mark.parametrize(("env", "message"), [
    ({}, "no suppression key"),
    ({"LOGWARDEN_SUPPRESSION_KEY": "nokid"}, "kid:base64key"),
    ({"LOGWARDEN_SUPPRESSION_KEY": "s1:!!!"}, "base64"),
    ({"LOGWARDEN_SUPPRESSION_KEY_FILE": "/nonexistent/key"}, "cannot read"),
])
def test_missing_or_bad_key_is_a_clear_error(env, message):
    with pytest.raises(LogwardenError, match=message):
        SubjectHasher.from_env(env)


def test_key_from_env_and_file(tmp_path):
    line = "s2:" + base64.b64encode(KEY).decode()
    (tmp_path / "key").write_text(line + "\n")
    (tmp_path / "key").chmod(0o600)
    from_env = SubjectHasher.from_env({"LOGWARDEN_SUPPRESSION_KEY": line})
    from_file = SubjectHasher.from_env({"LOGWARDEN_SUPPRESSION_KEY_FILE": str(tmp_path / "key")})
    assert from_env("u") == from_file("u") == SubjectHasher(KEY, key_id="s2")("u")


def test_repr_masks_the_key():
    assert "kkkk" not in repr(SubjectHasher(KEY, key_id="s1"))


def test_suppress_then_lookup_by_raw_id():
    store: dict[str, dict[str, str]] = {}
    suppression = SuppressionList(SubjectHasher(KEY, key_id="s1"), store)
    assert not suppression.is_suppressed("user-1")
    assert suppression.suppress("user-1", entry())
    assert suppression.is_suppressed("user-1")
    assert not suppression.is_suppressed("user-2")
    assert suppression.entry("user-1") == entry()


def test_first_entry_wins():
    suppression = SuppressionList(SubjectHasher(KEY, key_id="s1"), {})
    suppression.suppress("u", entry(SuppressionReason.CHILD))
    assert not suppression.suppress("u", entry(SuppressionReason.ERASED))
    assert suppression.entry("u") == entry(SuppressionReason.CHILD)


@given(st.text(min_size=1, max_size=64))
def test_store_never_holds_the_raw_id(suffix):
    subject_id = f"subject-{suffix}"
    store: dict[str, dict[str, str]] = {}
    SuppressionList(SubjectHasher(KEY, key_id="s1"), store).suppress(subject_id, entry())
    assert all(re.fullmatch(r"s1:[0-9a-f]{64}", key) for key in store)
    assert all(subject_id not in value for entry_ in store.values() for value in entry_.values())
