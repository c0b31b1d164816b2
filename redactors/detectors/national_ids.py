"""National identifiers whose shape and check digits are evidence enough without a word
before them: Brazil's CPF as written (`529.982.247-25`), Italy's codice fiscale, Spain's
DNI and NIE, India's PAN and Aadhaar (grouped), the UK's National Insurance number.
The check digits come from python-stdnum (`stdnum.*.is_valid`); a number that fails them
is left to the detectors that need a word before it (identifiers.py)."""

from __future__ import annotations

import re
from collections.abc import Callable

from stdnum.br import cpf
from stdnum.es import dni, nie
from stdnum.in_ import aadhaar, pan
from stdnum.it import codicefiscale

from redactors.detectors.base import Detector

__all__ = ["NATIONAL_ID_DETECTORS"]

# UK NINO: two prefix letters (not D, F, I, Q, U, V; the second not O; not BG, GB, KN, NK,
# NT, TN, ZZ), six digits, a suffix A-D. HMRC publishes no check digit.
_NINO_PREFIX = re.compile(r"(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]")


def _checked(is_valid: Callable[[str], bool]) -> Callable[[str, str], bool]:
    def validate(value: str, _before: str) -> bool:
        try:
            return bool(is_valid(value))
        except Exception:  # stdnum raises only its own errors; any other means "no"
            return False

    return validate


def _nino_ok(value: str, _before: str) -> bool:
    return _NINO_PREFIX.match(value.replace(" ", "")) is not None


def _dni_or_nie(value: str) -> bool:
    return bool(dni.is_valid(value) or nie.is_valid(value))


NATIONAL_ID_DETECTORS: tuple[Detector, ...] = (
    Detector(
        name="cpf_written",
        entity="ID_NUMBER",
        pattern=r"(?<![\w.\-])\d{3}\.\d{3}\.\d{3}-\d{2}(?![\w\-]|\.\d)",
        hint=r"\d{3}\.\d{3}\.\d{3}-\d{2}",
        score=0.85,
        validate=_checked(cpf.is_valid),
    ),
    Detector(
        name="codice_fiscale",
        entity="ID_NUMBER",
        pattern=r"(?<![\w])[A-Z]{6}\d{2}[A-EHLMPR-T]\d{2}[A-Z]\d{3}[A-Z](?![\w])",
        hint=r"[A-Z]{6}\d\d[A-Z]\d\d[A-Z]\d{3}[A-Z]",
        score=0.85,
        validate=_checked(codicefiscale.is_valid),
    ),
    Detector(
        name="dni_nie",
        entity="ID_NUMBER",
        pattern=r"(?<![\w\-])(?:\d{8}|[XYZ]-?\d{7})-?[A-HJ-NP-TV-Z](?![\w\-])",
        hint=r"\d{7}-?[A-Z]",
        score=0.75,
        validate=_checked(_dni_or_nie),
    ),
    Detector(
        name="pan_india",
        entity="ID_NUMBER",
        pattern=r"(?<![\w])[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z](?![\w])",
        hint=r"[A-Z]{5}\d{4}[A-Z]",
        score=0.75,
        validate=_checked(pan.is_valid),
    ),
    Detector(
        name="aadhaar_grouped",
        entity="ID_NUMBER",
        pattern=r"(?<![\w\-])[2-9]\d{3}([ \-])\d{4}\1\d{4}(?![\w\-])",
        hint=r"\d{4}[ \-]\d{4}[ \-]\d{4}",
        score=0.75,
        validate=_checked(aadhaar.is_valid),
    ),
    Detector(
        name="nino",
        entity="ID_NUMBER",
        pattern=r"(?<![\w])[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w])",
        hint=r"[A-Z]{2} ?\d\d ?\d\d ?\d\d ?[A-D]",
        score=0.75,
        validate=_nino_ok,
    ),
)
