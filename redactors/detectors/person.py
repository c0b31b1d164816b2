"""Person-name detectors that need no NER model: names in the places names go."""

from __future__ import annotations

import re

from redactors.detectors.base import Detector
from redactors.detectors.names import (
    AMBIGUOUS_FIRST_NAMES,
    LATIN_LOWER,
    LATIN_UPPER,
    first_names,
    last_names,
)

__all__ = ["PERSON_DETECTORS"]

# Capitalized words that follow "from", "user", "name:" in logs and are not people.
_NOT_NAME_WORDS = """
ansible celery datadog django flask gitlab github grafana gunicorn hibernate jenkins jetty
kibana rails sentry spring terraform tomcat travis uvicorn
account admin administrator agent alert all america amazon analytics android api apache app
apple application april august auth australia azure backend bank berlin billing bot browser
business cache canada cart central checkout chrome chromium city client cloud cluster code
company config console content controller core customer customers dashboard data database
december default delivery dev device docker east edge edition email engine england error
europe event everyone exception express external facebook february file firefox france free
friday germany gmail google group guest header health hello help home host http https india
info inc instance internal ios iphone january java job july june kafka kingdom kubernetes
linux london los ltd mac macos main manager march may member microsoft mobile monday mozilla
net network new nginx node north november null october office online opera order page
partner payment platform post pro product production prod python queue redis report request
response safari saturday san server service services session settings september shop south
sql staff staging states store stripe sunday support system team test thanks the there this
thursday today token tuesday twitter ubuntu unit united unknown update user users wednesday
welcome west windows world worker york you your
"""
_MIDDLE_INITIAL = re.compile(r"[ +][A-Z]\.[ +]")
_POSSESSIVE = re.compile(r"['\u2019]s$")
_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "madam", "mx", "herr",
                     "frau", "monsieur", "madame", "mme", "mlle", "señor", "señora",
                     "señorita", "signor", "signora", "sra", "srta"})
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split()) | _TITLES
_NAME = (r"(?:Mc|Mac|O'|D'|De|Di|La|Le)?[" + LATIN_UPPER + r"][" + LATIN_LOWER
         + r"]+(?:[\-'\u2019][" + LATIN_UPPER + r"]?[" + LATIN_LOWER + r"]+)?")
_SURNAME_PREFIX = r"(?:(?:van|von|de|del|della|da|di|le|la|al|bin|ben|ter)\s)?"
_INITIAL = r"(?:[A-Z]\.?[ +])?"
_FULL = _NAME + r"[ +]" + _INITIAL + _SURNAME_PREFIX + _NAME
# Up to three words after a field name or a salutation (`Ana María López García` keeps
# three); a rejected word at the end is trimmed off (trim_groups) rather than losing all.
_FULL_OR_FIRST = _NAME + r"(?:[ +]" + _INITIAL + _SURNAME_PREFIX + _NAME + r"){0,2}"


def _words(value: str) -> list[str]:
    return [w for w in value.replace("+", " ").split() if len(w.rstrip(".")) > 1]


def _name_ok(value: str, _before: str) -> bool:
    """Anchored by context: reject only words that are known not to be names."""
    return all(w.lower() not in _NOT_NAMES for w in _words(value))


def _either_name_known(value: str, before: str) -> bool:
    """After a plain preposition: a known given name or a known surname in the pair."""
    words = _words(value)
    return (
        _name_ok(value, before)
        and len(words) >= 2
        and (words[0] in first_names() or _POSSESSIVE.sub("", words[-1]) in last_names())
    )


def _known_name_ok(value: str, _before: str) -> bool:
    """Unanchored: a known given name and a surname-like word, both not everyday words."""
    words = _words(value)
    if len(words) < 2 or not _name_ok(value, _before):
        return False
    first, last = words[0], words[-1]
    if first not in first_names():
        # `Ananya W. Anderson`: a middle initial before a known surname is a name's shape
        return _MIDDLE_INITIAL.search(value) is not None and last in last_names()
    if last in last_names():
        return True
    return first not in AMBIGUOUS_FIRST_NAMES and last not in first_names()


def _surname_ok(value: str, before: str) -> bool:
    """Opening a sentence and followed by a verb: a known surname is enough."""
    words = _words(value)
    return len(words) >= 2 and _name_ok(value, before) and words[-1] in last_names()


