"""Key rotation on the real broker: pseudonym keys (a new current key id) and the
suppression key (`logwarden suppression rekey`), with events, erasure and export before
and after the rotation."""

from __future__ import annotations

import asyncio
import base64
import os
from pathlib import Path
from typing import Any

import orjson
import pytest

from redactors.suppression import SubjectHasher
from streams.rights.rekey import latest_entries
from streams.topics import SUPPRESSION_TABLE
from tests.integration.rights_kit import (
    cli,
    event,
    full_consent,
    names_for,
    read_outputs,
    send_events,
    set_consent,
    setup_topics,
    start_worker,
)

pytestmark = pytest.mark.kafka


def key(kid: str) -> str:
    return f"{kid}:{base64.b64encode(os.urandom(32)).decode()}"


def analytics_by_seq(outputs: dict[str, list[tuple[bytes | None, bytes]]]) -> dict[int, Any]:
    records = (orjson.loads(value) for _, value in outputs["analytics"])
    return {record["seq"]: record for record in records}


def all_seqs(outputs: dict[str, list[tuple[bytes | None, bytes]]]) -> set[int]:
    found = set()
    for route in ("analytics", "deadletter"):
        for _, value in outputs[route]:
            if value.startswith(b"{"):
                found.add(orjson.loads(value).get("seq"))
    return found


def rights(command: str, subject: str, bootstrap: str, prefix: str, env: dict[str, str],
           *args: str) -> Any:
    done = cli(command, subject, "--broker", f"kafka://{bootstrap}", "--topic-prefix", prefix,
               *args, env=env)
    assert done.returncode == 0, done.stderr
    return orjson.loads(done.stdout) if command != "export" else None


@pytest.mark.timeout(400)
def test_rotating_pseudonym_and_suppression_keys(kafka_bootstrap, topic_prefix,
                                                  worker_factory, tmp_path: Path):
    bootstrap, prefix = kafka_bootstrap, topic_prefix
    names = names_for(prefix)
    pseudonym_1, pseudonym_2 = key("k1"), key("k2")
    suppression_1, suppression_2 = key("s1"), key("s2")
    before = {"LOGWARDEN_PSEUDONYM_KEYS": pseudonym_1, "LOGWARDEN_SUPPRESSION_KEY": suppression_1}
    # README "Key rotation": the new key first, the one it replaces after it
    after = {"LOGWARDEN_PSEUDONYM_KEYS": f"{pseudonym_2},{pseudonym_1}",
             "LOGWARDEN_SUPPRESSION_KEY": f"{suppression_2},{suppression_1}"}
    setup_topics(bootstrap, prefix)
    set_consent(bootstrap, prefix, *(full_consent(s) for s in ("alice", "bob", "carol")))

    worker = start_worker(worker_factory, prefix, before)
    send_events(bootstrap, prefix, [event(s, base + i) for s, base in
                                    (("alice", 1000), ("bob", 2000), ("carol", 3000))
                                    for i in range(5)])
    first = analytics_by_seq(read_outputs(bootstrap, prefix, expect=30))
    assert {first[1000 + i]["user_id"] for i in range(5)} == {first[1000]["user_id"]}
    assert first[1000]["user_id"].startswith("p1:k1:")
    erased_before = rights("forget", "bob", bootstrap, prefix, before)
    assert erased_before["status"] == "completed"
    assert erased_before["subject"] == SubjectHasher.parse(suppression_1, "t")("bob")

    # The rotation: stop the workers, rewrite the suppression list, start with both keys.
    worker.stop()
    rekey = ("suppression", "rekey", "--broker", f"kafka://{bootstrap}", "--topic-prefix",
             prefix, "--app-id", names.app_id)
    done = cli(*rekey, env=after)
    assert done.returncode == 0, done.stderr
    assert "1 entries, 1 rewritten under key s2" in done.stdout
    again = cli(*rekey, env=after)  # repeatable: nothing left to move
    assert "1 entries, 0 rewritten" in again.stdout, again.stderr
    entries = asyncio.run(latest_entries(bootstrap, names.changelog(SUPPRESSION_TABLE)))
    assert [orjson.loads(k) for k in entries] == [SubjectHasher.parse(after[
        "LOGWARDEN_SUPPRESSION_KEY"], "t")("bob")]
    assert suppression_1.split(":")[1] not in done.stdout + done.stderr

    start_worker(worker_factory, prefix, after)
    send_events(bootstrap, prefix, [event(s, base + i) for s, base in
                                    (("alice", 1100), ("bob", 2100), ("carol", 3100))
                                    for i in range(5)])
    second = read_outputs(bootstrap, prefix, expect=50)
    records = analytics_by_seq(second)
    # A new current key id: new pseudonyms under k2, not joinable with the k1 ones.
    assert {records[1100 + i]["user_id"] for i in range(5)} == {records[1100]["user_id"]}
    assert records[1100]["user_id"].startswith("p1:k2:")
    assert records[1100]["user_id"] != first[1000]["user_id"]
    # Erased before the rotation, still dropped after it.
    assert not {s for s in all_seqs(second) if 2100 <= s < 2200}
    assert {3100 + i for i in range(5)} <= set(records)

    # Erasure after the rotation, under the new key.
    erased_after = rights("forget", "carol", bootstrap, prefix, after)
    assert erased_after["subject"] == SubjectHasher.parse(
        after["LOGWARDEN_SUPPRESSION_KEY"], "t")("carol")
    send_events(bootstrap, prefix, [event("carol", 3200 + i) for i in range(5)]
                + [event("alice", 1200 + i) for i in range(5)])
    third = read_outputs(bootstrap, prefix, expect=60)
    assert not {s for s in all_seqs(third) if 3200 <= s < 3300}
    assert {1200 + i for i in range(5)} <= set(analytics_by_seq(third))

    # Export across the rotation: every identifiable record of alice decrypts (data keys do
    # not rotate with these keys); bob's receipt from before the rotation is found.
    rights("export", "alice", bootstrap, prefix, after, "--app-id", names.app_id,
           "--out", str(tmp_path / "alice.json"))
    alice = orjson.loads((tmp_path / "alice.json").read_bytes())
    assert len(alice["identifiable_records"]) == 15
    assert alice["undecryptable_records"] == 0
    rights("export", "bob", bootstrap, prefix, after, "--app-id", names.app_id,
           "--out", str(tmp_path / "bob.json"))
    bob = orjson.loads((tmp_path / "bob.json").read_bytes())
    kinds = [(r["receipt"]["type"], r["receipt"]["subject"]) for r in bob["receipts"]]
    assert ("erase", erased_before["subject"]) in kinds
