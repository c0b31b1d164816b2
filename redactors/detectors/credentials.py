"""Credential detectors: JWTs, API keys, bearer tokens, secrets and session ids."""

from __future__ import annotations

import base64
import binascii
import re

from redactors.detectors.base import Detector
from redactors.detectors.checks import is_jwt, looks_random

__all__ = ["CREDENTIAL_DETECTORS"]

# Placeholders people log instead of the secret: redacting them again helps nobody.
_MASKED = frozenset({"null", "none", "nil", "true", "false", "undefined", "redacted",
                     "[redacted]", "<redacted>", "hidden", "[filtered]", "filtered",
                     "empty", "n/a", "required", "missing", "invalid", "expired",
                     "incorrect", "changed", "reset", "updated"})  # fmt: skip
# Templates and earlier redactions: `<SECRET>`, `{{ vault_pwd }}`, `${DB_PASS}`, `%s`, `%(pw)s`.
_PLACEHOLDER = re.compile(r"<[A-Z_]+>|\{\{.*|\$\{.*|%s|%\(\w+")
_KV = r"[\"']?\s*[:=]\s*[\"']?"  # `key=v`, `key: v`, `"key": "v"`
_TOKEN_CHARS = r"[A-Za-z0-9._~+/\-%=]"  # noqa: S105 - a character class, not a password


def _secret_ok(value: str, _before: str) -> bool:
    bare = value.strip("\"'")
    if _PLACEHOLDER.fullmatch(bare):
        return False  # already redacted, by us (`<SECRET>`) or by the service
    return bool(bare) and bare.lower() not in _MASKED and set(bare) - set("*xX#.•") != set()


def _phrase_secret_ok(value: str, _before: str) -> bool:
    """`password m3O7mPlP8k`: a word with digits or symbols, not `password changed`."""
    return len(value) >= 6 and any(not c.isalpha() for c in value) and not value.isdigit()


def _token_ok(value: str, _before: str) -> bool:
    return looks_random(value.rstrip("="), min_length=12, min_bits=2.8)


def _key_ok(value: str, _before: str) -> bool:
    return _secret_ok(value, _before) and looks_random(value, min_length=12, min_bits=2.5)


def _basic_credentials_ok(value: str, _before: str) -> bool:
    """HTTP Basic: base64 of `user:password` (`basic auth failed` decodes to nothing)."""
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
        text = decoded.decode("utf-8")
    except (binascii.Error, ValueError):
        return False
    return ":" in text and text.isprintable()


def _jwt_ok(value: str, _before: str) -> bool:
    return is_jwt(value)


