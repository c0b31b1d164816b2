"""Known plain-text layouts split into fields; everything else stays a message."""

from __future__ import annotations

from typing import Any

import pytest

from redactors.textlog import parse_text_line

COMBINED = ('83.149.9.216 - frank [17/May/2015:10:05:03 +0000] "GET /x.png?u=a%40b.co HTTP/1.1" '
            '200 203023 "http://semicomplete.com/p/" "Mozilla/5.0 (X11; Linux x86_64)"')


@pytest.mark.parametrize(("line", "expected"), [
    (COMBINED, {"remote_addr": "83.149.9.216", "remote_user": "frank",
                "time_local": "17/May/2015:10:05:03 +0000",
                "request": "GET /x.png?u=a%40b.co HTTP/1.1", "status": "200",
                "body_bytes_sent": "203023", "http_referer": "http://semicomplete.com/p/",
                "http_user_agent": "Mozilla/5.0 (X11; Linux x86_64)", "log_format": "access"}),
    ('::1 - - [10/Oct/2000:13:55:36 -0700] "POST /login HTTP/1.0" 302 -',
     {"remote_addr": "::1", "remote_user": None, "time_local": "10/Oct/2000:13:55:36 -0700",
      "request": "POST /login HTTP/1.0", "status": "302", "body_bytes_sent": None,
      "log_format": "access"}),
    ("Dec 10 06:55:48 LabSZ sshd[24200]: Accepted password for fztu from 1.2.3.4 port 4 ssh2",
     {"timestamp": "Dec 10 06:55:48", "host": "LabSZ", "program": "sshd", "pid": "24200",
      "message": "Accepted password for <USER> from 1.2.3.4 port 4 ssh2",
      "log_format": "syslog"}),
    ("Jun 15 04:06:18 combo su(pam_unix)[21416]: session opened for user cyrus by (uid=0)",
     {"timestamp": "Jun 15 04:06:18", "host": "combo", "program": "su(pam_unix)",
      "pid": "21416", "message": "session opened for user <USER> by (uid=0)",
      "log_format": "syslog"}),
    ("Mar  1 10:00:00 h sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/ls",
     {"timestamp": "Mar  1 10:00:00", "host": "h", "program": "sudo",
      "message": "   <USER> : TTY=pts/0 ; PWD=/home/<USER> ; USER=<USER> ; COMMAND=/bin/ls",
      "log_format": "syslog"}),
    ("Mar  1 10:00:00 h kernel: eth0 link up", {"timestamp": "Mar  1 10:00:00", "host": "h",
                                                "program": "kernel", "message": "eth0 link up",
                                                "log_format": "syslog"}),
    ("- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond(pam_unix)[2915]: "
     "session opened for user carol by (uid=0)",
     {"timestamp": "Nov 9 12:01:01", "host": "dn228/dn228", "program": "crond(pam_unix)",
      "pid": "2915", "message": "session opened for user <USER> by (uid=0)",
      "log_format": "syslog"}),
    # by/for before an address or a host name: no account there (the IP detector names it)
    ("Dec 10 07:02:47 LabSZ sshd[24203]: Connection closed by 212.47.254.145 [preauth]",
     {"timestamp": "Dec 10 07:02:47", "host": "LabSZ", "program": "sshd", "pid": "24203",
      "message": "Connection closed by 212.47.254.145 [preauth]", "log_format": "syslog"}),
    ("Dec 10 06:55:46 LabSZ sshd[1]: reverse mapping checking getaddrinfo for ns.example.com "
     "[1.2.3.4] failed",
     {"timestamp": "Dec 10 06:55:46", "host": "LabSZ", "program": "sshd", "pid": "1",
      "message": "reverse mapping checking getaddrinfo for ns.example.com [1.2.3.4] failed",
      "log_format": "syslog"}),
    ("Dec 10 06:55:46 LabSZ sshd[1]: pam_unix(sshd:auth): check pass; user unknown",
     {"timestamp": "Dec 10 06:55:46", "host": "LabSZ", "program": "sshd", "pid": "1",
      "message": "pam_unix(sshd:auth): check pass; user unknown", "log_format": "syslog"}),
    ("Dec 10 06:55:46 LabSZ sshd[1]: Too many authentication failures for bob [preauth]",
     {"timestamp": "Dec 10 06:55:46", "host": "LabSZ", "program": "sshd", "pid": "1",
      "message": "Too many authentication failures for <USER> [preauth]", "log_format": "syslog"}),
    ("just some words", None),
    ("2026-11-25 ERROR something broke", None),
])
def test_parse_text_line(line: str, expected: dict[str, Any] | None) -> None:
    assert parse_text_line(line) == expected
