"""Identity and account numbers named by the word before them: passport, driver's licence,
tax id, bank account and routing numbers. The shapes differ by country and issuer, so the
word is the evidence and the value only has to look like an identifier."""

from __future__ import annotations

import re

from redactors.detectors.base import Detector

__all__ = ["IDENTIFIER_DETECTORS"]

_DATE = re.compile(r"(?:19|20)\d\d-\d\d-\d\d|\d\d-\d\d-(?:19|20)\d\d")


def _identifier_ok(value: str, _before: str) -> bool:
    """Six digits or more, or four beside letters in a longer code (`ABPCJ4567R`), and not
    a date: `MIT`, `v2` and `2024` are no identifiers."""
    digits = [c for c in value if c.isdigit()]
    letters = sum(c.isalpha() for c in value)
    if len(set(digits)) < 2 or _DATE.fullmatch(value):
        return False
    return len(digits) >= 6 or (len(digits) >= 4 and letters >= 2 and len(value) >= 8)


# `number`, `no.`, `#` or `id` after the word; a bare `account` or `license` needs one of
# them or a colon (`ACC: HDFC45678901`).
_SUFFIX = r"(?:\s*(?:(?:number|num|no|id)\b\.?|#))"
_NAMED = (
    r"(?:passport|driver'?s?[\u2019']?s?\s+licen[cs]e|driving\s+licen[cs]e|national\s+id"
    r"|tax\s*id|tax\s+identification|tin|ein|itin|taxpayer\s+id|routing|aba|bank\s+account"
    r"|iban|medicare|medicaid|mrn|nhs|cpf|cnpj|dni|nie|nif|nino|national\s+insurance|sin"
    r"|social\s+insurance|bsn|steuer[\-\s]?id|idnr|steueridentifikationsnummer|insee|nir"
    r"|s[\u00e9e]curit[\u00e9e]\s+sociale|curp|rfc|rut|nric|pesel|personnummer|cnp|vin"
    r"|codice\s+fiscale|aadhaa?r)" + _SUFFIX + r"?"
    r"|(?:account|acct|acc|accnum|licen[cs]e|member|patient|voter|aadhaa?r|pan(?:\s+card)?)"
    r"(?:" + _SUFFIX + r"|(?=\s*[:=#]))"
)

IDENTIFIER_DETECTORS: tuple[Detector, ...] = (
    Detector(
        name="identifier_after_word",
        entity="ID_NUMBER",
        pattern=(
            r"(?i:(?<![\w\-])(?:" + _NAMED + r"))\s*[:=#]?\s*[\"']?"
            r"(?P<v>[A-Z0-9](?:[A-Z0-9]|[\-/ ](?=[A-Z0-9]{2})){5,24})(?![\w\-])"
        ),
        hint=(
            r"(?i)passport|licen[cs]e|national.id|tax.?id|tin|ein|routing|aba|acc"
            r"|iban|medicare|medicaid|mrn|nhs|member|patient|voter|aadhaa?r|pan|cpf|cnpj|dni"
            r"|nie|nif|nino|insurance|sin|bsn|steuer|idnr|insee|nir|curit|curp|rfc|rut|nric"
            r"|pesel|personnummer|cnp|vin|fiscale"
        ),
        group="v",
        score=0.8,
        trim_groups=3,
        validate=_identifier_ok,
    ),
)
