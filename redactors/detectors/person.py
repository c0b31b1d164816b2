"""Person-name detectors that need no NER model: names in the places names go."""

from __future__ import annotations

from redactors.detectors.base import Detector

__all__ = ["PERSON_DETECTORS"]

# Capitalized words that follow "from", "user", "name:" in logs and are not people.
_NOT_NAME_WORDS = """
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
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())
_NAME = r"[A-Z][a-z]+(?:['\u2019\-][A-Z]?[a-z]+)?"
_SURNAME_PREFIX = r"(?:(?:van|von|de|del|della|da|di|le|la|al|bin|ben|mc|o')\s?)?"
_FULL = _NAME + r"(?:[ +](?:[A-Z]\.[ +])?" + _SURNAME_PREFIX + _NAME + r"){1,2}"


def _name_ok(value: str, _before: str) -> bool:
    words = [w.strip(".").lower() for w in value.replace("+", " ").split()]
    return all(w not in _NOT_NAMES for w in words if len(w) > 1)


PERSON_DETECTORS: tuple[Detector, ...] = (
    Detector(
        name="person_field",
        entity="PERSON",
        pattern=(
            r"(?i:\b(?:full|first|last|given|family|middle|display|customer|contact|user"
            r"|account|card|holder|recipient|sender|billing|shipping)?[_ \-]?"
            r"(?:name|holder|surname|firstname|lastname|fullname))[\"']?\s*[:=]\s*[\"']?"
            r"(?P<v>" + _NAME + r"(?:[ +]" + _SURNAME_PREFIX + _NAME + r"){0,2})"
        ),
        hint=r"(?i)name|holder",
        group="v",
        score=0.8,
        validate=_name_ok,
    ),
    Detector(
        name="person_salutation",
        entity="PERSON",
        pattern=(
            r"\b(?:Dear|Hi|Hello|Hey|Thanks|Regards|Sincerely|Mr\.?|Mrs\.?|Ms\.?|Miss|Dr\.?"
            r"|Prof\.?)[,]?\s+(?P<v>" + _NAME + r"(?:\s+" + _SURNAME_PREFIX + _NAME + r")?)"
        ),
        hint=r"Dear|Hi|Hello|Hey|Thanks|Regards|Sincerely|Mr|Mrs|Ms|Miss|Dr|Prof",
        group="v",
        score=0.7,
        validate=_name_ok,
    ),
    Detector(
        name="person_phrase",
        entity="PERSON",
        pattern=(
            r"(?i:\b(?:from|by|for|to|user|customer|contact|member|guest|patient|employee"
            r"|client|name is|named|i am|i'm|this is|call me|signed|assigned to|invited"
            r"|welcome|cc|attn:?))\s+(?P<v>" + _FULL + r")\b"
        ),
        hint=r"\s[A-Z][a-z]+[ +]([A-Z]\.[ +])?(\w+'? ?)?[A-Z][a-z]",
        group="v",
        score=0.6,
        validate=_name_ok,
    ),
)
