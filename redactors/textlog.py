"""Plain-text log lines with a known layout, split into fields the policy can classify.

Access logs (NCSA common/combined, as nginx and Apache write them) and BSD syslog lines
become structured events; anything else stays a `message` for the free-text scanner.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["parse_text_line", "scrub_home_dirs"]

# 127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326 "ref" "ua"
_ACCESS = re.compile(
    r'(?P<remote_addr>\S+) (?P<ident>\S+) (?P<remote_user>\S+(?: \S+)*?) '
    r'\[(?P<time_local>[^\]]+)\] "(?P<request>(?:[^"\\]|\\.)*)" (?P<status>\d{3}|-) '
    r'(?P<body_bytes_sent>\d+|-)'
    r'(?: "(?P<http_referer>(?:[^"\\]|\\.)*)" "(?P<http_user_agent>(?:[^"\\]|\\.)*)")?'
    r'(?P<rest>.*)')
# Jan 12 06:25:43 web-7 sshd[2211]: message  (RFC 3164); also with an ISO timestamp, a
# one-digit day (`Nov 9`), and the collector prefix of HPC archives
# (`- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond[2916]: ...`).
_SYSLOG = re.compile(
    r"(?:\S{1,32} \d{9,11} \d{4}\.\d{2}\.\d{2} \S+ )?"
    r"(?P<timestamp>[A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T\S+) "
    r"(?P<host>[\w.@/#-]+) (?P<program>[\w./()-]+?)(?:\[(?P<pid>\d+)\])?: (?P<message>.*)")
# Who logged in: sshd, sudo, su and PAM put account names in fixed places.
# After a bare `for` or `by` an address or a host name (`by 1.2.3.4`, `for ns.example.com`)
# is no account: the IP detector names it, and a host is no person.
_ACCOUNT = re.compile(
    r"(?P<lead>\b(?:for(?: invalid)? user |user[= ]|ruser=|logname=|USER=|acct="
    r"|(?:for|by) (?!\d{1,3}(?:\.\d{1,3}){3}\b|[^\s.]+\.[^\s.]+\.))"
    r"[\"']?)(?P<name>(?!(?:from|port|invalid|user|unknown)\b)[A-Za-z0-9._@-]{1,64})")
_SUDO_CALLER = re.compile(r"^(\s*)[A-Za-z0-9._@-]{1,64}(?= : )")
_HOME = re.compile(r"(/home/|/Users/)[^/\s;:'\"]+")
_ACCOUNT_PROGRAMS = frozenset({"sshd", "sudo", "su", "login", "systemd-logind", "cron", "crond",
                               "CRON", "passwd", "useradd", "usermod", "userdel", "dovecot",
                               "postfix/smtpd", "vsftpd", "proftpd"})


def scrub_home_dirs(text: str) -> str:
    """`/home/alice/x` -> `/home/<USER>/x`: home directories name their owner."""
    if "/home/" not in text and "/Users/" not in text:
        return text
    return _HOME.sub(r"\1<USER>", text)


def _dash_to_none(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if v in ("-", "") else v) for k, v in fields.items() if v is not None}


def parse_text_line(text: str) -> dict[str, Any] | None:
    """Fields of a known log layout, or None when the line has none we know."""
    first = text[:1]
    if first.isdigit() or first in "[:abcdefABCDEF":
        match = _ACCESS.match(text)
        if match is not None:
            fields = _dash_to_none(match.groupdict())
            fields.pop("ident", None)
            rest = fields.pop("rest", None)
            if rest and rest.strip():
                fields["message"] = rest.strip()
            fields["log_format"] = "access"
            return fields
    match = _SYSLOG.match(text)
    if match is not None:
        fields = {k: v for k, v in match.groupdict().items() if v is not None}
        program = fields["program"]
        message = scrub_home_dirs(fields["message"])
        base = program.split("(")[0].split("/")[-1]
        if program in _ACCOUNT_PROGRAMS or base in _ACCOUNT_PROGRAMS:
            message = _ACCOUNT.sub(r"\g<lead><USER>", message)
            if base == "sudo":
                message = _SUDO_CALLER.sub(r"\1<USER>", message)
        fields["message"] = message
        fields["log_format"] = "syslog"
        return fields
    return None
