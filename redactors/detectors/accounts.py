"""Account names where logs put them: `user=alice`, `Account Name: jdoe`, the sshd/PAM/su
phrases (`invalid user bob`, `password for carol from`, `(to root) dave on pts/1`) when
they arrive inside JSON or another layout that the syslog parser does not see, and home
directories (`/home/erin/`, `/Users/xpc/Library`, `C:\\Users\\tnakamura\\AppData`), which
name their owner in stack traces and file paths."""

from __future__ import annotations

from redactors.detectors.base import Detector

__all__ = ["ACCOUNT_DETECTORS"]

# Accounts of the system, not of a person, and words that stand where a name would.
_NOT_PEOPLE_WORDS = """
root daemon bin sys sync games man lp mail news uucp proxy www-data backup list irc gnats
nobody nogroup systemd-network systemd-resolve systemd-timesync messagebus syslog sshd
nginx apache httpd mysql postgres postgresql redis mongodb elasticsearch kafka zookeeper
hdfs yarn hadoop spark jenkins git docker ubuntu ec2-user centos admin administrator deploy
deployer ansible vagrant runner gitlab-runner ci build public shared default all users
system local localhost service unknown invalid anonymous none null nil undefined true false
yes no ok success successful succeeded fail failed failure error denied required missing
empty changed from port by for with to is was the a an any all id name
"""
_NOT_PEOPLE = frozenset(_NOT_PEOPLE_WORDS.split())
_NAME = r"[A-Za-z][\w.@\-]{0,63}(?<![.\-])"


def _account_ok(value: str, _before: str) -> bool:
    name = value.rsplit("\\", 1)[-1].lower()  # `WORKGROUP\nobody` names no person
    # `User: NT AUTHORITY\SYSTEM`: two letters are a prefix, not an account
    return len(name) > 2 and name not in _NOT_PEOPLE and not name.startswith("systemd-")


# A Windows profile folder may hold a blank (`C:\\Users\\Mei Ling\\`); the next separator
# must follow, so that the words after a bare `C:\\Users\\bob` are not taken with it.
_PROFILE = r"[A-Za-z0-9][\w.@$\-]{0,63}(?: [A-Za-z0-9][\w.@\-]{0,31})?(?=\\|/)"


ACCOUNT_DETECTORS: tuple[Detector, ...] = (
    Detector(
        name="username_assignment",
        entity="USERNAME",
        pattern=(
            r"(?i:(?<![\w\-.])(?:user|user[_\-]?name|login[_\-]?name|logname|ruser|uname"
            r"|account[_ \-]?name|acct[_\-]?name|login))"
            # `logname= uid=0`: an empty value, so no blank may follow `=`
            r"[\"']?(?:[ \t]*:[ \t]*|[ \t]*=)[\"']?"
            r"(?P<v>(?:[A-Za-z][\w.\-]{0,31}\\{1,2})?" + _NAME + r")(?![\w@\-])"  # CORP\jdoe
        ),
        hint=r"(?i)(user|login|logname|uname|account.?name|acct.?name)[\"']?[ \t]*[:=]",
        group="v",
        score=0.75,
        validate=_account_ok,
    ),
    Detector(
        name="username_phrase",
        entity="USERNAME",
        pattern=(  # the sshd, PAM and su templates, wherever the line ended up
            r"(?i:\b(?:invalid user|(?:password|publickey|keyboard-interactive/pam) for"
            r"(?: invalid user)?|session (?:opened|closed) for user|authentication failures? for"
            r"|failures for|by user|for user))"
            r" [\"']?(?P<v>" + _NAME + r")(?![\w@\-])"
        ),
        hint=r"(?i)(invalid user|password for|publickey for|for user|by user|failures? for) ",
        group="v",
        score=0.75,
        validate=_account_ok,
    ),
    Detector(
        name="su_switch",
        entity="USERNAME",
        pattern=r"\(to [\w.\-]{1,32}\) (?P<v>" + _NAME + r") on (?=\S)",  # su's own line
        hint=r"\(to \S+\) \S+ on ",
        group="v",
        score=0.75,
        validate=_account_ok,
    ),
    Detector(
        name="home_directory",
        entity="USERNAME",
        pattern=r"(?<![\w.\-])/(?:home|Users)/(?P<v>" + _NAME + r")(?=[/\s\"',;:)\]]|$)",
        hint=r"/home/|/Users/",
        group="v",
        score=0.7,
        validate=_account_ok,
    ),
    Detector(
        name="windows_profile",
        entity="USERNAME",
        pattern=(
            r"(?<![\w])[A-Za-z]:(?:\\{1,2}|/)(?:Users|Documents and Settings)(?:\\{1,2}|/)"
            r"(?P<v>" + _PROFILE + r")"
        ),
        hint=r":[\\/]+(Users|Documents and Settings)[\\/]",
        group="v",
        score=0.7,
        validate=_account_ok,
    ),
)
