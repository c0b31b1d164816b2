"""Rights requests are validated against their schema; errors name the field, not the value."""

from __future__ import annotations

import pytest

from redactors import codec
from schemas.rights import (
    Receipt,
    ReceiptStatus,
    RequestTrigger,
    RequestType,
    RightsRequestError,
    parse_request,
    receipt_problems,
)

GOOD = {"request_id": "r-1", "type": "erase", "subject_id": "alice@example.com",
        "requested_at": "2026-11-25T12:00:00Z"}


@pytest.mark.parametrize("request_doc", [
    GOOD,
    {**GOOD, "type": "access"},
    {**GOOD, "type": "correct", "changes": {"profiling": False}},
    {**GOOD, "type": "correct", "changes": {"birth_year": None}},
    {**GOOD, "trigger": "child"},
])
def test_valid_requests_parse(request_doc):
    parsed = parse_request(codec.dumps(request_doc))
    assert parsed.to_dict() == {"trigger": "request", **request_doc}


@pytest.mark.parametrize(("request_doc", "path"), [
    ({k: v for k, v in GOOD.items() if k != "subject_id"}, "$"),
    ({**GOOD, "type": "delete"}, "$.type"),
    ({**GOOD, "subject_id": ""}, "$.subject_id"),
    ({**GOOD, "request_id": "has spaces and alice@example.com"}, "$.request_id"),
    ({**GOOD, "changes": {"profiling": False}}, "$"),
    ({**GOOD, "type": "correct"}, "$"),
    ({**GOOD, "type": "correct", "changes": {}}, "$.changes"),
    ({**GOOD, "type": "correct", "changes": {"email": "bob@example.com"}}, "$.changes"),
    ({**GOOD, "type": "correct", "changes": {"marketing": "no"}}, "$.changes.marketing"),
    ({**GOOD, "requested_at": "yesterday"}, "$.requested_at"),
    ({**GOOD, "requested_at": "2026-11-25T12:00:00"}, "$.requested_at"),
])
def test_invalid_requests_name_the_path_never_the_value(request_doc, path):
    with pytest.raises(RightsRequestError) as caught:
        parse_request(codec.dumps(request_doc))
    assert caught.value.path == path
    for secret in ("alice@example.com", "bob@example.com", "yesterday", "delete", "no"):
        assert f"'{secret}'" not in str(caught.value)
        assert f'"{secret}"' not in str(caught.value)


def test_not_json():
    with pytest.raises(RightsRequestError, match="not valid JSON"):
        parse_request(b"{nope")


def test_receipt_matches_its_schema():
    receipt = Receipt(
        request_id="r-1", type=RequestType.CORRECT, subject="s1:" + "a" * 64,
        status=ReceiptStatus.COMPLETED, trigger=RequestTrigger.REQUEST,
        received_at="2026-11-25T12:00:00Z", completed_at="2026-11-25T12:00:01Z",
        details={"changed": [{"field": "profiling", "old": True, "new": False},
                             {"field": "birth_year"}]},
    )
    assert receipt_problems(receipt.to_dict()) == []
    assert receipt_problems({**receipt.to_dict(), "subject": "alice"})[0][0] == "$.subject"
