"""Dates of birth in free text, named by the words before them: `dob=1985-04-12`,
`date of birth: 12/04/1985`, `born on 4 March 1979`, `geb. 03.02.1990`. A date alone is
no personal data (logs are full of them); the birth word is the evidence."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from redactors.detectors.base import Detector

__all__ = ["BIRTH_DETECTORS"]

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAY = r"(?:[0-2]?\d|3[01])(?:st|nd|rd|th)?"
_DATE = (
    r"(?:\d{4}[\-/.]\d{1,2}[\-/.]\d{1,2}"  # 1985-04-12
    r"|\d{1,2}[\-/.]\d{1,2}[\-/.](?:\d{4}|\d{2})"  # 12/04/1985, 03.02.90
    r"|" + _DAY + r"\s+(?:of\s+)?" + _MONTH + r",?\s+\d{4}"  # 4 March 1979
    r"|" + _MONTH + r"\s+" + _DAY + r",?\s+\d{4})"  # March 4th, 1979
)
_BIRTH_WORDS = (
    r"d\.?o\.?b\.?|date[ _\-]?of[ _\-]?birth|birth[ _\-]?date|birth[ _\-]?day|birthday"
    r"|born(?:\s+on)?|geburtsdatum|geboren(?:\s+am)?|geb\.|n[\u00e9e]e?\s+le"
    r"|date\s+de\s+naissance|fecha\s+de\s+nacimiento|data\s+di\s+nascita"
)
_YEAR = re.compile(r"\d{4}|(?<=[\-/.])\d{2}$")


def _plausible(value: str, _before: str) -> bool:
    """A year from 1900 to this one (or two digits): `born 2999-01-01` is no birth date."""
    found = _YEAR.search(value)
    if found is None:
        return False
    year = int(found.group())
    return len(found.group()) == 2 or 1900 <= year <= datetime.now(UTC).year


BIRTH_DETECTORS: tuple[Detector, ...] = (
    Detector(
        name="birth_date_after_word",
        entity="DATE_OF_BIRTH",
        pattern=(
            r"(?i:(?<![\w\-])(?:" + _BIRTH_WORDS + r"))[\"']?\s*(?:[:=]|is|was)?\s*[\"']?"
            r"(?P<v>(?i:" + _DATE + r"))(?![\w\-])"
        ),
        hint=r"(?i)dob|d\.o\.b|birth|born|geb|n[\u00e9e]e? le|naissance|nacimiento|nascita",
        group="v",
        score=0.8,
        validate=_plausible,
    ),
)
