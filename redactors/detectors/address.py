"""Street addresses in free text: a house number, a street name and a street-type word.

`742 Evergreen Terrace`, `1600 Pennsylvania Avenue NW, Suite 200`, `221B Baker Street`,
`12 rue de la Paix`, `Hauptstraße 5`. The street-type word is what makes a number and
capitalized words an address; written without look-arounds (RE2-friendly) and with
explicit classes, so that hyperscan's prefilter reads the pattern as Python does.
"""

from __future__ import annotations

import re

from redactors.detectors.base import Detector

__all__ = ["ADDRESS_DETECTORS"]

_TYPES = ("Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Way"
          "|Terrace|Ter|Parkway|Pkwy|Highway|Hwy|Square|Sq|Circle|Cir|Crescent|Close|Alley"
          "|Trail|Plaza|Row|Walk|Gardens|Grove|Hill|Mews")
_WORD = r"(?:[A-Z][A-Za-z'\-]{0,40}\.?|[0-9]{1,3}(?:st|nd|rd|th))"  # `Martin`, `St.`, `5th`
_GAP = r"[ \t]{1,8}"  # bounded, like every repeat here: linear in the text
_NUMBER = r"[0-9]{1,6}[A-Za-z]?(?:-[0-9]{1,4})?"  # `742`, `221B`, `12-14`
_UNIT = (r"(?:,?[ \t]{1,8}(?:Apt|Apartment|Suite|Ste|Unit|Floor|Fl|Room|Rm|#)\.?[ \t]{0,4}"
         r"[0-9A-Za-z\-]{1,6})?")
_DIRECTION = r"(?:[ \t]{1,8}(?:N|S|E|W|NE|NW|SE|SW)\b)?"
_ROMANCE = ("rue|avenue|boulevard|place|chemin|impasse|quai|via|viale|piazza|corso|calle"
            "|avenida|plaza|paseo|carrer|rua|travessa")
_LINK = r"(?:(?:de|du|des|la|le|les|del|della|di|da|do|dos|das|l'|d')[ \t]{0,4}){0,2}"
_NAME = r"[A-Z\u00c0-\u00de][^\s,;:()\[\]{}\"<>0-9]{1,30}"
_GERMANIC = (r"(?:stra(?:ss|\u00df)e|str\.|weg|platz|allee|gasse|ring|damm|ufer|laan|straat"
             r"|gracht|vej|gatan|gata|veien)")

# A number that counts something else: `version 3 Release Way`, `error 404 Not Found Drive`.
_NOT_A_HOUSE = re.compile(r"(?:version|release|build|error|status|code|step|page|line|port"
                          r"|http|v|#|no\.|number|chapter|section|item|row|level)[ \t:]*$")


def _house_ok(_value: str, before: str) -> bool:
    return _NOT_A_HOUSE.search(before[-16:]) is None


ADDRESS_DETECTORS: tuple[Detector, ...] = (
    Detector(
        name="street_address",
        entity="STREET_ADDRESS",
        pattern=(r"\b" + _NUMBER + _GAP + r"(?:" + _WORD + _GAP + r"){0,3}" + _WORD + _GAP
                 + r"(?:" + _TYPES + r")\b\.?" + _DIRECTION + _UNIT),
        hint=r"[0-9][ \t]{1,8}[A-Z0-9].{0,60}[ \t](" + _TYPES + r")\b",
        score=0.7,
        validate=_house_ok,
    ),
    Detector(
        name="street_address_romance",
        entity="STREET_ADDRESS",
        pattern=(r"\b[0-9]{1,5}[a-z]?,?[ \t]{1,8}(?i:" + _ROMANCE + r")[ \t]{1,8}" + _LINK + _NAME
                 + r"(?:[ \t]{1,8}" + _NAME + r"){0,3}"),
        hint=r"[0-9],?[ \t]{1,8}(?i:" + _ROMANCE + r")[ \t]",
        score=0.7,
        validate=_house_ok,
    ),
    Detector(
        name="street_address_germanic",
        entity="STREET_ADDRESS",
        pattern=(r"\b[A-Z\u00c4\u00d6\u00dc][a-z\u00e4\u00f6\u00fc\u00df\-]{1,40}" + _GERMANIC
                 + r"[ \t]{1,8}[0-9]{1,4}[a-z]?\b"),
        hint=_GERMANIC + r"[ \t]{1,8}[0-9]",
        score=0.7,
    ),
)
