"""Network detectors: IP addresses, MAC addresses and credentials inside URLs."""

from __future__ import annotations

from redactors.detectors.base import Detector
from redactors.detectors.checks import is_ip_address

__all__ = ["NETWORK_DETECTORS"]

_H = r"[0-9A-Fa-f]"
_G = _H + r"{1,4}"
_V4 = r"(?:\d{1,3}\.){3}\d{1,3}"


def _ipv4_ok(value: str, before: str) -> bool:
    # `Chrome/120.0.0.0` and `v1.2.3.4` are versions, not hosts.
    if before.endswith("/") and before[-2:-1].isalpha():
        return False
    if before.endswith(("v", "version ", "version=", "ver ")):
        return False
    return is_ip_address(value) and not value.startswith(("0.", "127."))


def _host_ip_ok(value: str, before: str) -> bool:
    """`ip-10-0-0-1`, `ec2-52-80-34-196.compute...`, `061092085098.isp.net`: four octets
    (not `v2-1-0-3`, a version, nor `1-2-3-4`, a counter)."""
    octets = value.split("-") if "-" in value else [value[i : i + 3] for i in range(0, 12, 3)]
    if before.endswith(("v", "version ", "version=", "ver ")) or max(map(len, octets)) < 2:
        return False
    return len(octets) == 4 and all(o.isdigit() and int(o) <= 255 for o in octets) and (
        octets[0] not in ("0", "000", "127"))


def _ipv6_ok(value: str, _before: str) -> bool:
    bare = value.strip("[]").split("%", 1)[0]
    # `::` alone and short `ab::cd` shapes are C++/Perl scopes far more often than hosts.
    if bare in ("::", "::1") or (bare.count(":") < 3 and not any(c.isdigit() for c in bare)):
        return False
    return is_ip_address(value)


def _mac_ok(value: str, _before: str) -> bool:
    # Broadcast and all-zero addresses name no device.
    hexdigits = {c for c in value.lower() if c not in ":-."}
    return hexdigits not in ({"f"}, {"0"})


def _url_userinfo_ok(value: str, _before: str) -> bool:
    # `user:@host` carries no password; `{user}:{pass}` is a template.
    password = value.split(":", 1)[1]
    return bool(password) and not (password.startswith(("{", "$", "<", "%s")))


NETWORK_DETECTORS: tuple[Detector, ...] = (
    Detector(
        name="ipv4",
        entity="IP_ADDRESS",
        # A dotted tail ends the address only when it is a host name (`1.2.3.4.dsl.isp.net`).
        pattern=(r"(?<![\w.])(?<!\d\.)" + _V4
                 + r"(?!\.?\d|\.(?![A-Za-z][\w\-]*\.[A-Za-z])[A-Za-z0-9])"),
        hint=r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}",
        score=0.9,
        validate=_ipv4_ok,
    ),
    Detector(
        name="ipv4_in_hostname",
        entity="IP_ADDRESS",
        pattern=(  # the octets a cloud or ISP host name spells out, by a letter or a domain
            r"(?:(?<=[A-Za-z])|(?<=[A-Za-z]-)|(?<=[A-Za-z]\d-))(?:\d{1,3}-){3}\d{1,3}(?=$|[^\w\-]|\.[A-Za-z]|-[A-Za-z])"
            r"|(?<![\w.\-])(?:\d{1,3}-){3}\d{1,3}(?=\.[A-Za-z][\w\-]*\.[A-Za-z])"
        ),
        hint=r"\d{1,3}-\d{1,3}-\d{1,3}-\d{1,3}",
        score=0.85,
        validate=_host_ip_ok,
    ),
    Detector(
        name="ipv4_padded_hostname",
        entity="IP_ADDRESS",
        # `061092085098.ctinets.com`; the domain is matched, not looked at, so that the
        # prefilter does not wake up for every 12-digit number (epoch milliseconds)
        pattern=r"(?<![\w.\-])(?P<v>\d{12})\.[A-Za-z][\w\-]*\.[A-Za-z]",
        hint=r"\d{12}\.[A-Za-z][\w\-]*\.[A-Za-z]",
        group="v",
        score=0.85,
        validate=_host_ip_ok,
    ),
    Detector(
        name="ipv6",
        entity="IP_ADDRESS",
        pattern=(  # eight groups, or `::` somewhere; an IPv4 tail counts as two groups
            r"(?<![\w:.])\[?(?:(?:"
            + _G
            + r":){6}"
            + _V4
            + r"|(?:"
            + _G
            + r"(?::"
            + _G
            + r"){0,4})?::(?:"
            + _G
            + r":){0,5}"
            + _V4
            + r"|(?:"
            + _G
            + r":){7}"
            + _G
            + r"|(?:"
            + _G
            + r"(?::"
            + _G
            + r"){0,6})?::(?:"
            + _G
            + r"(?::"
            + _G
            + r"){0,6})?)"
            r"(?:%[\w.]+)?(?:\]|(?![\w:]))"
        ),
        hint=r"::|" + _G + r"(:" + _G + r"){7}",
        score=0.9,
        validate=_ipv6_ok,
    ),
    Detector(
        name="mac",
        entity="MAC_ADDRESS",
        pattern=(
            r"(?<![\w:\-.])(?:"
            + _H
            + r"{2}(?::"
            + _H
            + r"{2}){5}|"
            + _H
            + r"{2}(?:-"
            + _H
            + r"{2}){5}|"
            + _H
            + r"{4}\."
            + _H
            + r"{4}\."
            + _H
            + r"{4})(?![\w:\-]|\.\w)"
        ),
        hint=_H
        + r"{2}[:\-]"
        + _H
        + r"{2}[:\-]"
        + _H
        + r"{2}[:\-]"
        + _H
        + r"{2}[:\-]"
        + r"|"
        + _H
        + r"{4}\."
        + _H
        + r"{4}\."
        + _H
        + r"{4}",
        score=0.85,
        validate=_mac_ok,
    ),
    Detector(
        name="url_userinfo",
        entity="URL_CREDENTIALS",
        pattern=r"\b[A-Za-z][A-Za-z0-9+.\-]{1,15}://(?P<cred>[^\s:/@?#\"'<>]+:[^\s/@\"'<>]*)@",
        hint=r"://[^\s/@]+:[^\s/@]*@",
        group="cred",
        score=0.99,
        validate=_url_userinfo_ok,
    ),
)