CREDENTIAL_DETECTORS: tuple[Detector, ...] = (
    Detector(
        name="jwt",
        entity="JWT",
        # Starts only where a run of segment characters starts: candidates never overlap, so
        # a rejected one is not rescanned from each of its characters (linear, not quadratic).
        pattern=r"(?<![A-Za-z0-9_\-])eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{2,}\.[A-Za-z0-9_\-]*",
        hint=r"eyJ[A-Za-z0-9_\-]{5,}\.",
        score=0.99,
        validate=_jwt_ok,
    ),
    Detector(
        name="api_key_vendor",
        entity="API_KEY",
        pattern=(
            r"\b(?:(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}"
            r"|(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{10,99}"
            r"|gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255}"
            r"|xox[abposr]-[A-Za-z0-9\-]{10,250}"
            r"|AIza[0-9A-Za-z_\-]{35}"
            r"|sk-(?:proj-|ant-)?[A-Za-z0-9_\-]{20,200}"
            r"|glpat-[A-Za-z0-9_\-]{20}|npm_[A-Za-z0-9]{36}|SG\.[\w\-]{22}\.[\w\-]{43})(?![\w\-])"
        ),
        hint=(
            r"(AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}|[srp]k_(live|test)_|gh[pousr]_"
            r"|github_pat_|xox[abposr]-|AIza|sk-|glpat-|npm_|SG\."
        ),
        score=0.95,
    ),
    Detector(
        name="api_key_assignment",
        entity="API_KEY",
        pattern=(
            r"(?i)(?<![a-z0-9])(?:[a-z0-9]+[_\-])?(?:api[_\- ]?key|apikey|api[_\-]?secret"
            r"|access[_\- ]?key(?:[_\-]?id)?|secret[_\-]?access[_\-]?key|secret[_\- ]key"
            r"|app[_\-]?key|subscription[_\-]?key)"
            + r"(?:"
            + _KV
            + r"|\s+(?:is\s+)?)"  # `AWS secret key wJalr...`: the value must then look random
            + r"(?P<v>"
            + _TOKEN_CHARS
            + r"{8,512})"
        ),
        hint=r"(?i)api.?key|apikey|api.?secret|access.?key|secret.?key|app.?key|subscription.?key",
        group="v",
        score=0.9,
        validate=_key_ok,
    ),
    Detector(
        name="authorization_header",
        entity="BEARER_TOKEN",
        pattern=(r"(?i)\b(?:bearer|token|digest|negotiate)\s+(?P<v>[A-Za-z0-9._~+/\-=]{8,4096})"),
        hint=r"(?i)(bearer|token|digest|negotiate)\s",
        group="v",
        score=0.95,
        validate=_token_ok,
    ),
    Detector(
        name="authorization_basic",
        entity="BEARER_TOKEN",
        pattern=r"(?i)\bbasic\s+(?P<v>[A-Za-z0-9+/]{6,4096}={0,2})(?![\w+/=])",
        hint=r"(?i)basic\s",
        group="v",
        score=0.95,
        validate=_basic_credentials_ok,
    ),
    Detector(
        name="password_assignment",
        entity="SECRET",
        pattern=(
            r"(?i)(?<![\w\-])(?:password|passwd|pass|pwd|passphrase|secret|client[_\-]?secret"
            r"|secret[_\-]?key|private[_\-]?key|auth[_\-]?secret|db[_\-]?password"
            r"|[a-z]+_password|[a-z]+_secret)"
            + _KV
            + r"(?P<v>\"[^\"\s]{1,256}\"|'[^'\s]{1,256}'"
            + r"|(?:[^\s\"'&,;}\])]|&(?![\w.\-\[\]]+=)){1,256})"  # `&` ends it before `&key=`
        ),
        hint=r"(?i)pass|pwd|secret|private.?key",
        group="v",
        score=0.9,
        validate=_secret_ok,
    ),
    Detector(
        name="password_phrase",
        entity="SECRET",
        pattern=(
            r"(?i)\b(?:password|passwd|passphrase|passcode)\s+(?:is\s+|was\s+|to\s+)?"
            r"(?P<v>[^\s\"',;]{6,128})(?<![.!?])"
        ),
        hint=r"(?i)pass(word|wd|phrase|code)\s",
        group="v",
        score=0.75,
        validate=_phrase_secret_ok,
    ),
    Detector(
        name="password_quoted",
        entity="SECRET",
        pattern=(  # `with password 'B@nZes94!'`: the quotes bound it, so any character counts
            r"(?i)\b(?:password|passwd|passphrase|passcode|pwd)\s+(?:is\s+|was\s+|to\s+|of\s+)?"
            r"[\"'\u2018\u201c](?P<v>[^\s\"'\u2019\u201d]{4,128})[\"'\u2019\u201d]"
        ),
        hint=r"(?i)(pass(word|wd|phrase|code)|pwd)\s+[a-z ]{0,5}[\"'\u2018\u201c]",
        group="v",
        score=0.85,
        validate=_secret_ok,
    ),
    Detector(
        name="credential_pair",
        entity="SECRET",
        pattern=(  # `alice@example.com / W!nter2024`: a login, a spaced slash, a password
            r"(?<![\w.%+\-])[\w.%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+\s+/\s+"
            r"(?P<v>[^\s\"',;]{6,128})(?<![.!?,;])"
        ),
        hint=r"@[A-Za-z0-9\-]+\.[A-Za-z][A-Za-z0-9.\-]*\s+/\s+\S",
        group="v",
        score=0.8,
        validate=_phrase_secret_ok,
    ),
    Detector(
        name="private_key_block",
        entity="SECRET",
        pattern=(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
            # the body stops at the next `-----` (END, or another BEGIN that is its own
            # candidate): bodies never overlap, so repeated headers cost linear time
            r"(?:(?!-----)[\s\S]){0,8192}(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)"
        ),
        hint=r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY",
        score=0.99,
    ),
    Detector(
        name="session_assignment",
        entity="SESSION_TOKEN",
        pattern=(
            r"(?i)(?<![\w\-])(?:[a-z_]*session[_\-]?(?:id|key|token)?|sess(?:ion)?id|sid"
            r"|phpsessid|jsessionid|asp\.net_sessionid|connect\.sid|laravel_session"
            r"|(?:auth|access|refresh|id|csrf|xsrf|x-csrf|session|remember)[_\-]?token|token"
            r"|_session|sessionkey|sso|ticket|nonce|oauth_token|oauth_verifier|(?:auth_)?code"
            r"|x-amz-security-token|x-amz-signature|signature|sig)"
            + _KV
            + r"(?P<v>"
            + _TOKEN_CHARS
            + r"{12,1024})"
        ),
        hint=r"(?i)sess|sid|token|sso|ticket|nonce|code|sig",
        group="v",
        score=0.85,
        validate=_token_ok,
    ),
    Detector(
        name="session_phrase",
        entity="SESSION_TOKEN",
        pattern=r"(?i)\bsession(?:[ _\-]?id)?\s+(?P<v>[A-Za-z0-9_\-]{16,256})\b",
        hint=r"(?i)session\s",
        group="v",
        score=0.75,
        validate=_token_ok,
    ),
)
