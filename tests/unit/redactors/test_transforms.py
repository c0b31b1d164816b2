"""Each transform as a table of inputs and outputs, positive and negative rows."""

from __future__ import annotations

from typing import Any

import pytest

from redactors.errors import MissingKeyError, TransformError
from redactors.pseudonym import PseudonymKeyring
from redactors.transforms import DROP, Drop, Keep, Mask, TransformDeps, default_registry
from redactors.transforms.geo import GeoCoarsen
from redactors.transforms.ipgeo import IpGeneralize
from redactors.transforms.pseudonym import Pseudonymize
from redactors.transforms.timestamps import CoarsenTimestamp, parse_timestamp
from redactors.transforms.urls import UrlScrub
from redactors.transforms.useragent import UserAgentGeneralize
from tests.unit.redactors.engine_fakes import PatternScanner

DAY = "2026-11-25"
KEY = b"k" * 32


@pytest.mark.parametrize(("value", "country", "network", "expected"), [
    ("8.8.8.8", True, True, {"country": "US", "network": "8.8.8.0/24"}),
    ("81.2.69.160", True, False, {"country": "GB"}),
    ("2a00:1450:4001::1", True, True, {"country": "IE", "network": "2a00:1450:4001::/48"}),
    ("::ffff:8.8.4.4", False, True, {"network": "8.8.4.0/24"}),
    ("203.0.113.9:8080", False, True, {"network": "203.0.113.0/24"}),
    ("[2001:db8::7]:443", False, True, {"network": "2001:db8::/48"}),
    ("10.1.2.3", True, True, {"country": None, "network": "10.1.2.0/24"}),
    ("8.8.8.8, 10.0.0.1", False, True, [{"network": "8.8.8.0/24"}, {"network": "10.0.0.0/24"}]),
    ("-", True, True, DROP),
    ("not-an-ip", True, True, DROP),
    ("1.2.3.04", True, True, DROP),
    (None, True, True, None),
])
def test_ip_generalize(value: Any, country: bool, network: bool, expected: Any) -> None:
    assert IpGeneralize(country=country, network=network)(value, "ip", DAY) == expected


@pytest.mark.parametrize("value", [12345, True, {"v4": "1.2.3.4"}, ["1.2.3.4"]])
def test_ip_wrong_type_fails_closed(value: Any) -> None:
    with pytest.raises(TransformError):
        IpGeneralize()(value, "ip", DAY)


def test_ip_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="country or the network"):
        IpGeneralize(country=False, network=False)
    with pytest.raises(ValueError, match="prefixes"):
        IpGeneralize(v4_prefix=32)


@pytest.mark.parametrize(("level", "key", "value", "expected"), [
    ("city", "city", "Lyon", "Lyon"),
    ("region", "city", "Lyon", DROP),
    ("region", "region", "Texas", "Texas"),
    ("country", "region", "Texas", DROP),
    ("country", "country", "FR", "FR"),
    ("city", "lat", 45.76412, 45.8),
    ("city", "lon", "4.8357", 4.8),
    ("region", "lat", 45.76412, DROP),
    ("city", "coordinates", [45.764, 4.835], [45.8, 4.8]),
    ("city", "street", "1 rue de la Paix", DROP),
    ("city", "geo", {"city": "Lyon", "lat": 45.764, "zip": "69001", "addr": "x"},
     {"city": "Lyon", "lat": 45.8, "zip": "69001"}),
    ("country", "geo", {"city": "Lyon", "country": "FR"}, {"country": "FR"}),
    ("country", "geo", {"city": "Lyon"}, DROP),
    ("city", "lat", {"deg": 4}, DROP),
])
def test_geo_coarsen(level: str, key: str, value: Any, expected: Any) -> None:
    assert GeoCoarsen(level=level)(value, key, DAY) == expected


@pytest.mark.parametrize(("key", "value"), [("city", 12), ("lat", True), ("lat", "north")])
def test_geo_wrong_type_fails_closed(key: str, value: Any) -> None:
    with pytest.raises(TransformError):
        GeoCoarsen(level="city")(value, key, DAY)


CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0.0.0 Safari/537.36")
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.mark.parametrize(("detail", "value", "expected"), [
    ("major", CHROME, {"browser": "Chrome", "browser_major": "120", "os": "Windows",
                       "device": "desktop"}),
    ("family", CHROME, {"browser": "Chrome", "os": "Windows", "device": "desktop"}),
    ("family", IPHONE, {"browser": "Mobile Safari", "os": "iOS", "device": "mobile"}),
    ("family", BOT, {"browser": "Googlebot", "os": "Other", "device": "bot"}),
    ("family", "alice@example.com", {"browser": "Other", "os": "Other", "device": "other"}),
])
def test_user_agent(detail: str, value: str, expected: dict[str, str]) -> None:
    assert UserAgentGeneralize(detail=detail)(value, "user_agent", DAY) == expected


@pytest.mark.parametrize(("precision", "value", "expected"), [
    ("hour", "2026-11-25T10:17:01Z", "2026-11-25T10:00:00Z"),
    ("hour", "2026-11-25T10:17:01.123Z", "2026-11-25T10:00:00Z"),
    ("hour", "2026-11-25T10:17:01+02:00", "2026-11-25T08:00:00Z"),
    ("day", "2026-11-25 23:59:59", "2026-11-25"),
    ("hour", "10/Oct/2000:13:55:36 -0700", "2000-10-10T20:00:00Z"),
    ("hour", "[10/Oct/2000:13:55:36 +0000]", "2000-10-10T13:00:00Z"),
    ("day", 1764064800, "2025-11-25"),
    ("day", 1764064800123, "2025-11-25"),
    ("hour", "alice@example.comT12:00:00Z", DROP),
    ("hour", "yesterday", DROP),
])
def test_coarsen_timestamp(precision: str, value: Any, expected: Any) -> None:
    assert CoarsenTimestamp(precision=precision)(value, "ts", DAY) == expected


def test_coarsen_timestamp_remembers_hours_not_values() -> None:
    hour, day = CoarsenTimestamp(precision="hour"), CoarsenTimestamp(precision="day")
    for value in ("2026-11-25T10:17:01Z", "2026-11-25T10:59:59Z", "2026-11-25T10:00:00Z"):
        assert hour(value, "ts", DAY) == "2026-11-25T10:00:00Z"
        assert day(value, "ts", DAY) == "2026-11-25"
    # Same hour, but not a time: the remembered hour must not let these through.
    assert hour("2026-11-25T10:1x:01Z", "ts", DAY) is DROP
    assert hour("2026-11-25T10:17:01z", "ts", DAY) is DROP
    assert hour("alice@example.comT12:00:00Z", "ts", DAY) is DROP


def test_parse_timestamp_rejects_nonsense() -> None:
    assert parse_timestamp(True) is None
    assert parse_timestamp("x" * 100) is None


@pytest.mark.parametrize(("query", "value", "expected"), [
    ("keys", "/login?next=%2Fdashboard&utm_source=mail", "/login?next&utm_source"),
    ("drop", "/login?next=%2Fdashboard", "/login"),
    ("keys", "/projects/42#frag", "/projects/42"),
    ("keys", "/users/1234567/profile", "/users/<ID>/profile"),
    ("keys", "/u/ada%40example.com/x", "/u/<ID>/x"),
    ("keys", "/o/550e8400-e29b-41d4-a716-446655440000", "/o/<ID>"),
    ("keys", "GET /profile/olivia.brown HTTP/1.1", "GET /profile/<ID> HTTP/1.1"),
    ("keys", "/api/v1/users/octocat/repos?page=2", "/api/v1/users/<ID>/repos?page"),
    ("keys", "/users/42/orders/7", "/users/<ID>/orders/7"),
    ("keys", "/~alice/index.html", "/<ID>/index.html"),
    ("keys", "/users/me/settings", "/users/me/settings"),
    ("keys", "/accounts/login", "/accounts/login"),
    ("drop", "https://bob:hunter2@shop.example.com/cart?email=a%40b.co",
     "https://shop.example.com/cart"),
    ("keys", "GET /search?q=alice HTTP/1.1", "GET /search?q HTTP/1.1"),
    ("keys", "/x?a%40b.com=1&ok=2", "/x?ok"),
    ("drop", "contact alice@example.com now", "contact <EMAIL_ADDRESS> now"),
])
def test_url_scrub(query: str, value: str, expected: str) -> None:
    assert UrlScrub(PatternScanner(), query=query)(value, "url", DAY) == expected


