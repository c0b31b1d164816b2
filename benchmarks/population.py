"""A web population for the risk benchmark: subjects with skewed quasi-identifiers laid
over benchmarks.corpus events (which share one city and one browser).

Countries, cities, browsers, screens and activity follow long-tailed weights, so most
traffic falls in a few large classes and a tail of subjects is rare, as on real sites.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from benchmarks.corpus import generate
from redactors.consent import ConsentState

__all__ = ["Visit", "population_events"]

# country: (weight, IANA zone, locale, [(city, region, weight)])
_PLACES = {
    "US": (30, "America/New_York", "en-US", [("New York", "NY", 8), ("Boston", "MA", 3),
                                             ("Chicago", "IL", 4), ("Austin", "TX", 2),
                                             ("Seattle", "WA", 2), ("Boise", "ID", 0.2)]),
    "DE": (15, "Europe/Berlin", "de-DE", [("Berlin", "BE", 6), ("Munich", "BY", 4),
                                          ("Hamburg", "HH", 3), ("Passau", "BY", 0.2)]),
    "GB": (12, "Europe/London", "en-GB", [("London", "ENG", 8), ("Leeds", "ENG", 2),
                                          ("Inverness", "SCT", 0.2)]),
    "FR": (8, "Europe/Paris", "fr-FR", [("Paris", "IDF", 6), ("Lyon", "ARA", 2)]),
    "IN": (8, "Asia/Kolkata", "en-IN", [("Mumbai", "MH", 4), ("Bengaluru", "KA", 4)]),
    "BR": (5, "America/Sao_Paulo", "pt-BR", [("Sao Paulo", "SP", 5), ("Recife", "PE", 1)]),
    "JP": (5, "Asia/Tokyo", "ja-JP", [("Tokyo", "13", 6), ("Osaka", "27", 2)]),
    "EE": (0.5, "Europe/Tallinn", "et-EE", [("Tallinn", "37", 3), ("Tartu", "79", 1)]),
    "IS": (0.2, "Atlantic/Reykjavik", "is-IS", [("Reykjavik", "1", 1)]),
}
_AGENTS = [  # (weight, user agent)
    (30, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/120.0.0.0 Safari/537.36"),
    (10, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/119.0.0.0 Safari/537.36"),
    (15, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"),
    (12, "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/120.0.0.0 Mobile Safari/537.36"),
    (8, "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.1 Safari/605.1.15"),
    (6, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"),
    (4, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0"),
    (1, "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0"),
    (0.5, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0.0.0 Safari/537.36 OPR/105.0.0.0"),
]
_SCREENS = [(25, "1920x1080"), (20, "390x844"), (10, "1366x768"), (10, "1536x864"),
            (8, "2560x1440"), (5, "1440x900"), (4, "412x915"), (1, "3840x2160"),
            (0.3, "3440x1440")]
# consent: (weight, analytics, profiling)
_CONSENT = [(60, True, True), (25, True, False), (15, False, False)]


@dataclass(frozen=True, slots=True)
class Visit:
    """One raw event of a subject, and the subject's consent."""

    event: dict[str, Any]
    consent: ConsentState


def _pick(rng: random.Random, items: list[tuple[float, Any]]) -> Any:
    return rng.choices([item for _, item in items], weights=[w for w, _ in items])[0]


def _subject(rng: random.Random, n: int) -> tuple[dict[str, Any], ConsentState]:
    country = _pick(rng, [(spec[0], code) for code, spec in _PLACES.items()])
    _, zone, locale, cities = _PLACES[country]
    city, region = _pick(rng, [(w, (c, r)) for c, r, w in cities])
    traits = {"geo": {"city": city, "region": region, "country": country},
              "user_agent": _pick(rng, _AGENTS), "timezone": zone, "locale": locale,
              "screen": _pick(rng, _SCREENS)}
    _, analytics, profiling = _pick(rng, [(w, (w, a, p)) for w, a, p in _CONSENT])
    return traits, ConsentState(subject_id=f"s{n}", analytics=analytics, profiling=profiling)


def population_events(n: int, *, subjects: int = 2000, seed: int = 11) -> list[Visit]:
    """`n` events of `subjects` subjects within one hour; activity is long-tailed."""
    rng = random.Random(seed)
    people = [_subject(rng, i) for i in range(subjects)]
    activity = [1.0 / (rank + 1) ** 0.8 for rank in range(subjects)]  # Zipf-like
    chosen = rng.choices(range(subjects), weights=activity, k=n)
    visits = []
    for labeled, who in zip(generate(n, seed=seed), chosen, strict=True):
        traits, consent = people[who]
        event = dict(labeled.event)
        event.update(traits, geo=dict(traits["geo"]), user_id=consent.subject_id,
                     ts=f"2026-11-30T10:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z")
        visits.append(Visit(event, consent))
    return visits
