"""First and last names from Faker's locale providers, loaded once when first needed."""

from __future__ import annotations

import importlib
from functools import cache

__all__ = ["AMBIGUOUS_FIRST_NAMES", "first_names", "last_names"]

# Locales whose names show up in our traffic; ASCII spellings only, as logs carry them.
_LOCALES = ("en_US", "en_GB", "en_IE", "en_IN", "de_DE", "fr_FR", "es_ES", "es_MX", "it_IT",
            "pt_BR", "pt_PT", "nl_NL", "pl_PL", "sv_SE", "da_DK", "no_NO", "fi_FI", "tr_TR",
            "ru_RU", "uk_UA", "ja_JP", "zh_CN", "ko_KR", "vi_VN", "ar_AA", "hi_IN", "ga_IE",
            "cs_CZ", "ro_RO", "hu_HU", "el_GR", "id_ID", "fil_PH", "yo_NG")  # fmt: skip
# First names that are also everyday words: they need a known surname beside them.
_AMBIGUOUS_WORDS = """
Line Mercy Patience Precious Prince Reed Rex Sterling Vale
Art Bill Chase Christian Dawn Grant Guy Hope Ivy Jack Joy June Lane Mark Max May Miles Page
Pat Price Ray Rich Rose Sage Server Summer Sunny Will Win Young August April Lou Ash Bay Bo
Carol Chance Crystal Destiny Faith Forest Gay Glen Holly Hunter Iris Jade King Major Norm
Pearl Penny Rocky Royal Ruby Sky Stone Storm Trinity Van Wade Warren
"""
AMBIGUOUS_FIRST_NAMES = frozenset(_AMBIGUOUS_WORDS.split())


def _collect(attributes: tuple[str, ...]) -> frozenset[str]:
    names: set[str] = set()
    for locale in _LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except (ImportError, AttributeError):
            continue  # a locale missing from this Faker release
        for attribute in attributes:
            values = getattr(provider, attribute, ())
            names.update(
                n for n in values if n.isascii() and n.replace("'", "").replace("-", "").isalpha()
            )
    return frozenset(n for n in names if len(n) > 1 and n[0].isupper())


@cache
def first_names() -> frozenset[str]:
    """Given names across our locales."""
    return _collect(("first_names", "first_names_male", "first_names_female",
                     "first_romanized_names", "first_romanized_names_male",
                     "first_romanized_names_female"))  # fmt: skip


@cache
def last_names() -> frozenset[str]:
    """Family names across our locales."""
    return _collect(("last_names", "last_romanized_names"))