@pytest.mark.parametrize(("settings", "value", "expected"), [
    ({"keep_last": 4}, "4111 1111 1111 1234", "************1234"),
    ({"keep_last": 4}, "abc", "**c"),
    ({"keep_last": 2, "keep_first": 2}, "abcdefgh", "ab****gh"),
    ({"keep_last": 4, "char": "#"}, 123456789, "#####6789"),
])
def test_mask(settings: dict[str, Any], value: Any, expected: str) -> None:
    assert Mask(**settings)(value, "card", DAY) == expected


def test_pseudonym_is_keyed_stable_and_tagged() -> None:
    ring = PseudonymKeyring({"k2026a": KEY}, "k2026a")
    stable = Pseudonymize(ring)
    first = stable("u-1001", "user_id", DAY)
    assert first.startswith("p1:k2026a:")
    assert stable("u-1001", "user_id", "2026-11-26") == first
    assert stable(1001, "user_id", DAY) == stable("1001", "user_id", DAY)
    other = Pseudonymize(PseudonymKeyring({"k2026a": b"o" * 32}, "k2026a"))
    assert other("u-1001", "user_id", DAY) != first
    assert "u-1001" not in first


def test_daily_pseudonym_rotates_and_needs_a_day() -> None:
    daily = Pseudonymize(PseudonymKeyring({"k": KEY}, "k"), rotation="daily")
    monday = daily("u-1", "user_id", "2026-11-23")
    assert monday.startswith("pd1:k:")
    assert daily("u-1", "user_id", "2026-11-23") == monday
    assert daily("u-1", "user_id", "2026-11-24") != monday
    with pytest.raises(TransformError):
        daily("u-1", "user_id", "")


@pytest.mark.parametrize("value", [True, None, 1.5, {"id": 1}])
def test_pseudonym_wrong_type(value: Any) -> None:
    with pytest.raises(TransformError):
        Pseudonymize(PseudonymKeyring({"k": KEY}, "k"))(value, "user_id", DAY)


@pytest.mark.parametrize(("text", "error"), [
    ("", "no pseudonym keys"),
    ("k1", "not 'kid:base64key'"),
    ("k1:!!!", "not valid base64"),
    ("k1:YWJj", ">= 32 bytes"),
])
def test_keyring_parse_errors(text: str, error: str) -> None:
    with pytest.raises(MissingKeyError, match=error):
        PseudonymKeyring.parse(text, "$LOGWARDEN_PSEUDONYM_KEYS")


def test_keyring_from_env_first_is_current_and_repr_hides_keys() -> None:
    line_a, line_b = PseudonymKeyring.generate_line("kA"), PseudonymKeyring.generate_line("kB")
    ring = PseudonymKeyring.from_env({"LOGWARDEN_PSEUDONYM_KEYS": f"{line_a},{line_b}"})
    assert ring.current_id == "kA"
    assert line_a.split(":")[1] not in repr(ring)
    with pytest.raises(MissingKeyError, match="LOGWARDEN_PSEUDONYM_KEYS"):
        PseudonymKeyring.from_env({})


def test_registry_add_remove_get() -> None:
    registry = default_registry()
    deps = TransformDeps(scanner=PatternScanner(), pseudonym_keys=None)
    assert isinstance(registry.build({"type": "drop"}, deps), Drop)
    assert isinstance(registry.build({"type": "keep"}, deps), Keep)
    registry.remove("keep")
    with pytest.raises(LookupError, match="unknown transform type"):
        registry.get("keep")
    registry.add("keep", Keep.from_policy)
    assert "keep" in registry.types()
    with pytest.raises(ValueError, match="already registered"):
        registry.add("keep", Keep.from_policy)
    registry.remove("keep")
    with pytest.raises(KeyError, match="keep"):
        registry.remove("keep")
    with pytest.raises(MissingKeyError):
        registry.build({"type": "pseudonym"}, deps)
    with pytest.raises(ValueError, match="takes no settings"):
        registry.build({"type": "drop", "x": 1}, deps)