PERSON_DETECTORS: tuple[Detector, ...] = (
    Detector(
        name="person_field",
        entity="PERSON",
        pattern=(
            r"(?i:\b(?:full|first|last|given|family|middle|display|customer|contact|user"
            r"|account|card|holder|recipient|sender|billing|shipping)?[_ \-]?"
            r"(?:name|holder|surname|firstname|lastname|fullname))[\"']?\s*[:=]\s*[\"']?"
            r"(?P<v>" + _FULL_OR_FIRST + r")"
        ),
        hint=r"(?i)name|holder",
        group="v",
        score=0.8,
        validate=_name_ok,
        trim_groups=2,
    ),
    Detector(
        name="person_salutation",
        entity="PERSON",
        pattern=(
            r"\b(?:Dear|Hi|Hello|Hey|Thanks|Regards|Sincerely|Mr\.?|Mrs\.?|Ms\.?|Miss|Dr\.?"
            r"|Prof\.?|Herr|Frau|Monsieur|Madame|Mme\.?|Mlle\.?|Se\u00f1ora?|Se\u00f1orita"
            r"|Signora?|Sra\.|Srta\.)[,]?\s+(?:(?:Dr|Mr|Mrs|Ms|Prof)\.?\s+)?"
            r"(?P<v>" + _FULL_OR_FIRST + r")"
        ),
        hint=(r"Dear|Hi|Hello|Hey|Thanks|Regards|Sincerely|Mr|Mrs|Ms|Miss|Dr|Prof|Herr|Frau"
              r"|Monsieur|Madame|Mme|Mlle|Se\u00f1or|Signor|Sra\.|Srta\."),
        group="v",
        score=0.7,
        validate=_name_ok,
        trim_groups=2,
    ),
    Detector(
        name="person_phrase",
        entity="PERSON",
        pattern=(
            r"(?i:\b(?:user|customer|contact|member|guest|patient|employee|client|name is"
            r"|named|i am|i'm|this is|call me|signed by|assigned to|invited|welcome|cc|attn:?"
            r"|applicant|officer|specialist|contractor|individual|holder|recipient|the name))"
            r"\s+(?P<v>" + _FULL + r")\b"
        ),
        hint=r"\s[A-Z][a-z']+[ +]([A-Z]\.?[ +])?(\w+'? ?)?[A-Z][a-z']",
        group="v",
        score=0.6,
        validate=_name_ok,
    ),
    Detector(
        name="person_after_preposition",
        entity="PERSON",
        pattern=r"(?i:\b(?:from|by|for|to|with))\s+(?P<v>" + _FULL + r")\b",
        hint=r"(?i)(from|by|for|to|with)\s+[A-Z][a-z']+[ +]",
        group="v",
        score=0.6,
        validate=_either_name_known,  # `Syntax for Variable Annotations` is not a person
        prepare=lambda: (first_names(), last_names()),
    ),
    Detector(
        name="person_known_name",
        entity="PERSON",
        pattern=r"(?<![\w.@/\-])(?P<v>" + _FULL + r")(?![\w@]|\.\w)",
        hint=r"[A-Z][a-z]+[ +]([A-Z]\.?[ +])?(\w+ )?[A-Z'][a-z']",
        group="v",
        score=0.55,
        validate=_known_name_ok,
        prepare=lambda: (first_names(), last_names()),
    ),
    Detector(
        name="person_opening_sentence",
        entity="PERSON",
        pattern=(  # `Mei Patel changed the address`: sentence-initial pairs rarely are not names
            r"(?:^|(?<=[.!?]\s))(?P<v>" + _NAME + r"(?: [A-Z]\.)? " + _NAME + r")(?= [a-z])"
        ),
        hint=r"[A-Z][a-z]+ ([A-Z]\. )?[A-Z'][a-z']+ [a-z]",
        group="v",
        score=0.5,
        validate=_surname_ok,
        prepare=lambda: (first_names(), last_names()),
    ),
    Detector(
        name="person_possessive",
        entity="PERSON",
        pattern=(  # `Ramesh Krishnan's Aadhar number`: a pair owning something, a known surname
            r"(?<![\w.@/\-])(?P<v>" + _NAME + r"(?: [A-Z]\.)? " + _NAME + r")['\u2019]s\b"
        ),
        hint=r"[A-Z][a-z]+ ([A-Z]\. )?[A-Z'][a-z']+['\u2019]s",
        group="v",
        score=0.55,
        validate=_surname_ok,
        prepare=lambda: (first_names(), last_names()),
    ),
    Detector(
        name="person_display_name",
        entity="PERSON",
        pattern=(  # RFC 5322 display names: `Mei Kowalski <mei@example.com>`, or in parentheses
            r"(?<![\w.])(?P<v>" + _FULL + r")[\"']? ?[<(\[] ?(?:mailto:)?[\w.%+\-]+@"
        ),
        hint=r"[A-Z][a-z']+ [A-Za-z. ]*[<(\[] ?(mailto:)?[\w.%+\-]+@",
        group="v",
        score=0.7,
        validate=_name_ok,
    ),
)
