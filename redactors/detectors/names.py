"""First and last names from all of Faker's locale providers, in the Latin spellings the
person detectors read (LATIN_UPPER, LATIN_LOWER); loaded once, when a scanner is built."""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache

__all__ = ["AMBIGUOUS_FIRST_NAMES", "LATIN_LOWER", "LATIN_UPPER", "first_names", "last_names"]

# The letters a name word may hold (regex class bodies): ASCII, Latin-1, Latin Extended-A
# and Latin Extended Additional (`Jürgen`, `Łukasz`, `Nguyễn`). The person detectors and
# the name lists read the same ones.
LATIN_UPPER = r"A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u017f\u1e00-\u1eff"
LATIN_LOWER = r"a-z\u00df-\u00f6\u00f8-\u00ff\u0100-\u017f\u1e00-\u1eff"
_LATIN_NAME = re.compile(r"[" + LATIN_UPPER + LATIN_LOWER + r"'\-]+")

# First names that are also everyday words: they need a known surname beside them.
_AMBIGUOUS_WORDS = """
Case General Line Mercy Patience Precious Prince Reed Rex Sterling Vale
Art Bill Chase Christian Dawn Grant Guy Hope Ivy Jack Joy June Lane Mark Max May Miles Page
Pat Price Ray Rich Rose Sage Server Summer Sunny Will Win Young August April Lou Ash Bay Bo
Carol Chance Crystal Destiny Faith Forest Gay Glen Holly Hunter Iris Jade King Major Norm
Pearl Penny Rocky Royal Ruby Sky Stone Storm Trinity Van Wade Warren
"""
AMBIGUOUS_FIRST_NAMES = frozenset(_AMBIGUOUS_WORDS.split())


def _collect(attributes: tuple[str, ...]) -> frozenset[str]:
    import faker.providers.person as people  # every locale Faker ships: names travel

    names: set[str] = set()
    for locale in pkgutil.iter_modules(people.__path__):
        try:
            provider = importlib.import_module(f"{people.__name__}.{locale.name}").Provider
        except (ImportError, AttributeError):
            continue  # a locale without a person provider
        for attribute in attributes:
            values = getattr(provider, attribute, ())
            if not isinstance(values, tuple | list | dict | set | frozenset):
                continue  # a few providers compute names instead of listing them
            names.update(
                n for n in values
                if n.replace("'", "").replace("-", "").isalpha() and _LATIN_NAME.fullmatch(n)
            )
    return frozenset(n for n in names if len(n) > 1 and n[0].isupper())


@cache
def first_names() -> frozenset[str]:
    """Given names across all locales."""
    return _collect(("first_names", "first_names_male", "first_names_female",
                     "first_romanized_names", "first_romanized_names_male",
                     "first_romanized_names_female"))  # fmt: skip


@cache
def last_names() -> frozenset[str]:
    """Family names across all locales."""
    return _collect(("last_names", "last_romanized_names"))
