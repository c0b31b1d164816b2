"""Quasi-identifier fields: SDK field names classified, values generalized, never passed."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from redactors.classify import FieldClassifier
from redactors.consent import ConsentState
from redactors.engine import Engine
from redactors.keys import InMemoryKeyProvider
from redactors.policy import load_policy
from redactors.pseudonym import PseudonymKeyring
from redactors.transforms import DROP
from redactors.transforms.quasi import LocaleLanguage, ScreenClass, TimeZoneOffset, utc_offset
from tests.unit.redactors.engine_fakes import PatternScanner

TZ, LANG, SCREEN, PRINT = ("user.device.time_zone", "user.device.language",
                           "user.device.screen", "user.device.fingerprint")

# Field names as the SDKs and browser APIs spell them (dotted: nested objects).
SDK_FIELDS = [
    # Segment context
    ("context.timezone", TZ), ("context.locale", LANG), ("context.screen", SCREEN),
    ("context.screen.width", SCREEN), ("context.screen.height", SCREEN),
    ("context.screen.density", SCREEN),
    # GA4 / Firebase BigQuery export and Measurement Protocol
    ("device.time_zone_offset_seconds", TZ), ("device.language", LANG),
    ("screen_resolution", SCREEN),
    # Amplitude
    ("language", LANG),
    # Mixpanel
    ("$timezone", TZ), ("$screen_width", SCREEN), ("$screen_height", SCREEN),
    ("$screen_dpi", SCREEN),
    # Snowplow tracker protocol and enriched event
    ("tz", TZ), ("lang", LANG), ("res", SCREEN), ("vp", SCREEN), ("ds", SCREEN),
    ("cd", PRINT), ("f_pdf", PRINT), ("os_timezone", TZ), ("br_lang", LANG),
    ("br_colordepth", PRINT), ("br_viewwidth", SCREEN), ("br_viewheight", SCREEN),
    ("dvce_screenwidth", SCREEN), ("dvce_screenheight", SCREEN),
    ("br_features_flash", PRINT), ("doc_width", SCREEN),
    # OpenTelemetry resource attributes
    ("browser.language", LANG), ("browser.brands", PRINT),
    # navigator, screen, window and Intl, as a client would log them
    ("navigator.language", LANG), ("navigator.languages", LANG),
    ("navigator.hardwareConcurrency", PRINT), ("navigator.deviceMemory", PRINT),
    ("navigator.maxTouchPoints", PRINT), ("navigator.plugins", PRINT),
    ("navigator.mimeTypes", PRINT), ("screen.width", SCREEN), ("screen.availWidth", SCREEN),
    ("screen.colorDepth", PRINT), ("screen.pixelDepth", PRINT),
    ("window.devicePixelRatio", SCREEN), ("window.innerWidth", SCREEN),
    ("timeZone", TZ), ("timezoneOffset", TZ), ("utcOffset", TZ),
    # fingerprinting libraries' components
    ("canvas", PRINT), ("webGlBasics", PRINT), ("webgl_renderer", PRINT),
    ("fonts", PRINT), ("fontPreferences", PRINT), ("audioFingerprint", PRINT),
    ("canvas_fingerprint", PRINT), ("touchSupport", PRINT), ("cpuClass", PRINT),
    # HTTP and OpenID Connect
    ("headers.Accept-Language", LANG), ("zoneinfo", TZ), ("locale", LANG),
]

# Names that must keep their own category (or none): no quasi rule may take them.
OTHER_FIELDS = [("fingerprint", "user.device.cookie_id"), ("screen_name", None),
                ("timestamp", "user.behavior.session"), ("geo.city", "user.location.coarse"),
                ("user_agent", "user.device"), ("tzdata_version", None)]


@pytest.fixture(scope="module")
def classifier() -> FieldClassifier:
    return FieldClassifier(load_policy().categories)


@pytest.fixture(scope="module")
def engine() -> Engine:
    ring = PseudonymKeyring({"k2026a": b"k" * 32}, "k2026a")
    return Engine(load_policy(), keys=InMemoryKeyProvider(), pseudonym_keys=ring,
                  scanner=PatternScanner())


@pytest.mark.parametrize(("field", "category"), SDK_FIELDS + OTHER_FIELDS)
def test_sdk_field_names(classifier: FieldClassifier, field: str, category: str | None) -> None:
    assert classifier.classify(tuple(field.split("."))) == category


@pytest.mark.parametrize(("value", "key", "expected"), [
    ("Europe/Tallinn", "timezone", "+02:00"),  # winter, EET
    ("America/New_York", "tz", "-05:00"),
    ("Asia/Kolkata", "tz", "+05:30"),
    ("+0200", "tz_offset", "+02:00"), ("UTC+2", "tz", "+02:00"), ("-03:30", "tz", "-03:30"),
    ("GMT", "tz", "+00:00"), (7200, "time_zone_offset_seconds", "+02:00"),
    (-300, "utc_offset", "-05:00"), (-18000, "offset", "-05:00"),
    # not a time zone: dropped, never passed
    ("Tallinn time", "tz", None), ("../../etc/passwd", "tz", None), ("Mars/Olympus", "tz", None),
    ("+25:00", "tz", None), (True, "tz", None), (None, "tz", None), ({"a": 1}, "tz", None),
])
def test_time_zone_offset(value: Any, key: str, expected: str | None) -> None:
    assert utc_offset(value, key, "2026-11-30") == expected
    assert TimeZoneOffset()(value, key, "2026-11-30") == (DROP if expected is None else expected)


def test_summer_time_counts() -> None:
    assert utc_offset("Europe/Tallinn", "tz", "2026-07-01") == "+03:00"


@pytest.mark.parametrize(("value", "expected"), [
    ("et-EE", "et"), ("en_US.UTF-8", "en"), ("EN", "en"), ("fil-PH", "fil"),
    ("de-DE,de;q=0.9,en;q=0.8", "de"), ("sr@latin", "sr"),
    ("python", DROP), ("", DROP), ("e", DROP), (42, DROP), (None, DROP),
])
def test_locale_language(value: Any, expected: Any) -> None:
    assert LocaleLanguage()(value, "locale", "2026-11-30") == expected


@pytest.mark.parametrize(("value", "key", "expected"), [
    ("2560x1440", "screen", "xlarge"), ("1920x1080", "res", "large"),
    ("1366 x 768", "resolution", "medium"), ("390x844", "vp", "small"),
    ({"width": 1440, "height": 900, "density": 2}, "screen", "medium"),
    (2560, "screen_width", "xlarge"), ("1280", "viewwidth", "medium"),
    (2.625, "devicePixelRatio", "3x"), (2, "density", "2x"), (1, "pixel_ratio", "1x"),
    ("huge", "screen", DROP), (-5, "screen_width", DROP), (True, "screen", DROP),
    ({"name": "x"}, "screen", DROP),
])
def test_screen_class(value: Any, key: str, expected: Any) -> None:
    assert ScreenClass()(value, key, "2026-11-30") == expected


ISSUE_EXAMPLE = {"user_id": "u1", "timezone": "Europe/Tallinn", "tz_offset": "+02:00",
                 "locale": "et-EE", "screen": "2560x1440", "ts": "2026-11-30T10:11:12Z",
                 "navigator": {"hardwareConcurrency": 8, "deviceMemory": 8,
                               "plugins": ["PDF Viewer", "Chrome PDF Viewer"]},
                 "canvas_hash": "9f86d081884c7d65", "colorDepth": 24}


@pytest.mark.parametrize(("consent", "expected"), [
    (None, {"locale": "et", "screen": "xlarge"}),
    (ConsentState(subject_id="u1"), {"locale": "et", "screen": "xlarge"}),
    (ConsentState(subject_id="u1", analytics=True),
     {"timezone": "+02:00", "tz_offset": "+02:00", "locale": "et", "screen": "xlarge"}),
    (ConsentState(subject_id="u1", analytics=True, profiling=True),
     {"timezone": "+02:00", "tz_offset": "+02:00", "locale": "et", "screen": "xlarge"}),
])
def test_the_issue_example_never_reaches_analytics_unchanged(
        engine: Engine, consent: ConsentState | None, expected: dict[str, str]) -> None:
    result = engine(orjson.dumps(ISSUE_EXAMPLE), consent)
    assert result.analytics is not None
    quasi = {k: v for k, v in result.analytics.items()
             if k in ("timezone", "tz_offset", "locale", "screen")}
    assert quasi == expected
    # fingerprint traits are dropped whatever the consent
    assert "canvas_hash" not in result.analytics
    assert "colorDepth" not in result.analytics
    assert result.analytics.get("navigator", {}) == {}
